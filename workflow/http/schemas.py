"""The shapes of requests and answers, as the OpenAPI document (docs/openapi.json) gives
them. Requests are checked against them; answers are written straight from the service's
own dictionaries (no second copy of the values), and the schema tests keep both in step."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ActorIn(BaseModel):
    """Who fires: it must be the token's own actor, so it may be left out."""

    model_config = ConfigDict(extra="forbid")
    role: str
    org: str
    region: str | None = None


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan_id: str = Field(description="The new plan's id, unique")
    attrs: dict[str, Any] = Field(description="The `register_plan` payload (see "
                                  "GET /definitions/{ref} for its schema)")
    at: str | None = Field(None, description="ISO-8601 instant with an offset; default now")
    actor: ActorIn | None = None


class CommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trigger: str = Field(description="The trigger to fire, e.g. submit_quick_test")
    payload: dict[str, Any] = Field(default_factory=dict,
                                    description="What the trigger carries")
    at: str | None = Field(None, description="ISO-8601 instant with an offset; default now")
    actor: ActorIn | None = None


class RuleProblem(BaseModel):
    rule: str
    seed: str = Field(description="The paragraph of the seed documents, or `azwa`")
    message: str


class Problem(Open):
    """RFC 9457 problem details; `problems` names every failing rule."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    problems: list[RuleProblem]


class EventOut(BaseModel):
    plan_id: str
    seq: int
    at: str
    trigger: str
    actor: dict[str, Any]
    payload: dict[str, Any]
    definition: str
    prev_hash: str
    hash: str


class CommandAnswer(BaseModel):
    plan_id: str
    seq: int = Field(description="The plan's seq after the command (its ETag)")
    state: str
    escalation: str
    events: list[EventOut] = Field(description="The events the command appended: deadline "
                                   "expiries that fell due first, then its own")
    repeated: bool = Field(description="True when the Idempotency-Key was seen before: "
                           "nothing new was applied, this is the first answer")


class DeadlineOut(Open):
    name: str
    due: str
    days_left: int
    started_at: str


class PlanOut(Open):
    """Where a plan stands: what `azwa plan show --json` prints."""

    plan_id: str
    definition: str
    state: str
    escalation: str
    seq: int
    title: str | None = None
    track: str | None = None
    region: str | None = None
    sector: str = Field("unknown", description="The plan's sector (A4 §4 monitoring); "
                        "`unknown` when not given")
    open_deadlines: list[DeadlineOut]
    breaches: list[str] = Field(description="Deadlines that passed unmet")
    missed_aims: list[str] = Field(
        default_factory=list, description="Aims that passed unmet (transformation@2's "
        "board meeting, A4 §1.4.4): never a breach")
    escalation_history: list[dict[str, Any]]
    funds: dict[str, Any] = Field(description="In euros: agreed, paid, costs, refund and, "
                                  "after an unlawful verdict, `reclaim_eur`")
    settlement: dict[str, Any] | None = Field(
        None, description="After `settle` (A4 §3.a.4): repayment terms, shortfall measure")
    lawfulness: dict[str, Any] | None = Field(
        None, description="The NZa's verdict (`lawful` | `unlawful`) and its reason")
    parties: list[dict[str, Any]] = Field(description="Each with its role, organisation and, "
                                          "for plan makers, `provider_size`")
    kpis: list[dict[str, Any]]
    organisations: list[dict[str, Any]]


class EventsPage(BaseModel):
    plan_id: str
    seq: int = Field(description="The plan's seq now")
    events: list[EventOut]
    next_after: int | None = Field(description="Pass as `after` for the next page; null "
                                   "when this page holds the last event")


class PlanRow(Open):
    plan_id: str
    state: str
    escalation: str
    definition: str
    seq: int
    overdue: bool
    breaches: list[str]


class PlanList(BaseModel):
    plans: list[PlanRow]


class PermissionOut(BaseModel):
    trigger: str
    allowed: bool
    reason: str | None
    needs: list[str]
    fields: list[str]
    optional: list[str]


class RoleAllowed(BaseModel):
    role: str
    org: str
    region: str | None
    permissions: list[PermissionOut]


class AllowedOut(BaseModel):
    plan_id: str
    org: str
    roles: list[RoleAllowed]


class TodoOut(Open):
    plan_id: str
    org: str
    role: str
    trigger: str
    says: str
    overdue: bool


class TodoList(BaseModel):
    org: str
    todos: list[TodoOut]


class DefinitionOut(Open):
    ref: str
    name: str
    version: int
    effective_from: str
    states: list[str]
    initial: str
    finals: list[str]
    triggers: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]


class Health(BaseModel):
    status: str
