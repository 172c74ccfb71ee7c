"""Tests for service.refdata (pure Python, no Flask)."""
import csv
from pathlib import Path

import pytest

from service import refdata as rd

DATA = Path(rd.__file__).resolve().parent


def _rows(name):
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


REGIONS = _rows("regions.tsv")
INDUSTRIES = _rows("industries.tsv")


# ----------------------------------------------------------------- regions

def test_changan_path_and_names():
    path = rd.region_path("130102")
    assert [r.code for r in path] == ["130000", "130100", "130102"]
    assert [r.name for r in path] == ["河北省", "石家庄市", "长安区"]
    assert [r.level for r in path] == ["province", "city", "county"]
    assert rd.region_ancestors_codes("130102") == ["130100", "130000"]
    assert rd.region_full_name("130102") == "河北省石家庄市长安区"
    assert rd.division_name_prefixes("130102") == ["河北省石家庄市长安区", "石家庄市长安区", "长安区"]


def test_hebei_cities():
    cities = rd.region_children("130000")
    codes = [c.code for c in cities if not c.custom]
    assert codes == [f"13{i:02d}00" for i in range(1, 12)]
    assert cities[0].name == "石家庄市" and rd.get_region("131100").name == "衡水市"


def test_directly_administered_cities():
    xinji, dingzhou = rd.get_region("130181"), rd.get_region("130682")
    assert xinji.name == "辛集市" and xinji.parent_code == "130100" and xinji.level == "county"
    assert dingzhou.name == "定州市" and dingzhou.parent_code == "130600"


def test_custom_regions():
    xiongan = rd.get_region("133100")
    assert xiongan.name == "雄安新区" and xiongan.custom
    assert xiongan.parent_code == "130000" and xiongan.level == "city"
    for code in ("130638", "130629", "130632"):  # 雄县, 容城县, 安新县 stay under 保定
        assert rd.get_region(code).parent_code == "130600"
        assert not rd.get_region(code).custom
    for code, name in (("130171", "石家庄高新技术产业开发区"), ("130172", "石家庄循环化工园区")):
        zone = rd.get_region(code)
        assert zone.name == name and zone.custom and zone.parent_code == "130100"
    assert not rd.get_region("130102").custom


def test_townships():
    towns = rd.region_children("130102")
    assert towns and all(len(t.code) == 9 and t.code.startswith("130102") for t in towns)
    assert all(t.level == "township" for t in towns)
    town = towns[0]
    assert [r.code for r in rd.region_path(town.code)] == ["130000", "130100", "130102", town.code]
    assert rd.division_name_prefixes(town.code)[-1] == town.name
    assert rd.region_full_name(town.code) == "河北省石家庄市长安区" + town.name


def test_other_provinces():
    assert rd.get_region("110105").name == "朝阳区"
    assert rd.region_full_name("110105") == "北京市朝阳区"
    assert rd.get_region("440106").name == "天河区"
    assert rd.region_full_name("440106") == "广东省广州市天河区"
    assert len([r for r in rd.region_children(None)]) >= 31
    assert rd.get_region("440000").name == "广东省"
    assert rd.region_children("440100")


def test_unknown_region():
    assert rd.get_region("999999") is None
    assert not rd.is_region("999999") and rd.is_region("130102")
    assert rd.region_path("999999") == [] and rd.division_name_prefixes("999999") == []


def test_region_table_integrity():
    codes = [r["code"] for r in REGIONS]
    assert len(codes) == len(set(codes))
    by_code = {r["code"]: r for r in REGIONS}
    for r in REGIONS:
        assert r["level"] in {"province", "city", "county", "township"}
        assert r["custom"] in {"0", "1"}
        if r["level"] == "province":
            assert r["parent_code"] == "" and r["code"].endswith("0000")
            continue
        assert r["parent_code"] in by_code, r
        if r["level"] == "city":
            assert len(r["code"]) == 6 and r["code"].endswith("00")
        elif r["level"] == "county":
            assert len(r["code"]) == 6
            if r["custom"] == "0":
                assert r["code"][:4] == r["parent_code"][:4], r
        else:
            assert len(r["code"]) == 9 and r["code"].startswith(r["parent_code"])


# -------------------------------------------------------------- industries

@pytest.mark.parametrize("code,name,parent", [
    ("G6020", "快递服务", "G602"),
    ("G602", "快递服务", "G60"),
    ("G60", "邮政业", "G"),
    ("G", "交通运输、仓储和邮政业", None),
    ("H6241", "餐饮配送服务", "H624"),
    ("H6242", "外卖送餐服务", "H624"),
    ("H624", "餐饮配送及外卖送餐服务", "H62"),
    ("G543", "道路货物运输", "G54"),
    ("G5431", "普通货物道路运输", "G543"),
    ("O8010", "家庭服务", "O801"),
    ("E47", "房屋建筑业", "E"),
    ("E48", "土木工程建筑业", "E"),
    ("E49", "建筑安装业", "E"),
    ("E50", "建筑装饰、装修和其他建筑业", "E"),
])
def test_industry_anchors(code, name, parent):
    ind = rd.get_industry(code)
    assert ind is not None and ind.name == name and ind.parent_code == parent


def test_industry_levels_and_counts():
    sections = rd.industry_children(None)
    assert [s.code for s in sections] == list("ABCDEFGHIJKLMNOPQRST")
    levels = [r["level"] for r in INDUSTRIES]
    assert levels.count("division") == 97
    assert levels.count("group") == 473
    assert levels.count("class") > 1300
    assert [d.code for d in rd.industry_children("E")] == ["E47", "E48", "E49", "E50"]
    assert [i.code for i in rd.industry_path("g6020")] == ["G", "G60", "G602", "G6020"]
    assert rd.is_industry("h6242") and not rd.is_industry("G6021")


def test_industry_table_integrity():
    codes = [r["code"] for r in INDUSTRIES]
    assert len(codes) == len(set(codes))
    by_code = {r["code"]: r for r in INDUSTRIES}
    expected_len = {"section": 1, "division": 3, "group": 4, "class": 5}
    for r in INDUSTRIES:
        assert len(r["code"]) == expected_len[r["level"]], r
        if r["level"] == "section":
            assert r["parent_code"] == ""
            continue
        assert r["parent_code"] in by_code, r
        assert r["code"].startswith(r["parent_code"]), r
    # every division, group has at least one child down to class level
    parents = {r["parent_code"] for r in INDUSTRIES}
    assert all(r["code"] in parents for r in INDUSTRIES if r["level"] != "class")


def test_search_by_code_prefix():
    hits = rd.search_industries("g60")
    assert hits[0].code == "G60"
    assert {"G601", "G602", "G609", "G6020"} <= {h.code for h in hits}
    assert all(h.code.startswith("G60") for h in hits)
    assert rd.search_industries("G6020")[0].code == "G6020"
    assert rd.search_industries("602")[0].code == "G602"
    assert len(rd.search_industries("C", limit=5)) == 5


def test_search_by_keyword():
    hits = [h.code for h in rd.search_industries("快递")]
    assert hits[:2] == ["G602", "G6020"]
    hits = [h.code for h in rd.search_industries("外卖")]
    assert hits == ["H624", "H6242"]
    assert rd.search_industries("") == [] and rd.search_industries("不存在的行业") == []
