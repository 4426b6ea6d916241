"""Write azwa.db with the sample plan of workflow/service/demo.py (TW-2027-001, closed), kept
under transformation@1 so the audit examples show a v1 log; without `definition` a plan
registered in 2027 follows transformation@2."""

import states
from workflow import Engine, FakeClock
from workflow.service import demo
from workflow.service.logs import configure

configure(level="WARNING")
v1 = states.get("transformation@1")
engine = Engine("sqlite:///azwa.db", FakeClock(demo.START), definition=v1)
demo.run(engine)
