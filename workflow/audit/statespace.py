"""An exhaustive check of a definition: a search over its abstract configurations.

The real engine of the definition (the same `states/` the live service runs) is driven on
representative plans (`samples`): from each configuration every trigger is tried by every
actor with its sample payloads, and time may pass to the next deadline's expiry. A
configuration is abstracted to a key: state × escalation step × each deadline's status (and
how often it closed) × the facts the guards read, with every count bounded (a list by its
distinct items and a length up to 2, a number as 0, 1 or "more", a moment as "a moment").
Two plans with the same key are one configuration, so the search ends.

On the graph of configurations it proves, or gives the shortest explored trace against:
- `reaches_final`: from every reachable configuration some path leads to a final state;
- `fireable`: every transition names roles the definition has, and fires somewhere;
- `deadline_closed_once`: every deadline started is met, expired or cancelled once, never
  twice;
- `final_without_running_deadline`: no deadline is running in a final state.
"""

from __future__ import annotations

import copy
import heapq
import re
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from workflow.audit.samples import PROFILES, Profile, actors_for, payloads
from workflow.core.engine import Command, ProcessEngine
from workflow.core.errors import Refused
from workflow.core.plan import OPEN, Plan
from workflow.core.spec import Definition, Transition
from workflow.core.timecalc import format_at, parse_at

START = "2026-03-02T09:00:00+01:00"
STEP = timedelta(hours=1)
"""Commands follow one another an hour apart: far inside every deadline."""
MAX_CONFIGURATIONS = 20_000
"""The default bound: past it the search stops, reports what it found and says it is no
proof (the full space of a definition with its escalation ladder runs to millions)."""
PROPERTIES = ("reaches_final", "fireable", "deadline_closed_once",
              "final_without_running_deadline")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}")


def shape(value: Any) -> Hashable:
    """A bounded stand-in for a fact: what a guard can tell apart, not how much."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), shape(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        items = sorted({shape(v) for v in value}, key=repr)
        return ("list", min(len(value), 2), tuple(items))
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return -1 if value < 0 else min(value, 2)
    if isinstance(value, str) and _MOMENT.match(value):
        return "<moment>"
    return str(value)


@dataclass(slots=True)
class Node:
    """One configuration: the concrete plan that first reached it and how."""

    plan: Plan
    at: datetime
    closes: dict[str, tuple[str, int, str]]
    """Per deadline: the moment its current run started, how often that run closed, and
    where the plan was (state/escalation) when it last closed."""
    parent: int | None
    step: str
    depth: int
    profile: str
    successors: dict[int, str] = field(default_factory=dict)
    """Each configuration reached from here, with the step that reaches it."""


@dataclass(frozen=True, slots=True)
class Finding:
    prop: str
    message: str
    trace: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"property": self.prop, "message": self.message, "trace": list(self.trace)}


@dataclass(slots=True)
class CheckResult:
    definition: str
    configurations: int = 0
    transitions: int = 0
    seconds: float = 0.0
    complete: bool = True
    findings: list[Finding] = field(default_factory=list)

    unreached: list[str] = field(default_factory=list)
    """Transitions not fired before the bound (no finding: the search stopped first)."""

    @property
    def proven(self) -> bool:
        return self.complete and not self.findings

    @property
    def counterexample(self) -> bool:
        return bool(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "definition": self.definition, "proven": self.proven, "complete": self.complete,
            "configurations": self.configurations, "transitions": self.transitions,
            "seconds": round(self.seconds, 3), "properties": list(PROPERTIES),
            "counterexample": self.counterexample,
            "findings": [f.to_dict() for f in self.findings],
            "unreached": list(self.unreached),
        }


def _key(profile: str, plan: Plan, closes: dict[str, tuple[str, int, str]],
         finals: frozenset[str]) -> Hashable:
    """The abstract configuration of a plan. A closed deadline shows how it closed (met,
    expired, cancelled) only while the plan is still where it closed: the rules that read an
    expiry (a plan lapses, a plan maker takes the escalation further) read it there; later
    it is history and plans that differ only in it behave alike."""
    where = f"{plan.state}/{plan.escalation}"
    deadlines = tuple(sorted(
        (n, d.status if d.status == OPEN or closes.get(n, ("", 0, ""))[2] == where
         else "closed", min(closes.get(n, ("", 0, ""))[1], 2))
        for n, d in plan.deadlines.items()))
    if plan.state in finals:  # nothing happens after a final state: facts do not matter
        return (profile, plan.state, deadlines)
    return (profile, plan.state, plan.escalation, deadlines, shape(plan.facts),
            shape(plan.funds))


def _label(tr: str, actor: Any, payload: dict[str, Any]) -> str:
    def brief(value: Any) -> str:
        if isinstance(value, list) and all(isinstance(v, dict) and "id" in v for v in value):
            return repr([v["id"] for v in value])
        if isinstance(value, dict):
            return "{…}"
        return repr(value)

    fields = ", ".join(f"{k}={brief(v)}" for k, v in payload.items())
    return f"{tr} by {actor.role} ({actor.org})" + (f" {{{fields}}}" if fields else "")


class Explorer:
    """One breadth-first search over a definition's configurations."""

    def __init__(self, definition: Definition, *, profiles: tuple[Profile, ...] = PROFILES,
                 limit: int = MAX_CONFIGURATIONS,
                 on_configuration: Callable[[int], None] | None = None) -> None:
        self.definition = definition
        self.engine = ProcessEngine(definition, hashing=False)
        self.profiles, self.limit = profiles, limit
        self._progress = on_configuration
        self._joiners = {p.name: p.joiners for p in profiles}
        self.nodes: list[Node] = []
        self.index: dict[Hashable, int] = {}
        self.fired: set[int] = set()
        """Which transitions (by their place in `all_transitions`) fired somewhere."""
        self._ids = {id(tr): i for i, tr in enumerate(definition.all_transitions())}
        self._main: dict[str, list[Transition]] = {}
        self._region: dict[str, list[Transition]] = {}
        for tr in definition.transitions:
            for src in tr.sources:
                self._main.setdefault(src, []).append(tr)
        for tr in definition.region.transitions:
            for src in tr.sources:
                self._region.setdefault(src, []).append(tr)
        self.findings: list[Finding] = []
        self._candidates: dict[tuple[str, str], list[tuple[str, int | None]]] = {}
        self.expanded: set[int] = set()

    # -- the search ----------------------------------------------------------------------------

    def run(self) -> CheckResult:
        """One search per profile (their configurations never meet), each given an equal
        share of the bound."""
        started = time.perf_counter()
        result = CheckResult(self.definition.ref)
        share = max(self.limit // len(self.profiles), 1)
        for profile in self.profiles:
            if not self._search(profile, len(self.nodes) + share):
                result.complete = False
        result.configurations = len(self.nodes)
        result.transitions = sum(len(n.successors) for n in self.nodes)
        self._reaches_final()
        result.unreached = self._fireable(result.complete)
        self._report()
        result.findings = self.findings
        result.seconds = time.perf_counter() - started
        return result

    def _add(self, profile: str, node: Node) -> int:
        self.nodes.append(node)
        if self._progress is not None and len(self.nodes) % 100 == 0:
            self._progress(100)
        index = len(self.nodes) - 1
        self.index[_key(profile, node.plan, node.closes, self.definition.finals)] = index
        return index

    def _search(self, profile: Profile, bound: int) -> bool:
        """Explore from the profile's registration until done (True) or `bound` configurations
        exist in all."""
        queue: list[tuple[int, int, bool, int, int]] = []
        seen_in: Counter[str] = Counter()
        breadth_first_until = len(self.nodes) + (bound - len(self.nodes)) // 3

        def priority(index: int, count: int) -> tuple[int, int, bool, int, int]:
            """A third of the share breadth first (the short traces), then the least-explored
            lifecycle state first, the first configuration of a state before all, deeper
            before shallower: within the bound the search spreads over the whole lifecycle
            instead of exhausting the first busy state."""
            depth = self.nodes[index].depth
            if len(self.nodes) < breadth_first_until:
                return (0, depth, False, 0, index)
            return (1, count // 100, count > 1, -depth, index)

        def push(index: int) -> None:
            seen_in[self.nodes[index].plan.state] += 1
            heapq.heappush(queue, priority(index, seen_in[self.nodes[index].plan.state]))

        at = parse_at(START)
        outcome = self.engine.register(f"check-{profile.name}", profile.registrant,
                                       copy.deepcopy(profile.registration), at)
        self.fired.add(self._ids[id(self.definition.registration)])
        push(self._add(profile.name, Node(
            outcome.plan, at, {}, None, f"register_plan by plan_maker "
            f"({profile.registrant.org}) [{profile.name} plan]", 0, profile.name)))
        switched = False
        while queue:
            if len(self.nodes) >= bound:
                return False
            if not switched and len(self.nodes) >= breadth_first_until:
                switched = True
                queue = [priority(item[-1], seen_in[self.nodes[item[-1]].plan.state])
                         for item in queue]
                heapq.heapify(queue)
            current = heapq.heappop(queue)[-1]
            self.expanded.add(current)
            for child in self._successors(current):
                key = _key(profile.name, child.plan, child.closes, self.definition.finals)
                found = self.index.get(key)
                if found is None:
                    found = self._add(profile.name, child)
                    self._judge(found)
                    push(found)
                self.nodes[current].successors.setdefault(found, child.step)
        return True

    def _successors(self, index: int) -> Iterator[Node]:
        node = self.nodes[index]
        plan, d = node.plan, self.definition
        if plan.state in d.finals:
            return
        at = node.at + STEP
        candidates = [*self._main.get(plan.state, ())]
        if plan.state in d.region.open_in:
            candidates += self._region.get(plan.escalation, ())
        people = actors_for(d, plan, self._joiners[node.profile])
        work = copy.deepcopy(plan)
        for tr in candidates:
            for actor in (a for a in people if a.role in tr.roles
                          and (tr.any_org or not a.org.startswith("Andere "))):
                for payload in payloads(d, tr.trigger, plan, actor, at):
                    try:
                        self.engine.apply(work, Command(tr.trigger, actor, payload, at))
                    except Refused:
                        continue  # the plan is left as it was
                    self.fired.add(self._ids[id(tr)])
                    yield self._child(index, work, at, _label(tr.trigger, actor, payload))
                    work = copy.deepcopy(plan)
        running = plan.open_deadlines()
        if running:
            when = running[0].expires_at
            self.engine.expire(work, when)
            yield self._child(index, work, when,
                              f"time passes to {format_at(when)}: "
                              f"{', '.join(d.name for d in running if d.expires_at <= when)}"
                              " expires")

    def _child(self, parent: int, plan: Plan, at: datetime, step: str) -> Node:
        before = self.nodes[parent]
        closes = dict(before.closes)
        where = f"{plan.state}/{plan.escalation}"
        for name, dl in plan.deadlines.items():
            run, count, closed_in = closes.get(name, ("", 0, ""))
            old = before.plan.deadlines.get(name)
            if run != dl.started_at:
                run, count, closed_in, old = dl.started_at, 0, "", None
            if dl.status != OPEN and (
                old is None or old.status == OPEN
                or (old.status, old.closed_at) != (dl.status, dl.closed_at)):
                count, closed_in = count + 1, where
            closes[name] = (run, count, closed_in)
        return Node(plan, at, closes, parent, step, before.depth + 1, before.profile)

    # -- the properties --------------------------------------------------------------------------

    def trace(self, index: int | None) -> tuple[str, ...]:
        """The shortest explored path from the plan's registration to this configuration."""
        if index is None:
            return ()
        root = index
        while self.nodes[root].parent is not None:
            root = self.nodes[root].parent  # type: ignore[assignment]
        came: dict[int, tuple[int, str]] = {}
        frontier, seen = [root], {root}
        while frontier and index not in seen:
            nxt: list[int] = []
            for u in frontier:
                for v, step in self.nodes[u].successors.items():
                    if v not in seen:
                        seen.add(v)
                        came[v] = (u, step)
                        nxt.append(v)
            frontier = nxt
        steps: list[str] = []
        while index != root and index in came:
            index, step = came[index][0], came[index][1]
            steps.append(step)
        return (self.nodes[root].step, *reversed(steps))

    def _find(self, prop: str, what: str, message: str, index: int | None) -> None:
        """Note a violation; of the configurations showing the same one, the report traces
        the one nearest the registration (`_report`)."""
        self._candidates.setdefault((prop, what), []).append((message, index))

    def _report(self) -> None:
        depth = self._distances()
        for (prop, _what), found in self._candidates.items():
            message, index = min(found, key=lambda f: depth.get(f[1], 0) if f[1] is not None
                                 else 0)
            self.findings.append(Finding(prop, message, self.trace(index)))

    def _distances(self) -> dict[int, int]:
        """Steps from the registration to each explored configuration."""
        dist = {i: 0 for i, n in enumerate(self.nodes) if n.parent is None}
        frontier = list(dist)
        while frontier:
            nxt = []
            for u in frontier:
                for v in self.nodes[u].successors:
                    if v not in dist:
                        dist[v] = dist[u] + 1
                        nxt.append(v)
            frontier = nxt
        return dist

    def _judge(self, index: int) -> None:
        node = self.nodes[index]
        for name, (_run, count, _where) in node.closes.items():
            if count > 1:
                self._find("deadline_closed_once", name,
                           f"deadline {name} closed {count} times in one run "
                           f"(now {node.plan.deadlines[name].status})", index)
        if node.plan.state in self.definition.finals:
            running = [d.name for d in node.plan.open_deadlines()]
            if running:
                self._find("final_without_running_deadline", node.plan.state,
                           f"final state {node.plan.state} with running deadline(s) "
                           f"{', '.join(running)}", index)

    def _reaches_final(self) -> None:
        preds: list[list[int]] = [[] for _ in self.nodes]
        for i, node in enumerate(self.nodes):
            for j in node.successors:
                preds[j].append(i)
        good = {i for i, n in enumerate(self.nodes)
                if n.plan.state in self.definition.finals or i not in self.expanded}
        # Beyond the bound a configuration is given the benefit of the doubt: a dead end
        # reported is one whose every continuation was explored.
        stack = list(good)
        while stack:
            for p in preds[stack.pop()]:
                if p not in good:
                    good.add(p)
                    stack.append(p)
        stuck = [i for i in range(len(self.nodes)) if i not in good]
        if stuck:
            first = min(stuck, key=lambda i: self.nodes[i].depth)
            plan = self.nodes[first].plan
            self._find("reaches_final", "", f"{len(stuck)} configuration(s) cannot reach a "
                       f"final state; the nearest: {plan.state} (escalation {plan.escalation})",
                       first)

    def _fireable(self, complete: bool) -> list[str]:
        d, unreached = self.definition, []
        for i, tr in enumerate(d.all_transitions()):
            where = f"{tr.trigger} from {', '.join(tr.sources) or '(new plan)'}"
            unknown = sorted(tr.roles - set(d.roles))
            if not tr.roles or unknown:
                self._find("fireable", where, f"{where}: no role of the definition may fire "
                           f"it ({', '.join(unknown) or 'no roles'})", None)
            elif i not in self.fired and complete:
                self._find("fireable", where,
                           f"{where}: fired by nobody in any explored configuration", None)
            elif i not in self.fired:
                unreached.append(where)
        return unreached


def check(definition: Definition, *, profiles: tuple[Profile, ...] = PROFILES,
          limit: int = MAX_CONFIGURATIONS,
          on_configuration: Callable[[int], None] | None = None) -> CheckResult:
    """Explore the definition and judge the four properties; `on_configuration(n)` is told
    of every n new configurations (a progress bar)."""
    return Explorer(definition, profiles=profiles, limit=limit,
                    on_configuration=on_configuration).run()
