"""The sample plan again, written by an engine that signs its chain heads with the key in
AZWA_SIGNING_KEY_FILE."""

import states
from workflow import Engine, FakeClock
from workflow.service import demo
from workflow.service.logs import configure

configure(level="WARNING")
v1 = states.get("transformation@1")
engine = Engine("sqlite:///signed.db", FakeClock(demo.START), definition=v1)
demo.run(engine)
