"""Structured logs: JSON lines in production, readable lines in a terminal.

A line the level filters out costs nothing: callers on the hot path ask `enabled(level)`
before building it (structlog would otherwise bind the logger and its fields per call;
MEASURED.md: 8–11% of a command). Loggers are not cached, so tests can capture lines.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import structlog

_threshold = logging.NOTSET
"""The level set by `configure`; everything passes until it is called (structlog's default)."""


def enabled(level: int) -> bool:
    """Whether a line at `level` would be written."""
    return level >= _threshold


def configure(*, json: bool | None = None, level: str | None = None,
              default_level: str = "WARNING") -> None:
    """Set up structlog once; JSON when asked, when AZWA_LOG_JSON=1, or when not a terminal."""
    if json is None:
        env = os.environ.get("AZWA_LOG_JSON")
        json = env == "1" if env is not None else not sys.stderr.isatty()
    global _threshold
    name = (level or os.environ.get("AZWA_LOG_LEVEL", default_level)).upper()
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    number = logging.getLevelName(name)
    _threshold = number if isinstance(number, int) else logging.NOTSET
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(number),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    """Looked up per use, so a redirected stderr (a test, a daemon) gets the lines."""
    return structlog.PrintLogger(sys.stderr)


def get_logger() -> Any:
    return structlog.get_logger("azwa")
