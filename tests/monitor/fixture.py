"""A small database whose monitoring figures are counted by hand (tests/monitor).

Three plans, every act at a fixed time (winter time, +01:00):

- A (Twente): registered 5 Jan 2027, quick test submitted 10 Jan and accepted 12 Jan (the
  4 weeks run to 9 Feb), approved 2 Feb (on time, 21 days used: 12 Jan → 2 Feb), escalated
  to step 1 on 10 Feb, still open at the end.
- B (Twente): registered 20 Jan, submitted 22 Jan, accepted 25 Jan (due 22 Feb), expired on
  23 Feb (a breach, 29 days: 25 Jan → 23 Feb), rejected 25 Feb.
- C (Drenthe): registered 1 Feb, withdrawn 3 Feb.

By month, up to 15 March 2027:
- January, Twente: at the end 2 plans in quick_test_under_review; entered intent 2,
  quick_test_submitted 2, quick_test_under_review 2; left intent 2, quick_test_submitted 2.
- February, Twente: at the end plan_in_preparation 1, rejected 1; entered plan_in_preparation
  1, rejected 1; left quick_test_under_review 2; quick_test_decision ended 2, 1 on time
  (share 0.5), median days used 25 (21 and 29); 1 breach; escalation step bilateral open 1.
  February, Drenthe: withdrawn 1; entered intent 1, withdrawn 1; left intent 1.
- March: Twente plan_in_preparation 1, rejected 1, bilateral open 1; Drenthe withdrawn 1;
  nothing entered, left or ended.
"""

from __future__ import annotations

from typing import Any

from workflow.service.api import Engine

MAKER = {"role": "plan_maker", "org": "Huisartsen Twente", "region": "Twente"}
INSURER = {"role": "coordinating_insurer", "org": "Menzis"}
AS_OF = "2027-03-15T12:00:00+01:00"


def registration(region: str, maker: str = "Huisartsen Twente") -> dict[str, Any]:
    return {"title": f"Plan in {region}", "region": region, "track": "transformation",
            "social_domain": False, "domain_transcending": False,
            "parties": [{"org": maker, "role": "plan_maker"}],
            "coordinating_insurer": "Menzis", "second_insurer": "Zilveren Kruis",
            "municipalities": []}


def at(day: str) -> str:
    return f"2027-{day}T10:00:00+01:00"


def quick_test(engine: Engine, plan_id: str, registered: str, submitted: str,
               accepted: str) -> None:
    engine.register(plan_id, MAKER, registration("Twente"), at=at(registered))
    engine.fire(plan_id, "agree_character", INSURER, {"character": "innovation"},
                at=at(registered).replace("T10", "T11"))
    engine.fire(plan_id, "submit_quick_test", MAKER, at=at(submitted))
    engine.fire(plan_id, "accept_quick_test_as_complete", INSURER, at=at(accepted))


def build(engine: Engine) -> None:
    """The three plans above, on `engine`."""
    quick_test(engine, "A", "01-05", "01-10", "01-12")
    engine.fire("A", "approve_quick_test", INSURER, at=at("02-02"))
    engine.fire("A", "escalate", MAKER, {"issue": "staffing", "contact": "J. de Vries"},
                at=at("02-10"))
    quick_test(engine, "B", "01-20", "01-22", "01-25")
    engine.tick("2027-02-24T08:00:00+01:00")
    engine.fire("B", "reject_quick_test", INSURER, {"reason": "no impact"}, at=at("02-25"))
    drenthe = {"role": "plan_maker", "org": "Zorg Drenthe", "region": "Drenthe"}
    engine.register("C", drenthe, registration("Drenthe", "Zorg Drenthe"), at=at("02-01"))
    engine.fire("C", "withdraw", drenthe, {"reason": "merged with another plan"},
                at=at("02-03"))
