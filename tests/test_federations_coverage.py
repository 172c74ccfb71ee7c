"""Coverage rules: validation against the reference data and the federation, normalised
storage, removal, and overlaps between federations."""
import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from service.federations import coverage
from service.federations import tree as federations
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.extensions import db
from tests.factories import make_federation, make_staff, make_upper


@pytest.fixture
def tree():
    city = make_upper("石家庄市总工会", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    yuhua = make_upper("石家庄市裕华区总工会", region="130108", parent=city)
    return {
        "city": city, "changan": changan, "yuhua": yuhua,
        "courier": make_federation("石家庄市长安区快递行业工会联合会", parent=changan, industry="G6020"),
        "post": make_federation("石家庄市长安区邮政行业工会联合会", parent=changan, industry="G60"),
        "delivery": make_federation("石家庄市外卖送餐行业工会联合会", region="130100", industry="H6242", parent=city),
        "street": make_federation("石家庄市长安区建北街道工会联合会", kind="regional", region="130102001",
                                  parent=changan),
        "trucks": make_federation("石家庄市裕华区货车司机行业工会联合会", region="130108", industry="G543",
                                  parent=yuhua),
    }


def add(fed, region, industry=None, **kw):
    return coverage.add_rule(fed, region_code=region, industry_code=industry, **kw)


def refused(fed, region, industry=None) -> dict:
    with pytest.raises(Invalid) as caught:
        add(fed, region, industry)
    return caught.value.fields


@pytest.mark.parametrize("key, region, industry, stored", [
    ("delivery", "130100", "H6242", ("1301", "H6242")),
    ("delivery", "1301", "h6242", ("1301", "H6242")),
    ("delivery", "130102", "H624", None),  # H624 is wider than the federation's H6242
    ("courier", "130102", "G6020", ("130102", "G602")),
    ("courier", "130102001", "G602", ("130102001", "G602")),
    ("street", "130102001", None, ("130102001", None)),
])
def test_rules_are_stored_in_their_shortest_form(tree, key, region, industry, stored):
    if stored is None:
        assert refused(tree[key], region, industry) == {
            "industry_code": "行业应在本联合会所属行业（外卖送餐服务 H6242）之内"}
        return
    rule = add(tree[key], region, industry)
    assert (rule.region_prefix, rule.industry_prefix) == stored


@pytest.mark.parametrize("key, region, industry, fields", [
    ("courier", "999999", "G6020", {"region_code": coverage.MSG_REGION}),
    ("courier", "13", "G6020", {"region_code": "覆盖地区应在本联合会所在的行政区划（河北省石家庄市长安区）之内"}),
    ("courier", "130108", "G6020", {"region_code": "覆盖地区应在本联合会所在的行政区划（河北省石家庄市长安区）之内"}),
    ("courier", "130102", "G99", {"industry_code": coverage.MSG_INDUSTRY}),
    ("courier", "130102", None, {"industry_code": "行业性工会联合会的覆盖规则请选择行业"}),
    ("courier", "130102", "G60", {"industry_code": "行业应在本联合会所属行业（快递服务 G6020）之内"}),
    ("street", "130102001", "G6020", {"industry_code": "区域性工会联合会覆盖本区域的全部行业，覆盖规则不设行业"}),
    ("street", "130102002", None, {"region_code": "覆盖地区应在本联合会所在的行政区划（河北省石家庄市长安区建北街道）之内"}),
    ("courier", "19", "G6020", {"region_code": coverage.MSG_REGION}),  # no province 19
])
def test_rules_are_validated(tree, key, region, industry, fields):
    assert refused(tree[key], region, industry) == fields


def test_duplicates_and_upper_unions_and_dissolved_are_refused(tree):
    add(tree["courier"], "130102", "G6020")
    with pytest.raises(Conflict) as caught:
        add(tree["courier"], "130102", "G602")  # the same rule, spelled differently
    assert caught.value.message == "该覆盖规则已存在"
    add(tree["street"], "130102001")
    with pytest.raises(Conflict):
        add(tree["street"], "130102001")
    with pytest.raises(Conflict):
        add(tree["changan"], "130102")
    federations.dissolve_federation(tree["trucks"], on=__import__("datetime").date.today(), staff=None)
    with pytest.raises(Conflict):
        add(tree["trucks"], "130108", "G543")


def test_remove_a_rule(tree):
    rule = add(tree["courier"], "130102", "G6020")
    other = add(tree["post"], "130102", "G60")
    with pytest.raises(NotFound):
        coverage.remove_rule(tree["courier"], other.id)
    coverage.remove_rule(tree["courier"], rule.id)
    assert coverage.list_rules(tree["courier"]) == []
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["coverage.add", "coverage.add", "coverage.remove"]


def test_only_admins_above_manage_coverage(tree):
    city_admin = make_staff(tree["city"], role="admin")
    add(tree["courier"], "130102", "G6020", staff=city_admin)
    with pytest.raises(Forbidden):
        add(tree["courier"], "130102001", "G6020", staff=make_staff(tree["courier"], role="admin"))
    with pytest.raises(Forbidden):
        add(tree["courier"], "130102001", "G6020", staff=make_staff(tree["changan"], role="caseworker"))
    with pytest.raises(NotFound):
        add(tree["courier"], "130102001", "G6020", staff=make_staff(tree["yuhua"], role="admin"))


def test_rule_out_describes_the_rule(tree):
    rule = add(tree["delivery"], "130100", "H6242")
    out = coverage.rule_out(rule)
    assert out["region_code"] == "130100" and out["region_name"] == "河北省石家庄市"
    assert out["industry_name"] == "外卖送餐服务"
    assert out["label"] == "河北省石家庄市（1301）的外卖送餐服务（H6242）"


# ------------------------------------------------------------------ overlaps

def test_identical_rules_of_active_federations_overlap(tree):
    add(tree["courier"], "130102", "G6020")
    add(tree["post"], "130102", "G60")
    assert coverage.overlaps() == []  # nested, not equal: the more specific one wins
    add(tree["post"], "130102", "G602")
    pairs = coverage.overlaps()
    assert len(pairs) == 1
    pair = pairs[0]
    assert (pair["region_prefix"], pair["industry_prefix"]) == ("130102", "G602")
    assert {pair["a"]["name"], pair["b"]["name"]} == {tree["courier"].name, tree["post"].name}
    assert pair["resolved_by"] is None
    assert pair["effect"] == "受理单位将按会员身份或待办数量临时决定，请调整覆盖范围或设置优先级"


def test_regional_rules_overlap_too(tree):
    other = make_federation("石家庄市长安区建北商圈工会联合会", kind="regional", region="130102001",
                            parent=tree["changan"])
    add(tree["street"], "130102001")
    add(other, "130102001")
    assert [(p["region_prefix"], p["industry_prefix"]) for p in coverage.overlaps()] == [("130102001", None)]


def test_priority_settles_an_overlap(tree):
    add(tree["courier"], "130102", "G6020")
    add(tree["post"], "130102", "G602")
    tree["post"].priority = 1
    db.session.flush()
    pair = coverage.overlaps()[0]
    assert pair["resolved_by"] == "priority"
    assert pair["effect"] == f"按优先级由{tree['post'].name}受理"


def test_inactive_federations_do_not_overlap(tree):
    add(tree["courier"], "130102", "G6020")
    add(tree["post"], "130102", "G602")
    tree["post"].status = "preparing"
    db.session.flush()
    assert coverage.overlaps() == []


def test_overlaps_can_be_limited_to_a_scope(tree):
    add(tree["courier"], "130102", "G6020")
    add(tree["post"], "130102", "G602")
    assert len(coverage.overlaps(federation_ids=[tree["courier"].id])) == 1
    assert coverage.overlaps(federation_ids=[tree["trucks"].id]) == []
