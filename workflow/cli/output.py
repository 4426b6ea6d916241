"""Every file a command writes goes through here, so no output ever destroys data.

- An output that is a database (or its `-wal`, `-shm`, `-journal` file), compared by
  resolved path and by inode, is refused, --force or not: the command's `--db`, and in
  every command AZWA_DATABASE_URL's and the default ./azwa.db (`azwa export -o azwa.db`
  once emptied the database it was about to read; `audit keygen -o azwa.db --force`
  replaced it).
- An existing file is replaced only with `--force`.
- The bytes go to a temporary file in the same folder, renamed over the target only when the
  command finished: an error halfway leaves the old file as it was and no partial file.

Refusals are `OutputError`s with one line for the user (exit status 2).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from workflow.core.phrase import Phrase
from workflow.store.url import resolve_url

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class OutputError(ValueError):
    """An output the command will not write; the message is one line for the user."""


def database_files(db: str | None) -> list[Path]:
    """The files of the SQLite database `--db` names (with its companions); none for a
    server database."""
    url = resolve_url(db)
    if not url.startswith("sqlite:///"):
        return []
    name = url.removeprefix("sqlite:///").split("?", 1)[0]
    if not name or name == ":memory:":
        return []
    return [Path(name + suffix) for suffix in SQLITE_COMPANIONS]


def guarded_files() -> list[Path]:
    """The database files no output may replace in any command, with or without --force:
    those of AZWA_DATABASE_URL and of the default ./azwa.db (a command's own `--db` is
    added by the command)."""
    from workflow.store.url import DEFAULT_URL

    return [*database_files(None), *database_files(DEFAULT_URL)]


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output(path: Path, *, force: bool, forbidden: Iterable[Path] = ()) -> None:
    """Refuse, before any work is done, an output that would destroy data: a database
    file (`forbidden`, and always those of `guarded_files`), a folder, an existing file
    without `force`, a missing folder."""
    for guarded in (*forbidden, *guarded_files()):
        if _same_file(path, guarded):
            raise OutputError(Phrase("{path}: refusing to write over {guarded}, which the "
                                     "command reads; choose another output file", path=path,
                                     guarded=guarded))
    if path.is_dir():
        raise OutputError(Phrase("{path}: is a folder; give a file name", path=path))
    if path.exists() and not force:
        raise OutputError(Phrase("{path} exists; add --force to replace it", path=path))
    if not path.parent.resolve().is_dir():
        raise OutputError(Phrase("{path}: cannot write the file: the folder {folder} does "
                                 "not exist", path=path, folder=path.parent))


@contextmanager
def safe_output(path: Path, *, force: bool, forbidden: Iterable[Path] = (),
                mode: int | None = None) -> Iterator[TextIO]:
    """A text file to write `path` through (`.buffer` for bytes): a temporary file beside it,
    renamed into place when the block ends without an error, removed when it raises.

    Without `mode` the file is made as open() would (0o666 less the umask); with one (0o600
    for a key) the temporary file has exactly it before the first byte is written."""
    check_output(path, force=force, forbidden=forbidden)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    try:
        if mode is not None:
            os.fchmod(fd, mode)  # the umask narrows a mode; a key's is exactly its own
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if not force and path.exists():
            raise OutputError(Phrase("{path} appeared while it was written; add --force to "
                                     "replace it", path=path))
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_output(path: Path, data: str | bytes, *, force: bool,
                 forbidden: Iterable[Path] = (), mode: int | None = None) -> None:
    """Write all of `data` to `path` the safe way (`mode` as for safe_output); OutputError
    when it cannot."""
    try:
        with safe_output(path, force=force, forbidden=forbidden, mode=mode) as out:
            if isinstance(data, bytes):
                out.flush()
                out.buffer.write(data)
            else:
                out.write(data)
    except OSError as exc:
        raise _unwritable(path, exc) from None


def _unwritable(path: Path, exc: OSError) -> OutputError:
    return OutputError(Phrase("{path}: cannot write the file: {reason}", path=path,
                              reason=exc.strerror or str(exc)))
