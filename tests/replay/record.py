"""Record the replay test logs once: `python -m tests.replay.record`.

Each story is played through the service (`workflow.service.api.Engine`) on an in-memory
database with explicit times, exported as JSON Lines, and replayed; the log and the replay's
result are written to `tests/replay/logs/` as `NAME.jsonl` and `NAME.expected.json`. From then
on they are fixed data: `test_recorded.py` replays every log and compares it with its recorded
result, so a change to the rules that alters an old plan's outcome fails a test. Run this
again only to add a story, never to make a failing comparison pass.
"""

from __future__ import annotations

import copy
import heapq
import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from workflow.audit.logfile import parse_lines, replay_lines
from workflow.core.clock import FakeClock
from workflow.core.events import Event
from workflow.core.spec import Actor
from workflow.core.timecalc import format_at, parse_at
from workflow.service import demo
from workflow.service.api import Engine
from workflow.service.logs import configure

HERE = Path(__file__).resolve().parent
LOGS = HERE / "logs"
MODELPLAN = HERE.parent.parent / "docs" / "examples" / "modelplan_example.yaml"

MAKER, HOSPITAL, INSURER = demo.MAKER, demo.HOSPITAL, demo.INSURER
SECOND, ENSCHEDE, NZA = demo.SECOND, demo.ENSCHEDE, demo.NZA
BOARD = Actor("governance_board", "Bestuurlijke groep IZA")
COORDINATOR = Actor("regional_coordinator", "Regiocoördinator Achterhoek", "Achterhoek")
HENGELO = Actor("municipality", "Gemeente Hengelo", "Twente")
NOORDERHAVEN = Actor("plan_maker", "Zorggroep Noorderhaven", "Noorderhaven")
LINDEBOOM = Actor("plan_maker", "Thuiszorg De Lindeboom", "Noorderhaven")


class Story:
    """One plan played through the service, each step `day` days after the story's start."""

    def __init__(self, engine: Engine, plan_id: str, start: str) -> None:
        self.engine, self.plan_id, self.start = engine, plan_id, parse_at(start)
        self._minute: dict[int, int] = {}

    def at(self, day: int) -> datetime:
        minute = self._minute.get(day, -1) + 1
        self._minute[day] = minute
        return self.start + timedelta(days=day, minutes=minute)

    def register(self, day: int, actor: Actor, attrs: dict[str, Any]) -> Story:
        self.engine.register(self.plan_id, actor, attrs, at=self.at(day))
        return self

    def do(self, day: int, actor: Actor, trigger: str, payload: dict[str, Any] | None = None
           ) -> Story:
        self.engine.fire(self.plan_id, trigger, actor, payload or {}, at=self.at(day))
        return self

    def tick(self, day: int) -> Story:
        self.engine.tick(self.at(day))
        return self


def registration(**changes: Any) -> dict[str, Any]:
    attrs = copy.deepcopy(demo.REGISTRATION)
    attrs.update(changes)
    return attrs


PLAIN = registration(social_domain=False, domain_transcending=False, municipalities=[])
"""A plan of two care providers without a municipality: fewer steps to approval."""


def to_preparation(s: Story, day: int = 0) -> int:
    """Register and get through the quick test; returns the day reached."""
    s.register(day, MAKER, PLAIN)
    s.do(day + 3, INSURER, "agree_character", {"character": "scaling"})
    s.do(day + 5, MAKER, "submit_quick_test")
    s.do(day + 6, INSURER, "accept_quick_test_as_complete")
    s.do(day + 20, INSURER, "approve_quick_test")
    return day + 20


def to_approved(s: Story, day: int) -> int:
    """From plan_in_preparation to approved (the plain plan: two providers, two insurers)."""
    s.do(day + 10, MAKER, "submit_plan", demo.IMPACT)
    s.do(day + 12, INSURER, "accept_plan_as_complete")
    s.do(day + 15, INSURER, "submit_review", {"verdict": "positive"})
    s.do(day + 16, SECOND, "submit_review", {"verdict": "positive"})
    for actor in (MAKER, HOSPITAL, INSURER, SECOND):
        s.do(day + 18, actor, "record_commitment")
    s.do(day + 19, INSURER, "share_joint_feedback")
    s.do(day + 25, INSURER, "approve_plan")
    return day + 25


# -- the stories -------------------------------------------------------------------------------


def closed_with_breach(engine: Engine) -> None:
    """The demo: closed, one breach (quick_test_decision), an escalation to step 2 and back."""
    demo.run(engine, "TW-2027-001", demo.START)


def lapsed(engine: Engine) -> None:
    """No plan within 4 months of the approved quick test (A4 §1.5.2): breach, then lapsed."""
    s = Story(engine, "LP-2027-002", "2027-02-01T10:00:00+01:00")
    day = to_preparation(s)
    s.tick(day + 130)
    s.do(day + 131, INSURER, "close_lapsed")


def escalation_ladder(engine: Engine) -> None:
    """All four escalation steps during implementation, a missed board meeting and a missed
    KPI, then a no-go (A4 §1.4, §1.7.6)."""
    s = Story(engine, "ES-2027-003", "2027-01-04T09:30:00+01:00")
    day = to_approved(s, to_preparation(s))
    s.do(day + 5, INSURER, "sign_contract", {"kpis": [
        {"id": "plan", "description": "Deliver the transformation plan", "amount_eur": 40000,
         "due": "2027-06-30", "go_no_go": False},
        {"id": "reach", "description": "Half of the patients seen at home", "amount_eur": 120000,
         "due": "2027-12-31", "go_no_go": True},
    ]})
    s.do(day + 7, NZA, "issue_payment_decision")
    s.do(day + 9, MAKER, "escalate", {"issue": "Staff shortage blocks the home visits",
                                      "contact": "A. Jansen, bestuurder"})
    s.do(day + 20, INSURER, "escalate", {"issue": "Bilateral talks failed"})
    s.do(day + 30, INSURER, "escalate", {"issue": "All parties could not agree"})
    s.tick(day + 46)
    s.do(day + 47, MAKER, "escalate", {"issue": "No board meeting within two weeks"})
    s.do(day + 50, BOARD, "request_flying_brigade")
    s.do(day + 80, BOARD, "resolve_escalation")
    s.tick(day + 200)
    s.do(day + 210, INSURER, "pay_partially", {"kpi": "plan", "amount_eur": 20000,
                                               "reason": "Delivered late but complete",
                                               "efforts_delivered": True})
    s.do(day + 220, MAKER, "record_costs", {"amount_eur": 35000, "period": "2027"})
    s.do(day + 330, INSURER, "decide_no_go", {"kpi": "reach"})


def three_plans(engine: Engine) -> None:
    """Three plans whose events interleave: a quick test rejected, a plan revised once and
    rejected after an extended decision deadline, a breakthrough plan withdrawn."""
    a = Story(engine, "RJ-2027-004", "2027-03-01T09:00:00+01:00")
    b = Story(engine, "RV-2027-005", "2027-03-02T11:00:00+01:00")
    c = Story(engine, "BT-2027-006", "2027-03-03T14:00:00+01:00")
    a.register(0, MAKER, PLAIN)
    b.register(0, MAKER, PLAIN)
    c.register(0, NOORDERHAVEN, registration(
        title="Thuismonitoring hartfalen", region="Noorderhaven", track="breakthrough",
        social_domain=False, domain_transcending=False, municipalities=[],
        parties=[{"org": NOORDERHAVEN.org, "role": "plan_maker"},
                 {"org": LINDEBOOM.org, "role": "plan_maker"}]))
    for s in (a, b, c):
        s.do(2, INSURER, "agree_character", {"character": "innovation"})
        s.do(4, NOORDERHAVEN if s is c else MAKER, "submit_quick_test")
        s.do(5, INSURER, "accept_quick_test_as_complete")
    a.do(25, INSURER, "reject_quick_test", {"reason": "No link with the regional plan"})
    b.do(26, INSURER, "approve_quick_test")
    c.do(27, INSURER, "approve_quick_test")
    modelplan = yaml.safe_load(MODELPLAN.read_text(encoding="utf-8"))
    c.do(60, NOORDERHAVEN, "submit_plan", {"modelplan": modelplan})
    b.do(61, MAKER, "submit_plan", demo.IMPACT)
    b.do(62, INSURER, "accept_plan_as_complete")
    b.do(70, INSURER, "request_revision", {"reason": "Make the KPIs measurable"})
    c.do(75, INSURER, "request_information", {"missing": ["begroting 2028 per aanbieder"]})
    b.do(90, MAKER, "submit_plan", demo.IMPACT)
    b.do(91, INSURER, "accept_plan_as_complete")
    b.do(100, INSURER, "extend_deadline", {"deadline": "plan_decision", "until": "2027-09-30",
                                           "reason": "Summer holidays of the board"})
    c.do(110, NOORDERHAVEN, "withdraw", {"reason": "The coalition fell apart"})
    b.do(180, INSURER, "reject_plan", {"reason": "Impact on the criteria not credible"})


def with_breaches_open(engine: Engine) -> None:
    """A domain-transcending plan a municipality joins (A4 §1.a.1), left in joint review with
    a regional coordinator assigned (A4 §1.b.3) and step 1 of an escalation open: `--now`
    after its decision deadline makes that deadline a breach."""
    s = Story(engine, "OP-2027-007", "2027-05-03T09:00:00+02:00")
    s.register(0, MAKER, registration(social_domain=False, domain_transcending=True,
                                      municipalities=[]))
    s.do(1, HENGELO, "join_as_financier")
    s.do(3, INSURER, "agree_character", {"character": "scaling"})
    s.do(5, MAKER, "submit_quick_test")
    s.do(6, INSURER, "accept_quick_test_as_complete")
    s.do(20, INSURER, "approve_quick_test")
    s.do(30, MAKER, "submit_plan", demo.IMPACT)
    s.do(32, INSURER, "accept_plan_as_complete")
    s.do(33, HENGELO, "assign_regional_coordinator",
         {"org": COORDINATOR.org, "region": COORDINATOR.region})
    s.do(35, INSURER, "submit_review", {"verdict": "conditional"})
    s.do(36, COORDINATOR, "submit_review", {"verdict": "positive"})
    s.do(40, HENGELO, "escalate", {"issue": "The neighbourhood budget is not agreed",
                                   "contact": "wethouder zorg"})


# -- logs from outside and tampered logs ---------------------------------------------------------


def foreign(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As another system writes it: no hash, no definition, no deadline_expired, own seq."""
    out: list[dict[str, Any]] = []
    for e in events:
        if e["trigger"] == "deadline_expired":
            continue
        item = {k: v for k, v in e.items() if k not in ("hash", "prev_hash", "definition")}
        item["seq"] = len([x for x in out if x["plan_id"] == e["plan_id"]]) + 1
        out.append(item)
    return out


def foreign_violations(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The demo and the open plan as another system logged them, with refused events put in."""
    demo_events = [e for e in foreign(events) if e["plan_id"] == "TW-2027-001"]
    open_events = [e for e in foreign(events) if e["plan_id"] == "OP-2027-007"]
    refused = [
        # a plan maker may not approve its own plan (role)
        (14, {"trigger": "approve_plan", "actor": MAKER.to_dict(), "payload": {}}),
        # approval before the reviews, commitments and joint feedback (guards)
        (15, {"trigger": "approve_plan", "actor": INSURER.to_dict(), "payload": {}}),
        # an organisation that is not the plan's coordinating insurer (membership)
        (20, {"trigger": "share_joint_feedback",
              "actor": {"role": "coordinating_insurer", "org": "VGZ", "region": None},
              "payload": {}}),
    ]
    out: list[dict[str, Any]] = []
    for e in demo_events:
        for after, extra in refused:
            if e["seq"] == after + 1:
                out.append({"plan_id": e["plan_id"], "seq": 0, "at": e["at"], **extra})
        out.append(dict(e))
    # time running backwards: a review dated before the event logged before it
    back = next(e for e in out if e["trigger"] == "settle")
    out.insert(out.index(back), {**back, "trigger": "record_monitoring",
                                 "payload": {"summary": "Late note"},
                                 "at": "2027-01-01T09:00:00+01:00"})
    # after the final state nothing can happen
    last = out[-1]
    out.append({**last, "trigger": "record_costs", "at": format_at(
        parse_at(last["at"]) + timedelta(days=3)), "actor": MAKER.to_dict(),
        "payload": {"amount_eur": 5000, "period": "2028"}})
    for n, e in enumerate(out, start=1):
        e["seq"] = n
    # the open plan claims its quick-test deadline expired weeks early: a violation
    qt = open_events[4]
    claimed = {"plan_id": qt["plan_id"], "seq": 0, "at": "2027-05-20T00:00:00+02:00",
               "trigger": "deadline_expired", "actor": {"role": "system", "org": "other-system",
                                                        "region": None},
               "payload": {"deadline": "quick_test_decision", "due": "2027-05-19"}}
    merged = [*open_events[:5], claimed, *open_events[5:]]
    for n, e in enumerate(merged, start=1):
        e["seq"] = n
    # the two plans interleave by time, as one system's export would; each keeps its order
    return list(heapq.merge(out, merged, key=lambda e: parse_at(e["at"])))


def tampered(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The demo log with a partial payment raised after the fact (hash left as it was)."""
    out = [dict(e) for e in events if e["plan_id"] == "TW-2027-001"]
    for e in out:
        if e["trigger"] == "pay_partially":
            e["payload"] = {**e["payload"], "amount_eur": 200000}
    return out


# -- writing -------------------------------------------------------------------------------------

Story_ = Callable[[Engine], None]
HASHED: dict[str, tuple[Story_, ...]] = {
    "closed_with_breach": (closed_with_breach,),
    "lapsed": (lapsed,),
    "escalation_ladder": (escalation_ladder,),
    "three_plans_interleaved": (three_plans,),
    "open_deadline": (with_breaches_open,),
}
NOW = {"open_deadline": "2027-09-01T12:00:00+02:00",
       "foreign_violations": "2027-12-31T12:00:00+01:00"}


def history(stories: Iterable[Story_]) -> list[dict[str, Any]]:
    engine = Engine("sqlite://", FakeClock(demo.START))
    for story in stories:
        story(engine)
    events: list[Event] = list(engine.store.iter_events())
    return sorted((e.to_dict() for e in events), key=lambda e: (parse_at(e["at"]), e["seq"]))


def lines_of(events: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in events]


def outcome(lines: list[str], now: str | None) -> dict[str, Any]:
    result = replay_lines(parse_lines(lines), parse_at(now) if now else None)
    return {"exit_code": result.exit_code, "result": result.to_dict()}


def write(name: str, events: list[dict[str, Any]]) -> None:
    lines = lines_of(events)
    (LOGS / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = [{"args": ["--json"], **outcome(lines, None)}]
    if name in NOW:
        runs.append({"args": ["--json", "--now", NOW[name]], **outcome(lines, NOW[name])})
    expected = {"log": f"{name}.jsonl", "runs": runs}
    (LOGS / f"{name}.expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{name}: {len(lines)} events, exit {[r['exit_code'] for r in runs]}")


def main() -> None:
    configure(json=True, level="CRITICAL")
    LOGS.mkdir(exist_ok=True)
    every: list[dict[str, Any]] = []
    for name, stories in HASHED.items():
        events = history(stories)
        every += events
        write(name, events)
    write("foreign_violations", foreign_violations(every))
    write("tampered_payment", tampered(every))


if __name__ == "__main__":
    main()
