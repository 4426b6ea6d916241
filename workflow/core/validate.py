"""Load-time checks of a definition: a broken process fails when it loads, not mid-plan."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from workflow.core.errors import DefinitionError
from workflow.core.spec import AIM, DEADLINE, SYSTEM_ROLE, Definition, Transition


def _reachable(start: str, transitions: Iterable[Transition]) -> set[str]:
    edges: dict[str, set[str]] = defaultdict(set)
    for tr in transitions:
        for src in tr.sources:
            if tr.dest is not None:
                edges[src].add(tr.dest)
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def _graph_problems(
    where: str, states: tuple[str, ...], initial: str, finals: frozenset[str],
    transitions: tuple[Transition, ...],
) -> list[str]:
    problems: list[str] = []
    known = set(states)
    if initial not in known:
        problems.append(f"{where}: initial state {initial!r} is not a state")
    for tr in transitions:
        for state in (*tr.sources, *([tr.dest] if tr.dest else [])):
            if state not in known:
                problems.append(f"{where}: {tr.trigger} names unknown state {state!r}")
    by_trigger: dict[str, set[str]] = defaultdict(set)
    for tr in transitions:
        clash = by_trigger[tr.trigger] & set(tr.sources)
        if clash:
            problems.append(f"{where}: {tr.trigger} is defined twice from {sorted(clash)}")
        by_trigger[tr.trigger] |= set(tr.sources)
    for state in sorted(known - _reachable(initial, transitions)):
        problems.append(f"{where}: state {state!r} is unreachable from {initial!r}")
    for state in states:
        if state in finals:
            if any(state in tr.sources for tr in transitions):
                problems.append(f"{where}: final state {state!r} has outgoing transitions")
        elif finals and not (_reachable(state, transitions) & finals):
            problems.append(f"{where}: no final state can be reached from {state!r}")
    return problems


def validate(definition: Definition) -> None:
    """Raise DefinitionError listing every problem at once."""
    d = definition
    problems = _graph_problems("main", d.states, d.initial, d.finals, d.transitions)
    region = d.region
    problems += _graph_problems(
        region.name, region.states, region.initial, frozenset(), region.transitions
    )
    problems += [f"{region.name}: opens in unknown state {s!r}" for s in region.open_in
                 if s not in d.states]
    if d.registration.dest != d.initial:
        problems.append("register_plan must lead to the initial state")
    roles = set(d.roles)
    for tr in d.all_transitions():
        for role in tr.roles - roles:
            problems.append(f"{tr.trigger}: unknown role {role!r}")
        if SYSTEM_ROLE in tr.roles:
            problems.append(f"{tr.trigger}: the system role only expires deadlines")
        for guard in tr.guards:
            for role in (guard.only_for or frozenset()) - roles:
                problems.append(f"{tr.trigger}/{guard.name}: unknown role {role!r}")
    problems += [f"membership: unknown role {r!r}" for r in d.membership if r not in roles]
    triggers = set(d.triggers())
    names: set[str] = set()
    for spec in d.deadlines:
        if spec.name in names:
            problems.append(f"deadline {spec.name!r} is defined twice")
        names.add(spec.name)
        for trig in (*spec.started_by, *spec.met_by):
            if trig not in triggers:
                problems.append(f"deadline {spec.name!r} names unknown trigger {trig!r}")
        for trig in spec.anchor_by:
            if trig not in triggers:
                problems.append(f"deadline {spec.name!r} is anchored at unknown trigger {trig!r}")
        if spec.anchor_by and spec.length is None:
            problems.append(f"deadline {spec.name!r}: only a deadline of a length is anchored")
        if spec.kind not in (DEADLINE, AIM):
            problems.append(f"deadline {spec.name!r} has unknown kind {spec.kind!r}")
        if (spec.length is None) == (spec.per_item is None):
            problems.append(f"deadline {spec.name!r} needs either a length or per_item dates")
        if spec.started_into and spec.started_into not in (*d.states, *region.states):
            problems.append(f"deadline {spec.name!r} starts into unknown {spec.started_into!r}")
    if problems:
        raise DefinitionError(f"{d.ref} is not a valid definition:\n  " + "\n  ".join(problems))
