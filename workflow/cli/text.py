"""User text on its way to the terminal: printed as written, never interpreted.

Kept apart from the renderers so every command can use it without importing rich tables.
"""

from __future__ import annotations

from workflow.core.text import visible

__all__ = ["safe", "said", "visible"]


def said(error: BaseException) -> str:
    """An error's one line in the reader's language: the `Phrase` it was raised with, said
    (`workflow.core.refusal_text.say`), else its text as given (a system error's)."""
    from workflow.core.phrase import Phrase
    from workflow.core.refusal_text import say

    first = error.args[0] if len(error.args) == 1 else None
    return say(first) if isinstance(first, Phrase) else str(error)


def safe(value: object) -> str:
    """User text (ids, orgs, titles, payloads) for rich markup: escaped, so `[/x]` or
    `[link=…]` is printed and not interpreted, control characters visible. Every user value
    goes through here (or `visible` into a `Text`) on its way to the terminal."""
    from rich.markup import escape

    return escape(visible(value))
