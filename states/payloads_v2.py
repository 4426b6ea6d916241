"""What each trigger of transformation@2 carries (DESIGN-v2.md "Payloads"): transformation@1's
payloads, with the fields v2 adds or changes and the payloads of its new triggers."""

from __future__ import annotations

from states.guards import VERDICTS
from states.guards_v2 import KINDS, LAWFULNESS_VERDICTS, SHORTFALL_MEASURES
from states.payloads import CONTRACT_KPI, KPI, REASON
from states.payloads import PAYLOADS as V1
from states.settings import PROVIDER_SIZES, SECTORS
from workflow.core.payload import TEXT, Enum, Field, ListOf, Number, Object, PayloadSchema


def _registration() -> PayloadSchema:
    """@1's registration with an optional sector and, per party, an optional provider size
    (A4 §4.a.1: the monitoring splits by sector and by small and large providers)."""
    v1 = V1["register_plan"]
    fields: list[Field] = []
    for f in v1.fields:
        if f.name == "parties":
            f = Field("parties", ListOf(Object((
                Field("org", TEXT, "The party's organisation"),
                Field("role", Enum(("plan_maker",)), "Its role: the parties are the plan "
                      "makers", required=False),
                Field("provider_size", Enum(PROVIDER_SIZES), "small or large; unknown when "
                      "absent and no fte is given", required=False),
                Field("fte", Number(), "The provider's size in fte: without provider_size, it "
                      "is small up to AZWA_SMALL_PROVIDER_MAX_FTE and large above",
                      required=False),
            ))), f.description)
        fields.append(f)
    fields.insert(3, Field("sector", Enum(SECTORS), "The plan's main sector; unknown when "
                           "absent", required=False))
    return PayloadSchema(v1.description, tuple(fields))


PAYLOADS: dict[str, PayloadSchema] = {
    **V1,
    "register_plan": _registration(),
    "join_as_financier": PayloadSchema("A municipality or care office joins as financier: the "
                                       "actor's org and region", (
        Field("kind", Enum(KINDS), "municipality (Wmo/Jeugdwet, SPUK) or care_office "
              "(zorgkantoor, Wlz): the actor's role"),
    )),
    "submit_review": PayloadSchema("Give this reviewer's verdict (a second one replaces the "
                                   "first, kept as a revision)", (
        Field("verdict", Enum(VERDICTS), "positive, conditional or negative; a negative "
              "verdict blocks approval"),
        Field("conditions", TEXT, "The conditions of a conditional verdict", required=False),
        Field("replaces", Enum(VERDICTS), "Optional: the standing verdict this one replaces",
              required=False),
    )),
    "contact_board_level": PayloadSchema("After a missed board-meeting aim: contact the board "
                                         "level from the contact list yourself", (
        Field("contact", TEXT, "Whom you contacted"),
    )),
    "refer_to_governance_group": PayloadSchema("Refer the problem, in generic terms, to the "
                                               "bestuurlijke groep", (
        Field("issue", TEXT, "The problem in generic terms"),
    )),
    "request_flying_brigade": PayloadSchema("Ask the Vliegende Brigade to help make the "
                                            "problem clear", (
        Field("question", TEXT, "What the brigade is asked to clarify"),
    )),
    "report_kpi": PayloadSchema("Report a KPI achieved, with the evidence", (
        KPI,
        Field("evidence", TEXT, "A reference to the document that proves it"),
    )),
    "record_commitment": PayloadSchema("The actor's organisation commits: to the plan in the "
                                       "joint review; during implementation, to an amendment", (
        Field("amendment", Object((
            Field("kpis", ListOf(CONTRACT_KPI), "The KPIs as the amendment changes or adds "
                  "them, exactly as amend_contract will give them"),
        )), "During implementation (A4 §1.7.6): the amendment committed to; amend_contract "
            "takes effect only with every plan maker's commitment to the same KPIs",
            required=False),
    )),
    "amend_contract": PayloadSchema("Amend the KPI agreements during implementation", (
        Field("kpis", ListOf(CONTRACT_KPI), "The KPIs changed or added, as in sign_contract"),
        REASON,
    )),
    "settle": PayloadSchema("Settle the funds: refund beyond the costs, or the measure for a "
                            "shortfall", (
        Field("repayment_terms", TEXT, "When a refund is due: the terms agreed "
              "\"in redelijkheid\" (A4 §3.a.4)",
              required=False),
        Field("shortfall_measure", Enum(SHORTFALL_MEASURES), "When the costs exceed the funds "
              "paid: adjust, extra_funds or stop_part", required=False),
    )),
    "give_lawfulness_judgement": PayloadSchema("The NZa's judgement on the spending", (
        Field("verdict", Enum(LAWFULNESS_VERDICTS), "lawful or unlawful"),
        Field("reason", TEXT, "Why it is unlawful", required=False),
    )),
    "grant_single_applicant": PayloadSchema("Exempt a breakthrough plan from the joint "
                                            "application", (REASON,)),
    "decide_no_go": PayloadSchema("Stop at a go/no-go moment or a missed KPI: the funds are "
                                  "settled before the plan ends terminated", (KPI,)),
}
