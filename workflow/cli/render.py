"""How plans, events and timelines look in a terminal and as JSON for scripts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from workflow.core.events import Event
from workflow.core.money import funds_eur
from workflow.core.permission import Permission
from workflow.core.plan import Plan
from workflow.core.timecalc import days_left, format_at, parse_at
from workflow.store.protocol import PlanSummary


def visible(value: object) -> str:
    """Text with control characters (ESC sequences too) shown as escapes: `\\x1b[2J`."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def safe(value: object) -> str:
    """User text (ids, orgs, titles, payloads) for rich markup: escaped, so `[/x]` or
    `[link=…]` is printed and not interpreted, control characters visible. Every user value
    goes through here (or `visible` into a `Text`) on its way to the terminal."""
    return escape(visible(value))


def plan_json(
    plan: Plan, now: datetime, steps: dict[str, list[Permission]] | None = None
) -> dict[str, Any]:
    """What `plan show --json` prints: state, deadlines with days left, breaches, next steps."""
    return {
        "plan_id": plan.plan_id,
        "title": plan.attrs.get("title"),
        "track": plan.attrs.get("track"),
        "region": plan.attrs.get("region"),
        "definition": plan.definition,
        "state": plan.state,
        "escalation": plan.escalation,
        "seq": plan.seq,
        "open_deadlines": [
            {"name": d.name, "due": d.due.isoformat(), "days_left": days_left(d.due, now),
             "started_at": d.started_at}
            for d in plan.open_deadlines()
        ],
        "breaches": list(plan.breaches),
        "escalation_history": plan.escalation_history,
        "funds": funds_eur(plan.funds),
        "next_steps": {
            role: [{"trigger": p.trigger, "needs": list(p.needs)} for p in perms]
            for role, perms in (steps or {}).items()
        },
    }


def show_plan(console: Console, data: dict[str, Any]) -> None:
    console.print(f"[bold]{safe(data['plan_id'])}[/bold]  {safe(data['title'])}  "
                  f"({safe(data['track'])}, {safe(data['region'])}, {safe(data['definition'])})")
    console.print(f"state [bold]{data['state']}[/bold]   escalation "
                  f"[bold]{data['escalation']}[/bold]   events {data['seq']}")
    if data["open_deadlines"]:
        table = Table("deadline", "due", "days left", title="Open deadlines", title_justify="left")
        for d in data["open_deadlines"]:
            left = d["days_left"]
            style = "red" if left < 0 else "yellow" if left <= 7 else ""
            table.add_row(safe(d["name"]), d["due"],
                          f"[{style}]{left}[/{style}]" if style else str(left))
        console.print(table)
    console.print("breaches: " + (safe(", ".join(data["breaches"])) or "none"))
    funds = data["funds"]
    console.print(f"funds: paid €{funds['paid_eur']:,.2f}, costs €{funds['costs_eur']:,.2f}, "
                  f"refund €{funds['refund_eur']:,.2f}")
    if data["next_steps"]:
        table = Table("role", "may do now", title="Next steps", title_justify="left")
        for role, steps in data["next_steps"].items():
            table.add_row(role, ", ".join(s["trigger"] for s in steps) or "-")
        console.print(table)


def history_table(events: list[Event], title: str = "History") -> Table:
    table = Table("seq", "at", "trigger", "actor", "payload", title=safe(title),
                  title_justify="left")
    for e in events:
        actor = safe(f"{e.actor['role']} ({e.actor['org']})")
        payload = ", ".join(f"{k}={v}" for k, v in e.payload.items()
                            if not isinstance(v, list | dict))
        style = "red" if e.trigger == "deadline_expired" else ""
        trigger = safe(e.trigger)
        table.add_row(str(e.seq), safe(e.at[:16].replace("T", " ")),
                      f"[{style}]{trigger}[/{style}]" if style else trigger, actor,
                      safe(payload[:60]))
    return table


def timeline_table(rows: list[tuple[Event, str, str]]) -> Table:
    """The demo's timeline: each event with the state and escalation step after it."""
    table = Table("#", "date", "who", "trigger", "state after", "escalation", "note",
                  title="Timeline", title_justify="left")
    for e, state, escalation in rows:
        note = ""
        if e.trigger == "deadline_expired":
            note = f"[red]breach: {safe(e.payload['deadline'])} (due {e.payload['due']})[/red]"
        elif "issue" in e.payload:
            note = safe(str(e.payload["issue"])[:40])
        table.add_row(str(e.seq), format_at(parse_at(e.at))[:10], safe(e.actor["org"]),
                      safe(e.trigger), state, escalation, note)
    return table


def plans_table(rows: list[PlanSummary]) -> Table:
    table = Table("plan", "title", "region", "track", "state", "escalation", "next due",
                  title="Plans", title_justify="left")
    for r in rows:
        table.add_row(safe(r.plan_id), safe(r.title), safe(r.region), safe(r.track), r.state,
                      r.escalation, (r.next_due or "")[:10])
    return table
