"""Change the stored state of TW-2027-001 behind the engine's back, as a tamperer would."""

import sqlite3

with sqlite3.connect("azwa.db") as db:
    db.execute("update plans set state = 'approved' where plan_id = 'TW-2027-001'")
