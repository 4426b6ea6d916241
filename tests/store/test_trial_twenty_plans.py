"""The trial of issue 12, as a test: twenty plans on one SQLite file, in varied states, and
every organisation's to-do list exactly right, through the API and through `azwa todo`.

Plans have one or two plan makers, some a municipality (listed or joined), one a regional
coordinator, some a contract with KPIs, several an overdue deadline; two insurer pairs take
turns. The cron job has run (`tick`) at the moment asked about.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from workflow.cli.main import app
from workflow.core.spec import Actor
from workflow.core.timecalc import parse_at
from workflow.service.api import Engine

NOW = "2027-12-01T12:00:00+01:00"

TWENTE, ZGT, MST = "Huisartsen Twente", "ZGT", "MST"
MENZIS, ZK, CZ, VGZ = "Menzis", "Zilveren Kruis", "CZ", "VGZ"
ENSCHEDE, HENGELO = "Gemeente Enschede", "Gemeente Hengelo"
RC = "Regiocoördinator Achterhoek"
NZA = "NZa"

IMPACT: dict[str, Any] = {"impact": {
    "criteria": ["care_use"], "transition_goals": "Zorg dichtbij huis.",
    "regional_plan": "Past in het regioplan Twente."}}


def contract(k1_due: str, k2_due: str) -> dict[str, Any]:
    return {"kpis": [
        {"id": "k1", "description": "Plan delivered", "amount_eur": 50000, "due": k1_due},
        {"id": "k2", "description": "80% seen in the wijkteam", "amount_eur": 200000,
         "due": k2_due, "go_no_go": True},
    ]}


class Trial:
    """Builds a plan step by step, one step a day from its start date."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def plan(
        self, plan_id: str, start: str, steps: list[tuple[str, str, str, dict[str, Any]]],
        *, makers: tuple[str, ...] = (TWENTE,), insurers: tuple[str, str | None] = (MENZIS, ZK),
        municipalities: tuple[str, ...] = (), social: bool = False,
    ) -> None:
        at = parse_at(f"{start}T10:00:00+01:00")
        self.engine.register(plan_id, Actor("plan_maker", makers[0], "Twente"), {
            "title": f"Plan {plan_id}", "region": "Twente", "track": "transformation",
            "social_domain": social, "domain_transcending": False,
            "parties": [{"org": m, "role": "plan_maker"} for m in makers],
            "coordinating_insurer": insurers[0], "second_insurer": insurers[1],
            "municipalities": [{"org": m, "region": "Twente"} for m in municipalities],
        }, at=at)
        for n, (trigger, role, org, payload) in enumerate(steps, start=1):
            region = "Achterhoek" if role == "regional_coordinator" else "Twente"
            self.engine.fire(plan_id, trigger, Actor(role, org, region), payload,
                             at=at + timedelta(days=n))


PM, CI, SI, MU = "plan_maker", "coordinating_insurer", "second_insurer", "municipality"


def s(trigger: str, role: str, org: str, payload: dict[str, Any] | None = None,
      ) -> tuple[str, str, str, dict[str, Any]]:
    return (trigger, role, org, payload or {})


def to_quick_test(ci: str = MENZIS, maker: str = TWENTE) -> list[tuple[str, str, str, Any]]:
    return [s("agree_character", CI, ci, {"character": "innovation"}),
            s("submit_quick_test", PM, maker)]


def to_plan(ci: str = MENZIS, maker: str = TWENTE) -> list[tuple[str, str, str, Any]]:
    return [*to_quick_test(ci, maker), s("accept_quick_test_as_complete", CI, ci),
            s("approve_quick_test", CI, ci)]


def to_review(ci: str = MENZIS, maker: str = TWENTE) -> list[tuple[str, str, str, Any]]:
    return [*to_plan(ci, maker), s("submit_plan", PM, maker, IMPACT),
            s("accept_plan_as_complete", CI, ci)]


def reviewed(ci: str = MENZIS, si: str = ZK, makers: tuple[str, ...] = (TWENTE,),
             ) -> list[tuple[str, str, str, Any]]:
    return [*to_review(ci, makers[0]), s("submit_review", CI, ci, {"verdict": "positive"}),
            s("submit_review", SI, si, {"verdict": "positive"}),
            *(s("record_commitment", PM, m) for m in makers),
            s("share_joint_feedback", CI, ci)]


def implementing(k1: str, k2: str, ci: str = MENZIS) -> list[tuple[str, str, str, Any]]:
    return [*reviewed(ci), s("approve_plan", CI, ci), s("sign_contract", CI, ci,
                                                        contract(k1, k2)),
            s("issue_payment_decision", "nza", NZA)]


def settled_kpis(ci: str = MENZIS) -> list[tuple[str, str, str, Any]]:
    return [s("confirm_kpi", CI, ci, {"kpi": "k1"}), s("decide_go", CI, ci, {"kpi": "k2"}),
            s("confirm_kpi", CI, ci, {"kpi": "k2"})]


def build(engine: Engine) -> None:
    t = Trial(engine)
    # P01 intent, no second insurer: the coordinating insurer must name one and agree the
    # character; the plan maker waits.
    t.plan("P01", "2027-11-20", [], insurers=(MENZIS, None))
    # P02 intent, two plan makers, ready for the quick test: either plan maker may submit.
    t.plan("P02", "2027-11-20", [s("agree_character", CI, MENZIS, {"character": "scaling"})],
           makers=(TWENTE, ZGT))
    # P03 quick test submitted.
    t.plan("P03", "2027-11-01", to_quick_test())
    # P04 quick test incomplete.
    t.plan("P04", "2027-11-01", [*to_quick_test(), s("request_information", CI, MENZIS,
                                                     {"missing": ["begroting"]})])
    # P05 quick test under review, decision due 2027-12-17.
    t.plan("P05", "2027-11-16", [*to_quick_test(), s("accept_quick_test_as_complete", CI,
                                                     MENZIS)])
    # P06 quick test under review, decision was due 2027-10-06: overdue.
    t.plan("P06", "2027-09-05", [*to_quick_test(), s("accept_quick_test_as_complete", CI,
                                                     MENZIS)])
    # P07 plan in preparation since 2027-03-05; the plan was due 2027-07-05: overdue.
    t.plan("P07", "2027-03-01", to_plan())
    # P08 plan submitted.
    t.plan("P08", "2027-11-01", [*to_plan(), s("submit_plan", PM, TWENTE, IMPACT)])
    # P09 joint review, two plan makers, ZGT has not committed yet (decision due 2028-01-19).
    t.plan("P09", "2027-11-18", [
        *to_review(), s("submit_review", CI, MENZIS, {"verdict": "positive"}),
        s("submit_review", SI, ZK, {"verdict": "positive"}), s("record_commitment", PM, TWENTE),
        s("share_joint_feedback", CI, MENZIS)], makers=(TWENTE, ZGT))
    # P10 joint review of a social-domain plan with Enschede, nothing done (due 2028-01-12).
    t.plan("P10", "2027-11-11", to_review(), municipalities=(ENSCHEDE,), social=True)
    # P11 joint review, Hengelo joined and assigned a regional coordinator who has not
    # reviewed; the coordinating insurer reviewed (decision due 2028-01-06).
    t.plan("P11", "2027-11-04", [
        s("join_as_financier", MU, HENGELO), *to_review(),
        s("assign_regional_coordinator", MU, HENGELO, {"org": RC, "region": "Achterhoek"}),
        s("submit_review", CI, MENZIS, {"verdict": "conditional"})])
    # P12 joint review, everything done but the decision, due 2027-08-21: overdue.
    t.plan("P12", "2027-06-20", reviewed())
    # P13 approved (CZ and VGZ): the contract is to be signed.
    t.plan("P13", "2027-05-01", [*reviewed(CZ, VGZ), s("approve_plan", CI, CZ)],
           insurers=(CZ, VGZ))
    # P14 contracted: the NZa's payment decision.
    t.plan("P14", "2027-05-01", [*reviewed(), s("approve_plan", CI, MENZIS),
                                 s("sign_contract", CI, MENZIS,
                                   contract("2028-03-31", "2028-06-30"))])
    # P15 in implementation: KPI k1 was due 2027-06-30 (overdue), k2 is a go/no-go moment.
    t.plan("P15", "2027-03-01", implementing("2027-06-30", "2028-03-31"))
    # P16 in implementation, every KPI settled.
    t.plan("P16", "2027-03-01", [*implementing("2027-06-30", "2027-09-30"), *settled_kpis()])
    # P17 accountability without costs or monitoring on record.
    t.plan("P17", "2027-03-01", [*implementing("2027-06-30", "2027-09-30"), *settled_kpis(),
                                 s("complete_implementation", CI, MENZIS)])
    # P18 accountability, settled, costs and monitoring recorded: the NZa judges.
    t.plan("P18", "2027-03-01", [
        *implementing("2027-06-30", "2027-09-30"), *settled_kpis(),
        s("record_costs", PM, TWENTE, {"amount_eur": 10000, "period": "2027"}),
        s("record_monitoring", CI, MENZIS, {"summary": "On track"}),
        s("complete_implementation", CI, MENZIS), s("settle", CI, MENZIS)])
    # P19 plan in preparation (CZ, VGZ; MST and Twente), escalated to the board level: the
    # board meeting is due 2027-12-08; the plan itself 2028-03-21.
    t.plan("P19", "2027-11-17", [
        *to_plan(CZ, MST),
        s("escalate", PM, MST, {"issue": "Geen personeel", "contact": "A. de Vries"}),
        s("escalate", CI, CZ, {"issue": "Bilateraal niet opgelost"}),
        s("escalate", CI, CZ, {"issue": "Alle partijen oneens"})],
           makers=(MST, TWENTE), insurers=(CZ, VGZ))
    # P20 withdrawn: final.
    t.plan("P20", "2027-06-01", [*to_quick_test(), s("withdraw", PM, TWENTE)])
    engine.tick(NOW)


def todo(plan: str, trigger: str, due: str | None = None, overdue: bool = False,
         kpi: str | None = None) -> tuple[str, str, str | None, str | None, bool]:
    return (plan, trigger, kpi, due, overdue)


EXPECTED: dict[str, list[tuple[str, str, str | None, str | None, bool]]] = {
    TWENTE: [
        todo("P07", "submit_plan", "2027-07-05", overdue=True),
        todo("P11", "record_commitment", "2028-01-06"),
        todo("P10", "record_commitment", "2028-01-12"),
        todo("P19", "submit_plan", "2028-03-21"),
        todo("P02", "submit_quick_test"),
        todo("P04", "resubmit_quick_test"),
        todo("P17", "record_costs"),
        todo("P17", "record_monitoring"),
    ],
    ZGT: [
        todo("P09", "record_commitment", "2028-01-19"),
        todo("P02", "submit_quick_test"),
    ],
    MST: [todo("P19", "submit_plan", "2028-03-21")],
    MENZIS: [
        todo("P15", "confirm_kpi", "2027-06-30", overdue=True, kpi="k1"),
        todo("P12", "approve_plan", "2027-08-21", overdue=True),
        todo("P06", "approve_quick_test", "2027-10-06", overdue=True),
        todo("P05", "approve_quick_test", "2027-12-17"),
        todo("P10", "submit_review", "2028-01-12"),
        todo("P15", "confirm_kpi", "2028-03-31", kpi="k2"),
        todo("P01", "agree_character"),
        todo("P01", "name_second_insurer"),
        todo("P03", "accept_quick_test_as_complete"),
        todo("P08", "accept_plan_as_complete"),
        todo("P15", "decide_go", kpi="k2"),
        todo("P16", "complete_implementation"),
        todo("P17", "record_costs"),
        todo("P17", "record_monitoring"),
        todo("P17", "settle"),
    ],
    ZK: [
        todo("P11", "submit_review", "2028-01-06"),
        todo("P10", "submit_review", "2028-01-12"),
    ],
    CZ: [
        todo("P19", "hold_board_meeting", "2027-12-08"),
        todo("P13", "sign_contract"),
    ],
    VGZ: [],
    ENSCHEDE: [
        todo("P10", "approve_social_domain_parts", "2028-01-12"),
        todo("P10", "record_commitment", "2028-01-12"),
        todo("P10", "submit_review", "2028-01-12"),
    ],
    HENGELO: [todo("P11", "record_commitment", "2028-01-06")],
    RC: [todo("P11", "submit_review", "2028-01-06")],
    NZA: [
        todo("P14", "issue_payment_decision"),
        todo("P18", "give_lawfulness_judgement"),
    ],
    "Bestuurlijke groep": [],
}


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Path]]:
    path = tmp_path_factory.mktemp("trial") / "trial.db"
    engine = Engine(f"sqlite:///{path}")
    build(engine)
    yield engine, path
    engine.store.close()


def rows(todos: list[dict[str, Any]]) -> list[tuple[str, str, str | None, str | None, bool]]:
    return [(t["plan_id"], t["trigger"], t["payload"].get("kpi"), t["due"], t["overdue"])
            for t in todos]


def test_trial_has_twenty_plans_in_varied_states(trial: tuple[Engine, Path]) -> None:
    """The set-up reaches the states it says (the lists below would be vacuous otherwise)."""
    engine, _ = trial
    states = {p.plan_id: p.state for p in engine.plans()}
    assert len(states) == 20
    assert states["P09"] == states["P10"] == states["P11"] == states["P12"] == "joint_review"
    assert states["P15"] == "in_implementation" and states["P18"] == "accountability"
    assert states["P20"] == "withdrawn" and engine.state("P19").escalation == "board_level"
    assert "kpi:k1" in engine.state("P15").breaches


@pytest.mark.parametrize("org", sorted(EXPECTED))
def test_every_organisation_gets_exactly_its_to_dos_from_the_api(
    trial: tuple[Engine, Path], org: str
) -> None:
    """Given the twenty plans, when each organisation asks for its to-dos at NOW, then it gets
    exactly the acts the process waits for from it, earliest due first, overdue marked,
    and never an option such as escalate, withdraw or extend_deadline."""
    engine, _ = trial
    got = rows([t.to_dict() for t in engine.todos(org, NOW)])
    assert got == EXPECTED[org]


@pytest.mark.parametrize("org", [TWENTE, ZGT, MENZIS, ENSCHEDE, NZA, VGZ])
def test_azwa_todo_prints_the_same_list_as_json(trial: tuple[Engine, Path], org: str) -> None:
    """`azwa todo --org ORG --db FILE --json` gives the same list as the API."""
    _, path = trial
    result = CliRunner().invoke(app, ["todo", "--org", org, "--db", str(path), "--json",
                                      "--at", NOW])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["org"] == org
    assert rows(data["todos"]) == EXPECTED[org]


def test_the_plan_maker_that_has_not_committed_is_told_to(trial: tuple[Engine, Path]) -> None:
    """The trial's first finding: on P09 (two plan makers) ZGT has not committed and is told
    to; Huisartsen Twente committed and is told it waits for ZGT; so are both insurers."""
    engine, _ = trial
    lists = {w.actor.org: w for w in engine.todo("P09", NOW)}
    assert [(t.trigger, t.says) for t in lists[ZGT].todos] == [
        ("record_commitment", "Commit to the plan (A4 §1.b.1)")]
    for org in (TWENTE, MENZIS, ZK):
        assert lists[org].todos == ()
        assert lists[org].idle == "waiting for ZGT (plan_maker): record_commitment"


def test_azwa_todo_table_marks_overdue_first(trial: tuple[Engine, Path]) -> None:
    """The table of `azwa todo` lists Menzis's overdue to-dos first, marked OVERDUE."""
    _, path = trial
    result = CliRunner().invoke(app, ["todo", "--org", MENZIS, "--db", str(path), "--at", NOW])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "P" in line and "│" in line]
    assert "OVERDUE" in lines[0] and "P15" in lines[0]
    assert sum("OVERDUE" in line for line in result.output.splitlines()) == 3


def test_nothing_to_do_says_so(trial: tuple[Engine, Path]) -> None:
    """An organisation without to-dos is told so, not shown an empty table."""
    _, path = trial
    result = CliRunner().invoke(app, ["todo", "--org", VGZ, "--db", str(path), "--at", NOW])
    assert result.exit_code == 0
    assert result.output.strip() == "nothing to do for VGZ"


def test_plan_show_and_todo_give_the_same_to_dos(trial: tuple[Engine, Path]) -> None:
    """The same answer in `plan show` (every organisation of one plan) and `azwa todo` (one
    organisation on every plan): the per-plan lists put together are the per-org lists."""
    engine, _ = trial
    per_plan: dict[str, list[tuple[str, str, str | None, str | None, bool]]] = {}
    for summary in engine.plans():
        for worklist in engine.todo(summary.plan_id, NOW):
            per_plan.setdefault(worklist.actor.org, []).extend(
                rows([t.to_dict() for t in worklist.todos]))
    for org, expected in EXPECTED.items():
        assert sorted(per_plan.get(org, [])) == sorted(expected), org
