"""Write azwa.db with the sample plan of workflow/service/demo.py (TW-2027-001, closed)."""

from workflow import Engine, FakeClock
from workflow.service import demo
from workflow.service.logs import configure

configure(level="WARNING")
engine = Engine("sqlite:///azwa.db", FakeClock(demo.START))
demo.run(engine)
