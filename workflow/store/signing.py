"""The signing key and HMAC-SHA256 signatures of chain heads (workflow.store.heads).

Kept apart from the table so that reading a key or checking a signature (`azwa replay
--anchors`) loads no SQL. HMAC from the standard library rather than Ed25519: no new
dependency, about a microsecond a signature, and whoever verifies holds the key anyway (the
auditor, never the database).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from workflow.core.errors import AzwaError
from workflow.core.phrase import Phrase

KEY_FILE_ENV = "AZWA_SIGNING_KEY_FILE"
KEY_ENV = "AZWA_SIGNING_KEY"
KEY_BYTES = 32


class SigningKeyError(AzwaError, ValueError):
    """The signing key is configured but cannot be read or is not a key."""


def parse_key(text: str, source: str) -> bytes:
    """A key as keygen writes it: hex text of at least 16 bytes."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise SigningKeyError(Phrase("{source}: the signing key is not hex text",
                                     source=source)) from None
    if len(key) < 16:
        raise SigningKeyError(Phrase("{source}: the signing key is shorter than 16 bytes",
                                     source=source))
    return key


def key_from_env(env: Mapping[str, str] | None = None) -> bytes | None:
    """The configured key: AZWA_SIGNING_KEY_FILE, else AZWA_SIGNING_KEY, else None."""
    env = os.environ if env is None else env
    path = env.get(KEY_FILE_ENV)
    if path:
        try:
            text = Path(path).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) else Phrase("not hex text")
            raise SigningKeyError(Phrase("{setting}={path}: cannot read the signing key: "
                                         "{reason}", setting=KEY_FILE_ENV, path=path,
                                         reason=detail)) from None
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
