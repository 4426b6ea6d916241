"""azwa: a workflow engine for the IZA/AZWA transformation-fund and breakthrough-fund process.

The names below load on first use, so `import workflow.core.engine` (or the `azwa` command's
start-up) does not pay for SQLAlchemy when it needs no database.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workflow.core.actor import Actor
    from workflow.core.clock import Clock, FakeClock, SimulatedClock, SystemClock
    from workflow.core.engine import Command, ProcessEngine
    from workflow.core.errors import AzwaError, DefinitionError, Refused, StaleWrite, UnknownPlan
    from workflow.core.events import Event
    from workflow.core.permission import Permission
    from workflow.core.plan import Deadline, Plan
    from workflow.service.api import Engine, Fired

_WHERE = {
    "Actor": "workflow.core.actor",
    "Clock": "workflow.core.clock",
    "FakeClock": "workflow.core.clock",
    "SimulatedClock": "workflow.core.clock",
    "SystemClock": "workflow.core.clock",
    "Command": "workflow.core.engine",
    "ProcessEngine": "workflow.core.engine",
    "AzwaError": "workflow.core.errors",
    "DefinitionError": "workflow.core.errors",
    "Refused": "workflow.core.errors",
    "StaleWrite": "workflow.core.errors",
    "UnknownPlan": "workflow.core.errors",
    "Event": "workflow.core.events",
    "Permission": "workflow.core.permission",
    "Deadline": "workflow.core.plan",
    "Plan": "workflow.core.plan",
    "Engine": "workflow.service.api",
    "Fired": "workflow.service.api",
}

__all__ = [
    "Actor",
    "AzwaError",
    "Clock",
    "Command",
    "Deadline",
    "DefinitionError",
    "Engine",
    "Event",
    "FakeClock",
    "Fired",
    "Permission",
    "Plan",
    "ProcessEngine",
    "Refused",
    "SimulatedClock",
    "StaleWrite",
    "SystemClock",
    "UnknownPlan",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'workflow' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
