"""The HTTP/1.1 server under `azwa serve`: uvicorn with httptools' C parser (llhttp) instead
of the pure-Python h11; with uvloop's event loop a command costs the server about a third
fewer instructions (counted with callgrind).

One thing is mended: a request that offers an upgrade the server does not take. Java's
HttpClient offers HTTP/2 (`Connection: Upgrade, HTTP2-Settings`, `Upgrade: h2c`) with its
first request by default. llhttp stops at such a request's header block and takes whatever
follows for the new protocol, so the request's body was lost and the client was answered as
if it had sent none. A server may ignore an Upgrade header and answer in HTTP/1.1 (RFC 9110
§7.8); `Http1` does so: the body that follows (its `Content-Length` bytes) goes to the
request, and what comes after it is parsed as the next request.
"""

from __future__ import annotations

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class Http1(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering a request that offers an unsupported upgrade
    (h2c) in HTTP/1.1 with its body instead of dropping the body."""

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
