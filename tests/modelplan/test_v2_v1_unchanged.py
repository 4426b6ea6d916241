"""`transformation@1`'s modelplan check stays exactly as it was while v2 shares its rules:
plans registered under v1, and the logs recorded under it, are judged as before."""

from __future__ import annotations

import copy
import json
import random

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from states.guards import modelplan_problems
from states.modelplan import check_modelplan, parse_modelplan
from states.modelplan_v2 import check_modelplan_v2
from states.modelplan_v2_doc import parse_modelplan_v2
from workflow.modelplan.template import template

from . import v1_variants
from .v2_support import context

SHARED = ("fte_per_million_eur", "budget", "structural_savings_eur_per_year")
"""The fields of the rules v2 takes over from v1 as they are (BE1, BE4 years, BE12 providers,
BE9)."""


def test_v1_findings_are_those_recorded_before_v2() -> None:
    """MP BE1–BE14 (v1): on the example and 400 seeded variants of it, `check_modelplan`
    gives exactly the findings it gave before `transformation@2` existed."""
    recorded = json.loads(v1_variants.GOLDEN.read_text(encoding="utf-8"))
    assert len(recorded) == v1_variants.COUNT + 1
    assert sum(1 for found in recorded if found) > 300  # the variants do exercise the rules
    assert v1_variants.v1_findings() == recorded


def test_v1_guard_lines_follow_the_recorded_findings() -> None:
    """MP BE1–BE14 (v1): the guard `modelplan_problems` of transformation@1 says what the
    recorded findings say, line for line."""
    recorded = json.loads(v1_variants.GOLDEN.read_text(encoding="utf-8"))
    for doc, found in zip(v1_variants.variants(), recorded, strict=True):
        lines = modelplan_problems(context({"modelplan": doc}))
        assert lines == [f"BE{f['basiseis']} {f['field']}: {f['message']}" for f in found]


def test_v1_refuses_the_v2_fields_as_it_refused_any_unknown_field() -> None:
    """azwa: v1's reader is unchanged, so a v2 document is not a v1 document."""
    lines = modelplan_problems(context({"modelplan": yaml.safe_load(template("yaml"))}))
    assert lines == ["business_case: unknown field; expected applicants, basiseisen, sections, "
                     "fte_per_million_eur, budget, structural_savings_eur_per_year, title, "
                     "joint_application_exemption, social_domain_budget"]


@settings(max_examples=150, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(1, 5))
def test_property_v2_keeps_v1s_shared_findings(rng: random.Random, changes: int) -> None:
    """Property: on any variant of the example, every finding of v1's BE1 fte, BE4 budget
    years, BE12 providers and BE9 savings is also a finding of v2, word for word: v2 shares
    these rules, it does not restate them."""
    doc = copy.deepcopy(v1_variants.example())
    for change in rng.sample(v1_variants.CHANGES, min(changes, len(v1_variants.CHANGES))):
        change(doc, rng)
    v1 = [f for f in check_modelplan(parse_modelplan(doc)) if f.field.startswith(SHARED)]
    v2 = check_modelplan_v2(parse_modelplan_v2(doc))
    assert [f for f in v2 if f in v1] == v1
