"""User text on its way to the terminal: printed as written, never interpreted.

Kept apart from the renderers so every command can use it without importing rich tables.
"""

from __future__ import annotations


def visible(value: object) -> str:
    """Text with control characters (ESC sequences too) shown as escapes: `\\x1b[2J`."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def safe(value: object) -> str:
    """User text (ids, orgs, titles, payloads) for rich markup: escaped, so `[/x]` or
    `[link=…]` is printed and not interpreted, control characters visible. Every user value
    goes through here (or `visible` into a `Text`) on its way to the terminal."""
    from rich.markup import escape

    return escape(visible(value))
