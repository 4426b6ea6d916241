"""Hostile input to the auditors' commands and the API (issue 13, "One line, never a
traceback"): every bad log line, bad field and corrupted row is one clear line naming the
line or field, with exit status 2 on the command line; a read changes no file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.core.bounds import BadInput
from workflow.core.clock import FakeClock
from workflow.service import demo
from workflow.service.api import Engine
from workflow.store.heads import new_key

from ..replay.helpers import azwa, lines, load

GOOD = load("lapsed")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _log(path: Path, content: list[str | bytes]) -> Path:
    data = b"\n".join(c if isinstance(c, bytes) else c.encode("utf-8", "surrogatepass")
                      for c in content)
    path.write_bytes(data + b"\n")
    return path


def _with(index: int, **changes: Any) -> list[str | bytes]:
    out: list[str | bytes] = list(lines(GOOD))
    out[index] = json.dumps({**GOOD[index], **changes})
    return out


def _raw(index: int, text: str | bytes) -> list[str | bytes]:
    out: list[str | bytes] = list(lines(GOOD))
    out[index] = text
    return out


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"x": value}
    return value


def assert_one_line(result: Any, code: int = 2) -> None:
    """Exit `code`, no exception escaped, and for 2 one line on standard error."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit)
    assert "Traceback" not in result.output
    if code == 2:
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


CASES: dict[str, tuple[list[str | bytes], int, str]] = {
    "at is now": (_with(3, at="now"), 4, "not an ISO-8601 timestamp: 'now'"),
    "at is today": (_with(3, at="today"), 4, "not an ISO-8601 timestamp"),
    "at in 1800": (_with(3, at="1800-02-10T09:00:00+01:00"), 4, "outside 1900–2200"),
    "at in 2300": (_with(3, at="2300-02-10T09:00:00+01:00"), 4, "outside 1900–2200"),
    "at a number": (_with(3, at=20270210), 4, "at must be an ISO-8601 timestamp"),
    "nested too deep": (_with(2, payload=_nested(100)), 3, "nested deeper than 64"),
    "a list nested too deep": (_raw(2, "[" * 100_000 + "]" * 100_000), 3, "nested deeper"),
    "lone surrogate in the payload": (_with(2, payload={"note": "\ud800"}), 3,
                                      "lone surrogate"),
    "lone surrogate in the org": (_raw(2, lines(GOOD)[2].replace(
        '"org":"', '"org":"\\udc00', 1)), 3, "lone surrogate"),
    "region a number": (_with(2, actor={**GOOD[2]["actor"], "region": 7}), 3,
                        "actor.region must be a text"),
    "actor a list": (_with(2, actor=["insurer", "Menzis"]), 3, "actor must be an object"),
    "role a number": (_with(2, actor={**GOOD[2]["actor"], "role": 1}), 3,
                      "missing field actor.role"),
    "payload a list": (_with(2, payload=[1, 2]), 3, "payload must be an object"),
    "payload a text": (_with(2, payload="all approved"), 3, "payload must be an object"),
    "a line that is a number": (_raw(1, "42"), 2, "JSON object, not int"),
    "a line that is a text": (_raw(1, '"register_plan"'), 2, "JSON object, not str"),
    "a line that is null": (_raw(1, "null"), 2, "JSON object, not NoneType"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_line_is_one_line_naming_it(case: str, tmp_path: Path) -> None:
    """Issue 13: each hostile line is refused with exit 2 and one line naming the file and
    line; the file is not changed by reading it."""
    content, line, message = CASES[case]
    log = _log(tmp_path / "log.jsonl", content)
    before = _digest(log)
    for command in (["replay", log], ["replay", log, "--json"]):
        result = azwa(*command)
        assert_one_line(result)
        assert result.stderr.startswith(f"error: {log} line {line}: "), result.stderr
        assert message in result.stderr
    assert _digest(log) == before


def test_a_line_above_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: a line longer than AZWA_MAX_LINE_BYTES is refused after the limit is read;
    the same log under the default limit is read."""
    log = _log(tmp_path / "log.jsonl", _with(2, payload={"note": "x" * 5000}))
    monkeypatch.setenv("AZWA_MAX_LINE_BYTES", "4096")
    result = azwa("replay", log)
    assert_one_line(result)
    assert "line 3: the line is longer than 4096 bytes" in result.stderr
    monkeypatch.delenv("AZWA_MAX_LINE_BYTES")
    assert azwa("replay", log).exit_code == 1  # read; the note is no field of the trigger


def test_a_bad_limit_setting_is_one_line(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    log = _log(tmp_path / "log.jsonl", list(lines(GOOD)))
    monkeypatch.setenv("AZWA_MAX_DEPTH", "deep")
    result = azwa("replay", log)
    assert_one_line(result)
    assert "AZWA_MAX_DEPTH must be a whole number" in result.stderr


def test_a_line_from_dev_zero_is_refused_at_the_limit() -> None:
    """Issue 13: /dev/zero is one endless line: refused after 1 MiB, memory stays small."""
    result = azwa("replay", "/dev/zero")
    assert_one_line(result)
    assert "line 1: the line is longer than 1048576 bytes" in result.stderr


def test_the_depth_limit_allows_what_a_payload_needs(tmp_path: Path) -> None:
    """Issue 13: the allowed case — 60 levels are read (and judged by the rules)."""
    log = _log(tmp_path / "log.jsonl", _with(2, payload=_nested(60)))
    assert azwa("replay", log).exit_code in (0, 1)


# -- property-based: garbage never gives a traceback ------------------------------------------


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, len(GOOD) - 1), garbage=st.binary(max_size=300))
def test_random_bytes_for_a_line_never_crash(index: int, garbage: bytes,
                                             tmp_path: Path) -> None:
    """Issue 13: any bytes in place of a line: exit 0, 1 or 2, one line for 2, no traceback,
    the file unchanged."""
    log = _log(tmp_path / "log.jsonl", _raw(index, garbage.replace(b"\n", b" ")))
    before = _digest(log)
    result = azwa("replay", log, "--json")
    assert result.exit_code in (0, 1, 2)
    assert_one_line(result, result.exit_code)
    assert _digest(log) == before


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, len(GOOD) - 1),
       key=st.sampled_from(["plan_id", "seq", "at", "trigger", "actor", "payload",
                            "definition", "hash", "prev_hash"]),
       value=JSON)
def test_any_json_value_in_any_field_never_crashes(index: int, key: str, value: Any,
                                                   tmp_path: Path) -> None:
    """Issue 13: any JSON value for any field of any event: exit 0, 1 or 2, never a
    traceback."""
    log = _log(tmp_path / "log.jsonl", _with(index, **{key: value}))
    result = azwa("replay", log, "--json")
    assert_one_line(result, result.exit_code)
    assert result.exit_code in (0, 1, 2)


# -- the API ----------------------------------------------------------------------------------


@pytest.fixture
def engine() -> Engine:
    engine = Engine("sqlite://", FakeClock(demo.START))
    engine.register(demo.PLAN_ID, demo.MAKER, demo.REGISTRATION)
    return engine


API_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "actor a list": ({"actor": ["plan_maker", "x"]}, "actor must be an object"),
    "role a number": ({"actor": {"role": 1, "org": "x"}}, "actor.role must be a text"),
    "region a number": ({"actor": {**demo.INSURER.to_dict(), "region": 7}},
                        "actor.region must be a text"),
    "payload a list": ({"payload": [1, 2]}, "payload must be an object"),
    "payload a set": ({"payload": {"x": {1, 2}}}, "payload.x: a set is not a JSON value"),
    "payload too deep": ({"payload": _nested(80)}, "nested deeper than 64"),
    "lone surrogate": ({"payload": {"note": "\ud800"}}, "payload.note: a text with a lone"),
    "at in 2300": ({"at": "2300-01-01T09:00:00+01:00"}, "at: the year 2300 is outside"),
    "at now": ({"at": "now"}, "not an ISO-8601 timestamp"),
}


@pytest.mark.parametrize("case", list(API_CASES))
def test_the_api_refuses_bad_input_naming_the_field(case: str, engine: Engine) -> None:
    """Issue 13: `Engine.fire` refuses malformed input with a ValueError of one line that
    names the field; nothing is stored."""
    changes, message = API_CASES[case]
    args: dict[str, Any] = {"actor": demo.INSURER, "payload": {}, "at": None, **changes}
    with pytest.raises(ValueError, match=None) as raised:
        engine.fire(demo.PLAN_ID, "hold_start_meeting", args["actor"], args["payload"],
                    at=args["at"])
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert engine.state(demo.PLAN_ID).seq == 1


def test_the_api_takes_the_same_command_well_formed(engine: Engine) -> None:
    """Issue 13: the allowed case — the same command with a proper actor and payload."""
    fired = engine.fire(demo.PLAN_ID, "hold_start_meeting", demo.INSURER.to_dict(), {},
                        at="2027-01-18T09:00:00+01:00")
    assert fired.plan.seq == 2


def test_register_refuses_attrs_that_are_not_an_object(engine: Engine) -> None:
    with pytest.raises(BadInput, match="attrs must be an object"):
        engine.register("TW-2027-009", demo.MAKER, [("title", "x")])  # type: ignore[arg-type]


# -- corrupted rows -----------------------------------------------------------------------


CORRUPTIONS = {
    "payload not JSON": "update events set payload = '{not json' where seq = 3",
    "hash not a text (a blob)": "update events set hash = x'00ff' where seq = 4",
    "plan data not JSON": "update plans set data = 'garbage'",
    "actor a list": "update events set actor = '[1]' where seq = 2",
}
"""Each corruption of an event or plan row: verify reports the row as `corrupt`."""


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_corrupted_rows_are_reported_not_crashed_on(case: str, tmp_path: Path) -> None:
    """Issue 13: a row the engine did not write is a `corrupt` problem in verify (exit 1),
    and one line (exit 2) in export and report; no command crashes, none changes the file."""
    db = tmp_path / "azwa.db"
    engine = Engine(f"sqlite:///{db}", FakeClock(demo.START))
    demo.run(engine)
    engine.store.close()  # type: ignore[attr-defined]
    with sqlite3.connect(db) as conn:
        conn.execute(CORRUPTIONS[case])
    before = _digest(db)
    verified = azwa("audit", "verify", "--db", db, "--json")
    assert_one_line(verified, 1)
    assert "corrupt" in {p["kind"] for p in json.loads(verified.stdout)["problems"]}
    assert_reads_do_not_crash(db, before)


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_a_corrupted_head_row_is_reported(signed: bool, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: a head row whose signature and time are blobs is reported (the next head no
    longer follows it; signed, it cannot be checked), never crashed on."""
    monkeypatch.delenv("AZWA_SIGNING_KEY_FILE", raising=False)
    if signed:
        monkeypatch.setenv("AZWA_SIGNING_KEY", new_key())
    else:
        monkeypatch.delenv("AZWA_SIGNING_KEY", raising=False)
    db = tmp_path / "azwa.db"
    engine = Engine(f"sqlite:///{db}", FakeClock(demo.START))
    demo.run(engine)
    engine.store.close()  # type: ignore[attr-defined]
    with sqlite3.connect(db) as conn:
        conn.execute("update heads set sig = x'00ff', at = x'01' where seq = 5")
    before = _digest(db)
    verified = azwa("audit", "verify", "--db", db, "--json")
    assert_one_line(verified, 1)
    assert {p["kind"] for p in json.loads(verified.stdout)["problems"]} <= {"head", "corrupt"}
    assert_reads_do_not_crash(db, before)


def assert_reads_do_not_crash(db: Path, before: str) -> None:
    for command in (["export", "--db", db, "-o", "-"],
                    ["audit", "report", demo.PLAN_ID, "--db", db],
                    ["audit", "anchor", "--db", db, "-o", "-"]):
        result = azwa(*command)
        assert result.exit_code in (0, 2)
        assert_one_line(result, result.exit_code)
    assert _digest(db) == before


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "azwa.db"
    engine = Engine(f"sqlite:///{db}", FakeClock(demo.START))
    demo.run(engine)
    engine.store.close()  # type: ignore[attr-defined]
    return db


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(["--log", "--anchors"]),
       garbage=st.lists(st.binary(max_size=120), max_size=4))
def test_garbage_for_a_log_or_anchors_file_never_crashes(option: str, garbage: list[bytes],
                                                         demo_db: Path,
                                                         tmp_path: Path) -> None:
    """Issue 13: any bytes as the exported log or the anchors file of `audit verify`: exit 1
    or 2, one line for 2, no traceback, neither the file nor the database changed."""
    given_file = tmp_path / "given.jsonl"
    given_file.write_bytes(b"\n".join(garbage))
    before = (_digest(given_file), _digest(demo_db))
    result = azwa("audit", "verify", "--db", demo_db, option, given_file)
    assert result.exit_code in (1, 2), result.output
    assert_one_line(result, result.exit_code)
    assert (_digest(given_file), _digest(demo_db)) == before


def test_a_payload_file_nested_without_end_is_one_line(tmp_path: Path) -> None:
    """Issue 13: `azwa plan fire -p @FILE` with JSON nested 100,000 deep is one line, exit 2;
    nested 100 deep, the API names the field."""
    from typer.testing import CliRunner

    from workflow.cli.main import app

    db = tmp_path / "azwa.db"
    engine = Engine(f"sqlite:///{db}", FakeClock(demo.START))
    engine.register(demo.PLAN_ID, demo.MAKER, demo.REGISTRATION)
    engine.store.close()  # type: ignore[attr-defined]
    for depth, message in ((100_000, "payload.json is nested too deeply to read"),
                           (100, "nested deeper than 64 levels")):
        payload = tmp_path / "payload.json"
        payload.write_text('{"a":' + "[" * depth + "]" * depth + "}", encoding="utf-8")
        result = CliRunner().invoke(app, [
            "plan", "fire", demo.PLAN_ID, "hold_start_meeting", "--db", str(db), "--as",
            "coordinating_insurer", "--org", "Menzis", "-p", f"@{payload}"])
        assert result.exit_code == 2, result.output
        assert not isinstance(result.exception, RecursionError)
        assert message in result.output and "Traceback" not in result.output
