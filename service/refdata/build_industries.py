"""Build industries.tsv (GB/T 4754-2017) from the transcription gbt4754_2017_raw.txt.

Usage: python build_industries.py [RAW_TXT] [OUT_TSV]
(defaults: the files next to this script). Offline, standard library only.

Output codes use the canonical prefix form: section 'G', division 'G60',
group 'G602', class 'G6020'. The raw listing omits the implicit levels of
the standard (a group with a single class, coded <group>0, and a division
with a single group, coded <division>0); these are derived here with the
parent's name, exactly as the standard prints them.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Division ranges per section, from the standard's section headings.
SECTION_DIVISIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50),
    "F": (51, 52), "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69),
    "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79), "O": (80, 82),
    "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}
LEVELS = {1: "section", 3: "division", 4: "group", 5: "class"}


def parse(raw_path: Path) -> list[tuple[str, str]]:
    """Return (canonical_code, name) pairs in document order."""
    out: list[tuple[str, str]] = []
    section = None
    division = 0
    for line in raw_path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        token, name = line.split(None, 1)
        name = "".join(name.split())  # drop stray blanks from the source
        if token.isalpha():
            section = token
            out.append((section, name))
            continue
        lo, hi = SECTION_DIVISIONS[section]
        if len(token) <= 2 and lo <= int(token) <= hi:
            division = int(token)
            digits = token.zfill(2)
        else:
            # The listing drops the leading zero of divisions 01-09.
            digits = "0" + token if division < 10 else token
            if not digits.startswith(f"{division:02d}"):
                raise SystemExit(f"{token} {name}: not under division {division:02d}")
        out.append((section + digits, name))
    return out


def build(pairs: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    names = dict(pairs)
    if len(names) != len(pairs):
        dupes = sorted({c for c, _ in pairs if [p for p, _ in pairs].count(c) > 1})
        raise SystemExit(f"duplicate codes: {dupes}")
    codes = list(names)
    # Derive implicit single-child levels.
    for code in list(codes):
        if len(code) == 3 and not any(len(c) == 4 and c.startswith(code) for c in codes):
            names[code + "0"] = names[code]
            codes.append(code + "0")
    for code in list(codes):
        if len(code) == 4 and not any(len(c) == 5 and c.startswith(code) for c in codes):
            names[code + "0"] = names[code]
            codes.append(code + "0")
    rows = []
    for code in sorted(codes, key=lambda c: (c[0], c[1:])):
        level = LEVELS[len(code)]
        parent = "" if len(code) == 1 else (code[:-1] if len(code) > 3 else code[0])
        if parent and parent not in names:
            raise SystemExit(f"{code} {names[code]}: missing parent {parent}")
        rows.append((code, names[code], parent, level))
    return rows


def main() -> None:
    raw = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "gbt4754_2017_raw.txt"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "industries.tsv"
    rows = build(parse(raw))
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("code\tname\tparent_code\tlevel\n")
        for row in rows:
            fh.write("\t".join(row) + "\n")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[3]] = counts.get(row[3], 0) + 1
    print(f"wrote {out}: {counts}")


if __name__ == "__main__":
    main()
