"""The breakthrough track's rules of `transformation@2` (DESIGN-v2.md "Breakthrough track (MP)").

Two guards: `modelplan_problems_v2` judges the modelplan of `submit_plan`/`resubmit_plan`,
`breakthrough_contract_problems` the KPI agreements of `sign_contract`/`amend_contract`. Each
problem is one line starting with its basiseis ("BE9 structural_savings_eur_per_year: ...").

What `transformation@2` changes against v1 (`states.modelplan.check_modelplan`, which stays
as it is for plans under `transformation@1`):
- BE12: every applicant is a party of the plan (`parties` of register_plan, compared as
  `normal_name` does); a single applicant needs the coordinating insurer's
  `grant_single_applicant` (attribute `single_applicant_granted`), an exemption argued in the
  document no longer counts;
- BE4: every budget line and every KPI due date lies in 2027–2028, every amount is positive
  and at most `max_amount_eur()` (setting AZWA_MP_MAX_AMOUNT_EUR, default € 400,000,000, the
  doorbraakmiddelen of one whole year, MP Samenvatting: a larger amount is a typing error);
- BE2: the business case given as numbers (`business_case`: costs_eur, benefits_eur,
  horizon_years), benefits above costs, the costs counting at least the funds asked;
- BE10: the three aspects the seed names at least (`data_conditions`: dependencies,
  data_quality, generic_functions), each answered;
- BE1–BE14: each answer is an answer in substance (`states.substantive`), not merely filled;
- BE8: the social-domain flag waives its first sentence (why the application does not get off
  the ground without a one-time investment: `sections.financien.eenmalige_impuls`) and no
  more; the answer to BE8 (how the impulse is secured afterwards) stays required.
What v1 already checks the same way is shared, not copied: BE1 fte per million euro, the
budget's years and providers (BE4, BE12) and BE9 (structural savings at least the structural
costs of each year).

The document of v2 is v1's with three optional fields (read by `states.modelplan_v2_doc`):
a v1 document reads, and the missing numbers are findings. Both guards are pure.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from functools import cache

from states.modelplan import (
    BASISEISEN,
    BUDGET_YEARS,
    Finding,
    Modelplan,
    ModelplanError,
    budget_findings,
    by_basiseis,
    euros,
    labour_findings,
    savings_findings,
)
from states.modelplan_v2_doc import DATA_CONDITIONS, ModelplanV2, parse_modelplan_v2
from states.substantive import answer_problem
from workflow.core.context import Context
from workflow.core.money import AmountError, parse_cents
from workflow.core.phrase import Phrase
from workflow.core.text import normal_name

__all__ = [
    "DEFAULT_MAX_AMOUNT_EUR",
    "MAX_AMOUNT_SETTING",
    "breakthrough_contract_problems",
    "check_modelplan_v2",
    "max_amount_eur",
    "modelplan_problems_v2",
]

TRACK = "breakthrough"
MAX_AMOUNT_SETTING = "AZWA_MP_MAX_AMOUNT_EUR"
DEFAULT_MAX_AMOUNT_EUR = 400_000_000
_YEARS = f"{BUDGET_YEARS[0]}–{BUDGET_YEARS[-1]}"


@cache
def max_amount_eur() -> int:
    """The largest single amount of a breakthrough plan, in whole euros: the setting
    AZWA_MP_MAX_AMOUNT_EUR, read once (like AZWA_MAX_AMOUNT_EUR), else the default."""
    text = os.environ.get(MAX_AMOUNT_SETTING, "").strip()
    if not text:
        return DEFAULT_MAX_AMOUNT_EUR
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError(f"{MAX_AMOUNT_SETTING} must be a whole number of euros, at least 1, "
                         f"not {text[:20]!r}")
    return int(text)


# --- the modelplan (submit_plan, resubmit_plan) ---------------------------------------------


def _answer_findings(doc: Modelplan) -> list[Finding]:
    findings: list[Finding] = []
    for number, basiseis in BASISEISEN.items():
        problem = answer_problem(doc.basiseisen.get(number, ""))
        if problem is None:
            continue
        ask = Phrase("describe how the one-time impulse is secured after the funding, through "
                     "regular operation and contracting (BE8's second sentence, which the "
                     "social-domain budget does not waive)" if number == 8
                     else "describe how the plan meets it")
        findings.append(Finding(number, f"basiseisen.{number}", Phrase(
            "the answer to basiseis {number} ({title}) {problem}: {ask}", number=number,
            title=basiseis.title, problem=problem, ask=ask)))
    if not doc.social_domain_budget:
        problem = answer_problem(doc.sections["financien"]["eenmalige_impuls"])
        if problem is not None:
            findings.append(Finding(8, "sections.financien.eenmalige_impuls", Phrase(
                "the answer {problem}: say why the application does not get off the ground "
                "without a one-time investment (BE8's first sentence; waived only for the "
                "social-domain budget)", problem=problem)))
    return findings


def _joint_application_findings(doc: Modelplan, parties: Sequence[str] | None,
                                 granted: bool) -> list[Finding]:
    if not doc.applicants:
        return [Finding(12, "applicants", Phrase("no applicants are named"))]
    findings: list[Finding] = []
    if parties is not None:
        known = {normal_name(org) for org in parties}
        for i, applicant in enumerate(doc.applicants):
            if normal_name(applicant.org) not in known:
                findings.append(Finding(12, f"applicants[{i}].org", Phrase(
                    "applicant {org!r} is not a party of the plan: the applicants are the "
                    "parties it was registered with", org=applicant.org)))
    if len({normal_name(a.org) for a in doc.applicants}) < 2 and not granted:
        claimed = (doc.joint_application_exemption or "").strip()
        findings.append(Finding(12, "applicants", Phrase(
            "a joint application needs two or more applicants; a single applicant only when "
            "the coordinating insurer grants it (grant_single_applicant) (the document's "
            "joint_application_exemption does not count)" if claimed else
            "a joint application needs two or more applicants; a single applicant only when "
            "the coordinating insurer grants it (grant_single_applicant)")))
    return findings


def _amount_problem(amount: float, cap: int) -> str | None:
    if amount <= 0:
        return Phrase("amount {amount} must be positive", amount=euros(amount))
    if amount > cap:
        return Phrase("amount {amount} exceeds {cap}, the most one amount may be ({setting})",
                      amount=euros(amount), cap=euros(cap), setting=MAX_AMOUNT_SETTING)
    return None


def _due_problem(due: date) -> str | None:
    if due.year in BUDGET_YEARS:
        return None
    return Phrase("due date {due} is outside {years}, the years the funds are spent in",
                  due=due, years=_YEARS)


def _amount_findings(doc: ModelplanV2, cap: int) -> list[Finding]:
    findings: list[Finding] = []
    for i, line in enumerate(doc.base.budget):
        problem = _amount_problem(line.amount_eur, cap)
        if problem:
            findings.append(Finding(4, f"budget[{i}].amount_eur", problem))
    for i, kpi in enumerate(doc.kpis):
        due = _due_problem(kpi.due)
        if due:
            findings.append(Finding(4, f"kpis[{i}].due", Phrase("KPI {kpi!r}: {problem}",
                                                                    kpi=kpi.id, problem=due)))
        amount = None if kpi.amount_eur is None else _amount_problem(kpi.amount_eur, cap)
        if amount:
            findings.append(Finding(4, f"kpis[{i}].amount_eur", Phrase(
                "KPI {kpi!r}: {problem}", kpi=kpi.id, problem=amount)))
    return findings


def _business_case_findings(doc: ModelplanV2) -> list[Finding]:
    case = doc.business_case
    if case is None or None in (case.costs_eur, case.benefits_eur, case.horizon_years):
        return [Finding(2, "business_case", Phrase(
            "give the business case as numbers: costs_eur, benefits_eur and horizon_years"))]
    costs, benefits, years = case.costs_eur or 0, case.benefits_eur or 0, case.horizon_years
    findings: list[Finding] = []
    if benefits <= costs:
        findings.append(Finding(2, "business_case.benefits_eur", Phrase(
            "the net effect is not positive: benefits of {benefits} against costs of {costs} "
            "over {years} year(s)", benefits=euros(benefits), costs=euros(costs),
            years=years)))
    asked = doc.base.total_eur
    if costs < asked:
        findings.append(Finding(2, "business_case.costs_eur", Phrase(
            "costs of {costs} leave out part of the {asked} the budget asks: the business "
            "case counts the funds as costs", costs=euros(costs), asked=euros(asked))))
    return findings


def _data_condition_findings(doc: ModelplanV2) -> list[Finding]:
    findings: list[Finding] = []
    for key, label in DATA_CONDITIONS.items():
        problem = answer_problem(doc.data_conditions.get(key, ""))
        if problem:
            findings.append(Finding(10, f"data_conditions.{key}", Phrase(
                "the answer {problem}: name what is needed for {aspect}, one of the three "
                "aspects BE10 asks at least", problem=problem, aspect=label)))
    return findings


def check_modelplan_v2(doc: ModelplanV2, *, parties: Sequence[str] | None = None,
                       single_applicant_granted: bool = False,
                       max_amount: int | None = None) -> list[Finding]:
    """Every finding of `transformation@2` at once, ordered by basiseis.

    `parties`: the plan's parties (None where they are unknown, as for a file checked on its
    own: then the applicants are not compared with them). `max_amount` defaults to the
    setting."""
    base = doc.base
    cap = max_amount_eur() if max_amount is None else max_amount
    return by_basiseis([
        *_answer_findings(base),
        *_joint_application_findings(base, parties, single_applicant_granted),
        *labour_findings(base),
        *budget_findings(base),
        *_amount_findings(doc, cap),
        *_business_case_findings(doc),
        *savings_findings(base),
        *_data_condition_findings(doc),
    ])


def _party_orgs(ctx: Context) -> list[str]:
    parties = ctx.attrs.get("parties", [])
    return [p["org"] for p in parties if isinstance(p, dict) and isinstance(p.get("org"), str)]


def modelplan_problems_v2(ctx: Context) -> list[str]:
    """Why the payload's modelplan falls short of `transformation@2` (MP BE1–BE14), one line
    a problem; [] when it meets it, and on the transformation track (no modelplan there)."""
    if ctx.attrs.get("track") != TRACK:
        return []
    try:
        doc = parse_modelplan_v2(ctx.payload.get("modelplan"))
    except ModelplanError as exc:
        return [Phrase("BE1–BE14 modelplan: {error}", error=exc.text)]
    findings = check_modelplan_v2(
        doc, parties=_party_orgs(ctx),
        single_applicant_granted=ctx.attrs.get("single_applicant_granted") is True)
    return [Phrase("BE{number} {field}: {message}", number=f.basiseis, field=f.field,
                   message=f.message) for f in findings]


# --- the contract (sign_contract, amend_contract) -------------------------------------------


def breakthrough_contract_problems(ctx: Context) -> list[str]:
    """MP BE4 for the KPI agreements of a breakthrough plan: each due date in 2027–2028, each
    amount positive and at most the cap; [] on the transformation track.

    A KPI whose `due` or `amount_eur` cannot be read is left to the contract's own check
    (`kpi_problems`, A4 §1.7), which names it; this one judges what it can read."""
    if ctx.attrs.get("track") != TRACK:
        return []
    kpis = ctx.payload.get("kpis")
    if not isinstance(kpis, list):
        return []
    problems: list[str] = []
    cap = max_amount_eur()
    for i, kpi in enumerate(kpis):
        if not isinstance(kpi, dict):
            continue
        name = f"KPI {kpi['id']!r}: " if isinstance(kpi.get("id"), str) else ""
        try:
            due = date.fromisoformat(str(kpi.get("due")))
        except ValueError:
            pass
        else:
            problem = _due_problem(due)
            if problem:
                problems.append(Phrase("BE4 kpis[{i}].due: {name}{problem}", i=i, name=name,
                                       problem=problem))
        try:
            cents = parse_cents(kpi.get("amount_eur"))
        except AmountError:
            continue
        problem = _amount_problem(cents / 100, cap)
        if problem:
            problems.append(Phrase("BE4 kpis[{i}].amount_eur: {name}{problem}", i=i, name=name,
                                   problem=problem))
    return problems
