"""azwa: a workflow engine for the IZA/AZWA transformation-fund and breakthrough-fund process."""

from workflow.clock import Clock, FakeClock, SimulatedClock, SystemClock
from workflow.engine import Command, Permission, ProcessEngine
from workflow.errors import AzwaError, DefinitionError, Refused, StaleWrite, UnknownPlan
from workflow.events import Event
from workflow.plan import Deadline, Plan
from workflow.service import Engine, Fired
from workflow.spec import Actor

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
