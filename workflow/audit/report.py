"""`azwa audit report PLAN`: one plan's audit file, in Markdown or HTML, with a timeline picture.

Everything in it comes from replaying the plan's stored events with the engine, one at a time:
the timeline (each event, who, when, and where every deadline stood at that moment), deadline
compliance (days used of days allowed), the escalation history, KPI payments, and the four
conditions of the NZa's lawfulness judgement (A4 §3.a.5), judged by the definition's own
guards of `give_lawfulness_judgement`, never by a copy of them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import states
from workflow.audit.replay import PlanReplay
from workflow.core import formats
from workflow.core.context import Context
from workflow.core.events import Event
from workflow.core.i18n import _, current, term
from workflow.core.money import format_eur
from workflow.core.phrase import Phrase
from workflow.core.plan import CANCELLED, EXPIRED, MET, OPEN, Deadline, Plan
from workflow.core.refusal_text import say
from workflow.core.spec import AIM, Actor
from workflow.core.text import visible
from workflow.core.timecalc import AMSTERDAM, days_left, local_date, parse_at

JUDGEMENT = "give_lawfulness_judgement"
AUDITOR = Actor("auditor", "audit")
CONDITION_LABELS = {
    "has_approved_plan_and_contract": "Approved plan and a signed agreement with KPIs",
    "has_payment_decision": "A payment decision (betaalbeschikking) of the NZa",
    "has_costs_and_kpi_evidence": "Cost registration and evidence of the achieved KPIs",
    "has_monitoring": "Monitoring and adjustment took place",
}
VERDICTS = {MET: "met", EXPIRED: "breached", OPEN: "open", CANCELLED: "cancelled"}
AIM_MISSED = "aim missed"
"""An expired deadline of kind `aim` (DESIGN-v2 "Escalation"): recorded, never a breach."""


def verdict_of(definition: str, name: str, status: str) -> str:
    """How a deadline's status reads: an expired aim is missed, an expired deadline breached."""
    if status == EXPIRED:
        spec = states.get(definition).deadline(name)
        if spec is not None and spec.kind == AIM:
            return AIM_MISSED
    return VERDICTS.get(status, status)


@dataclass(frozen=True, slots=True)
class Moment:
    """One event of the timeline and where the plan and its deadlines stood after it."""

    seq: int
    at: datetime
    trigger: str
    role: str
    org: str
    state: str
    escalation: str
    deadlines: tuple[str, ...]
    refused: str | None = None
    payload: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class DeadlineRun:
    """One run of a deadline, from its start to its end (met, breached, cancelled) or now."""

    name: str
    started_at: datetime
    due: date
    status: str
    closed_at: datetime | None
    extensions: int
    late_at: datetime | None = None
    """For a breached deadline: when the act that should have met it came after all."""
    verdict: str = ""
    """met, breached, aim missed, open or cancelled (verdict_of)."""

    @property
    def allowed_days(self) -> int:
        return (self.due - local_date(self.started_at)).days

    def used_days(self, as_of: datetime) -> int:
        """Days from the start to the act (or to the expiry, or to `as_of` while open)."""
        end = self.late_at or (self.closed_at if self.closed_at is not None else as_of)
        return (local_date(end) - local_date(self.started_at)).days

    def describe(self) -> str:
        """The verdict in the reader's language (English: as `verdict` says)."""
        verdict = _(self.verdict)
        if self.late_at is not None:
            return _("{verdict}, done late {at}").format(verdict=verdict,
                                                         at=_local(self.late_at))
        return verdict


@dataclass(frozen=True, slots=True)
class Condition:
    label: str
    seed: str
    met: bool
    detail: str = ""


@dataclass(slots=True)
class PlanReport:
    plan: Plan
    chain: str
    as_of: datetime
    timeline: list[Moment] = field(default_factory=list)
    deadlines: list[DeadlineRun] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.plan.attrs.get("title", ""))


def _run(dl: Deadline, definition: str, timeline: Sequence[Moment]) -> DeadlineRun:
    """A deadline run; for a breach, the late act found among the triggers that meet it."""
    started = parse_at(dl.started_at)
    late: datetime | None = None
    spec = states.get(definition).deadline(dl.name)
    if dl.status == EXPIRED and spec is not None:
        item = dl.name.split(":", 1)[1] if ":" in dl.name else None
        for m in timeline:
            if m.at > started and m.trigger in spec.met_by and m.refused is None and (
                    spec.met_key is None or str(m.payload.get(spec.met_key)) == item):
                late = m.at
                break
    return DeadlineRun(dl.name, started, dl.due, dl.status,
                       parse_at(dl.closed_at) if dl.closed_at else None, dl.extensions, late,
                       verdict_of(definition, dl.name, dl.status))


def _standing(plan: Plan, at: datetime, before: dict[str, str]) -> tuple[str, ...]:
    """Open deadlines with days left, and those this event met or let expire."""
    out: list[str] = []
    for dl in sorted(plan.deadlines.values(), key=lambda d: (d.expires_at, d.name)):
        if dl.is_open:
            left = days_left(dl.due, at)
            out.append(Phrase("{deadline}: due {due} (1 day left)" if left == 1 else
                              "{deadline}: due {due} ({left} days left)",
                              deadline=dl.name, due=dl.due, left=left))
        elif before.get(dl.name) == OPEN:
            out.append(Phrase("{deadline}: {verdict}", deadline=dl.name,
                              verdict=Phrase(verdict_of(plan.definition, dl.name, dl.status))))
    return tuple(out)


def conditions(plan: Plan, at: datetime) -> list[Condition]:
    """The guards of the lawfulness judgement, judged on the plan as it stands."""
    definition = states.get(plan.definition)
    ctx = Context(plan, AUDITOR, {}, at, JUDGEMENT)
    found: list[Condition] = []
    for tr in definition.transitions:
        if tr.trigger != JUDGEMENT:
            continue
        for guard in tr.guards:
            met = bool(guard.check(ctx))
            detail = "" if met or guard.explain is None else guard.explain(ctx)
            found.append(Condition(CONDITION_LABELS.get(guard.name, guard.message), guard.seed,
                                   met, detail))
    return found


def build(events: Iterable[Event], as_of: datetime | None = None) -> PlanReport:
    """Replay one plan's events and keep what the report shows; ValueError if it cannot."""
    replay: PlanReplay | None = None
    timeline: list[Moment] = []
    runs: dict[tuple[str, str], Deadline] = {}
    last_at: datetime | None = None
    for event in events:
        if replay is None:
            replay = PlanReplay(event.plan_id)
        plan = replay.plan
        before = {n: d.status for n, d in plan.deadlines.items()} if plan else {}
        refused = len(replay.violations)
        at = parse_at(event.at)
        replay.step(event.to_dict(), at)
        plan = replay.plan
        if plan is None:
            continue
        last_at = at
        for dl in plan.deadlines.values():
            runs[(dl.name, dl.started_at)] = Deadline(
                dl.name, dl.started_at, dl.due, dl.expires_at, dl.status, dl.closed_at,
                dl.extensions)
        timeline.append(Moment(
            event.seq, at, event.trigger, str(event.actor.get("role")),
            str(event.actor.get("org")), plan.state, plan.escalation,
            _standing(plan, at, before),
            replay.violations[-1].reason if len(replay.violations) > refused else None,
            dict(event.payload)))
    if replay is None or replay.plan is None or last_at is None:
        raise ValueError("the plan's events do not register it")
    when = as_of or last_at
    report = PlanReport(replay.plan, replay.chain, when, timeline)
    report.deadlines = sorted((_run(d, replay.plan.definition, timeline)
                               for d in runs.values()),
                              key=lambda r: (r.started_at, r.name))
    report.conditions = conditions(replay.plan, when)
    report.violations = [f"seq {v.seq} {v.trigger}: {v.reason}" for v in replay.violations]
    return report


# -- rendering --------------------------------------------------------------------------------


def _local(at: datetime | None) -> str:
    """A moment in Amsterdam: `2028-04-10 14:30`, in Dutch `10 april 2028 14:30`."""
    if not at:
        return ""
    if current() == "en":
        return at.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M")
    return formats.moment(at)


def _eur(cents: Any) -> str:
    whole = cents if isinstance(cents, int) and not isinstance(cents, bool) else 0
    return format_eur(whole) if current() == "en" else formats.amount(whole)


def _day(value: Any) -> str:
    """An ISO day (or a date) as the reader writes it; anything else as it is."""
    try:
        return formats.day(value if isinstance(value, date) else date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _sections(report: PlanReport) -> list[tuple[str, list[str], list[list[str]]]]:
    """Each table of the report: its heading, column names and rows (plain text)."""
    plan, as_of = report.plan, report.as_of
    kpi_runs = {r.name.split(":", 1)[1]: r for r in report.deadlines if r.name.startswith("kpi:")}
    kpis: dict[str, dict[str, Any]] = plan.facts.get("kpis", {})
    return [
        (_("Timeline"), [_("seq"), _("when"), _("trigger"), _("who"), _("state"),
                         _("escalation"), _("deadlines")],
         [[str(m.seq), _local(m.at), term("trigger", m.trigger)
           + (_(" (refused)") if m.refused else ""),
           f"{m.org} ({term('role', m.role)})", term("state", m.state),
           term("escalation", m.escalation), "; ".join(say(d) for d in m.deadlines) or "–"]
          for m in report.timeline]),
        (_("Deadline compliance"),
         [_("deadline"), _("started"), _("due"), _("days used"), _("days allowed"), _("status"),
          _("closed"), _("extensions")],
         [[term("deadline", r.name), _local(r.started_at), _day(r.due),
           str(r.used_days(as_of)), str(r.allowed_days), r.describe(), _local(r.closed_at),
           str(r.extensions)]
          for r in report.deadlines]),
        (_("Escalation history"), [_("when"), _("trigger"), _("from"), _("to"), _("by"),
                                   _("issue")],
         [[_local(parse_at(h["at"])), _term("trigger", h.get("trigger")),
           _term("escalation", h.get("from")), _term("escalation", h.get("to")),
           f"{h.get('by', '')} ({_term('role', h.get('role'))})",
           str(h.get("issue", h.get("contact", "")))]
          for h in plan.escalation_history]),
        (_("KPI payments"), ["KPI", _("description"), _("amount"), _("due"), _("status"),
                             _("paid"), "go/no-go", _("settled")],
         [[kid, str(k.get("description", "")), _eur(k.get("amount_cents")),
           _day(k.get("due", "")), _term("kpi_status", k.get("status")),
           _eur(k.get("paid_cents")),
           _term("decision", k.get("decision")) or (_("pending") if k.get("go_no_go") else "–"),
           _local(kpi_runs[kid].closed_at) if kid in kpi_runs else ""]
          for kid, k in kpis.items()]),
        (_("Lawfulness judgement: the four conditions (A4 §3.a.5)"),
         [_("condition"), "", _("seed"), _("detail")],
         [[_(c.label), "✔ " + _("ticked") if c.met else "✘ " + _("missing"), c.seed,
           say(c.detail)]
          for c in report.conditions]),
    ]


def _term(kind: str, value: Any) -> str:
    """A term of a value that may be absent: absent reads as empty, as it always did."""
    return "" if value is None or value == "" else term(kind, str(value))


def _summary(report: PlanReport) -> list[tuple[str, str]]:
    plan = report.plan
    funds = plan.funds
    return [
        (_("plan"), plan.plan_id), (_("title"), report.title),
        (_("region"), str(plan.attrs.get("region", ""))),
        (_("track"), _term("track", plan.attrs.get("track"))),
        (_("definition"), plan.definition), (_("state"), term("state", plan.state)),
        (_("escalation"), term("escalation", plan.escalation)), (_("events"), str(plan.seq)),
        (_("breaches"), ", ".join(term("deadline", b) for b in plan.breaches) or _("none")),
        *([(_("missed aims"), ", ".join(term("deadline", a) for a in plan.missed_aims))]
          if plan.missed_aims else []),
        (_("hash chain"), _(report.chain)),
        (_("violations"), str(len(report.violations)) if report.violations else _("none")),
        (_("funds"), _("paid {paid}, costs {costs}, refund {refund}").format(
            paid=_eur(funds.get("paid_cents")), costs=_eur(funds.get("costs_cents")),
            refund=_eur(funds.get("refund_cents")))),
        (_("as of"), _local(report.as_of)),
    ]


_MD_SPECIAL = re.compile(r"([\\`*\[<|&$]|(?<![^\W_])_|_(?![^\W_]))")


def md(text: str) -> str:
    """User text as Markdown that shows it and does nothing else: on one line (so it cannot
    start a heading or a list), every character that could open a link, an image, raw HTML,
    an entity, code, emphasis, maths or a table cell backslash-escaped (an `_` inside a word
    opens nothing and stays as it is)."""
    return _MD_SPECIAL.sub(r"\\\1", visible(text, one_line=True))


def _md_link(path: str) -> str:
    """A relative link to the picture: percent-encoded, so no scheme (`javascript:`), space
    or parenthesis survives."""
    return quote(visible(path, one_line=True))


def render_md(report: PlanReport, picture: str | None = None) -> str:
    """The report as Markdown; `picture` is the timeline image's path, relative to the file.
    Every value is escaped (`md`): a title cannot add a section, a link or HTML."""
    plan_id = md(report.plan.plan_id)
    out = [_("# Audit report {plan}: {title}").format(plan=plan_id, title=md(report.title)), ""]
    out += ["| | |", "|---|---|"]
    out += [f"| {md(k)} | {md(v)} |" for k, v in _summary(report)]
    out.append("")
    if picture:
        out += [_("![timeline of {plan}]({link})").format(plan=plan_id,
                                                           link=_md_link(picture)), ""]
    if report.violations:
        out += ["## " + _("Violations"), ""] + [f"- {md(v)}" for v in report.violations] + [""]
    for heading, columns, rows in _sections(report):
        out += [f"## {md(heading)}", ""]
        if not rows:
            out += [_("None."), ""]
            continue
        out.append("| " + " | ".join(md(c) for c in columns) + " |")
        out.append("|" + "---|" * len(columns))
        out += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
        out.append("")
    return "\n".join(out)


def render_html(report: PlanReport, svg: str | None = None) -> str:
    """The report as one self-contained HTML page, the timeline picture inline."""
    esc = html.escape
    out = ["<!DOCTYPE html>", f'<html lang="{current()}"><head><meta charset="utf-8">',
           "<title>" + _("Audit report {plan}").format(plan=esc(report.plan.plan_id))
           + "</title>",
           "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
           "margin-bottom:1.5em}td,th{border:1px solid #bbb;padding:3px 6px;text-align:left;"
           "vertical-align:top}th{background:#eee}.missing{color:#b00}.ticked{color:#070}"
           "</style></head><body>",
           "<h1>" + _("Audit report {plan}: {title}").format(
               plan=esc(report.plan.plan_id), title=esc(report.title)) + "</h1>",
           "<table>"]
    out += [f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in _summary(report)]
    out.append("</table>")
    if svg:
        start = svg.find("<svg")
        out += ['<figure class="timeline">', svg[start:] if start >= 0 else svg, "</figure>"]
    if report.violations:
        out += ["<h2>" + _("Violations") + "</h2>", "<ul>"]
        out += [f"<li>{esc(v)}</li>" for v in report.violations] + ["</ul>"]
    for heading, columns, rows in _sections(report):
        out.append(f"<h2>{esc(heading)}</h2>")
        if not rows:
            out.append("<p>" + _("None.") + "</p>")
            continue
        out.append("<table><tr>" + "".join(f"<th>{esc(c)}</th>" for c in columns) + "</tr>")
        for row in rows:
            cells = []
            for cell in row:
                kind = ' class="ticked"' if cell.startswith("✔") else (
                    ' class="missing"' if cell.startswith("✘") else "")
                cells.append(f"<td{kind}>{esc(cell)}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
