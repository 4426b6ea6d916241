"""Delay distributions, in days: how long an actor takes once a step is owed to it.

Sampled with the standard library's `random.Random` (one stream per run, seeded from the
scenario seed and the run number): a scalar draw costs a tenth of numpy's.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from workflow.core.phrase import Phrase

_log = math.log
KINDS = ("fixed", "exponential", "lognormal", "triangular", "empirical")


class ScenarioError(ValueError):
    """A scenario value the simulation cannot use; the message names its key."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(Phrase("scenario key {key}: {message}", key=key, message=message))


@dataclass(frozen=True, slots=True)
class Delay:
    """One distribution: `kind` and its parameters (days)."""

    kind: str
    params: tuple[float, ...]
    values: tuple[float, ...] = ()
    """The sorted observations of an empirical delay."""

    def sample(self, rng: random.Random) -> float:
        kind, p = self.kind, self.params
        if kind == "exponential":
            # `rng.expovariate(1.0 / mean)`, its own arithmetic without its call
            return -_log(1.0 - rng.random()) / (1.0 / p[0]) if p[0] > 0 else 0.0
        if kind == "fixed":
            return p[0]
        if kind == "lognormal":
            return rng.lognormvariate(p[0], p[1])
        if kind == "triangular":
            return rng.triangular(p[0], p[2], p[1])
        return self.values[int(rng.random() * len(self.values))]

    @property
    def mean(self) -> float:
        kind, p = self.kind, self.params
        if kind in ("exponential", "fixed"):
            return p[0]
        if kind == "lognormal":
            return math.exp(p[0] + p[1] ** 2 / 2)
        if kind == "triangular":
            return sum(p) / 3
        return sum(self.values) / len(self.values)

    def cdf(self, x: float) -> float:
        """The distribution function (for a goodness-of-fit figure)."""
        kind, p = self.kind, self.params
        if x < 0:
            return 0.0
        if kind == "exponential":
            return 1 - math.exp(-x / p[0]) if p[0] > 0 else 1.0
        if kind == "fixed":
            return 1.0 if x >= p[0] else 0.0
        if kind == "lognormal":
            if x == 0:
                return 0.0
            return 0.5 * (1 + math.erf((math.log(x) - p[0]) / (p[1] * math.sqrt(2))))
        if kind == "triangular":
            low, mode, high = p
            if x <= low:
                return 0.0
            if x >= high:
                return 1.0
            if x <= mode:
                return (x - low) ** 2 / ((high - low) * (mode - low)) if mode > low else 0.0
            return 1 - (high - x) ** 2 / ((high - low) * (high - mode))
        return bisect_right(self.values, x) / len(self.values)

    def to_toml(self) -> dict[str, Any]:
        kind, p = self.kind, self.params
        if kind == "exponential":
            return {"kind": kind, "mean": p[0]}
        if kind == "fixed":
            return {"kind": kind, "days": p[0]}
        if kind == "lognormal":
            return {"kind": kind, "mu": p[0], "sigma": p[1]}
        if kind == "triangular":
            return {"kind": kind, "low": p[0], "mode": p[1], "high": p[2]}
        return {"kind": kind, "values": list(self.values)}


PARAMS = {"fixed": ("days",), "exponential": ("mean",), "lognormal": ("mu", "sigma"),
          "triangular": ("low", "mode", "high"), "empirical": ("values",)}


def delay_from(key: str, spec: dict[str, Any]) -> Delay:
    """A Delay from its TOML table, e.g. `{kind = "exponential", mean = 5}`."""
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ScenarioError(f"{key}.kind", Phrase("unknown distribution {kind!r}; known: "
                                                  "{known}", kind=kind, known=", ".join(KINDS)))
    names = PARAMS[str(kind)]
    for name in spec:
        if name != "kind" and name not in names:
            raise ScenarioError(f"{key}.{name}", Phrase("not a parameter of {kind}; it takes "
                                                        "{names}", kind=kind,
                                                        names=", ".join(names)))
    for name in names:
        if name not in spec:
            raise ScenarioError(f"{key}.{name}", Phrase("missing: {kind} needs {names}",
                                                        kind=kind, names=", ".join(names)))
    if kind == "empirical":
        raw = spec["values"]
        if not isinstance(raw, list) or not raw:
            raise ScenarioError(f"{key}.values", Phrase("a non-empty list of days"))
        values = tuple(sorted(_days(f"{key}.values[{i}]", v) for i, v in enumerate(raw)))
        return Delay("empirical", (), values)
    if kind == "lognormal":
        mu = spec["mu"]
        if isinstance(mu, bool) or not isinstance(mu, int | float) or mu != mu:
            raise ScenarioError(f"{key}.mu", Phrase("must be a number, not {value!r}",
                                                    value=mu))
        sigma = _days(f"{key}.sigma", spec["sigma"])
        if sigma == 0:
            raise ScenarioError(f"{key}.sigma", Phrase("must be above 0"))
        return Delay(kind, (float(mu), sigma))
    params = tuple(_days(f"{key}.{n}", spec[n]) for n in names)
    if kind == "triangular" and not params[0] <= params[1] <= params[2]:
        raise ScenarioError(key, Phrase("needs low <= mode <= high, not {params}",
                                        params=params))
    if kind == "triangular" and params[0] == params[2]:
        raise ScenarioError(key, Phrase("needs low below high (use kind = \"fixed\" for one "
                                        "value)"))
    return Delay(str(kind), params)


def _days(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(key, Phrase("must be a number of days, not {value!r}", value=value))
    if value != value or value < 0 or math.isinf(value):
        raise ScenarioError(key, Phrase("must be 0 days or more, not {value!r}", value=value))
    return float(value)
