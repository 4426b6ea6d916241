"""Which commands create a database, and one line for every `--db` that cannot be used.

Only `azwa init` (and the demo, on its own file) creates a database or tables. Every other
command, given a `--db` where no azwa database is, or one it cannot use (a text file, a corrupt
or truncated SQLite file, a folder, a missing folder, an unknown scheme, a missing driver, a
refused server, a read-only file for a write, a locked database, another program's SQLite
file), prints one line and exits 2: no traceback, no file created, not a byte changed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workflow import Actor, Engine
from workflow.cli.main import app
from workflow.store.url import StoreUnavailable

ROOT = Path(__file__).resolve().parent.parent
REGISTRATION = ROOT / "docs" / "examples" / "registration.json"
AT = "2027-01-11T09:00:00+01:00"
DB = "{db}"

READS: dict[str, list[str]] = {
    "plan show": ["plan", "show", "P1", "--db", DB],
    "plan history": ["plan", "history", "P1", "--db", DB],
    "plan list": ["plan", "list", "--db", DB],
    "todo": ["todo", "--org", "Menzis", "--db", DB],
    "export": ["export", "-o", "{out}", "--db", DB],
    "audit verify": ["audit", "verify", "--db", DB],
    "audit report": ["audit", "report", "P1", "--db", DB],
}
WRITES: dict[str, list[str]] = {
    "plan register": ["plan", "register", "P2", "--as", "plan_maker", "--org", "Huisartsen Twente",
                      "--payload", f"@{REGISTRATION}", "--at", AT, "--db", DB],
    "plan fire": ["plan", "fire", "P1", "agree_character", "--as", "coordinating_insurer",
                  "--org", "Menzis", "--payload", '{"character": "innovation"}', "--at", AT,
                  "--db", DB],
    "tick": ["tick", "--now", "2027-06-01T00:00:00+02:00", "--db", DB],
}
CREATES: dict[str, list[str]] = {
    "init": ["init", "--db", DB],
    "demo": ["demo", "--db", DB],
}
COMMANDS = {**READS, **WRITES, **CREATES}


@pytest.fixture(scope="module")
def azwa_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An azwa database holding plan P1, made once and copied by each test."""
    path = tmp_path_factory.mktemp("template") / "azwa.db"
    engine = Engine(f"sqlite:///{path}")
    engine.register("P1", Actor("plan_maker", "Huisartsen Twente"),
                    {**_registration(), "title": "Template"}, at=AT)
    engine.store.close()  # type: ignore[attr-defined]
    return path


def _registration() -> dict[str, object]:
    import json

    data: dict[str, object] = json.loads(REGISTRATION.read_text(encoding="utf-8"))
    return data


@dataclass
class Case:
    """A `--db` value, the file it names (if any) and how to tidy up after the command."""

    db: str
    path: Path | None
    release: Callable[[], None] = lambda: None


def _copy(azwa_db: Path, where: Path) -> Path:
    target = where / "azwa.db"
    shutil.copyfile(azwa_db, target)
    return target


def _text(where: Path, _db: Path) -> Case:
    path = where / "notes.db"
    path.write_text("plan P1: not a database\n", encoding="utf-8")
    return Case(str(path), path)


def _corrupt(where: Path, db: Path) -> Case:
    path = _copy(db, where)
    data = bytearray(path.read_bytes())
    data[100:4000] = b"\xff" * 3900
    path.write_bytes(bytes(data))
    return Case(str(path), path)


def _truncated(where: Path, db: Path) -> Case:
    path = _copy(db, where)
    path.write_bytes(path.read_bytes()[:4096])
    return Case(str(path), path)


def _half_header(where: Path, db: Path) -> Case:
    path = _copy(db, where)
    path.write_bytes(path.read_bytes()[:50])
    return Case(str(path), path)


def _folder(where: Path, _db: Path) -> Case:
    path = where / "plans.db"
    path.mkdir()
    return Case(str(path), path)


def _missing_folder(where: Path, _db: Path) -> Case:
    return Case(str(where / "no-such-folder" / "azwa.db"), where / "no-such-folder")


def _missing(where: Path, _db: Path) -> Case:
    return Case(str(where / "typo.db"), where / "typo.db")


def _empty(where: Path, _db: Path) -> Case:
    path = where / "empty.db"
    path.write_bytes(b"")
    return Case(str(path), path)


def _foreign(where: Path, _db: Path) -> Case:
    path = where / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('keep me')")
    conn.close()
    return Case(str(path), path)


def _read_only(where: Path, db: Path) -> Case:
    path = _copy(db, where)
    path.chmod(0o444)
    return Case(str(path), path, lambda: path.chmod(0o644))


def _locked(where: Path, db: Path) -> Case:
    path = _copy(db, where)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO commands (command_id, plan_id, seq) VALUES ('held', 'P1', 1)")

    def release() -> None:
        holder.execute("ROLLBACK")
        holder.close()

    return Case(f"sqlite:///{path}?timeout=0.1", path, release)


def _url(value: str) -> Callable[[Path, Path], Case]:
    return lambda _where, _db: Case(value, None)


FAMILIES: dict[str, Callable[[Path, Path], Case]] = {
    "text file": _text,
    "corrupt sqlite": _corrupt,
    "truncated sqlite": _truncated,
    "half a header": _half_header,
    "folder": _folder,
    "missing folder": _missing_folder,
    "foreign sqlite": _foreign,
    "unknown scheme": _url("foo://somewhere/azwa"),
    "unreadable url": _url("postgresql://db.example:port/azwa"),
    "device": _url("/dev/zero"),
    "missing driver": _url("mysql://azwa@127.0.0.1/azwa"),
    "refused server": _url("postgresql+psycopg://postgres@127.0.0.1:1/azwa"),
    "locked": _locked,
}
NOT_YET_A_DATABASE = {"missing file": _missing, "empty file": _empty}
"""No database yet: refused by every command that does not create one."""


def _fingerprint(path: Path | None) -> object:
    if path is None or not path.exists():
        return None
    if path.is_dir():
        return sorted(p.name for p in path.iterdir())
    info = path.stat()
    return path.read_bytes(), info.st_mtime_ns, info.st_mode


def _siblings(where: Path) -> list[str]:
    return sorted(p.name for p in where.iterdir())


def _invoke(argv: list[str], case: Case, where: Path) -> tuple[int, list[str], str]:
    words = [w.replace(DB, case.db).replace("{out}", str(where / "out.jsonl")) for w in argv]
    result = CliRunner().invoke(app, words)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    return result.exit_code, lines, result.output


def _refused_in_one_line(argv: list[str], make: Callable[[Path, Path], Case],
                         where: Path, azwa_db: Path) -> list[str]:
    case = make(where, azwa_db)
    before = _fingerprint(case.path), _siblings(where)
    try:
        code, lines, output = _invoke(argv, case, where)
        after = _fingerprint(case.path), _siblings(where)
    finally:
        case.release()
    assert code == 2, output
    assert len(lines) == 1, output
    assert "Traceback" not in output
    assert after[0] == before[0], "the database file changed"
    assert after[1] == before[1], "a file was created or removed"
    return lines


@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unusable_database_is_one_line_and_exit_2(
    command: str, family: str, tmp_path: Path, azwa_db: Path
) -> None:
    """Every command, every kind of unusable --db: exit 2, one line, nothing changed."""
    where = tmp_path / "work"
    where.mkdir()
    _refused_in_one_line(COMMANDS[command], FAMILIES[family], where, azwa_db)


@pytest.mark.parametrize("family", sorted(NOT_YET_A_DATABASE))
@pytest.mark.parametrize("command", sorted({**READS, **WRITES}))
def test_no_database_yet_says_so_and_creates_none(
    command: str, family: str, tmp_path: Path, azwa_db: Path
) -> None:
    """Reads and writes on a path with no azwa database say so and point at `azwa init`;
    no file appears (a mistyped --db used to create an empty database)."""
    (line,) = _refused_in_one_line(COMMANDS[command], NOT_YET_A_DATABASE[family], tmp_path,
                                   azwa_db)
    assert line.startswith(("no azwa database at", "error: no azwa database at")), line
    assert "azwa init --db" in line


@pytest.mark.parametrize("command", sorted({**WRITES, **CREATES}))
def test_a_read_only_file_refuses_writes(command: str, tmp_path: Path, azwa_db: Path) -> None:
    """A file marked read-only is not written to, even by a user the marks do not bind."""
    (line,) = _refused_in_one_line(COMMANDS[command], _read_only, tmp_path, azwa_db)
    assert "read-only" in line


@pytest.mark.parametrize("command", sorted(READS))
def test_reads_serve_a_read_only_file_and_change_no_byte(
    command: str, tmp_path: Path, azwa_db: Path
) -> None:
    """A read works on a read-only database and leaves the file exactly as it was."""
    case = _read_only(tmp_path, azwa_db)
    before = _fingerprint(case.path)
    try:
        code, _lines, output = _invoke(READS[command], case, tmp_path)
        after = _fingerprint(case.path)
    finally:
        case.release()
    assert code == 0, output
    assert after == before


@pytest.mark.parametrize("command", sorted(CREATES))
def test_init_and_demo_create_a_missing_database(command: str, tmp_path: Path) -> None:
    """`azwa init` (and the demo, on its own file) create a database where none is; the
    commands that read then find it."""
    path = tmp_path / "new.db"
    code, _lines, output = _invoke(CREATES[command], Case(str(path), path), tmp_path)
    assert code == 0, output
    code, _lines, output = _invoke(READS["plan list"], Case(str(path), path), tmp_path)
    assert code == 0, output


def test_init_refuses_another_programs_sqlite_file(tmp_path: Path, azwa_db: Path) -> None:
    """`azwa init` adds its tables to a new, empty or azwa database, not to a file that
    holds another program's tables."""
    (line,) = _refused_in_one_line(CREATES["init"], _foreign, tmp_path, azwa_db)
    assert "not an azwa database" in line and "notes" in line


def test_init_adds_a_missing_table_and_keeps_the_plans(tmp_path: Path, azwa_db: Path) -> None:
    """A database from before the commands table: reads work, a write asks for
    `azwa init`, which adds the table and keeps every plan."""
    path = _copy(azwa_db, tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE commands")
    conn.close()
    case = Case(str(path), path)
    assert _invoke(READS["plan show"], case, tmp_path)[0] == 0
    code, lines, _ = _invoke(WRITES["plan fire"], case, tmp_path)
    assert code == 2 and "no table commands" in lines[0] and "azwa init" in lines[0]
    assert _invoke(CREATES["init"], case, tmp_path)[0] == 0
    assert _invoke(WRITES["plan fire"], case, tmp_path)[0] == 0


def test_the_api_opens_an_existing_database_only(tmp_path: Path, azwa_db: Path) -> None:
    """`Engine.open` never creates; `Engine(url)` still creates, as embedding code expects."""
    missing = tmp_path / "missing.db"
    with pytest.raises(StoreUnavailable, match="no azwa database at"):
        Engine.open(str(missing))
    assert not missing.exists()
    engine = Engine.open(str(_copy(azwa_db, tmp_path)), write=False)
    assert engine.state("P1").attrs["title"] == "Template"
    created = Engine(f"sqlite:///{tmp_path}/created.db")
    assert created.plans() == []


@pytest.fixture
def empty_schema(pg_url: str) -> Iterator[str]:
    yield pg_url


@pytest.mark.parametrize("command", sorted({**READS, **WRITES}))
def test_postgresql_without_azwa_tables_is_refused_and_left_empty(
    command: str, empty_schema: str, tmp_path: Path
) -> None:
    """On PostgreSQL a schema without azwa's tables is no azwa database: one line, exit 2,
    and still no table afterwards (skips, saying why, without a server)."""
    from sqlalchemy import create_engine, inspect

    code, lines, output = _invoke(COMMANDS[command], Case(empty_schema, None), tmp_path)
    assert code == 2 and len(lines) == 1, output
    assert "holds no tables" in lines[0] and "azwa init" in lines[0]
    assert "Traceback" not in output
    engine = create_engine(empty_schema)
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
    if command == "export":
        assert not (tmp_path / "out.jsonl").exists()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("command", ["plan history", "plan list", "tick",
                                     "audit verify", "audit report"])
def test_a_failure_while_reading_is_one_line_too(command: str, tmp_path: Path) -> None:
    """A file whose schema opens but whose table pages are garbage fails mid-command: still
    one line naming the trouble, exit 2, no traceback."""
    from workflow import FakeClock
    from workflow.service import demo

    path = tmp_path / "azwa.db"
    engine = Engine(f"sqlite:///{path}", FakeClock(demo.START))
    demo.run(engine, "P1")
    engine.store.close()  # type: ignore[attr-defined]
    data = bytearray(path.read_bytes())
    for offset in range(3 * 4096, len(data), 4096):
        data[offset:offset + 4096] = b"\x07" * 4096
    path.write_bytes(bytes(data))
    code, lines, output = _invoke(COMMANDS[command], Case(str(path), path), tmp_path)
    assert code == 2, output
    assert len(lines) == 1 and "database disk image is malformed" in lines[0], output
