"""How plans, events and timelines look in a terminal and as JSON for scripts.

What `plan show` and `todo` print is in the reader's language (workflow.core.i18n): labels
through `_`, states, triggers, roles and deadlines through `term`, amounts and days through
workflow.core.formats. JSON stays as it is in every language: identifiers and ISO values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from states.guards import participating_municipalities, party_orgs, second_insurer
from workflow.cli.text import safe, visible
from workflow.core import formats
from workflow.core.events import Event
from workflow.core.i18n import _, current, term
from workflow.core.money import from_eur, funds_eur, to_eur
from workflow.core.phrase import Phrase
from workflow.core.plan import Plan
from workflow.core.refusal_text import say
from workflow.core.timecalc import days_left, format_at, parse_at
from workflow.core.todo import IDLE_REASONS, WAITING_FOR, Worklist, idle_reason
from workflow.store.protocol import PlanSummary


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
        "parties": parties_of(plan),
        "kpis": kpis_of(plan, now),
        "organisations": [w.to_dict() for w in worklists or []],
    }


def show_plan(console: Console, data: dict[str, Any]) -> None:
    track = term("track", data["track"]) if isinstance(data["track"], str) else data["track"]
    console.print(f"[bold]{safe(data['plan_id'])}[/bold]  {safe(data['title'])}  "
                  f"({safe(track)}, {safe(data['region'])}, {safe(data['definition'])})")
    console.print(_("state {state}   escalation {escalation}   events {seq}").format(
        state=f"[bold]{safe(term('state', data['state']))}[/bold]",
        escalation=f"[bold]{safe(term('escalation', data['escalation']))}[/bold]",
        seq=data["seq"]))
    if data["open_deadlines"]:
        table = Table(_("deadline"), _("due"), _("days left"), title=_("Open deadlines"),
                      title_justify="left")
        for d in data["open_deadlines"]:
            left = d["days_left"]
            style = "red" if left < 0 else "yellow" if left <= 7 else ""
            table.add_row(safe(term("deadline", d["name"])), _day(d["due"]),
                          f"[{style}]{left}[/{style}]" if style else str(left))
        console.print(table)
    console.print(_("breaches: {names}").format(
        names=safe(", ".join(term("deadline", b) for b in data["breaches"])) or _("none")))
    funds = data["funds"]
    console.print(_("funds: paid {paid}, costs {costs}, refund {refund}").format(
        paid=_eur(funds["paid_eur"]), costs=_eur(funds["costs_eur"]),
        refund=_eur(funds["refund_eur"])))
    orgs = data["organisations"]
    reasons = {idle_text(row) for row in orgs}
    if orgs and not any(row["todos"] for row in orgs) and len(reasons) == 1:
        console.print(_("nothing to do for any organisation: {reason}").format(
            reason=visible(reasons.pop())), markup=False, highlight=False)
    elif orgs:
        console.print(worklist_table(orgs))


def _todo_line(t: dict[str, Any]) -> str:
    """One to-do as a case worker reads it: what, which item, by when, or instead."""
    text = _trigger(t["trigger"])
    if t["payload"]:
        text += " " + ", ".join(f"{k}={v}" for k, v in t["payload"].items())
    if t["due"]:
        text += " " + _("(due {due}, {deadline})").format(
            due=_day(t["due"]), deadline=term("deadline", t["deadline"]))
    if t["instead"]:
        text += " " + _("or {others}").format(others=" / ".join(_trigger(i) for i in t["instead"]))
    return f"[red]{_('OVERDUE')}[/red] {safe(text)}" if t["overdue"] else safe(text)


def _trigger(name: str) -> str:
    """A trigger as a case worker reads it; in Dutch with the name to type after it."""
    label = term("trigger", name)
    return name if label == name else f"{label} ({name})"


def _term(kind: str, name: str | None) -> str | None:
    """A term of a value that may be absent (None stays None, as it always printed)."""
    return None if name is None else term(kind, name)


def _day(iso: str) -> str:
    """An ISO day as the reader's language writes it (English keeps the ISO day)."""
    try:
        return formats.day(date.fromisoformat(iso))
    except (TypeError, ValueError):
        return str(iso)


def says(t: dict[str, Any]) -> str:
    """The line a to-do says (its duty's `says`, from the definition) in the reader's
    language: the duty's template translated and its item filled in."""
    import states

    text = str(t["says"])
    if current() == "en":
        return text
    item = next(iter(t["payload"].values()), "") if t["payload"] else ""
    for d in states.all_definitions():
        duty = d.agenda.duty(t["trigger"]) if d.agenda is not None else None
        if duty is not None and duty.says.format(item=item) == text:
            return _(duty.says).format(item=item)
    return _(text)


def idle_text(row: Mapping[str, Any]) -> str:
    """Why an organisation has nothing to do, in the reader's language, from the reason's
    code and values (workflow.core.todo.IDLE_REASONS); a refusal quoted inside stays as the
    rule gave it."""
    code, params = row.get("idle_code"), dict(row.get("idle_params") or {})
    if code is None:
        return "" if row.get("idle") is None else str(row["idle"])
    if current() == "en":
        return idle_reason(code, params)
    if code == "final_state":
        params["state"] = term("state", params["state"])
    elif code == "waiting_for":
        params["others"] = "; ".join(_(WAITING_FOR).format(
            org=o["org"], role=term("role", o["role"]),
            triggers=", ".join(term("trigger", x) for x in o["triggers"]))
            for o in params["others"])
    elif code == "waiting_until":
        params["what"] = "; ".join(say(what) if isinstance(what, Phrase) else str(what)
                                   for what in params["what"])  # read back from JSON: as is
    return _(IDLE_REASONS[code]).format(**params)


def worklist_table(rows: list[dict[str, Any]]) -> Table:
    """`plan show`: per organisation what it must do, what it may also do, or why nothing."""
    table = Table(_("organisation"), _("role"), _("to do"), _("may also"),
                  title=_("Per organisation"), title_justify="left")
    for row in rows:
        todo = "\n".join(_todo_line(t) for t in row["todos"])
        if not todo:
            why = _("nothing: {reason}").format(reason=safe(idle_text(row)))
            todo = f"[dim]{why}[/dim]"
        table.add_row(safe(row["org"]), term("role", row["role"]), todo,
                      ", ".join(term("trigger", m) for m in row["may_also"]) or "-")
    return table


def todo_table(org: str, todos: list[dict[str, Any]]) -> Table:
    """`azwa todo --org`: one organisation's to-dos across plans, earliest due first."""
    table = Table("", _("plan"), _("as"), _("to do"), _("due"), _("instead"),
                  title=_("To do for {org}").format(org=safe(org)), title_justify="left")
    for t in todos:
        mark = f"[red]{_('OVERDUE')}[/red]" if t["overdue"] else ""
        what = _trigger(t["trigger"]) + "".join(f" {k}={v}" for k, v in t["payload"].items())
        due = f"{_day(t['due'])} ({term('deadline', t['deadline'])})" if t["due"] else "-"
        table.add_row(mark, safe(t["plan_id"]), term("role", t["role"]),
                      f"{safe(what)}\n[dim]{safe(says(t))}[/dim]", safe(due),
                      " / ".join(_trigger(i) for i in t["instead"]) or "-")
    return table


def history_table(events: list[Event], title: str = "History") -> Table:
    table = Table(_("seq"), _("at"), _("trigger"), _("actor"), _("payload"),
                  title=safe(_(title) if title == "History" else title), title_justify="left")
    for e in events:
        actor = safe(f"{term('role', e.actor['role'])} ({e.actor['org']})")
        payload = ", ".join(f"{k}={v}" for k, v in e.payload.items()
                            if not isinstance(v, list | dict))
        style = "red" if e.trigger == "deadline_expired" else ""
        trigger = safe(term("trigger", e.trigger))
        table.add_row(str(e.seq), safe(e.at[:16].replace("T", " ")),
                      f"[{style}]{trigger}[/{style}]" if style else trigger, actor,
                      safe(payload[:60]))
    return table


def timeline_table(rows: list[tuple[Event, str, str]]) -> Table:
    """The demo's timeline: each event with the state and escalation step after it."""
    table = Table("#", _("date"), _("who"), _("trigger"), _("state after"), _("escalation"),
                  _("note"), title=_("Timeline"), title_justify="left")
    for e, state, escalation in rows:
        note = ""
        if e.trigger == "deadline_expired":
            note = "[red]" + _("breach: {deadline} (due {due})").format(
                deadline=safe(term("deadline", e.payload["deadline"])),
                due=_day(str(e.payload["due"]))) + "[/red]"
        elif "issue" in e.payload:
            note = safe(str(e.payload["issue"])[:40])
        table.add_row(str(e.seq), _day(format_at(parse_at(e.at))[:10]), safe(e.actor["org"]),
                      safe(term("trigger", e.trigger)), term("state", state),
                      term("escalation", escalation), note)
    return table


def parties_of(plan: Plan) -> list[dict[str, Any]]:
    """Who takes part, per role: plan makers, insurers, municipalities, the regional
    coordinator (or that the municipalities waived one, A4 §1.b.3)."""
    rows: list[dict[str, Any]] = [{"role": "plan_maker", "org": org}
                                  for org in party_orgs(plan.attrs)]
    rows.append({"role": "coordinating_insurer", "org": plan.attrs.get("coordinating_insurer")})
    second = second_insurer(plan.facts) or second_insurer(plan.attrs)
    if second:
        rows.append({"role": "second_insurer", "org": second})
    rows += [{"role": "municipality", "org": org}
             for org in participating_municipalities(plan.attrs, plan.facts)]
    coordinator = plan.facts.get("regional_coordinator")
    if coordinator:
        rows.append({"role": "regional_coordinator", "org": coordinator.get("org"),
                     "region": coordinator.get("region")})
    elif plan.facts.get("coordinator_waived"):
        rows.append({"role": "regional_coordinator", "org": None, "note": "waived"})
    return rows


def kpis_of(plan: Plan, now: datetime) -> list[dict[str, Any]]:
    """The contract's KPI milestones (A4 §1.7, §1.7.4): amount, due day, days left, status,
    paid."""
    found: dict[str, dict[str, Any]] = plan.facts.get("kpis") or {}
    rows = []
    for kpi_id, kpi in found.items():
        due = str(kpi.get("due", ""))
        try:
            left: int | None = days_left(date.fromisoformat(due), now)
        except ValueError:
            left = None
        rows.append({"kpi": kpi_id, "description": kpi.get("description"),
                     "amount_eur": to_eur(int(kpi.get("amount_cents", 0))), "due": due,
                     "days_left": left, "status": kpi.get("status"),
                     "paid_eur": to_eur(int(kpi.get("paid_cents", 0))),
                     "go_no_go": kpi.get("go_no_go"), "decision": kpi.get("decision")})
    return sorted(rows, key=lambda r: (r["due"], r["kpi"]))


def show_parties(console: Console, data: dict[str, Any]) -> None:
    """`plan show`'s parties: one row per organisation and role."""
    table = Table(_("role"), _("organisation"), title=_("Parties"), title_justify="left")
    for p in data.get("parties", []):
        org = p["org"] or {"waived": _("waived")}.get(p.get("note") or "-", p.get("note") or "-")
        if p.get("region"):
            org = f"{org} ({p['region']})"
        table.add_row(term("role", p["role"]), Text(visible(org)))
    console.print(table)


def show_kpis(console: Console, data: dict[str, Any]) -> None:
    """`plan show`'s KPI milestones, once the contract names them."""
    if not data.get("kpis"):
        console.print(_("KPIs: none agreed yet (the contract names them)"))
        return
    table = Table(_("kpi"), _("description"), _("amount"), _("due"), _("days left"), _("status"),
                  _("paid"), title=_("KPIs"), title_justify="left")
    for k in data["kpis"]:
        status = term("kpi_status", str(k["status"])) + (
            f", {term('decision', str(k['decision']))}" if k.get("decision") else "")
        left = "" if k["days_left"] is None or k["status"] != "open" else str(k["days_left"])
        table.add_row(Text(visible(k["kpi"])), Text(visible(k["description"])),
                      _eur(k["amount_eur"]), _day(k["due"]), left, status, _eur(k["paid_eur"]))
    console.print(table)


def _eur(value: Any) -> str:
    """An amount `to_eur` gave, exact: a total beyond a float's digits keeps its cents; in
    the reader's language (`€ 1.475.000` in Dutch, `€1,475,000.00` in English)."""
    return "" if value is None else formats.amount(int(from_eur(value).scaleb(2)))


def due_of(row: PlanSummary, now: datetime,
           owed: tuple[str, str] | None = None) -> dict[str, Any]:
    """A listed plan's earliest open deadline: its due day, name, days left and whether it
    is overdue (its expiry lies at or before `now`, as `tick` counts it); with none open,
    `owed` (name, due day), a deadline `tick` expired whose act is still owed. `plan list`
    prints this in JSON and in the table alike."""
    if row.next_due is None:
        since = {"overdue_since": owed[1], "overdue_deadline": owed[0]} if owed else {}
        return {"next_due": None, "next_deadline": None, "days_left": None,
                "overdue": owed is not None, **since}
    return {
        "next_due": row.next_due, "next_deadline": row.next_deadline,
        "days_left": days_left(date.fromisoformat(row.next_due), now),
        "overdue": row.next_expires_at is not None and row.next_expires_at <= now,
    }


def due_label(due: dict[str, Any]) -> str:
    if due["next_due"] is None:
        if due.get("overdue_since"):
            return _("overdue since {day} ({deadline})").format(
                day=_day(due["overdue_since"]), deadline=term("deadline", due["overdue_deadline"]))
        return "-"
    left = due["days_left"]
    when = (_("overdue") if due["overdue"] else _("due today") if left == 0
            else (_("1 day left") if left == 1 else _("{count} days left").format(count=left)))
    return _("{day} {deadline} ({when})").format(
        day=_day(due["next_due"]), deadline=term("deadline", due["next_deadline"]), when=when)


Owed = Mapping[str, tuple[str, str]]
"""Per plan id: the expired deadline (name, due day) whose act is still owed."""


def plans_json(rows: list[PlanSummary], now: datetime,
               owed: Owed | None = None) -> list[dict[str, Any]]:
    """What `plan list --json` prints."""
    owed = owed or {}
    return [
        {"plan_id": r.plan_id, "title": r.title, "region": r.region, "track": r.track,
         "state": r.state, "escalation": r.escalation, "definition": r.definition,
         "seq": r.seq, **due_of(r, now, owed.get(r.plan_id)),
         "next_expires_at": r.next_expires_at.isoformat() if r.next_expires_at else None,
         "breaches": list(r.breaches)}
        for r in rows
    ]


def plans_table(rows: list[PlanSummary], now: datetime, owed: Owed | None = None) -> Table:
    """`plan list`: every value printed as text, never read as markup."""
    owed = owed or {}
    table = Table(_("plan"), _("title"), _("region"), _("track"), _("state"), _("escalation"),
                  title=_("Plans"), title_justify="left")
    table.add_column(_("next due"), no_wrap=True)
    table.add_column(_("breaches"), overflow="fold")
    for r in rows:
        due = due_of(r, now, owed.get(r.plan_id))
        label = Text(visible(due_label(due)), style="red" if due["overdue"] else "")
        table.add_row(*(Text(visible(v)) for v in (
                          r.plan_id, r.title, r.region, _term("track", r.track),
                          _term("state", r.state), _term("escalation", r.escalation))),
                      label, Text(", ".join(term("deadline", b) for b in r.breaches)
                                  or _("none"),
                                  style="red" if r.breaches else ""))
    return table
