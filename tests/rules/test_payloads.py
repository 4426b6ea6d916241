"""Rule payload_matches_schema: every trigger's payload is declared, and checked before any
guard runs (issue 12 part 3; DESIGN.md "Payloads" names the fields).

For every trigger of the definition (looped over, never listed here) the tests find a state
and an actor for which `allowed()` says yes, then fire it with an unknown key, without each
required field and with a wrong type in each field: each is a refusal by
payload_matches_schema naming the field, citing the trigger's paragraph, changing nothing. A
complete payload is accepted in the same place. The exported JSON Schema agrees.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from tests.defaults.user import azwa, user_env
from workflow.cli.main import app
from workflow.cli.reference import markdown
from workflow.core.engine import Command
from workflow.core.errors import AZWA, AZWA_RULES, Refused
from workflow.core.money import DEFAULT_MAX_AMOUNT_EUR as MAX_AMOUNT_EUR
from workflow.core.payload import (
    Bool,
    Date,
    Enum,
    FieldType,
    ListOf,
    Money,
    Number,
    Object,
    PayloadSchema,
    Text,
    money_problem,
    problems,
    to_json_schema,
)
from workflow.core.spec import DEADLINE_EXPIRED, REGISTER, Actor
from workflow.service.api import Engine

from .builders import (
    DEFINITION,
    ENGINE,
    HENGELO,
    INSURER,
    MAKER,
    MEMBER,
    STEP,
    STEPS,
    T0,
    Run,
    complete_joint_review,
    escalated_to,
    into_service,
    plan_in,
    registration,
)

ROOT = Path(__file__).resolve().parents[2]
RULE = "payload_matches_schema"
TRIGGERS = [t for t in DEFINITION.triggers() if t != REGISTER]
SCHEMAS = DEFINITION.payloads

# -- payloads built from a schema -----------------------------------------------------------------


def example(t: FieldType) -> Any:
    """A value of this type that the schema accepts (every optional field filled in)."""
    if isinstance(t, Text):
        return "Tekst"
    if isinstance(t, Bool):
        return True
    if isinstance(t, Date):
        return "2030-01-31"
    if isinstance(t, Money):
        return 100
    if isinstance(t, Number):
        return 1.5
    if isinstance(t, Enum):
        return t.values[0]
    if isinstance(t, ListOf):
        return [example(t.item)]
    if isinstance(t, Object):
        return {f.name: example(f.type) for f in t.fields}
    raise AssertionError(t)


def wrong(t: FieldType) -> Any:
    """A value that is not of this type (for an enum: a text outside its values)."""
    if isinstance(t, Text | Enum):
        return 7 if isinstance(t, Text) else "iets anders"
    if isinstance(t, Bool):
        return "yes"
    if isinstance(t, Date):
        return "31-01-2030"
    if isinstance(t, Money):
        return "honderd"
    if isinstance(t, Number):
        return "1.5"
    return "geen lijst of object"


Variant = tuple[str, str, Callable[[dict[str, Any]], None]]
"""(what, the field path the refusal must name, how to spoil a complete payload)."""


def variants(schema: PayloadSchema) -> Iterator[Variant]:
    """Each malformation of a complete payload: an unknown key at each object level, each
    required field missing, each field of a wrong type, nested fields by their path."""

    def walk(obj: Object, path: str, reach: Callable[[dict[str, Any]], dict[str, Any]],
             ) -> Iterator[Variant]:
        if not obj.open:
            yield ("unknown key", f"{path}besluit",
                   lambda p: reach(p).__setitem__("besluit", "akkoord"))
        for f in obj.fields:
            name = f.name
            if f.required:
                yield ("missing", path + name, lambda p, n=name: reach(p).pop(n))
            yield ("wrong type", path + name,
                   lambda p, n=name, t=f.type: reach(p).__setitem__(n, wrong(t)))
            inner, suffix = f.type, ""
            if isinstance(inner, ListOf):
                inner, suffix = inner.item, "[0]"
            if isinstance(inner, Object) and not inner.open:
                def deeper(p: dict[str, Any], n: str = name, s: str = suffix,
                           up: Callable[[dict[str, Any]], dict[str, Any]] = reach
                           ) -> dict[str, Any]:
                    value: Any = up(p)[n]
                    return value[0] if s else value  # type: ignore[no-any-return]
                yield from walk(inner, f"{path}{name}{suffix}.", deeper)

    return walk(schema.body, "", lambda p: p)


CASES = [
    pytest.param(trigger, what, path, spoil, id=f"{trigger}-{what}-{path}")
    for trigger in (REGISTER, *TRIGGERS)
    for what, path, spoil in variants(SCHEMAS[trigger])
]

# -- where each trigger is allowed ----------------------------------------------------------------


def _reviewed() -> Run:
    return complete_joint_review(plan_in("joint_review"))


def _character_agreed() -> Run:
    run = plan_in("intent")
    run.fire("agree_character", INSURER, {"character": "innovation"})
    return run


def _kpis_settled() -> Run:
    run = plan_in("in_implementation")
    STEPS["kpis_settled"](run)
    return run


SCENARIOS: list[tuple[str, Callable[[], Run]]] = [
    *[(state, lambda s=state: plan_in(s)) for state in DEFINITION.states
      if state not in DEFINITION.finals],
    ("no second insurer yet", lambda: plan_in("intent", second_insurer=None)),
    ("character agreed", _character_agreed),
    ("social-domain joint review", lambda: plan_in("joint_review", social_domain=True)),
    ("joint review done", _reviewed),
    ("kpis settled", _kpis_settled),
    ("escalated", lambda: escalated_to("bilateral")),
    ("at board level", lambda: escalated_to("board_level")),
]
"""Plans built by the triggers a case worker fires, in which the tests look for each trigger."""

VALID: dict[str, Callable[[Run], dict[str, Any]]] = {
    "confirm_kpi": lambda run: {"kpi": "k2"},
    "decide_go": lambda run: {"kpi": "k2"},
    "decide_no_go": lambda run: {"kpi": "k2"},
    "pay_partially": lambda run: {"kpi": "k2", "amount_eur": 1250.5, "reason": "Deels",
                                  "efforts_delivered": True},
    "extend_deadline": lambda run: next(
        ({"deadline": d.name, "until": (d.due + timedelta(days=14)).isoformat(),
          "reason": "In overleg"} for d in run.plan.deadlines.values() if d.is_open), {}),
}
"""Complete payloads that also pass the guards, where the schema's example would not."""


def complete(trigger: str, run: Run) -> dict[str, Any]:
    if trigger in VALID:
        return VALID[trigger](run)
    if trigger == REGISTER:
        return registration()
    return dict(example(SCHEMAS[trigger].body))


@cache
def _built(name: str) -> Run:
    return dict(SCENARIOS)[name]()


@cache
def place(trigger: str) -> tuple[str, Actor, int]:
    """A scenario, an actor and a number of days later at which `allowed()` offers the
    trigger and its complete payload is accepted."""
    actors = [*MEMBER.values(), HENGELO]
    for name, _ in SCENARIOS:
        for days in (0, 200):
            run = _built(name)
            at = run.at + STEP + timedelta(days=days)
            for actor in actors:
                offered = {p.trigger for p in ENGINE.allowed(run.plan, actor, at) if p.allowed}
                if trigger in offered and run.clone().attempt(
                        trigger, actor, complete(trigger, run), at=at) is None:
                    return name, actor, days
    raise AssertionError(f"no scenario in which {trigger} is allowed: add one to SCENARIOS")


def attempt(trigger: str, payload: Any) -> tuple[Refused | None, Run | None]:
    """Fire the trigger where it is allowed; a refusal must leave the plan as it was."""
    if trigger == REGISTER:
        try:
            ENGINE.register("TW-NEW", MEMBER["plan_maker"], payload, T0)
        except Refused as refusal:
            return refusal, None
        return None, None
    name, actor, days = place(trigger)
    run = _built(name).clone()
    at = run.at + STEP + timedelta(days=days)
    return run.attempt(trigger, actor, payload, at=at), run


def fresh_complete(trigger: str) -> dict[str, Any]:
    if trigger == REGISTER:
        return registration()
    return copy.deepcopy(complete(trigger, _built(place(trigger)[0])))


# -- the rule, trigger by trigger -----------------------------------------------------------------


def test_every_trigger_declares_its_payload() -> None:
    """Every trigger of the definition has a payload schema, and no schema names a trigger
    the definition lacks (deadline_expired, recorded by the system, has one too)."""
    assert set(SCHEMAS) == {*DEFINITION.triggers(), DEADLINE_EXPIRED}


@pytest.mark.parametrize("trigger", [REGISTER, *TRIGGERS])
def test_payload_matches_schema__allowed_with_a_complete_payload(trigger: str) -> None:
    """Given a plan in which the trigger is allowed, when it is fired with every declared
    field of the right type, then it is accepted (one event, the payload as sent)."""
    payload = fresh_complete(trigger)
    refusal, run = attempt(trigger, payload)
    assert refusal is None
    if run is not None:
        assert run.events[-1].trigger == trigger
        assert run.events[-1].payload == payload


@pytest.mark.parametrize(("trigger", "what", "path", "spoil"), CASES)
def test_payload_matches_schema__refused_naming_the_field(
    trigger: str, what: str, path: str, spoil: Callable[[dict[str, Any]], None]
) -> None:
    """Given a plan in which the trigger is allowed, when it is fired with an unknown key,
    without a required field or with a value of the wrong type, then it is refused by
    payload_matches_schema, citing the trigger's paragraph, naming the field by its path,
    and the plan is unchanged (Run.attempt checks that)."""
    payload = fresh_complete(trigger)
    spoil(payload)
    refusal, _ = attempt(trigger, payload)
    assert refusal is not None, f"{trigger} accepted {payload}"
    assert refusal.rule == RULE, refusal.reason
    seeds = {t.seed for t in DEFINITION.all_transitions() if t.trigger == trigger}
    assert refusal.seed in seeds
    assert any(message.startswith(path + " ") for _, _, message in refusal.problems), (
        refusal.reason)


@pytest.mark.parametrize("payload", [["besluit", "akkoord"], "akkoord", None, 3])
@pytest.mark.parametrize("trigger", [REGISTER, "approve_quick_test"])
def test_payload_matches_schema__refused_for_a_payload_that_is_no_object(
    trigger: str, payload: Any
) -> None:
    """Given a trigger that is allowed, when its payload is a list, a text, null or a number
    (an API caller's mistake), then it is refused by the rule, not by a traceback."""
    if trigger == REGISTER:
        refusal, _ = attempt(trigger, payload)
    else:
        name, actor, days = place(trigger)
        run = _built(name).clone()
        before = run.plan.to_dict()
        with pytest.raises(Refused) as info:
            ENGINE.apply(run.plan, Command(trigger, actor, payload,
                                           run.at + STEP + timedelta(days=days)))
        refusal = info.value
        assert run.plan.to_dict() == before
    assert refusal is not None
    assert (refusal.rule, refusal.message) == (
        RULE, f"payload must be an object of fields, got {_kind(payload)}")


def _kind(value: Any) -> str:
    return {list: "a list", str: "the text 'akkoord'", type(None): "null",
            int: "the number 3"}[type(value)]


def test_payload_matches_schema__refusal_lists_every_bad_field() -> None:
    """Given an approved plan, when the contract has an unknown key, a negative amount and a
    due date that is no date, then one refusal names all three fields, in payload order,
    on one line, and none of the KPI guards ran."""
    kpis = [
        {"id": "k1", "description": "Plan", "amount_eur": -1, "due": "2027-06-30"},
        {"id": "k2", "description": "Wijk", "amount_eur": 10, "due": "eind 2027", "bonus": 1},
    ]
    run = plan_in("approved")
    refusal = run.refuse("sign_contract", INSURER, {"kpis": kpis}, rule=RULE, seed="A4 §1.7")
    assert [m.split(" ")[0] for _, _, m in refusal.problems] == [
        "kpis[0].amount_eur", "kpis[1].bonus", "kpis[1].due"]
    assert "\n" not in refusal.reason
    assert "(+2 more: kpis[1].bonus is not a field here" in refusal.reason


def test_the_issue_example__unknown_key_on_approve_quick_test_is_refused_by_the_cli(
    tmp_path: Path
) -> None:
    """Issue 12: `{"besluit": "akkoord"}` on approve_quick_test was accepted and sealed in
    the log. Given a quick test under review in a database, when the insurer approves with
    that payload on the command line, then it exits 1 with one line naming the field and
    the rule (with --json, every problem under `problems`), and the plan stays under
    review."""
    db = f"sqlite:///{tmp_path}/azwa.db"
    run = plan_in("quick_test_under_review")
    into_service(Engine(db), run)
    at = (run.at + STEP).isoformat()
    result = CliRunner().invoke(app, [
        "plan", "fire", run.plan.plan_id, "approve_quick_test", "--as", INSURER.role,
        "--org", INSURER.org, "--payload", '{"besluit": "akkoord"}', "--at", at, "--db", db])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line]
    assert lines == ["refused: besluit is not a field here (it takes no fields) "
                     "[rule payload_matches_schema, A4 §1.5.1]"]
    scripted = CliRunner().invoke(app, [
        "plan", "fire", run.plan.plan_id, "approve_quick_test", "--as", INSURER.role,
        "--org", INSURER.org, "--payload", '{"besluit": "akkoord", "datum": 1}', "--at", at,
        "--db", db, "--json"])
    assert scripted.exit_code == 1
    refused = json.loads(scripted.stdout)["refused"]
    assert [p["message"].split(" ")[0] for p in refused["problems"]] == ["besluit", "datum"]
    assert Engine(db).state(run.plan.plan_id).state == "quick_test_under_review"


# -- every failing guard is listed ----------------------------------------------------------------


def test_refusal_lists_both_failing_guards() -> None:
    """Rules has_delivered_efforts and is_within_kpi_amount (A4 §1.7.5).

    Given KPI k2 of 200 000 euro in implementation, when the insurer pays 300 000 partially
    for efforts not delivered, then one refusal lists both rules; the first is its `rule`
    and the line reads "... (+1 more: ...)". With efforts delivered and 150 000 it is paid.
    """
    run = plan_in("in_implementation")
    payload = {"kpi": "k2", "amount_eur": 300000, "reason": "Deels",
               "efforts_delivered": False}
    refusal = run.refuse("pay_partially", INSURER, payload, rule="has_delivered_efforts",
                         seed="A4 §1.7.5")
    assert [(rule, seed) for rule, seed, _ in refusal.problems] == [
        ("has_delivered_efforts", "A4 §1.7.5"), ("is_within_kpi_amount", "A4 §1.7.5")]
    assert refusal.reason == (
        "Partial payment needs efforts delivered according to the agreement "
        "[rule has_delivered_efforts, A4 §1.7.5] (+1 more: A partial payment cannot exceed "
        "the KPI's amount [rule is_within_kpi_amount, A4 §1.7.5])")
    assert refusal.to_dict()["problems"][1]["rule"] == "is_within_kpi_amount"
    run.fire("pay_partially", INSURER, {**payload, "amount_eur": 150000,
                                        "efforts_delivered": True})
    assert run.plan.facts["kpis"]["k2"]["status"] == "partial"


def test_refusal_lists_guards_of_different_paragraphs_with_their_seeds() -> None:
    """Rules of approve_plan (A4 §1.3, §1.b.1, §1.3.2).

    Given a plan just in joint review, when the insurer approves it, then the refusal lists
    the missing reviews, commitments and joint feedback, each other rule with its paragraph.
    """
    run = plan_in("joint_review")
    refusal = run.refuse("approve_plan", INSURER, rule="has_both_insurer_reviews",
                         seed="A4 §1.3")
    assert [rule for rule, _, _ in refusal.problems] == [
        "has_both_insurer_reviews", "has_all_commitments", "has_joint_feedback"]
    assert "[rule has_all_commitments, A4 §1.b.1]" in refusal.reason
    assert "missing Huisartsen Twente" in refusal.reason


# -- allowed() names the fields -------------------------------------------------------------------


def test_allowed_names_required_and_optional_fields() -> None:
    """Given a plan in implementation, when the insurer asks what it may do, then
    pay_partially comes with its required fields and the rules' sentences, escalate with
    `contact` as optional, and a refused trigger with no fields."""
    run = plan_in("in_implementation")
    answers = {p.trigger: p for p in ENGINE.allowed(run.plan, INSURER, run.at + STEP)}
    pay = answers["pay_partially"]
    assert pay.allowed
    assert pay.fields == ("kpi", "amount_eur", "reason", "efforts_delivered")
    assert pay.optional == ()
    assert "Give a reason" in pay.needs
    assert (answers["escalate"].fields, answers["escalate"].optional) == (("issue",),
                                                                         ("contact",))
    assert not answers["approve_plan"].allowed and answers["approve_plan"].fields == ()


def test_allowed_lists_every_blocking_rule() -> None:
    """Given a plan just in joint review, when the insurer asks whether it may approve it,
    then the reason names each rule still open, not only the first."""
    run = plan_in("joint_review")
    answer = next(p for p in ENGINE.allowed(run.plan, INSURER, run.at + STEP)
                  if p.trigger == "approve_plan")
    assert answer.reason is not None
    assert "(+2 more:" in answer.reason and "has_joint_feedback" in answer.reason


# -- money ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1250, 1250.5, 1250.55, "1250.50", "0.07", "1250",
                                   MAX_AMOUNT_EUR, f"{MAX_AMOUNT_EUR}.00"])
def test_money__accepts_euros_to_the_cent(value: Any) -> None:
    """An amount is an int, or a float or decimal string with at most 2 decimals, 0 to
    MAX_AMOUNT_EUR."""
    assert money_problem(value) is None


@pytest.mark.parametrize("value", [True, False, -1, -0.01, "-1", 1.005, "1.005", "1,50",
                                   "1e3", " 12", "NaN", float("nan"), float("inf"),
                                   MAX_AMOUNT_EUR + 1, f"{MAX_AMOUNT_EUR}.01", 1e300, 1.7e308,
                                   None, [100]])
def test_money__refuses_what_is_no_amount(value: Any) -> None:
    """true/false, negatives, a third decimal, NaN, Infinity, a comma, an exponent, and
    amounts above MAX_AMOUNT_EUR are refused."""
    assert money_problem(value) is not None


def test_money__the_payload_is_stored_as_sent() -> None:
    """Given a plan in implementation, when costs are recorded as the decimal text
    "1250.50", then the event carries exactly that text (the schema checks; it does not
    convert what is stored and hashed)."""
    run = plan_in("in_implementation")
    refusal = run.attempt("record_costs", INSURER, {"amount_eur": 1250.5, "period": "Q1"})
    assert refusal is None
    assert run.events[-1].payload == {"amount_eur": 1250.5, "period": "Q1"}
    schema = SCHEMAS["record_costs"]
    payload = {"amount_eur": "1250.50", "period": "Q1"}
    assert problems(schema, payload) == [] and payload["amount_eur"] == "1250.50"


# -- JSON Schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", list(SCHEMAS))
def test_json_schema__accepts_the_complete_payload(trigger: str) -> None:
    """The exported schema is valid draft 2020-12 and accepts a payload azwa accepts."""
    exported = to_json_schema(SCHEMAS[trigger], title=trigger)
    Draft202012Validator.check_schema(exported)
    payload = registration() if trigger == REGISTER else example(SCHEMAS[trigger].body)
    assert problems(SCHEMAS[trigger], payload) == []
    assert list(Draft202012Validator(exported).iter_errors(payload)) == []


@pytest.mark.parametrize(("trigger", "what", "path", "spoil"), CASES)
def test_json_schema__rejects_what_azwa_refuses(
    trigger: str, what: str, path: str, spoil: Callable[[dict[str, Any]], None]
) -> None:
    """Each malformed payload azwa refuses is rejected by the exported JSON Schema too."""
    payload = registration() if trigger == REGISTER else example(SCHEMAS[trigger].body)
    spoil(payload)
    assert problems(SCHEMAS[trigger], payload) != []
    validator = Draft202012Validator(to_json_schema(SCHEMAS[trigger]))
    assert not validator.is_valid(payload), payload


def test_cli_prints_a_triggers_json_schema() -> None:
    """`azwa definition schema TRIGGER` prints the trigger's JSON Schema; without a trigger
    every one; an unknown trigger exits 2 with one line."""
    runner = CliRunner()
    one = runner.invoke(app, ["definition", "schema", "confirm_kpi",
                              "--definition", "transformation@1"])
    assert one.exit_code == 0, one.output
    assert json.loads(one.stdout) == to_json_schema(
        SCHEMAS["confirm_kpi"], title="confirm_kpi payload (transformation@1)")
    every = json.loads(runner.invoke(app, ["definition", "schema"]).stdout)
    assert set(every) == set(SCHEMAS)
    unknown = runner.invoke(app, ["definition", "schema", "approve_everything"])
    assert unknown.exit_code == 2
    assert "'approve_everything' has no declared payload" in unknown.output


# -- citations: azwa's own rules are on the reference page ----------------------------------------


def _rules_citing_azwa() -> set[str]:
    """Every rule name raised in workflow/ with the seed AZWA."""
    found: set[str] = set()
    for path in (ROOT / "workflow").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Refused"
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Name)
                    and node.args[1].id == "AZWA" and isinstance(node.args[0], ast.Constant)):
                found.add(str(node.args[0].value))
    return found


def test_own_rules_are_listed_on_the_reference_page() -> None:
    """A refusal citing `azwa` names a rule the reference page lists under "Rules of azwa
    itself"; no refusal, reference or page of the docs cites DESIGN.md, which users do not
    have."""
    raised = _rules_citing_azwa()
    assert raised >= {"time_moves_forward", "known_trigger", "final_state_is_final"}
    assert raised <= set(AZWA_RULES)
    page = markdown(DEFINITION)
    own = page.split("## Rules of azwa itself", 1)[1].split("\n## ", 1)[0]
    assert all(f"| `{rule}` |" in own for rule in AZWA_RULES)
    assert "DESIGN.md" not in page
    sources = [*(ROOT / "workflow").rglob("*.py"), *(ROOT / "states").glob("*.py")]
    assert [p.name for p in sources if '"DESIGN.md"' in p.read_text(encoding="utf-8")] == []
    pages = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    assert [p.name for p in pages if "DESIGN.md" in p.read_text(encoding="utf-8")] == []
    run = plan_in("closed")
    refusal = run.refuse("settle", INSURER, rule="final_state_is_final")
    assert refusal.seed == AZWA


def test_reference_lists_each_triggers_payload() -> None:
    """The generated reference has a payload table per trigger with each field by path."""
    page = markdown(DEFINITION)
    for trigger in SCHEMAS:
        assert f"### `{trigger}`" in page
    assert "| `kpis[].amount_eur` | money: euros, at most 2 decimals | yes |" in page


# -- the how-to page runs -------------------------------------------------------------------------


def test_payloads_page_runs_as_written(tmp_path: Path) -> None:
    """docs/payloads.md: its Python runs, its asserts holding, and its command prints what
    the page shows, with the reader's settings (the schema of the version in force)."""
    text = (ROOT / "docs" / "payloads.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    script = tmp_path / "page.py"
    script.write_text("\n\n".join(blocks), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path,
                          env=dict(user_env(), PYTHONPATH=str(ROOT)), capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    shown = re.search(r"```console\n\$ azwa (definition schema \S+)\n(.*?)```", text, re.S)
    assert shown is not None
    [result] = azwa([shown.group(1).split()])  # with the reader's settings
    assert result["code"] == 0
    assert result["stdout"] == shown.group(2)


def test_a_command_outside_the_schema_is_refused_by_apply_not_only_check() -> None:
    """The engine's apply (what the service and replay call) judges the payload too."""
    run = plan_in("quick_test_under_review")
    with pytest.raises(Refused) as info:
        ENGINE.apply(run.plan, Command("approve_quick_test", INSURER, {"besluit": "akkoord"},
                                       run.at + STEP))
    assert info.value.rule == RULE


def test_a_refusal_before_the_payload_lists_the_payload_problems_too() -> None:
    """A command refused for its state or its role also names every bad field of its
    payload, so the case worker mends both in one round; a good payload adds nothing."""
    run = plan_in("quick_test_submitted")
    with pytest.raises(Refused) as wrong_state:
        run.fire("approve_quick_test", INSURER, {"besluit": "akkoord"})
    assert [p[0] for p in wrong_state.value.problems] == [
        "allowed_in_state", "payload_matches_schema"]
    assert "besluit" in wrong_state.value.reason
    with pytest.raises(Refused) as wrong_role:
        run.fire("approve_quick_test", MAKER, {"besluit": "akkoord"})
    assert [p[0] for p in wrong_role.value.problems] == [
        "role_may_fire", "payload_matches_schema"]
    with pytest.raises(Refused) as clean_payload:
        run.fire("approve_quick_test", INSURER, {})
    assert [p[0] for p in clean_payload.value.problems] == ["allowed_in_state"]


def test_a_refusal_quoting_user_text_stays_one_line() -> None:
    """An org or a payload key with a line break or an ESC sequence is quoted in the
    refusal with its control characters as escapes: the reason is one line wherever it goes
    (the CLI, `--json`, the logs). The same refusal for a plain name reads as written."""
    run = plan_in("quick_test_submitted")
    with pytest.raises(Refused) as hostile:
        run.fire("accept_quick_test_as_complete",
                 Actor(INSURER.role, "Evil\nOrg\x1b[2J"), {"x\ny": 1})
    assert "\n" not in hostile.value.reason and "\x1b" not in hostile.value.reason
    assert "Evil\\nOrg\\x1b[2J" in hostile.value.reason and "x\\ny" in hostile.value.reason
    with pytest.raises(Refused) as plain:
        run.fire("accept_quick_test_as_complete", Actor(INSURER.role, "Zorg én Co"), {})
    assert "Zorg én Co is not this plan's coordinating_insurer" in plain.value.reason


@pytest.mark.parametrize("payload", [["besluit", "akkoord"], None])
def test_a_refusal_before_the_payload_names_a_payload_that_is_no_object(payload: Any) -> None:
    """A payload that is no object is named too when the command is refused before its
    payload is judged (the state is wrong), and alone when it is the only fault."""
    run = plan_in("quick_test_submitted")
    with pytest.raises(Refused) as wrong_state:
        ENGINE.apply(run.plan, Command("approve_quick_test", INSURER, payload,
                                       run.at + STEP))
    assert [p[0] for p in wrong_state.value.problems] == [
        "allowed_in_state", "payload_matches_schema"]
    assert wrong_state.value.problems[1][2] == (
        f"payload must be an object of fields, got {_kind(payload)}")
    run = plan_in("quick_test_under_review")
    before = run.plan.to_dict()
    with pytest.raises(Refused) as only_payload:
        ENGINE.apply(run.plan, Command("approve_quick_test", INSURER, payload,
                                       run.at + STEP))
    assert (only_payload.value.rule, [p[0] for p in only_payload.value.problems]) == (
        RULE, [RULE])
    assert run.plan.to_dict() == before
