"""The HTTP/1.1 server under `azwa serve`: uvicorn with httptools' C parser (llhttp) instead
of the pure-Python h11; with uvloop's event loop a command costs the server about a third
fewer instructions (counted with callgrind). Each connection writes through `OneWrite`, which
sends a response's head with its body instead of in a write of its own.

One thing is mended: a request that offers an upgrade the server does not take. Java's
HttpClient offers HTTP/2 (`Connection: Upgrade, HTTP2-Settings`, `Upgrade: h2c`) with its
first request by default. llhttp stops at such a request's header block and takes whatever
follows for the new protocol, so the request's body was lost and the client was answered as
if it had sent none. A server may ignore an Upgrade header and answer in HTTP/1.1 (RFC 9110
§7.8); `Http1` does so: the body that follows (its `Content-Length` bytes) goes to the
request, and what comes after it is parsed as the next request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class Http1(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering a request that offers an unsupported upgrade
    (h2c) in HTTP/1.1 with its body instead of dropping the body."""

    def connection_made(self, transport: Any) -> None:  # uvloop's is no asyncio.Transport
        super().connection_made(OneWrite(transport, self.loop))

    _owed = 0
    """Body bytes of a request whose upgrade offer was ignored, still to come."""

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        while data:
            if self._owed:
                data = self._body_part(data)
                continue
            try:
                self.parser.feed_data(data)
                return
            except httptools.HttpParserError:
                msg = "Invalid HTTP request received."
                self.logger.warning(msg)
                self.send_400_response(msg)
                return
            except httptools.HttpParserUpgrade as upgrade:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                    return
                if not self._ignore_upgrade():
                    self._unsupported_upgrade_warning()
                    return
                data = data[int(upgrade.args[0]):]

    def _ignore_upgrade(self) -> bool:
        """Treat the request just parsed as a plain HTTP/1.1 one: its body, announced by
        Content-Length, is still to come (llhttp took the request as ended at its headers).
        False for a body of chunks, which llhttp can no longer parse."""
        length = None
        for name, value in self.headers:
            if name == b"transfer-encoding":
                return False
            if name == b"content-length":
                if not value.strip().isdigit() or (
                        length is not None and int(value) != length):
                    return False
                length = int(value)
        if length:
            self._owed = length
            self.cycle.more_body = True
            self.cycle.message_event.clear()
        return True

    def _body_part(self, data: bytes) -> bytes:
        """Hand the owed body bytes in `data` to the request; what follows them."""
        part, rest = data[:self._owed], data[self._owed:]
        self._owed -= len(part)
        self.on_body(part)
        if not self._owed:
            self.on_message_complete()
        return rest


class OneWrite(asyncio.Transport):
    """A connection's transport that sends a response's head together with the start of its
    body. uvicorn writes the status line and headers, then the body, and each write is a
    system call that wakes the client for a loopback segment of its own. Writing both at
    once cost a command about 5% less server CPU, most of it system time, and the bench's
    HTTP side ran about 7% more commands a second (paired runs of `make bench`'s HTTP part).

    A write that ends a header block (a blank line) waits for the next write, or for the
    end of the event loop's turn when none follows (a response without a body), or for
    the connection's close: never longer, and nothing is reordered."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.transport, self.loop = transport, loop
        self._head = b""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        data = bytes(data)
        if self._head:
            data, self._head = self._head + data, b""
        elif data.endswith(b"\r\n\r\n"):
            self._head = data
            self.loop.call_soon(self.flush)
            return
        self.transport.write(data)

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        head, self._head = self._head, b""
        if head and not self.transport.is_closing():
            self.transport.write(head)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def abort(self) -> None:
        self._head = b""
        self.transport.abort()

    def write_eof(self) -> None:
        self.flush()
        self.transport.write_eof()

    def can_write_eof(self) -> bool:
        return self.transport.can_write_eof()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.transport.get_extra_info(name, default)

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.transport.get_protocol()

    def is_reading(self) -> bool:
        return self.transport.is_reading()

    def pause_reading(self) -> None:
        self.transport.pause_reading()

    def resume_reading(self) -> None:
        self.transport.resume_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.transport.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        return self.transport.get_write_buffer_size() + len(self._head)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self.transport.get_write_buffer_limits()
