"""Progress bars for long commands, on a terminal only: scripts and pipes see none."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
STEP = 200
"""Advance the bar every this many items: redrawing per item would cost more than the work."""


def shown() -> bool:
    return sys.stderr.isatty()


@contextmanager
def bar(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A transient bar on stderr; yields `advance(n)`. A no-op when stderr is no terminal,
    which then pays nothing for rich (imported here, on a terminal only)."""
    if not shown():
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)


def tracked(items: Iterable[T], description: str, total: int | None) -> Iterator[T]:
    """The items, moving a bar as they pass; the items as they are without a terminal (no
    layer between a long log and its replay)."""
    if not shown():
        return iter(items)
    return _moving(items, description, total)


def _moving(items: Iterable[T], description: str, total: int | None) -> Iterator[T]:
    with bar(description, total) as advance:
        count = 0
        for item in items:
            yield item
            count += 1
            if count == STEP:
                advance(count)
                count = 0
        advance(count)


def count_lines(path: Path) -> int | None:
    """The number of lines of a file, for a bar's total; None for standard input."""
    if str(path) == "-" or not shown():
        return None
    try:
        with path.open("rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None
