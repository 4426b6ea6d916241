"""The auditors' commands mounted on a small app, as the main CLI mounts them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner, Result

from workflow.audit.logfile import ReplayResult, parse_lines, replay_lines
from workflow.cli.audit import audit_app, export_command, replay_command
from workflow.core.events import digest
from workflow.core.plan import GENESIS
from workflow.core.timecalc import parse_at

LOGS = Path(__file__).resolve().parent / "logs"

app = typer.Typer(name="azwa")
app.command("replay")(replay_command)
app.command("export")(export_command)
app.add_typer(audit_app)


def azwa(*args: str | Path) -> Result:
    """Run `azwa ARGS` as a user would, standard output and error apart."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def replay_json(log: str | Path, *args: str) -> tuple[int, dict[str, Any]]:
    """`azwa replay LOG --json ARGS`: the exit status and the printed object."""
    result = azwa("replay", log, "--json", *args)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def load(name: str) -> list[dict[str, Any]]:
    """The events of a recorded log, as dictionaries."""
    text = (LOGS / f"{name}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def lines(events: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in events]


def write_log(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(lines(events)) + "\n", encoding="utf-8")
    return path


def replay_events(events: list[dict[str, Any]], now: str | None = None) -> ReplayResult:
    """Replay events as a log file would give them, through the library."""
    return replay_lines(parse_lines(lines(events)), parse_at(now) if now else None)


def reseal(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Renumber each plan's events 1..n and chain their hashes again, as a writer would."""
    out: list[dict[str, Any]] = []
    last: dict[str, tuple[int, str]] = {}
    for event in events:
        seq, prev = last.get(event["plan_id"], (0, GENESIS))
        item = {**event, "seq": seq + 1, "prev_hash": prev}
        item.pop("hash", None)
        item["hash"] = digest(item)
        last[event["plan_id"]] = (seq + 1, item["hash"])
        out.append(item)
    return out


def unchained(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As another system would log them: no hash, no prev_hash, no definition."""
    return [{k: v for k, v in e.items() if k not in ("hash", "prev_hash", "definition")}
            for e in events]
