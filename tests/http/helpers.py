"""Shared set-up for the HTTP tests: a config file with one token per actor, and requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflow.core.spec import Actor
from workflow.http.settings import token_hash
from workflow.service import demo

TOKENS: dict[str, tuple[Actor, str]] = {
    "maker": (demo.MAKER, "token-maker-0123456789"),
    "hospital": (demo.HOSPITAL, "token-hospital-0123456789"),
    "insurer": (demo.INSURER, "token-insurer-0123456789"),
    "second": (demo.SECOND, "token-second-0123456789"),
    "auditor": (Actor("auditor", "Auditdienst"), "token-auditor-0123456789"),
}
"""Who may call, by a short name: the actor and its bearer token."""


def config_text(db: str, *, subscribers: list[dict[str, Any]] | None = None,
                extra: str = "") -> str:
    """A config file as a user writes it: hashes, never the tokens themselves."""
    lines = ["[server]", f'db = "{db}"', "tick_seconds = 0", "", ""]
    for actor, token in TOKENS.values():
        lines += ["[[tokens]]", f'hash = "{token_hash(token)}"', f'role = "{actor.role}"',
                  f'org = "{actor.org}"'] + ([f'region = "{actor.region}"']
                                             if actor.region else []) + [""]
    if subscribers:
        lines += ["[webhooks]", "max_attempts = 3", "backoff_seconds = 0.05",
                  "backoff_max_seconds = 0.2", "poll_seconds = 0.05", ""]
        for s in subscribers:
            lines += ["[[webhooks.subscribers]]"] + [f"{k} = {v!r}".replace("'", '"')
                                                       for k, v in s.items()] + [""]
    return "\n".join(lines) + extra


def write_config(path: Path, db: str, **options: Any) -> Path:
    path.write_text(config_text(db, **options), encoding="utf-8")
    return path


def auth(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[who][1]}"}


def registration(plan_id: str, at: str = demo.START) -> dict[str, Any]:
    return {"plan_id": plan_id, "attrs": demo.REGISTRATION, "at": at}
