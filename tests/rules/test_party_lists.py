"""The lists of a plan's parties that memberships, guards and the agenda read."""

from __future__ import annotations

from typing import Any

import pytest

from states.agenda import _reviewed
from states.guards import committing_orgs, participating_municipalities, party_orgs
from workflow.core.plan import Plan


def test_party_orgs__every_party_in_order_repeats_kept() -> None:
    attrs = {"parties": [{"org": "B"}, {"org": "A"}, {"org": "B"}]}
    assert party_orgs(attrs) == ["B", "A", "B"]
    assert party_orgs({}) == []


def test_party_orgs__a_party_without_an_org_fails_as_before() -> None:
    with pytest.raises(KeyError):
        party_orgs({"parties": [{"org": "A"}, {"name": "B"}]})


def test_participating_municipalities__listed_then_joined_once() -> None:
    attrs = {"municipalities": [{"org": "G1"}, {"org": "G2"}]}
    assert participating_municipalities(attrs, {}) == ["G1", "G2"]
    joined = {"joined": [{"org": "G2"}, {"org": "G3"}]}
    assert participating_municipalities(attrs, joined) == ["G1", "G2", "G3"]
    assert participating_municipalities({}, joined) == ["G2", "G3"]


def test_committing_orgs__parties_and_municipalities_without_the_insurers() -> None:
    attrs = {"parties": [{"org": "P"}, {"org": "VGZ"}], "coordinating_insurer": "VGZ",
             "municipalities": [{"org": "G1"}]}
    assert committing_orgs(attrs, {"second_insurer": "CZ", "joined": [{"org": "P"}]}) == [
        "P", "G1"]


def _plan(reviews: dict[str, Any]) -> Plan:
    return Plan("P-1", "transformation@1", "under_review", "none", {}, facts={
        "reviews": reviews})


def test_agenda_reviewed__by_role_and_where_asked_by_organisation() -> None:
    plan = _plan({"regional_coordinator:R1": {"role": "regional_coordinator", "org": "R1"}})
    assert _reviewed(plan, "regional_coordinator")
    assert _reviewed(plan, "regional_coordinator", "R1")
    assert not _reviewed(plan, "regional_coordinator", "R2")
    assert not _reviewed(plan, "municipality")
    assert not _reviewed(_plan({}), "regional_coordinator")
