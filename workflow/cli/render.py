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

from workflow.cli.text import safe, visible
from workflow.core import formats
from workflow.core.events import Event
from workflow.core.i18n import _, current, term
from workflow.core.money import from_eur
from workflow.core.phrase import Phrase
from workflow.core.refusal_text import say
from workflow.core.timecalc import format_at, parse_at
from workflow.core.todo import IDLE_REASONS, WAITING_FOR, idle_reason
from workflow.service.views import Owed, due_of
from workflow.service.views import plan_json as plan_json  # the views live in the service
from workflow.service.views import plans_json as plans_json
from workflow.store.protocol import PlanSummary


def show_plan(console: Console, data: dict[str, Any]) -> None:
    track = term("track", data["track"]) if isinstance(data["track"], str) else data["track"]
    console.print(f"[bold]{safe(data['plan_id'])}[/bold]  {safe(data['title'])}  "
                  f"({safe(track)}, {safe(data['region'])}, {safe(data['definition'])})")
    console.print(_("sector: {sector}").format(
        sector=safe(term("sector", data.get("sector") or "unknown"))))
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
    console.print(_("missed aims (never a breach): {names}").format(
        names=safe(", ".join(term("deadline", a) for a in data.get("missed_aims", [])))
        or _("none")))
    funds = data["funds"]
    console.print(_("funds: paid {paid}, costs {costs}, refund {refund}").format(
        paid=_eur(funds["paid_eur"]), costs=_eur(funds["costs_eur"]),
        refund=_eur(funds["refund_eur"])))
    show_verdicts(console, data)
    orgs = data["organisations"]
    reasons = {idle_text(row) for row in orgs}
    if orgs and not any(row["todos"] for row in orgs) and len(reasons) == 1:
        console.print(_("nothing to do for any organisation: {reason}").format(
            reason=visible(reasons.pop())), markup=False, highlight=False)
    elif orgs:
        console.print(worklist_table(orgs))


def show_verdicts(console: Console, data: dict[str, Any]) -> None:
    """The settlement (A4 §3.a.4) and the NZa's lawfulness verdict with what it reclaims
    (A4 §3.a.5), once on record."""
    settlement = data.get("settlement")
    if settlement is not None:
        measure = settlement.get("shortfall_measure")
        console.print(visible(_("settled: repayment terms {terms}; shortfall measure {measure}")
                              .format(terms=settlement.get("repayment_terms") or _("none"),
                                      measure=_(str(measure)) if measure else _("none"))),
                      markup=False, highlight=False)
    lawfulness = data.get("lawfulness")
    if lawfulness is not None:
        line = _("lawfulness: {verdict}").format(verdict=_(str(lawfulness["verdict"])))
        if lawfulness.get("reason"):
            line += f" ({lawfulness['reason']})"
        if "reclaim_eur" in data["funds"]:
            line += "; " + _("to reclaim {amount}").format(
                amount=_eur(data["funds"]["reclaim_eur"]))
        console.print(visible(line), markup=False, highlight=False)


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


def idle_text(row: Mapping[str, Any] | str | None) -> str:
    """Why an organisation has nothing to do, in the reader's language, from the reason's
    code and values (workflow.core.todo.IDLE_REASONS); a refusal quoted inside is said in
    that language too."""
    if row is None or isinstance(row, str):  # a reason already composed: as it is
        return row or ""
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


def show_parties(console: Console, data: dict[str, Any]) -> None:
    """`plan show`'s parties: one row per organisation and role."""
    table = Table(_("role"), _("organisation"), _("provider size"), title=_("Parties"),
                  title_justify="left")
    for p in data.get("parties", []):
        org = p["org"] or {"waived": _("waived")}.get(p.get("note") or "-", p.get("note") or "-")
        if p.get("region"):
            org = f"{org} ({p['region']})"
        size = term("size", p["provider_size"]) if p.get("provider_size") else "-"
        table.add_row(term("role", p["role"]), Text(visible(org)), size)
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
