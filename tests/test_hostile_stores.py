"""Hostile stores and inputs (issues 12 and 13): each bad input is one line and its exit code,
never a traceback; no read creates or changes a file; the allowed case next to each refusal."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from workflow.cli.main import app
from workflow.core.clock import FakeClock
from workflow.core.money import to_eur
from workflow.service import demo
from workflow.service.api import Engine
from workflow.store.heads import new_key

PLAN = demo.PLAN_ID
AT = "2027-06-01T09:00:00+02:00"


def azwa(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})})


def one_line(result: Result, code: int) -> str:
    """The result's error line: exit `code`, one line on stderr, no traceback anywhere."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def files_of(folder: Path) -> dict[str, str]:
    """Every file in `folder` with its digest: what a read must leave as it found it (but
    SQLite's shared-memory index `-shm`, which every reader of a WAL database writes)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file() and not p.name.endswith("-shm")}


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """./azwa.db (cwd = tmp_path) with the demo plan waiting for the quick-test decision (its
    deadline open) and the breakthrough plan closed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AZWA_DATABASE_URL", raising=False)
    monkeypatch.delenv("AZWA_SIGNING_KEY_FILE", raising=False)
    monkeypatch.delenv("AZWA_SIGNING_KEY", raising=False)
    engine = Engine("sqlite:///azwa.db", FakeClock(demo.START))
    demo.run(engine, demo.BREAKTHROUGH_ID, steps=demo.breakthrough_steps())  # its ticks first
    demo.play(engine, PLAN, until="accept_quick_test_as_complete")
    engine.store.close()  # type: ignore[attr-defined]
    return tmp_path / "azwa.db"


# -- 1. a corrupted row is one line naming table, plan and column ---------------------------

CORRUPTIONS = {
    "due garbage": ("update deadlines set due = 'garbage'", "deadlines", "due",
                    [["plan", "list"]]),
    "expiry not a number": ("update deadlines set expires_at_us = 'x'", "deadlines",
                            "expires_at_us", [["plan", "list"]]),
    "plan data a list": (
        f"update plans set data = '[]' where plan_id = '{PLAN}'", "plans", "data",
        [["plan", "show", PLAN, "--at", AT], ["plan", "history", PLAN],
         ["todo", "--org", "Menzis", "--at", AT],
         ["plan", "fire", PLAN, "approve_quick_test", "--as", "coordinating_insurer",
          "--org", "Menzis", "--at", AT]]),
    "event actor a list": (f"update events set actor = '[1]' where plan_id = '{PLAN}'",
                           "events", "actor", [["plan", "history", PLAN]]),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_a_corrupted_row_is_one_line_in_everyday_commands(case: str, live: Path) -> None:
    sql, table, column, commands = CORRUPTIONS[case]
    for command in commands:  # allowed: the same commands on the honest database
        assert azwa(*command, "--db", live).exit_code == 0, command
    with sqlite3.connect(live) as conn:
        conn.execute(sql)
    before = files_of(live.parent)
    for command in commands:
        line = one_line(azwa(*command, "--db", live), 2)
        assert f"table {table}, plan" in line and f"column {column}" in line, line
        assert "azwa audit verify" in line
    assert files_of(live.parent) == before
    verified = azwa("audit", "verify", "--db", live, "--json")
    assert verified.exit_code == 1
    assert "corrupt" in {p["kind"] for p in json.loads(verified.stdout)["problems"]}


# -- 2. a file: path is a path, and nothing is created by a read -------------------------

READS = [["plan", "list"], ["todo", "--org", "Menzis"], ["tick", "--now", AT],
         ["audit", "verify"], ["export", "-o", "-"], ["plan", "show", PLAN],
         ["plan", "history", PLAN], ["audit", "report", PLAN]]


@pytest.mark.parametrize("db", ["file:x", "file:z.db?x=1"])
@pytest.mark.parametrize("command", READS, ids=lambda c: " ".join(c[:2]))
def test_a_file_url_creates_nothing(db: str, command: list[str], live: Path) -> None:
    before = files_of(live.parent)
    line = one_line(azwa(*command, "--db", db), 2)
    assert "Warning" not in line
    assert ("no azwa database at file:x" in line if db == "file:x"
            else "options of a file: URI need uri=true" in line), line
    assert files_of(live.parent) == before


def test_a_file_uri_with_uri_true_opens_the_database_it_names(live: Path) -> None:
    before = files_of(live.parent)
    result = azwa("plan", "list", "--db", f"sqlite:///file:{live}?uri=true", "--json")
    assert result.exit_code == 0, result.stderr
    assert {row["plan_id"] for row in json.loads(result.stdout)} == {PLAN, demo.BREAKTHROUGH_ID}
    missing = one_line(azwa("plan", "list", "--db",
                            f"sqlite:///file:{live.parent / 'nope.db'}?uri=true"), 2)
    assert "no azwa database" in missing
    assert files_of(live.parent) == before


# -- 3. demo --force deletes an azwa database, nothing else -------------------------------

def test_demo_force_refuses_what_is_no_azwa_database(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "notes.txt").write_text("my notes\n")
    with sqlite3.connect(tmp_path / "foreign.db") as conn:
        conn.execute("create table contacts (name text)")
    before = files_of(tmp_path)
    for db, says in (("sub", "is a folder"), ("notes.txt", "not an SQLite file"),
                     ("foreign.db", "holds other tables")):
        line = one_line(azwa("demo", "--db", db, "--force"), 2)
        assert line.startswith("--force deletes only an azwa database") and says in line, line
    assert files_of(tmp_path) == before and (tmp_path / "sub").is_dir()


def test_demo_force_starts_an_azwa_database_afresh(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert azwa("demo", "--db", "d.db", "--force").exit_code == 0  # missing: nothing to delete
    assert azwa("demo", "--db", "d.db").exit_code == 0  # kept: fresh ids beside the old
    assert azwa("demo", "--db", "d.db", "--force").exit_code == 0
    with sqlite3.connect(tmp_path / "d.db") as conn:
        ids = {row[0] for row in conn.execute("select plan_id from plans")}
    assert ids == {PLAN, demo.BREAKTHROUGH_ID}


# -- 4. no output replaces a database, --force or not ------------------------------------

def test_no_output_replaces_the_default_or_configured_database(live: Path) -> None:
    other = live.parent / "other.db"
    other.write_bytes(live.read_bytes())
    before = files_of(live.parent)
    for command, env in (
        (["audit", "keygen", "-o", "azwa.db", "--force"], {}),
        (["modelplan", "template", "-o", "azwa.db", "--force"], {}),
        (["modelplan", "template", "-o", "azwa.db-wal", "--force"], {}),
        (["audit", "keygen", "-o", "other.db", "--force"], {"AZWA_DATABASE_URL": str(other)}),
        (["audit", "keygen", "-o", "other.db-shm"], {"AZWA_DATABASE_URL": "other.db"}),
    ):
        line = one_line(azwa(*command, env=env), 2)
        assert "refusing to write over" in line, line
    assert files_of(live.parent) == before
    assert azwa("audit", "keygen", "-o", "key.txt").exit_code == 0  # allowed: another file
    assert azwa("modelplan", "template", "-o", "plan.yaml").exit_code == 0


# -- 5. audit anchor: an output refusal is its own line ----------------------------------

def test_audit_anchor_refuses_an_output_in_its_own_words(live: Path) -> None:
    (live.parent / "exist.txt").write_text("keep me\n")
    line = one_line(azwa("audit", "anchor", "--db", live, "-o", "exist.txt"), 2)
    assert line == "error: exist.txt exists; add --force to replace it"
    line = one_line(azwa("audit", "anchor", "--db", live, "-o", live), 2)
    assert "refusing to write over" in line and "stored row" not in line
    assert (live.parent / "exist.txt").read_text() == "keep me\n"
    assert azwa("audit", "anchor", "--db", live, "-o", "anchors.jsonl").exit_code == 0
    assert azwa("audit", "anchor", "--db", live, "-o", "exist.txt", "--force").exit_code == 0


# -- 6. totals beyond a float's digits stay exact ----------------------------------------

TOTAL_CENTS = 12100000000102913
"""121 costs of € 10¹² and one of € 1,029.13: a float of euros prints ...029.12."""


def test_to_eur_is_exact_for_every_amount() -> None:
    assert to_eur(2_000_000) == 20000 and type(to_eur(2_000_000)) is int
    assert to_eur(1001) == 10.01 and type(to_eur(1001)) is float
    assert to_eur(99_999_999_999_999) == 999999999999.99  # the largest single amount
    assert to_eur(TOTAL_CENTS) == "121000000001029.13"
    assert f"{TOTAL_CENTS / 100:.2f}" == "121000000001029.12"  # why: a float cannot hold it


def test_huge_totals_print_exactly(live: Path, tmp_path: Path) -> None:
    engine = Engine(f"sqlite:///{live}", FakeClock(demo.START))
    plan_id = "TW-2027-BIG"
    at = demo.play(engine, plan_id, until="issue_payment_decision")
    maker = demo.MAKER
    for n in range(121):
        engine.fire(plan_id, "record_costs", maker, {"amount_eur": 10**12, "period": f"p{n}"},
                    at=at)
    engine.fire(plan_id, "record_costs", maker, {"amount_eur": "1029.13", "period": "last"},
                at=at)
    engine.store.close()  # type: ignore[attr-defined]
    shown = azwa("plan", "show", plan_id, "--db", live, "--at", AT)
    assert shown.exit_code == 0
    assert "costs €121,000,000,001,029.13" in shown.stdout
    data = json.loads(azwa("plan", "show", plan_id, "--db", live, "--json").stdout)
    assert data["funds"]["costs_eur"] == "121000000001029.13"
    log = tmp_path / "log.jsonl"
    assert azwa("export", "--db", live, "--plan", plan_id, "-o", log).exit_code == 0
    replayed = azwa("replay", log, "--json")
    assert replayed.exit_code == 0, replayed.stderr
    assert '"costs_eur": "121000000001029.13"' in replayed.stdout.replace('":"', '": "')
    boxed = azwa("replay", log)
    assert boxed.exit_code == 0 and "costs € 121,000,000,001,029.13" in boxed.stdout
    report = azwa("audit", "report", plan_id, "--db", live)
    assert report.exit_code == 0 and "€ 121,000,000,001,029.13" in report.stdout


# -- 7. filters name what they know; org ignores case; overdue stays visible -------------

def test_plan_list_refuses_an_unknown_track_or_state(live: Path) -> None:
    line = one_line(azwa("plan", "list", "--db", live, "--track", "bogus"), 2)
    assert line == "--track 'bogus' is not known; known: transformation, breakthrough"
    line = one_line(azwa("plan", "list", "--db", live, "--state", "bogus"), 2)
    assert "--state 'bogus' is not known; known:" in line and "quick_test_under_review" in line
    found = azwa("plan", "list", "--db", live, "--json", "--track", " Transformation ",
                 "--state", "QUICK_TEST_UNDER_REVIEW")
    assert [row["plan_id"] for row in json.loads(found.stdout)] == [PLAN]


def test_todo_matches_the_org_ignoring_case_and_spaces(live: Path) -> None:
    exact = azwa("todo", "--org", "Menzis", "--db", live, "--at", AT, "--json")
    loose = azwa("todo", "--org", "  menzis ", "--db", live, "--at", AT, "--json")
    assert exact.exit_code == loose.exit_code == 0
    assert json.loads(exact.stdout)["todos"] == json.loads(loose.stdout)["todos"]
    assert "approve_quick_test" in exact.stdout
    other = azwa("todo", "--org", "Menzi", "--db", live, "--at", AT)
    assert other.exit_code == 0 and "approve_quick_test" not in other.stdout


def test_plan_list_shows_an_expired_deadline_still_owed(live: Path) -> None:
    before = json.loads(azwa("plan", "list", "--db", live, "--at", AT, "--json").stdout)
    assert [(r["next_deadline"], r["overdue"]) for r in before if r["plan_id"] == PLAN] == [
        ("quick_test_decision", True)]
    assert azwa("tick", "--now", AT, "--db", live).exit_code == 0
    after = azwa("plan", "list", "--db", live, "--at", AT)
    assert "overdue since 2027-03-12 (quick_test_decision)" in after.stdout, after.stdout
    row = next(r for r in json.loads(azwa("plan", "list", "--db", live, "--json",
                                          "--at", AT).stdout) if r["plan_id"] == PLAN)
    assert row["overdue"] is True and row["overdue_since"] == "2027-03-12"
    assert row["overdue_deadline"] == "quick_test_decision"
    fired = azwa("plan", "fire", PLAN, "approve_quick_test", "--as", "coordinating_insurer",
                 "--org", "Menzis", "--at", AT, "--db", live)
    assert fired.exit_code == 0, fired.stderr
    done = azwa("plan", "list", "--db", live, "--json", "--at", AT).stdout
    row = next(r for r in json.loads(done) if r["plan_id"] == PLAN)
    assert "overdue_since" not in row and row["next_deadline"] == "plan_submission"


# -- 8. control characters in a refusal are shown, never sent --------------------------

@pytest.mark.parametrize("role,org", [("plan_maker\x1b[2J", "Menzis"),
                                      ("coordinating_insurer", "Menzis\x1b[2J"),
                                      ("plan_maker\nforged line", "Menzis")])
def test_refusal_lines_show_control_characters(role: str, org: str, live: Path) -> None:
    result = azwa("plan", "fire", PLAN, "approve_quick_test", "--as", role, "--org", org,
                  "--at", AT, "--db", live)
    line = one_line(result, 1)
    assert "\x1b" not in line and ("\\x1b[2J" in line or "\\n" in line), line
    allowed = azwa("plan", "fire", PLAN, "approve_quick_test", "--as", "coordinating_insurer",
                   "--org", "Menzis", "--at", AT, "--db", live)
    assert allowed.exit_code == 0


def test_a_hostile_party_org_is_shown_not_sent(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    hostile = "ZGT\x1b[2J\x1b]8;;http://e\x07"
    steps = tuple(
        demo.Step(s.day, s.actor, s.trigger, {**s.payload, "parties": [
            *s.payload["parties"], {"org": hostile, "role": "plan_maker"}]})
        if s.trigger == "register_plan" else s for s in demo.STEPS)
    engine = Engine(f"sqlite:///{db}", FakeClock(demo.START))
    at = demo.play(engine, PLAN, until="share_joint_feedback", steps=steps)
    engine.store.close()  # type: ignore[attr-defined]
    result = azwa("plan", "fire", PLAN, "approve_plan", "--as", "coordinating_insurer",
                  "--org", "Menzis", "--at", at.isoformat(), "--db", db)
    line = one_line(result, 1)
    assert "\x1b" not in line and "\x07" not in line
    assert "ZGT\\x1b[2J\\x1b]8;;http://e\\x07" in line, line


# -- 9. an output encoding that cannot hold € ------------------------------------------

def test_an_ascii_terminal_gets_escapes_not_a_traceback(live: Path) -> None:
    azwa_bin = Path(sys.executable).parent / "azwa"
    for encoding, euro in (("ascii", "\\u20ac"), ("utf-8", "€")):
        env = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "200"}
        run = subprocess.run([str(azwa_bin), "plan", "show", PLAN, "--db", str(live),
                              "--at", AT], capture_output=True, env=env, check=False)
        out = run.stdout.decode(encoding) + run.stderr.decode(encoding)
        assert run.returncode == 0 and "Traceback" not in out, out
        assert f"funds: paid {euro}0.00" in out


# -- 10. the signed registry of plans finds a plan deleted from every table -------------

TABLES = ("plans", "events", "deadlines", "commands", "plan_appended", "heads")


@pytest.fixture
def signed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("AZWA_SIGNING_KEY_FILE", raising=False)
    monkeypatch.setenv("AZWA_SIGNING_KEY", new_key())
    db = tmp_path / "signed.db"
    engine = Engine(f"sqlite:///{db}", FakeClock(demo.START))
    demo.run(engine)
    demo.run(engine, demo.BREAKTHROUGH_ID, steps=demo.breakthrough_steps())
    engine.store.close()  # type: ignore[attr-defined]
    return db


def test_an_honest_signed_database_verifies(signed: Path) -> None:
    result = azwa("audit", "verify", "--db", signed, "--require-signature", "--json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["signing"] == "signed"


def test_a_plan_deleted_from_every_table_is_found(signed: Path) -> None:
    with sqlite3.connect(signed) as conn:
        for table in TABLES:
            conn.execute(f"delete from {table} where plan_id = ?", (PLAN,))
    result = azwa("audit", "verify", "--db", signed, "--require-signature", "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [(p["plan_id"], p["kind"]) for p in problems] == [(PLAN, "deleted")]
    assert "signed plan registry" in problems[0]["message"]


def test_a_deleted_registration_breaks_the_registry(signed: Path) -> None:
    with sqlite3.connect(signed) as conn:
        for table in TABLES:
            conn.execute(f"delete from {table} where plan_id = ?", (PLAN,))
        conn.execute("delete from heads where plan_id = '' and hash = ?", (PLAN,))
    result = azwa("audit", "verify", "--db", signed, "--json")
    assert result.exit_code == 1
    assert "does not follow on" in json.loads(result.stdout)["problems"][0]["message"]
