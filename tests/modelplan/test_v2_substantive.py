"""When a written answer counts as one (`states.substantive`, DESIGN-v2.md "other basiseisen
need a substantive answer (not just punctuation or a placeholder)", MP BE1–BE14)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states.substantive import MIN_WORDS, PLACEHOLDERS, answer_problem, words


@pytest.mark.parametrize(("text", "problem"), [
    ("", "is empty"),
    ("  \n\t", "is empty"),
    ("...", "'...' has no words"),
    ("n.v.t.", "'n.v.t.' has no words"),
    ("€ 300.000 (2027)", "'€ 300.000 (2027)' has no words"),
    ("TBD", "'TBD' has 1 word, fewer than 3"),
    ("Zie boven.", "'Zie boven.' has 2 words, fewer than 3"),
    ("ja ja ja", "'ja ja ja' has 1 word, fewer than 3"),
    ("Nader te bepalen.", "'Nader te bepalen.' is a placeholder"),
    ("NIET VAN TOEPASSING", "'NIET VAN TOEPASSING' is a placeholder"),
    ("Nog niet bekend", "'Nog niet bekend' is a placeholder"),
    ("To be determined.", "'To be determined.' is a placeholder"),
    ("Lorem ipsum dolor sit amet, consectetur.", "is a placeholder"),
])
def test_no_answer(text: str, problem: str) -> None:
    """MP BE1–BE14: punctuation, numbers alone, a word or two or a placeholder is no answer."""
    found = answer_problem(text)
    assert found is not None and problem in found


@pytest.mark.parametrize("text", [
    "Wij scholen alle verpleegkundigen.",
    "Zie bijlage drie.",
    "Niet van toepassing: de toepassing wisselt geen gegevens uit.",
    "Koppeling via FHIR R4 in 2027.",
    "Één coördinator per regio.",
])
def test_an_answer(text: str) -> None:
    """MP BE1–BE14: three different words are an answer; judging it is the assessors' work."""
    assert answer_problem(text) is None


def test_a_long_answer_is_shown_shortened() -> None:
    """A refusal quotes at most forty characters of the answer, on one line."""
    found = answer_problem("nader te bepalen\n" * 1 + "," * 100)
    assert found is not None and "\n" not in found and len(found) < 80


NOT_A_WORD = st.text(alphabet=st.sampled_from(list(" .,;:-–…!?()[]/\\'\"€%0123456789\n\t")),
                     max_size=60)


@given(NOT_A_WORD)
def test_property_punctuation_and_figures_are_never_an_answer(text: str) -> None:
    """Property: punctuation, figures and spacing alone are refused, whatever the length."""
    assert answer_problem(text) is not None


@given(st.sampled_from(sorted(PLACEHOLDERS)), NOT_A_WORD, st.booleans())
def test_property_a_placeholder_stays_one_in_any_dress(placeholder: str, dress: str,
                                                       upper: bool) -> None:
    """Property: case, punctuation and figures around a placeholder do not make it an answer."""
    text = f"{dress}{placeholder.upper() if upper else placeholder.title()}{dress}"
    assert answer_problem(text) is not None


@given(st.lists(st.from_regex(r"[a-zà-ÿ]{2,12}", fullmatch=True), min_size=1, max_size=8),
       NOT_A_WORD)
def test_property_the_verdict_follows_the_distinct_words(found: list[str], dress: str) -> None:
    """Property: with no placeholder, an answer counts exactly when it has MIN_WORDS different
    words, however it is punctuated."""
    text = dress.join(found) if dress.strip() else " ".join(found)
    if " ".join(words(text)) in PLACEHOLDERS:
        return
    assert (answer_problem(text) is None) == (len(set(words(text))) >= MIN_WORDS)
