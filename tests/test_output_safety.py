"""No output destroys data: the database is never an output, an existing file is replaced
only with --force, and a file is written whole or not at all (docs/audit.md "Outputs")."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from workflow.cli.main import app
from workflow.cli.output import OutputError, safe_output
from workflow.core.clock import FakeClock
from workflow.service import demo
from workflow.service.api import Engine

ROOT = Path(__file__).resolve().parents[1]
MODELPLAN = ROOT / "docs" / "examples" / "modelplan_example.yaml"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding ./azwa.db (the default database) with the demo plan, as cwd."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AZWA_DATABASE_URL", raising=False)
    engine = Engine("sqlite:///azwa.db", FakeClock(demo.START))
    demo.run(engine)
    engine.store.close()
    return tmp_path


def azwa(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_error(result: Result, *words: str) -> None:
    """Exit 2 with one line on standard error, no traceback, naming what matters."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0]


def _plan_count() -> int:
    engine = Engine("sqlite:///azwa.db")
    count = len(engine.plans())
    engine.store.close()
    return count


DB_TARGETS = ["azwa.db", "./sub/../azwa.db", "azwa.db-wal", "azwa.db-shm", "azwa.db-journal"]


@pytest.mark.parametrize("target", DB_TARGETS)
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xes"])
def test_export_refuses_to_write_over_the_database(here: Path, target: str, fmt: str) -> None:
    """`azwa export -o azwa.db` once emptied the database it read: now it is refused in one
    line, even with --force, and the database is unchanged."""
    (here / "sub").mkdir()
    before = fingerprint(here / "azwa.db")
    result = azwa("export", "--format", fmt, "-o", target, "--force")
    one_line_error(result, "refusing to write over")
    assert fingerprint(here / "azwa.db") == before
    assert _plan_count() == 1


def test_export_refuses_a_link_to_the_database(here: Path) -> None:
    """Another name for the same file (a hard link, a symbolic link) is the database too."""
    os.link(here / "azwa.db", here / "hard.db")
    (here / "soft.db").symlink_to(here / "azwa.db")
    before = fingerprint(here / "azwa.db")
    for name in ("hard.db", "soft.db"):
        one_line_error(azwa("export", "-o", name, "--force"), "refusing to write over")
    assert fingerprint(here / "azwa.db") == before


def test_audit_report_refuses_the_database_as_report_or_picture(here: Path) -> None:
    """`azwa audit report PLAN --db r.db -o r.db` once replaced the database with Markdown."""
    os.replace(here / "azwa.db", here / "r.db")
    before = fingerprint(here / "r.db")
    for args in (["-o", "r.db"], ["-o", "out.md", "--picture", "r.db"],
                 ["--format", "html", "-o", "r.db-wal"]):
        result = azwa("audit", "report", demo.PLAN_ID, "--db", "r.db", *args, "--force")
        one_line_error(result, "refusing to write over")
    assert fingerprint(here / "r.db") == before
    assert not (here / "out.md").exists()


OUTPUT_COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "export jsonl": lambda out: ["export", "-o", str(out)],
    "export csv": lambda out: ["export", "--format", "csv", "-o", str(out)],
    "export xes": lambda out: ["export", "--format", "xes", "-o", str(out)],
    "audit report md": lambda out: ["audit", "report", demo.PLAN_ID, "-o", str(out),
                                    "--picture", str(out.with_suffix(".svg"))],
    "audit report html": lambda out: ["audit", "report", demo.PLAN_ID, "--format", "html",
                                      "-o", str(out)],
    "audit report picture": lambda out: ["audit", "report", demo.PLAN_ID,
                                         "--picture", str(out.with_suffix(".png"))],
    "modelplan template": lambda out: ["modelplan", "template", "-o", str(out)],
    "modelplan report": lambda out: ["modelplan", "report", str(MODELPLAN), "-o", str(out)],
    "definition reference": lambda out: ["definition", "reference", "-o", str(out)],
}


def _written(here: Path, argv: list[str]) -> Path:
    """The file a command line writes (the picture when that is the only output)."""
    return Path(argv[argv.index("-o") + 1]) if "-o" in argv else Path(argv[-1])


@pytest.mark.parametrize("name", sorted(OUTPUT_COMMANDS))
def test_an_existing_file_is_replaced_only_with_force(here: Path, name: str) -> None:
    """Every command that writes a file refuses to replace one in one line, exit 2, and the
    file keeps its content; with --force it is replaced, and no temporary file is left."""
    argv = OUTPUT_COMMANDS[name](here / "out.txt")
    target = _written(here, argv)
    target.write_text("my own notes\n", encoding="utf-8")
    one_line_error(azwa(*argv), "exists", "--force")
    assert target.read_text(encoding="utf-8") == "my own notes\n"
    result = azwa(*argv, "--force")
    assert result.exit_code == 0, result.output
    assert target.read_bytes() != b"my own notes\n" and target.stat().st_size > 0
    assert [p.name for p in here.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize("name", sorted(OUTPUT_COMMANDS))
def test_a_new_file_needs_no_force(here: Path, name: str) -> None:
    """The allowed case: a file that does not exist yet is written without --force."""
    argv = OUTPUT_COMMANDS[name](here / "new.txt")
    result = azwa(*argv)
    assert result.exit_code == 0, result.output
    assert _written(here, argv).stat().st_size > 0


def test_modelplan_report_refuses_to_replace_the_modelplan_it_reads(tmp_path: Path) -> None:
    """`azwa modelplan report plan.yaml -o plan.yaml --force` would lose the plan: refused."""
    plan = tmp_path / "plan.yaml"
    plan.write_bytes(MODELPLAN.read_bytes())
    one_line_error(azwa("modelplan", "report", plan, "-o", plan, "--force"),
                   "refusing to write over")
    assert plan.read_bytes() == MODELPLAN.read_bytes()


def test_an_unknown_picture_format_is_refused_before_anything_is_written(here: Path) -> None:
    """`--picture x.pdf` once wrote SVG bytes; a format matplotlib is not asked for (.gif)
    is refused in one line and nothing is written."""
    one_line_error(azwa("audit", "report", demo.PLAN_ID, "-o", "r.md", "--picture", "x.gif"),
                   ".svg", ".png", ".pdf")
    assert not (here / "r.md").exists() and not (here / "x.gif").exists()


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG"),
                                               (".pdf", b"%PDF")])
def test_the_picture_is_written_in_the_format_asked(here: Path, suffix: str,
                                                    magic: bytes) -> None:
    """--picture x.pdf writes a PDF, x.png a PNG, x.svg an SVG."""
    result = azwa("audit", "report", demo.PLAN_ID, "-o", "r.md", "--picture", f"x{suffix}")
    assert result.exit_code == 0, result.output
    assert (here / f"x{suffix}").read_bytes().startswith(magic)


def test_an_error_while_writing_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    """A write that fails halfway (here: an exception after the first half) leaves the file
    that was there untouched and no temporary file beside it."""
    target = tmp_path / "export.csv"
    target.write_text("the old export\n", encoding="utf-8")
    with pytest.raises(RuntimeError), safe_output(target, force=True) as out:
        out.write("half of the new export\n")
        raise RuntimeError("the database went away")
    assert target.read_text(encoding="utf-8") == "the old export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


def test_a_finished_write_replaces_the_file_whole(tmp_path: Path) -> None:
    """The allowed case: the new content replaces the old one in one rename, and the file
    gets the permissions any new file gets (not a temporary file's owner-only ones)."""
    target = tmp_path / "export.csv"
    target.write_text("the old export\n", encoding="utf-8")
    (tmp_path / "plain.txt").write_text("x", encoding="utf-8")
    with safe_output(target, force=True) as out:
        out.write("the new export\n")
    assert target.read_text(encoding="utf-8") == "the new export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv", "plain.txt"]
    assert target.stat().st_mode == (tmp_path / "plain.txt").stat().st_mode


def test_a_key_gets_exactly_its_mode_whatever_the_umask(tmp_path: Path) -> None:
    """`mode=` (the signing key's 0600) is the file's mode from before the first byte is
    written, as exactly as given: a umask that takes more away does not change it."""
    target = tmp_path / "signing.key"
    old = os.umask(0o277)
    try:
        with safe_output(target, force=False, mode=0o640) as out:
            assert stat.S_IMODE(os.fstat(out.fileno()).st_mode) == 0o640
            out.write("secret\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_an_output_in_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    """A folder that does not exist is named; nothing is created."""
    with pytest.raises(OutputError, match="does not exist"), safe_output(
            tmp_path / "no" / "such.csv", force=False):
        pass
    assert list(tmp_path.iterdir()) == []


def test_demo_keeps_an_existing_database_unless_forced(here: Path) -> None:
    """`azwa demo --db azwa.db` once deleted the database it was given: now the demo adds its
    plans beside the ones there, and only --force starts from an empty file."""
    assert azwa("demo", "--db", "azwa.db").exit_code == 0
    assert _plan_count() == 3
    assert azwa("demo", "--db", "azwa.db", "--force").exit_code == 0
    assert _plan_count() == 2
