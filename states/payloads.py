"""What each trigger of transformation@1 carries: its payload, declared field by field.

The fields are those the guards and effects read, as DESIGN.md "Payloads" names them; a field
a rule reads only on one track or one escalation step is optional here and demanded by that
rule (with its own paragraph). The engine refuses any other key, a missing required field, a
value of the wrong type and a value outside its allowed ones before a guard runs.
"""

from __future__ import annotations

from states.guards import CHARACTERS, CRITERIA, TRACKS, VERDICTS
from workflow.core.payload import (
    BOOL,
    DATE,
    MONEY,
    TEXT,
    Enum,
    Field,
    ListOf,
    Object,
    PayloadSchema,
)

REASON = Field("reason", TEXT, "Why: shown to the other parties and kept in the log")
KPI = Field("kpi", TEXT, "The id of a KPI of the signed contract")


def _none(description: str) -> PayloadSchema:
    return PayloadSchema(description)


def _reason(description: str) -> PayloadSchema:
    return PayloadSchema(description, (REASON,))


IMPACT = Object((
    Field("criteria", ListOf(Enum(CRITERIA)),
          "The criteria of the assessment framework the plan has impact on, at least one",
          required=False),
    Field("transition_goals", TEXT, "The impact on the transition goals", required=False),
    Field("regional_plan", TEXT, "The impact on the regional plan", required=False),
))
"""Each part is demanded by `has_impact_on_criteria` (A4 §2.b.1), which says what is short."""

CONTRACT_KPI = Object((
    Field("id", TEXT, "Your id for the KPI, unique in the contract, without ':'"),
    Field("description", TEXT, "What the KPI agreement says is achieved"),
    Field("amount_eur", MONEY, "What is paid when the KPI is achieved"),
    Field("due", DATE, "The day by which it is achieved (starts deadline `kpi:<id>`)"),
    Field("go_no_go", BOOL, "A go/no-go moment: decide_go or decide_no_go on it (A4 §1.7.6)",
          required=False),
))

PLAN_CONTENT = (
    Field("impact", IMPACT, "transformation track: the impact on the four criteria, the "
          "transition goals and the regional plan", required=False),
    Field("kpis", ListOf(TEXT), "The KPIs the plan proposes", required=False),
    Field("modelplan", Object(open=True), "breakthrough track: the modelplan, checked "
          "against basiseisen BE1–BE14 (`azwa modelplan check`)", required=False),
)

PAYLOADS: dict[str, PayloadSchema] = {
    "register_plan": PayloadSchema("Register a plan with its parties and financiers", (
        Field("title", TEXT, "The plan's title"),
        Field("region", TEXT, "The region the plan is for"),
        Field("track", Enum(TRACKS), "transformation (IZA/AZWA transformatiemiddelen) or "
              "breakthrough (AZWA doorbraakmiddelen 2027–2028)"),
        Field("social_domain", BOOL, "The plan has social-domain parts (A4 §1.b.1)"),
        Field("domain_transcending", BOOL, "The plan crosses domains, so other financiers "
              "join (A4 §1.a.1)"),
        Field("parties", ListOf(Object((
            Field("org", TEXT, "The party's organisation"),
            Field("role", Enum(("plan_maker",)), "Its role: the parties are the plan makers",
                  required=False),
        ))), "The organisations that submit the plan, at least one"),
        Field("coordinating_insurer", TEXT, "The coordinating insurer's organisation"),
        Field("second_insurer", TEXT, "The second insurer's organisation, if known already",
              required=False, nullable=True),
        Field("municipalities", ListOf(Object((
            Field("org", TEXT, "The municipality"),
            Field("region", TEXT, "Its region"),
        ))), "Participating municipalities (more may join later)", required=False),
    )),
    "join_as_financier": _none("A municipality joins as financier: the actor's org"),
    "name_second_insurer": PayloadSchema("Name the second insurer", (
        Field("org", TEXT, "The second insurer's organisation"),
    )),
    "agree_character": PayloadSchema("Agree the plan's character before the quick test", (
        Field("character", Enum(CHARACTERS), "What kind of plan it is (A4 §1.8.1)"),
    )),
    "hold_start_meeting": _none("The start meeting took place"),
    "submit_quick_test": _none("Submit the quick test"),
    "request_information": PayloadSchema("Say what is missing from the quick test or plan", (
        Field("missing", ListOf(TEXT), "What is missing, one item a line, at least one"),
    )),
    "resubmit_quick_test": _none("Resubmit the completed quick test"),
    "accept_quick_test_as_complete": _none("The quick test is complete; the decision "
                                           "deadline starts"),
    "approve_quick_test": _none("Approve the quick test; the plan submission deadline starts"),
    "reject_quick_test": _reason("Reject the quick test"),
    "submit_plan": PayloadSchema("Submit the plan: its impact (transformation track) or its "
                                 "modelplan (breakthrough track)", PLAN_CONTENT),
    "resubmit_plan": PayloadSchema("Resubmit the completed plan, judged as submit_plan is",
                                   PLAN_CONTENT),
    "accept_plan_as_complete": _none("The plan is complete; the joint review and its "
                                     "decision deadline start"),
    "submit_review": PayloadSchema("Give this reviewer's verdict on the plan", (
        Field("verdict", Enum(VERDICTS), "The verdict"),
        Field("replaces", Enum(VERDICTS), "A second review: the verdict of this "
              "organisation's earlier review, which this one replaces", required=False),
    )),
    "assign_regional_coordinator": PayloadSchema("Assign a regional coordinator as "
                                                 "co-assessor", (
        Field("org", TEXT, "The regional coordinator's organisation"),
        Field("region", TEXT, "Its region, not the plan's own (A4 §1.b.3)"),
    )),
    "waive_regional_coordinator": _none("Assess without a regional coordinator"),
    "approve_social_domain_parts": _none("The municipality approves the social-domain parts"),
    "decline_social_domain_parts": _reason("The municipality declines the social-domain parts"),
    "record_commitment": _none("The actor's organisation commits to the plan"),
    "share_joint_feedback": _none("Share the one joint feedback of both insurers"),
    "approve_plan": _none("Approve the plan"),
    "reject_plan": _reason("Reject the plan"),
    "request_revision": _reason("Send the plan back for revision; a new review round follows"),
    "sign_contract": PayloadSchema("Sign the agreement with its KPI agreements", (
        Field("kpis", ListOf(CONTRACT_KPI), "The KPI agreements, at least one; the first may "
              "be delivering the plan itself (A4 §1.7.2)"),
    )),
    "issue_payment_decision": _none("The NZa issues the payment decision"),
    "confirm_kpi": PayloadSchema("Confirm a KPI achieved: its amount is released", (KPI,)),
    "pay_partially": PayloadSchema("Pay part of a KPI's amount for efforts delivered", (
        KPI,
        Field("amount_eur", MONEY, "The part paid, at most the KPI's amount"),
        REASON,
        Field("efforts_delivered", BOOL, "The efforts were delivered as agreed (A4 §1.7.5)"),
    )),
    "decide_go": PayloadSchema("Go on at a go/no-go moment", (KPI,)),
    "decide_no_go": PayloadSchema("Stop at a go/no-go moment: the plan is terminated", (KPI,)),
    "record_costs": PayloadSchema("Record costs made", (
        Field("amount_eur", MONEY, "The costs"),
        Field("period", TEXT, "The period they were made in, e.g. 2027-H2"),
    )),
    "record_monitoring": PayloadSchema("Record monitoring and adjustment", (
        Field("summary", TEXT, "What the monitoring found and what was adjusted"),
    )),
    "complete_implementation": _none("Every KPI is settled: accountability starts"),
    "settle": _none("Settle the funds: what was received beyond the costs is paid back"),
    "give_lawfulness_judgement": _none("The NZa judges the spending lawful; the plan closes"),
    "withdraw": PayloadSchema("The plan makers withdraw the plan", (
        Field("reason", TEXT, "Why, if you want to say", required=False),
    )),
    "close_lapsed": _none("Close a plan whose submission deadline passed"),
    "extend_deadline": PayloadSchema("Move a running deadline by agreement", (
        Field("deadline", TEXT, "The running deadline, e.g. plan_submission or kpi:k2"),
        Field("until", DATE, "The new due day, after the current one"),
        REASON,
    )),
    "escalate": PayloadSchema("Take the escalation one step up", (
        Field("issue", TEXT, "The problem"),
        Field("contact", TEXT, "Step 1: the contact person at management level (A4 §1.4.1)",
              required=False),
    )),
    "hold_board_meeting": _none("The board meeting of step 3 took place"),
    "request_flying_brigade": _none("Ask the Vliegende Brigade to help"),
    "resolve_escalation": _none("The problem is solved: the escalation closes"),
    "deadline_expired": PayloadSchema("Recorded by the system alone when a deadline passes "
                                      "unmet", (
        Field("deadline", TEXT, "The deadline that passed, e.g. kpi:k2"),
        Field("due", DATE, "Its due day"),
    )),
}
