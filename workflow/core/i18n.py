"""The language people read: Dutch first, English beside it (docs/language.md).

Texts are written in English in the code and translated through the gettext catalogue
`workflow/locale/<lang>/LC_MESSAGES/azwa.mo`, compiled from its `.po` (`make catalogues`).
Identifiers a user also types (states, triggers, roles, deadlines) are *terms*: in Dutch
they read as the seed writes them (`snelle toets ingediend`), in English they stay the
identifiers themselves, so English output and scripts keep the names the definitions use.

The language: `reading("en")` for a block, `use("en")` for this context (a command's
`--lang`, a web request's Accept-Language), else the environment's AZWA_LANG, else Dutch.
It is a context variable, so each request of a server may read its own. Reading the
catalogue is the one file this module opens, once, from the package itself.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from workflow.core.phrase import Phrase

LANGUAGES = ("nl", "en")
"""What a text can be read in; the first is the default."""
DEFAULT_LANGUAGE = LANGUAGES[0]
ENV = "AZWA_LANG"
DOMAIN = "azwa"
TERM_KINDS = ("state", "trigger", "role", "deadline", "escalation", "track", "size", "sector",
              "kpi_status", "decision")
"""The kinds of identifiers that have a Dutch label (a gettext message context each)."""

_chosen: ContextVar[str | None] = ContextVar("azwa_language", default=None)
_missing: set[tuple[str, str, str]] = set()


class UnknownLanguage(ValueError):
    """A language asked for that has no catalogue; the message is one line for the user."""


def normal_language(text: str) -> str:
    """`nl`, `NL`, `nl_NL.UTF-8`, `nl-BE` → `nl`; UnknownLanguage for one we do not have."""
    code = text.strip().replace("-", "_").split(".")[0].split("_")[0].casefold()
    if code not in LANGUAGES:
        raise UnknownLanguage(Phrase("language {name!r} is not known; known: {known}",
                                     name=text, known=", ".join(LANGUAGES)))
    return code


def use(language: str | None) -> str:
    """Read texts in `language` from now on in this context (None: as AZWA_LANG says, else
    Dutch); the language chosen."""
    chosen = normal_language(language) if language is not None else None
    _chosen.set(chosen)
    return chosen or current()


def from_accept_language(header: str | None) -> str:
    """The language a browser asks for (`Accept-Language: en-GB,en;q=0.8,nl;q=0.5`): the
    one we have with the highest weight, else Dutch."""
    best: tuple[float, int, str] | None = None
    for n, part in enumerate((header or "").split(",")):
        code, _sep, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        try:
            language = normal_language(code)
        except UnknownLanguage:
            continue
        if weight > 0 and (best is None or (weight, -n) > best[:2]):
            best = (weight, -n, language)
    return best[2] if best is not None else DEFAULT_LANGUAGE


@contextmanager
def reading(language: str | None) -> Iterator[str]:
    """Texts in `language` inside the block (None: as AZWA_LANG says, else Dutch), as they
    were after it; yields the language chosen. UnknownLanguage for one we do not have."""
    token = _chosen.set(normal_language(language) if language is not None else None)
    try:
        yield current()
    finally:
        _chosen.reset(token)


@contextmanager
def kept() -> Iterator[None]:
    """The language as it is now, again after the block, whatever `use` chose inside it (a
    command's `--lang` holds until the command has ended and its error has been shown)."""
    token = _chosen.set(_chosen.get())
    try:
        yield
    finally:
        _chosen.reset(token)


def current() -> str:
    """The language texts are read in now: chosen by `use`, else AZWA_LANG, else Dutch. An
    AZWA_LANG we have no catalogue for reads as Dutch (the command line refuses it)."""
    chosen = _chosen.get()
    if chosen is not None:
        return chosen
    return _environment_language(os.environ.get(ENV))


@cache
def _environment_language(value: str | None) -> str:
    """What an AZWA_LANG value reads as (asked once per text printed: kept per value)."""
    try:
        return normal_language(value or DEFAULT_LANGUAGE)
    except UnknownLanguage:
        return DEFAULT_LANGUAGE


class _Recorder(gettext.NullTranslations):
    """The catalogue's fallback: a text it lacks is noted (tests fail on it) and shown in
    English rather than not at all."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def gettext(self, message: str) -> str:
        _missing.add((self.language, "", message))
        return message

    def pgettext(self, context: str, message: str) -> str:
        _missing.add((self.language, context, message))
        return message


@cache
def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language; English is the source text and has none."""
    if language == "en":
        return gettext.NullTranslations()
    # A path beside this package, not importlib.resources: its readers import zipfile, and
    # `azwa --help` in Dutch reads the catalogue on a start-up kept to what Typer costs.
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "locale",
                        language, "LC_MESSAGES", f"{DOMAIN}.mo")
    with open(path, "rb") as handle:
        found = gettext.GNUTranslations(handle)
    found.add_fallback(_Recorder(language))
    return found


def _(message: str) -> str:
    """`message` (English, as written in the code) in the current language; an empty one
    stays empty (gettext would give the catalogue's header)."""
    return catalogue(current()).gettext(message) if message else message


def term(kind: str, name: str | None) -> str:
    """An identifier as people read it: in Dutch its label (`state` `approved` →
    `goedgekeurd`; a deadline `kpi:k1` → `KPI k1`), in English the identifier itself."""
    if name is None:
        return ""
    language = current()
    if language == "en":
        return name
    family, sep, item = name.partition(":")
    if kind == "deadline" and sep:
        return f"{catalogue(language).pgettext(kind, family)} {item}"
    return catalogue(language).pgettext(kind, name)


def missing() -> set[tuple[str, str, str]]:
    """(language, context, message) of every text asked for in this process that its
    catalogue lacks; a test renders every output and fails on any."""
    return set(_missing)


def forget_missing() -> None:
    _missing.clear()
