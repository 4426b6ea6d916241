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
                        "assign_regional_coordinator", "request_revision", "withdraw",
                        "close_lapsed", "extend_deadline"}
    page = reference(states.all_definitions())
    assert page.count("(**azwa's own**)") == len(own)
    assert project_rules(states.get("transformation@1")) == []
