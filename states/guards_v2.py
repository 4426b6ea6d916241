"""Guard predicates transformation@2 adds or changes (DESIGN-v2.md), each citing its seed.

Everything not here is transformation@1's predicate (states/guards.py), shared unchanged.
"""

from __future__ import annotations

from typing import Any

from states import settings
from states.guards import SETTLED, VERDICTS, _text, open_kpis, party_orgs, same_org
from workflow.core.context import Context
from workflow.core.money import amount_reason, parse_cents
from workflow.core.phrase import Phrase

KINDS = ("municipality", "care_office")
LAWFULNESS_VERDICTS = ("lawful", "unlawful")
SHORTFALL_MEASURES = ("adjust", "extra_funds", "stop_part")
MOVABLE = ("plan_submission",)
"""Deadlines `extend_deadline` may move, with every `kpi:<id>`; never a decision deadline."""
QUICK_TEST_REVIEWS, REVIEWS = "quick_test_reviews", "reviews"
GRANTABLE_FROM = ("intent", "start_meeting_held", "quick_test_submitted", "quick_test_incomplete",
                  "quick_test_under_review", "plan_in_preparation", "plan_incomplete")


# -- who takes part (A4 §1.a.1, §1.b) -----------------------------------------------------------


def municipalities(attrs: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Municipalities listed at registration or joined as financier of kind municipality."""
    listed = [m["org"] for m in attrs.get("municipalities", ())]
    joined = facts.get("joined", ())
    if len(joined) == 0:  # most plans: nobody joined, no second list to build
        return listed
    return listed + [org for org in (j["org"] for j in joined
                                     if j.get("kind", "municipality") == "municipality")
                     if org not in listed]


def care_offices(facts: dict[str, Any]) -> list[str]:
    """Care offices (zorgkantoor, Wlz) joined as financier (A4 §1.a.1)."""
    joined = facts.get("joined", ())
    if len(joined) == 0:
        return []
    return [j["org"] for j in joined if j.get("kind") == "care_office"]


def committing_orgs(attrs: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Every party and participating municipality or other financier, not the insurers
    (A4 §1.b.1: "alle betrokken partijen"; the insurers' approval is theirs)."""
    insurers = {attrs.get("coordinating_insurer"), facts.get("second_insurer")}
    orgs = [*party_orgs(attrs), *municipalities(attrs, facts), *care_offices(facts)]
    return [org for org in dict.fromkeys(orgs) if org not in insurers]


def missing_commitments(ctx: Context) -> list[str]:
    done = set(ctx.facts.get("commitments", []))
    return [org for org in committing_orgs(ctx.attrs, ctx.facts) if org not in done]


def has_all_commitments(ctx: Context) -> bool:
    return not missing_commitments(ctx)


def has_financiers_if_domain_transcending(ctx: Context) -> bool:
    """A domain-transcending plan has its other financiers from the first contact."""
    return not ctx.attrs["domain_transcending"] or bool(
        municipalities(ctx.attrs, ctx.facts) or care_offices(ctx.facts))


def is_new_financier(ctx: Context) -> bool:
    org = ctx.actor.org
    return org not in municipalities(ctx.attrs, ctx.facts) and org not in care_offices(ctx.facts)


def is_own_kind(ctx: Context) -> bool:
    """The kind joined is the actor's role: a municipality joins as one, a care office too."""
    return ctx.payload.get("kind") == ctx.actor.role


def provider_size_problems(ctx: Context) -> list[str]:
    """Parties whose fte is no size, or contradicts the provider_size they give."""
    found = []
    for party in ctx.payload.get("parties") or []:
        if not isinstance(party, dict) or party.get("fte") is None:
            continue
        fte, given = party["fte"], party.get("provider_size")
        if isinstance(fte, int | float) and not isinstance(fte, bool) and fte <= 0:
            found.append(f"{party.get('org')}: fte must be above 0")
        elif given is not None and given != settings.size_for_fte(fte):
            found.append(f"{party.get('org')}: {fte} fte is {settings.size_for_fte(fte)} "
                         f"(AZWA_SMALL_PROVIDER_MAX_FTE {settings.small_provider_max_fte()}), "
                         f"not {given}")
    return found


def has_consistent_provider_size(ctx: Context) -> bool:
    return not provider_size_problems(ctx)


# -- reviews (A4 §1.3, §1.b) ---------------------------------------------------------------------


def _reviews(ctx: Context, where: str = REVIEWS) -> dict[str, Any]:
    found: dict[str, Any] = ctx.facts.get(where, {})
    return found


def has_verdict(ctx: Context) -> bool:
    return ctx.payload.get("verdict") in VERDICTS


def has_conditions_if_conditional(ctx: Context) -> bool:
    return ctx.payload.get("verdict") != "conditional" or _text(ctx.payload.get("conditions"))


def names_replaced_verdict_if_given(ctx: Context) -> bool:
    """`replaces`, when given, names this organisation's standing verdict: a second review
    replaces the first on the record either way, never silently."""
    replaces = ctx.payload.get("replaces")
    if replaces is None:
        return True
    where = QUICK_TEST_REVIEWS if ctx.plan.state == "quick_test_under_review" else REVIEWS
    earlier = _reviews(ctx, where).get(f"{ctx.actor.role}:{ctx.actor.org}")
    return earlier is not None and bool(earlier["verdict"] == replaces)


def _reviewed(ctx: Context, role: str, where: str = REVIEWS) -> bool:
    for r in _reviews(ctx, where).values():  # noqa: SIM110 - a generator per call costs more
        if r["role"] == role:
            return True
    return False


def has_second_insurer_quick_test_review(ctx: Context) -> bool:
    """The quick test is decided after the second insurer's review (one assessment)."""
    return _reviewed(ctx, "second_insurer", QUICK_TEST_REVIEWS)


def negative_verdicts(ctx: Context) -> list[str]:
    """Who stands by a negative verdict that blocks approval: an insurer, a participating
    municipality on a social-domain plan, the assigned regional coordinator."""
    social = bool(ctx.attrs["social_domain"])
    assigned = ctx.facts.get("regional_coordinator") or {}
    found = []
    for review in _reviews(ctx).values():
        role = review["role"]
        blocks = (role in ("coordinating_insurer", "second_insurer")
                  or (role == "municipality" and social)
                  or (role == "regional_coordinator" and review["org"] == assigned.get("org")))
        if blocks and review["verdict"] == "negative":
            found.append(f"{review['org']} ({role})")
    return found


def has_no_negative_verdict(ctx: Context) -> bool:
    return not negative_verdicts(ctx)


# -- the regional coordinator (A4 §1.b.3) ---------------------------------------------------------


def _waivers(ctx: Context) -> list[str]:
    found: list[str] = ctx.facts.get("coordinator_waivers", [])
    return found


def is_waived_by_all(ctx: Context) -> bool:
    munis = municipalities(ctx.attrs, ctx.facts)
    return bool(munis) and all(m in _waivers(ctx) for m in munis)


def is_coordinator_open(ctx: Context) -> bool:
    """Not assigned yet, and not waived by every participating municipality."""
    return ctx.facts.get("regional_coordinator") is None and not is_waived_by_all(ctx)


def is_not_waived_by_actor(ctx: Context) -> bool:
    return ctx.actor.org not in _waivers(ctx) and ctx.facts.get("regional_coordinator") is None


def is_known_region(ctx: Context) -> bool:
    return settings.region_code(ctx.payload.get("region")) in settings.known_regions()


def is_coordinator_from_other_region(ctx: Context) -> bool:
    region = settings.region_code(ctx.payload.get("region"))
    return bool(region) and region != settings.region_code(ctx.attrs["region"])


def has_coordinator_review_unless_waived(ctx: Context) -> bool:
    """With municipalities taking part, the coordinator's review is needed unless waived."""
    if not municipalities(ctx.attrs, ctx.facts) or is_waived_by_all(ctx):
        return True
    assigned = ctx.facts.get("regional_coordinator")
    return assigned is not None and any(
        r["role"] == "regional_coordinator" and r["org"] == assigned["org"]
        for r in _reviews(ctx).values())


# -- escalation (A4 §1.4) --------------------------------------------------------------------------


def is_board_meeting_missed(ctx: Context) -> bool:
    return ctx.is_expired("board_meeting")


def has_question(ctx: Context) -> bool:
    return _text(ctx.payload.get("question"))


# -- implementation, settlement, lawfulness (A4 §1.7, §3.a) ---------------------------------------


def _kpi(ctx: Context) -> dict[str, Any] | None:
    kpis: dict[str, dict[str, Any]] = ctx.facts.get("kpis", {})
    return kpis.get(str(ctx.payload.get("kpi")))


def has_evidence(ctx: Context) -> bool:
    return _text(ctx.payload.get("evidence"))


def is_unconfirmed_kpi(ctx: Context) -> bool:
    kpi = _kpi(ctx)
    return kpi is not None and kpi["status"] != "confirmed"


def has_kpi_evidence(ctx: Context) -> bool:
    kpi = _kpi(ctx)
    return kpi is not None and _text(kpi.get("evidence"))


def is_no_go_moment(ctx: Context) -> bool:
    """An undecided go/no-go KPI, or an open KPI whose due date passed unmet (A4 §1.7.6)."""
    kpi = _kpi(ctx)
    if kpi is None:
        return False
    if kpi["go_no_go"] and kpi.get("decision") is None:
        return True
    return kpi["status"] == "open" and ctx.is_expired(f"kpi:{ctx.payload.get('kpi')}")


def amendment_problems(ctx: Context) -> list[str]:
    kpis = ctx.facts.get("kpis", {})
    return [Phrase("KPI {kpi} is settled already and cannot be amended", kpi=k.get("id"))
            for k in ctx.payload.get("kpis", []) if isinstance(k, dict)
            and str(k.get("id")) in kpis and kpis[str(k.get("id"))]["status"] in SETTLED]


def is_amendable(ctx: Context) -> bool:
    return not amendment_problems(ctx)


def amendment_terms(kpis: object) -> list[dict[str, Any]]:
    """The KPIs of an amendment in one comparable form (ids as text, amounts in cents, in
    id order): what a plan maker commits to and what amend_contract must then give."""
    terms = []
    for k in kpis if isinstance(kpis, list) else []:
        if not isinstance(k, dict):
            continue
        cents = None if amount_reason(k.get("amount_eur")) else parse_cents(k.get("amount_eur"))
        terms.append({"id": str(k.get("id")), "description": str(k.get("description", "")).strip(),
                      "amount_cents": cents, "due": str(k.get("due")),
                      "go_no_go": bool(k.get("go_no_go", False))})
    return sorted(terms, key=lambda k: k["id"])


def has_amendment_referred(ctx: Context) -> bool:
    """During implementation a commitment refers to the amendment it consents to (A4 §1.7.6):
    a bare commitment consents to nothing."""
    amendment = ctx.payload.get("amendment")
    return isinstance(amendment, dict) and bool(amendment_terms(amendment.get("kpis")))


def missing_amendment_commitments(ctx: Context) -> list[str]:
    """The plan makers who did not commit to exactly these KPIs."""
    done: dict[str, Any] = ctx.facts.get("amendment_commitments", {})
    terms = amendment_terms(ctx.payload.get("kpis"))
    return [org for org in party_orgs(ctx.attrs) if done.get(org) != terms]


def has_amendment_commitment(ctx: Context) -> bool:
    return not missing_amendment_commitments(ctx)


def refund_cents(ctx: Context) -> int:
    funds = ctx.plan.funds
    return max(0, funds["paid_cents"] - funds["costs_cents"])


def has_repayment_terms_if_refund(ctx: Context) -> bool:
    return refund_cents(ctx) == 0 or _text(ctx.payload.get("repayment_terms"))


def has_shortfall_measure_if_short(ctx: Context) -> bool:
    funds = ctx.plan.funds
    short = funds["costs_cents"] > funds["paid_cents"]
    return not short or ctx.payload.get("shortfall_measure") in SHORTFALL_MEASURES


def is_settled(ctx: Context) -> bool:
    return bool(ctx.facts.get("settled"))


def has_judgement_verdict(ctx: Context) -> bool:
    return ctx.payload.get("verdict") in LAWFULNESS_VERDICTS


def has_reason_if_unlawful(ctx: Context) -> bool:
    return ctx.payload.get("verdict") != "unlawful" or _text(ctx.payload.get("reason"))


def paid_kpis_without_evidence(ctx: Context) -> list[str]:
    kpis: dict[str, dict[str, Any]] = ctx.facts.get("kpis", {})
    return [k for k, v in kpis.items() if v["paid_cents"] > 0 and not _text(v.get("evidence"))]


def has_costs_and_kpi_evidence(ctx: Context) -> bool:
    """Cost registration, every KPI settled, and evidence for each KPI paid (A4 §3.a.5)."""
    return (int(ctx.facts.get("cost_records", 0)) > 0 and not open_kpis(ctx)
            and not paid_kpis_without_evidence(ctx))


# -- extension, breakthrough, institutions ---------------------------------------------------------


def is_movable_deadline(ctx: Context) -> bool:
    """The decision deadlines are not the deciding party's to move (A4 §1.5.1, §1.5.3)."""
    name = str(ctx.payload.get("deadline"))
    return name in MOVABLE or name.startswith("kpi:")


def is_breakthrough_plan(ctx: Context) -> bool:
    return bool(ctx.attrs["track"] == "breakthrough")


def is_single_applicant_open(ctx: Context) -> bool:
    return not ctx.attrs.get("single_applicant_granted")


def is_institution(org: str, role: str) -> bool:
    """The NZa and the governance board are one named organisation each (settings)."""
    named = settings.nza_org() if role == "nza" else settings.board_org()
    return same_org(org, named)


def is_not_committed_to_amendment(ctx: Context) -> bool:
    """Not committed already to this same amendment (a different one replaces it)."""
    done: dict[str, Any] = ctx.facts.get("amendment_commitments", {})
    amendment = ctx.payload.get("amendment")
    kpis = amendment.get("kpis") if isinstance(amendment, dict) else None
    return done.get(ctx.actor.org) != amendment_terms(kpis)


def modelplan_problems(ctx: Context) -> list[str]:
    """What keeps a breakthrough application from the modelplan's basiseisen (MP BE1–BE14).

    The modelplan checks are imported here, on a breakthrough plan's first submission or
    contract: a log of transformation plans, or a one-line replay, never loads them."""
    from states import modelplan_v2

    return modelplan_v2.modelplan_problems_v2(ctx)


def breakthrough_contract_problems(ctx: Context) -> list[str]:
    """What keeps a breakthrough contract's KPIs from 2027–2028 and the cap (MP BE4)."""
    from states import modelplan_v2

    return modelplan_v2.breakthrough_contract_problems(ctx)


def has_complete_modelplan(ctx: Context) -> bool:
    """A breakthrough application meets the modelplan's basiseisen (MP BE1–BE14)."""
    return ctx.attrs["track"] != "breakthrough" or not modelplan_problems(ctx)


def has_breakthrough_kpis(ctx: Context) -> bool:
    """A breakthrough contract's KPIs fall in 2027–2028, positive, below the cap (MP BE4)."""
    return ctx.attrs["track"] != "breakthrough" or not breakthrough_contract_problems(ctx)
