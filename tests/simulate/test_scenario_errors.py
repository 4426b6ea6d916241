"""A bad scenario file gets one clear message naming its key, and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.simulate.scenarios import write
from workflow.cli.main import app
from workflow.simulate.scenario import ScenarioError, from_dict, load

RUNNER = CliRunner()

BAD = [
    ('[delays.submit_quik_test]\nkind = "fixed"\ndays = 1\n',
     "scenario key delays.submit_quik_test: unknown trigger 'submit_quik_test'"),
    ("[arrivals]\nper_month = -3\n",
     "scenario key arrivals.per_month: must be at least 0, not -3"),
    ("[branches]\nrevision = 1.5\n",
     "scenario key branches.revision: is a probability: between 0 and 1, not 1.5"),
    ('[delays.default]\nkind = "weibull"\nmean = 2\n',
     "scenario key delays.default.kind: unknown distribution 'weibull'"),
    ("[branches]\nrevison = 0.1\n", "scenario key branches.revison: unknown branch"),
    ("[branches]\nblocked_rejected = -0.2\n",
     "scenario key branches.blocked_rejected: must be at least 0, not -0.2"),
    ('[branches]\nblocked_rejected = "often"\n',
     "scenario key branches.blocked_rejected: must be a number, not 'often'"),
    ('[delays."submit_review:mayor"]\nkind = "fixed"\ndays = 1\n',
     "scenario key delays.submit_review:mayor: unknown role 'mayor'"),
    ('[delays.default]\nkind = "exponential"\n',
     "scenario key delays.default.mean: missing: exponential needs mean"),
    ("escalation_steps = [0.5, 2]\n",
     "scenario key escalation_steps[1]: is a probability"),
    ('definition = "transformation@9"\n', "scenario key definition: unknown process definition"),
    ("[insurers]\nVGZ = 0\nCZ = 1\n", "scenario key insurers.VGZ: assessors"),
    ("[arrivals]\nper_month = 5\nprofile = [1, 2]\n",
     "scenario key arrivals.profile: needs 12 monthly factors, not 2"),
    ("plans = 4\n", "scenario key plans: unknown key"),
    ('start = "2025-03-01"\n[arrivals]\ndates = ["2025-02-03"]\n',
     "scenario key arrivals.dates: 2025-02-03 lies before start"),
    ("[arrivals\n", "scenario key (file):"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(":")[0][13:] for _, m in BAD])
def test_each_bad_value_is_named_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        load(path)
    assert str(caught.value).startswith(message)
    result = RUNNER.invoke(app, ["simulate", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().startswith(message)
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_the_allowed_values_of_the_same_keys_load() -> None:
    loaded = from_dict({
        "delays": {"submit_quick_test": {"kind": "fixed", "days": 1},
                   "submit_review:municipality": {"kind": "exponential", "mean": 2}},
        "arrivals": {"per_month": 0, "dates": ["2025-02-03"]},
        "branches": {"revision": 1.0, "no_go": 0},
        "escalation_steps": [1, 0],
    })
    assert loaded.delay("submit_review", "municipality").mean == 2
    assert loaded.delay("submit_review", "second_insurer").kind == "exponential"
    assert loaded.delay("submit_quick_test", "plan_maker").params == (1.0,)
    assert loaded.branches["revision"] == 1.0
