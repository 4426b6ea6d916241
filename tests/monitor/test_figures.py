"""The A4 §4 figures (workflow.audit.monitoring) against a database counted by hand
(tests/monitor/fixture.py explains every number)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.monitor.fixture import AS_OF, build
from workflow.audit.monitoring import Period, from_store, group_of, provider_size, stories
from workflow.core.clock import FakeClock
from workflow.core.timecalc import parse_at
from workflow.service import demo
from workflow.service.api import Engine


@pytest.fixture
def engine(sqlite_url: str) -> Engine:
    found = Engine(sqlite_url)
    build(found)
    return found


def figures(engine: Engine, **options: Any) -> dict[tuple[str, str], dict[str, Any]]:
    data = from_store(engine.store, as_of=parse_at(AS_OF), **options).to_dict()
    return {(p["period"], g["group"]): g for p in data["periods"] for g in p["groups"]}


def test_states_counted_at_the_end_of_each_month_per_region(engine: Engine) -> None:
    """Given three plans in two regions, when counted by month and region, then each month
    shows where the plans stood at its end, and a region appears from its first plan on."""
    found = figures(engine, by="region")
    assert sorted(found) == [("2027-01", "Twente"), ("2027-02", "Drenthe"),
                             ("2027-02", "Twente"), ("2027-03", "Drenthe"),
                             ("2027-03", "Twente")]
    assert found["2027-01", "Twente"]["plans"] == {"quick_test_under_review": 2}
    assert found["2027-02", "Twente"]["plans"] == {"plan_in_preparation": 1, "rejected": 1}
    assert found["2027-02", "Drenthe"]["plans"] == {"withdrawn": 1}
    assert found["2027-03", "Twente"]["plans"] == {"plan_in_preparation": 1, "rejected": 1}


def test_entered_and_left_count_what_happened_in_the_month(engine: Engine) -> None:
    """Each change of state counts once: entered the new state, left the old one, in the
    month it happened; registration enters `intent` and leaves nothing."""
    found = figures(engine, by="region")
    assert found["2027-01", "Twente"]["entered"] == {
        "intent": 2, "quick_test_submitted": 2, "quick_test_under_review": 2}
    assert found["2027-01", "Twente"]["left"] == {"intent": 2, "quick_test_submitted": 2}
    assert found["2027-02", "Twente"]["entered"] == {"plan_in_preparation": 1, "rejected": 1}
    assert found["2027-02", "Twente"]["left"] == {"quick_test_under_review": 2}
    assert found["2027-02", "Drenthe"]["entered"] == {"intent": 1, "withdrawn": 1}
    assert found["2027-03", "Twente"]["entered"] == {} == found["2027-03", "Twente"]["left"]


def test_deadline_compliance_share_on_time_and_median_days(engine: Engine) -> None:
    """Two quick-test decisions ended in February: one on time after 21 days, one expired
    after 29 (A4 §1.5.1): half on time, median 25 days, one breach; none in January."""
    found = figures(engine, by="region")
    assert found["2027-02", "Twente"]["deadlines"] == [
        {"deadline": "quick_test_decision", "kind": "deadline", "closed": 2, "on_time": 1,
         "share_on_time": 0.5, "median_days_used": 25.0}]
    assert found["2027-02", "Twente"]["breaches"] == 1
    assert found["2027-02", "Twente"]["missed_aims"] == 0
    assert found["2027-01", "Twente"]["deadlines"] == []
    assert found["2027-03", "Twente"]["breaches"] == 0


def test_open_escalations_by_step_at_the_end_of_the_month(engine: Engine) -> None:
    """A step-1 escalation opened on 10 February is open at the end of February and March
    (A4 §1.4.1); none in January."""
    found = figures(engine, by="region")
    assert found["2027-01", "Twente"]["escalations"] == {}
    assert found["2027-02", "Twente"]["escalations"] == {"bilateral": 1}
    assert found["2027-03", "Twente"]["escalations"] == {"bilateral": 1}


def test_without_a_grouping_all_plans_are_one_group_and_quarters_add_months(
        engine: Engine) -> None:
    """No `by`: one group `all`; by quarter, the flows of January to March add up and the
    stocks are those at the quarter's end (here `as_of`)."""
    found = figures(engine, period="quarter")
    assert list(found) == [("2027-Q1", "all")]
    q1 = found["2027-Q1", "all"]
    assert q1["plans"] == {"plan_in_preparation": 1, "rejected": 1, "withdrawn": 1}
    assert q1["entered"]["intent"] == 3 and q1["left"]["quick_test_under_review"] == 2
    assert q1["deadlines"][0]["closed"] == 2 and q1["breaches"] == 1


def test_as_of_leaves_out_what_came_later(engine: Engine) -> None:
    """Counted as of 31 January, February's acts and plan C do not exist yet."""
    data = from_store(engine.store, as_of=parse_at("2027-01-31T23:00:00+01:00")).to_dict()
    assert [p["period"] for p in data["periods"]] == ["2027-01"]
    assert data["periods"][0]["groups"][0]["plans"] == {"quick_test_under_review": 2}


def test_an_empty_database_gives_an_empty_report(sqlite_url: str) -> None:
    """No plans: no period, no error."""
    data = from_store(Engine(sqlite_url).store, as_of=parse_at(AS_OF), by="size").to_dict()
    assert data["periods"] == [] and data["by"] == "size"


def test_kpis_and_funds_of_the_demo_plan_by_quarter(sqlite_url: str) -> None:
    """The demo plan (workflow/service/demo.py): the contract of 20 June 2027 agrees
    € 250,000 (k1 50,000 + k2 200,000), k1 confirmed 28 June pays 50,000 (Q2); k2 partly paid
    150,000 on 10 Feb 2028, costs 180,000 in all, so `settle` on 6 March 2028 finds 20,000 to
    pay back (Q1 2028, A4 §3.a.4). The quick-test decision expired on 13 March 2027."""
    engine = Engine(sqlite_url, FakeClock(demo.START))
    demo.run(engine, "D")
    data = from_store(engine.store, as_of=parse_at("2028-06-30T12:00:00+02:00"),
                      period="quarter").to_dict()
    found = {p["period"]: p["groups"][0] for p in data["periods"]}
    assert list(found) == ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4", "2028-Q1", "2028-Q2"]
    assert found["2027-Q2"]["funds"] == {"agreed_eur": 250000, "paid_eur": 50000,
                                         "refunded_eur": 0}
    assert found["2027-Q2"]["kpis"] == {"confirmed": 1, "partly_paid": 0, "missed": 0}
    assert found["2028-Q1"]["funds"] == {"agreed_eur": 0, "paid_eur": 150000,
                                         "refunded_eur": 20000}
    assert found["2028-Q1"]["kpis"] == {"confirmed": 0, "partly_paid": 1, "missed": 0}
    assert found["2027-Q1"]["breaches"] == 1 and found["2027-Q1"]["escalations"] == {
        "bilateral": 1}
    assert found["2027-Q2"]["escalations"] == {}  # resolved on 11 April
    assert found["2028-Q2"]["plans"] == {"closed": 1}


def test_a_kpi_whose_due_date_passes_is_missed(sqlite_url: str) -> None:
    """A contract signed, then nothing: both KPIs expire (k1 on 1 July 2027, k2 on 1 March
    2028), each a missed KPI and a breach in its quarter (A4 §1.7.4)."""
    engine = Engine(sqlite_url, FakeClock(demo.START))
    demo.play(engine, "K", until="issue_payment_decision")
    engine.tick("2028-03-05T00:00:00+01:00")
    data = from_store(engine.store, as_of=parse_at("2028-03-31T12:00:00+02:00"),
                      period="quarter").to_dict()
    found = {p["period"]: p["groups"][0] for p in data["periods"]}
    assert found["2027-Q3"]["kpis"]["missed"] == 1 and found["2028-Q1"]["kpis"]["missed"] == 1
    assert found["2027-Q3"]["deadlines"] == [
        {"deadline": "kpi", "kind": "deadline", "closed": 1, "on_time": 0,
         "share_on_time": 0.0, "median_days_used": 11.0}]


@pytest.mark.parametrize(("parties", "size"), [
    ([{"org": "a", "provider_size": "large"}, {"org": "b", "provider_size": "small"}],
     "large"),
    ([{"org": "a", "provider_size": "small"}, {"org": "b", "provider_size": "small"}],
     "small"),
    ([{"org": "a", "provider_size": "small"}, {"org": "b"}], "unknown"),
    ([{"org": "a"}], "unknown"),
    ("not a list", "unknown"),
])
def test_provider_size_is_large_when_any_party_is(parties: Any, size: str) -> None:
    """A plan a large provider takes part in is not a small providers' plan (A4 §4.a.1):
    large if any party is large, small only if every party says small."""
    assert provider_size({"parties": parties}) == size


def test_sector_and_region_read_when_present_else_unknown() -> None:
    """`sector` (transformation@2's optional field) and `region` as given, spaces tidied;
    absent or blank is `unknown`."""
    assert group_of({"sector": " ggz "}, "sector") == "ggz"
    assert group_of({}, "sector") == "unknown" == group_of({"region": "  "}, "region")
    assert group_of({"region": "Twente"}, None) == "all"


def test_grouping_by_sector_and_size_splits_the_same_figures(engine: Engine) -> None:
    """Plans that carry a sector and provider sizes are split by them; the figures of the
    groups add up to those of all plans."""
    from workflow.audit.monitoring import monitor

    found = list(stories(engine.store.iter_events(), parse_at(AS_OF)))
    for s in found:
        s.attrs["sector"] = "ggz" if s.plan_id == "A" else "huisartsenzorg"
        s.attrs["parties"] = [{"org": "x", "provider_size": "large" if s.plan_id == "B"
                               else "small"}]
    by_sector = monitor(found, as_of=parse_at(AS_OF), by="sector").to_dict()
    march = {g["group"]: g["plans"] for g in by_sector["periods"][-1]["groups"]}
    assert march == {"ggz": {"plan_in_preparation": 1},
                     "huisartsenzorg": {"rejected": 1, "withdrawn": 1}}
    by_size = monitor(found, as_of=parse_at(AS_OF), by="size").to_dict()
    march = {g["group"]: g["plans"] for g in by_size["periods"][-1]["groups"]}
    assert march == {"large": {"rejected": 1},
                     "small": {"plan_in_preparation": 1, "withdrawn": 1}}


@pytest.mark.parametrize(("day", "kind", "label", "start", "end"), [
    ("2027-01-31", "month", "2027-01", "2027-01-01", "2027-02-01"),
    ("2027-12-05", "month", "2027-12", "2027-12-01", "2028-01-01"),
    ("2027-11-30", "quarter", "2027-Q4", "2027-10-01", "2028-01-01"),
    ("2028-04-01", "quarter", "2028-Q2", "2028-04-01", "2028-07-01"),
])
def test_periods_are_calendar_months_and_quarters(day: str, kind: str, label: str, start: str,
                                                  end: str) -> None:
    from datetime import date

    found = Period.of(date.fromisoformat(day), kind)
    assert (found.label, found.start.isoformat(), found.end.isoformat()) == (label, start, end)


def test_a_moment_falls_in_the_month_of_its_amsterdam_day(sqlite_url: str) -> None:
    """An act at 23:30 UTC on 31 January is on 1 February in Europe/Amsterdam: February."""
    from tests.monitor.fixture import MAKER, registration

    engine = Engine(sqlite_url)
    engine.register("N", MAKER, registration("Twente"), at="2027-01-31T23:30:00+00:00")
    data = from_store(engine.store, as_of=parse_at(AS_OF)).to_dict()
    assert data["periods"][0]["period"] == "2027-02"


def test_a_cancelled_deadline_is_not_counted(sqlite_url: str) -> None:
    """A plan withdrawn while its quick-test decision runs: the run is cancelled, neither met
    nor breached, and left out of the compliance."""
    from tests.monitor.fixture import MAKER, quick_test

    engine = Engine(sqlite_url)
    quick_test(engine, "W", "01-05", "01-10", "01-12")
    engine.fire("W", "withdraw", MAKER, at="2027-01-20T10:00:00+01:00")
    data = from_store(engine.store, as_of=parse_at(AS_OF)).to_dict()
    january = data["periods"][0]["groups"][0]
    assert january["deadlines"] == [] and january["breaches"] == 0
    assert january["plans"] == {"withdrawn": 1}


def test_a_missed_aim_is_not_a_breach() -> None:
    """An aim that passes (transformation@2's board meeting, A4 §1.4.3 "het streven is") is
    a missed aim; a deadline that passes is a breach; both count as not on time."""
    from datetime import UTC, datetime

    from workflow.audit.monitoring import Closing, Figures

    cell = Figures()
    at = datetime(2027, 3, 1, tzinfo=UTC)
    cell.close(Closing(at, "board_meeting", "aim", False, 20))
    cell.close(Closing(at, "board_meeting", "aim", True, 10))
    cell.close(Closing(at, "plan_decision", "deadline", False, 57))
    assert (cell.missed_aims, cell.breaches) == (1, 1)
    data = cell.to_dict()
    assert data["deadlines"][0] == {"deadline": "board_meeting", "kind": "aim", "closed": 2,
                                    "on_time": 1, "share_on_time": 0.5,
                                    "median_days_used": 15.0}
