"""transformation@1: the IZA/AZWA transformation-fund process and the breakthrough track.

One definition serves both tracks (DESIGN.md): the track, given at registration, decides
which plan-content rule `submit_plan` applies (A4 §2.b.1 or the modelplan of MP).
"""

from __future__ import annotations

from states import effects as fx
from states import guards as g
from states.agenda import agenda_for
from states.guards import guard, reason
from states.payloads import PAYLOADS
from states.roles import MEMBERSHIP, MEMBERSHIP_SEED, PARTIES, ROLES, actors
from workflow.core.phrase import Phrase, listed
from workflow.core.spec import DeadlineSpec, Definition, Effect, Guard, Length, Region, Transition

PM, CI, SI = "plan_maker", "coordinating_insurer", "second_insurer"
MUNI, RC, NZA, BOARD = "municipality", "regional_coordinator", "nza", "governance_board"

STATES = (
    "intent",
    "start_meeting_held",
    "quick_test_submitted",
    "quick_test_incomplete",
    "quick_test_under_review",
    "plan_in_preparation",
    "plan_submitted",
    "plan_incomplete",
    "joint_review",
    "approved",
    "contracted",
    "in_implementation",
    "accountability",
    "closed",
    "rejected",
    "withdrawn",
    "lapsed",
    "terminated",
)
FINALS = frozenset({"closed", "rejected", "withdrawn", "lapsed", "terminated"})
BEFORE_QUICK_TEST = ("intent", "start_meeting_held")
BEFORE_CONTRACT = STATES[: STATES.index("contracted")]
WORKED_OUT_OR_CARRIED_OUT = frozenset(
    STATES[STATES.index("plan_in_preparation") : STATES.index("accountability")]
)
REVIEWERS = frozenset({CI, SI, MUNI, RC})
LIVE = tuple(s for s in STATES if s not in FINALS)


def t(
    trigger: str,
    sources: tuple[str, ...] | str,
    dest: str | None,
    roles: set[str] | frozenset[str] | str,
    seed: str,
    *guards: Guard,
    effect: Effect | None = None,
    any_org: bool = False,
) -> Transition:
    return Transition(
        trigger=trigger,
        sources=(sources,) if isinstance(sources, str) else sources,
        dest=dest,
        roles=frozenset({roles}) if isinstance(roles, str) else frozenset(roles),
        seed=seed,
        guards=guards,
        effect=effect,
        any_org=any_org,
    )


REGISTRATION = t(
    "register_plan", (), "intent", PM, "A4 §1.a.2",
    guard(g.is_valid_registration, "A4 §1.a.2", "The registration is incomplete",
          explain=lambda c: listed(g.registration_problems(c))),
    guard(g.is_registrant_a_party, "A4 §1.a.2",
          "Only one of the plan's own parties may register it"),
    effect=fx.init_facts, any_org=True,
)
FINANCIERS = guard(
    g.has_financiers_if_domain_transcending, "A4 §1.a.1",
    "A domain-transcending plan needs the other financiers (a municipality) to have joined",
)
SECOND_INSURER = guard(
    g.has_second_insurer, "A4 §1.3.1", "Name the second insurer first (name_second_insurer)"
)
PLAN_CONTENT = (
    guard(g.has_impact_on_criteria, "A4 §2.b.1",
          "A transformation plan must state its impact on at least one of the four criteria, "
          "on the transition goals and on the regional plan",
          explain=lambda c: listed(g.impact_problems(c))),
    guard(g.has_complete_modelplan, "MP BE1–BE14",
          "A breakthrough application must meet every basiseis of the modelplan",
          explain=lambda c: listed(g.modelplan_problems(c))),
)
APPROVAL = (
    guard(g.has_both_insurer_reviews, "A4 §1.3",
          "Both the coordinating and the second insurer must have reviewed the plan"),
    guard(g.has_municipality_review_if_social_domain, "A4 §1.b.2",
          "A social-domain plan needs the municipality's review"),
    guard(g.has_coordinator_review_if_assigned, "A4 §1.b.3",
          "The assigned regional coordinator has not reviewed the plan yet"),
    guard(g.has_social_domain_approval, "A4 §1.b.1",
          "The municipality has not explicitly approved the social-domain parts"),
    guard(g.has_all_commitments, "A4 §1.b.1",
          "Every party and participating municipality must have committed to the plan",
          explain=lambda c: Phrase("missing {orgs}", orgs=", ".join(g.missing_commitments(c)))),
    guard(g.has_joint_feedback, "A4 §1.3.2",
          "Share the one joint feedback of both insurers first"),
)
OPEN_KPI = guard(g.is_open_kpi, "A4 §1.7.4", "That KPI is not an open KPI of this contract")
LAWFULNESS = (
    guard(g.has_approved_plan_and_contract, "A4 §3.a.5",
          "No approved plan with a signed KPI agreement"),
    guard(g.has_payment_decision, "A4 §3.a.5", "No payment decision of the NZa was issued"),
    guard(g.has_costs_and_kpi_evidence, "A4 §3.a.5",
          "Cost registration and evidence of every achieved KPI are required",
          explain=lambda c: Phrase("cost records {count}, open KPIs {kpis}",
                                   count=c.facts.get("cost_records", 0), kpis=g.open_kpis(c))),
    guard(g.has_monitoring, "A4 §3.a.5", "No monitoring and adjustment was recorded"),
)

MAIN = (
    t("join_as_financier", STATES[: STATES.index("approved")], None, MUNI, "A4 §1.a.1",
      guard(g.is_new_financier, "A4 §1.a.1", "This municipality already takes part"),
      effect=fx.join_financier, any_org=True),
    # "vanaf het begin betrokken" (A4 §1.3.1): named once, before the quick test, which
    # (like the start meeting) needs it; never replaced during the review.
    t("name_second_insurer", BEFORE_QUICK_TEST, None, CI, "A4 §1.3.1",
      guard(g.has_named_org, "A4 §1.3.1", "Name the second insurer's organisation"),
      guard(g.is_other_insurer, "A4 §1.3",
            "The second insurer must be another insurer than the coordinating insurer"),
      guard(g.is_second_insurer_open, "A4 §1.3.1",
            "The second insurer is already named; it is involved from the start and not "
            "replaced"),
      effect=fx.name_second_insurer),
    t("agree_character", BEFORE_QUICK_TEST, None, CI, "A4 §1.8.1",
      guard(g.is_valid_character, "A4 §1.8.1",
            "The character is 'innovation' or 'scaling'"),
      effect=fx.agree_character),
    t("hold_start_meeting", "intent", "start_meeting_held", CI, "A4 §1.a.2",
      FINANCIERS, SECOND_INSURER),
    t("submit_quick_test", BEFORE_QUICK_TEST, "quick_test_submitted", PM, "A4 §1.8.1",
      guard(g.has_agreed_character, "A4 §1.8.1",
            "Agree the plan's character (innovation or scaling) before the quick test"),
      FINANCIERS, SECOND_INSURER),
    t("request_information", "quick_test_submitted", "quick_test_incomplete", CI, "A4 §1.5.1",
      guard(g.has_missing_list, "A4 §1.5.1", "Say what is missing"),
      effect=fx.request_information),
    t("resubmit_quick_test", "quick_test_incomplete", "quick_test_submitted", PM, "A4 §1.5.1"),
    t("accept_quick_test_as_complete", "quick_test_submitted", "quick_test_under_review", CI,
      "A4 §1.5.1"),
    t("approve_quick_test", "quick_test_under_review", "plan_in_preparation", CI, "A4 §1.5.1"),
    t("reject_quick_test", "quick_test_under_review", "rejected", CI, "A4 §1.5.1",
      reason("A4 §1.5.1")),
    t("submit_plan", "plan_in_preparation", "plan_submitted", PM, "A4 §1.5.2",
      *PLAN_CONTENT, effect=fx.store_plan_content),
    t("request_information", "plan_submitted", "plan_incomplete", CI, "A4 §1.5.3",
      guard(g.has_missing_list, "A4 §1.5.3", "Say what is missing"),
      effect=fx.request_information),
    t("resubmit_plan", "plan_incomplete", "plan_submitted", PM, "A4 §1.5.3",
      *PLAN_CONTENT, effect=fx.store_plan_content),
    t("accept_plan_as_complete", "plan_submitted", "joint_review", CI, "A4 §1.5.3"),
    t("submit_review", "joint_review", None, REVIEWERS, "A4 §1.3",
      guard(g.has_verdict, "A4 §1.3", "The verdict is positive, negative or conditional"),
      guard(g.is_first_review_or_replaces, "A4 §1.3",
            "A second review by the same organisation names the verdict it replaces",
            explain=g.replaces_problem),
      effect=fx.record_review),
    t("assign_regional_coordinator", "joint_review", None, MUNI, "A4 §1.b.3",
      guard(g.has_named_org, "A4 §1.b.3", "Name the regional coordinator's organisation"),
      guard(g.is_coordinator_from_other_region, "A4 §1.b.3",
            "A regional coordinator never assesses a plan of its own region"),
      guard(g.is_coordinator_open, "A4 §1.b.3",
            "The regional coordinator was already assigned or waived"),
      effect=fx.assign_coordinator),
    t("waive_regional_coordinator", "joint_review", None, MUNI, "A4 §1.b.3",
      guard(g.is_coordinator_open, "A4 §1.b.3",
            "The regional coordinator was already assigned or waived"),
      effect=fx.waive_coordinator),
    t("approve_social_domain_parts", "joint_review", None, MUNI, "A4 §1.b.1",
      guard(g.is_social_domain_plan, "A4 §1.b.1", "This plan has no social-domain parts"),
      effect=fx.approve_social_domain),
    t("decline_social_domain_parts", "joint_review", None, MUNI, "A4 §1.b.1",
      guard(g.is_social_domain_plan, "A4 §1.b.1", "This plan has no social-domain parts"),
      reason("A4 §1.b.1"), effect=fx.decline_social_domain),
    # The insurers' commitment is not needed (their approval is it) and is accepted as
    # harmless, so logs recorded while transformation@1 required it replay unchanged.
    t("record_commitment", "joint_review", None, PARTIES, "A4 §1.b.1",
      guard(g.is_not_committed_yet, "A4 §1.b.1", "This organisation has already committed"),
      effect=fx.record_commitment),
    t("share_joint_feedback", "joint_review", None, CI, "A4 §1.3.2",
      guard(g.has_both_insurer_reviews, "A4 §1.3.2",
            "The joint feedback needs both insurers' reviews"),
      effect=fx.share_feedback),
    t("approve_plan", "joint_review", "approved", CI, "A4 §1.5.3", *APPROVAL,
      effect=fx.approve),
    t("reject_plan", "joint_review", "rejected", CI, "A4 §1.5.3", reason("A4 §1.5.3")),
    t("request_revision", "joint_review", "plan_in_preparation", CI, "A4 §1.5.3",
      reason("A4 §1.5.3"), effect=fx.start_new_review_round),
    t("sign_contract", "approved", "contracted", CI, "A4 §1.7",
      guard(g.has_valid_kpis, "A4 §1.6.2",
            "The agreement needs KPI agreements with amounts and due dates",
            explain=lambda c: listed(g.kpi_problems(c))),
      effect=fx.sign_contract),
    t("issue_payment_decision", "contracted", "in_implementation", NZA, "A4 §3.a.5",
      effect=fx.payment_decision),
    t("confirm_kpi", "in_implementation", None, CI, "A4 §1.7.4", OPEN_KPI,
      effect=fx.confirm_kpi),
    t("pay_partially", "in_implementation", None, CI, "A4 §1.7.5", OPEN_KPI,
      guard(g.has_delivered_efforts, "A4 §1.7.5",
            "Partial payment needs efforts delivered according to the agreement"),
      guard(g.is_within_kpi_amount, "A4 §1.7.5",
            "A partial payment cannot exceed the KPI's amount",
            explain=g.payload_amount_problem),
      reason("A4 §1.7.5"), effect=fx.pay_partially),
    t("decide_go", "in_implementation", None, CI, "A4 §1.7.6",
      guard(g.is_undecided_go_no_go_kpi, "A4 §1.7.6",
            "That KPI is no undecided go/no-go moment"),
      effect=fx.decide_go),
    t("decide_no_go", "in_implementation", "terminated", CI, "A4 §1.7.6",
      guard(g.is_undecided_go_no_go_kpi, "A4 §1.7.6",
            "That KPI is no undecided go/no-go moment"),
      effect=fx.decide_no_go),
    t("record_costs", ("in_implementation", "accountability"), None, {PM, CI}, "A4 §3.a.1",
      guard(g.has_cost_amount, "A4 §3.a.3", "Give an amount of zero or more and the period",
            explain=g.payload_amount_problem),
      effect=fx.record_costs),
    t("record_monitoring", ("in_implementation", "accountability"), None, {PM, CI},
      "A4 §3.a.1", guard(g.has_summary, "A4 §3.a.1", "Summarise the monitoring"),
      effect=fx.record_monitoring),
    t("complete_implementation", "in_implementation", "accountability", CI, "A4 §3.a.5",
      guard(g.has_all_kpis_settled, "A4 §3.a.5", "Every KPI must be confirmed or paid",
            explain=lambda c: Phrase("open: {kpis}", kpis=", ".join(g.open_kpis(c))))),
    t("settle", "accountability", None, CI, "A4 §3.a.4",
      guard(g.is_not_settled, "A4 §3.a.4", "The funds were settled already"),
      effect=fx.settle),
    t("give_lawfulness_judgement", "accountability", "closed", NZA, "A4 §3.a.5", *LAWFULNESS),
    t("withdraw", BEFORE_CONTRACT, "withdrawn", PM, "A4 §1.a.2"),
    t("close_lapsed", "plan_in_preparation", "lapsed", CI, "A4 §1.5.2",
      guard(g.is_plan_submission_expired, "A4 §1.5.2",
            "The plan may lapse only after the 4-month submission deadline has passed")),
    t("extend_deadline", LIVE, None, CI, "A4 §1.5",
      guard(g.is_running_deadline, "A4 §1.5", "That deadline is not running"),
      guard(g.is_later_due, "A4 §1.5", "The new date must lie after the current due date"),
      reason("A4 §1.5"), effect=fx.extend_deadline),
)

LADDER = ("none", "bilateral", "convened", "board_level", "governance")
ISSUE = guard(g.has_issue, "A4 §1.4.1", "Describe the problem")
ESCALATION = Region(
    name="escalation",
    states=LADDER,
    initial="none",
    open_in=WORKED_OUT_OR_CARRIED_OUT,
    open_seed="A4 §1.4.1",
    transitions=(
        t("escalate", "none", "bilateral", PARTIES, "A4 §1.4.1", ISSUE,
          guard(g.has_contact, "A4 §1.4.1",
                "Name the contact person at management level for step 1")),
        t("escalate", "bilateral", "convened", CI, "A4 §1.4.2", ISSUE),
        t("escalate", "convened", "board_level", CI, "A4 §1.4.3", ISSUE),
        t("escalate", "board_level", "governance", {CI, BOARD, PM}, "A4 §1.4.5", ISSUE,
          guard(g.is_board_meeting_expired, "A4 §1.4.4",
                "A plan maker may go to step 4 itself only when the board meeting was not "
                "held within 2 weeks", only_for={PM})),
        t("hold_board_meeting", "board_level", None, CI, "A4 §1.4.3"),
        t("request_flying_brigade", ("board_level", "governance"), None, {CI, BOARD},
          "A4 §1.4.6", effect=fx.note_flying_brigade),
        t("resolve_escalation", ("bilateral", "convened", "board_level"), "none", CI,
          "A4 §1.4"),
        t("resolve_escalation", "governance", "none", {CI, BOARD}, "A4 §1.4.5"),
    ),
)

DEADLINES = (
    DeadlineSpec("quick_test_decision", "A4 §1.5.1", ("accept_quick_test_as_complete",),
                 ("approve_quick_test", "reject_quick_test"), Length(weeks=4)),
    DeadlineSpec("plan_submission", "A4 §1.5.2", ("approve_quick_test",), ("submit_plan",),
                 Length(months=4)),
    DeadlineSpec("plan_decision", "A4 §1.5.3", ("accept_plan_as_complete",),
                 ("approve_plan", "reject_plan", "request_revision"), Length(weeks=8)),
    DeadlineSpec("board_meeting", "A4 §1.4.3", ("escalate",),
                 ("hold_board_meeting", "resolve_escalation"), Length(weeks=2),
                 started_into="board_level"),
    DeadlineSpec("kpi", "A4 §1.7.4", ("sign_contract",), ("confirm_kpi", "pay_partially"),
                 per_item="kpis", met_key="kpi"),
)

DEFINITION = Definition(
    name="transformation",
    version=1,
    effective_from="2025-01-01",
    roles=ROLES,
    states=STATES,
    initial="intent",
    finals=FINALS,
    transitions=MAIN,
    deadlines=DEADLINES,
    region=ESCALATION,
    membership=MEMBERSHIP,
    membership_seed=MEMBERSHIP_SEED,
    registration=REGISTRATION,
    actors=actors,
    agenda=agenda_for((*MAIN, *ESCALATION.transitions)),
    payloads=PAYLOADS,
)
