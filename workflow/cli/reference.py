"""Reference tables and diagrams generated from a definition, so the docs cannot drift.

Diagrams are workflow.service.diagrams' (`transitions`' Mermaid backend on a machine made
for drawing, with roles and deadlines on the edges), the same `azwa diagram` draws.
"""

from __future__ import annotations

from typing import Any

from workflow.core.errors import AZWA, AZWA_RULES
from workflow.core.payload import rows
from workflow.core.spec import Definition


def mermaid(definition: Definition) -> str:
    """The main lifecycle and the escalation region as two Mermaid state diagrams: the one
    drawing of a definition (workflow.service.diagrams), in English as the rest of the
    reference."""
    from workflow.core.i18n import reading
    from workflow.service.diagrams import mermaid as drawn

    with reading("en"):
        return drawn(definition)


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
        "| deadline | started by | length | met by | seed |",
        "|---|---|---|---|---|",
    ]
    for spec in d.deadlines:
        length = (spec.length.describe() if spec.length
                  else f"the due date of each `{spec.per_item}` item")
        start = _cell(spec.started_by)
        if spec.started_into:
            start += f" into `{spec.started_into}`"
        name = f"{spec.name}:<id>" if spec.per_item else spec.name
        lines.append(f"| `{name}` | {start} | {length} | {_cell(spec.met_by)} | {spec.seed} |")
    if d.payloads:
        lines += ["", *payload_tables(d)]
    lines += ["", *own_rules()]
    lines += ["", "## Diagrams", "", mermaid(d)]
    return "\n".join(lines)
