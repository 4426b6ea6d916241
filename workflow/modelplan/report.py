"""A readable overview of a modelplan for coalition and assessors: answers, budget, findings.

The findings are those of the version the document was read for: `check_modelplan`
(`transformation@1`) for a `Modelplan`, `check_modelplan_v2` (`transformation@2`) for a
`ModelplanV2`, whose report also shows its business case, data conditions and KPIs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from states.modelplan import BASISEISEN, SECTIONS, Finding, Modelplan, check_modelplan, format_eur
from states.modelplan_v2 import check_modelplan_v2
from states.modelplan_v2_doc import DATA_CONDITIONS, ModelplanV2
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


def _budget_blocks(doc: Modelplan) -> list[_Block]:
    years = sorted({line.year for line in doc.budget})

    def total(year: int | None = None, attr: str = "", value: str = "") -> str:
        return format_eur(sum(
            line.amount_eur for line in doc.budget
            if (year is None or line.year == year) and (not attr or getattr(line, attr) == value)))

    def by_year(attr: str, values: tuple[str, str]) -> _Table:
        rows = [(str(y), *(total(y, attr, v) for v in values), total(y)) for y in years]
        rows.append(("Total", *(total(None, attr, v) for v in values), total()))
        return _Table(("Year", *(v.capitalize() for v in values), "Total"), tuple(rows))

    providers = sorted({line.provider for line in doc.budget})
    costs = doc.structural_costs_by_year()
    fte = doc.fte_per_million_eur
    blocks: list[_Block] = [
        _Heading(2, "Budget"),
        _Heading(3, "By year and category"),
        by_year("category", ("personnel", "material")),
        _Heading(3, "Incidental and structural"),
        by_year("kind", ("incidental", "structural")),
        _Heading(3, "Amount per provider"),
        _Table(("Provider", "Amount"), tuple((p, total(None, "provider", p)) for p in providers)),
        _Heading(3, "Structural costs and savings (BE9)"),
        _Table(("Year", "Structural costs"), tuple((str(y), format_eur(c))
                                                   for y, c in sorted(costs.items()))),
        _Para(_savings_verdict(doc)),
        _Heading(3, "Labour (BE1)"),
    ]
    if fte is None:
        blocks.append(_Para("fte per million euro: not given"))
    else:
        expected = fte * doc.total_eur / 1_000_000
        blocks.append(_Para(f"fte per million euro: {fte:g} (expected labour saving "
                            f"{expected:.1f} fte on a budget of {format_eur(doc.total_eur)})"))
    return blocks


def _savings_verdict(doc: Modelplan) -> str:
    savings = doc.structural_savings_eur_per_year
    shown = format_eur(savings) if savings is not None else "not given"
    peak = doc.peak_structural_costs()
    if peak is None:
        return f"Structural savings a year: {shown}; there are no structural costs."
    year, costs = peak
    verdict = "cover" if costs <= (savings or 0) else "do not cover"
    return (f"Structural savings a year: {shown}; they {verdict} the largest structural costs "
            f"a year ({format_eur(costs)} in {year}).")


def _v2_blocks(doc: ModelplanV2) -> list[_Block]:
    case = doc.business_case
    figures = (("Costs", case.costs_eur if case else None),
                ("Benefits", case.benefits_eur if case else None))
    rows = [(name, "not given" if value is None else format_eur(value)) for name, value in figures]
    years = case.horizon_years if case else None
    rows.append(("Horizon", "not given" if years is None else f"{years} year(s)"))
    blocks: list[_Block] = [_Heading(2, "Business case in figures (BE2)"),
                            _Table(("Figure", "Value"), tuple(rows)),
                            _Heading(2, "Data conditions (BE10)")]
    for key, label in DATA_CONDITIONS.items():
        blocks.append(_Para(label, note=True))
        blocks.append(_answer(doc.data_conditions.get(key, "")))
    blocks.append(_Heading(2, "Milestones and KPIs"))
    blocks.append(_Table(("KPI", "Description", "Due", "Amount"), tuple(
        (k.id, k.description, k.due.isoformat(),
         "" if k.amount_eur is None else format_eur(k.amount_eur)) for k in doc.kpis),
        numeric_from=3))
    return blocks


def _blocks(read: Modelplan | ModelplanV2, findings: list[Finding]) -> list[_Block]:
    doc = read.base if isinstance(read, ModelplanV2) else read
    verdict = ("Check: ok, no findings" if not findings
               else f"Check: {len(findings)} finding{'s' if len(findings) > 1 else ''}")
    blocks: list[_Block] = [_Heading(1, f"Modelplan: {doc.title or '(untitled)'}"),
                            _Para(verdict), _Heading(2, "Applicants")]
    blocks.append(_Table(("Organisation", "Role"),
                         tuple((a.org, a.role) for a in doc.applicants), numeric_from=2))
    if doc.joint_application_exemption:
        blocks.append(_Para(f"Exemption from a joint application (BE12): "
                            f"{doc.joint_application_exemption}"))
    blocks.append(_Heading(2, "Basiseisen"))
    for number, basiseis in BASISEISEN.items():
        blocks.append(_Heading(3, f"BE{number} {basiseis.title}"))
        if number == 8 and doc.social_domain_budget and not isinstance(read, ModelplanV2):
            blocks.append(_Para("Does not apply to the social-domain budget.", note=True))
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
    blocks.append(_Heading(2, "Findings"))
    blocks.append(_Table(("Basiseis", "Field", "Message"),
                         tuple((str(f.basiseis), f.field, f.message) for f in findings),
                         numeric_from=3))
    return blocks


def _answer(text: str) -> _Para:
    return _Para(text.strip()) if text.strip() else _Para("(not answered)", note=True)


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _markdown(blocks: Sequence[_Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, _Heading):
            out.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, _Para):
            out.append(f"*{block.text}*" if block.note else block.text)
        elif not block.rows:
            out.append("*(none)*")
        else:
            aligns = ["---:" if i >= block.numeric_from else "---"
                      for i in range(len(block.headers))]
            rows = [block.headers, tuple(aligns), *block.rows]
            out.append("\n".join("| " + " | ".join(_md_cell(c) for c in row) + " |"
                                 for row in rows))
    return "\n\n".join(out) + "\n"


def _html(blocks: Sequence[_Block], title: str) -> str:
    out = ["<!DOCTYPE html>", '<html lang="nl">', '<head><meta charset="utf-8">',
           f"<title>{escape(title)}</title>",
           "<style>td.n{text-align:right} .note{color:#555;font-style:italic}</style>",
           "</head>", "<body>"]
    for block in blocks:
        if isinstance(block, _Heading):
            out.append(f"<h{block.level}>{escape(block.text)}</h{block.level}>")
        elif isinstance(block, _Para):
            body = escape(block.text).replace("\n", "<br>")
            out.append(f'<p class="note">{body}</p>' if block.note else f"<p>{body}</p>")
        elif not block.rows:
            out.append('<p class="note">(none)</p>')
        else:
            head = "".join(f"<th>{escape(h)}</th>" for h in block.headers)
            body_rows = "".join(
                "<tr>" + "".join(
                    f'<td class="n">{escape(c)}</td>' if i >= block.numeric_from
                    else f"<td>{escape(c)}</td>" for i, c in enumerate(row)) + "</tr>"
                for row in block.rows)
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def report(doc: Modelplan | ModelplanV2, fmt: Literal["md", "html"] = "md", *,
           parties: Sequence[str] | None = None, single_applicant_granted: bool = False) -> str:
    """A readable overview for coalition and assessors: answers, budget figures, findings.

    `parties` and `single_applicant_granted` are the plan's, as `check_modelplan_v2` takes
    them; a v1 document ignores them (v1 reads neither)."""
    if isinstance(doc, ModelplanV2):
        findings = check_modelplan_v2(doc, parties=parties,
                                      single_applicant_granted=single_applicant_granted)
        title = doc.base.title
    else:
        findings, title = check_modelplan(doc), doc.title
    blocks = _blocks(doc, findings)
    if fmt == "html":
        return _html(blocks, f"Modelplan: {title or '(untitled)'}")
    return _markdown(blocks)
