"""The generated reference pages match the code: `make docs` was run after the last change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import states
from workflow.cli.reference import reference

ROOT = Path(__file__).resolve().parents[2]


def test_reference_matches_the_definitions() -> None:
    """docs/reference.md is what `azwa definition reference` prints: every version, and the
    project's own rules."""
    assert (ROOT / "docs" / "reference.md").read_text(encoding="utf-8") == reference(
        states.all_definitions())


def test_cli_page_matches_the_commands(tmp_path: Path) -> None:
    """docs/cli.md is what typer generates from the `azwa` command today, in English
    (`make docs` sets AZWA_LANG=en: help reads in Dutch by default)."""
    out = tmp_path / "cli.md"
    typer_bin = Path(sys.executable).with_name("typer")
    subprocess.run([str(typer_bin), "workflow.cli.main", "utils", "docs", "--name", "azwa",
                    "--title", "The azwa command", "--output", str(out)],
                   cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, "AZWA_LANG": "en"})
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == out.read_text(
        encoding="utf-8")
