"""Forgeries by an insider who can write the database and recompute every hash (issue 13,
"Integrity that holds against an insider"): each one is found by the signed heads or by the
anchors kept outside the database; the honest database verifies clean, signed and unsigned.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from workflow.audit.replay import rebuild
from workflow.core.clock import FakeClock
from workflow.service import demo
from workflow.service.api import Engine
from workflow.store.heads import new_key
from workflow.store.sql import _deadline_values

from ..replay.helpers import azwa, reseal

PLANS = ("TW-2027-001", "TW-2027-002")
COSTS = 100000


@pytest.fixture(params=["signed", "unsigned"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Signed: a key in AZWA_SIGNING_KEY for the engine and the auditor; unsigned: none."""
    monkeypatch.delenv("AZWA_SIGNING_KEY_FILE", raising=False)
    if request.param == "signed":
        monkeypatch.setenv("AZWA_SIGNING_KEY", new_key())
    else:
        monkeypatch.delenv("AZWA_SIGNING_KEY", raising=False)
    return str(request.param)


@pytest.fixture
def db(tmp_path: Path, mode: str) -> Iterator[Path]:
    """Two demo plans written by the engine, and their anchors taken by the auditor."""
    path = tmp_path / "azwa.db"
    engine = Engine(f"sqlite:///{path}", FakeClock(demo.START))
    for plan_id in PLANS:
        demo.run(engine, plan_id)
    engine.store.close()  # type: ignore[attr-defined]
    assert azwa("audit", "anchor", "--db", path, "-o", tmp_path / "anchors.jsonl").exit_code == 0
    assert azwa("export", "--db", path, "-o", tmp_path / "export.jsonl").exit_code == 0
    yield path


def verify(db: Path, *args: str | Path) -> tuple[int, dict[str, Any]]:
    result = azwa("audit", "verify", "--db", db, "--json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def last_seq(db: Path, plan_id: str = PLANS[0]) -> int:
    return int(events_of(db, plan_id)[-1]["seq"])


def costs_seq(db: Path) -> int:
    return next(e["seq"] for e in events_of(db, PLANS[0]) if e["trigger"] == "record_costs")


def kinds(report: dict[str, Any]) -> set[str]:
    return {p["kind"] for p in report["problems"]}


# -- what an insider does ------------------------------------------------------------------


def events_of(db: Path, plan_id: str) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("select * from events where plan_id = ? order by seq", (plan_id,))
        return [{"plan_id": r["plan_id"], "seq": r["seq"], "at": r["at"],
                 "trigger": r["trigger"], "actor": json.loads(r["actor"]),
                 "payload": json.loads(r["payload"]), "definition": r["definition"],
                 "prev_hash": r["prev_hash"], "hash": r["hash"]} for r in rows]


def cut_costs(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """record_costs 100000 -> 10, and the chain recomputed."""
    for event in events:
        if event["trigger"] == "record_costs" and event["payload"]["amount_eur"] == COSTS:
            event["payload"]["amount_eur"] = 10
            return reseal(events)
    raise AssertionError("no record_costs of 100000")


def rewrite(db: Path, plan_id: str, change: Callable[[list[dict[str, Any]]],
                                                     list[dict[str, Any]]]) -> None:
    """Rewrite a plan's events, plan row, deadline rows and head hashes together, so that
    everything the database holds agrees; only the signatures cannot be made again."""
    events = change(events_of(db, plan_id))
    plan = rebuild(events)
    with sqlite3.connect(db) as conn:
        conn.execute("delete from events where plan_id = ?", (plan_id,))
        conn.execute("delete from deadlines where plan_id = ?", (plan_id,))
        for e in events:
            conn.execute(
                "insert into events (plan_id, seq, at, at_us, trigger, actor, payload, "
                "definition, prev_hash, hash) values (?, ?, ?, 0, ?, ?, ?, ?, ?, ?)",
                (e["plan_id"], e["seq"], e["at"], e["trigger"], json.dumps(e["actor"]),
                 json.dumps(e["payload"]), e["definition"], e["prev_hash"], e["hash"]))
            conn.execute("update heads set hash = ? where plan_id = ? and seq = ?",
                         (e["hash"], plan_id, e["seq"]))
        conn.execute("delete from heads where plan_id = ? and seq > ?", (plan_id, plan.seq))
        conn.execute("update plans set data = ?, state = ?, escalation = ?, seq = ? "
                     "where plan_id = ?", (json.dumps(plan.to_dict()), plan.state,
                                           plan.escalation, plan.seq, plan_id))
        for deadline in plan.deadlines.values():
            values = _deadline_values(plan_id, deadline)
            conn.execute(f"insert into deadlines ({', '.join(values)}) values "
                         f"({', '.join('?' for _ in values)})", tuple(values.values()))


def delete_plan(db: Path, plan_id: str) -> None:
    with sqlite3.connect(db) as conn:
        for table in ("events", "plans", "deadlines", "commands", "heads"):
            conn.execute(f"delete from {table} where plan_id = ?", (plan_id,))


# -- the honest database ---------------------------------------------------------------------


def test_the_honest_database_verifies_clean(db: Path, mode: str) -> None:
    """Issue 13: the allowed case — the database as the engine wrote it verifies clean, with
    its anchors and its export; signed heads pass --require-signature, unsigned ones say
    that forgery cannot be excluded and fail it."""
    anchors, export = db.parent / "anchors.jsonl", db.parent / "export.jsonl"
    # Given the database, its anchors and its export
    # When it is verified against both
    code, report = verify(db, "--anchors", anchors, "--log", export)
    # Then nothing is wrong
    assert (code, report["problems"]) == (0, [])
    assert report["signing"] == mode
    strict = azwa("audit", "verify", "--db", db, "--require-signature")
    if mode == "signed":
        total = last_seq(db) + last_seq(db, PLANS[1])
        assert report["notes"] == [f"{export}: {total} event(s) compared with the database"]
        assert strict.exit_code == 0
    else:
        assert "heads not signed: forgery cannot be excluded" in report["notes"][0]
        assert strict.exit_code == 1
        assert "note: --require-signature: heads not signed: forgery cannot be excluded" in (
            strict.stdout)
    # And the export replays clean against the anchors
    assert azwa("replay", export, "--anchors", anchors).exit_code == 0


# -- forged in an export ---------------------------------------------------------------------


def test_costs_cut_in_an_export_with_the_chain_recomputed(db: Path) -> None:
    """Issue 13: record_costs 100000 -> 10 in an export, its chain recomputed, replays with
    `chain ok` on its own; against the anchors and against the database it is found."""
    export, anchors = db.parent / "export.jsonl", db.parent / "anchors.jsonl"
    header, *lines = export.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    first = [e for e in events if e["plan_id"] == PLANS[0]]
    forged = db.parent / "forged.jsonl"
    forged.write_text("\n".join([header, *(json.dumps(e) for e in cut_costs(first)),
                                 *(json.dumps(e) for e in events if e not in first)]) + "\n",
                      encoding="utf-8")
    # When the forged export is replayed alone, Then its own chain holds
    alone = azwa("replay", forged, "--json")
    assert alone.exit_code == 0 and json.loads(alone.stdout)["chain"] == "ok"
    # When it is replayed against the anchors, Then the plan's history is not the anchored one
    anchored = azwa("replay", forged, "--json", "--anchors", anchors)
    assert anchored.exit_code == 1
    last = last_seq(db)
    assert json.loads(anchored.stdout)["problems"] == [
        {"kind": "forged", "plan_id": PLANS[0], "seq": last, "message": "the history up to "
         f"the anchored seq {last} is not the anchored one (its hash differs)"}]
    # And compared with the database, every rewritten event differs from the stored one
    code, report = verify(db, "--log", forged)
    assert code == 1 and kinds(report) == {"log"}
    assert report["bad_plans"] == [PLANS[0]]
    first_problem = report["problems"][0]["message"]
    assert first_problem == (f"seq {costs_seq(db)} differs between the log and the database "
                             "in hash, payload")


def test_a_stripped_export_is_not_clean(db: Path) -> None:
    """Issue 13: an export without hash and prev_hash claims (its header) to come from this
    engine, so its chain is missing, not absent-and-fine; without the header --require-chain
    says the same; a foreign log without either still replays (exit 0)."""
    export = db.parent / "export.jsonl"
    header, *lines = export.read_text(encoding="utf-8").splitlines()
    bare = [json.dumps({k: v for k, v in json.loads(x).items() if k not in ("hash", "prev_hash")})
            for x in lines]
    with_header, without = db.parent / "a.jsonl", db.parent / "b.jsonl"
    with_header.write_text("\n".join([header, *bare]) + "\n", encoding="utf-8")
    without.write_text("\n".join(bare) + "\n", encoding="utf-8")
    # When each is replayed
    marked = azwa("replay", with_header, "--json")
    required = azwa("replay", without, "--json", "--require-chain")
    foreign = azwa("replay", without, "--json")
    # Then the marked one and the required one are not clean
    assert marked.exit_code == required.exit_code == 1
    assert {p["kind"] for p in json.loads(marked.stdout)["problems"]} == {"chain_missing"}
    assert {p["kind"] for p in json.loads(required.stdout)["problems"]} == {"chain_missing"}
    # And the unmarked one without --require-chain replays as another system's log
    assert foreign.exit_code == 0 and json.loads(foreign.stdout)["chain"] == "absent"
    # And against the anchors the stripped content is still the anchored history
    stripped = azwa("replay", without, "--anchors", db.parent / "anchors.jsonl")
    assert stripped.exit_code == 0


# -- forged in the database ------------------------------------------------------------------


def test_costs_cut_in_the_database_with_every_row_rewritten(db: Path, mode: str) -> None:
    """Issue 13: events, plan row, deadline rows and head hashes rewritten together. Signed,
    the database alone shows it (the heads' signatures no longer match); unsigned, only the
    anchors do, and verify says forgery cannot be excluded."""
    # Given the forgery
    rewrite(db, PLANS[0], cut_costs)
    # When the database is verified alone and against the anchors
    code, report = verify(db)
    anchored, with_anchors = verify(db, "--anchors", db.parent / "anchors.jsonl")
    # Then the signed database shows it by itself
    if mode == "signed":
        assert code == 1 and kinds(report) == {"head"}
        assert any("signature of the head" in p["message"] for p in report["problems"])
    else:
        assert code == 0 and report["signing"] == "unsigned"
        assert "forgery cannot be excluded" in report["notes"][0]
    # And both are found against the anchors
    assert anchored == 1 and "forged" in kinds(with_anchors)
    # And against the export taken before
    logged, against_log = verify(db, "--log", db.parent / "export.jsonl")
    assert logged == 1 and "log" in kinds(against_log)


def test_a_plan_deleted_from_every_table(db: Path) -> None:
    """Issue 13: a plan deleted from every table, heads included, is still named by the
    signed registry of plans; the anchors and the export taken before find it too."""
    # Given the plan deleted everywhere
    last = last_seq(db, PLANS[1])
    delete_plan(db, PLANS[1])
    # When the database is verified alone, Then its registry names the plan
    code, report = verify(db)
    assert code == 1 and report["bad_plans"] == [PLANS[1]] and kinds(report) == {"deleted"}
    # When it is verified against the anchors and the export, Then the plan is missing
    code, report = verify(db, "--anchors", db.parent / "anchors.jsonl")
    assert code == 1
    assert {"plan_id": PLANS[1], "kind": "deleted", "message": f"plan anchored at seq {last} "
            "is not in the database"} in report["problems"]
    code, report = verify(db, "--log", db.parent / "export.jsonl")
    assert code == 1 and report["bad_plans"] == [PLANS[1]]


def test_a_plan_deleted_but_its_heads(db: Path) -> None:
    """Issue 13: a plan deleted from every table but the heads is found by the database
    alone: its signed heads remain."""
    with sqlite3.connect(db) as conn:
        for table in ("events", "plans", "deadlines"):
            conn.execute(f"delete from {table} where plan_id = ?", (PLANS[1],))
    code, report = verify(db)
    assert code == 1 and kinds(report) == {"deleted"}


def test_a_plan_rolled_back(db: Path) -> None:
    """Issue 13: a plan cut back to an earlier event (its last events, their heads and its
    rows made to agree) is found against the anchors."""
    # Given the last three events of a plan removed and everything made to agree
    last = last_seq(db)
    rewrite(db, PLANS[0], lambda events: events[:-3])
    # When verified against the anchors, Then the plan ends below the anchored seq
    code, report = verify(db, "--anchors", db.parent / "anchors.jsonl")
    assert code == 1
    assert report["problems"] == [{"plan_id": PLANS[0], "kind": "rolled_back", "seq": last - 3,
                                   "message": f"the database ends at seq {last - 3}, below "
                                              f"the anchored seq {last}"}]


def test_a_changed_anchors_file_is_refused(db: Path, mode: str) -> None:
    """Issue 13: an anchors file with a plan line removed no longer matches its end line; an
    auditor cannot be fooled by a trimmed anchors file either (exit 2, one line)."""
    anchors = db.parent / "anchors.jsonl"
    lines = anchors.read_text(encoding="utf-8").splitlines()
    anchors.write_text("\n".join([lines[0], lines[1], lines[-1]]) + "\n", encoding="utf-8")
    result = azwa("audit", "verify", "--db", db, "--anchors", anchors)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "the end line does not match the plan lines" in result.stderr


# -- the key ---------------------------------------------------------------------------------


def test_keygen_writes_a_private_key_once(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: `azwa audit keygen` writes a random key readable by its owner only, refuses
    to overwrite it without --force, and the engine signs with it."""
    key = tmp_path / "signing.key"
    # When a key is made, and made again without and with --force
    first = azwa("audit", "keygen", "-o", key)
    text = key.read_text(encoding="ascii")
    again = azwa("audit", "keygen", "-o", key)
    forced = azwa("audit", "keygen", "-o", key, "--force")
    # Then the first is written 0600, the second refused, the third replaces it
    assert first.exit_code == 0 and "key id" in first.stderr
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert again.exit_code == 2 and "add --force" in again.stderr
    assert key.read_text(encoding="ascii") != text or forced.exit_code != 0
    assert forced.exit_code == 0 and stat.S_IMODE(os.stat(key).st_mode) == 0o600
    # And a database written with it verifies with --require-signature
    monkeypatch.delenv("AZWA_SIGNING_KEY", raising=False)
    monkeypatch.setenv("AZWA_SIGNING_KEY_FILE", str(key))
    engine = Engine(f"sqlite:///{tmp_path}/k.db", FakeClock(demo.START))
    demo.run(engine)
    assert azwa("audit", "verify", "--db", tmp_path / "k.db",
                "--require-signature").exit_code == 0
    # And verified with another key, the heads are refused
    monkeypatch.setenv("AZWA_SIGNING_KEY_FILE", str(tmp_path / "other.key"))
    assert azwa("audit", "keygen", "-o", tmp_path / "other.key").exit_code == 0
    code, report = verify(tmp_path / "k.db")
    assert code == 1 and "signed with another key" in report["problems"][0]["message"]


def test_a_bad_key_setting_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: a key file that does not exist or is not hex is one line, exit 2."""
    monkeypatch.setenv("AZWA_SIGNING_KEY_FILE", str(tmp_path / "missing.key"))
    result = azwa("audit", "verify", "--db", tmp_path / "none.db")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "cannot read the signing key" in result.stderr
    monkeypatch.delenv("AZWA_SIGNING_KEY_FILE")
    monkeypatch.setenv("AZWA_SIGNING_KEY", "not hex")
    result = azwa("audit", "verify", "--db", tmp_path / "none.db")
    assert result.exit_code == 2 and "not hex text" in result.stderr


def test_an_event_without_its_head(db: Path) -> None:
    """Issue 13: a last event without a head (appended behind the engine's back, or its head
    deleted) is found by the database alone, signed or not."""
    last = last_seq(db)
    with sqlite3.connect(db) as conn:
        conn.execute("delete from heads where plan_id = ? and seq = ?", (PLANS[0], last))
    code, report = verify(db)
    assert code == 1
    assert [p["message"] for p in report["problems"]] == [
        f"events after seq {last - 1} are not covered by a head: they were added behind the "
        "engine's back"]


def test_a_database_older_than_heads(db: Path) -> None:
    """Issue 13: a database written before heads existed verifies as before, with the note
    that forgery cannot be excluded; --require-signature fails it."""
    with sqlite3.connect(db) as conn:
        conn.execute("drop table heads")
    code, report = verify(db)
    assert code == 0 and report["signing"] == "none"
    assert report["notes"] == ["no heads table (a database older than signed heads): heads "
                               "not signed: forgery cannot be excluded"]
    assert azwa("audit", "verify", "--db", db, "--require-signature").exit_code == 1
