"""Reference tables and diagrams generated from a definition, so the docs cannot drift.

Diagrams come from `transitions`' own Mermaid backend on a separate machine (a graph
machine keeps per-model graphs, so it is never the serving one: MEASURED.md).
"""

from __future__ import annotations

from typing import Any

from transitions.extensions.diagrams import GraphMachine

from workflow.core.errors import AZWA, AZWA_RULES
from workflow.core.payload import rows
from workflow.core.spec import Definition, Transition


def _graph(states: tuple[str, ...], initial: str, transitions: tuple[Transition, ...],
           title: str) -> str:
    class _Model:
        pass

    model: Any = _Model()
    rows = [[t.trigger, list(t.sources), t.dest] for t in transitions if t.dest is not None]
    GraphMachine(model=model, states=list(states), transitions=rows, initial=initial,
                 graph_engine="mermaid", auto_transitions=False, title=title,
                 show_state_attributes=False)
    return str(model.get_graph().draw(None))


def mermaid(definition: Definition) -> str:
    """The main lifecycle and the escalation region as two Mermaid state diagrams."""
    d = definition
    main = _graph(d.states, d.initial, d.transitions, f"{d.ref} lifecycle")
    ladder = _graph(d.region.states, d.region.initial, d.region.transitions,
                    f"{d.ref} {d.region.name}")
    return f"```mermaid\n{main}\n```\n\n```mermaid\n{ladder}\n```\n"


def _cell(values: Any) -> str:
    return ", ".join(f"`{v}`" for v in values) or "—"


def payload_tables(definition: Definition) -> list[str]:
    """One table per trigger: each field (nested ones by path), its type, required or not."""
    lines = [
        "## Payloads",
        "",
        "What each trigger's payload holds; any other key, a missing required field, a value of "
        "another type or outside the allowed ones is refused by rule `payload_matches_schema` "
        "before any guard runs (see [payloads](payloads.md); `azwa definition schema TRIGGER` "
        "prints it as JSON Schema).",
    ]
    for trigger, schema in definition.payloads.items():
        lines += ["", f"### `{trigger}`", "", schema.description, ""]
        fields = list(rows(schema))
        if not fields:
            lines.append("No fields: send `{}` or no payload.")
            continue
        lines += ["| field | type | required | what |", "|---|---|---|---|"]
        for path, f in fields:
            kind = f.type.describe() + (" or null" if f.nullable else "")
            lines.append(f"| `{path}` | {kind} | {'yes' if f.required else 'no'} "
                         f"| {f.description} |")
    return lines


def own_rules() -> list[str]:
    """azwa's own rules, which refusals cite as `azwa`, so a user can look them up."""
    return [
        "## Rules of azwa itself",
        "",
        f"A refusal citing `{AZWA}` instead of a seed paragraph names one of these rules.",
        "",
        "| rule | what it says |",
        "|---|---|",
        *[f"| `{rule}` | {text} |" for rule, text in AZWA_RULES.items()],
    ]


def markdown(definition: Definition) -> str:
    """States, triggers (with roles, guards and seeds), deadlines and roles as Markdown."""
    d = definition
    lines = [
        f"# Reference: `{d.ref}`",
        "",
        "Generated from `states/` by `azwa definition reference`; do not edit by hand.",
        "",
        "## Roles",
        "",
        "| role | who |",
        "|---|---|",
        *[f"| `{role}` | {text} |" for role, text in d.roles.items()],
        "",
        "## States",
        "",
        "| state | final | reached by |",
        "|---|---|---|",
    ]
    for state in d.states:
        into = sorted({t.trigger for t in d.all_transitions() if t.dest == state})
        lines.append(f"| `{state}` | {'yes' if state in d.finals else ''} | {_cell(into)} |")
    lines += [
        "",
        "## Triggers",
        "",
        "| trigger | from | to | roles | guards (seed) | seed |",
        "|---|---|---|---|---|---|",
    ]
    for t in d.all_transitions():
        guards = "<br>".join(
            f"`{g.name}` ({g.seed})" + (f" for {', '.join(sorted(g.only_for))}" if g.only_for
                                        else "")
            for g in t.guards
        ) or "—"
        where = "(new plan)" if not t.sources else _cell(t.sources)
        lines.append(f"| `{t.trigger}` | {where} | {('`' + t.dest + '`') if t.dest else 'stays'}"
                     f" | {_cell(sorted(t.roles))} | {guards} | {t.seed} |")
    lines += [
        "",
        f"Triggers of the `{d.region.name}` region fire only while the plan is in "
        f"{_cell(s for s in d.states if s in d.region.open_in)} ({d.region.open_seed}).",
        "",
        "## Deadlines",
        "",
        "A `deadline` that passes unmet is a breach; an `aim` that passes unmet is a missed "
        "aim, never a breach.",
        "",
        "| deadline | kind | started by | runs from | length | met by | seed |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in d.deadlines:
        length = (spec.length.describe() if spec.length
                  else f"the due date of each `{spec.per_item}` item")
        start = _cell(spec.started_by)
        if spec.started_into:
            start += f" into `{spec.started_into}`"
        name = f"{spec.name}:<id>" if spec.per_item else spec.name
        runs_from = (f"the latest {' or '.join(f'`{a}`' for a in spec.anchor_by)}"
                     if spec.anchor_by else "its start")
        if not spec.restart:
            runs_from += "; started once"
        lines.append(f"| `{name}` | {spec.kind} | {start} | {runs_from} | {length} "
                     f"| {_cell(spec.met_by)} | {spec.seed} |")
    if d.payloads:
        lines += ["", *payload_tables(d)]
    lines += ["", *own_rules()]
    lines += ["", "## Diagrams", "", mermaid(d)]
    return "\n".join(lines)


def project_rules(definition: Definition) -> list[tuple[str, str, str]]:
    """The transitions and guards of a definition that no seed sentence states: they cite
    `azwa` (the project's own choices), as (trigger, rule, what it says)."""
    found: list[tuple[str, str, str]] = []
    for t in definition.all_transitions():
        if t.seed == AZWA:
            schema = definition.payloads.get(t.trigger)
            found.append((t.trigger, "the trigger itself",
                          schema.description if schema is not None else t.trigger))
        found += [(t.trigger, g.name, g.message) for g in t.guards if g.seed == AZWA]
    return list(dict.fromkeys(found))


def reference(definitions: list[Definition]) -> str:
    """Every version's reference on one page, and the project's own rules marked as such:
    those of each version that cite `azwa` instead of a seed sentence."""
    lines = [
        "# Reference: the process definitions",
        "",
        "Generated from `states/` by `azwa definition reference`; do not edit by hand. Each "
        "rule names the seed paragraph its sentence is in (`A4 §x.y`, `MP BEn`); a rule no "
        "seed states cites `azwa` and is listed under [the project's own rules]"
        "(#the-projects-own-rules). Which version a plan follows: see [versions](versions.md).",
        "",
        *[f"- [`{d.ref}`](#reference-{d.name}{d.version})" for d in definitions],
        "- [The project's own rules](#the-projects-own-rules)",
    ]
    for d in definitions:
        page = markdown(d).replace("\n## ", "\n### ").replace(f"# Reference: `{d.ref}`",
                                                               f"## Reference: `{d.ref}`", 1)
        body = page.split("\n", 3)[3]  # without the title and the "Generated" line
        lines += ["", f"## Reference: `{d.ref}`", "", body.rstrip("\n")]
    lines += [
        "",
        "## The project's own rules",
        "",
        "No sentence of the seeds states these; they are azwa's own choices and cite `azwa`.",
        "Besides the [rules of azwa itself](#rules-of-azwa-itself) (the log and its time):",
    ]
    for d in definitions:
        own = project_rules(d)
        lines += ["", f"### `{d.ref}`", ""]
        if not own:
            lines.append("None: every rule cites a seed paragraph.")
            continue
        lines += ["| trigger | rule | what it says |", "|---|---|---|",
                  *[f"| `{trigger}` | {rule if ' ' in rule else f'`{rule}`'} | {text} "
                    "(**azwa's own**) |" for trigger, rule, text in own]]
    return "\n".join(lines) + "\n"
