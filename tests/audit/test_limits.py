"""A log is read within the limits it is given: a reader's, or the environment's (AZWA_MAX_*),
whatever another reader (an anchors file, another log) was made with in between."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workflow.audit.bounds import HEADER, LineReader, LogFileError
from workflow.audit.logfile import parse_line, parse_lines, read_log
from workflow.core.bounds import Limits

EVENT = {"plan_id": "P-1", "seq": 1, "at": "2027-01-12T09:00:00+01:00",
         "trigger": "register_plan", "actor": {"role": "plan_maker", "org": "Zorggroep"},
         "payload": {"title": "x", "deep": [[[["four"]]]]}}
LINE = json.dumps(EVENT).encode()


def test_a_line_nested_deeper_than_the_given_limit_is_refused_and_within_it_read() -> None:
    assert parse_line(1, LINE, Limits(max_depth=6)) is not None  # the allowed case
    with pytest.raises(LogFileError, match=r"nested deeper than 5 levels"):
        parse_line(1, LINE, Limits(max_depth=5))
    with pytest.raises(LogFileError, match=r"line 2: JSON nested deeper than 5"):
        list(parse_lines([json.dumps(HEADER).encode(), LINE], limits=Limits(max_depth=5)))


def test_a_reader_made_later_does_not_change_the_limits_of_a_log_being_read(
        tmp_path: Path) -> None:
    """Once, every LineReader() (the anchors file's too) set the limits all parsing used."""
    log = tmp_path / "log.jsonl"
    log.write_bytes(json.dumps(HEADER).encode() + b"\n" + LINE + b"\n")
    strict = LineReader(Limits(max_depth=5))
    lines = read_log(log, strict)
    LineReader(Limits(max_depth=64))
    with pytest.raises(LogFileError, match=r"nested deeper than 5 levels"):
        list(lines)
    assert strict.header
    assert [item.line for item in read_log(log, LineReader(Limits(max_depth=6)))] == [2]


def test_without_limits_the_environment_s_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    LineReader(Limits(max_depth=64))
    monkeypatch.setenv("AZWA_MAX_DEPTH", "5")
    with pytest.raises(LogFileError, match=r"nested deeper than 5 levels \(AZWA_MAX_DEPTH\)"):
        parse_line(1, LINE)
    monkeypatch.setenv("AZWA_MAX_DEPTH", "6")
    assert parse_line(1, LINE) is not None
