"""Write azwa.db with the sample plan of workflow/demo.py (TW-2027-001, closed)."""

from workflow import Engine, FakeClock, demo
from workflow.logs import configure

configure(level="WARNING")
engine = Engine("sqlite:///azwa.db", FakeClock(demo.START))
demo.run(engine)
