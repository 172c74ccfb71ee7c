"""Build region_centres.tsv: an approximate centre (GCJ-02 longitude, latitude) for Hebei's
cities and counties, for the service positions' coordinate check (service/positions/areas.py).

Source: the file ``cpca/resources/adcodes.csv`` of the PyPI package cpca 0.5.5 (MIT licence;
columns adcode, name, longitude, latitude). Its division codes are those of about 2016, so the
codes renamed since are mapped to today's (a county that became a district keeps its centre),
and the two province-administered cities it lists without coordinates (辛集市, 定州市) get their
seat's coordinates by hand. Only codes present in regions.tsv are written.

    cd /tmp && pip download --no-deps cpca==0.5.5 && unzip cpca-0.5.5-py3-none-any.whl -d cpca
    python service/refdata/build_region_centres.py /tmp/cpca/cpca/resources/adcodes.csv
"""
import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RENAMED = {  # old code (cpca) -> code in regions.tsv
    "130223": "130284",  # 滦县 -> 滦州市 (2018)
    "130428": "130407",  # 肥乡县 -> 肥乡区 (2016)
    "130823": "130881",  # 平泉县 -> 平泉市 (2017)
    "130429": "130408",  # 永年县 -> 永年区 (2016)
    "130526": "130505",  # 任县 -> 任泽区 (2020)
    "130527": "130506",  # 南和县 -> 南和区 (2020)
}
BY_HAND = {  # code: (longitude, latitude, note): the city seat, GCJ-02, read off a map
    "130181": ("115.2178", "37.9436", "辛集市人民政府驻地（手工补充）"),
    "130682": ("114.9901", "38.5162", "定州市人民政府驻地（手工补充）"),
}


def main(adcodes: str) -> None:
    known = {row["code"] for row in csv.DictReader((HERE / "regions.tsv").open(encoding="utf-8"), delimiter="\t")}
    rows = {}
    with open(adcodes, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if not code.startswith("13") or row["adcode"][6:] != "000000" or not row["longitude"]:
                continue
            code = RENAMED.get(code, code)
            if code in known:
                rows[code] = (row["longitude"], row["latitude"], "cpca 0.5.5")
    rows.update(BY_HAND)
    with (HERE / "region_centres.tsv").open("w", encoding="utf-8", newline="") as out:
        out.write("code\tlongitude\tlatitude\tsource\n")
        for code in sorted(rows):
            out.write("\t".join((code, *rows[code])) + "\n")
    print(f"{len(rows)} centres written")


if __name__ == "__main__":
    main(sys.argv[1])
