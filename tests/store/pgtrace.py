"""How often a client waited for PostgreSQL: shared by the round-trip tests and `make bench`."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from typing import Any


def round_trips(pgconn: Any, work: Callable[[], Any]) -> int:
    """How often the client waited for the server during `work`, read from libpq's trace
    of `pgconn` (a run of messages sent, then a run received, is one)."""
    import psycopg

    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            work()
        finally:
            pgconn.untrace()
        trace.seek(0)
        directions = [line.split("\t", 1)[0] for line in trace if line[:2] in ("F\t", "B\t")]
    return sum(1 for a, b in itertools.pairwise(directions) if (a, b) == ("F", "B"))
