"""`azwa plan show` of a transformation@2 plan: missed aims apart from breaches (DESIGN-v2: a
missed aim is never a breach), the settlement and the NZa's verdict with what it reclaims,
the sector and each party's size; in English and in Dutch, no text untranslated."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rich.console import Console

from tests.replay.helpers import azwa, write_log
from tests.rules.builders import INSURER, NZA, Run, escalated_to
from tests.rules.v2.builders import plan_in_v2, register_v2, settle_payload
from workflow.cli.render import plan_json, show_parties, show_plan
from workflow.core import i18n

ROOT = Path(__file__).resolve().parent.parent


def _shown(run: Run, language: str = "en") -> tuple[dict[str, Any], str]:
    console = Console(file=io.StringIO(), width=200)
    data = plan_json(run.plan, run.at)
    with i18n.reading(language):
        show_plan(console, data)
        show_parties(console, data)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(text, str)
    return data, text


def test_a_missed_aim_shows_apart_from_the_breaches() -> None:
    """The board meeting's two weeks pass (an aim, A4 §1.4.3): listed as a missed aim, the
    breaches stay none; before it passes, no missed aim."""
    run = escalated_to("board_level", build=plan_in_v2)
    before, text = _shown(run)
    assert before["missed_aims"] == [] and "missed aims (never a breach): none" in text
    run.expire(run.plan.deadlines["board_meeting"].expires_at)
    data, text = _shown(run)
    assert data["missed_aims"] == ["board_meeting"] and data["breaches"] == []
    assert "missed aims (never a breach): board_meeting" in text
    assert "breaches: none" in text


def test_an_unlawful_verdict_shows_with_its_reason_and_the_amount_reclaimed() -> None:
    """Settled on terms, then judged unlawful (A4 §3.a.5): the verdict, its reason and the
    amount to reclaim; a plan not yet judged shows neither."""
    run = plan_in_v2("accountability")
    data, text = _shown(run)
    assert data["settlement"] is None and data["lawfulness"] is None
    assert "settled:" not in text and "lawfulness:" not in text
    run.fire("settle", INSURER, settle_payload(run))
    run.fire("give_lawfulness_judgement", NZA, {"verdict": "unlawful",
                                                 "reason": "Kosten niet aangetoond"})
    data, text = _shown(run)
    assert data["lawfulness"] == {"verdict": "unlawful", "reason": "Kosten niet aangetoond"}
    reclaim = data["funds"]["reclaim_eur"]
    assert reclaim > 0
    assert f"lawfulness: unlawful (Kosten niet aangetoond); to reclaim €{reclaim:,.2f}" in text
    assert "settled: repayment terms" in text


def test_sector_and_provider_size_or_unknown() -> None:
    """A4 §4.a.1: the sector and each plan maker's size as registered; `unknown` when left
    out."""
    given = register_v2(sector="ggz", parties=[
        {"org": "Huisartsen Twente", "role": "plan_maker", "provider_size": "small"}])
    data, text = _shown(given)
    assert data["sector"] == "ggz" and "sector: ggz" in text
    assert data["parties"][0] == {"role": "plan_maker", "org": "Huisartsen Twente",
                                  "provider_size": "small"}
    plain, text = _shown(register_v2())
    assert plain["sector"] == "unknown" and "sector: unknown" in text
    assert {p["provider_size"] for p in plain["parties"] if p["role"] == "plan_maker"} == {
        "unknown"}


def test_the_new_lines_read_in_dutch() -> None:
    """Every new text has its Dutch translation: none missing, the seed's words shown."""
    run = plan_in_v2("accountability")
    run.fire("settle", INSURER, settle_payload(run))
    run.fire("give_lawfulness_judgement", NZA, {"verdict": "unlawful", "reason": "Geen bewijs"})
    i18n.forget_missing()
    _, text = _shown(run, "nl")
    assert i18n.missing() == set()
    for dutch in ("gemiste streefdata (nooit een overschrijding): geen", "sector: onbekend",
                  "rechtmatigheid: onrechtmatig (Geen bewijs); terug te vorderen",
                  "afgerekend: terugbetalingsafspraak", "omvang aanbieder", "onbekend"):
        assert dutch in text, dutch


def test_replay_text_lists_a_missed_aim_apart_from_the_breaches(tmp_path: Path) -> None:
    """`azwa replay` in text: a @2 plan's box has a `missed aims` row with the board meeting,
    its breaches row none; a @1 plan's box has no such row (@1 has no aims)."""
    run = escalated_to("board_level", build=plan_in_v2)
    run.expire(run.plan.deadlines["board_meeting"].expires_at)
    log = write_log(tmp_path / "aim.jsonl", [e.to_dict() for e in run.events])
    result = azwa("replay", log)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith("│")]
    assert "│ missed aims │ board_meeting" in "\n".join(rows)
    assert any(r.startswith("│ breaches    │ none") for r in rows)
    v1 = azwa("replay", ROOT / "docs" / "examples" / "audit_log.jsonl")
    assert "missed aims" not in v1.output and "transformation@1" in v1.output
