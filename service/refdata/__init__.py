"""Reference data: administrative regions (GB/T 2260) and industries (GB/T 4754-2017).

Pure Python, no Flask or database imports. The TSV files next to this module are
read once, lazily, on first use (``functools.cache``); every lookup afterwards is
a dictionary access. See SOURCES.md for where the data comes from and how to
rebuild it.

Region codes: 6 digits for provinces (``130000``), prefecture-level cities
(``130100``) and counties/districts (``130102``); 9 digits for townships/streets
(``130102001``, Hebei only). Industry codes: section letter plus digits, so that
each level is a string prefix of the next: ``G`` > ``G60`` > ``G602`` > ``G6020``.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "Region", "Industry",
    "get_region", "region_children", "region_path", "region_ancestors_codes",
    "is_region", "region_full_name", "division_name_prefixes",
    "get_industry", "industry_children", "industry_path", "search_industries",
    "is_industry",
]

_DIR = Path(__file__).resolve().parent

# Grouping rows of the statistical data that are not real names of a place
# (e.g. 北京市 > 市辖区 > 朝阳区); they are skipped when names are joined.
_PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class Region:
    """One administrative division. ``level`` is province|city|county|township;
    ``custom`` is True for codes outside GB/T 2260 (e.g. 雄安新区, development zones)."""

    code: str
    name: str
    parent_code: str | None
    level: str
    custom: bool = False


@dataclass(frozen=True)
class Industry:
    """One GB/T 4754-2017 entry. ``level`` is section|division|group|class."""

    code: str
    name: str
    parent_code: str | None
    level: str


def _read_tsv(name: str) -> list[dict[str, str]]:
    with (_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _index(items: list) -> tuple[dict, dict]:
    """Return (by_code, children_by_parent) with children sorted by code."""
    by_code = {item.code: item for item in items}
    children: dict[str | None, list] = {}
    for item in sorted(items, key=lambda i: i.code):
        children.setdefault(item.parent_code, []).append(item)
    return by_code, children


@cache
def _regions() -> tuple[dict[str, Region], dict[str | None, list[Region]]]:
    return _index([
        Region(r["code"], r["name"], r["parent_code"] or None, r["level"], r["custom"] == "1")
        for r in _read_tsv("regions.tsv")
    ])


@cache
def _industries() -> tuple[dict[str, Industry], dict[str | None, list[Industry]]]:
    return _index([
        Industry(r["code"], r["name"], r["parent_code"] or None, r["level"])
        for r in _read_tsv("industries.tsv")
    ])


def _norm(code: object) -> str:
    return "" if code is None else str(code).strip()


# --------------------------------------------------------------------------- regions

def get_region(code: str) -> Region | None:
    """The region with this code, or None."""
    return _regions()[0].get(_norm(code))


def is_region(code: str) -> bool:
    """True if the code is a known region (standard or custom)."""
    return _norm(code) in _regions()[0]


def region_children(code: str | None = None) -> list[Region]:
    """Direct children sorted by code; ``None`` gives the provinces."""
    return list(_regions()[1].get(_norm(code) or None, []))


def region_path(code: str) -> list[Region]:
    """Root first, the region itself last; empty for an unknown code.

    For a township: [province, city, county, township]."""
    by_code = _regions()[0]
    path: list[Region] = []
    node = by_code.get(_norm(code))
    while node is not None:
        path.append(node)
        node = by_code.get(node.parent_code) if node.parent_code else None
    return path[::-1]


def region_ancestors_codes(code: str) -> list[str]:
    """Codes of the ancestors, nearest first, excluding the region itself."""
    return [r.code for r in reversed(region_path(code)[:-1])]


def _named_path(code: str) -> list[str]:
    return [r.name for r in region_path(code) if r.name not in _PLACEHOLDER_NAMES]


def region_full_name(code: str) -> str:
    """Names from the province down, e.g. 130102 -> 河北省石家庄市长安区
    (placeholders such as 市辖区 are skipped: 110105 -> 北京市朝阳区). '' if unknown."""
    return "".join(_named_path(code))


def division_name_prefixes(code: str) -> list[str]:
    """Names a federation of this region may start with, longest first.

    The concatenated path from each ancestor level down to the region itself:
    130102 -> ['河北省石家庄市长安区', '石家庄市长安区', '长安区']."""
    names = _named_path(code)
    return ["".join(names[i:]) for i in range(len(names))]


# ------------------------------------------------------------------------ industries

def get_industry(code: str) -> Industry | None:
    """The industry with this code (case-insensitive: 'g6020' works), or None."""
    return _industries()[0].get(_norm(code).upper())


def is_industry(code: str) -> bool:
    """True if the code is a GB/T 4754-2017 section, division, group or class."""
    return _norm(code).upper() in _industries()[0]


def industry_children(code: str | None = None) -> list[Industry]:
    """Direct children sorted by code; ``None`` gives the 20 sections A-T."""
    return list(_industries()[1].get(_norm(code).upper() or None, []))


def industry_path(code: str) -> list[Industry]:
    """Section first, the entry itself last; empty for an unknown code."""
    by_code = _industries()[0]
    path: list[Industry] = []
    node = by_code.get(_norm(code).upper())
    while node is not None:
        path.append(node)
        node = by_code.get(node.parent_code) if node.parent_code else None
    return path[::-1]


def search_industries(q: str, limit: int = 20) -> list[Industry]:
    """Search by code prefix or by keyword in the name.

    A query of letters/digits is matched as a code prefix, case-insensitively
    ('g60' -> G60, G601, G6010, ...); digits alone match the code without its
    section letter ('602' -> G602, G6020). Anything else is a substring of the
    name ('外卖' -> H624, H6242). Ranking: exact code or name first, then shorter
    (broader) codes, then code order.
    """
    q = _norm(q)
    if not q or limit <= 0:
        return []
    items = _industries()[0].values()
    key = q.upper()
    if key.isascii() and key.isalnum():
        if key.isdigit():
            hits = [i for i in items if i.code[1:].startswith(key)]
        else:
            hits = [i for i in items if i.code.startswith(key)]
    else:
        hits = [i for i in items if q in i.name]
    hits.sort(key=lambda i: (i.code != key and i.code[1:] != key, i.name != q, len(i.code), i.code))
    return hits[:limit]
