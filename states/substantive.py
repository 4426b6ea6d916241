"""When a written answer of a modelplan counts as an answer (`transformation@2`, MP BE1–BE14).

DESIGN-v2.md asks for "a substantive answer (not just punctuation or a placeholder)" to each
basiseis that has no measurable test. What the check can see is form, not quality: whether
an assessor has something to read is its question, whether it convinces stays theirs. An
answer counts when

- it has at least `MIN_WORDS` (three) different words, a word being a run of two or more
  letters (figures and punctuation separate words): "n.v.t." has none, "TBD" one, "Zie
  boven" two, "2027" or "€ 300.000" none; and
- its words are not, as a whole, a known placeholder (`PLACEHOLDERS`): "nader te bepalen",
  "niet van toepassing", "to be determined", "volgt nog", ... Case, accents and punctuation
  are ignored in this comparison ("N.T.B.", "Nog niet bekend.").

Three words is a floor against form-filling, not a length requirement: "Zie bijlage drie" is
refused only by the assessors.
"""

from __future__ import annotations

import re
import unicodedata

from workflow.core.phrase import Phrase

__all__ = ["MIN_WORDS", "PLACEHOLDERS", "answer_problem", "words"]

MIN_WORDS = 3
_TOKEN = re.compile(r"[^\W\d_]{2,}")
PLACEHOLDERS = frozenset({
    "nader te bepalen", "nog te bepalen", "nader in te vullen", "nog in te vullen",
    "niet van toepassing", "nog niet bekend", "nog niet ingevuld", "volgt nog", "volgt later",
    "wordt nog uitgewerkt", "wordt later uitgewerkt", "to be determined", "to be decided",
    "to be confirmed", "not applicable", "to do", "lorem ipsum dolor sit amet",
})
"""Whole answers that hold a place instead of an answer; shorter ones fail the word count."""


def _plain(text: str) -> str:
    """Lower case without accents: "Nader té bepalen" compares as "nader te bepalen"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The words of `text` as compared: runs of two or more letters, lower case, no accents."""
    return _TOKEN.findall(_plain(text))


def answer_problem(text: str) -> str | None:
    """Why `text` does not count as an answer ("is empty", ...), or None when it does."""
    if not text.strip():
        return Phrase("is empty")
    found = words(text)
    if not found:
        return Phrase("{answer} has no words", answer=_quoted(text))
    if " ".join(found) in PLACEHOLDERS or " ".join(found).startswith("lorem ipsum"):
        return Phrase("{answer} is a placeholder", answer=_quoted(text))
    count = len(set(found))
    if count < MIN_WORDS:
        return Phrase("{answer} has {count} words, fewer than {least}" if count > 1 else
                      "{answer} has {count} word, fewer than {least}",
                      answer=_quoted(text), count=count, least=MIN_WORDS)
    return None


def _quoted(text: str) -> str:
    shown = " ".join(text.split())
    return repr(shown if len(shown) <= 40 else shown[:37] + "...")
