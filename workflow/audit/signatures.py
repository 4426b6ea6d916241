"""Check a plan's stored events against its signed heads (workflow.store.heads).

Each accepted command appended a head: the seq and hash of the plan's last event, signed
over the previous head's signature. A rewritten event gives another hash than its head, and a
head rewritten to match needs the key, which the database does not hold. What a database
cannot show by itself (a plan deleted with all its heads, a plan cut back with its last
heads) the anchors show (workflow.audit.anchors).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from workflow.core.events import Event
from workflow.core.phrase import Phrase
from workflow.store.heads import HEADS, REGISTRY, Signer, head_message

UNSIGNED_NOTE = "heads not signed: forgery cannot be excluded"


@dataclass(slots=True)
class Tally:
    """How the heads of a database were signed, over all plans."""

    present: bool = True
    signed: int = 0
    unsigned: int = 0
    unchecked: int = 0

    @property
    def status(self) -> str:
        """`signed` (every head signed and checked), `unsigned`, `unchecked` or `none`."""
        if not self.present:
            return "none"
        if self.unsigned:
            return "unsigned"
        return "unchecked" if self.unchecked else "signed"

    def notes(self) -> list[str]:
        if not self.present:
            return [Phrase("no heads table (a database older than signed heads): {note}",
                           note=Phrase(UNSIGNED_NOTE))]
        out: list[str] = []
        if self.unsigned:
            out.append(Phrase("{note} ({count} unsigned head(s))", note=Phrase(UNSIGNED_NOTE),
                              count=self.unsigned))
        if self.unchecked:
            out.append(Phrase("{count} signed head(s) not checked: no signing key given "
                              "(AZWA_SIGNING_KEY_FILE or AZWA_SIGNING_KEY)",
                              count=self.unchecked))
        return out


def has_heads(engine: Engine) -> bool:
    return inspect(engine).has_table("heads")


def stored_heads(engine: Engine, plan_id: str) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(HEADS).where(HEADS.c.plan_id == plan_id)
                                 .order_by(HEADS.c.seq)))


def plans_with_heads(engine: Engine) -> Iterator[str]:
    with engine.connect() as conn:
        yield from conn.execute(select(HEADS.c.plan_id).distinct()
                                .where(HEADS.c.plan_id != REGISTRY)).scalars()


def check_registry(engine: Engine, stored: set[str], signer: Signer,
                   tally: Tally) -> list[tuple[str, str, int | None]]:
    """The registry of plans against the plans the database holds events of: (plan id,
    message, registry seq) for each registered plan that is gone and each break in the
    registry's own signed chain."""
    out: list[tuple[str, str, int | None]] = []
    prev = ""
    for n, row in enumerate(stored_heads(engine, REGISTRY), start=1):
        plan_id = str(row.hash)
        if row.seq != n or row.prev_sig != prev:
            out.append((plan_id, Phrase("the plan registry does not follow on at registration "
                                        "#{seq}: registrations were deleted or rewritten",
                                        seq=row.seq), row.seq))
        if not row.key_id:
            tally.unsigned += 1
        elif signer.key is None:
            tally.unchecked += 1
        elif row.key_id != signer.key_id or not signer.valid(
                head_message(REGISTRY, row.seq, plan_id, row.at, row.prev_sig), str(row.sig)):
            out.append((plan_id, Phrase("the signature of registration #{seq} does not "
                                        "match: the plan registry was forged", seq=row.seq),
                        row.seq))
        else:
            tally.signed += 1
        if plan_id not in stored:
            out.append((plan_id, Phrase(
                "the signed plan registry lists plan {plan!r} (registration #{seq}, {at}) but "
                "the database holds none of its events: the plan was deleted", plan=plan_id,
                seq=row.seq, at=row.at), row.seq))
        prev = str(row.sig)
    return out


def check(events: Sequence[Event], heads: Sequence[Any], signer: Signer,
          tally: Tally) -> list[tuple[str, int | None]]:
    """The problems of one plan's events against its heads: (message, seq)."""
    if not heads:
        return [(Phrase("no head covers the plan's events: they were written before heads "
                        "were recorded, or its heads were deleted"), None)] if events else []
    by_seq = {e.seq: e for e in events}
    out: list[tuple[str, int | None]] = []
    prev = ""
    for head in heads:
        seq = head.seq
        if head.prev_sig != prev:
            out.append((Phrase("the head at seq {seq} does not follow the head before it: "
                               "heads were deleted or rewritten", seq=seq), seq))
        event = by_seq.get(seq)
        if event is None:
            out.append((Phrase("the head at seq {seq} names an event the database does not "
                               "hold: events were deleted", seq=seq), seq))
        elif event.hash != head.hash:
            out.append((Phrase("the event at seq {seq} is not the one its head recorded: the "
                               "history was rewritten", seq=seq), seq))
        if not head.key_id:
            tally.unsigned += 1
        elif signer.key is None:
            tally.unchecked += 1
        elif head.key_id != signer.key_id:
            out.append((Phrase("the head at seq {seq} is signed with another key (id {key}) "
                               "than the one given (id {given})", seq=seq, key=head.key_id,
                               given=signer.key_id), seq))
        elif not signer.valid(head_message(head.plan_id, seq, head.hash, head.at,
                                           head.prev_sig), str(head.sig)):
            out.append((Phrase("the signature of the head at seq {seq} does not match: the "
                               "head was forged", seq=seq), seq))
        else:
            tally.signed += 1
        prev = str(head.sig)
    last = max(by_seq, default=0)
    if heads[-1].seq < last:
        out.append((Phrase("events after seq {seq} are not covered by a head: they were "
                           "added behind the engine's back", seq=heads[-1].seq),
                    heads[-1].seq + 1))
    return out
