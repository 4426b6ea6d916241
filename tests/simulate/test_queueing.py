"""A queueing check with a known answer: one assessor per insurer, Poisson arrivals,
exponential service, no other delays, no calendar: each insurer's queue is M/M/1 and the
mean wait in queue is rho / (mu - lambda)."""

from __future__ import annotations

from workflow.simulate.runner import run_many
from workflow.simulate.scenario import from_dict

LAMBDA, MU = 0.5, 1.0  # per day, at each of the two insurers
PLANS = 10_000


def test_mean_wait_agrees_with_the_m_m_1_formula() -> None:
    scenario = from_dict({
        "insurers": {"A": 1, "B": 1}, "municipalities": {"M": 1},
        "arrivals": {"per_month": 2 * LAMBDA * 365.25 / 12},
        "delays": {"default": {"kind": "fixed", "days": 0},
                   "reject_quick_test": {"kind": "exponential", "mean": 1 / MU}},
        "branches": {"quick_test_rejected": 1, "quick_test_incomplete": 0,
                     "social_domain": 0},
        "assessed": ["reject_quick_test"],
    })
    # 40,000 services: the mean wait of one M/M/1 queue at rho 0.5 varies by ~6% between
    # runs of 6,000 (its waits are strongly correlated), so fewer would not test 5%.
    results = run_many(scenario, PLANS, seed=1, runs=4, jobs=2, keep_events=False)
    waits = [w for r in results for w in r.waits]
    rho = LAMBDA / MU
    expected = rho / (MU - LAMBDA)
    simulated = sum(waits) / len(waits)
    print(f"M/M/1: {len(waits)} services, mean wait {simulated:.4f} days, formula {expected}")
    assert len(waits) == 4 * PLANS
    assert abs(simulated - expected) / expected < 0.05
    utilisation = [r.pools[org]["utilisation"] for r in results for org in "AB"]
    assert all(abs(u - rho) < 0.05 for u in utilisation)
