"""The settings transformation@2 reads, each with its shipped default (docs/versions.md).

Read once, when first asked (a process keeps its rules for its whole life):

- `AZWA_TRANSFORMATION_V2_FROM`: the ISO date from which new plans are registered under
  transformation@2 (default 2026-01-01); earlier registrations stay under transformation@1.
- `AZWA_REGIONS_FILE`: a text file of the known region codes, one a line, replacing the
  shipped list `REGIONS` (a regional coordinator names one of them, A4 §1.b.3).
- `AZWA_NZA_ORG`, `AZWA_GOVERNANCE_BOARD_ORG`: the one organisation that may act as the NZa
  and as the governance board (default `NZa`, `Bestuurlijke groep AZWA`).
- `AZWA_SMALL_PROVIDER_MAX_FTE`: the size up to which a provider counts as `small` in the
  monitoring (A4 §4.a.1; default 50 fte): a party registered with its `fte` and without
  `provider_size` is `small` up to it and `large` above (`size_for_fte`).
"""

from __future__ import annotations

import os
from datetime import date
from functools import cache
from pathlib import Path

V2_FROM_DEFAULT = "2026-01-01"
NZA_DEFAULT, BOARD_DEFAULT = "NZa", "Bestuurlijke groep AZWA"
SMALL_PROVIDER_MAX_FTE_DEFAULT = 50

REGIONS: tuple[str, ...] = (
    "Achterhoek", "Amsterdam", "Apeldoorn-Zutphen", "Arnhem", "Drenthe", "Delft-Westland-Oostland",
    "Flevoland", "Friesland", "Gooi en Vechtstreek", "Groningen", "Haaglanden", "Kennemerland",
    "Midden-Brabant", "Midden-Holland", "Midden-IJssel", "Nijmegen", "Noord-Holland Noord",
    "Noord-Limburg", "Noordoost-Brabant", "Rotterdam", "Twente", "Utrecht", "Waardenland",
    "West-Brabant", "Zaanstreek-Waterland", "Zeeland", "Zuid-Holland Noord",
    "Zuid-Hollandse Eilanden", "Zuid-Limburg", "Zuidoost-Brabant", "Zwolle",
    "Amstelland en de Meerlanden",
)
"""The regions shipped with the package (the care-office regions the regional tables of the
agreement follow); `AZWA_REGIONS_FILE` replaces them."""

SECTORS: tuple[str, ...] = (
    "huisartsenzorg", "ziekenhuiszorg", "ggz", "wijkverpleging", "langdurige zorg",
    "sociaal domein", "farmacie", "paramedische zorg", "other",
)
"""The sectors the monitoring splits by (A4 §4.a.1 "uitgesplitst naar regio, sector")."""

PROVIDER_SIZES = ("small", "large")


class SettingError(ValueError):
    """A setting that cannot be used; the message names it."""


def region_code(name: object) -> str:
    """A region as a code: case and surrounding spaces do not tell regions apart."""
    return " ".join(str(name).split()).casefold() if isinstance(name, str) else ""


@cache
def v2_from() -> str:
    """The ISO date from which transformation@2 is in force for new registrations."""
    text = os.environ.get("AZWA_TRANSFORMATION_V2_FROM", "").strip() or V2_FROM_DEFAULT
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise SettingError(f"AZWA_TRANSFORMATION_V2_FROM must be a date YYYY-MM-DD, not "
                           f"{text[:20]!r}") from None


@cache
def known_regions() -> frozenset[str]:
    """The codes of the known regions: the shipped list, or the file the setting names."""
    path = os.environ.get("AZWA_REGIONS_FILE", "").strip()
    if not path:
        return frozenset(region_code(r) for r in REGIONS)
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingError(f"AZWA_REGIONS_FILE {path!r} cannot be read: {exc}") from None
    codes = frozenset(region_code(line) for line in lines if line.strip())
    if not codes:
        raise SettingError(f"AZWA_REGIONS_FILE {path!r} lists no region")
    return codes


@cache
def nza_org() -> str:
    return os.environ.get("AZWA_NZA_ORG", "").strip() or NZA_DEFAULT


@cache
def board_org() -> str:
    return os.environ.get("AZWA_GOVERNANCE_BOARD_ORG", "").strip() or BOARD_DEFAULT


@cache
def small_provider_max_fte() -> int:
    text = os.environ.get("AZWA_SMALL_PROVIDER_MAX_FTE", "").strip()
    if not text:
        return SMALL_PROVIDER_MAX_FTE_DEFAULT
    if not text.isdigit() or int(text) <= 0:
        raise SettingError(f"AZWA_SMALL_PROVIDER_MAX_FTE must be a whole number above 0, not "
                           f"{text[:20]!r}")
    return int(text)


def size_for_fte(fte: float) -> str:
    """`small` up to the threshold, `large` above it."""
    return "small" if fte <= small_provider_max_fte() else "large"
