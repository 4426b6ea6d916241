"""Opening a database that must already exist: how every command but `azwa init` opens one.

A command that reads must never create a database, add tables to a file that is not azwa's,
or change a byte of it; a command that writes needs a database `azwa init` made. Every
unusable `--db` (a text file, a corrupt or truncated SQLite file, a folder, a missing folder,
an unknown URL scheme, a missing driver, a refused server, a read-only file for a write, a
locked database) becomes a StoreUnavailable whose message is one line naming the database.

An SQLite file is checked with the standard library before SQLAlchemy connects: the store's
connection switches the file to WAL mode, which would rewrite a foreign file's header.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from workflow.core.phrase import Phrase
from workflow.store import schema
from workflow.store.heads import Signer
from workflow.store.schema import VERSION_TABLE
from workflow.store.sql import SqlStore
from workflow.store.url import StoreUnavailable, resolve_url

READ_TABLES = ("plans", "events", "deadlines")
"""What a read needs; a write also needs `commands` and `heads` (older databases lack them:
init adds them)."""
WRITE_TABLES = (*READ_TABLES, "commands", "heads")
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_SECONDS = 30.0
"""How long SQLite waits for another writer's lock unless the URL says `?timeout=`."""


def open_existing(db: str | None, *, write: bool) -> SqlStore:
    """The store at `db` (else AZWA_DATABASE_URL, else ./azwa.db) if it is an azwa database.

    Creates nothing and changes nothing; raises StoreUnavailable with one line otherwise.
    `write` also refuses a read-only SQLite file and a database without the commands table.
    """
    url, parsed = _parse(db)
    shown = shown_name(parsed)
    needed = WRITE_TABLES if write else READ_TABLES
    path = sqlite_file(parsed)
    if path is not None:
        _check_file(path, write)
        tables = _sqlite_tables(path, _timeout(parsed))
        _check_tables(shown, tables, needed)
        version = _sqlite_version(path, _timeout(parsed)) if VERSION_TABLE in tables else None
        _check_version(shown, version, write)
        return SqlStore(url, create=False)
    with unusable_as_one_line(shown, opening=True):
        store = SqlStore(url, create=False)
        try:
            with store.engine.connect() as conn:
                tables = set(inspect(conn).get_table_names())
                _check_tables(shown, tables, needed)
                _check_version(shown, schema.current(conn), write)
        except BaseException:
            store.close()
            raise
    return store


def _sqlite_version(path: Path, timeout: float) -> str | None:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=timeout)
        try:
            row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
            return None if row is None else str(row[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise _cannot_open(path, exc) from None


def _cannot_open(path: Path, exc: BaseException) -> StoreUnavailable:
    return StoreUnavailable(Phrase("cannot open the database {path}: {reason}", path=path,
                                   reason=_first_line(exc)))


def _check_version(shown: str, version: str | None, write: bool) -> None:
    """A write needs the newest schema (`azwa db upgrade` brings it there); a read takes an
    older one as it is, but no schema newer than this release knows."""
    if version == schema.HEAD:
        return
    newer = version is not None and version not in schema.revisions()
    if newer:
        raise StoreUnavailable(Phrase("{db}: the schema is at version {version}, newer than "
                                      "this azwa knows ({head}); upgrade azwa", db=shown,
                                      version=version, head=schema.HEAD))
    if write:
        raise StoreUnavailable(Phrase("{db}: the schema is at version {version}, behind "
                                      "{head}; run `azwa db upgrade --db {db}`", db=shown,
                                      version=version or Phrase("none (made by azwa 0.1.0)"),
                                      head=schema.HEAD))


def create_or_upgrade(db: str | None) -> SqlStore:
    """`azwa init` (and the demo): the database at `db`, created if missing, its missing
    tables added. Refuses, in one line, a folder, a missing folder, a file that is not
    SQLite, a read-only file and an SQLite file that holds only another program's tables."""
    url, parsed = _parse(db)
    shown = shown_name(parsed)
    path = sqlite_file(parsed)
    if path is not None:
        if path.is_dir():
            raise _a_folder(path)
        if not path.parent.is_dir():
            raise StoreUnavailable(Phrase("cannot create {path}: the folder {folder} does not "
                                          "exist", path=path, folder=path.parent))
        if path.exists():
            _check_file(path, write=True)
            tables = _sqlite_tables(path, _timeout(parsed))
            if tables and not set(READ_TABLES) & tables:
                _check_tables(shown, tables, READ_TABLES)
    with unusable_as_one_line(shown, opening=True):
        store = SqlStore(url, create=False)
        try:
            store.create_schema()
        except BaseException:
            store.close()
            raise
    return store


def open_or_create(db: str | None, signer: Signer | None = None) -> SqlStore:
    """`Engine(db_url)`: the store at `db` (else AZWA_DATABASE_URL, else ./azwa.db), created
    if missing, signing with `signer` (else the environment's key); StoreUnavailable, in one
    line, for a URL or file that cannot be used."""
    url = resolve_url(db)
    try:
        shown: str | None = shown_name(make_url(url))
    except Exception:  # an unparsable URL: the store's own error says why
        shown = None
    with unusable_as_one_line(shown, opening=True):
        return SqlStore(url, signer=signer)


def _parse(db: str | None) -> tuple[str, URL]:
    url = resolve_url(db)
    try:
        return url, make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreUnavailable(Phrase("{url!r} is neither an SQLite file path nor a database "
                                      "URL (such as postgresql+psycopg://host/db): {reason}",
                                      url=url, reason=_first_line(exc))) from None


def shown_name(url: URL) -> str:
    """How a message names the database: the file path, or the URL without its password."""
    if url.get_backend_name() == "sqlite":
        return str(url.database) if _is_sqlite_file(url) else f"sqlite:///{url.database or ''}"
    return url.render_as_string(hide_password=True)


DRIVER_OPTIONS = frozenset({"timeout", "uri", "check_same_thread", "isolation_level",
                            "detect_types", "cached_statements"})
"""The query options the SQLite driver takes in a URL; others only with `uri=true`."""


def sqlite_file(url: URL) -> Path | None:
    """The file an SQLite URL names, or None for an in-memory database or another kind.

    `file:` names a URI filename (`file:a.db?mode=ro`) only with `uri=true`, as the driver
    reads it; without, `file:x` is a file called so. Options the driver would ignore with a
    warning are refused here, in one line.
    """
    if url.get_backend_name() != "sqlite":
        return None
    name = url.database or ""
    uri = str(url.query.get("uri", "")).lower() in ("true", "1")
    unknown = sorted(set(url.query) - DRIVER_OPTIONS)
    if unknown and not uri:
        raise StoreUnavailable(Phrase(
            "sqlite:///{name}: the option(s) {options} are not the SQLite driver's (timeout, "
            "uri, …); options of a file: URI need uri=true", name=name,
            options=", ".join(unknown)))
    if uri and name.startswith("file:"):
        if url.query.get("mode") == "memory":
            return None
        name = unquote(name.removeprefix("file:"))
        if name.startswith("//"):  # file://host/path: only the path names the file
            name = "/" + name[2:].partition("/")[2]
    return None if name in ("", ":memory:") else Path(name)


def _is_sqlite_file(url: URL) -> bool:
    return sqlite_file(url) is not None


def _timeout(url: URL) -> float:
    value = url.query.get("timeout", BUSY_SECONDS)
    try:
        return float(value if isinstance(value, str | float | int) else value[-1])
    except ValueError:
        raise StoreUnavailable(Phrase("{db}: timeout={value!r} is not a number of seconds",
                                      db=url.database, value=value)) from None


def _check_file(path: Path, write: bool) -> None:
    if path.is_dir():
        raise _a_folder(path)
    if not path.exists():
        folder = path.parent
        if not folder.is_dir():
            raise StoreUnavailable(Phrase("no azwa database at {path}: the folder {folder} "
                                          "does not exist", path=path, folder=folder))
        raise StoreUnavailable(Phrase("no azwa database at {path}; create one with "
                                      "`azwa init --db {path}`", path=path))
    if not path.is_file():
        raise StoreUnavailable(Phrase("{path} is not a regular file, not an azwa database",
                                      path=path))
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreUnavailable(Phrase("cannot read {source}: {reason}", source=path,
                                      reason=exc.strerror or str(exc))) from None
    if head and head != SQLITE_HEADER:
        raise StoreUnavailable(Phrase("{path} is not an azwa database: it is not an SQLite "
                                      "file", path=path))
    if write and not _writable(path):
        raise StoreUnavailable(Phrase("{path} is read-only, and this command writes to it",
                                      path=path))


def _a_folder(path: Path) -> StoreUnavailable:
    return StoreUnavailable(Phrase("{path} is a folder, not an azwa database", path=path))


def _writable(path: Path) -> bool:
    """Writable by this user, and marked writable for someone (root ignores the marks, but a
    file made read-only on purpose stays so)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    return bool(mode & 0o222) and os.access(path, os.W_OK) and os.access(
        path.parent, os.W_OK)


def _sqlite_tables(path: Path, timeout: float) -> set[str]:
    """The file's table names, read without creating the file or writing to it."""
    uri = f"file:{quote(str(path.resolve()))}?mode=rw"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=timeout)
        try:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {str(name) for (name,) in rows}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise _cannot_open(path, exc) from None


def _check_tables(shown: str, tables: set[str], needed: tuple[str, ...]) -> None:
    missing = [t for t in needed if t not in tables]
    if not missing:
        return
    if not tables:
        raise StoreUnavailable(Phrase("no azwa database at {db}: it holds no tables; create "
                                      "one with `azwa init --db {db}`", db=shown))
    if len(missing) == len(needed) or not set(READ_TABLES) & tables:
        others = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
        raise StoreUnavailable(Phrase("{db} is not an azwa database: it holds other tables "
                                      "({others}) and none of {needed}", db=shown,
                                      others=others, needed=", ".join(READ_TABLES)))
    raise StoreUnavailable(Phrase("{db} is not a complete azwa database (no table {missing}); "
                                  "`azwa init --db {db}` adds it", db=shown,
                                  missing=", ".join(missing)))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else exc.__class__.__name__


def _dbapi_error(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error):
        return True
    for name in ("psycopg", "psycopg2"):
        module = sys.modules.get(name)
        if module is not None and isinstance(exc, module.Error):
            return True
    return False


def unusable(exc: BaseException, shown: str | None = None,
             *, opening: bool = False) -> StoreUnavailable | None:
    """The one-line StoreUnavailable for a database error, or None if `exc` is none.

    `opening` also counts a missing driver module (raised when the engine is created).
    """
    where = (Phrase("the database {db}", db=shown) if shown
             else Phrase("the database"))
    if isinstance(exc, StoreUnavailable):
        return exc
    if isinstance(exc, NoSuchModuleError):
        scheme = shown.split("://")[0] if shown else "?"
        return StoreUnavailable(Phrase("{where}: unknown kind of database {scheme!r}; give an "
                                       "SQLite file path or a postgresql+psycopg:// URL",
                                       where=where, scheme=scheme))
    if opening and isinstance(exc, ImportError):
        hint: str = ""
        if shown and shown.startswith("postgres"):
            hint = Phrase(" (pip install 'azwa[postgres]', and a postgresql+psycopg:// URL)")
        return StoreUnavailable(Phrase("{where}: its driver {driver!r} is not installed{hint}",
                                       where=where, driver=exc.name or _first_line(exc),
                                       hint=hint))
    if opening and isinstance(exc, ArgumentError | ValueError):
        return StoreUnavailable(Phrase("{where}: the URL is not usable: {reason}", where=where,
                                       reason=_first_line(exc)))
    if isinstance(exc, SQLAlchemyError):
        cause = getattr(exc, "orig", None)
        return StoreUnavailable(Phrase("cannot use {where}: {reason}", where=where,
                                       reason=_first_line(cause or exc)))
    if _dbapi_error(exc):
        return StoreUnavailable(Phrase("cannot use {where}: {reason}", where=where,
                                       reason=_first_line(exc)))
    return None


@contextmanager
def unusable_as_one_line(shown: str | None = None, *, opening: bool = False) -> Iterator[None]:
    """Turn a database error inside the block into a StoreUnavailable of one line."""
    try:
        yield
    except Exception as exc:
        found = unusable(exc, shown, opening=opening)
        if found is None or found is exc:
            raise
        raise found from None
