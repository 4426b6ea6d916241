"""Signed chain heads: what a database insider who recomputes the hash chain cannot forge.

The event hash chain is plain SHA-256: anyone who can write the database can change an event
and recompute every hash after it. So each accepted command also appends a head record
(plan, seq, hash of the plan's last event, its `at`) to the append-only `heads` table, signed
with HMAC-SHA256 under a key the database does not hold (`AZWA_SIGNING_KEY_FILE`, a file
`azwa audit keygen` writes, or `AZWA_SIGNING_KEY` in hex). The signature also covers the
previous head's signature, so a plan's heads form a signed chain of their own. Without a key
the heads are written unsigned (`key_id` empty) and `azwa audit verify` says so.

HMAC (standard library, about a microsecond a command) rather than Ed25519: no new
dependency, and whoever verifies holds the key anyway (the auditor, not the database).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlmodel import Field, SQLModel

from workflow.core.errors import AzwaError
from workflow.core.events import Event
from workflow.store.sqlrun import Runner

KEY_FILE_ENV = "AZWA_SIGNING_KEY_FILE"
KEY_ENV = "AZWA_SIGNING_KEY"
KEY_BYTES = 32


class HeadRow(SQLModel, table=True):
    """One accepted command's chain head; never updated, never deleted."""

    __tablename__ = "heads"
    plan_id: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    hash: str
    at: str
    key_id: str
    """Which key signed (a digest of it); empty when unsigned."""
    prev_sig: str
    sig: str


HEADS = HeadRow.__table__  # type: ignore[attr-defined]

PREV_SIG = "SELECT sig FROM heads WHERE plan_id = :plan_id AND seq = :seq"
INSERT_HEAD = (
    "INSERT INTO heads (plan_id, seq, hash, at, key_id, prev_sig, sig) "
    "VALUES (:plan_id, :seq, :hash, :at, :key_id, :prev_sig, :sig)"
)


class SigningKeyError(AzwaError, ValueError):
    """The signing key is configured but cannot be read or is not a key."""


def parse_key(text: str, source: str) -> bytes:
    """A key as keygen writes it: hex text of at least 16 bytes."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise SigningKeyError(f"{source}: the signing key is not hex text") from None
    if len(key) < 16:
        raise SigningKeyError(f"{source}: the signing key is shorter than 16 bytes")
    return key


def key_from_env(env: Mapping[str, str] | None = None) -> bytes | None:
    """The configured key: AZWA_SIGNING_KEY_FILE, else AZWA_SIGNING_KEY, else None."""
    env = os.environ if env is None else env
    path = env.get(KEY_FILE_ENV)
    if path:
        try:
            text = Path(path).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) else "not hex text"
            raise SigningKeyError(f"{KEY_FILE_ENV}={path}: cannot read the signing key: "
                                  f"{detail}") from None
        return parse_key(text, f"{KEY_FILE_ENV}={path}")
    value = env.get(KEY_ENV)
    return parse_key(value, KEY_ENV) if value else None


def new_key() -> str:
    """A fresh random key, as hex text."""
    return secrets.token_hex(KEY_BYTES)


def head_message(plan_id: str, seq: int, hash_: str, at: str, prev_sig: str) -> bytes:
    """The bytes a head signature covers (JSON, so no field can bleed into the next)."""
    return json.dumps([plan_id, seq, hash_, at, prev_sig], ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8", "surrogatepass")


class Signer:
    """Signs heads with a key, or marks them unsigned when there is none.

    `Signer.from_env()` reads the key when first needed, so a wrong key setting is one
    clear error on the first write, not a failure to open the database for reading.
    """

    def __init__(self, key: bytes | None = None, *, from_env: bool = False) -> None:
        self._key = key
        self._from_env = from_env and key is None
        self._key_id: str | None = None

    @classmethod
    def from_env(cls) -> Signer:
        return cls(from_env=True)

    @property
    def key(self) -> bytes | None:
        if self._from_env:
            self._key, self._from_env = key_from_env(), False
        return self._key

    @property
    def key_id(self) -> str:
        """A digest that names the key without revealing it; empty when unsigned."""
        if self._key_id is None:
            key = self.key
            self._key_id = ("" if key is None
                            else hashlib.sha256(b"azwa key id\0" + key).hexdigest()[:16])
        return self._key_id

    def sign(self, message: bytes) -> str:
        key = self.key
        return "" if key is None else hmac.new(key, message, hashlib.sha256).hexdigest()

    def valid(self, message: bytes, sig: str) -> bool:
        key = self.key
        return key is not None and hmac.compare_digest(self.sign(message), sig)


def record(run: Runner, events: Sequence[Event], signer: Signer) -> None:
    """Append the signed head of a saved command (inside its transaction)."""
    if not events:
        return
    last = events[-1]
    prev = run.one(PREV_SIG, {"plan_id": last.plan_id, "seq": events[0].seq - 1}) or ""
    sig = signer.sign(head_message(last.plan_id, last.seq, last.hash, last.at, str(prev)))
    run.run(INSERT_HEAD, {"plan_id": last.plan_id, "seq": last.seq, "hash": last.hash,
                          "at": last.at, "key_id": signer.key_id, "prev_sig": prev, "sig": sig})
