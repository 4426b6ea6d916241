"""`OneWrite` sends a response's head together with its body, in order, and never holds a
head longer than the event loop's turn or the connection (workflow/http/server.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from workflow.http.server import OneWrite


class Recorded(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.sent.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0


HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


def test_a_head_goes_out_with_the_body_or_at_the_end_of_the_turn() -> None:
    async def run() -> list[list[bytes]]:
        seen = []
        real = Recorded()
        joined = OneWrite(real, asyncio.get_running_loop())
        joined.write(HEAD)
        assert real.sent == [] and joined.get_write_buffer_size() == len(HEAD)
        joined.write(b"{}")
        seen.append(real.sent[:])
        joined.write(b"HTTP/1.1 204 No Content\r\n\r\n")  # no body follows
        await asyncio.sleep(0)
        seen.append(real.sent[:])
        joined.writelines([HEAD, b"{}"])
        joined.write(HEAD)
        joined.close()  # what is held goes out before the close
        seen.append(real.sent[:])
        assert real.closed
        return seen

    joined, head_alone, closed = asyncio.run(run())
    assert joined == [HEAD + b"{}"]
    assert head_alone == [HEAD + b"{}", b"HTTP/1.1 204 No Content\r\n\r\n"]
    assert closed[2:] == [HEAD + b"{}", HEAD]
