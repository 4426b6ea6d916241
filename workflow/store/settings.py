"""Connection settings of a server database, from its URL and the environment.

A URL's own query options win over the environment, which wins over the defaults:

- `pool_size` / AZWA_DB_POOL_SIZE: connections a process keeps (default 5);
- `statement_timeout` / AZWA_DB_STATEMENT_TIMEOUT_MS: the longest a statement may run, in
  milliseconds (default 0: no limit);
- `connect_timeout` / AZWA_DB_CONNECT_TIMEOUT: the longest to wait for the server when
  connecting, in seconds (default 10).

`pool_size` and `statement_timeout` are taken out of the URL before the driver sees it (libpq
knows neither); `connect_timeout` is libpq's own and stays. SQLite ignores all three.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.engine import URL

from workflow.core.phrase import Phrase
from workflow.store.url import StoreUnavailable

ENV = {"pool_size": "AZWA_DB_POOL_SIZE", "statement_timeout": "AZWA_DB_STATEMENT_TIMEOUT_MS",
       "connect_timeout": "AZWA_DB_CONNECT_TIMEOUT"}
DEFAULTS = {"pool_size": 5, "statement_timeout": 0, "connect_timeout": 10}


@dataclass(frozen=True, slots=True)
class Settings:
    pool_size: int
    statement_timeout_ms: int
    connect_timeout_s: int


def _number(name: str, value: object, source: str) -> int:
    text = value if isinstance(value, str) else str(value)
    if not text.isdigit() or (name != "statement_timeout" and int(text) == 0):
        raise StoreUnavailable(
            Phrase("{source}: {name}={value!r} is not a whole number of at least 1",
                   source=source, name=name, value=text) if name != "statement_timeout"
            else Phrase("{source}: {name}={value!r} is not a whole number", source=source,
                        name=name, value=text))
    return int(text)


def server_settings(url: URL) -> tuple[URL, Settings]:
    """The URL the driver gets and the settings read from it and the environment."""
    found: dict[str, int] = {}
    for name, default in DEFAULTS.items():
        raw = url.query.get(name)
        if isinstance(raw, tuple):
            raw = raw[-1]
        if raw is not None:
            found[name] = _number(name, raw, "the database URL")
        elif os.environ.get(ENV[name]):
            found[name] = _number(name, os.environ[ENV[name]], ENV[name])
        else:
            found[name] = default
    driver_url = url.difference_update_query(["pool_size", "statement_timeout"])
    if "connect_timeout" not in url.query:
        driver_url = driver_url.update_query_dict(
            {"connect_timeout": str(found["connect_timeout"])})
    return driver_url, Settings(found["pool_size"], found["statement_timeout"],
                                found["connect_timeout"])
