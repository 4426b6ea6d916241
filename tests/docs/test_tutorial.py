"""The tutorial runs as written: every `$ azwa` line, in order, with its exit status, under
the settings its reader has (its own `$ export` lines and nothing else: transformation@2 is
the version in force for its 2027 plan)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from tests.defaults.user import ROOT, azwa

TUTORIAL = ROOT / "docs" / "tutorial.md"


def commands(text: str) -> list[tuple[list[str], int, str | None]]:
    """(argv, expected exit, expected first output line) for each `$ azwa` line."""
    found: list[tuple[list[str], int, str | None]] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("$ azwa "):
            continue
        command, _, comment = line[2:].partition("  # ")
        code = int(m.group(1)) if (m := re.search(r"exits (\d)", comment)) else 0
        after = lines[i + 1] if i + 1 < len(lines) else ""
        expected = None if after.startswith(("$", "```")) else after
        found.append((shlex.split(command)[1:], code, expected))
    return found


def exports(text: str) -> dict[str, str]:
    """The settings the reader exports (`$ export NAME=value`)."""
    return dict(re.findall(r"^\$ export (AZWA_\w+)=(\S+)$", text, re.M))


def test_tutorial_runs_as_written_with_the_readers_settings(tmp_path: Path) -> None:
    """Every command of docs/tutorial.md gives the exit status and output the text shows,
    in a process with only the tutorial's own settings; the plan follows transformation@2
    and ends closed with one breach, no missed aim, a €20,000 refund on agreed terms and
    the NZa's verdict (A4 §3.a.4, §3.a.5)."""
    text = TUTORIAL.read_text(encoding="utf-8")
    settings = exports(text)
    assert set(settings) == {"AZWA_DATABASE_URL", "AZWA_LANG"}  # no pin of the version
    settings["AZWA_DATABASE_URL"] = f"sqlite:///{tmp_path}/tutorial.db"
    steps = commands(text)
    assert len(steps) > 30
    done = azwa([argv for argv, _, _ in steps] + [["plan", "show", "TW-001", "--json"]],
                **settings)
    for (argv, code, expected), result in zip(steps, done, strict=False):
        output = result["stdout"] + result["stderr"]
        assert result["code"] == code, (argv, output)
        if expected is not None:
            assert expected in output, (argv, output)
    data = json.loads(done[-1]["stdout"])
    assert data["definition"] == "transformation@2"
    assert data["state"] == "closed"
    assert data["breaches"] == ["quick_test_decision"] and data["missed_aims"] == []
    assert data["funds"] == {"paid_eur": 200000.0, "costs_eur": 180000.0,
                             "refund_eur": 20000.0, "reclaim_eur": 0}
    assert data["lawfulness"] == {"verdict": "lawful", "reason": None}
    assert data["settlement"]["repayment_terms"].startswith("Terugbetaling")
    assert data["sector"] == "huisartsenzorg"
    assert {p["org"]: p.get("provider_size") for p in data["parties"]
            if p["role"] == "plan_maker"} == {"Huisartsen Twente": "small", "ZGT": "large"}
    shown = next(r["stdout"] for r in done if r["argv"] == ["plan", "show", "TW-001"])
    for line in ("transformation@2", "sector: huisartsenzorg", "breaches: quick_test_decision",
                 "missed aims (never a breach): none", "lawfulness: lawful; to reclaim €0.00"):
        assert line in shown, shown
