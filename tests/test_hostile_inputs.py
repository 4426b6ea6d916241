"""Hostile input to the engine's write path, its reads, the command line's files and the
modelplan files (issue 13, "One line, never a traceback"; "Bounded input").

Each rule has its refused case and its allowed case. A refusal is a BadInput (a ValueError)
naming the field on the API, and one line with exit status 2 on the command line, with no
traceback; nothing is stored. What the engine accepts, `azwa export` writes and `azwa replay`
reads back: the engine writes under the limits its auditors read under.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from tests.rules.builders import INSURER, MAKER, SECOND, registration
from workflow.core.bounds import MAX_ID_CHARS, BadInput
from workflow.core.errors import Refused, UnknownPlan
from workflow.core.text import normal_name
from workflow.modelplan import files
from workflow.service.api import Engine
from workflow.store.url import StoreUnavailable

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_MODELPLAN = ROOT / "docs" / "examples" / "modelplan_example.yaml"
REGISTRATION = ROOT / "docs" / "examples" / "registration.json"
AT = "2027-01-11T09:00:00+01:00"
CLI_MAKER = ["--as", "plan_maker", "--org", MAKER.org]
CLI_INSURER = ["--as", "coordinating_insurer", "--org", INSURER.org]


def assert_one_line(result: Result, code: int = 2) -> str:
    """Exit `code`, no exception escaped, no traceback, one line on standard error."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def azwa(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    from workflow.cli.main import app

    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})})


def stored(url: str) -> list[tuple[str, int]]:
    """Every plan and the length of its history: what a refused command must not change."""
    engine = Engine.open(url, write=False)
    try:
        return [(p.plan_id, len(engine.history(p.plan_id))) for p in engine.plans()]
    finally:
        engine.store.close()


@pytest.fixture
def engine(sqlite_url: str) -> Engine:
    engine = Engine(sqlite_url)
    engine.register("P1", MAKER, registration(), at=AT)
    return engine


@pytest.fixture
def cli_db(tmp_path: Path) -> str:
    """An azwa database with plan P1 registered through the command line."""
    db = str(tmp_path / "cli.db")
    assert azwa("init", "--db", db).exit_code == 0
    result = azwa("plan", "register", "P1", *CLI_MAKER, "-p", f"@{REGISTRATION}", "--at", AT,
                  "--db", db)
    assert result.exit_code == 0, result.output
    return db


# -- 1. the engine writes only what its auditors read ----------------------------------------


def test_a_title_too_large_for_a_log_line_is_refused_naming_it(engine: Engine,
                                                               sqlite_url: str) -> None:
    """Issue 13: a 2 MB title was accepted and then broke `azwa replay` of the export."""
    before = stored(sqlite_url)
    with pytest.raises(BadInput, match=r"^attrs\.title \(2,000,000 characters\): too large:"
                                       r".*AZWA_MAX_LINE_BYTES"):
        engine.register("P2", MAKER, registration(title="x" * 2_000_000), at=AT)
    with pytest.raises(BadInput, match=r"^payload\.note .*AZWA_MAX_LINE_BYTES"):
        engine.fire("P1", "agree_character", INSURER,
                    {"character": "innovation", "note": "é" * 600_000}, at=AT)
    assert stored(sqlite_url) == before


def test_what_the_engine_accepts_exports_and_replays(engine: Engine, sqlite_url: str,
                                                     tmp_path: Path) -> None:
    """The allowed case: a title of 900,000 characters (close to the 1 MiB line) is stored,
    exported and replayed without a complaint about its length."""
    engine.register("P2", MAKER, registration(title="x" * 900_000), at=AT)
    log = tmp_path / "log.jsonl"
    assert azwa("export", "--db", sqlite_url, "-o", log).exit_code == 0
    assert max(len(line) for line in log.read_bytes().splitlines()) > 900_000
    result = azwa("replay", log)
    assert result.exit_code == 0, result.output


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(title=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                     min_size=1, max_size=1200).filter(lambda t: t.strip()).map(lambda t: t * 3))
def test_an_event_is_accepted_exactly_when_its_log_line_fits(
        title: str, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Property: under AZWA_MAX_LINE_BYTES=4096, a registration is stored if and only if the
    line `azwa export` writes for it fits in 4096 bytes (escapes and multi-byte characters
    included); otherwise it is refused naming the line limit."""
    monkeypatch.setenv("AZWA_MAX_LINE_BYTES", "4096")
    url = f"sqlite:///{tmp_path_factory.mktemp('size')}/azwa.db"
    engine = Engine(url)
    try:
        engine.register("P", MAKER, registration(title=title), at=AT)
    except BadInput as exc:
        assert "AZWA_MAX_LINE_BYTES" in str(exc)
        line = json.dumps({"plan_id": "P", "payload": registration(title=title)},
                          ensure_ascii=False)
        assert len(line.encode()) > 4096 - 600  # refused only near or over the limit
        return
    finally:
        engine.store.close()
    (event,) = Engine.open(url, write=False).history("P")
    exported = json.dumps(event.to_dict(), ensure_ascii=False, separators=(",", ":"))
    assert len(exported.encode()) + 1 <= 4096


@pytest.mark.parametrize(("field", "call"), [
    ("plan_id", lambda e, big: e.register(big, MAKER, registration(), at=AT)),
    ("command_id", lambda e, big: e.fire("P1", "agree_character", INSURER,
                                         {"character": "innovation"}, at=AT, command_id=big)),
    ("actor.org", lambda e, big: e.fire("P1", "agree_character",
                                        {"role": "coordinating_insurer", "org": big},
                                        {"character": "innovation"}, at=AT)),
    ("actor.role", lambda e, big: e.fire("P1", "agree_character",
                                         {"role": big, "org": "Menzis"}, {}, at=AT)),
    ("actor.region", lambda e, big: e.register("P3", {**MAKER.to_dict(), "region": big},
                                               registration(), at=AT)),
])
@pytest.mark.parametrize("size", [MAX_ID_CHARS + 1, 3_000_000])
def test_an_id_longer_than_a_name_is_refused_naming_it(
        engine: Engine, sqlite_url: str, field: str, call: Any, size: int) -> None:
    before = stored(sqlite_url)
    with pytest.raises(BadInput, match=rf"^{field}: {size:,} characters, more than the 200"):
        call(engine, "x" * size)
    assert stored(sqlite_url) == before


def test_ids_of_the_longest_allowed_length_are_taken(engine: Engine) -> None:
    """The allowed case: 200 characters in each id and name."""
    longest = "é" * MAX_ID_CHARS
    engine.register(longest, {"role": "plan_maker", "org": MAKER.org, "region": longest},
                    registration(), at=AT, command_id="c" * MAX_ID_CHARS)
    fired = engine.fire(longest, "agree_character", INSURER, {"character": "innovation"},
                        at=AT, command_id="d" * MAX_ID_CHARS)
    assert fired.plan.facts["character"] == "innovation"


def test_the_cli_refuses_an_event_too_large_in_one_line(cli_db: str, tmp_path: Path) -> None:
    """The payload file fits the read limit, the event it makes does not: one line, exit 2."""
    env = {"AZWA_MAX_LINE_BYTES": "4096"}
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps(registration(title="t" * 3500)), encoding="utf-8")
    assert payload.stat().st_size <= 4096
    result = azwa("plan", "register", "P2", *CLI_MAKER, "-p", f"@{payload}", "--db", cli_db,
                  env=env)
    assert "attrs" in assert_one_line(result) and "AZWA_MAX_LINE_BYTES" in result.stderr
    payload.write_text(json.dumps(registration(title="t" * 2000)), encoding="utf-8")
    result = azwa("plan", "register", "P2", *CLI_MAKER, "-p", f"@{payload}", "--db", cli_db,
                  "--at", AT, env=env)
    assert result.exit_code == 0, result.output


# -- 2. files are read with a bound -----------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["plan", "fire", "P1", "agree_character", *CLI_INSURER, "-p", "@/dev/zero"],
    ["plan", "register", "P2", *CLI_MAKER, "-p", "@/dev/zero"],
])
def test_a_payload_file_is_read_up_to_the_limit(cli_db: str, argv: list[str]) -> None:
    before = stored(cli_db)
    line = assert_one_line(azwa(*argv, "--db", cli_db))
    assert line == "/dev/zero: larger than 1,048,576 bytes, the most an event may hold " \
                   "(AZWA_MAX_LINE_BYTES)\n"
    assert stored(cli_db) == before


def test_a_payload_file_of_exactly_the_limit_is_read(cli_db: str, tmp_path: Path) -> None:
    """The allowed case at the edge: 4096 bytes are read under a 4096-byte limit, 4097 not."""
    env = {"AZWA_MAX_LINE_BYTES": "4096"}
    text = json.dumps(registration())
    payload = tmp_path / "p.json"
    payload.write_text(text + " " * (4096 - len(text.encode())), encoding="utf-8")
    result = azwa("plan", "register", "P2", *CLI_MAKER, "-p", f"@{payload}", "--db", cli_db,
                  "--at", AT, env=env)
    assert result.exit_code == 0, result.output
    payload.write_text(text + " " * (4097 - len(text.encode())), encoding="utf-8")
    result = azwa("plan", "register", "P3", *CLI_MAKER, "-p", f"@{payload}", "--db", cli_db,
                  "--at", AT, env=env)
    assert "larger than 4,096 bytes" in assert_one_line(result)


def test_a_payload_file_that_is_not_utf8_is_one_line(cli_db: str, tmp_path: Path) -> None:
    payload = tmp_path / "p.json"
    payload.write_bytes(b'{"character": "\xff"}')
    result = azwa("plan", "fire", "P1", "agree_character", *CLI_INSURER, "-p", f"@{payload}",
                  "--db", cli_db)
    assert "is not UTF-8 text" in assert_one_line(result)


@pytest.mark.parametrize("command", ["check", "report"])
def test_a_modelplan_file_is_read_up_to_the_limit(command: str) -> None:
    line = assert_one_line(azwa("modelplan", command, "/dev/zero"))
    assert line == "error: /dev/zero: larger than 1,048,576 bytes, the most a modelplan file " \
                   "may hold\n"


def test_a_modelplan_file_of_exactly_the_limit_is_read(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    text = EXAMPLE_MODELPLAN.read_text(encoding="utf-8")
    limit = len(text.encode()) + 100
    monkeypatch.setattr(files, "MAX_FILE_BYTES", limit)
    plan = tmp_path / "plan.yaml"
    plan.write_text(text + "#" * 99 + "\n", encoding="utf-8")
    assert azwa("modelplan", "check", "--version", "1", plan).exit_code == 0
    plan.write_text(text + "#" * 100 + "\n", encoding="utf-8")
    assert "larger than" in assert_one_line(azwa("modelplan", "check", plan))


# -- 3. nesting in modelplan files ---------------------------------------------------------------


def _flow(depth: int) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def _block(depth: int) -> str:
    return "a:\n" + "".join("  " * (i + 1) + "-\n" for i in range(depth))


def _json(depth: int) -> str:
    return '{"a": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(("name", "text"), [
    ("deep.yaml", _flow(5000)), ("block.yaml", _block(900)), ("deep.json", _json(5000)),
    ("deep", _json(100_000)),
])
@pytest.mark.parametrize("command", ["check", "report"])
def test_a_modelplan_nested_too_deep_is_one_line(tmp_path: Path, name: str, text: str,
                                                 command: str) -> None:
    plan = tmp_path / name
    plan.write_text(text, encoding="utf-8")
    assert "nested deeper than 64 levels" in assert_one_line(azwa("modelplan", command, plan))


BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)])


@pytest.mark.parametrize("command", ["check", "report"])
def test_a_modelplan_with_yaml_aliases_is_one_line(tmp_path: Path, command: str) -> None:
    """Aliases of aliases (a few lines standing for 9⁹ values) are refused where they stand;
    a modelplan needs no aliases, and the same file with the value written out is read."""
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text(BILLION_LAUGHS, encoding="utf-8")
    line = assert_one_line(azwa("modelplan", command, laughs))
    assert "YAML aliases" in line and ":2" in line
    plain = tmp_path / "plain.yaml"
    plain.write_text("a: [lol, lol]\nb: [lol, lol]\n", encoding="utf-8")
    assert isinstance(files.load_data(plain), dict)


@settings(max_examples=40, deadline=None)
@given(depth=st.integers(1, 300), style=st.sampled_from(["flow", "block", "json"]))
def test_modelplan_nesting_is_refused_exactly_beyond_the_limit(depth: int, style: str) -> None:
    """Property: a modelplan file nested `depth` levels below its top mapping is read when
    the deepest list is at most 64 levels down, refused naming the limit otherwise."""
    text = {"flow": _flow, "block": _block, "json": _json}[style](depth)
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json" if style == "json" else ".yaml",
                                     delete=False, encoding="utf-8") as handle:
        handle.write(text)
    try:
        if depth + 1 <= files.MAX_DEPTH:
            assert isinstance(files.load_data(handle.name), dict)
        else:
            with pytest.raises(files.ModelplanFileError, match="nested deeper than 64"):
                files.load_data(handle.name)
    finally:
        Path(handle.name).unlink()


# -- 4. lone surrogates, 5. NUL: every text that enters the service ------------------------------


READS: dict[str, Any] = {
    "state": lambda e, bad: e.state(bad),
    "history": lambda e, bad: e.history(bad),
    "todo": lambda e, bad: e.todo(bad, AT),
    "allowed": lambda e, bad: e.allowed(bad, INSURER, AT),
    "next_steps": lambda e, bad: e.next_steps(bad, AT),
}


@pytest.mark.parametrize("bad", ["\ud800", "P\x00"])
@pytest.mark.parametrize("read", list(READS))
def test_a_read_refuses_a_plan_id_no_store_can_take(engine: Engine, read: str,
                                                    bad: str) -> None:
    with pytest.raises(BadInput, match=r"^plan_id: a text with a (lone surrogate|NUL)"):
        READS[read](engine, bad)
    with pytest.raises(UnknownPlan):  # the allowed case: a valid text, no such plan
        READS[read](engine, "Plan één")


@pytest.mark.parametrize(("name", "call"), [
    ("org", lambda e, bad: e.todos(bad, AT)),
    ("region", lambda e, bad: e.plans(region=bad)),
    ("state", lambda e, bad: e.plans(state=bad)),
    ("track", lambda e, bad: e.plans(track=bad)),
    ("command_id", lambda e, bad: e.fire("P1", "agree_character", INSURER,
                                         {"character": "innovation"}, at=AT, command_id=bad)),
    ("trigger", lambda e, bad: e.fire("P1", bad, INSURER, {}, at=AT)),
])
@pytest.mark.parametrize("bad", ["\ud800", "a\x00b"])
def test_every_text_argument_is_checked_naming_it(engine: Engine, sqlite_url: str, name: str,
                                                   call: Any, bad: str) -> None:
    before = stored(sqlite_url)
    with pytest.raises(BadInput, match=f"^{name}: a text with a (lone surrogate|NUL)"):
        call(engine, bad)
    assert stored(sqlite_url) == before
    try:  # the allowed case: valid non-ASCII text is just a text, judged by the rules
        call(engine, "Fryslân")
    except Refused as refused:
        assert (name, refused.rule) == ("trigger", "known_trigger")


@pytest.mark.parametrize("argv", [
    ["plan", "list", "--region", "\udcff"],
    ["plan", "list", "--state", "\udcff"],
    ["plan", "list", "--track", "\udcff"],
    ["plan", "show", "\udcff"],
    ["plan", "history", "\udcff"],
    ["plan", "fire", "P1", "agree_character", *CLI_INSURER, "--command-id", "\udcff"],
    ["plan", "fire", "\udcff", "agree_character", *CLI_INSURER],
    ["todo", "--org", "\udcff"],
])
def test_an_undecodable_argument_is_one_line_naming_it(cli_db: str, argv: list[str]) -> None:
    """A byte that is not UTF-8 on the command line ($'\\xff') arrives as a lone surrogate."""
    before = stored(cli_db)
    line = assert_one_line(azwa(*argv, "--db", cli_db))
    if argv[2] in ("--state", "--track"):  # a filter with known values names them
        assert line.startswith(f"{argv[2]} '\\udcff' is not known; known: ")
    else:
        assert "a text with a lone surrogate" in line
        assert line.split(":")[0] in ("region", "plan_id", "command_id", "org")
    assert stored(cli_db) == before


def test_plan_list_with_a_valid_filter_is_listed(cli_db: str) -> None:
    result = azwa("plan", "list", "--region", "Twente", "--json", "--db", cli_db)
    assert result.exit_code == 0 and "P1" in result.stdout
    result = azwa("plan", "list", "--region", "Fryslân", "--json", "--db", cli_db)
    assert result.exit_code == 0 and "P1" not in result.stdout


_NUMBERS = itertools.count()
TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXTS)
def test_a_nul_anywhere_in_a_payload_is_refused_else_stored_as_given(
        engine: Engine, title: str) -> None:
    """Property: a title with a NUL is refused naming attrs.title; any other text is stored
    and read back as given."""
    plan_id = f"T{next(_NUMBERS)}"
    try:
        engine.register(plan_id, MAKER, registration(title=title or "t"), at=AT)
    except BadInput as exc:
        assert "\x00" in title and str(exc).startswith("attrs.title: a text with a NUL")
        return
    except Refused:
        assert not title.strip()  # an empty title is the registration rule's to refuse
        return
    assert "\x00" not in title
    assert engine.state(plan_id).attrs["title"] == (title or "t")


@pytest.mark.parametrize(("field", "call"), [
    ("attrs.title", lambda e: e.register("P2", MAKER, registration(title="a\x00b"), at=AT)),
    ("attrs.parties[1].org", lambda e: e.register(
        "P2", MAKER, registration(parties=[{"org": MAKER.org}, {"org": "Z\x00GT"}]), at=AT)),
    ("attrs.<key>", lambda e: e.register("P2", MAKER, {**registration(), "k\x00": 1}, at=AT)),
    ("actor.org", lambda e: e.fire("P1", "agree_character",
                                   {"role": "coordinating_insurer", "org": "Men\x00zis"},
                                   {"character": "innovation"}, at=AT)),
    ("plan_id", lambda e: e.register("P\x002", MAKER, registration(), at=AT)),
])
def test_a_nul_is_refused_on_every_store(db_url: str, field: str, call: Any) -> None:
    """SQLite stored "a\\x00b", PostgreSQL failed with a database error: both refuse it now,
    naming the field; a tab (another control character) is stored on both."""
    engine = Engine(db_url)
    engine.register("P1", MAKER, registration(), at=AT)
    with pytest.raises(BadInput, match=rf"^{field.replace('[', '.').replace(']', '.')}: "
                                       r"a text with a NUL"):
        call(engine)
    assert [p.plan_id for p in engine.plans()] == ["P1"]
    engine.register("P2", MAKER, registration(title="a\tb"), at=AT)
    assert Engine(db_url).state("P2").attrs["title"] == "a\tb"
    engine.store.close()


# -- 6. the rest of the API's input --------------------------------------------------------------


def test_a_word_for_a_time_is_refused_naming_the_argument(engine: Engine) -> None:
    with pytest.raises(BadInput, match=r"^at: not an ISO-8601 timestamp: 'now'"):
        engine.fire("P1", "agree_character", INSURER, {"character": "innovation"}, at="now")
    with pytest.raises(BadInput, match=r"^now: not an ISO-8601 timestamp: 'now'"):
        engine.tick("now")
    with pytest.raises(BadInput, match=r"^at: timestamp without offset"):
        engine.fire("P1", "agree_character", INSURER, {"character": "innovation"},
                    at="2027-01-12T09:00:00")
    with pytest.raises(BadInput, match=r"^at: needs a time zone"):
        engine.allowed("P1", INSURER, datetime(2027, 1, 12, 9))
    assert engine.tick("2027-01-12T09:00:00+01:00") == []  # the allowed case
    engine.fire("P1", "agree_character", INSURER, {"character": "innovation"},
                at="2027-01-12T09:00:00+01:00")


@pytest.mark.parametrize(("name", "call"), [
    ("org", lambda e: e.todos(5)),
    ("command_id", lambda e: e.fire("P1", "agree_character", INSURER,
                                    {"character": "innovation"}, at=AT, command_id=5)),
    ("plan_id", lambda e: e.state(5)),
    ("region", lambda e: e.plans(region=["Twente"])),
    ("trigger", lambda e: e.fire("P1", None, INSURER, {}, at=AT)),
])
def test_an_argument_that_is_not_text_is_refused_naming_it(engine: Engine, name: str,
                                                           call: Any) -> None:
    with pytest.raises(BadInput, match=f"^{name} must be a text, not "):
        call(engine)
    assert engine.todos("Menzis", AT)  # the allowed case



def test_an_organisation_is_found_however_its_name_is_cased_or_spaced(engine: Engine) -> None:
    """`todos` compares names as the guards do (normal_name): case and runs of spaces do not
    tell organisations apart, other letters do."""
    owed = [t.trigger for t in engine.todos("Menzis", AT)]
    assert owed and [t.trigger for t in engine.todos("  mENZIS \t", AT)] == owed
    assert engine.todos("Menzis Zorg", AT) == []  # another organisation
    assert normal_name(" Menzis \u3000 Zorg\n") == normal_name("menzis zorg")
    assert normal_name("Menzis Zorg") != normal_name("MenzisZorg")

def _unusable_urls(tmp_path: Path) -> dict[str, str]:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 10, encoding="utf-8")
    return {
        "mysql": "mysql://x/y",
        "unknown scheme": "nosuchdb://x/y",
        "text file": f"sqlite:///{text}",
        "folder": f"sqlite:///{tmp_path}",
        "missing folder": f"sqlite:///{tmp_path}/missing/azwa.db",
        "bad URL": "postgresql+psycopg://host:notaport/db",
    }


@pytest.mark.parametrize("case", ["mysql", "unknown scheme", "text file", "folder",
                                  "missing folder", "bad URL"])
def test_an_unusable_database_url_is_one_line_from_the_constructor(tmp_path: Path,
                                                                   case: str) -> None:
    url = _unusable_urls(tmp_path)[case]
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(StoreUnavailable) as raised:
        Engine(url)
    message = str(raised.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    Engine(f"sqlite:///{tmp_path}/new.db").store.close()  # the allowed case


@pytest.mark.parametrize(("now", "code"), [
    ("1800-01-01T00:00+00:00", 2), ("2300-01-01T00:00+00:00", 2),
    ("1900-01-01T00:00+00:00", 0), ("2200-12-31T23:00+00:00", 0),
])
def test_replay_now_is_refused_outside_the_years_of_a_log(engine: Engine, sqlite_url: str,
                                                          tmp_path: Path, now: str,
                                                          code: int) -> None:
    log = tmp_path / "log.jsonl"
    assert azwa("export", "--db", sqlite_url, "-o", log).exit_code == 0
    result = azwa("replay", log, "--now", now)
    if code == 2:
        assert "--now: the year" in assert_one_line(result) and "1900–2200" in result.stderr
    else:
        assert result.exit_code == code, result.output


# -- 7. the second insurer is another insurer (A4 §1.3) -----------------------------------------


@pytest.mark.parametrize("name", ["Menzis", " menzis ", "MENZIS"])
def test_the_coordinating_insurer_cannot_be_named_second_insurer(sqlite_url: str,
                                                                 name: str) -> None:
    engine = Engine(sqlite_url)
    engine.register("P1", MAKER, registration(second_insurer=None), at=AT)
    with pytest.raises(Refused) as refused:
        engine.fire("P1", "name_second_insurer", INSURER, {"org": name}, at=AT)
    assert (refused.value.rule, refused.value.seed) == ("is_other_insurer", "A4 §1.3")
    assert len(engine.history("P1")) == 1
    fired = engine.fire("P1", "name_second_insurer", INSURER, {"org": SECOND.org}, at=AT)
    assert fired.plan.facts["second_insurer"] == SECOND.org


def test_a_registration_naming_one_insurer_twice_is_refused(sqlite_url: str) -> None:
    engine = Engine(sqlite_url)
    with pytest.raises(Refused) as refused:
        engine.register("P1", MAKER, registration(second_insurer="menzis"), at=AT)
    assert refused.value.seed == "A4 §1.a.2"
    assert "second_insurer must be another insurer than the coordinating insurer (A4 §1.3)" \
        in refused.value.reason
    assert engine.plans() == []
    engine.register("P1", MAKER, registration(second_insurer=SECOND.org), at=AT)
    assert engine.state("P1").facts["second_insurer"] == SECOND.org


def test_a_refused_database_stays_untouched(tmp_path: Path) -> None:
    """A text file given as the database is left byte for byte as it was."""
    text = tmp_path / "notes.txt"
    text.write_bytes(b"not a database\n")
    with pytest.raises(StoreUnavailable):
        Engine(f"sqlite:///{text}")
    assert text.read_bytes() == b"not a database\n"
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(text).execute("select * from sqlite_master").fetchall()
