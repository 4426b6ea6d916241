"""Modelplan files: reading them, an empty template to fill in, and a readable report.

The checks themselves live in `states.modelplan`, so the engine's guard, the command line and
an assessor reading the report all judge a plan by the same rules (MP BE1–BE14).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Literal

import yaml

from states.modelplan import (
    BASISEISEN,
    REGIONAL_CONTEXT,
    SECTIONS,
    Modelplan,
    ModelplanError,
    Question,
    check_modelplan,
    format_eur,
    parse_modelplan,
)

MAX_FILE_BYTES = 1 << 20
"""The largest modelplan file read, in bytes: a filled-in modelplan is tens of kilobytes, and
one submitted travels in one event, which must fit in a log line (AZWA_MAX_LINE_BYTES, 1 MiB
by default). A larger file (or /dev/zero) is refused after this many bytes are read."""
MAX_DEPTH = 64
"""The deepest nesting of mappings and lists read, as for an event's payload (AZWA_MAX_DEPTH's
default; a modelplan needs three levels). Deeper input would exhaust the parser's recursion."""


class ModelplanFileError(Exception):
    """A modelplan file that cannot be read: the file, the line if known, the field if known."""

    def __init__(self, file: str, message: str, *, line: int | None = None,
                 path: str = "") -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(": ".join(p for p in (where, path, message) if p))
        self.file, self.line, self.path, self.message = file, line, path, message


def _too_deep() -> str:
    return f"nested deeper than {MAX_DEPTH} levels"


def _deepest_ok(data: object) -> bool:
    """Whether no mapping or list in `data` lies deeper than MAX_DEPTH (no recursion)."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        inner = (list(item.values()) if isinstance(item, dict)
                 else item if isinstance(item, list) else None)
        if inner is None:
            continue
        if depth > MAX_DEPTH:
            return False
        stack.extend((x, depth + 1) for x in inner)
    return True


def _load_json(text: str, file: str) -> object:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ModelplanFileError(file, f"not valid JSON: {error.msg} (column {error.colno})",
                                 line=error.lineno) from None
    except RecursionError:
        raise ModelplanFileError(file, _too_deep()) from None
    if not _deepest_ok(data):
        raise ModelplanFileError(file, _too_deep())
    return data


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing a mapping or list deeper than MAX_DEPTH before composing it
    (PyYAML composes nodes recursively: 5,000 levels would end in a RecursionError)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooDeep(mark.line + 1)
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self.depth -= 1


def _load_yaml(text: str, file: str) -> object:
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except _TooDeep as deep:
        raise ModelplanFileError(file, _too_deep(), line=deep.line) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        detail = " ".join(str(problem).split())
        if mark is not None:
            raise ModelplanFileError(file, f"not valid YAML: {detail} (column {mark.column + 1})",
                                     line=mark.line + 1) from None
        raise ModelplanFileError(file, f"not valid YAML: {detail}") from None


def load_data(file: str | Path) -> object:
    """The file's content as plain data: JSON or YAML by extension, else JSON and then YAML.

    At most MAX_FILE_BYTES are read, nesting at most MAX_DEPTH deep."""
    name = str(file)
    try:
        with Path(file).open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise ModelplanFileError(name, f"larger than {MAX_FILE_BYTES:,} bytes, the most a "
                                           "modelplan file may hold")
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ModelplanFileError(name, f"cannot read the file: {reason}") from None
    suffix = Path(file).suffix.lower()
    if suffix == ".json":
        return _load_json(text, name)
    if suffix in (".yaml", ".yml"):
        return _load_yaml(text, name)
    try:
        return _load_json(text, name)
    except ModelplanFileError as json_error:
        try:
            return _load_yaml(text, name)
        except ModelplanFileError:
            if text.lstrip().startswith(("{", "[")):
                raise json_error from None
            raise


def read_modelplan(file: str | Path) -> Modelplan:
    """Read and parse one modelplan file; any problem is a `ModelplanFileError`."""
    data = load_data(file)
    try:
        return parse_modelplan(data)
    except ModelplanError as error:
        raise ModelplanFileError(str(file), error.message, path=error.path) from None


# --- template ----------------------------------------------------------------------------------


def _question_note(question: Question) -> str:
    parts = [f"{question.label}: {question.text}" if question.label else question.text]
    if question.basiseis is not None:
        parts.append(f"(basiseis {question.basiseis})")
    if question.regional_context:
        parts.append(REGIONAL_CONTEXT)
    if question.if_applicable:
        parts.append("(slechts indien van toepassing)")
    return " ".join(parts)


def _basiseis_note(number: int) -> str:
    basiseis = BASISEISEN[number]
    note = f"{number}. {basiseis.title}: {basiseis.explanation}"
    if number == 8:
        note += " Geldt niet als social_domain_budget true is."
    return note


def _comment(text: str, indent: int) -> list[str]:
    """Wrapped comment lines; the regional-context marker is kept on one line."""
    prefix = " " * indent + "# "
    kept = text.replace(REGIONAL_CONTEXT, REGIONAL_CONTEXT.replace(" ", "\xa0"))
    lines = textwrap.wrap(kept, width=100, initial_indent=prefix, subsequent_indent=prefix,
                          break_on_hyphens=False, break_long_words=False)
    return [line.replace("\xa0", " ") for line in lines]


_YAML_HEAD = """\
# Modelplan doorbraakmiddelen AZWA 2027–2028
# Vul elk antwoord in tussen de aanhalingstekens. Controleer met: azwa modelplan check BESTAND
title: ""
# Indienende partijen; minstens twee, tenzij een gezamenlijke aanvraag meer nadelen heeft (BE12).
applicants: []
#  - org: "Naam zorgaanbieder"
#    role: plan_maker
# Alleen bij één aanvrager: waarom heeft een gezamenlijke aanvraag meer nadelen dan voordelen?
joint_application_exemption: null
# true als de aanvraag valt onder de 2x100 miljoen voor het sociaal domein (dan geldt BE8 niet).
social_domain_budget: false
"""

_YAML_TAIL = """\
# Beoogde arbeidsbesparing in fte per miljoen euro (BE1).
fte_per_million_eur: null
# Begroting: één regel per jaar, soort lasten, type kosten en zorgaanbieder (BE4, BE9).
budget: []
#  - year: 2027                 # 2027 of 2028
#    category: personnel        # personnel (personele lasten) of material (materiële lasten)
#    kind: incidental           # incidental (incidenteel/investering) of structural
#    amount_eur: 0
#    provider: "Naam zorgaanbieder"   # een van de applicants
#    description: ""
# Onderbouwde structurele besparing per jaar; minstens de structurele kosten per jaar (BE9).
structural_savings_eur_per_year: null
"""


def _yaml_template() -> str:
    lines = _YAML_HEAD.splitlines()
    lines.append("# Hoe voldoet het plan aan elke basiseis?")
    lines.append("basiseisen:")
    for number in BASISEISEN:
        lines += _comment(_basiseis_note(number), 2)
        lines.append(f'  "{number}": ""')
    lines.append("sections:")
    for section in SECTIONS:
        title = section.title
        if section.basiseis is not None:
            title += f" (basiseis {section.basiseis})"
        lines += _comment(title, 2)
        lines.append(f"  {section.key}:")
        for question in section.questions:
            lines += _comment(_question_note(question), 4)
            lines.append(f'    {question.key}: ""')
    return "\n".join([*lines, *_YAML_TAIL.splitlines()]) + "\n"


def _json_template() -> str:
    doc: dict[str, object] = {
        "_toelichting": "Modelplan doorbraakmiddelen AZWA 2027–2028. Velden die met _ beginnen "
                        "zijn toelichting en worden niet gelezen.",
        "title": "",
        "applicants": [],
        "_applicants": {"org": "Naam zorgaanbieder", "role": "plan_maker"},
        "joint_application_exemption": None,
        "social_domain_budget": False,
        "basiseisen": {"_vragen": {str(n): _basiseis_note(n) for n in BASISEISEN},
                       **{str(n): "" for n in BASISEISEN}},
        "sections": {
            section.key: {
                "_titel": section.title,
                "_vragen": {q.key: _question_note(q) for q in section.questions},
                **{q.key: "" for q in section.questions},
            }
            for section in SECTIONS
        },
        "fte_per_million_eur": None,
        "budget": [],
        "_budget": {"year": "2027 of 2028", "category": "personnel of material",
                    "kind": "incidental of structural", "amount_eur": 0,
                    "provider": "een van de applicants", "description": ""},
        "structural_savings_eur_per_year": None,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def template(fmt: Literal["yaml", "json"] = "yaml") -> str:
    """An empty modelplan carrying every question of the seed, ready to fill in; it parses."""
    return _yaml_template() if fmt == "yaml" else _json_template()


# --- report ------------------------------------------------------------------------------------


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


def _blocks(doc: Modelplan) -> list[_Block]:
    findings = check_modelplan(doc)
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
        if number == 8 and doc.social_domain_budget:
            blocks.append(_Para("Does not apply to the social-domain budget.", note=True))
        else:
            blocks.append(_answer(doc.basiseisen.get(number, "")))
    for section in SECTIONS:
        suffix = f" (BE{section.basiseis})" if section.basiseis is not None else ""
        blocks.append(_Heading(2, section.title + suffix))
        answers = doc.sections.get(section.key, {})
        for question in section.questions:
            blocks.append(_Para(_question_note(question), note=True))
            blocks.append(_answer(answers.get(question.key, "")))
    blocks += _budget_blocks(doc)
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


def report(doc: Modelplan, fmt: Literal["md", "html"] = "md") -> str:
    """A readable overview for coalition and assessors: answers, budget figures, findings."""
    blocks = _blocks(doc)
    if fmt == "html":
        return _html(blocks, f"Modelplan: {doc.title or '(untitled)'}")
    return _markdown(blocks)
