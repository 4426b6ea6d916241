"""Prometheus metrics of one service: commands accepted and refused (by trigger and rule),
deadlines expired, notifications sent, and how long commands take.

Each app has its own registry, so several apps in one process (tests) count apart."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


def _deadline_kind(name: str) -> str:
    """`kpi:k2` counts as `kpi`: one series per kind of deadline, not per KPI."""
    return name.split(":", 1)[0]


class Metrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.accepted = Counter("azwa_commands_accepted", "Commands applied",
                                ["trigger"], registry=r)
        self.refused = Counter("azwa_commands_refused", "Commands refused, by first rule",
                               ["trigger", "rule"], registry=r)
        self.expired = Counter("azwa_deadlines_expired", "Deadlines expired by the worker",
                               ["deadline"], registry=r)
        self.delivered = Counter("azwa_webhooks_delivered", "Notifications delivered",
                                 ["subscriber"], registry=r)
        self.failed = Counter("azwa_webhooks_failed", "Failed delivery attempts",
                              ["subscriber"], registry=r)
        self.latency = Histogram(
            "azwa_command_seconds", "Time to judge and store a command", ["trigger"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=r)

    def deadline_expired(self, name: str) -> None:
        self.expired.labels(_deadline_kind(name)).inc()

    def text(self) -> bytes:
        return generate_latest(self.registry)
