"""`shared` hands out one frozen Actor per (role, organisation, region), a bounded table."""

from __future__ import annotations

from workflow.core import actor as actors
from workflow.core.actor import Actor, shared


def test_the_same_actor_is_handed_out_again_and_equals_a_new_one() -> None:
    first = shared("municipality", "Gemeente Utrecht", "Regio Utrecht")
    assert first == Actor("municipality", "Gemeente Utrecht", "Regio Utrecht")
    assert shared("municipality", "Gemeente Utrecht", "Regio Utrecht") is first
    assert shared("municipality", "Gemeente Utrecht", None) is not first


def test_an_organisation_that_is_no_text_gives_an_actor_that_is_not_kept() -> None:
    before = len(actors._SHARED)
    made = shared("plan_maker", ["not", "text"], None)  # type: ignore[arg-type]
    assert made.org == ["not", "text"]
    assert len(actors._SHARED) == before


def test_the_table_starts_afresh_when_full() -> None:
    for n in range(actors.SHARED_MAX + 10):
        shared("plan_maker", f"Zorgaanbieder {n}", None)
    assert len(actors._SHARED) <= actors.SHARED_MAX
    assert shared("plan_maker", "Zorgaanbieder 1", None) == Actor("plan_maker",
                                                                  "Zorgaanbieder 1")
