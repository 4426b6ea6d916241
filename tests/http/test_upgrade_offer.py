"""A request that offers an HTTP/2 upgrade (`Upgrade: h2c`, as Java's HttpClient sends by
default) is answered in HTTP/1.1 with its body read, however the bytes arrive, and the
connection goes on with the next request (workflow/http/server.py)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http.helpers import TOKENS, write_config
from tests.http.test_webhook_outbox import free_port, start
from workflow.service.databases import create_or_upgrade

BODY = json.dumps({"plan_id": "H2C-1", "at": "2025-03-03T10:00:00+01:00", "attrs": {
    "title": "t", "region": "Twente", "track": "transformation", "social_domain": False,
    "domain_transcending": False, "parties": [{"org": "Huisartsen Twente",
                                               "role": "plan_maker"}],
    "coordinating_insurer": "Menzis", "second_insurer": "Zilveren Kruis"}}).encode()
OFFER = b"Connection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAEAAEAAAAIAAAAAAAMAAAAA\r\n" \
        b"Upgrade: h2c\r\n"


def request(method: str, path: str, body: bytes = b"", offer: bool = True) -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            f"{TOKENS['maker'][1]}\r\nContent-Type: application/json\r\n").encode()
    if body:
        head += f"Content-Length: {len(body)}\r\n".encode()
    return head + (OFFER if offer else b"") + b"\r\n" + body


def answers(sock: socket.socket, count: int) -> list[tuple[int, bytes]]:
    """`count` responses read off the connection: status and body."""
    data, found = b"", []
    sock.settimeout(10)
    while len(found) < count:
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
        head, _, data = data.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(data) < length:
            data += sock.recv(65536)
        found.append((int(head.split(b" ")[1]), data[:length]))
        data = data[length:]
    return found


@pytest.fixture
def port(tmp_path: Path) -> Iterator[int]:
    db = f"sqlite:///{tmp_path}/azwa.db"
    create_or_upgrade(db).close()
    chosen = free_port()
    server = start(write_config(tmp_path / "azwa.toml", db), chosen)
    try:
        yield chosen
    finally:
        server.kill()
        server.wait(10)


@pytest.mark.parametrize("split", ["apart", "together", "bytewise"])
def test_the_body_after_an_upgrade_offer_is_read(port: int, split: str) -> None:
    """Headers and body in two writes (as Java sends them), in one, or byte by byte; then
    a second request with an offer and one without, the last two sent in one write."""
    raw = request("POST", "/plans", BODY)
    head, body = raw[:-len(BODY)], BODY
    with socket.create_connection(("127.0.0.1", port)) as sock:
        if split == "apart":
            sock.sendall(head)
            time.sleep(0.2)
            sock.sendall(body)
        elif split == "together":
            sock.sendall(raw)
        else:
            for n in range(len(raw)):
                sock.sendall(raw[n:n + 1])
        [(status, first)] = answers(sock, 1)
        assert status == 201, first
        assert json.loads(first)["plan_id"] == "H2C-1"
        sock.sendall(request("GET", "/plans/H2C-1") +
                     request("POST", "/plans/H2C-1/commands", json.dumps(
                         {"trigger": "withdraw", "at": "2025-03-04T10:00:00+01:00"}).encode(),
                         offer=False))
        [(shown, plan), (fired, _)] = answers(sock, 2)
        assert shown == 200 and json.loads(plan)["plan_id"] == "H2C-1"
        assert fired in (200, 403, 409)  # answered, judged by the rules: not a lost body
