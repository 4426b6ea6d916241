"""The canonical JSON that is hashed: orjson where it writes the reference's bytes, the
standard library everywhere else, and the same bytes either way (DESIGN.md "Event log")."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.core.events import (
    _ORJSON_OPTIONS,
    LineSealer,
    _plain,
    canonical,
    seal,
    stdlib_text,
)


def reference(data: Any) -> bytes:
    """DESIGN.md's definition, word for word."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


scalars = (
    st.none() | st.booleans() | st.text()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats(allow_nan=False) | st.floats(min_value=-1e20, max_value=1e20)
    | st.sampled_from([0.1, 1e16, 1e-7, -0.0, 1e22, 5e-324, 123456789.125, 2.5e-5])
    | st.characters(codec="utf-8").map(lambda c: f"{c}\x00\x1f\x7f\u2028\"\\ é 😀")
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)
actors = st.dictionaries(st.sampled_from(["role", "org", "region", "team"]),
                         st.text() | st.none() | values)
"""An actor's fields as `Actor.to_dict` writes them, with others and any values: the
sealer judges the usual three without a loop, every other actor in full."""
EVENT_PARTS = (
    st.dictionaries(st.text(max_size=8), values, max_size=4),  # the payload
    actors,
    st.integers(min_value=1, max_value=2**70),  # the seq
)
"""What a sealed event is made of, besides its fixed texts."""


@settings(max_examples=600)
@given(st.dictionaries(st.text(max_size=8), values, max_size=8))
def test_canonical_is_the_reference_encoding(data: dict[str, Any]) -> None:
    assert canonical(data) == reference(data)


@settings(max_examples=600)
@given(values)
def test_orjson_writes_the_reference_bytes_wherever_it_is_used(data: Any) -> None:
    if _plain(data):
        assert orjson.dumps(data, option=_ORJSON_OPTIONS) == reference(data)


@settings(max_examples=300)
@given(*EVENT_PARTS)
def test_a_sealed_hash_is_sha256_of_the_reference_encoding(
    payload: dict[str, Any], actor: dict[str, Any], seq: int
) -> None:
    import hashlib

    event = seal(plan_id="P-1", seq=seq, at="2027-01-04T09:00:00+01:00", trigger="escalate",
                 actor=actor, payload=payload, definition="transformation@1",
                 prev_hash="0" * 64)
    body = {k: v for k, v in event.to_dict().items() if k != "hash"}
    assert event.hash == hashlib.sha256(reference(body)).hexdigest()


@pytest.mark.parametrize(("value", "text"), [
    (1e16, "1e+16"), (1e-7, "1e-07"), (2**64, "18446744073709551616"), (-(2**63) - 1,
                                                                          "-9223372036854775809"),
])
def test_numbers_orjson_writes_otherwise_come_from_the_standard_library(
    value: Any, text: str
) -> None:
    assert canonical({"x": value}) == f'{{"x":{text}}}'.encode()


def test_types_the_reference_refuses_are_refused() -> None:
    import uuid
    from datetime import date

    for value in (uuid.uuid4(), date(2027, 1, 1)):
        with pytest.raises(TypeError):
            canonical({"x": value})


def test_text_that_is_not_unicode_is_refused_as_before() -> None:
    with pytest.raises(UnicodeEncodeError):
        canonical({"x": "\ud800"})
    assert stdlib_text({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


@settings(max_examples=300)
@given(*EVENT_PARTS)
def test_a_line_sealer_seals_as_the_engine_and_its_lines_read_back_to_the_events(
    payload: dict[str, Any], actor: dict[str, Any], seq: int
) -> None:
    """A simulated events.jsonl line is the hashed bytes with the hash as the last field:
    the event `seal` makes, whichever encoder wrote the bytes, one line per event."""
    sealer = LineSealer()
    lines = sealer.open("P-1")
    fields = {"plan_id": "P-1", "seq": seq, "at": "2027-01-04T09:00:00+01:00",
              "trigger": "escalate", "actor": actor, "payload": payload,
              "definition": "transformation@1", "prev_hash": "0" * 64}
    try:
        expected = seal(**fields)
    except (UnicodeEncodeError, ValueError):  # the reference refuses it: so does the sealer
        with pytest.raises((UnicodeEncodeError, ValueError)):
            sealer(*fields.values())
        return
    event = sealer(*fields.values())
    assert event == expected
    second = sealer(*{**fields, "seq": seq + 1, "prev_hash": event.hash}.values())
    first_line, second_line = bytes(lines).splitlines()
    body = {k: v for k, v in expected.to_dict().items() if k != "hash"}
    assert first_line == canonical(body)[:-1] + f',"hash":"{event.hash}"}}'.encode()
    assert json.loads(first_line) == event.to_dict()
    assert json.loads(second_line) == second.to_dict()
    assert bytes(lines).endswith(b"\n") and bytes(lines).count(b"\n") == 2
