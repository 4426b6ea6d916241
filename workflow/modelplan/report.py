"""A readable overview of a modelplan for coalition and assessors: answers, budget, findings.

The findings are those of the version the document was read for: `check_modelplan`
(`transformation@1`) for a `Modelplan`, `check_modelplan_v2` (`transformation@2`) for a
`ModelplanV2`, whose report also shows its business case, data conditions and KPIs.

Its labels are composed as `Phrase`s (English, with their template and values) and said in
the reader's language by the `say` the caller passes (the command line passes
`workflow.core.refusal_text.say`): this layer holds no language of its own and never
imports the catalogue (tests/test_layers.py). What the document itself says (answers,
names, the seed's titles) is data and is shown as written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Literal

from states.modelplan import BASISEISEN, SECTIONS, Finding, Modelplan, check_modelplan, euros
from states.modelplan_v2 import check_modelplan_v2
from states.modelplan_v2_doc import DATA_CONDITIONS, ModelplanV2
from workflow.core.phrase import Euros, Figure, Phrase
from workflow.modelplan.template import question_note

__all__ = ["report"]


@dataclass(frozen=True)
class _Heading:
    level: int
    text: str


@dataclass(frozen=True)
class _Para:
    text: str
    note: bool = False


@dataclass(frozen=True)
class _Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric_from: int = 1


_Block = _Heading | _Para | _Table
Say = Callable[[str], str]
"""How a label is said: a `Phrase` in, the reader's text out (`str`: the English)."""

LABELS = {"personnel": Phrase("Personnel"), "material": Phrase("Material"),
          "incidental": Phrase("Incidental"), "structural": Phrase("Structural")}
NOT_GIVEN = Phrase("not given")


def _value(value: Euros | date | str) -> str:
    """A day or an amount in a table cell, as the reader writes it."""
    return Phrase("{value}", value=value)


def _eur(amount: float) -> str:
    return _value(euros(amount))


def _budget_blocks(doc: Modelplan) -> list[_Block]:
    years = sorted({line.year for line in doc.budget})

    def total(year: int | None = None, attr: str = "", value: str = "") -> str:
        return _eur(sum(
            line.amount_eur for line in doc.budget
            if (year is None or line.year == year) and (not attr or getattr(line, attr) == value)))

    def by_year(attr: str, values: tuple[str, str]) -> _Table:
        rows = [(str(y), *(total(y, attr, v) for v in values), total(y)) for y in years]
        rows.append((Phrase("Total"), *(total(None, attr, v) for v in values), total()))
        return _Table((Phrase("Year"), *(LABELS[v] for v in values), Phrase("Total")),
                      tuple(rows))

    providers = sorted({line.provider for line in doc.budget})
    costs = doc.structural_costs_by_year()
    fte = doc.fte_per_million_eur
    blocks: list[_Block] = [
        _Heading(2, Phrase("Budget")),
        _Heading(3, Phrase("By year and category")),
        by_year("category", ("personnel", "material")),
        _Heading(3, Phrase("Incidental and structural")),
        by_year("kind", ("incidental", "structural")),
        _Heading(3, Phrase("Amount per provider")),
        _Table((Phrase("Provider"), Phrase("Amount")),
               tuple((p, total(None, "provider", p)) for p in providers)),
        _Heading(3, Phrase("Structural costs and savings (BE9)")),
        _Table((Phrase("Year"), Phrase("Structural costs")),
               tuple((str(y), _eur(c)) for y, c in sorted(costs.items()))),
        _Para(_savings_verdict(doc)),
        _Heading(3, Phrase("Labour (BE1)")),
    ]
    if fte is None:
        blocks.append(_Para(Phrase("fte per million euro: not given")))
    else:
        expected = fte * doc.total_eur / 1_000_000
        blocks.append(_Para(Phrase(
            "fte per million euro: {fte} (expected labour saving {expected} fte on a budget "
            "of {budget})", fte=Figure(f"{fte:g}"), expected=Figure(f"{expected:.1f}"),
            budget=euros(doc.total_eur))))
    return blocks


def _savings_verdict(doc: Modelplan) -> str:
    savings = doc.structural_savings_eur_per_year
    shown = euros(savings) if savings is not None else NOT_GIVEN
    peak = doc.peak_structural_costs()
    if peak is None:
        return Phrase("Structural savings a year: {shown}; there are no structural costs.",
                      shown=shown)
    year, costs = peak
    if costs <= (savings or 0):
        return Phrase("Structural savings a year: {shown}; they cover the largest structural "
                      "costs a year ({costs} in {year}).", shown=shown, costs=euros(costs),
                      year=year)
    return Phrase("Structural savings a year: {shown}; they do not cover the largest "
                  "structural costs a year ({costs} in {year}).", shown=shown,
                  costs=euros(costs), year=year)


def _v2_blocks(doc: ModelplanV2) -> list[_Block]:
    case = doc.business_case
    figures = ((Phrase("Costs"), case.costs_eur if case else None),
               (Phrase("Benefits"), case.benefits_eur if case else None))
    rows = [(name, NOT_GIVEN if value is None else _eur(value)) for name, value in figures]
    years = case.horizon_years if case else None
    rows.append((Phrase("Horizon"),
                 NOT_GIVEN if years is None else Phrase("{years} year(s)", years=years)))
    blocks: list[_Block] = [_Heading(2, Phrase("Business case in figures (BE2)")),
                            _Table((Phrase("Figure"), Phrase("Value")), tuple(rows)),
                            _Heading(2, Phrase("Data conditions (BE10)"))]
    for key, label in DATA_CONDITIONS.items():
        blocks.append(_Para(label, note=True))
        blocks.append(_answer(doc.data_conditions.get(key, "")))
    blocks.append(_Heading(2, Phrase("Milestones and KPIs")))
    blocks.append(_Table((Phrase("KPI"), Phrase("Description"), Phrase("Due"), Phrase("Amount")),
                         tuple((k.id, k.description, _value(k.due),
                                "" if k.amount_eur is None else _eur(k.amount_eur))
                               for k in doc.kpis), numeric_from=3))
    return blocks


def _blocks(read: Modelplan | ModelplanV2, findings: list[Finding]) -> list[_Block]:
    doc = read.base if isinstance(read, ModelplanV2) else read
    verdict = (Phrase("Check: ok, no findings") if not findings
               else Phrase("Check: {count} finding", count=1) if len(findings) == 1
               else Phrase("Check: {count} findings", count=len(findings)))
    blocks: list[_Block] = [_Heading(1, _title(doc.title)),
                            _Para(verdict), _Heading(2, Phrase("Applicants"))]
    blocks.append(_Table((Phrase("Organisation"), Phrase("Role")),
                         tuple((a.org, a.role) for a in doc.applicants),
                         numeric_from=2))
    if doc.joint_application_exemption:
        blocks.append(_Para(Phrase("Exemption from a joint application (BE12): {text}",
                                   text=doc.joint_application_exemption)))
    blocks.append(_Heading(2, Phrase("Basiseisen")))
    for number, basiseis in BASISEISEN.items():
        blocks.append(_Heading(3, f"BE{number} {basiseis.title}"))
        if number == 8 and doc.social_domain_budget and not isinstance(read, ModelplanV2):
            blocks.append(_Para(Phrase("Does not apply to the social-domain budget."),
                                note=True))
        else:
            blocks.append(_answer(doc.basiseisen.get(number, "")))
    for section in SECTIONS:
        suffix = f" (BE{section.basiseis})" if section.basiseis is not None else ""
        blocks.append(_Heading(2, section.title + suffix))
        answers = doc.sections.get(section.key, {})
        for question in section.questions:
            blocks.append(_Para(question_note(question), note=True))
            blocks.append(_answer(answers.get(question.key, "")))
    blocks += _budget_blocks(doc)
    if isinstance(read, ModelplanV2):
        blocks += _v2_blocks(read)
    blocks.append(_Heading(2, Phrase("Findings")))
    blocks.append(_Table((Phrase("Basiseis"), Phrase("Field"), Phrase("Message")),
                         tuple((str(f.basiseis), f.field, _said(f.message)) for f in findings),
                         numeric_from=3))
    return blocks


def _title(title: str) -> str:
    return Phrase("Modelplan: {title}", title=title or Phrase("(untitled)"))


def _said(message: str) -> str:
    """A finding's message: a `Phrase` as the check composed it, else a fixed sentence
    (translated as a whole, as `azwa modelplan check` does)."""
    return message if isinstance(message, Phrase) else Phrase(message)


def _answer(text: str) -> _Para:
    return _Para(text.strip()) if text.strip() else _Para(Phrase("(not answered)"), note=True)


def _in(say: Say) -> Callable[[str], str]:
    """A label (a `Phrase`) said by `say`; data (an answer, a name) as it is."""
    return lambda text: say(text) if isinstance(text, Phrase) else text


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _markdown(blocks: Sequence[_Block], say: Say) -> str:
    text = _in(say)
    out: list[str] = []
    for block in blocks:
        if isinstance(block, _Heading):
            out.append(f"{'#' * block.level} {text(block.text)}")
        elif isinstance(block, _Para):
            out.append(f"*{text(block.text)}*" if block.note else text(block.text))
        elif not block.rows:
            out.append(f"*{say(Phrase('(none)'))}*")
        else:
            aligns = ["---:" if i >= block.numeric_from else "---"
                      for i in range(len(block.headers))]
            rows = [tuple(text(h) for h in block.headers), tuple(aligns),
                    *(tuple(text(c) for c in row) for row in block.rows)]
            out.append("\n".join("| " + " | ".join(_md_cell(c) for c in row) + " |"
                                 for row in rows))
    return "\n\n".join(out) + "\n"


def _html(blocks: Sequence[_Block], title: str, say: Say) -> str:
    text = _in(say)
    out = ["<!DOCTYPE html>", '<html lang="nl">', '<head><meta charset="utf-8">',
           f"<title>{escape(title)}</title>",
           "<style>td.n{text-align:right} .note{color:#555;font-style:italic}</style>",
           "</head>", "<body>"]
    for block in blocks:
        if isinstance(block, _Heading):
            out.append(f"<h{block.level}>{escape(text(block.text))}</h{block.level}>")
        elif isinstance(block, _Para):
            body = escape(text(block.text)).replace("\n", "<br>")
            out.append(f'<p class="note">{body}</p>' if block.note else f"<p>{body}</p>")
        elif not block.rows:
            out.append(f'<p class="note">{escape(say(Phrase("(none)")))}</p>')
        else:
            head = "".join(f"<th>{escape(text(h))}</th>" for h in block.headers)
            body_rows = "".join(
                "<tr>" + "".join(
                    f'<td class="n">{escape(text(c))}</td>' if i >= block.numeric_from
                    else f"<td>{escape(text(c))}</td>" for i, c in enumerate(row)) + "</tr>"
                for row in block.rows)
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def report(doc: Modelplan | ModelplanV2, fmt: Literal["md", "html"] = "md", *,
           parties: Sequence[str] | None = None, single_applicant_granted: bool = False,
           say: Say = str) -> str:
    """A readable overview for coalition and assessors: answers, budget figures, findings.

    `parties` and `single_applicant_granted` are the plan's, as `check_modelplan_v2` takes
    them; a v1 document ignores them (v1 reads neither). `say` says each label in the
    reader's language (`workflow.core.refusal_text.say`); left out, the report is in
    English."""
    if isinstance(doc, ModelplanV2):
        findings = check_modelplan_v2(doc, parties=parties,
                                      single_applicant_granted=single_applicant_granted)
        title = doc.base.title
    else:
        findings, title = check_modelplan(doc), doc.title
    blocks = _blocks(doc, findings)
    if fmt == "html":
        return _html(blocks, say(_title(title)), say)
    return _markdown(blocks, say)
