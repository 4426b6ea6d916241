"""Progress bars appear on a terminal only and never change what passes through them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from workflow.cli import progress


@pytest.mark.parametrize("terminal", [False, True])
def test_tracked_yields_every_item_in_order(
    terminal: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With or without a terminal, the items come through unchanged (a bar only watches)."""
    monkeypatch.setattr(progress, "shown", lambda: terminal)
    items = list(range(1234))
    assert list(progress.tracked(iter(items), "counting", len(items))) == items


def test_no_bar_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scripts and pipes get no bar and no line count is spent on one."""
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not progress.shown()
    assert progress.count_lines(Path(__file__)) is None


def test_count_lines_counts_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bar's total for a log is its number of lines; standard input has none."""
    monkeypatch.setattr(progress, "shown", lambda: True)
    log = tmp_path / "log.jsonl"
    log.write_text("{}\n" * 2500, encoding="utf-8")
    assert progress.count_lines(log) == 2500
    assert progress.count_lines(Path("-")) is None
