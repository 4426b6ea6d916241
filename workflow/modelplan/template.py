"""The empty modelplan to fill in, for `transformation@2` (default) or `transformation@1`.

Every question of the seed (MP §I, §II) and every basiseis (MP BE1–BE14) is in it, in the
seed's Dutch words, as a YAML comment or a JSON `_vragen` entry. The v2 template adds the
fields of its measurable tests (`business_case`, `data_conditions`, `kpis`; see
`states.modelplan_v2_doc`); the v1 template is the one `transformation@1` reads, unchanged.
Both parse as they are, so a coalition can check the empty file and see what is asked.
"""

from __future__ import annotations

import json
import textwrap
from typing import Literal

from states.modelplan import BASISEISEN, REGIONAL_CONTEXT, SECTIONS, Question
from states.modelplan_v2_doc import DATA_CONDITIONS

__all__ = ["question_note", "template"]


def question_note(question: Question) -> str:
    parts = [f"{question.label}: {question.text}" if question.label else question.text]
    if question.basiseis is not None:
        parts.append(f"(basiseis {question.basiseis})")
    if question.regional_context:
        parts.append(REGIONAL_CONTEXT)
    if question.if_applicable:
        parts.append("(slechts indien van toepassing)")
    return " ".join(parts)


def _basiseis_note(number: int, version: int) -> str:
    basiseis = BASISEISEN[number]
    note = f"{number}. {basiseis.title}: {basiseis.explanation}"
    if number == 8 and version == 1:
        note += " Geldt niet als social_domain_budget true is."
    elif number == 8:
        note += (" Beschrijf hier hoe de impuls na afloop geborgd wordt; de eerste zin "
                 "(sections.financien.eenmalige_impuls) vervalt alleen als "
                 "social_domain_budget true is.")
    elif number == 2 and version == 2:
        note += " De getallen staan in business_case."
    elif number == 10 and version == 2:
        note += " De drie aspecten staan in data_conditions."
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


def _yaml_template(version: int) -> str:
    lines = _YAML_HEAD.splitlines() if version == 1 else _YAML_HEAD_V2.splitlines()
    lines.append("# Hoe voldoet het plan aan elke basiseis?")
    lines.append("basiseisen:")
    for number in BASISEISEN:
        lines += _comment(_basiseis_note(number, version), 2)
        lines.append(f'  "{number}": ""')
    lines.append("sections:")
    for section in SECTIONS:
        title = section.title
        if section.basiseis is not None:
            title += f" (basiseis {section.basiseis})"
        lines += _comment(title, 2)
        lines.append(f"  {section.key}:")
        for question in section.questions:
            lines += _comment(question_note(question), 4)
            lines.append(f'    {question.key}: ""')
    tail = _YAML_TAIL if version == 1 else _YAML_TAIL + _YAML_TAIL_V2
    return "\n".join([*lines, *tail.splitlines()]) + "\n"


def _json_template(version: int) -> str:
    doc: dict[str, object] = {
        "_toelichting": "Modelplan doorbraakmiddelen AZWA 2027–2028. Velden die met _ beginnen "
                        "zijn toelichting en worden niet gelezen.",
        "title": "",
        "applicants": [],
        "_applicants": {"org": "Naam zorgaanbieder", "role": "plan_maker"},
        "joint_application_exemption": None,
        "social_domain_budget": False,
        "basiseisen": {"_vragen": {str(n): _basiseis_note(n, version) for n in BASISEISEN},
                       **{str(n): "" for n in BASISEISEN}},
        "sections": {
            section.key: {
                "_titel": section.title,
                "_vragen": {q.key: question_note(q) for q in section.questions},
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
    if version == 2:
        doc["_joint_application_exemption"] = _EXEMPTION_V2
        doc.update(_JSON_V2)
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


_EXEMPTION_V2 = ("Telt niet onder transformation@2: één aanvrager mag alleen als de "
                 "coördinerende zorgverzekeraar dat toestaat (grant_single_applicant).")
_YAML_HEAD_V2 = _YAML_HEAD.replace(
    "voordelen?\n", "voordelen?\n" + "\n".join(_comment(_EXEMPTION_V2, 0)) + "\n").replace(
    "(dan geldt BE8 niet).", "(dan vervalt de\n# eerste zin van BE8).")

_YAML_TAIL_V2 = """\
# Business case in getallen (BE2): kosten (minstens de gevraagde middelen) en baten over de
# looptijd in jaren; de baten moeten hoger zijn dan de kosten.
business_case:
  costs_eur: null
  benefits_eur: null
  horizon_years: null
# Randvoorwaarden gegevensuitwisseling en databeschikbaarheid: de drie aspecten die BE10
# minimaal vraagt.
data_conditions:
""" + "".join(f'  # {label}\n  {key}: ""\n' for key, label in DATA_CONDITIONS.items()) + """\
# Mijlpalen en KPI's met streefdata, in 2027 of 2028 (BE4).
kpis: []
#  - id: k1
#    description: ""
#    due: "2027-10-01"         # tussen aanhalingstekens: een datum als tekst
#    amount_eur: 0              # optioneel; positief
"""

_JSON_V2: dict[str, object] = {
    "_business_case": "BE2: kosten (minstens de gevraagde middelen) en baten over horizon_years "
                      "jaar; de baten moeten hoger zijn dan de kosten.",
    "business_case": {"costs_eur": None, "benefits_eur": None, "horizon_years": None},
    "_data_conditions": {key: label for key, label in DATA_CONDITIONS.items()},
    "data_conditions": dict.fromkeys(DATA_CONDITIONS, ""),
    "kpis": [],
    "_kpis": {"id": "k1", "description": "", "due": "2027-10-01 (in 2027 of 2028)",
              "amount_eur": "optioneel; positief"},
}


def template(fmt: Literal["yaml", "json"] = "yaml", version: Literal[1, 2] = 2) -> str:
    """An empty modelplan carrying every question of the seed, ready to fill in; it parses
    under its version (`transformation@2` by default)."""
    return _yaml_template(version) if fmt == "yaml" else _json_template(version)
