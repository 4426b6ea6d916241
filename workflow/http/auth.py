"""Bearer tokens: each stands for one caller (an actor, or a read-only auditor).

An actor acts only as itself: a command that names another actor is refused (403), and a
read-only token may not write at all (403). No token, or one the settings do not list: 401.
"""

from __future__ import annotations

from fastapi import Request

from workflow.core.phrase import Phrase
from workflow.core.spec import Actor
from workflow.http.problems import azwa_rule
from workflow.http.schemas import ActorIn
from workflow.http.settings import Caller, Settings


async def caller_of(request: Request) -> Caller:
    """The caller of the request's bearer token. A coroutine: a hash and a lookup, so it runs
    on the event loop instead of costing each request a second trip through the threadpool."""
    settings: Settings = request.app.state.settings
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise azwa_rule(401, "bearer_token_required",
                        Phrase("Send `Authorization: Bearer <token>`; tokens are listed, as "
                               "hashes, in the service's config file"))
    found = settings.caller(token.strip())
    if found is None:
        raise azwa_rule(401, "known_token", Phrase("This token is not listed in the service's "
                                                   "config file"))
    return found


def writer(caller: Caller) -> Actor:
    """The actor a write acts as; refused for a read-only token."""
    if caller.read_only:
        raise azwa_rule(403, "read_only_token",
                        Phrase("The token of {name} ({token_role}) may read, not write",
                               name=caller.name, token_role=caller.actor.role))
    return caller.actor


def acting(caller: Caller, named: ActorIn | None) -> Actor:
    """The token's actor; a body that names another actor is refused."""
    actor = writer(caller)
    if named is not None and (named.role, named.org, named.region or None) != (
            actor.role, actor.org, actor.region or None):
        raise azwa_rule(403, "acts_as_itself",
                        Phrase("This token acts as {token_role} {org!r}, not as {other_role} "
                               "{other_org!r}", token_role=actor.role, org=actor.org,
                               other_role=named.role, other_org=named.org))
    return actor
