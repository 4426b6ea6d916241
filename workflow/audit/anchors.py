"""Anchors: each plan's last chain head, written to a file the auditor keeps outside the
database, so that a deleted plan, a rolled-back plan or a rewritten history is found later.

A database insider can delete a whole plan from every table, or cut its last events and
their heads: nothing left in the database shows it. `azwa audit anchor -o FILE` writes, for
every plan, the seq and hash of its last event, then an end line with the number of plans,
the sum of their seqs and a SHA-256 digest over the plan lines, signed with the signing key
when one is configured. `azwa audit verify --anchors FILE` and `azwa replay --anchors FILE`
compare a database or a log with it: a plan missing, a seq below the anchored one, or a
different hash at the anchored seq (a rewritten event, whatever chain was recomputed).

    {"anchors": "azwa", "version": 1}
    {"plan_id": "TW-2027-001", "seq": 37, "hash": "...", "at": "..."}
    {"end": {"plans": 1, "seq_sum": 37, "digest": "..."}, "key_id": "...", "sig": "..."}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from workflow.audit.bounds import LineReader, LogFileError
from workflow.core.events import canonical, digest
from workflow.core.phrase import Phrase
from workflow.core.plan import GENESIS
from workflow.store.signing import Signer

if TYPE_CHECKING:
    from workflow.store.sql import SqlStore

HEAD_LINE = {"anchors": "azwa", "version": 1}


@dataclass(frozen=True, slots=True)
class Anchor:
    plan_id: str
    seq: int
    hash: str
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"plan_id": self.plan_id, "seq": self.seq, "hash": self.hash, "at": self.at}


def collect(store: SqlStore) -> Iterator[Anchor]:
    """Each plan's last stored event, in plan order."""
    from sqlalchemy import func, select  # here: `azwa replay --anchors` loads no SQL

    from workflow.store.sql import EVENTS

    last = (select(EVENTS.c.plan_id, func.max(EVENTS.c.seq).label("seq"))
            .group_by(EVENTS.c.plan_id).subquery())
    query = (select(EVENTS.c.plan_id, EVENTS.c.seq, EVENTS.c.hash, EVENTS.c.at)
             .join(last, (EVENTS.c.plan_id == last.c.plan_id) & (EVENTS.c.seq == last.c.seq))
             .order_by(EVENTS.c.plan_id))
    with store.engine.connect() as conn:
        for row in conn.execution_options(yield_per=1000).execute(query):
            yield Anchor(row.plan_id, row.seq, str(row.hash), str(row.at))


class _Digest:
    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.plans = 0
        self.seq_sum = 0

    def add(self, anchor: Anchor) -> bytes:
        line = canonical(anchor.to_dict())
        self.sha.update(line + b"\n")
        self.plans += 1
        self.seq_sum += anchor.seq
        return line

    def end(self) -> dict[str, Any]:
        return {"plans": self.plans, "seq_sum": self.seq_sum, "digest": self.sha.hexdigest()}


def write(anchors: Iterable[Anchor], out: IO[str], signer: Signer) -> int:
    """Write the anchors file; the number of plans anchored."""
    total = _Digest()
    out.write(json.dumps(HEAD_LINE) + "\n")
    for anchor in anchors:
        out.write(total.add(anchor).decode("utf-8") + "\n")
    end = total.end()
    out.write(json.dumps({"end": end, "key_id": signer.key_id, "sig": signer.sign(
        canonical(end))}, ensure_ascii=False) + "\n")
    return total.plans


@dataclass(slots=True)
class Anchors:
    """A read anchors file: every plan's anchored head, and whether its signature held."""

    heads: dict[str, Anchor] = field(default_factory=dict)
    key_id: str = ""
    signature: str = "unsigned"
    """`checked` (signed with the key given), `unchecked` (signed, no key) or `unsigned`."""


def read(path: Path | str, signer: Signer) -> Anchors:
    """Read and check an anchors file; LogFileError (one line) when it cannot be trusted."""
    source = str(path)
    found = Anchors()
    total = _Digest()
    end: Mapping[str, Any] | None = None
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise LogFileError(0, Phrase("cannot open the file: {reason}",
                                     reason=exc.strerror or str(exc)), source) from None
    with handle:
        try:
            for number, raw in enumerate(LineReader().lines(handle), start=1):
                try:
                    data = json.loads(raw)
                except (ValueError, RecursionError):
                    raise LogFileError(number, Phrase("not valid JSON"), source) from None
                if number == 1:
                    if data != HEAD_LINE:
                        raise LogFileError(1, Phrase("not an azwa anchors file (no header "
                                                     "line)"), source)
                    continue
                if end is not None:
                    raise LogFileError(number, Phrase("a line after the end line"), source)
                if type(data) is dict and "end" in data:
                    end = data
                    continue
                anchor = _anchor(number, data, source)
                if anchor.plan_id in found.heads:
                    raise LogFileError(number, Phrase("plan {plan!r} anchored twice",
                                                      plan=anchor.plan_id), source)
                total.add(anchor)
                found.heads[anchor.plan_id] = anchor
        except LogFileError as error:
            error.source = source
            raise
        except OSError as exc:
            raise LogFileError(0, Phrase("cannot read the file: {reason}",
                                         reason=exc.strerror or str(exc)), source) from None
    if end is None:
        raise LogFileError(0, Phrase("no end line: the anchors file is cut short"), source)
    if end.get("end") != total.end():
        raise LogFileError(0, Phrase("the end line does not match the plan lines (count, "
                                     "seqs or digest): the anchors file was changed"), source)
    found.key_id = str(end.get("key_id") or "")
    if found.key_id:
        if signer.key is None:
            found.signature = "unchecked"
        elif found.key_id != signer.key_id:
            raise LogFileError(0, Phrase("signed with another key (id {key}) than the one "
                                         "configured (id {given})", key=found.key_id,
                                         given=signer.key_id), source)
        elif not signer.valid(canonical(total.end()), str(end.get("sig", ""))):
            raise LogFileError(0, Phrase("the signature does not match: the anchors file was "
                                         "changed"), source)
        else:
            found.signature = "checked"
    return found


def _anchor(number: int, data: Any, source: str) -> Anchor:
    if (type(data) is not dict or type(data.get("plan_id")) is not str
            or type(data.get("seq")) is not int or type(data.get("hash")) is not str
            or type(data.get("at")) is not str):
        raise LogFileError(number, Phrase("an anchor is an object with plan_id, seq, hash and "
                                          "at"), source)
    return Anchor(data["plan_id"], data["seq"], data["hash"], data["at"])


@dataclass(frozen=True, slots=True)
class Finding:
    plan_id: str
    kind: str
    """`deleted`, `rolled_back` or `forged`."""
    message: str
    seq: int | None = None


class Tracker:
    """Follows each plan's hash chain as events stream past and compares it with anchors.

    The chain is recomputed from the events' content (so a log stripped of its hashes is
    still compared): a history rewritten before an anchored seq gives another hash there,
    however its own chain was recomputed.
    """

    def __init__(self, anchors: Anchors) -> None:
        self.anchors = anchors
        self.last: dict[str, tuple[int, str]] = {}
        self.at_anchor: dict[str, str] = {}

    def see(self, event: Mapping[str, Any]) -> None:
        plan_id, seq = str(event["plan_id"]), int(event["seq"])
        prev_hash = self.last.get(plan_id, (0, GENESIS))[1]
        body = {k: v for k, v in event.items() if k not in ("hash", "prev_hash")}
        body["prev_hash"] = prev_hash
        made = digest(body)
        self.last[plan_id] = (seq, made)
        anchor = self.anchors.heads.get(plan_id)
        if anchor is not None and seq == anchor.seq:
            self.at_anchor[plan_id] = made

    def findings(self, where: str) -> list[Finding]:
        """What differs from the anchors; `where` names what was read (`the log`)."""
        out: list[Finding] = []
        for plan_id, anchor in self.anchors.heads.items():
            last = self.last.get(plan_id)
            if last is None:
                out.append(Finding(plan_id, "deleted", f"plan anchored at seq {anchor.seq} is "
                                                       f"not in {where}"))
            elif last[0] < anchor.seq:
                out.append(Finding(plan_id, "rolled_back", f"{where} ends at seq {last[0]}, "
                                   f"below the anchored seq {anchor.seq}", seq=last[0]))
            elif self.at_anchor.get(plan_id) != anchor.hash:
                out.append(Finding(plan_id, "forged", f"the history up to the anchored seq "
                                   f"{anchor.seq} is not the anchored one (its hash differs)",
                                   seq=anchor.seq))
        return out
