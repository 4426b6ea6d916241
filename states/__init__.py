"""The process definitions, by name and version; a plan stays bound to the version it was
registered under, so an old plan replays under the rules then in force."""

from __future__ import annotations

from states.transformation import DEFINITION as TRANSFORMATION_V1
from states.transformation_v2 import DEFINITION as TRANSFORMATION_V2
from workflow.core.spec import Definition
from workflow.core.validate import validate

_REGISTRY: dict[str, Definition] = {}


def register(definition: Definition) -> Definition:
    """Validate and add a definition; a broken one fails here, at load time."""
    validate(definition)
    _REGISTRY[definition.ref] = definition
    return definition


def get(ref: str) -> Definition:
    """A definition by `name@version`, e.g. `transformation@1`."""
    try:
        return _REGISTRY[ref]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown process definition {ref!r} (known: {known})") from None


def in_force(name: str, on: str) -> Definition:
    """The newest version of `name` in force on ISO date `on`: the version a plan registered
    that day runs under (and a log without `definition` is replayed under). transformation@2
    is in force from AZWA_TRANSFORMATION_V2_FROM (default 2026-01-01, states/settings.py)."""
    candidates = [d for d in _REGISTRY.values() if d.name == name and d.effective_from <= on]
    if not candidates:
        raise KeyError(f"no version of {name!r} in force on {on}")
    return max(candidates, key=lambda d: d.version)


def all_definitions() -> list[Definition]:
    return list(_REGISTRY.values())


DEFAULT = register(TRANSFORMATION_V1)
V2 = register(TRANSFORMATION_V2)
