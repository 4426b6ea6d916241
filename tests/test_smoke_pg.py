from workflow import Engine, FakeClock, demo


def test_demo_runs_on_both_backends(db_url: str) -> None:
    """The demo plan reaches `closed` with one breach on SQLite and on PostgreSQL."""
    engine = Engine(db_url, FakeClock(demo.START))
    demo.run(engine)
    plan = engine.state(demo.PLAN_ID)
    assert plan.state == "closed"
    assert plan.breaches == ["quick_test_decision"]
