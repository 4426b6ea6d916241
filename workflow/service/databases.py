"""The database's life as the command line sees it: create or upgrade one (`azwa init`, the
demo), open one that exists, and turn a failure into one line.

The command line calls these rather than the store, so the store's modules (and SQLAlchemy)
stay behind the service layer.
"""

from __future__ import annotations

from workflow.store.opening import create_or_upgrade, open_existing, unusable

__all__ = ["create_or_upgrade", "open_existing", "unusable"]
