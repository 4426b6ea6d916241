"""User text: quoted in a message (one line, nothing a terminal would act on) and compared.

One function, `visible`, serves every output (terminal, Markdown, picture, XES): the options
say what each may keep, so an escape reads the same everywhere. `normal_name` is how two
names of one organisation compare equal."""

from __future__ import annotations

import re

_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape(ch: str) -> str:
    return repr(ch)[1:-1]


def visible(value: object, *, one_line: bool = False, xml: bool = False) -> str:
    """Text with control characters (line breaks, ESC sequences too) shown as escapes:
    `\\x1b[2J`, `\\n`. Printable text, accented and other scripts included, is unchanged.

    `one_line` (Markdown): each run of line breaks becomes one space and other whitespace a
    space, so the text stays on its line and reads as written. `xml` (XES): only what XML 1.0
    cannot hold is escaped; tabs and line breaks stay."""
    text = "" if value is None else str(value)
    if one_line:
        text = _LINE_BREAKS.sub(" ", text)
    if text.isprintable():  # no control character, surrogate or non-character
        return text
    if xml:
        return _NOT_XML.sub(lambda m: _escape(m.group()), text)
    if one_line:
        return "".join(ch if ch.isprintable() else " " if ch.isspace() else _escape(ch)
                       for ch in text)
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def normal_name(name: str) -> str:
    """An organisation's name as compared: case and spacing do not tell organisations apart
    (`" menzis  zorg"` is Menzis Zorg). The guards and the service compare with it; the SQL
    filters mirror it (workflow.store.sql `_folded`)."""
    return " ".join(name.split()).casefold()
