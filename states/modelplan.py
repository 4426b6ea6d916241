"""The modelplan of the breakthrough track (MP): its questions, its basiseisen and their checks.

A coalition fills in one modelplan per application for the AZWA doorbraakmiddelen 2027–2028.
This module is the process definition's side of it: the sections and questions as the seed
words them (MP §I, §II), the fourteen basiseisen (MP BE1–BE14), a strict reader that turns a
JSON/YAML value into a typed `Modelplan`, and `check_modelplan`, the guard the engine runs on
`submit_plan`. Parsing and checking are separate on purpose: a document that cannot be read
is the sender's error (`ModelplanError`), a readable document that falls short of a basiseis
gives findings, all at once, so a coalition can mend everything in one round.

Two findings have no basiseis of their own in the seed, and carry the closest one:
- an empty budget carries BE4 (Tijdige besteding): without budget lines nothing shows that the
  money is spent in 2027 and 2028;
- a budget line for a provider that is not an applicant carries BE12 (Gezamenlijke
  aanvragen): the amount per provider exists so that money asked by the coalition can be
  allotted to its individual providers (VAT, MP §II Financiën), so each provider must be one
  of the coalition's applicants.

Keys starting with "_" are notes (the JSON template uses them for the questions) and ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast, get_args

from states.modelplan_seed import (
    BASISEISEN,
    REGIONAL_CONTEXT,
    SECTION_BY_KEY,
    SECTIONS,
    Basiseis,
    Question,
    Section,
)
from workflow.core.money import format_eur as format_cents
from workflow.core.money import stored_cents
from workflow.core.phrase import Euros, Phrase

__all__ = [
    "BASISEISEN",
    "BUDGET_YEARS",
    "REGIONAL_CONTEXT",
    "SECTIONS",
    "SECTION_BY_KEY",
    "Applicant",
    "Basiseis",
    "BudgetLine",
    "Finding",
    "Modelplan",
    "ModelplanError",
    "Question",
    "Section",
    "answer_findings",
    "budget_findings",
    "by_basiseis",
    "check_modelplan",
    "euros",
    "format_eur",
    "joint_application_findings",
    "labour_findings",
    "parse_modelplan",
    "savings_findings",
]

Category = Literal["personnel", "material"]
Kind = Literal["incidental", "structural"]
BUDGET_YEARS = (2027, 2028)


@dataclass(frozen=True)
class Applicant:
    """A party of the coalition that applies (MP BE12)."""

    org: str
    role: str = "plan_maker"


@dataclass(frozen=True)
class BudgetLine:
    """One budget amount, split as MP §II Financiën asks: year, category, kind, provider."""

    year: int
    category: Category
    kind: Kind
    amount_eur: float
    provider: str
    description: str = ""


@dataclass(frozen=True)
class Modelplan:
    """A filled-in modelplan; `basiseisen` holds all fourteen numbers, unanswered ones as ""."""

    applicants: tuple[Applicant, ...]
    joint_application_exemption: str | None
    social_domain_budget: bool
    basiseisen: Mapping[int, str]
    sections: Mapping[str, Mapping[str, str]]
    fte_per_million_eur: float | None
    budget: tuple[BudgetLine, ...]
    structural_savings_eur_per_year: float | None
    title: str = ""

    @property
    def total_eur(self) -> float:
        return sum(line.amount_eur for line in self.budget)

    def structural_costs_by_year(self) -> dict[int, float]:
        """Sum of the structural budget lines per year, the costs BE9 weighs against savings."""
        costs: dict[int, float] = {}
        for line in self.budget:
            if line.kind == "structural":
                costs[line.year] = costs.get(line.year, 0) + line.amount_eur
        return costs

    def peak_structural_costs(self) -> tuple[int, float] | None:
        """The (earliest) year with the highest structural costs and those costs; None if none."""
        costs = self.structural_costs_by_year()
        if not costs:
            return None
        year = max(costs, key=lambda y: (costs[y], -y))
        return year, costs[year]


@dataclass(frozen=True)
class Finding:
    """A way the modelplan falls short, with the basiseis it concerns and the field to mend."""

    basiseis: int
    field: str
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"basiseis": self.basiseis, "field": self.field, "message": self.message}


class ModelplanError(ValueError):
    """The document cannot be read as a modelplan; `path` names the field, e.g. budget[2].year."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message
        self.text = Phrase("{path}: {message}", path=path, message=message) if path else message
        """The whole message, said in the reader's language at the edge (a `Phrase`)."""


def format_eur(amount: float) -> str:
    """Euros (a modelplan's amounts are numbers of euros) as workflow.core.money shows them,
    rounded to the cent; a whole number of euros without cents."""
    return format_cents(stored_cents(amount), cents_if_any=float(amount).is_integer())


def euros(amount: float) -> Euros:
    """An amount in a finding: `format_eur`'s text in English, the reader's format else."""
    return Euros(stored_cents(amount), format_eur(amount))


# --- reading -----------------------------------------------------------------------------------

_REQUIRED = ("applicants", "basiseisen", "sections", "fte_per_million_eur", "budget",
             "structural_savings_eur_per_year")
_OPTIONAL = ("title", "joint_application_exemption", "social_domain_budget")


def _kind_of(value: object) -> str:
    names = {bool: Phrase("true/false"), int: Phrase("a whole number"),
             float: Phrase("a number"), str: Phrase("text"), list: Phrase("a list"),
             dict: Phrase("a mapping"), type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _notes_dropped(value: object, path: str) -> dict[object, object]:
    if not isinstance(value, dict):
        raise ModelplanError(path, Phrase("must be a mapping, got {kind}",
                                           kind=_kind_of(value)))
    return {k: v for k, v in value.items() if not (isinstance(k, str) and k.startswith("_"))}


def _fields(value: object, path: str, required: tuple[str, ...],
            optional: tuple[str, ...] = ()) -> dict[object, object]:
    data = _notes_dropped(value, path)
    known = required + optional
    for key in data:
        if key not in known:
            raise ModelplanError(_join(path, key), Phrase("unknown field; expected {fields}",
                                                           fields=", ".join(known)))
    for key in required:
        if key not in data:
            raise ModelplanError(_join(path, key), Phrase("is required but missing"))
    return data


def _text(value: object, path: str) -> str:
    """Free text; null counts as empty, because a YAML key left blank reads as null."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ModelplanError(path, Phrase("must be text, got {kind}", kind=_kind_of(value)))
    return value


def _name(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ModelplanError(path, Phrase("must be a non-empty name, got {kind}",
                                          kind=_kind_of(value)))
    return value.strip()


def _number(value: object, path: str, *, non_negative: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ModelplanError(path, Phrase("must be a number, got {kind}", kind=_kind_of(value)))
    if not math.isfinite(value):
        raise ModelplanError(path, Phrase("must be a finite number"))
    if non_negative and value < 0:
        raise ModelplanError(path, Phrase("must not be negative, got {value}", value=value))
    return value


def _optional_number(value: object, path: str, *, non_negative: bool) -> float | None:
    """A figure not yet filled in (null) is a finding of the check, not a reading error."""
    return None if value is None else _number(value, path, non_negative=non_negative)


def _year(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        shown = f" {value!r}" if isinstance(value, str) else ""
        raise ModelplanError(path, Phrase("must be a year as a whole number such as 2027, "
                                          "got {kind}{shown}", kind=_kind_of(value),
                                          shown=shown))
    return value


def _choice(value: object, path: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ModelplanError(path, Phrase("must be one of {allowed}, got {value!r}",
                                          allowed=", ".join(allowed), value=value))
    return value


def _list(value: object, path: str) -> list[object]:
    if not isinstance(value, list):
        raise ModelplanError(path, Phrase("must be a list, got {kind}", kind=_kind_of(value)))
    return value


def _applicant(value: object, path: str) -> Applicant:
    data = _fields(value, path, ("org",), ("role",))
    role = _name(data["role"], f"{path}.role") if "role" in data else "plan_maker"
    return Applicant(org=_name(data["org"], f"{path}.org"), role=role)


def _budget_line(value: object, path: str) -> BudgetLine:
    data = _fields(value, path, ("year", "category", "kind", "amount_eur", "provider"),
                   ("description",))
    return BudgetLine(
        year=_year(data["year"], f"{path}.year"),
        category=cast(Category, _choice(data["category"], f"{path}.category", get_args(Category))),
        kind=cast(Kind, _choice(data["kind"], f"{path}.kind", get_args(Kind))),
        amount_eur=_number(data["amount_eur"], f"{path}.amount_eur", non_negative=True),
        provider=_name(data["provider"], f"{path}.provider"),
        description=_text(data.get("description"), f"{path}.description"),
    )


def _basiseisen(value: object) -> dict[int, str]:
    """Numbers "1".."14" (YAML may give them as whole numbers); a missing one stays empty."""
    answers = dict.fromkeys(BASISEISEN, "")
    seen: set[int] = set()
    for key, answer in _notes_dropped(value, "basiseisen").items():
        number = int(key) if isinstance(key, str) and key.isdigit() else key
        path = _join("basiseisen", key)
        if isinstance(number, bool) or not isinstance(number, int) or number not in BASISEISEN:
            raise ModelplanError(path, Phrase("unknown basiseis; expected the numbers 1 to 14"))
        if number in seen:
            raise ModelplanError(path, Phrase("basiseis given twice"))
        seen.add(number)
        answers[number] = _text(answer, path)
    return answers


def _sections(value: object) -> dict[str, dict[str, str]]:
    """Every section must be there; a question may be left out (several apply only at times)."""
    data = _fields(value, "sections", tuple(SECTION_BY_KEY))
    sections: dict[str, dict[str, str]] = {}
    for section in SECTIONS:
        path = f"sections.{section.key}"
        given = _fields(data[section.key], path, (), section.question_keys())
        sections[section.key] = {
            key: _text(given.get(key), f"{path}.{key}") for key in section.question_keys()
        }
    return sections


def parse_modelplan(data: object) -> Modelplan:
    """Read a modelplan from parsed JSON/YAML; raise `ModelplanError` naming the bad field.

    Empty answers are accepted here: an unanswered basiseis is a finding of `check_modelplan`,
    so the empty template reads.
    """
    if not isinstance(data, dict):
        raise ModelplanError("", Phrase("a modelplan must be a mapping of fields, got {kind}",
                                        kind=_kind_of(data)))
    top = _fields(data, "", _REQUIRED, _OPTIONAL)
    exemption = _text(top.get("joint_application_exemption"), "joint_application_exemption")
    social = top.get("social_domain_budget", False)
    if not isinstance(social, bool):
        raise ModelplanError("social_domain_budget", Phrase("must be true or false, got {kind}",
                                                            kind=_kind_of(social)))
    return Modelplan(
        title=_text(top.get("title"), "title"),
        applicants=tuple(_applicant(item, f"applicants[{i}]")
                         for i, item in enumerate(_list(top["applicants"], "applicants"))),
        joint_application_exemption=exemption or None,
        social_domain_budget=social,
        basiseisen=_basiseisen(top["basiseisen"]),
        sections=_sections(top["sections"]),
        fte_per_million_eur=_optional_number(top["fte_per_million_eur"], "fte_per_million_eur",
                                             non_negative=False),
        budget=tuple(_budget_line(item, f"budget[{i}]")
                     for i, item in enumerate(_list(top["budget"], "budget"))),
        structural_savings_eur_per_year=_optional_number(
            top["structural_savings_eur_per_year"], "structural_savings_eur_per_year",
            non_negative=True),
    )


# --- checking ----------------------------------------------------------------------------------


def answer_findings(doc: Modelplan) -> list[Finding]:
    """MP BE1–BE14 as v1 reads them: each basiseis answered (BE8 not for the social domain)."""
    findings: list[Finding] = []
    for number, basiseis in BASISEISEN.items():
        if number == 8 and doc.social_domain_budget:
            continue  # MP BE8: does not apply to the 2x100 million for the social domain
        if not doc.basiseisen.get(number, "").strip():
            findings.append(Finding(number, f"basiseisen.{number}", Phrase(
                "basiseis {number} ({title}) is not addressed: describe how the plan meets it",
                number=number, title=basiseis.title)))
    return findings


def joint_application_findings(doc: Modelplan) -> list[Finding]:
    """MP BE12 as v1 reads it: two or more applicants, or an exemption argued in the document."""
    orgs = {applicant.org for applicant in doc.applicants}
    exemption = (doc.joint_application_exemption or "").strip()
    if not orgs:
        return [Finding(12, "applicants", Phrase("no applicants are named"))]
    if len(orgs) < 2 and not exemption:
        return [Finding(12, "applicants", Phrase(
            "a joint application needs two or more applicants, or an argued "
            "joint_application_exemption"))]
    return []


def labour_findings(doc: Modelplan) -> list[Finding]:
    """MP BE1: the impact on labour as a positive number of fte per million euro."""
    fte = doc.fte_per_million_eur
    if fte is None or fte <= 0:
        return [Finding(1, "fte_per_million_eur", Phrase(
            "the impact on labour must be a positive number of fte per million euro"))]
    return []


def budget_findings(doc: Modelplan) -> list[Finding]:
    """MP BE4: a budget, only in 2027–2028; MP BE12: each line for one of the applicants."""
    orgs = {applicant.org for applicant in doc.applicants}
    findings: list[Finding] = []
    if not doc.budget:
        findings.append(Finding(4, "budget", Phrase(
            "the budget is empty: give the amounts by year, category, kind and provider")))
    for i, line in enumerate(doc.budget):
        if line.year not in BUDGET_YEARS:
            findings.append(Finding(4, f"budget[{i}].year", Phrase(
                "year {year} is outside 2027–2028, the years the funds must be spent in",
                year=line.year)))
        if line.provider not in orgs:
            findings.append(Finding(12, f"budget[{i}].provider", Phrase(
                "provider {provider!r} is not an applicant: the amount per provider must go to "
                "a party of the coalition (VAT)", provider=line.provider)))
    return findings


def savings_findings(doc: Modelplan) -> list[Finding]:
    """MP BE9: the structural savings a year cover the largest structural costs of a year."""
    savings = doc.structural_savings_eur_per_year or 0
    peak = doc.peak_structural_costs()
    if peak is not None and peak[1] > savings:
        year, costs = peak
        return [Finding(9, "structural_savings_eur_per_year", Phrase(
            "structural costs of {costs} in {year} exceed the structural savings of {savings} "
            "a year", costs=euros(costs), year=year, savings=euros(savings)))]
    return []


def by_basiseis(findings: list[Finding]) -> list[Finding]:
    """Ordered by basiseis; findings of one basiseis keep the order they were found in."""
    return sorted(findings, key=lambda f: f.basiseis)


def check_modelplan(doc: Modelplan) -> list[Finding]:
    """Every finding at once, ordered by basiseis; an empty list means the checklist is met.

    This is the check of `transformation@1`, kept as it is; `states.modelplan_v2` composes
    the rules above that `transformation@2` keeps with its own."""
    return by_basiseis([*answer_findings(doc), *joint_application_findings(doc),
                        *labour_findings(doc), *budget_findings(doc), *savings_findings(doc)])
