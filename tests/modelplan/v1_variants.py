"""Modelplans derived from the examples by seeded random changes, for the regression test that
`transformation@1`'s modelplan check (`check_modelplan`) keeps its findings exactly.

`v1_findings.json` holds the findings the check gave for each variant before the checklist of
`transformation@2` was added; `python -m tests.modelplan.v1_variants` writes it again (only
ever on purpose: the file is the record of v1's behaviour).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "modelplan_example.yaml"
GOLDEN = Path(__file__).with_name("v1_findings.json")
COUNT = 400
SEED = 20261130

Doc = dict[str, Any]


def _blank_answer(doc: Doc, rng: random.Random) -> None:
    doc["basiseisen"][str(rng.randint(1, 14))] = rng.choice(["", "  ", None, "n.v.t.", "TBD"])


def _drop_answer(doc: Doc, rng: random.Random) -> None:
    doc["basiseisen"].pop(str(rng.randint(1, 14)), None)


def _year(doc: Doc, rng: random.Random) -> None:
    if doc["budget"]:
        rng.choice(doc["budget"])["year"] = rng.choice([2026, 2027, 2028, 2029])


def _provider(doc: Doc, rng: random.Random) -> None:
    if doc["budget"]:
        rng.choice(doc["budget"])["provider"] = rng.choice(
            ["Zorggroep Noorderhaven", "Elders BV", "zorggroep noorderhaven"])


def _amount(doc: Doc, rng: random.Random) -> None:
    if doc["budget"]:
        rng.choice(doc["budget"])["amount_eur"] = rng.choice([0, 1, 50_000, 250_000, 10**9])


def _kind(doc: Doc, rng: random.Random) -> None:
    if doc["budget"]:
        rng.choice(doc["budget"])["kind"] = rng.choice(["incidental", "structural"])


def _empty_budget(doc: Doc, rng: random.Random) -> None:
    doc["budget"] = []


def _savings(doc: Doc, rng: random.Random) -> None:
    doc["structural_savings_eur_per_year"] = rng.choice([None, 0, 100_000, 215_000, 10**6])


def _fte(doc: Doc, rng: random.Random) -> None:
    doc["fte_per_million_eur"] = rng.choice([None, -1, 0, 0.5, 4.2])


def _applicants(doc: Doc, rng: random.Random) -> None:
    doc["applicants"] = doc["applicants"][: rng.randint(0, len(doc["applicants"]))]


def _exemption(doc: Doc, rng: random.Random) -> None:
    doc["joint_application_exemption"] = rng.choice([None, "", "  ", "Eén aanbieder in de regio"])


def _social(doc: Doc, rng: random.Random) -> None:
    doc["social_domain_budget"] = rng.choice([True, False])


CHANGES: tuple[Callable[[Doc, random.Random], None], ...] = (
    _blank_answer, _drop_answer, _year, _provider, _amount, _kind, _empty_budget, _savings,
    _fte, _applicants, _exemption, _social,
)


def example() -> Doc:
    data: Doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def variants() -> Iterator[Doc]:
    """The example itself, then COUNT variants of one to four random changes each."""
    rng = random.Random(SEED)
    base = example()
    yield copy.deepcopy(base)
    for _ in range(COUNT):
        doc = copy.deepcopy(base)
        for change in rng.sample(CHANGES, rng.randint(1, 4)):
            change(doc, rng)
        yield doc


def v1_findings() -> list[list[dict[str, object]]]:
    from states.modelplan import check_modelplan, parse_modelplan

    return [[f.to_dict() for f in check_modelplan(parse_modelplan(doc))] for doc in variants()]


if __name__ == "__main__":
    lines = (json.dumps(found, ensure_ascii=False) for found in v1_findings())
    GOLDEN.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")
