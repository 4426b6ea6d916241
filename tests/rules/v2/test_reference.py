"""DESIGN-v2.md "Citations" and issue acceptance: the generated reference shows both versions,
each rule with its seed paragraph, and the project's own rules (citing azwa) marked as such."""

from __future__ import annotations

import states
from workflow.cli.reference import project_rules, reference

from .builders import DEFINITION


def test_reference__shows_both_versions_with_every_rule_and_its_seed() -> None:
    """Given the registered definitions, when the reference is generated, then it has a
    section per version, and every guard of @2 appears with its seed paragraph."""
    page = reference(states.all_definitions())
    assert "## Reference: `transformation@1`" in page
    assert "## Reference: `transformation@2`" in page
    v2 = page.split("## Reference: `transformation@2`", 1)[1]
    for transition in DEFINITION.all_transitions():
        for g in transition.guards:
            assert f"`{g.name}` ({g.seed})" in v2, g.name
    assert "| `board_meeting` | aim |" in v2


def test_reference__lists_the_projects_own_rules_marked() -> None:
    """Given @2, when its own rules are listed, then exactly the transitions and guards citing
    azwa are there (withdrawal, lapse, the acceptance acts, extension, revision), each marked
    as azwa's own; @1 has none."""
    own = project_rules(DEFINITION)
    triggers = {trigger for trigger, _, _ in own}
    assert triggers == {"accept_quick_test_as_complete", "accept_plan_as_complete",
                        "request_information", "resubmit_quick_test", "resubmit_plan",
                        "assign_regional_coordinator", "request_revision", "withdraw",
                        "close_lapsed", "extend_deadline"}
    page = reference(states.all_definitions())
    assert page.count("(**azwa's own**)") == len(own)
    assert project_rules(states.get("transformation@1")) == []


def test_reference__each_rule_cites_the_paragraph_its_sentence_is_in() -> None:
    """DESIGN-v2.md "Citations": every rule cites the paragraph its sentence is in.

    Given @2, then has_no_negative_verdict cites §1.3.2 and §1.b (it blocks on the insurers'
    one assessment and on the municipality's and regional coordinator's, §1.b.2–3);
    sign_contract cites §3.a.5 ("getekende overeenkomst met KPI-afspraken"), not the heading
    §1.7; asking for what is missing and resubmitting, which §1.5.1 and §1.5.3 do not
    mention, cite azwa; @1 keeps its citations.
    """
    seeds = {(tr.trigger, src): tr for tr in DEFINITION.all_transitions() for src in tr.sources}
    approve = seeds[("approve_plan", "joint_review")]
    assert {x.name: x.seed for x in approve.guards}["has_no_negative_verdict"] == \
        "A4 §1.3.2, §1.b"
    assert seeds[("sign_contract", "approved")].seed == "A4 §3.a.5"
    for key in (("request_information", "quick_test_submitted"),
                ("request_information", "plan_submitted"),
                ("resubmit_quick_test", "quick_test_incomplete"),
                ("resubmit_plan", "plan_incomplete")):
        assert seeds[key].seed == "azwa", key
    assert {x.seed for x in seeds[("request_information", "plan_submitted")].guards} == \
        {"azwa"}
    v1 = {(tr.trigger, src): tr.seed
          for tr in states.get("transformation@1").all_transitions() for src in tr.sources}
    assert v1[("sign_contract", "approved")] == "A4 §1.7"
    assert v1[("request_information", "plan_submitted")] == "A4 §1.5.3"
