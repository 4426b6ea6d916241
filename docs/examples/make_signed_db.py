"""The sample plan again, written by an engine that signs its chain heads with the key in
AZWA_SIGNING_KEY_FILE."""

from workflow import Engine, FakeClock
from workflow.service import demo
from workflow.service.logs import configure

configure(level="WARNING")
engine = Engine("sqlite:///signed.db", FakeClock(demo.START))
demo.run(engine)
