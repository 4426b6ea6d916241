"""transformation@2: the seeds read again (DESIGN-v2.md), built from transformation@1's parts.

What v2 does not name is @1's own transition, guard or deadline, taken from
states/transformation.py (never copied); what it changes is replaced here, trigger by trigger.
"""

from __future__ import annotations

from dataclasses import replace

from states import effects_v2 as fx2
from states import guards as g
from states import guards_v2 as g2
from states import transformation as v1
from states.agenda_v2 import agenda
from states.guards import guard, reason
from states.payloads_v2 import PAYLOADS
from states.roles_v2 import FINANCIERS, MEMBERSHIP, MEMBERSHIP_SEED, PARTIES, ROLES, actors
from states.settings import v2_from
from workflow.core.phrase import Phrase, listed
from workflow.core.spec import AIM, Definition, Guard, Region, Transition

PM, CI, SI = v1.PM, v1.CI, v1.SI
MUNI, RC, NZA, CARE = v1.MUNI, v1.RC, v1.NZA, "care_office"
AZWA = "azwa"

STATES = (*v1.STATES[: v1.STATES.index("closed")], "settlement_due",
          *v1.STATES[v1.STATES.index("closed"):])
FINALS = v1.FINALS
LIVE = tuple(s for s in STATES if s not in FINALS)
WORKED_OUT_OR_CARRIED_OUT = v1.WORKED_OUT_OR_CARRIED_OUT
REVIEWERS = frozenset({*v1.REVIEWERS, CARE})
t = v1.t


def _v1(trigger: str, source: str | None = None) -> Transition:
    """@1's transition of `trigger` (from `source` where it has several)."""
    return next(tr for tr in v1.MAIN if tr.trigger == trigger
                and (source is None or source in tr.sources))


def _without(guards: tuple[Guard, ...], *names: str) -> tuple[Guard, ...]:
    return tuple(x for x in guards if x.name not in names)


FINANCIERS_JOINED = guard(
    g2.has_financiers_if_domain_transcending, "A4 §1.a.1",
    "A domain-transcending plan needs its other financiers (a municipality or care office) "
    "from the first contact")
PLAN_CONTENT = (
    v1.PLAN_CONTENT[0],
    guard(g2.has_complete_modelplan, "MP BE1–BE14",
          "A breakthrough application must meet every basiseis of the modelplan",
          explain=lambda c: listed(g2.modelplan_problems(c))),
)
CONTRACT = (
    guard(g.has_valid_kpis, "A4 §3.a.5",
          "The agreement needs KPI agreements with amounts and due dates",
          explain=lambda c: listed(g.kpi_problems(c))),
    guard(g2.has_breakthrough_kpis, "MP BE4",
          "A breakthrough contract's KPIs fall in 2027–2028 with positive amounts below the cap",
          explain=lambda c: listed(g2.breakthrough_contract_problems(c))),
)
VERDICT = (
    guard(g2.has_verdict, "A4 §1.3", "The verdict is positive, conditional or negative"),
    guard(g2.has_conditions_if_conditional, "A4 §1.3",
          "A conditional verdict names its conditions"),
    guard(g2.names_replaced_verdict_if_given, "A4 §1.3",
          "`replaces` must name this organisation's standing verdict"),
)
APPROVAL = (
    *_without(v1.APPROVAL, "has_coordinator_review_if_assigned", "has_all_commitments"),
    guard(g2.has_coordinator_review_unless_waived, "A4 §1.b.3",
          "The regional coordinator must review the plan unless every participating "
          "municipality waived it"),
    guard(g2.has_all_commitments, "A4 §1.b.1",
          "Every party and participating municipality or other financier must have committed",
          explain=lambda c: Phrase("missing {orgs}",
                                   orgs=", ".join(g2.missing_commitments(c)))),
    guard(g2.has_no_negative_verdict, "A4 §1.3.2, §1.b",
          "A negative verdict stands: request a revision or reject the plan",
          explain=lambda c: Phrase("negative: {reviews}",
                                   reviews=", ".join(g2.negative_verdicts(c)))),
)
NO_GO = guard(g2.is_no_go_moment, "A4 §1.7.6",
              "That KPI is no undecided go/no-go moment and no KPI whose due date passed unmet")
SETTLE = (
    guard(g.is_not_settled, "A4 §3.a.4", "The funds were settled already"),
    guard(g2.has_repayment_terms_if_refund, "A4 §3.a.4",
          "Funds received beyond the costs are repaid: agree the repayment_terms"),
    guard(g2.has_shortfall_measure_if_short, "A4 §3.a.4",
          "The costs exceed the funds paid: name the shortfall_measure (adjust, extra_funds, "
          "stop_part)"),
)
LAWFULNESS = (
    guard(g2.is_settled, "A4 §3.a.4", "Settle the funds before the lawfulness judgement"),
    guard(g2.has_judgement_verdict, "A4 §3.a.5", "The verdict is lawful or unlawful"),
    guard(g2.has_reason_if_unlawful, "A4 §3.a.5", "An unlawful verdict gives its reason"),
    *(x if x.name != "has_costs_and_kpi_evidence" else guard(
        g2.has_costs_and_kpi_evidence, "A4 §3.a.5",
        "Cost registration, every KPI settled, and evidence for every KPI paid are required",
        explain=lambda c: Phrase(
            "cost records {count}, open KPIs {kpis}, paid without evidence {unproven}",
            count=c.facts.get("cost_records", 0), kpis=g.open_kpis(c),
            unproven=g2.paid_kpis_without_evidence(c)))
      for x in v1.LAWFULNESS),
)


def _changed() -> dict[str, Transition | tuple[Transition, ...] | None]:
    """Per @1 trigger: its v2 transition(s), or None where v2 drops it."""
    return {
        "join_as_financier": replace(
            _v1("join_as_financier"), roles=FINANCIERS,
            guards=(guard(g2.is_new_financier, "A4 §1.a.1", "This financier already takes part"),
                    guard(g2.is_own_kind, "A4 §1.a.1",
                          "The kind joined is the actor's own: municipality or care_office")),
            effect=fx2.join_financier),
        "hold_start_meeting": replace(_v1("hold_start_meeting"),
                                      guards=(FINANCIERS_JOINED, v1.SECOND_INSURER)),
        "submit_quick_test": replace(
            _v1("submit_quick_test"),
            guards=(_v1("submit_quick_test").guards[0], FINANCIERS_JOINED, v1.SECOND_INSURER)),
        "resubmit_quick_test": replace(_v1("resubmit_quick_test"), seed=AZWA),
        "accept_quick_test_as_complete": replace(_v1("accept_quick_test_as_complete"),
                                                 seed=AZWA),
        "approve_quick_test": replace(_v1("approve_quick_test"), guards=(QUICK_TEST_DECIDED,)),
        "reject_quick_test": replace(_v1("reject_quick_test"),
                                     guards=(*_v1("reject_quick_test").guards,
                                             QUICK_TEST_DECIDED)),
        "submit_plan": replace(_v1("submit_plan"), guards=PLAN_CONTENT),
        "resubmit_plan": replace(_v1("resubmit_plan"), seed=AZWA, guards=PLAN_CONTENT),
        "accept_plan_as_complete": replace(_v1("accept_plan_as_complete"), seed=AZWA),
        "submit_review": (
            t("submit_review", "quick_test_under_review", None, SI, "A4 §1.3.2", *VERDICT,
              effect=fx2.record_review),
            replace(_v1("submit_review"), roles=REVIEWERS, guards=VERDICT,
                    effect=fx2.record_review),
        ),
        "assign_regional_coordinator": replace(
            _v1("assign_regional_coordinator"),
            guards=(_v1("assign_regional_coordinator").guards[0],
                    guard(g2.is_known_region, AZWA,
                          "Name one of the known regions (AZWA_REGIONS_FILE)"),
                    guard(g2.is_coordinator_from_other_region, "A4 §1.b.3",
                          "A regional coordinator never assesses a plan of its own region"),
                    guard(g2.is_coordinator_open, "A4 §1.b.3",
                          "The regional coordinator was already assigned or waived by every "
                          "participating municipality"))),
        "waive_regional_coordinator": replace(
            _v1("waive_regional_coordinator"),
            guards=(guard(g2.is_not_waived_by_actor, "A4 §1.b.3",
                          "This municipality waived already, or a coordinator is assigned"),),
            effect=fx2.waive_coordinator),
        "record_commitment": (
            replace(_v1("record_commitment"), roles=frozenset({PM, MUNI, CARE}),
                    effect=fx2.record_commitment),
            t("record_commitment", "in_implementation", None, PM, "A4 §1.7.6",
              guard(g2.has_amendment_referred, "A4 §1.7.6",
                    "During implementation a commitment names the amendment it consents to: "
                    "give `amendment` with its KPIs"),
              guard(g2.is_not_committed_to_amendment, "A4 §1.7.6",
                    "Committed to this amendment already"),
              effect=fx2.record_commitment),
        ),
        "approve_plan": replace(_v1("approve_plan"), guards=APPROVAL),
        "request_revision": replace(_v1("request_revision"), seed=AZWA, guards=(reason(AZWA),)),
        "sign_contract": replace(_v1("sign_contract"), seed="A4 §3.a.5", guards=CONTRACT),
        "confirm_kpi": replace(_v1("confirm_kpi"), guards=(
            v1.OPEN_KPI, guard(g2.has_kpi_evidence, "A4 §3.a.5",
                               "The plan maker must report the KPI with its evidence first"))),
        "decide_no_go": replace(_v1("decide_no_go"), dest="settlement_due", guards=(NO_GO,),
                                effect=fx2.decide_no_go),
        "record_costs": replace(_v1("record_costs"),
                                sources=(*_v1("record_costs").sources, "settlement_due"),
                                effect=fx2.record_costs),
        "settle": (replace(_v1("settle"), guards=SETTLE, effect=fx2.settle),
                   t("settle", "settlement_due", "terminated", CI, "A4 §3.a.4", *SETTLE,
                     effect=fx2.settle)),
        "give_lawfulness_judgement": replace(_v1("give_lawfulness_judgement"),
                                             guards=LAWFULNESS, effect=fx2.judge_lawfulness),
        "withdraw": replace(_v1("withdraw"), seed=AZWA),
        "close_lapsed": replace(_v1("close_lapsed"), seed=AZWA),
        "extend_deadline": replace(
            _v1("extend_deadline"), sources=LIVE, seed=AZWA,
            guards=(guard(g2.is_movable_deadline, "A4 §1.5.3",
                          "Only plan_submission and kpi:<id> can be moved: a decision "
                          "deadline is not the deciding party's to move"),
                    guard(g.is_running_deadline, AZWA, "That deadline is not running"),
                    guard(g.is_later_due, AZWA, "The new date must lie after the current due "
                          "date"),
                    reason(AZWA))),
    }


QUICK_TEST_DECIDED = guard(
    g2.has_second_insurer_quick_test_review, "A4 §1.3.2",
    "The second insurer reviews the quick test first: one assessment, decided after it")

NEW = (
    t("report_kpi", ("in_implementation", "accountability"), None, PM, "A4 §3.a.5",
      guard(g2.is_unconfirmed_kpi, "A4 §3.a.5", "That KPI is no unconfirmed KPI of the contract"),
      guard(g2.has_evidence, "A4 §3.a.5", "Give the evidence: a document reference"),
      effect=fx2.report_kpi),
    t("amend_contract", "in_implementation", None, CI, "A4 §1.7.6", *CONTRACT,
      guard(g2.is_amendable, "A4 §1.7.6", "A settled KPI is not amended",
            explain=lambda c: listed(g2.amendment_problems(c))),
      guard(g2.has_amendment_commitment, "A4 §1.7.6",
            "Every plan maker commits to exactly this amendment first (record_commitment "
            "with its KPIs)",
            explain=lambda c: Phrase("missing {orgs}",
                                     orgs=", ".join(g2.missing_amendment_commitments(c)))),
      reason("A4 §1.7.6"), effect=fx2.amend_contract),
    t("grant_single_applicant", g2.GRANTABLE_FROM, None, CI, "MP BE12",
      guard(g2.is_breakthrough_plan, "MP BE12", "Only a breakthrough plan applies jointly"),
      guard(g2.is_single_applicant_open, "MP BE12", "The exemption was granted already"),
      reason("MP BE12"), effect=fx2.grant_single_applicant),
)


def _each_changed(tr: Transition) -> Transition | None:
    """A change v2 makes to every one of a trigger's @1 transitions, each in its place."""
    if tr.trigger == "request_information":  # §1.5.1 and §1.5.3 do not mention it
        return replace(tr, seed=AZWA, guards=(guard(g.has_missing_list, AZWA,
                                                    "Say what is missing"),))
    return None


def _main() -> tuple[Transition, ...]:
    changed = _changed()
    out: list[Transition] = []
    done: set[str] = set()
    for tr in v1.MAIN:
        each = _each_changed(tr)
        if each is not None:
            out.append(each)
        elif tr.trigger not in changed:
            out.append(tr)
        elif tr.trigger not in done:
            done.add(tr.trigger)
            new = changed[tr.trigger]
            if isinstance(new, Transition):
                out.append(new)
            elif new is not None:
                out += new
    return (*out, *NEW)


MAIN = _main()

LADDER = ("none", "bilateral", "convened", "board_level")
ESCALATION = Region(
    name="escalation",
    states=LADDER,
    initial="none",
    open_in=WORKED_OUT_OR_CARRIED_OUT,
    open_seed=v1.ESCALATION.open_seed,
    transitions=(
        *(tr for tr in v1.ESCALATION.transitions
          if tr.trigger in ("escalate", "hold_board_meeting", "resolve_escalation")
          and "governance" not in (*tr.sources, tr.dest)),
        t("contact_board_level", "board_level", None, PM, "A4 §1.4.4",
          guard(g2.is_board_meeting_missed, "A4 §1.4.4",
                "A plan maker contacts the board level itself only after the two-week aim "
                "was missed"),
          guard(g.has_contact, "A4 §1.4.4", "Name whom you contacted"),
          effect=fx2.contact_board_level),
        t("refer_to_governance_group", ("convened", "board_level"), None, CI, "A4 §1.4.5",
          guard(g.has_issue, "A4 §1.4.5", "Describe the problem in generic terms"),
          effect=fx2.refer_to_governance_group),
        t("request_flying_brigade", LADDER, None, PARTIES, "A4 §1.4.6",
          guard(g2.has_question, "A4 §1.4.6", "Say what the brigade should clarify"),
          effect=fx2.request_flying_brigade),
    ),
)

_V1_DEADLINES = {d.name: d for d in v1.DEADLINES}
DEADLINES = (
    replace(_V1_DEADLINES["quick_test_decision"],
            anchor_by=("submit_quick_test", "resubmit_quick_test")),
    _V1_DEADLINES["plan_submission"],
    replace(_V1_DEADLINES["plan_decision"], met_by=("approve_plan", "reject_plan"),
            anchor_by=("submit_plan", "resubmit_plan"), restart=False),
    replace(_V1_DEADLINES["board_meeting"], kind=AIM),
    replace(_V1_DEADLINES["kpi"], started_by=("sign_contract", "amend_contract")),
)

DEFINITION = Definition(
    name="transformation",
    version=2,
    effective_from=v2_from(),
    roles=ROLES,
    states=STATES,
    initial="intent",
    finals=FINALS,
    transitions=MAIN,
    deadlines=DEADLINES,
    region=ESCALATION,
    membership=MEMBERSHIP,
    membership_seed=MEMBERSHIP_SEED,
    registration=replace(
        v1.REGISTRATION, effect=fx2.init_facts,
        guards=(*v1.REGISTRATION.guards,
                guard(g2.has_consistent_provider_size, "A4 §4.a.1",
                      "A party's fte is above 0 and agrees with the provider_size it gives",
                      explain=lambda c: "; ".join(g2.provider_size_problems(c))))),
    actors=actors,
    agenda=agenda((*MAIN, *ESCALATION.transitions)),
    payloads=PAYLOADS,
)
