"""Guard predicates of the process, each citing the seed paragraph it comes from.

A4 = "Concretisering van de acties – Actie 4 AZWA"; MP = "Definities en uitgangspunten voor
totstandkoming modelplannen" (basiseisen BE1–BE14).

Guards read `ctx.plan.facts` and `ctx.plan.attrs`, not the context's properties of the same:
a property is one more call, and a simulation judges guards for every step it considers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.core.context import Context
from workflow.core.money import amount_problem, parse_cents
from workflow.core.phrase import Phrase
from workflow.core.spec import Guard
from workflow.core.text import normal_name
from workflow.core.timecalc import local_date

CRITERIA = ("care_use", "redistribution", "staff_deployment", "care_real_estate")
CHARACTERS = ("innovation", "scaling")
VERDICTS = ("positive", "negative", "conditional")
TRACKS = ("transformation", "breakthrough")
SETTLED = ("confirmed", "partial")


# -- what the plan says about its parties ---------------------------------------------------


def participating_municipalities(attrs: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Municipalities listed at registration or joined since (A4 §1.b.3)."""
    listed = []
    for m in attrs.get("municipalities", ()):  # a loop: a comprehension is a call of its own
        listed.append(m["org"])
    joined = facts.get("joined", ())
    if len(joined) == 0:  # most plans: nobody joined, no second list to build
        return listed
    return listed + [org for org in (m["org"] for m in joined) if org not in listed]


def party_orgs(attrs: dict[str, Any]) -> list[str]:
    """The plan maker parties' organisations; asked for every membership and actor list, so
    a loop, not a comprehension (a call of its own in this Python)."""
    orgs = []
    for p in attrs.get("parties", []):
        orgs.append(p["org"])
    return orgs


def second_insurer(ctx_or_facts: dict[str, Any]) -> str | None:
    value = ctx_or_facts.get("second_insurer")
    return str(value) if value else None


def committing_orgs(attrs: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Every organisation whose commitment approval needs (A4 §1.b.1, "alle betrokken
    partijen"): each party and each participating municipality. Not the two insurers: they
    approve, and their approval is their commitment (DESIGN.md, record_commitment)."""
    insurers = {attrs.get("coordinating_insurer"), second_insurer(facts)}
    orgs = [*party_orgs(attrs), *participating_municipalities(attrs, facts)]
    return [org for org in dict.fromkeys(orgs) if org not in insurers]


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def same_org(a: Any, b: Any) -> bool:
    """Two names of one organisation: case and spacing do not tell organisations apart."""
    return isinstance(a, str) and isinstance(b, str) and normal_name(a) == normal_name(b)


# -- registration ---------------------------------------------------------------------------


def registration_problems(ctx: Context) -> list[str]:
    p = ctx.payload
    problems: list[str] = []
    for key in ("title", "region", "coordinating_insurer"):
        if not _text(p.get(key)):
            problems.append(Phrase("{key} must be a non-empty text", key=key))
    if p.get("track") not in TRACKS:
        problems.append(Phrase("track must be one of {tracks}", tracks=", ".join(TRACKS)))
    for key in ("social_domain", "domain_transcending"):
        if not isinstance(p.get(key), bool):
            problems.append(Phrase("{key} must be true or false", key=key))
    parties = p.get("parties")
    if not isinstance(parties, list) or not parties:
        problems.append(Phrase("parties must list at least one organisation"))
    elif not all(isinstance(x, dict) and _text(x.get("org")) for x in parties):
        problems.append(Phrase("every party needs an org"))
    if p.get("second_insurer") is not None and not _text(p.get("second_insurer")):
        problems.append(Phrase("second_insurer must be a name or null"))
    elif same_org(p.get("second_insurer"), p.get("coordinating_insurer")):
        problems.append(Phrase("second_insurer must be another insurer than the coordinating "
                               "insurer (A4 §1.3)"))
    munis = p.get("municipalities", [])
    if not isinstance(munis, list) or not all(
        isinstance(m, dict) and _text(m.get("org")) and _text(m.get("region")) for m in munis
    ):
        problems.append(Phrase("municipalities must be a list of {org, region}"))
    return problems


def is_valid_registration(ctx: Context) -> bool:
    return not registration_problems(ctx)


def is_registrant_a_party(ctx: Context) -> bool:
    parties = ctx.payload.get("parties")
    if not isinstance(parties, list):
        return False
    return ctx.actor.org in [x.get("org") for x in parties if isinstance(x, dict)]


# -- start and quick test (A4 §1.a, §1.3, §1.8) ------------------------------------------------


def has_financiers_if_domain_transcending(ctx: Context) -> bool:
    return not ctx.plan.attrs["domain_transcending"] or bool(
        participating_municipalities(ctx.plan.attrs, ctx.plan.facts)
    )


def has_second_insurer(ctx: Context) -> bool:
    return second_insurer(ctx.plan.facts) is not None


def is_second_insurer_open(ctx: Context) -> bool:
    """No second insurer is named yet: it is named once, from the start (A4 §1.3.1)."""
    return second_insurer(ctx.plan.facts) is None


def has_agreed_character(ctx: Context) -> bool:
    return ctx.plan.facts.get("character") in CHARACTERS


def is_valid_character(ctx: Context) -> bool:
    return ctx.payload.get("character") in CHARACTERS


def is_new_financier(ctx: Context) -> bool:
    return ctx.actor.org not in participating_municipalities(ctx.plan.attrs, ctx.plan.facts)


def has_named_org(ctx: Context) -> bool:
    return _text(ctx.payload.get("org"))


def is_other_insurer(ctx: Context) -> bool:
    """The second insurer named is not the coordinating insurer: A4 §1.3 ("Tweede
    zorgverzekeraar wordt parallel betrokken") has the coordinating insurer involve a second
    one from the start (§1.3.1) and share the joint feedback of both (§1.3.2); one insurer in
    both roles would review the plan alone."""
    return not same_org(ctx.payload.get("org"), ctx.plan.attrs.get("coordinating_insurer"))


def has_missing_list(ctx: Context) -> bool:
    missing = ctx.payload.get("missing")
    return isinstance(missing, list) and bool(missing) and all(_text(m) for m in missing)


def has_reason(ctx: Context) -> bool:
    return _text(ctx.payload.get("reason"))


# -- plan content (A4 §2.b.1; MP) -------------------------------------------------------------


def impact_problems(ctx: Context) -> list[str]:
    impact = ctx.payload.get("impact")
    if not isinstance(impact, dict):
        return [Phrase("impact is missing: name the criteria, transition goals and regional plan")]
    problems: list[str] = []
    criteria = impact.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        problems.append(Phrase("impact.criteria needs at least one of {criteria}",
                                   criteria=", ".join(CRITERIA)))
    else:
        unknown = [c for c in criteria if c not in CRITERIA]
        if unknown:
            problems.append(Phrase("unknown criteria {unknown}; the four are {criteria}",
                                       unknown=unknown, criteria=", ".join(CRITERIA)))
    for key in ("transition_goals", "regional_plan"):
        if not _text(impact.get(key)):
            problems.append(Phrase("impact.{key} must describe the plan's impact on it", key=key))
    return problems


def has_impact_on_criteria(ctx: Context) -> bool:
    return ctx.plan.attrs["track"] != "transformation" or not impact_problems(ctx)


def modelplan_problems(ctx: Context) -> list[str]:
    # Imported here: only a breakthrough plan's submission reads the modelplan checks, and
    # `azwa replay` of a transformation log need not load them at start-up.
    from states import modelplan

    try:
        doc = modelplan.parse_modelplan(ctx.payload.get("modelplan"))
    except modelplan.ModelplanError as exc:
        return [exc.text]
    return [Phrase("BE{number} {field}: {message}", number=f.basiseis, field=f.field,
                   message=f.message) for f in modelplan.check_modelplan(doc)]


def has_complete_modelplan(ctx: Context) -> bool:
    return ctx.plan.attrs["track"] != "breakthrough" or not modelplan_problems(ctx)


# -- joint review (A4 §1.b, §1.3) ---------------------------------------------------------------


def has_verdict(ctx: Context) -> bool:
    return ctx.payload.get("verdict") in VERDICTS


def own_review(ctx: Context) -> dict[str, Any] | None:
    reviews: dict[str, Any] = ctx.plan.facts.get("reviews", {})
    found: dict[str, Any] | None = reviews.get(f"{ctx.actor.role}:{ctx.actor.org}")
    return found


def is_first_review_or_replaces(ctx: Context) -> bool:
    """A first review carries no `replaces`; a second one by the same organisation names
    the verdict it replaces, so a changed verdict is on record as a change (A4 §1.3.2)."""
    earlier, replaces = own_review(ctx), ctx.payload.get("replaces")
    if earlier is None:
        return replaces is None
    return bool(replaces == earlier["verdict"])


def replaces_problem(ctx: Context) -> str:
    earlier = own_review(ctx)
    if earlier is None:
        return Phrase("this organisation has not reviewed the plan yet: leave out `replaces`")
    return Phrase("{org} reviewed already ({verdict}): give \"replaces\": \"{verdict}\" to "
                  "replace that verdict", org=ctx.actor.org, verdict=earlier["verdict"])


def _reviewed(ctx: Context, role: str, org: str | None = None) -> bool:
    reviews: dict[str, Any] = ctx.plan.facts.get("reviews", {})
    for r in reviews.values():  # noqa: SIM110 - a generator per call would cost more here
        if r["role"] == role and (org is None or r["org"] == org):
            return True
    return False


def has_both_insurer_reviews(ctx: Context) -> bool:
    return _reviewed(ctx, "coordinating_insurer") and _reviewed(ctx, "second_insurer")


def has_municipality_review_if_social_domain(ctx: Context) -> bool:
    return not ctx.plan.attrs["social_domain"] or _reviewed(ctx, "municipality")


def has_coordinator_review_if_assigned(ctx: Context) -> bool:
    assigned = ctx.plan.facts.get("regional_coordinator")
    return assigned is None or _reviewed(ctx, "regional_coordinator", assigned["org"])


def has_social_domain_approval(ctx: Context) -> bool:
    plan = ctx.plan
    return not plan.attrs["social_domain"] or plan.facts.get("social_domain_approval") is True


def missing_commitments(ctx: Context) -> list[str]:
    done = set(ctx.plan.facts.get("commitments", []))
    return [org for org in committing_orgs(ctx.plan.attrs, ctx.plan.facts) if org not in done]


def has_all_commitments(ctx: Context) -> bool:
    return not missing_commitments(ctx)


def has_joint_feedback(ctx: Context) -> bool:
    return bool(ctx.plan.facts.get("joint_feedback"))


def is_social_domain_plan(ctx: Context) -> bool:
    return bool(ctx.plan.attrs["social_domain"])


def is_coordinator_from_other_region(ctx: Context) -> bool:
    region = ctx.payload.get("region")
    return _text(region) and bool(region != ctx.plan.attrs["region"])


def is_coordinator_open(ctx: Context) -> bool:
    """Neither assigned nor waived yet: the choice is made once (A4 §1.b.3)."""
    return ctx.plan.facts.get("regional_coordinator") is None and not ctx.plan.facts.get(
        "coordinator_waived"
    )


def is_not_committed_yet(ctx: Context) -> bool:
    return ctx.actor.org not in ctx.plan.facts.get("commitments", [])


# -- contract, implementation, accountability (A4 §1.7, §3.a) ----------------------------------


def kpi_problems(ctx: Context) -> list[str]:
    kpis = ctx.payload.get("kpis")
    if not isinstance(kpis, list) or not kpis:
        return [Phrase("kpis must list at least one KPI agreement")]
    problems: list[str] = []
    seen: set[str] = set()
    today = local_date(ctx.at)
    for i, kpi in enumerate(kpis):
        where = f"kpis[{i}]"
        if not isinstance(kpi, dict):
            problems.append(Phrase("{where} must be an object", where=where))
            continue
        kid = kpi.get("id")
        if not _text(kid) or ":" in str(kid):
            problems.append(Phrase("{where}.id must be a non-empty text without ':'", where=where))
        elif kid in seen:
            problems.append(Phrase("{where}.id {kid!r} is used twice", where=where, kid=kid))
        else:
            seen.add(str(kid))
        if not _text(kpi.get("description")):
            problems.append(Phrase("{where}.description is missing", where=where))
        problem = amount_problem(kpi.get("amount_eur"), f"{where}.amount_eur")
        if problem:
            problems.append(problem)
        if not isinstance(kpi.get("go_no_go", False), bool):
            problems.append(Phrase("{where}.go_no_go must be true or false", where=where))
        try:
            due = date.fromisoformat(str(kpi.get("due")))
        except ValueError:
            problems.append(Phrase("{where}.due must be a date YYYY-MM-DD", where=where))
            continue
        if due < today:
            problems.append(Phrase("{where}.due {due} lies before the contract is signed",
                                   where=where, due=due))
    return problems


def has_valid_kpis(ctx: Context) -> bool:
    return not kpi_problems(ctx)


def _kpi(ctx: Context) -> dict[str, Any] | None:
    kpis: dict[str, dict[str, Any]] = ctx.plan.facts.get("kpis", {})
    return kpis.get(str(ctx.payload.get("kpi")))


def is_open_kpi(ctx: Context) -> bool:
    kpi = _kpi(ctx)
    return kpi is not None and kpi["status"] == "open"


def has_delivered_efforts(ctx: Context) -> bool:
    return ctx.payload.get("efforts_delivered") is True


def payload_amount_problem(ctx: Context) -> str:
    """Why the payload's `amount_eur` is no amount (NaN, Infinity, too large, ...), or ""."""
    return amount_problem(ctx.payload.get("amount_eur"), "amount_eur") or ""


def is_within_kpi_amount(ctx: Context) -> bool:
    kpi, amount = _kpi(ctx), ctx.payload.get("amount_eur")
    if kpi is None or amount_problem(amount, "amount_eur"):
        return False
    return parse_cents(amount) <= int(kpi["amount_cents"])


def is_undecided_go_no_go_kpi(ctx: Context) -> bool:
    kpi = _kpi(ctx)
    return kpi is not None and bool(kpi["go_no_go"]) and kpi.get("decision") is None


def has_cost_amount(ctx: Context) -> bool:
    return not payload_amount_problem(ctx) and _text(ctx.payload.get("period"))


def has_summary(ctx: Context) -> bool:
    return _text(ctx.payload.get("summary"))


def open_kpis(ctx: Context) -> list[str]:
    kpis: dict[str, dict[str, Any]] = ctx.plan.facts.get("kpis", {})
    return [k for k, v in kpis.items() if v["status"] not in SETTLED]


def has_all_kpis_settled(ctx: Context) -> bool:
    return not open_kpis(ctx)


def is_not_settled(ctx: Context) -> bool:
    return not ctx.plan.facts.get("settled")


def has_approved_plan_and_contract(ctx: Context) -> bool:
    return bool(ctx.plan.facts.get("approved_at")) and bool(ctx.plan.facts.get("kpis"))


def has_payment_decision(ctx: Context) -> bool:
    return bool(ctx.plan.facts.get("payment_decision"))


def has_costs_and_kpi_evidence(ctx: Context) -> bool:
    return int(ctx.plan.facts.get("cost_records", 0)) > 0 and has_all_kpis_settled(ctx)


def has_monitoring(ctx: Context) -> bool:
    return int(ctx.plan.facts.get("monitoring_records", 0)) > 0


# -- deadlines and escalation (A4 §1.5, §1.4) -----------------------------------------------------


def is_plan_submission_expired(ctx: Context) -> bool:
    return ctx.is_expired("plan_submission")


def is_running_deadline(ctx: Context) -> bool:
    return ctx.is_running(str(ctx.payload.get("deadline")))


def is_later_due(ctx: Context) -> bool:
    deadline = ctx.plan.deadlines.get(str(ctx.payload.get("deadline")))
    try:
        until = date.fromisoformat(str(ctx.payload.get("until")))
    except ValueError:
        return False
    return deadline is not None and until > deadline.due


def has_issue(ctx: Context) -> bool:
    return _text(ctx.payload.get("issue"))


def has_contact(ctx: Context) -> bool:
    return _text(ctx.payload.get("contact"))


def is_board_meeting_expired(ctx: Context) -> bool:
    return ctx.is_expired("board_meeting")


# -- the guards as the definition uses them -------------------------------------------------------


def guard(
    check: Any, seed: str, message: str, explain: Any = None, only_for: Any = None
) -> Guard:
    """A Guard named after its predicate, so a refusal names the function that said no."""
    return Guard(
        name=check.__name__,
        seed=seed,
        message=message,
        check=check,
        explain=explain,
        only_for=frozenset(only_for) if only_for else None,
    )


def reason(seed: str) -> Guard:
    return guard(has_reason, seed, "Give a reason")
