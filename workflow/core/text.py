"""User text quoted in a message: one line, nothing a terminal would act on."""

from __future__ import annotations


def visible(value: object) -> str:
    """Text with control characters (line breaks, ESC sequences too) shown as escapes:
    `\\x1b[2J`, `\\n`. Printable text, accented and other scripts included, is unchanged."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
