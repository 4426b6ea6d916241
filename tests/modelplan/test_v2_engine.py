"""A breakthrough plan through the engine under `transformation@2`: its modelplan refused at
`submit_plan` for a single applicant (MP BE12), accepted once the coordinating insurer
granted the exemption (`grant_single_applicant`); and the contract's KPIs held to 2027–2028
(MP BE4). Real engine, real SQLite file; and the demo, run as a user runs it (default
settings, the real clock), whose breakthrough plan now registers under v2."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import states
from workflow.core.errors import Refused
from workflow.core.spec import Actor
from workflow.service.api import Engine

from ..rules.builders import HOSPITAL, NZA, committing_actors
from ..rules.builders import MAKER as SAMPLE_MAKER
from ..rules.v2.builders import plan_in_v2
from .v2_support import LINDEBOOM, NOORDERHAVEN, example_v2, renamed

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SAMPLE_NAMES = {NOORDERHAVEN: SAMPLE_MAKER.org, LINDEBOOM: HOSPITAL.org}
"""The example's coalition as the rule builders' two plan makers."""
MAKER = Actor("plan_maker", NOORDERHAVEN, "Noorderhaven")
INSURER = Actor("coordinating_insurer", "Menzis")
SECOND = Actor("second_insurer", "Zilveren Kruis")
REGISTRATION: dict[str, Any] = {
    "title": "Thuismonitoring bij hartfalen", "region": "Noorderhaven", "track": "breakthrough",
    "social_domain": False, "domain_transcending": False,
    "parties": [{"org": NOORDERHAVEN, "role": "plan_maker"}],
    "coordinating_insurer": INSURER.org, "second_insurer": SECOND.org,
}


def _single_applicant(data: dict[str, Any]) -> None:
    data["applicants"] = data["applicants"][:1]
    data["joint_application_exemption"] = "Alleen deze aanbieder heeft een monitoringcentrum."
    for line in data["budget"]:
        line["provider"] = NOORDERHAVEN


class Steps:
    """Commands an hour apart from 11 January 2027, when transformation@2 is in force."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.at = engine, datetime(2027, 1, 11, 9, tzinfo=AMSTERDAM)

    def fire(self, trigger: str, actor: Actor, payload: dict[str, Any] | None = None) -> None:
        self.at += timedelta(hours=1)
        self.engine.fire("NH-2027-003", trigger, actor, payload, at=self.at)

    def refuse(self, trigger: str, actor: Actor, payload: dict[str, Any]) -> Refused:
        self.at += timedelta(hours=1)
        with pytest.raises(Refused) as refused:
            self.engine.fire("NH-2027-003", trigger, actor, payload, at=self.at)
        return refused.value


def in_preparation(sqlite_url: str) -> tuple[Engine, Steps]:
    engine = Engine(sqlite_url, definition=states.get("transformation@2"))
    steps = Steps(engine)
    engine.register("NH-2027-003", MAKER, REGISTRATION, at=steps.at)
    assert engine.state("NH-2027-003").definition == "transformation@2"
    steps.fire("hold_start_meeting", INSURER)
    steps.fire("agree_character", INSURER, {"character": "innovation"})
    steps.fire("submit_quick_test", MAKER)
    steps.fire("accept_quick_test_as_complete", INSURER)
    steps.fire("submit_review", SECOND, {"verdict": "positive"})
    steps.fire("approve_quick_test", INSURER)
    assert engine.state("NH-2027-003").state == "plan_in_preparation"
    return engine, steps


def test_a_single_applicant_is_refused_until_the_insurer_grants_it(sqlite_url: str) -> None:
    """MP BE12 (DESIGN-v2.md "Breakthrough track"): the document's exemption does not count;
    after `grant_single_applicant` the same modelplan is accepted."""
    engine, steps = in_preparation(sqlite_url)
    payload = {"modelplan": example_v2(_single_applicant)}
    refused = steps.refuse("submit_plan", MAKER, payload)
    assert (refused.rule, refused.seed) == ("has_complete_modelplan", "MP BE1–BE14")
    assert "BE12 applicants: a joint application needs two or more applicants" in str(refused)
    assert engine.state("NH-2027-003").state == "plan_in_preparation"
    steps.fire("grant_single_applicant", INSURER,
               {"reason": "Eén aanbieder in de regio heeft een monitoringcentrum."})
    steps.fire("submit_plan", MAKER, payload)
    assert engine.state("NH-2027-003").state == "plan_submitted"


LATE = {"kpis": [{"id": "k1", "description": "200 patiënten thuis gemonitord",
                  "amount_eur": 400000, "due": "2027-10-01"},
                 {"id": "k2", "description": "80% van de doelgroep thuis gemonitord",
                  "amount_eur": 600000, "due": "2029-03-31", "go_no_go": True}]}


def test_the_contract_of_a_breakthrough_plan_ends_in_2028() -> None:
    """MP BE4: an approved breakthrough plan's contract with a KPI due in 2029 is refused at
    sign_contract and at amend_contract, citing BE4 and the KPI; within 2028 it is signed."""
    run = plan_in_v2("approved", track="breakthrough",
                     content={"modelplan": example_v2(renamed(SAMPLE_NAMES))})
    refused = run.refuse("sign_contract", INSURER, LATE, rule="has_breakthrough_kpis",
                         seed="MP BE4")
    assert ("BE4 kpis[1].due: KPI 'k2': due date 2029-03-31 is outside 2027–2028"
            in refused.reason)
    on_time = copy.deepcopy(LATE)
    on_time["kpis"][1]["due"] = "2028-12-31"
    run.fire("sign_contract", INSURER, on_time)
    run.fire("issue_payment_decision", NZA)
    assert run.state == "in_implementation"
    for maker in [a for a in committing_actors(run) if a.role == "plan_maker"]:
        run.fire("record_commitment", maker)
    run.refuse("amend_contract", INSURER, {**LATE, "reason": "Opschaling later"},
               rule="has_breakthrough_kpis", seed="MP BE4")


def test_the_demo_runs_its_breakthrough_plan_under_v2(tmp_path: Path) -> None:
    """The user's first path (`azwa demo`, default settings, the real clock): the breakthrough
    plan registers under transformation@2, its v2 modelplan meets every rule, and it closes."""
    env = {k: v for k, v in os.environ.items() if k != "AZWA_TRANSFORMATION_V2_FROM"}
    azwa = Path(sys.executable).with_name("azwa")
    done = subprocess.run([str(azwa), "demo", "--db", str(tmp_path / "demo.db"), "--json"],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    plan = json.loads(done.stdout)["breakthrough"]
    assert (plan["definition"], plan["state"]) == ("transformation@2", "closed")
