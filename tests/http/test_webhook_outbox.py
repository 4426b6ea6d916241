"""Webhooks from the outbox survive a crash: `azwa serve` runs as a real process, is killed
(SIGKILL) while a notification is on its way, and started again. Every notification is
delivered, none is lost, each plan's arrive in order, and every signature verifies."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.http.helpers import auth, write_config
from workflow.http.settings import Subscriber, new_webhook_secret
from workflow.http.webhooks import verify
from workflow.service.databases import create_or_upgrade

AZWA = str(Path(sys.executable).with_name("azwa"))
SECRET = new_webhook_secret()
REGISTRATION_AT = "2025-03-03T09:00:00+01:00"
PLANS = ("W-1", "W-2", "W-3")


class Receiver:
    """A subscriber on the loopback: notes every delivery, answers slowly (so a kill lands
    mid-delivery) and can be told to fail."""

    def __init__(self, delay: float = 0.3) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.delay, self.failing = delay, False
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                with receiver.arrived:
                    receiver.received.append(
                        ({k.lower(): v for k, v in self.headers.items()}, body))
                    receiver.arrived.notify_all()
                time.sleep(receiver.delay)
                self.send_response(500 if receiver.failing else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 30) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.received) >= count, timeout), (
                f"{len(self.received)} of {count} deliveries arrived")

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(config: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([AZWA, "serve", "--config", str(config), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"azwa serve did not start: {process.stderr.read()!r}")  # type: ignore[union-attr]


def status(db: str) -> dict[str, Any]:
    done = subprocess.run([AZWA, "webhooks", "status", "--db", db, "--json"],
                          capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def outbox(db_file: Path) -> list[tuple[int, str, str]]:
    import sqlite3

    with sqlite3.connect(db_file) as conn:
        return list(conn.execute("SELECT id, plan_id, message_id FROM webhook_outbox "
                                 "ORDER BY id"))


def drive(base: str) -> None:
    """Three plans, each brought to a running quick-test decision deadline (which the
    service's own deadline worker then expires), one refusal each."""
    steps = [("insurer", "hold_start_meeting", {}, 1),
             ("insurer", "agree_character", {"character": "scaling"}, 1),
             ("maker", "submit_quick_test", {}, 2),
             ("maker", "approve_quick_test", {}, 3),  # refused: role_may_fire
             ("insurer", "accept_quick_test_as_complete", {}, 4)]
    with httpx.Client(base_url=base, timeout=10) as client:
        for plan_id in PLANS:
            answer = client.post("/plans", headers=auth("maker"), json={
                "plan_id": plan_id, "at": REGISTRATION_AT, "attrs": {
                    "title": "t", "region": "Twente", "track": "transformation",
                    "social_domain": False, "domain_transcending": False,
                    "parties": [{"org": "Huisartsen Twente", "role": "plan_maker"}],
                    "coordinating_insurer": "Menzis", "second_insurer": "Zilveren Kruis"}})
            assert answer.status_code == 201, answer.text
        for who, trigger, payload, day in steps:
            for plan_id in PLANS:
                client.post(f"/plans/{plan_id}/commands", headers=auth(who), json={
                    "trigger": trigger, "payload": payload,
                    "at": f"2025-03-{3 + day:02d}T10:00:00+01:00"})


def test_killed_mid_delivery_every_notification_arrives_in_order(
        tmp_path: Path, receiver: Receiver) -> None:
    db_file = tmp_path / "azwa.db"
    db = f"sqlite:///{db_file}"
    create_or_upgrade(db).close()
    config = write_config(tmp_path / "azwa.toml", db, subscribers=[
        {"name": "cms", "url": receiver.url, "secret": SECRET}],
        extra="")
    text = config.read_text().replace("tick_seconds = 0", "tick_seconds = 0.5")
    config.write_text(text)
    port = free_port()
    server = start(config, port)
    try:
        drive(f"http://127.0.0.1:{port}")
        receiver.wait_for(4)
        os.kill(server.pid, signal.SIGKILL)  # a notification is on its way right now
        server.wait(10)
        killed_at = len(receiver.received)
        left = status(db)["subscribers"]["cms"]["pending"]
        assert left > 0, "the kill came after everything was delivered"
        server = start(config, port)
        deadline = time.monotonic() + 60
        while status(db)["subscribers"]["cms"]["pending"] and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        server.kill()
        server.wait(10)
    counts = status(db)["subscribers"]["cms"]
    assert counts["pending"] == 0 and counts["dead"] == 0
    assert len(receiver.received) > killed_at

    key = Subscriber("cms", receiver.url, SECRET).key()
    assert all(verify(key, headers, body) for headers, body in receiver.received)
    assert not verify(b"another key", *receiver.received[0])

    sent = outbox(db_file)
    first_seen: dict[str, int] = {}
    for n, (headers, body) in enumerate(receiver.received):
        event = json.loads(body)
        assert event["specversion"] == "1.0" and event["id"] == headers["webhook-id"]
        first_seen.setdefault(headers["webhook-id"], n)
    assert set(first_seen) == {message_id for _id, _plan, message_id in sent}  # none lost
    assert len(receiver.received) > len(first_seen)  # the one cut off was sent again
    for plan_id in PLANS:
        in_outbox = [m for _id, p, m in sent if p == plan_id]
        assert sorted(in_outbox, key=first_seen.__getitem__) == in_outbox  # order per plan
        kinds = [json.loads(next(b for h, b in receiver.received if h["webhook-id"] == m))
                 ["type"] for m in in_outbox]
        assert "nl.azwa.deadline_expired" in kinds
        assert "nl.azwa.command_refused" in kinds
        assert kinds.count("nl.azwa.state_changed") >= 4


def test_a_failing_subscriber_ends_on_the_dead_letter_list_and_retry_sends_again(
        tmp_path: Path, receiver: Receiver) -> None:
    """After max_attempts failures: dead, visible in status; `webhooks retry` sends again."""
    db_file = tmp_path / "azwa.db"
    db = f"sqlite:///{db_file}"
    create_or_upgrade(db).close()
    config = write_config(tmp_path / "azwa.toml", db, subscribers=[
        {"name": "cms", "url": receiver.url, "secret": SECRET, "types": ["state_changed"]}])
    receiver.failing, receiver.delay = True, 0
    port = free_port()
    server = start(config, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert client.post("/plans", headers=auth("maker"), json={
                "plan_id": "D-1", "at": REGISTRATION_AT, "attrs": {
                    "title": "t", "region": "Twente", "track": "transformation",
                    "social_domain": False, "domain_transcending": False,
                    "parties": [{"org": "Huisartsen Twente"}],
                    "coordinating_insurer": "Menzis"}}).status_code == 201
        receiver.wait_for(3)  # max_attempts = 3 in the test config
        deadline = time.monotonic() + 20
        while not status(db)["dead"] and time.monotonic() < deadline:
            time.sleep(0.1)
        found = status(db)
        assert [d["plan_id"] for d in found["dead"]] == ["D-1"]
        assert found["dead"][0]["last_error"] == "HTTP 500"
        receiver.failing = False
        retried = subprocess.run([AZWA, "webhooks", "retry", "--db", db],
                                 capture_output=True, text=True, check=True)
        assert "1 notification(s)" in retried.stdout
        receiver.wait_for(4)
        deadline = time.monotonic() + 20
        while status(db)["subscribers"]["cms"]["delivered"] < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status(db)["subscribers"]["cms"] == {"pending": 0, "delivered": 1, "dead": 0}
    finally:
        server.kill()
        server.wait(10)
