"""The thread each background task of `azwa serve` runs on (the deadline worker, the webhook
deliverer): rounds until stopped, a failing round logged and tried again on the next."""

from __future__ import annotations

import logging
import threading


class Background:
    """Runs `round` on a daemon thread until `stop()`. After a round that found nothing more
    to do (or failed: the database is away) the thread waits `every` seconds or until
    `wake()`; after one that says more may be waiting, it goes on at once."""

    def __init__(self, name: str, every: float, log: logging.Logger, failure: str) -> None:
        self.name, self.every, self.log, self.failure = name, every, log, failure
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def round(self) -> bool:
        """One round of work; True when more may be waiting."""
        raise NotImplementedError

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.round()
            except Exception:  # the database is away: the next round tries again
                self.log.exception(self.failure)
                busy = False
            if not busy:
                self._wake.wait(self.every)
                self._wake.clear()
