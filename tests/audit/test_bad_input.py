"""A log that cannot be read: exit 2, one line naming the file and line, never a traceback
(DESIGN.md "Auditor interface")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..replay.helpers import azwa, lines, load

GOOD = load("lapsed")


def _replace(index: int, text: str | bytes) -> list[str | bytes]:
    out: list[str | bytes] = list(lines(GOOD))
    out[index] = text
    return out


def _with(index: int, **changes: Any) -> list[str | bytes]:
    event = {**GOOD[index], **changes}
    return _replace(index, json.dumps(event))


def _without(index: int, *keys: str) -> list[str | bytes]:
    return _replace(index, json.dumps({k: v for k, v in GOOD[index].items() if k not in keys}))


def _actor_without(index: int, key: str) -> list[str | bytes]:
    actor = {k: v for k, v in GOOD[index]["actor"].items() if k != key}
    return _with(index, actor=actor)


CASES: dict[str, tuple[list[str | bytes], int, str]] = {
    "bad JSON": (_replace(2, '{"plan_id": "LP-2027-002", "seq": 3,'), 3,
                 "not valid JSON"),
    "not an object": (_replace(1, "[1, 2, 3]"), 2, "JSON object"),
    "not UTF-8": (_replace(3, b'{"plan_id": "\xff\xfe"}'), 4, "not UTF-8"),
    **{f"missing {key}": (_without(4, key), 5, f"missing field {key}")
       for key in ("plan_id", "seq", "at", "trigger", "actor")},
    "missing actor.role": (_actor_without(2, "role"), 3, "missing field actor.role"),
    "missing actor.org": (_actor_without(2, "org"), 3, "missing field actor.org"),
    "seq not a number": (_with(2, seq="3"), 3, "seq must be a whole number"),
    "seq zero": (_with(2, seq=0), 3, "seq must be a whole number"),
    "payload not an object": (_with(2, payload=["x"]), 3, "payload must be an object"),
    "bad timestamp": (_with(3, at="yesterday at nine"), 4, "bad timestamp"),
    "impossible date": (_with(3, at="2027-02-30T09:00:00+01:00"), 4, "bad timestamp"),
    "timestamp without offset": (_with(3, at="2027-02-10T09:00:00"), 4, "without offset"),
    "unknown trigger": (_with(5, trigger="approve_everything"), 6,
                        "unknown trigger 'approve_everything'"),
    "first event not register_plan": (list[str | bytes](lines(GOOD)[1:]), 1,
                                      "must be register_plan"),
    "unknown definition": (_with(0, definition="transformation@9"), 1,
                           "unknown process definition 'transformation@9'"),
}


def _write(path: Path, content: list[str | bytes]) -> Path:
    data = b"\n".join(c if isinstance(c, bytes) else c.encode("utf-8") for c in content)
    path.write_bytes(data + b"\n")
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_unreadable_line_is_named_and_exits_2(case: str, tmp_path: Path) -> None:
    """DESIGN.md "Auditor interface": a log that cannot be read exits 2 with a message naming
    the line; nothing crashes with a traceback."""
    # Given the lapsed log with one line spoiled
    content, line, message = CASES[case]
    log = _write(tmp_path / "log.jsonl", content)
    # When it is replayed, with and without --json
    for args in (["--json"], []):
        result = azwa("replay", log, *args)
        # Then it exits 2 with one line naming the file and the line, and no traceback
        assert result.exit_code == 2, result.stdout
        assert not isinstance(result.exception, Exception)
        assert result.stdout == ""
        assert result.stderr.startswith(f"error: {log} line {line}: "), result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1


def test_the_unspoiled_log_is_read(tmp_path: Path) -> None:
    """DESIGN.md "Auditor interface": the allowed case — the same log unspoiled, with blank
    lines between events, replays and exits 0."""
    # Given the lapsed log with a blank line added
    log = _write(tmp_path / "log.jsonl", [*lines(GOOD)[:3], "", *lines(GOOD)[3:]])
    # When it is replayed, Then it is read
    result = azwa("replay", log, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["plans"]["LP-2027-002"]["state"] == "lapsed"


@pytest.mark.parametrize(
    ("args", "message"),
    [(["missing.jsonl"], "cannot open the file"),
     (["."], "cannot open the file"),
     (["--now", "tomorrow"], "--now: not an ISO-8601 timestamp"),
     (["--now", "2027-01-01T10:00:00"], "--now: timestamp without offset")],
    ids=["no such file", "a directory", "bad --now", "--now without offset"],
)
def test_unreadable_file_or_option_exits_2(args: list[str], message: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """DESIGN.md "Auditor interface": a file that cannot be opened and a --now that is no
    timestamp exit 2 with a one-line message."""
    # Given a working directory with the lapsed log and nothing else
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "log.jsonl", list(lines(GOOD)))
    if args[0].startswith("--"):
        args = ["log.jsonl", *args]
    # When it is replayed
    result = azwa("replay", *args)
    # Then it exits 2 with the reason on one line
    assert result.exit_code == 2
    assert not isinstance(result.exception, Exception)
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_an_empty_log_is_not_a_clean_one(tmp_path: Path) -> None:
    """Issue 13 (integrity): an empty log is readable but proves nothing, so it is not
    reported clean: exit 1 with the problem `empty`."""
    # Given an empty file
    log = tmp_path / "empty.jsonl"
    log.write_text("", encoding="utf-8")
    # When it is replayed
    result = azwa("replay", log, "--json")
    # Then there are no plans, and the exit status is 1 with the problem named
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "chain": "absent", "chain_breaks": [], "events": 0, "plans": {},
        "problems": [{"kind": "empty", "message": "the log holds no events: an empty log is "
                                                  "not a clean one"}]}
