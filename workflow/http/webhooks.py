"""Deliver the outbox to subscribers: CloudEvents 1.0 (structured JSON), signed as Standard
Webhooks sign (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256
of "id.timestamp.body">`), at least once, in order per plan and subscriber.

A notification is marked delivered only after the subscriber answered 2xx; a crash before
that sends it again after the restart, under the same `webhook-id`, so a receiver drops what
it has seen. A failure waits `backoff_seconds * 2**attempts` (at most `backoff_max_seconds`,
with up to 10 % jitter) and the plan's later notifications wait behind it; after
`max_attempts` failures it goes to the dead-letter list (`azwa webhooks status`, `azwa
webhooks retry`) and the plan's next notification goes out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from workflow.http.background import Background
from workflow.http.settings import Settings, Subscriber
from workflow.store.outbox import Pending, now_us
from workflow.store.outbox import Queue as Queue

USER_AGENT = "azwa-webhooks/1"
log = logging.getLogger("azwa.webhooks")


def sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value of Standard Webhooks, version 1."""
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def verify(key: bytes, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """What a receiver checks: one of the listed signatures matches, the time is recent."""
    try:
        stamp = int(headers["webhook-timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - stamp) > tolerance:
        return False
    expected = sign(key, headers.get("webhook-id", ""), stamp, body)
    return any(hmac.compare_digest(expected, given)
               for given in headers.get("webhook-signature", "").split())


def post(subscriber: Subscriber, row: Pending, timeout: float) -> None:
    """One delivery attempt; raises with a short reason unless the answer is 2xx."""
    body = row.body.encode()
    stamp = int(time.time())
    request = urllib.request.Request(subscriber.url, data=body, method="POST", headers={
        "content-type": "application/cloudevents+json; charset=utf-8",
        "user-agent": USER_AGENT,
        "webhook-id": row.message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(subscriber.key(), row.message_id, stamp, body),
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read(1 << 16)
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryFailed(f"{type(exc).__name__}: {reason}") from None


class DeliveryFailed(Exception):
    pass


class Deliverer(Background):
    """A background thread that empties the outbox; `wake()` after a command wrote to it."""

    def __init__(self, queue: Queue, settings: Settings,
                 on_result: Callable[[str, bool], None] | None = None) -> None:
        super().__init__("azwa-webhooks", settings.poll_seconds, log,
                         "delivering webhooks failed")
        self.queue, self.settings = queue, settings
        self.subscribers = {s.name: s for s in settings.subscribers}
        self.on_result = on_result

    def round(self) -> bool:
        return bool(self.run_once())

    def run_once(self) -> int:
        """Try every notification that is due now (the oldest pending one of each plan and
        subscriber); the number tried."""
        rows = self.queue.ready()
        for row in rows:
            if self.stopping:
                break
            self._attempt(row)
        return len(rows)

    def _attempt(self, row: Pending) -> None:
        subscriber = self.subscribers.get(row.subscriber)
        if subscriber is None:
            error: str | None = f"subscriber {row.subscriber!r} is no longer configured"
        else:
            try:
                post(subscriber, row, self.settings.delivery_timeout_seconds)
                error = None
            except DeliveryFailed as exc:
                error = str(exc)
        if error is None:
            self.queue.delivered(row.id)
        else:
            attempts = row.attempts + 1
            self.queue.failed(row.id, error, now_us() + self._backoff_us(attempts),
                              dead=attempts >= self.settings.max_attempts)
        if self.on_result is not None:
            self.on_result(row.subscriber, error is None)

    def _backoff_us(self, attempts: int) -> int:
        s = self.settings
        wait = min(s.backoff_seconds * 2 ** (attempts - 1), s.backoff_max_seconds)
        return int(wait * (1 + random.random() / 10) * 1_000_000)


def status(queue: Queue) -> dict[str, Any]:
    """Counts per subscriber and the dead-letter list, for `azwa webhooks status`."""
    return {"subscribers": queue.counts(), "dead": queue.dead()}
