"""Money is exact (docs/events.md "Amounts"): amounts are euros with at most two decimals,
kept as whole cents, bounded, and NaN, Infinity and overflow are refused naming the field."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from workflow.audit.replay import rebuild
from workflow.cli.main import app
from workflow.core import money
from workflow.core.money import AmountError, funds_eur, parse_cents
from workflow.core.plan import Plan
from workflow.service.api import Engine

from ..replay.helpers import replay_json, write_log
from .builders import CONTRACT, INSURER, MAKER, NZA, Run, into_service, plan_in

MAX = money.DEFAULT_MAX_AMOUNT_EUR


def costs(run: Run, amount: Any, times: int = 1) -> None:
    for n in range(times):
        run.fire("record_costs", MAKER, {"amount_eur": amount, "period": f"p{n}"})


# -- what an amount is ---------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "cents"), [
    (0, 0), (1, 100), (0.01, 1), (0.1, 10), (1250.5, 125050), ("1250.50", 125050), ("7", 700),
    (MAX, MAX * 100), (float(MAX), MAX * 100), (0.07 * 3, None),
])
def test_an_amount_is_whole_cents(value: Any, cents: int | None) -> None:
    """Euros with at most two decimals, as an int, a float or a decimal text, up to the
    bound, are read exactly; a float that is no two-decimal number (0.07 * 3 is
    0.21000000000000002) is refused, not rounded."""
    if cents is None:
        with pytest.raises(AmountError, match="more than two decimals"):
            parse_cents(value)
    else:
        assert parse_cents(value) == cents


@pytest.mark.parametrize(("value", "words"), [
    (math.nan, "finite"), (math.inf, "finite"), (-math.inf, "finite"), (-1, "zero or more"),
    (-0.01, "zero or more"), (0.004, "more than two decimals"), ("0.004", "two decimals"),
    (True, "bool"), (None, "NoneType"), ([1], "list"), ("1e3", "two decimals"),
    ("NaN", "two decimals"), (MAX + 1, "largest amount"), (10**17 + 1, "largest amount"),
    (1e300, "largest amount"), (2.675, "more than two decimals"),
])
def test_what_is_no_amount_is_refused_naming_the_field(value: Any, words: str) -> None:
    """NaN, Infinity, negative, bool, more than two decimals and above the bound: refused,
    the message naming the field."""
    with pytest.raises(AmountError) as caught:
        parse_cents(value, "kpis[0].amount_eur")
    assert str(caught.value).startswith("kpis[0].amount_eur ")
    assert words in str(caught.value)


def test_the_bound_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """AZWA_MAX_AMOUNT_EUR lowers (or raises, up to 10¹³) the largest amount."""
    money.max_amount_eur.cache_clear()
    monkeypatch.setenv("AZWA_MAX_AMOUNT_EUR", "1000")
    try:
        assert parse_cents(1000) == 100000
        with pytest.raises(AmountError, match="largest amount, € 1,000"):
            parse_cents(1000.01)
        monkeypatch.setenv("AZWA_MAX_AMOUNT_EUR", "10**20")
        money.max_amount_eur.cache_clear()
        with pytest.raises(AmountError, match="AZWA_MAX_AMOUNT_EUR"):
            parse_cents(1)
    finally:
        monkeypatch.delenv("AZWA_MAX_AMOUNT_EUR")
        money.max_amount_eur.cache_clear()


@pytest.mark.parametrize("text", ["+5", "   ", "_1000", "1e3", "-5", "0"])
def test_a_bound_that_is_no_whole_number_of_euros_is_refused(
        monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """AZWA_MAX_AMOUNT_EUR is digits (a `_` between them allowed): a sign, blanks, a leading
    `_`, an exponent or zero is refused naming the setting, never read as something else."""
    monkeypatch.setenv("AZWA_MAX_AMOUNT_EUR", text)
    money.max_amount_eur.cache_clear()
    try:
        with pytest.raises(AmountError, match="AZWA_MAX_AMOUNT_EUR"):
            parse_cents(1)
    finally:
        monkeypatch.delenv("AZWA_MAX_AMOUNT_EUR")
        money.max_amount_eur.cache_clear()


@pytest.mark.parametrize(("text", "bound"), [("1_000", 1000), (" 1000 ", 1000)])
def test_a_bound_in_digits_is_read(monkeypatch: pytest.MonkeyPatch, text: str,
                                   bound: int) -> None:
    monkeypatch.setenv("AZWA_MAX_AMOUNT_EUR", text)
    money.max_amount_eur.cache_clear()
    try:
        assert money.max_amount_eur() == bound
    finally:
        monkeypatch.delenv("AZWA_MAX_AMOUNT_EUR")
        money.max_amount_eur.cache_clear()


@pytest.mark.parametrize("cents", [0, 1, 7, 10, 99, 100, 125050, 10**14 + 1, 10**15 - 1, 10**20])
def test_cents_become_the_exact_euros_in_json(cents: int) -> None:
    """Outputs give euros as JSON numbers whose text is the exact amount (a whole number of
    euros as an int, any size; below 10¹⁵ cents, fifteen digits, ten times the largest
    amount, as a float)."""
    text = json.dumps(money.to_eur(cents))
    assert Decimal(text) * 100 == cents
    assert money.to_decimal(cents) * 100 == cents
    assert money.format_eur(cents).startswith("€ ")


# -- through the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "words"), [
    (math.nan, "amount_eur must be a finite number"),
    (math.inf, "amount_eur must be a finite number"),
    (10**17 + 1, "amount_eur exceeds the largest amount"),
    (0.004, "amount_eur has more than two decimals"),
])
def test_has_cost_amount__refuses_nan_infinity_and_overflow(amount: Any, words: str) -> None:
    """An amount that is no amount is refused by the payload schema before any guard
    (has_cost_amount, A4 §3.a.3, would refuse it too): the refusal names the field."""
    run = plan_in("in_implementation")
    refusal = run.refuse("record_costs", MAKER, {"amount_eur": amount, "period": "2027"},
                         rule="payload_matches_schema", seed="A4 §3.a.1")
    assert words in refusal.reason
    assert run.plan.funds["costs_cents"] == 0


def test_the_refusal_of_nan_reads_as_documented() -> None:
    """docs/events.md "Amounts" shows this refusal word for word."""
    run = plan_in("in_implementation")
    refusal = run.refuse("record_costs", MAKER, {"amount_eur": math.nan, "period": "2027"},
                         rule="payload_matches_schema")
    assert refusal.reason == (
        "amount_eur must be a finite number of euros, not nan "
        "[rule payload_matches_schema, A4 §3.a.1]")


@pytest.mark.parametrize(("amount", "words"), [
    (math.nan, "amount_eur must be a finite number"),
    (-math.inf, "amount_eur must be a finite number"),
    ("lots", "amount_eur must be euros with at most two decimals"),
])
def test_is_within_kpi_amount__refuses_what_is_no_amount(amount: Any, words: str) -> None:
    """NaN once compared as "not above the KPI" (is_within_kpi_amount, A4 §1.7.5); the
    payload schema now refuses it first, naming the field."""
    run = plan_in("in_implementation")
    refusal = run.refuse("pay_partially", INSURER, {
        "kpi": "k1", "amount_eur": amount, "efforts_delivered": True, "reason": "half"},
        rule="payload_matches_schema", seed="A4 §1.7.5")
    assert words in refusal.reason


def test_is_within_kpi_amount__allows_up_to_the_cent() -> None:
    """The allowed case, exactly at the KPI's amount in cents."""
    run = plan_in("in_implementation")
    kpi = run.plan.facts["kpis"]["k1"]
    run.fire("pay_partially", INSURER, {"kpi": "k1", "amount_eur": kpi["amount_cents"] / 100,
                                        "efforts_delivered": True, "reason": "all of it"})
    assert run.plan.funds["paid_cents"] == kpi["amount_cents"]


@pytest.mark.parametrize(("amount", "words"), [
    (math.inf, "kpis[0].amount_eur must be a finite number"),
    (10**13, "kpis[0].amount_eur exceeds the largest amount"),
    (12.345, "kpis[0].amount_eur has more than two decimals"),
])
def test_has_valid_kpis__refuses_kpi_amounts_that_are_no_amount(amount: Any, words: str) -> None:
    """A KPI amount that is no amount (has_valid_kpis) is refused by the payload schema,
    naming the KPI's amount field."""
    run = plan_in("approved")
    contract = {"kpis": [{**CONTRACT["kpis"][0], "amount_eur": amount}]}
    refusal = run.refuse("sign_contract", INSURER, contract, rule="payload_matches_schema")
    assert words in refusal.reason


def test_many_small_costs_add_up_exactly() -> None:
    """1,000 costs of € 0.01 are € 10.00 exactly (floats gave 9.999999999999831)."""
    run = plan_in("in_implementation")
    costs(run, 0.01, 1000)
    assert run.plan.funds["costs_cents"] == 1000
    assert funds_eur(run.plan.funds)["costs_eur"] == 10


def test_large_and_small_amounts_add_up_exactly() -> None:
    """The largest amount many times, and a cent on top: no cent lost (floats lost it)."""
    run = plan_in("in_implementation")
    costs(run, MAX, 200)
    costs(run, "0.01")
    assert run.plan.funds["costs_cents"] == 200 * MAX * 100 + 1


# -- settling (A4 §3.a.4) ------------------------------------------------------------------------


def _accountability() -> Run:
    run = plan_in("accountability")
    run.fire("record_monitoring", INSURER, {"summary": "on track"})
    return run


def test_settle__refund_from_the_costs_recorded_before() -> None:
    """Costs recorded before settle: the refund is paid minus costs (A4 §3.a.4 rule 1)."""
    run = _accountability()
    paid, spent = run.plan.funds["paid_cents"], run.plan.funds["costs_cents"]
    run.fire("settle", INSURER)
    assert run.plan.funds["refund_cents"] == max(0, paid - spent)


def test_record_costs_after_settle__recomputes_the_refund() -> None:
    """Costs recorded after settle once left a stale refund that the lawfulness judgement
    accepted; now the refund follows the costs (the cost accounting may show them higher at
    any time, interim too: A4 §3.a.4), and the judgement sees the refund of all costs."""
    run = _accountability()
    run.fire("settle", INSURER)
    before = run.plan.funds["refund_cents"]
    assert before > 0
    run.fire("record_costs", MAKER, {"amount_eur": "1000.01", "period": "nagekomen"})
    assert run.plan.funds["refund_cents"] == before - 100001
    run.fire("record_costs", MAKER, {"amount_eur": 10**9, "period": "veel te veel"})
    assert run.plan.funds["refund_cents"] == 0
    run.fire("give_lawfulness_judgement", NZA)
    assert run.state == "closed"


# -- replay and the service ----------------------------------------------------------------------


def test_replay_adds_many_small_costs_exactly(tmp_path: Path) -> None:
    """`azwa replay` of a log with 1,000 costs of € 0.01 prints costs_eur 10 exactly."""
    run = plan_in("in_implementation")
    costs(run, 0.01, 1000)
    log = write_log(tmp_path / "costs.jsonl", [e.to_dict() for e in run.events])
    code, result = replay_json(log)
    assert code == 0
    funds = result["plans"][run.plan.plan_id]["funds"]
    assert funds["costs_eur"] == 10 and funds == funds_eur(run.plan.funds)
    assert rebuild(run.events).funds == run.plan.funds


def test_replay_refuses_a_log_with_nan_costs(tmp_path: Path) -> None:
    """A log line with `"amount_eur": NaN` (Python's JSON reads it) is a violation naming
    the field, never a cost of NaN that made `audit verify` report tampering."""
    run = plan_in("in_implementation")
    events = [e.to_dict() for e in run.events]
    bad = {**events[-1], "seq": events[-1]["seq"] + 1, "trigger": "record_costs",
           "actor": MAKER.to_dict(), "payload": {"amount_eur": math.nan, "period": "p"}}
    for key in ("hash", "prev_hash"):
        bad.pop(key, None)
    log = tmp_path / "nan.jsonl"
    log.write_text("\n".join(json.dumps(e) for e in [*events, bad]) + "\n", encoding="utf-8")
    code, result = replay_json(log)
    assert code == 1
    violations = result["plans"][run.plan.plan_id]["violations"]
    assert [v["rule"] for v in violations] == ["payload_matches_schema"]
    assert "amount_eur must be a finite number" in violations[0]["reason"]


def test_the_service_stores_exact_sums(sqlite_url: str) -> None:
    """Through the service and its database: 300 costs of € 0.07 are € 21.00, the largest
    amount and a cent are exact, `plan show --json` prints them, `audit verify` agrees."""
    run = plan_in("in_implementation")
    costs(run, 0.07, 300)
    costs(run, MAX)
    costs(run, 0.01)
    engine = Engine(sqlite_url)
    plan_id = into_service(engine, run)
    assert engine.state(plan_id).funds["costs_cents"] == 300 * 7 + MAX * 100 + 1
    engine.store.close()
    runner = CliRunner()
    shown = runner.invoke(app, ["plan", "show", plan_id, "--db", sqlite_url, "--json"])
    assert json.loads(shown.stdout)["funds"]["costs_eur"] == MAX + 21.01
    assert runner.invoke(app, ["audit", "verify", "--db", sqlite_url]).exit_code == 0


def test_the_command_line_refuses_infinity_in_one_line(sqlite_url: str) -> None:
    """`--payload '{"amount_eur": Infinity}'`: exit 1, one line naming the field."""
    run = plan_in("in_implementation")
    engine = Engine(sqlite_url)
    plan_id = into_service(engine, run)
    engine.store.close()
    result = CliRunner().invoke(app, [
        "plan", "fire", plan_id, "record_costs", "--as", MAKER.role, "--org", MAKER.org,
        "--payload", '{"amount_eur": Infinity, "period": "2027"}', "--db", sqlite_url,
        "--at", (run.at + timedelta(hours=1)).isoformat()])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "amount_eur must be a finite number" in result.stderr


# -- plans stored before amounts were cents ------------------------------------------------------


def test_a_plan_stored_with_float_euros_loads_as_cents() -> None:
    """Plan JSON written when funds and KPI amounts were floats of euros loads exactly."""
    run = _accountability()
    data = run.plan.to_dict()
    old = json.loads(json.dumps(data))
    old["funds"] = {f"{k}_eur": v / 100 for k, v in
                    (("paid", data["funds"]["paid_cents"]), ("costs", 18000000.0),
                     ("refund", 0.0))}
    for kpi in old["facts"]["kpis"].values():
        kpi["amount_eur"] = float(kpi.pop("amount_cents")) / 100
        kpi["paid_eur"] = float(kpi.pop("paid_cents")) / 100
    loaded = Plan.from_dict(old)
    assert loaded.funds == {"paid_cents": data["funds"]["paid_cents"], "costs_cents": 18000000,
                            "refund_cents": 0}
    assert loaded.facts["kpis"] == data["facts"]["kpis"]


def test_a_database_written_with_float_euros_verifies_and_shows_the_same(sqlite_url: str) -> None:
    """A plan row stored by an older version (funds and KPI amounts as float euros) loads,
    shows the same funds and passes `audit verify`: the conversion is no tampering."""
    run = _accountability()
    run.fire("settle", INSURER)
    engine = Engine(sqlite_url)
    plan_id = into_service(engine, run)
    shown = funds_eur(engine.state(plan_id).funds)
    with engine.store.engine.begin() as conn:  # type: ignore[attr-defined]
        data = json.loads(conn.execute(text("select data from plans where plan_id = :p"),
                                       {"p": plan_id}).scalar_one())
        data["funds"] = {f"{k.removesuffix('_cents')}_eur": v / 100
                         for k, v in data["funds"].items()}
        for kpi in data["facts"]["kpis"].values():
            kpi["amount_eur"] = kpi.pop("amount_cents") / 100
            kpi["paid_eur"] = kpi.pop("paid_cents") / 100
        conn.execute(text("update plans set data = :d where plan_id = :p"),
                     {"d": json.dumps(data), "p": plan_id})
    engine.store.close()
    assert funds_eur(Engine(sqlite_url).state(plan_id).funds) == shown
    result = CliRunner().invoke(app, ["audit", "verify", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
