"""What a log must be besides replaying clean: not empty, chained when it claims to come
from this engine (the export header) or when `--require-chain` asks, and, given anchors,
the history the anchors recorded.

A log stripped of its hashes would otherwise replay as another system's log (`chain
absent`) and pass; a log with its chain recomputed after a change passes its own chain and
is found only against a head kept elsewhere (workflow.audit.anchors).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from workflow.audit.anchors import Tracker
from workflow.audit.logfile import LogLine, ReplayResult
from workflow.audit.replay import CHAIN_ABSENT


@dataclass(frozen=True, slots=True)
class LogProblem:
    """Why a log that replays is still not a clean one."""

    kind: str
    """`empty`, `chain_missing`, `deleted`, `rolled_back` or `forged`."""
    message: str
    plan_id: str | None = None
    seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.plan_id is not None:
            data["plan_id"] = self.plan_id
        if self.seq is not None:
            data["seq"] = self.seq
        return data


def watch(lines: Iterable[LogLine], tracker: Tracker) -> Iterator[LogLine]:
    """Pass the lines on, following each plan's chain for the anchors."""
    for item in lines:
        tracker.see(item.event)
        yield item


def judge(result: ReplayResult, *, header: bool = False, require_chain: bool = False,
          tracker: Tracker | None = None) -> list[LogProblem]:
    """The problems of a replayed log beyond its violations and broken chains."""
    problems: list[LogProblem] = []
    if result.events == 0:
        problems.append(LogProblem("empty", "the log holds no events: an empty log is not a "
                                            "clean one"))
    if header or require_chain:
        why = ("the log says it comes from this engine (export header)" if header
               else "--require-chain")
        problems += [
            LogProblem("chain_missing", f"no event carries a hash, but {why}: the chain was "
                                        f"stripped", plan_id=plan_id)
            for plan_id, replay in result.plans.items() if replay.chain == CHAIN_ABSENT
        ]
    if tracker is not None:
        problems += [LogProblem(f.kind, f.message, f.plan_id, f.seq)
                     for f in tracker.findings("the log")]
    return problems
