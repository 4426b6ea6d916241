"""The settings of `azwa serve`, read from a TOML file: who may call (tokens, stored as
hashes), where notifications go, how often deadlines are expired, telemetry.

A token is a random secret handed to one caller; the file keeps only its SHA-256 (`azwa
serve hash-token` prints both), so a leaked config file lets nobody in. A token is made
long and random, so a plain SHA-256 is enough: there is no password to guess.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.core.phrase import Phrase
from workflow.core.spec import Actor
from workflow.store.outbox import KINDS

READ_ONLY_ROLES = frozenset({"auditor"})
"""Roles whose tokens may read but never write."""
HASH_PREFIX = "sha256:"


class SettingsError(ValueError):
    """A config file that cannot be used; the message names the file and the key."""


def token_hash(token: str) -> str:
    return HASH_PREFIX + hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "azwa_" + secrets.token_urlsafe(32)


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a token stands for: an actor of the process, or a read-only auditor."""

    name: str
    actor: Actor
    read_only: bool


@dataclass(frozen=True, slots=True)
class Subscriber:
    name: str
    url: str
    secret: str
    kinds: frozenset[str] = frozenset()

    def key(self) -> bytes:
        """The signing key: a `whsec_` secret's base64 bytes, else the text's bytes."""
        if self.secret.startswith("whsec_"):
            return base64.b64decode(self.secret[len("whsec_"):])
        return self.secret.encode()


@dataclass(frozen=True, slots=True)
class Settings:
    db: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    tokens: dict[str, Caller] = field(default_factory=dict)
    """Token hash -> caller."""
    cors_origins: tuple[str, ...] = ()
    tick_seconds: float = 60.0
    """How often the deadline worker expires what is due; 0 turns it off."""
    subscribers: tuple[Subscriber, ...] = ()
    max_attempts: int = 8
    backoff_seconds: float = 1.0
    backoff_max_seconds: float = 300.0
    delivery_timeout_seconds: float = 10.0
    poll_seconds: float = 1.0
    source: str = "/azwa"
    """The CloudEvents `source` of every notification."""
    otlp_endpoint: str | None = None
    """Where OpenTelemetry traces of commands go (an OTLP/HTTP URL, or `console`); none: off."""

    def caller(self, token: str) -> Caller | None:
        """The caller of a bearer token, compared in constant time."""
        wanted = token_hash(token)
        found = None
        for known, caller in self.tokens.items():
            if hmac.compare_digest(known, wanted):
                found = caller
        return found


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise SettingsError(Phrase("{where}: [{key}] must be a table", where=where, key=key))
    return value


def _get(table: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any,
         where: str) -> Any:
    value = table.get(key, default)
    if (value is not None and not isinstance(value, kind)) or (isinstance(value, bool) and (
            kind is int or kind == (int, float))):
        raise SettingsError(Phrase("{where}: {key} = {value!r} has the wrong type",
                                   where=where, key=key, value=value))
    return value


def load(path: Path | None, **overrides: Any) -> Settings:
    """The settings in `path` (none: defaults, no tokens, so no one but /healthz gets in),
    with command-line options on top."""
    data: dict[str, Any] = {}
    where = str(path)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SettingsError(Phrase("{where}: cannot be read ({reason})", where=where,
                                       reason=exc.strerror)) from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(Phrase("{where}: not TOML ({problem})", where=where,
                                       problem=str(exc))) from None
    server = _table(data, "server", where)
    hooks = _table(data, "webhooks", where)
    telemetry = _table(data, "telemetry", where)
    values: dict[str, Any] = {
        "db": _get(server, "db", str, None, where),
        "host": _get(server, "host", str, "127.0.0.1", where),
        "port": _get(server, "port", int, 8080, where),
        "cors_origins": tuple(_get(server, "cors_origins", list, [], where)),
        "tick_seconds": float(_get(server, "tick_seconds", (int, float), 60.0, where)),
        "source": _get(server, "source", str, "/azwa", where),
        "tokens": _tokens(data.get("tokens", []), where),
        "subscribers": _subscribers(hooks.get("subscribers", []), where),
        "max_attempts": _get(hooks, "max_attempts", int, 8, where),
        "backoff_seconds": float(_get(hooks, "backoff_seconds", (int, float), 1.0, where)),
        "backoff_max_seconds": float(_get(hooks, "backoff_max_seconds", (int, float), 300.0,
                                          where)),
        "delivery_timeout_seconds": float(_get(hooks, "timeout_seconds", (int, float), 10.0,
                                               where)),
        "poll_seconds": float(_get(hooks, "poll_seconds", (int, float), 1.0, where)),
        "otlp_endpoint": _get(telemetry, "otlp_endpoint", str, None, where),
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    if values["max_attempts"] < 1:
        raise SettingsError(Phrase("{where}: max_attempts must be at least 1", where=where))
    return Settings(**values)


def _tokens(rows: Any, where: str) -> dict[str, Caller]:
    if not isinstance(rows, list):
        raise SettingsError(Phrase("{where}: [[tokens]] must be an array of tables",
                                   where=where))
    found: dict[str, Caller] = {}
    for n, row in enumerate(rows, 1):
        at = Phrase("{where}: token {n}", where=where, n=n)
        if not isinstance(row, dict):
            raise SettingsError(_not_a_table(at))
        digest = _get(row, "hash", str, None, at)
        role, org = _get(row, "role", str, None, at), _get(row, "org", str, None, at)
        if not digest or not digest.startswith(HASH_PREFIX) or len(digest) != 71:
            raise SettingsError(Phrase("{where}: hash must be `sha256:` and 64 hex digits "
                                       "(`azwa serve hash-token` makes one)", where=at))
        if not role or not org:
            raise SettingsError(Phrase("{where}: role and org are required", where=at))
        if digest in found:
            raise SettingsError(Phrase("{where}: the same token hash is listed twice",
                                       where=at))
        region = _get(row, "region", str, None, at) or None
        read_only = bool(_get(row, "read_only", bool, False, at)) or role in READ_ONLY_ROLES
        name = _get(row, "name", str, f"{role}:{org}", at)
        found[digest] = Caller(name, Actor(role, org, region), read_only)
    return found


def _subscribers(rows: Any, where: str) -> tuple[Subscriber, ...]:
    if not isinstance(rows, list):
        raise SettingsError(Phrase("{where}: [[webhooks.subscribers]] must be an array of "
                                   "tables", where=where))
    found: list[Subscriber] = []
    for n, row in enumerate(rows, 1):
        at = Phrase("{where}: subscriber {n}", where=where, n=n)
        if not isinstance(row, dict):
            raise SettingsError(_not_a_table(at))
        name, url = _get(row, "name", str, None, at), _get(row, "url", str, None, at)
        secret = _get(row, "secret", str, None, at)
        if not name or not url or not secret:
            raise SettingsError(Phrase("{where}: name, url and secret are required",
                                       where=at))
        if not url.startswith(("http://", "https://")):
            raise SettingsError(Phrase("{where}: url must start with http:// or https://",
                                       where=at))
        kinds = frozenset(_get(row, "types", list, [], at))
        unknown = sorted(kinds - set(KINDS))
        if unknown:
            raise SettingsError(Phrase("{where}: unknown types {unknown}; known: {known}",
                                       where=at, unknown=unknown, known=", ".join(KINDS)))
        if any(s.name == name for s in found):
            raise SettingsError(Phrase("{where}: the name {name!r} is used twice", where=at,
                                       name=name))
        found.append(Subscriber(name, url, secret, kinds))
    return tuple(found)


def _not_a_table(where: str) -> SettingsError:
    return SettingsError(Phrase("{where}: must be a table", where=where))
