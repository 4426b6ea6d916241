"""What changed between two process definitions: states, triggers, roles, guards, deadlines
and payload fields, each added, removed or changed, in a fixed order.

Pure: it reads two `Definition` objects and nothing else, so it works for any two versions
(or a version and a deliberately modified copy of it). A rule change is then something an
auditor reads as a list, each guard with the seed paragraph it cites.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from workflow.core.i18n import _
from workflow.core.payload import ListOf, Object, rows
from workflow.core.spec import DeadlineSpec, Definition, Length, Transition

SECTIONS = ("states", "triggers", "roles", "guards", "deadlines", "payloads")
ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: `before` is None when added, `after` None when removed."""

    section: str
    name: str
    change: str
    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "name": self.name, "change": self.change,
                "before": self.before, "after": self.after}


@dataclass(frozen=True, slots=True)
class DefinitionDiff:
    before: str
    after: str
    changes: tuple[Change, ...]

    def counts(self) -> dict[str, dict[str, int]]:
        counts = {s: {ADDED: 0, REMOVED: 0, CHANGED: 0} for s in SECTIONS}
        for c in self.changes:
            counts[c.section][c.change] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.before, "to": self.after, "counts": self.counts(),
                "changes": [c.to_dict() for c in self.changes]}


def _roles(roles: Iterable[str]) -> str:
    return ", ".join(sorted(roles))


def _transition_line(tr: Transition) -> str:
    dest = tr.dest if tr.dest is not None else "(stays)"
    extra = " (any organisation)" if tr.any_org else ""
    return f"{' | '.join(tr.sources) or '(new plan)'} → {dest} by {_roles(tr.roles)}{extra}"


def _triggers(d: Definition) -> dict[str, str]:
    """Per trigger: every transition it takes, one line each, with the seeds it cites."""
    lines: dict[str, list[str]] = {}
    seeds: dict[str, set[str]] = {}
    for tr in d.all_transitions():
        lines.setdefault(tr.trigger, []).append(_transition_line(tr))
        seeds.setdefault(tr.trigger, set()).add(tr.seed)
    return {t: "; ".join(ls) + f" [{', '.join(sorted(seeds[t]))}]" for t, ls in lines.items()}


def _states(d: Definition) -> dict[str, str]:
    found: dict[str, str] = {}
    for s in d.states:
        kind = "initial" if s == d.initial else "final" if s in d.finals else "state"
        found[s] = kind
    region = d.region
    for s in region.states:
        found[f"{region.name}:{s}"] = f"{region.name} step" + (
            " (initial)" if s == region.initial else "")
    found[f"{region.name} open in"] = ", ".join(s for s in d.states if s in region.open_in) + (
        f" [{region.open_seed}]")
    return found


def _roles_of(d: Definition) -> dict[str, str]:
    """Per role its description, and per `role → trigger` that the role may fire it, so a
    role that gains or loses a trigger reads as one line."""
    found = {r: text for r, text in d.roles.items()}
    for tr in d.all_transitions():
        for role in tr.roles:
            found.setdefault(role, "(undeclared)")
            found[f"{role} → {tr.trigger}"] = "may fire"
    return found


def _guards(d: Definition) -> dict[str, str]:
    """Per `trigger/guard`: its seed, its message and whom it judges."""
    found: dict[str, set[str]] = {}
    for tr in d.all_transitions():
        for g in tr.guards:
            only = f" (only for {_roles(g.only_for)})" if g.only_for is not None else ""
            found.setdefault(f"{tr.trigger}/{g.name}", set()).add(
                f"[{g.seed}] {g.message}{only}")
    return {k: " / ".join(sorted(v)) for k, v in found.items()}


def _value(value: Any) -> str:
    if isinstance(value, Length):
        return value.describe()
    if isinstance(value, tuple | frozenset | set):
        items = sorted(value) if not isinstance(value, tuple) else value
        return ", ".join(str(v) for v in items) or "-"
    return "-" if value is None else str(value)


def _deadline_fields(spec: DeadlineSpec) -> dict[str, str]:
    """Every field of the spec (whatever fields the vocabulary has), named; a field left at
    its default is named only when the other version sets it."""
    return {f.name: _value(getattr(spec, f.name)) for f in dataclasses.fields(spec)
            if f.name != "name"}


def _defaults() -> dict[str, str]:
    return {f.name: _value(f.default) for f in dataclasses.fields(DeadlineSpec)
            if f.default is not dataclasses.MISSING}


def _type(kind: Any) -> str:
    if isinstance(kind, ListOf):
        return f"list of {_type(kind.item)}"
    if isinstance(kind, Object):
        return kind.describe()
    text: str = kind.describe()
    return text


def _payloads(d: Definition) -> dict[str, str]:
    found: dict[str, str] = {}
    for trigger, schema in d.payloads.items():
        for path, f in rows(schema):
            need = "required" if f.required else "optional"
            found[f"{trigger}.{path}"] = f"{_type(f.type)}, {need}" + (
                ", may be null" if f.nullable else "")
    return found


def _compare(section: str, a: Mapping[str, str], b: Mapping[str, str]) -> list[Change]:
    out = [Change(section, k, REMOVED, a[k], None) for k in a if k not in b]
    out += [Change(section, k, ADDED, None, b[k]) for k in b if k not in a]
    out += [Change(section, k, CHANGED, a[k], b[k]) for k in a if k in b and a[k] != b[k]]
    return out


def _deadlines(a: Definition, b: Definition) -> list[Change]:
    """Added or removed deadlines as a whole; a changed one field by field
    (`plan_decision.met_by`), so a new anchor or kind reads as its own line."""
    old = {s.name: _deadline_fields(s) for s in a.deadlines}
    new = {s.name: _deadline_fields(s) for s in b.deadlines}

    defaults = _defaults()

    def whole(fields: Mapping[str, str]) -> str:
        return "; ".join(f"{k}: {v}" for k, v in fields.items() if defaults.get(k) != v)

    out = [Change("deadlines", n, REMOVED, whole(old[n]), None) for n in old if n not in new]
    out += [Change("deadlines", n, ADDED, None, whole(new[n])) for n in new if n not in old]
    for name in old.keys() & new.keys():
        out += _compare("deadlines", {f"{name}.{k}": v for k, v in old[name].items()},
                        {f"{name}.{k}": v for k, v in new[name].items()})
    return out


_ORDER = {ADDED: 1, REMOVED: 0, CHANGED: 2}
_SECTIONS: tuple[tuple[str, Callable[[Definition], Mapping[str, str]]], ...] = (
    ("states", _states), ("triggers", _triggers), ("roles", _roles_of), ("guards", _guards),
    ("payloads", _payloads),
)


def diff(a: Definition, b: Definition) -> DefinitionDiff:
    """Every difference from `a` to `b`, ordered by section, then name, then kind."""
    changes: list[Change] = []
    for section, read in _SECTIONS:
        changes += _compare(section, read(a), read(b))
    changes += _deadlines(a, b)
    changes.sort(key=lambda c: (SECTIONS.index(c.section), c.name, _ORDER[c.change]))
    return DefinitionDiff(a.ref, b.ref, tuple(changes))


def _cell(text: str | None) -> str:
    return "" if text is None else text.replace("|", "\\|").replace("\n", " ")


def markdown(result: DefinitionDiff) -> str:
    """The diff as Markdown: one table per section that has changes."""
    lines = [f"# {result.before} → {result.after}", ""]
    if not result.changes:
        return "\n".join([*lines, _("No differences."), ""])
    counts = result.counts()
    lines += [f"| {_('section')} | {_(ADDED)} | {_(REMOVED)} | {_(CHANGED)} |",
              "|---|---|---|---|"]
    lines += [f"| {_(s)} | {c[ADDED]} | {c[REMOVED]} | {c[CHANGED]} |" for s, c in counts.items()]
    for section in SECTIONS:
        rows_ = [c for c in result.changes if c.section == section]
        if not rows_:
            continue
        lines += ["", f"## {_(section.capitalize())}", "",
                  f"| {_(section[:-1])} | {_('change')} | {result.before} | {result.after} |",
                  "|---|---|---|---|"]
        lines += [f"| `{_cell(c.name)}` | {_(c.change)} | {_cell(c.before)} | "
                  f"{_cell(c.after)} |" for c in rows_]
    return "\n".join(lines) + "\n"
