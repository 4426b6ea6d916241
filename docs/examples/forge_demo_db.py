"""Cut the first record_costs of TW-2027-001 from 100000 to 10 behind the engine's back, as an
insider would who knows the whole schema: the events with their hash chain recomputed, the
plan row, the deadline rows and the heads' hashes, all rewritten to agree. Only the heads'
signatures cannot be made again: the key is not in the database."""

import json
import sqlite3

from workflow.audit.replay import rebuild
from workflow.core.events import digest
from workflow.core.plan import GENESIS

PLAN = "TW-2027-001"
with sqlite3.connect("signed.db") as db:
    db.row_factory = sqlite3.Row
    rows = db.execute("select * from events where plan_id = ? order by seq", (PLAN,)).fetchall()
    events, prev, cut = [], GENESIS, False
    for row in rows:
        event = {key: row[key] for key in ("plan_id", "seq", "at", "trigger", "definition")}
        event.update(actor=json.loads(row["actor"]), payload=json.loads(row["payload"]))
        if event["trigger"] == "record_costs" and not cut:
            event["payload"]["amount_eur"], cut = 10, True
        event["prev_hash"] = prev
        event["hash"] = prev = digest(event)
        events.append(event)
        db.execute("update events set payload = ?, prev_hash = ?, hash = ? where plan_id = ? "
                   "and seq = ?", (json.dumps(event["payload"]), event["prev_hash"],
                                   event["hash"], PLAN, event["seq"]))
        db.execute("update heads set hash = ? where plan_id = ? and seq = ?",
                   (event["hash"], PLAN, event["seq"]))
    plan = rebuild(events)
    db.execute("update plans set data = ? where plan_id = ?", (json.dumps(plan.to_dict()), PLAN))
