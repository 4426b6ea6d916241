"""PM4Py reads the XES export and discovers a process model from it (IEEE 1849)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from workflow.core.clock import FakeClock
from workflow.service import demo
from workflow.service.api import Engine

from ..replay.helpers import azwa
from .histories import walk

pm4py = pytest.importorskip("pm4py", reason="pm4py (a test dependency) is not installed")


def test_pm4py_reads_the_export_and_discovers_a_model(sqlite_url: str, tmp_path: Path) -> None:
    """IEEE 1849 (XES): a process-mining tool reads the export with one case a plan and one
    event an event, and discovers a Petri net whose transitions are the triggers."""
    # Given the demo plan and four random plans stored
    engine = Engine(sqlite_url, FakeClock(demo.START))
    demo.run(engine)
    walk(engine, 5, 4, 100)
    plans = engine.plans()
    events = sum(len(engine.history(p.plan_id)) for p in plans)
    # When they are exported as XES and read by PM4Py
    out = tmp_path / "log.xes"
    assert azwa("export", "--db", sqlite_url, "--format", "xes", "-o", out).exit_code == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = pm4py.read_xes(str(out))
        net, _initial, _final = pm4py.discover_petri_net_inductive(log)
    # Then cases and events match the database, and the model knows the triggers
    assert log["case:concept:name"].nunique() == len(plans)
    assert len(log) == events
    assert set(log["org:resource"]) >= {"Menzis", "NZa", "Huisartsen Twente"}
    labels = {t.label for t in net.transitions if t.label}
    assert {"register_plan", "submit_plan", "give_lawfulness_judgement"} <= labels
    timestamps = log[log["case:concept:name"] == demo.PLAN_ID]["time:timestamp"]
    assert str(timestamps.iloc[0]) == "2027-01-11 08:00:00+00:00"
