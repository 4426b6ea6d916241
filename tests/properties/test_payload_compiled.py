"""The compiled payload check agrees with the careful one on every payload.

A payload the compiled predicate accepts is accepted without naming anything, so the two
must never disagree: a payload the careful pass finds a problem in must be refused by the
predicate too, and one it finds none in accepted.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import states
from workflow.core.payload import (
    BOOL,
    DATE,
    MONEY,
    NUMBER,
    TEXT,
    Enum,
    Field,
    FieldType,
    ListOf,
    Object,
    PayloadSchema,
    problems,
)

SCHEMAS: list[tuple[str, PayloadSchema]] = sorted(
    {(f"{d.ref} {trigger}", schema) for d in states.all_definitions()
     for trigger, schema in d.payloads.items()
     if d is states.DEFAULT or schema is not states.DEFAULT.payloads.get(trigger)},
    key=lambda item: item[0])
"""Every version's schemas (a later version's only where they differ from @1's)."""

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["2026-02-29", "2024-02-29", "2026-13-01", "12.50", "0.005", "start",
                     "approve", "month", float("inf"), float("nan"), 0.1, 12.345, 10**13,
                     -1, True, False, 0]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)


def _names(schema: PayloadSchema) -> list[str]:
    names: list[str] = []

    def walk(body: Object) -> None:
        for f in body.fields:
            names.append(f.name)
            inner: Any = f.type
            while hasattr(inner, "item"):
                inner = inner.item
            if isinstance(inner, Object):
                walk(inner)

    walk(schema.body)
    return names


@st.composite
def payloads(draw: st.DrawFn, schema: PayloadSchema) -> dict[str, Any]:
    """Mostly the declared keys with any JSON value, sometimes an unknown key."""
    keys = [*_names(schema), "unknown"]
    return draw(st.dictionaries(st.sampled_from(keys), JSON_VALUES, max_size=len(keys)))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_compiled_check_agrees_with_the_careful_one(data: st.DataObject) -> None:
    trigger, schema = data.draw(st.sampled_from(SCHEMAS))
    payload = data.draw(payloads(schema))
    careful: list[tuple[str, str]] = []
    schema.body.check_fields(payload, "", careful)
    assert schema.body.valid_fields(payload) == (not careful), (trigger, payload, careful)
    assert problems(schema, payload) == careful


KINDS: list[FieldType] = [
    TEXT, BOOL, DATE, MONEY, NUMBER, Enum(("start", "approve")), ListOf(MONEY), ListOf(TEXT),
    ListOf(BOOL), ListOf(DATE), ListOf(NUMBER), ListOf(Enum(("start",))),
    ListOf(Object((Field("org", TEXT, "o"), Field("n", NUMBER, "n", required=False)))),
]


@settings(max_examples=600, deadline=None)
@given(kind=st.sampled_from(KINDS), value=JSON_VALUES, required=st.booleans(),
       nullable=st.booleans(), given_=st.booleans())
def test_each_type_compiles_to_its_own_check(
    kind: FieldType, value: Any, required: bool, nullable: bool, given_: bool
) -> None:
    """One field of each type, required or not, nullable or not, present or missing."""
    schema = PayloadSchema("one field", (Field("v", kind, "v", required, nullable),))
    payload = {"v": value} if given_ else {}
    careful: list[tuple[str, str]] = []
    schema.body.check_fields(payload, "", careful)  # the careful pass alone
    assert schema.body.valid_fields(payload) == (not careful), (kind, payload, careful)
    assert problems(schema, payload) == careful


SPECIAL: list[Any] = [
    None, True, False, 0, -1, 1, 10**13, 10**20, 0.1, 12.345, 1e16, float("inf"),
    float("-inf"), float("nan"), "", " ", "x", "start", "2024-02-29", "2026-02-29",
    "2026-13-01", "12.50", "0.005", [], {}, {"org": "a"}, {"org": 1}, {"org": "a", "x": 1},
    {"org": "a", "n": float("nan")},
]
"""Values at the edges of each type: every one against every type, nested too."""


def test_each_type_agrees_on_every_edge_value() -> None:
    compared = 0
    for kind in KINDS:
        for value in [*SPECIAL, *([v] for v in SPECIAL)]:
            for required in (True, False):
                for nullable in (True, False):
                    for payload in ({"v": value}, {}):
                        schema = PayloadSchema("one", (Field("v", kind, "v", required,
                                                             nullable),))
                        careful: list[tuple[str, str]] = []
                        schema.body.check_fields(payload, "", careful)
                        assert schema.body.valid_fields(payload) == (not careful), (
                            kind, payload, careful)
                        compared += 1
    assert compared == len(KINDS) * len(SPECIAL) * 2 * 2 * 2 * 2


def test_a_valid_demo_payload_passes_the_compiled_check() -> None:
    from workflow.service import demo

    for definition in states.all_definitions():
        checked = 0
        steps = demo.for_definition(definition.ref, demo.STEPS)
        for step, _at in demo.moments(steps=steps):
            schema = definition.payloads.get(step.trigger)
            if schema is not None and step.actor is not None:
                assert schema.body.valid_fields(step.payload), (definition.ref, step.trigger)
                checked += 1
        assert checked > 10
