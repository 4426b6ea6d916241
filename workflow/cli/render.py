"""How plans, events and timelines look in a terminal and as JSON for scripts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from workflow.core.events import Event
from workflow.core.money import funds_eur
from workflow.core.plan import Plan
from workflow.core.timecalc import days_left, format_at, parse_at
from workflow.core.todo import Worklist
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
    plan: Plan, now: datetime, worklists: list[Worklist] | None = None
) -> dict[str, Any]:
    """What `plan show --json` prints: state, deadlines with days left, breaches, and per
    organisation its to-dos, what it may also do, and why it idles."""
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
        "organisations": [w.to_dict() for w in worklists or []],
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
    orgs = data["organisations"]
    reasons = {row["idle"] for row in orgs}
    if orgs and not any(row["todos"] for row in orgs) and len(reasons) == 1:
        console.print(f"nothing to do for any organisation: {visible(reasons.pop())}", markup=False,
                      highlight=False)
    elif orgs:
        console.print(worklist_table(orgs))


def _todo_line(t: dict[str, Any]) -> str:
    """One to-do as a case worker reads it: what, which item, by when, or instead."""
    text = str(t["trigger"])
    if t["payload"]:
        text += " " + ", ".join(f"{k}={v}" for k, v in t["payload"].items())
    if t["due"]:
        text += f" (due {t['due']}, {t['deadline']})"
    if t["instead"]:
        text += f" or {' / '.join(t['instead'])}"
    return f"[red]OVERDUE[/red] {safe(text)}" if t["overdue"] else safe(text)


def worklist_table(rows: list[dict[str, Any]]) -> Table:
    """`plan show`: per organisation what it must do, what it may also do, or why nothing."""
    table = Table("organisation", "role", "to do", "may also", title="Per organisation",
                  title_justify="left")
    for row in rows:
        todo = "\n".join(_todo_line(t) for t in row["todos"])
        if not todo:
            todo = f"[dim]nothing: {safe(row['idle'])}[/dim]"
        table.add_row(safe(row["org"]), row["role"], todo, ", ".join(row["may_also"]) or "-")
    return table


def todo_table(org: str, todos: list[dict[str, Any]]) -> Table:
    """`azwa todo --org`: one organisation's to-dos across plans, earliest due first."""
    table = Table("", "plan", "as", "to do", "due", "instead", title=f"To do for {safe(org)}",
                  title_justify="left")
    for t in todos:
        mark = "[red]OVERDUE[/red]" if t["overdue"] else ""
        what = t["trigger"] + "".join(f" {k}={v}" for k, v in t["payload"].items())
        due = f"{t['due']} ({t['deadline']})" if t["due"] else "-"
        table.add_row(mark, safe(t["plan_id"]), t["role"],
                      f"{safe(what)}\n[dim]{safe(t['says'])}[/dim]", safe(due),
                      " / ".join(t["instead"]) or "-")
    return table


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
