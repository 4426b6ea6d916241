"""The process diagrams, drawn from a definition in `states/` (never a copy of it):
the main lifecycle and the escalation ladder, for `azwa diagram`, the reference and a page.

Both go through `transitions`' own diagram extension (GraphMachine), on a machine made for
drawing only (a graph machine keeps a graph per model: MEASURED.md). What it draws, it draws
from the definition:

- each state-changing transition an edge, labelled with its trigger, the roles that may fire
  it and the deadlines it starts and meets;
- a transition from many states (`withdraw`) one edge from a note that names them ("from
  any state from intent to approved"), not ten;
- acts that change no state (`submit_review`, `confirm_kpi`) listed in the state's box, or,
  for acts allowed in many states (`extend_deadline`), once in a note;
- with a plan, its current state and escalation step highlighted.

Mermaid needs nothing installed; SVG and PNG are rendered by Graphviz's `dot` (Debian's
`graphviz` package, which `make` installs where it is missing). Labels are in the reader's
language (workflow.core.i18n).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from transitions import State
from transitions.extensions.diagrams import GraphMachine

from workflow.core.i18n import _, term
from workflow.core.spec import DeadlineSpec, Definition, Transition

MANY = 4
"""A transition from at least this many states is drawn once, from a note naming them."""
ENGINES = ("mermaid", "graphviz")
IMAGE_FORMATS = ("svg", "png")


class DotMissing(RuntimeError):
    """Graphviz's `dot` is not installed; the message is one line for the user."""


STYLES: dict[str, Any] = copy.deepcopy(dict(GraphMachine.style_attributes))
"""transitions' own styles, and one more for the notes of acts from many states."""
STYLES["node"]["note"] = {"shape": "note", "style": "dashed", "fillcolor": "white",
                          "color": "gray40"}
Engine = Literal["mermaid", "graphviz"]


@dataclass(frozen=True, slots=True)
class Part:
    """One machine of a definition: the lifecycle or a region (the escalation ladder)."""

    key: str
    title: str
    states: tuple[str, ...]
    initial: str
    finals: frozenset[str]
    transitions: tuple[Transition, ...]


def parts(d: Definition) -> list[Part]:
    return [
        Part("lifecycle", _("{ref}: lifecycle").format(ref=d.ref), d.states, d.initial,
             d.finals, d.transitions),
        Part(d.region.name, _("{ref}: escalation ladder (open in: {states})").format(
            ref=d.ref, states=", ".join(term("state", s) for s in d.states
                                        if s in d.region.open_in)),
             d.region.states, d.region.initial, frozenset(), d.region.transitions),
    ]


def _length(spec: DeadlineSpec) -> str:
    if spec.length is None:
        return _("the due date of each item")
    if spec.length.months:
        return _("{n} months").format(n=spec.length.months)
    return _("{n} weeks").format(n=spec.length.weeks)


def _deadlines(d: Definition, t: Transition) -> list[str]:
    lines = []
    for spec in d.deadlines:
        name = term("deadline", spec.name)
        if getattr(spec, "kind", None) == "aim":
            name = _("{deadline} (aim)").format(deadline=name)
        if t.trigger in spec.started_by and spec.started_into in (None, t.dest):
            lines.append(_("starts {deadline} ({length})").format(deadline=name,
                                                                   length=_length(spec)))
        if t.trigger in spec.met_by:
            lines.append(_("meets {deadline}").format(deadline=name))
    return lines


def _roles(t: Transition) -> str:
    return ", ".join(term("role", r) for r in sorted(t.roles))


def act(t: Transition) -> str:
    """A trigger with the roles that may fire it: `confirm_kpi (coordinating_insurer)`."""
    return f"{term('trigger', t.trigger)} ({_roles(t)})"


def where(sources: Sequence[str], part: Part) -> str:
    """The states a transition leaves, said briefly: any open state, a run, or a list."""
    open_states = [s for s in part.states if s not in part.finals]
    if list(sources) == open_states or set(sources) == set(open_states):
        return _("any open state")
    indexes = sorted(part.states.index(s) for s in sources if s in part.states)
    if indexes and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return _("any state from {first} to {last}").format(
            first=term("state", part.states[indexes[0]]),
            last=term("state", part.states[indexes[-1]]))
    return _("any of: {states}").format(states=", ".join(term("state", s) for s in sources))


def _state(name: str, label: str) -> State:
    """A state to draw, with its label (the markup reads a `label` attribute)."""
    found = State(name)
    found.label = label  # type: ignore[attr-defined]
    return found


def _machine(d: Definition, part: Part, engine: Engine,
             current: str | None) -> tuple[Any, list[tuple[str, list[str]]]]:
    """The drawing machine of a part, and the notes (name, lines) for Mermaid."""
    sep = r"\n" if engine == "graphviz" else "<br>"
    internal: dict[str, list[str]] = {s: [] for s in part.states}
    notes: list[tuple[str, str, list[str]]] = []  # name, heading, lines
    rows: list[dict[str, Any]] = []
    for n, t in enumerate(part.transitions):
        label = sep.join([term("trigger", t.trigger), f"({_roles(t)})", *_deadlines(d, t)])
        many = len(t.sources) >= MANY
        if t.dest is None:
            if many:
                heading = _("in {where}").format(where=where(t.sources, part))
                same = next((x for x in notes if x[1] == heading and x[0].startswith("acts")),
                            None)
                if same is None:
                    notes.append((f"acts_{part.key}_{n}", heading, [act(t)]))
                else:
                    same[2].append(act(t))
            else:
                for s in t.sources:
                    internal[s].append(act(t))
            continue
        sources = list(t.sources)
        if many:
            name = f"from_{part.key}_{n}"
            notes.append((name, _("from {where}").format(where=where(t.sources, part)), []))
            sources = [name]
        rows += [{"trigger": f"{t.trigger}__{n}__{s}", "source": s, "dest": t.dest,
                  "label": label} for s in sources]
    line = r"\l" if engine == "graphviz" else "<br>"
    states: list[State] = []
    for s in part.states:
        label = term("state", s)
        if internal[s] and engine == "graphviz":
            label += line + line.join(f"• {a}" for a in dict.fromkeys(internal[s]))
        states.append(_state(s, label))
    for name, heading, acts in notes:
        label = heading + (":" + line + line.join(f"• {a}" for a in acts) if acts else "")
        states.append(_state(name, label if engine == "graphviz" else heading))

    class _Model:
        pass

    model: Any = _Model()
    machine = GraphMachine(model=model, states=states, transitions=rows, initial=part.initial,
                           graph_engine=engine, auto_transitions=False, title=part.title,
                           show_state_attributes=False)
    machine.style_attributes = STYLES
    if current in part.states:
        machine.set_state(current, model)
    model.get_graph(force_new=True)  # the active state is styled when the graph is made
    graph = machine.model_graphs[id(model)]
    if current not in part.states:
        graph.set_node_style(part.initial, "default")
    for name, _heading, _acts in notes:
        graph.set_node_style(name, "note")
    mermaid_notes = [(s, [f"• {a}" for a in dict.fromkeys(internal[s])]) for s in part.states
                     if internal[s]]
    mermaid_notes += [(name, [f"• {a}" for a in acts]) for name, _h, acts in notes if acts]
    return model, mermaid_notes


def mermaid(d: Definition, current: dict[str, str] | None = None) -> str:
    """Both parts as Markdown: one fenced Mermaid state diagram each."""
    blocks = []
    for part in parts(d):
        model, notes = _machine(d, part, "mermaid", (current or {}).get(part.key))
        text = str(model.get_graph().draw(None)).rstrip("\n")
        # transitions writes the bare title as the front matter; Mermaid reads YAML there
        title = json.dumps(part.title, ensure_ascii=False)
        text = text.replace(f"---\n{part.title}\n---", f"---\ntitle: {title}\n---", 1)
        for state, lines in notes:
            text += f"\n  note right of {state}\n" + "".join(f"    {x}\n" for x in lines)
            text += "  end note"
        blocks.append(f"```mermaid\n{text}\n```\n")
    return "\n".join(blocks)


def dot(d: Definition, current: dict[str, str] | None = None) -> Any:
    """Both parts as one Graphviz graph (a `graphviz.Digraph`), each in its own box."""
    import graphviz

    whole = graphviz.Digraph(name=d.ref, graph_attr={"rankdir": "TB", "fontname": "sans-serif",
                                                        "label": d.ref, "labelloc": "t"},
                             node_attr={"fontname": "sans-serif", "fontsize": "10"},
                             edge_attr={"fontname": "sans-serif", "fontsize": "8"})
    for part in parts(d):
        model, _notes = _machine(d, part, "graphviz", (current or {}).get(part.key))
        graph = model.get_graph()
        graph.name = f"cluster_{part.key}"
        graph.graph_attr["label"] = part.title
        whole.subgraph(graph)
    return whole


def image(d: Definition, fmt: str, current: dict[str, str] | None = None) -> bytes:
    """SVG or PNG by Graphviz's `dot`; DotMissing when it is not installed."""
    import graphviz

    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unknown image format {fmt!r} (one of {', '.join(IMAGE_FORMATS)})")
    try:
        return bytes(dot(d, current).pipe(format=fmt))
    except graphviz.ExecutableNotFound:
        raise DotMissing(_("SVG and PNG need Graphviz's dot: install the Debian package "
                           "graphviz (`make graphviz`), or use --format mermaid")) from None
