"""Schema versions: the migrations build exactly the tables the models declare, on SQLite
and PostgreSQL; a database made by azwa 0.1.0 (a file committed from that release) is
upgraded in place; a database behind is refused for writing in one line."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from typer.testing import CliRunner

from workflow import Engine, FakeClock
from workflow.cli.main import app
from workflow.service import demo
from workflow.store import schema
from workflow.store.opening import open_existing
from workflow.store.sql import SqlStore, make_engine
from workflow.store.url import StoreUnavailable

ROOT = Path(__file__).resolve().parents[2]
RELEASE_0_1_0 = Path(__file__).with_name("fixtures") / "azwa-0.1.0.db"
"""Made with azwa 0.1.0 (before schema versions): plans REL-1 (quick test under review,
seq 7) and REL-2 (quick test submitted, seq 4, its last command under id rel-submit-1)."""


def differences(url: str) -> list[object]:
    """What Alembic's autogenerate finds between the database and the models."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, schema.metadata()))
    finally:
        engine.dispose()


def version(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return schema.current(conn)
    finally:
        engine.dispose()


def test_every_migration_run_on_an_empty_database_gives_the_models(db_url: str) -> None:
    """Running the migrations from nothing gives the tables, columns, types, keys and
    indexes the models declare (Alembic's compare_metadata finds no difference)."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            command.upgrade(schema.alembic_config(conn), "head")
    finally:
        engine.dispose()
    assert version(db_url) == schema.HEAD
    assert differences(db_url) == []


def test_a_new_database_is_made_at_the_newest_version(db_url: str) -> None:
    """`azwa init` (and Engine(url)) on an empty database creates the models' tables and
    stamps the newest version, which equals running every migration (the test above)."""
    SqlStore(db_url).close()
    assert version(db_url) == schema.HEAD
    assert differences(db_url) == []
    SqlStore(db_url).close()  # again: nothing to do
    assert version(db_url) == schema.HEAD


def test_migrations_are_one_line_of_versions_shipped_in_the_package() -> None:
    """The migration files live in the package (installed with it, not only in a checkout),
    form one chain without branches, and the newest is the version this release writes."""
    assert schema.MIGRATIONS.is_relative_to(ROOT / "workflow")
    scripts = ScriptDirectory.from_config(schema.alembic_config())
    assert scripts.get_heads() == [schema.HEAD]
    chain = [s.revision for s in scripts.walk_revisions()]
    assert chain[::-1] == schema.revisions() == ["0001", "0002", "0003"]
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "store/migrations/script.py.mako" in data["package-data"]["workflow"]
    assert (schema.MIGRATIONS / "versions" / "__init__.py").exists()


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    shutil.copyfile(RELEASE_0_1_0, path)
    return path


def test_a_database_made_by_release_0_1_0_is_upgraded_in_place(old_file: Path) -> None:
    """A database made by azwa 0.1.0: read as it is, refused for writing in one line that
    says what to run, upgraded by `azwa db upgrade` (once; again it says so), and then the
    same plans, the old command id answered as seen before, and new commands stored."""
    runner = CliRunner()
    db = ["--db", str(old_file)]
    behind = runner.invoke(app, ["db", "current", *db])
    assert behind.exit_code == 1
    head = schema.HEAD
    assert f"none (made by azwa 0.1.0), behind {head}: run `azwa db upgrade`" in behind.output
    read = runner.invoke(app, ["plan", "show", "REL-1", *db])
    assert read.exit_code == 0, read.output
    refused = runner.invoke(app, ["plan", "fire", "REL-2", "request_information", "--as",
                                  "coordinating_insurer", "--org", "Menzis", "-p",
                                  '{"missing": ["begroting"]}', *db])
    assert refused.exit_code == 2
    assert refused.output.strip().splitlines() == [
        f"{old_file}: the schema is at version none (made by azwa 0.1.0), behind {head}; run "
        f"`azwa db upgrade --db {old_file}`"]

    upgraded = runner.invoke(app, ["db", "upgrade", *db])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.output.strip() == f"upgraded from none (made by azwa 0.1.0) to {schema.HEAD}"
    assert runner.invoke(app, ["db", "upgrade", *db]).output.strip() == \
        f"already at {schema.HEAD} (head)"
    assert runner.invoke(app, ["db", "current", *db]).output.strip() == f"{schema.HEAD} (head)"
    url = f"sqlite:///{old_file}"
    assert differences(url) == []

    engine = Engine.open(url, FakeClock(demo.START))
    try:
        assert (engine.state("REL-1").state, engine.state("REL-1").seq) == (
            "quick_test_under_review", 7)
        again = engine.fire("REL-2", "submit_quick_test", demo.MAKER,
                            at="2027-01-31T09:00:00+01:00", command_id="rel-submit-1")
        assert again.repeated and [e.seq for e in again.events] == [4]
        fired = engine.fire("REL-2", "request_information", demo.INSURER,
                            {"missing": ["begroting"]}, at="2027-02-05T09:00:00+01:00",
                            command_id="rel-request-1")
        assert [e.seq for e in fired.events] == [5]
    finally:
        engine.store.close()  # type: ignore[attr-defined]
    verified = runner.invoke(app, ["audit", "verify", *db])
    assert verified.exit_code == 0, verified.output


def test_a_database_at_an_older_version_is_refused_for_writing_until_upgraded(
    db_url: str,
) -> None:
    """A database at version 0001 (commands without a digest): a write is refused in one
    line naming `azwa db upgrade`; a read is served; the upgrade adds the column and keeps
    the rows."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            command.upgrade(schema.alembic_config(conn), "0001")
            conn.execute(text("INSERT INTO commands (command_id, plan_id, seq) "
                              "VALUES ('c-1', 'P-1', 1)"))
    finally:
        engine.dispose()
    with pytest.raises(StoreUnavailable, match=rf"behind {schema.HEAD}; run `azwa db upgrade"):
        open_existing(db_url, write=True)
    open_existing(db_url, write=False).close()
    SqlStore(db_url).close()
    assert version(db_url) == schema.HEAD
    assert differences(db_url) == []
    store = SqlStore(db_url, create=False)
    try:
        assert store.command("c-1") == ("P-1", None, [])
    finally:
        store.close()


def test_a_database_newer_than_this_release_is_refused(db_url: str) -> None:
    """A schema version this release does not know (a newer azwa migrated it) is refused,
    for reading as well, in one line."""
    SqlStore(db_url).close()
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    finally:
        engine.dispose()
    with pytest.raises(StoreUnavailable, match="version 0099, newer than this azwa knows"):
        open_existing(db_url, write=False)


def test_azwa_init_makes_a_database_at_the_newest_version_and_upgrades_an_old_one(
    tmp_path: Path, old_file: Path,
) -> None:
    """`azwa init` creates the tables at this release's version (no `db upgrade` needed
    after it); on a database made by 0.1.0 it migrates it, as `azwa db upgrade` does."""
    runner = CliRunner()
    new = tmp_path / "new.db"
    assert runner.invoke(app, ["init", "--db", str(new)]).exit_code == 0
    current = runner.invoke(app, ["db", "current", "--db", str(new), "--json"])
    assert current.exit_code == 0
    assert f'"revision": "{schema.HEAD}"' in current.output and '"at_head": true' in current.output
    assert runner.invoke(app, ["init", "--db", str(old_file)]).exit_code == 0
    assert runner.invoke(app, ["db", "current", "--db", str(old_file)]).exit_code == 0
    missing = runner.invoke(app, ["db", "upgrade", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2
    assert missing.output.strip() == (f"no azwa database at {tmp_path / 'none.db'}; create "
                                      f"one with `azwa init --db {tmp_path / 'none.db'}`")
