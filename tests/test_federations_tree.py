"""The union tree: placement (level, kind, parent), lifecycle, term and governance warnings."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.federation import Federation
from models.request import HelpRequest
from models.worker import Worker
from service import governance
from service.federations import coverage
from service.federations import tree as federations
from service.errors import Conflict, Forbidden, Invalid
from service.extensions import db
from tests.factories import make_federation, make_staff, make_upper


@pytest.fixture
def tree():
    province = make_upper("河北省总工会", region="130000")
    city = make_upper("石家庄市总工会", region="130100", parent=province)
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    yuhua = make_upper("石家庄市裕华区总工会", region="130108", parent=city)
    return {"province": province, "city": city, "changan": changan, "yuhua": yuhua}


def create(**kw):
    return federations.create_federation(**kw)


def fields_of(**kw) -> dict:
    with pytest.raises(Invalid) as caught:
        create(**kw)
    return caught.value.fields


# ------------------------------------------------------------------ placement

def test_the_level_comes_from_the_region(tree):
    street = create(name="石家庄市长安区建北街道工会联合会", kind="regional", region_code="130102001",
                    parent_id=tree["changan"].id)
    assert street.level == "township"
    assert fields_of(name="石家庄市长安区快递行业工会联合会", kind="industry", level="township",
                     region_code="130102", industry_code="G6020", parent_id=tree["changan"].id) == \
        {"level": "层级应与所在行政区划一致（河北省石家庄市长安区为县级）"}


def test_no_federation_above_city_level(tree):
    assert fields_of(name="河北省快递行业工会联合会", kind="industry", region_code="130000", industry_code="G6020",
                     parent_id=tree["province"].id)["region_code"] == \
        "工会联合会一般建立在县（市、区）及以下，不能建在省级"


def test_a_city_federation_only_for_an_industry(tree):
    assert fields_of(name="石家庄市新区工会联合会", kind="regional", region_code="130100",
                     parent_id=tree["city"].id) == \
        {"region_code": "市级只能建立行业性工会联合会；区域性工会联合会应建在县级及以下"}
    city_industry = create(name="石家庄市外卖送餐行业工会联合会", kind="industry", region_code="130100",
                           industry_code="H6242", parent_id=tree["city"].id)
    assert city_industry.level == "city"


@pytest.mark.parametrize("kind, industry, message", [
    ("industry", None, "行业性工会联合会请选择所属行业"),
    ("regional", "G6020", "区域性工会联合会不设所属行业"),
    ("industry", "G99", "行业代码无效（应为 GB/T 4754-2017 代码，如 G6020）"),
])
def test_industry_code_by_kind(tree, kind, industry, message):
    assert fields_of(name="石家庄市长安区快递行业工会联合会", kind=kind, region_code="130102",
                     industry_code=industry, parent_id=tree["changan"].id) == {"industry_code": message}


def test_region_code_is_checked(tree):
    assert fields_of(name="石家庄市长安区快递行业工会联合会", kind="industry", region_code="139999",
                     industry_code="G6020", parent_id=tree["changan"].id)["region_code"] == \
        "行政区划代码无效（应为 GB/T 2260 代码，如 130102）"


def test_a_federation_needs_a_parent(tree):
    assert fields_of(name="石家庄市长安区快递行业工会联合会", kind="industry", region_code="130102",
                     industry_code="G6020") == {"parent_id": "请选择上一级工会（负责批准成立的工会）"}
    assert fields_of(name="石家庄市长安区快递行业工会联合会", kind="industry", region_code="130102",
                     industry_code="G6020", parent_id=99999) == {"parent_id": "上一级工会不存在"}


def test_the_parent_is_an_upper_union_containing_the_region(tree):
    assert fields_of(name="石家庄市长安区快递行业工会联合会", kind="industry", region_code="130102",
                     industry_code="G6020", parent_id=tree["yuhua"].id) == \
        {"parent_id": "上一级工会石家庄市裕华区总工会的行政区划不包含河北省石家庄市长安区"}
    fed = make_federation("石家庄市长安区快递行业工会联合会", parent=tree["changan"])
    assert fields_of(name="石家庄市长安区建北街道工会联合会", kind="regional", region_code="130102001",
                     parent_id=fed.id) == \
        {"parent_id": "上一级必须是上级工会（总工会或乡镇、街道、园区工会），不能是工会联合会"}
    # the city union may be the direct parent of a county federation (its region contains it)
    assert create(name="石家庄市长安区家政服务行业工会联合会", kind="industry", region_code="130102",
                  industry_code="O8010", parent_id=tree["city"].id).parent_id == tree["city"].id


def test_a_dissolved_upper_union_takes_no_children(tree):
    closed = make_upper("石家庄市长安区建北街道工会", region="130102001", parent=tree["changan"], status="dissolved")
    assert fields_of(name="石家庄市长安区建北街道工会联合会", kind="regional", region_code="130102001",
                     parent_id=closed.id) == {"parent_id": "石家庄市长安区建北街道工会已撤销，不能作为上一级工会"}


def test_an_upper_unions_parent_is_above_it(tree):
    assert fields_of(name="石家庄市长安区第二总工会", kind="upper", region_code="130102",
                     parent_id=tree["changan"].id) == {"parent_id": "上一级工会的层级应高于本工会"}
    street = create(name="石家庄市长安区建北街道工会", kind="upper", region_code="130102001",
                    parent_id=tree["changan"].id)
    assert street.level == "township"
    assert fields_of(name="石家庄市长安区快递工会", kind="upper", region_code="130102", industry_code="G6020",
                     parent_id=tree["city"].id) == {"industry_code": "上级工会不设所属行业"}


def test_names_are_unique(tree):
    make_federation("石家庄市长安区快递行业工会联合会", parent=tree["changan"])
    with pytest.raises(Conflict) as caught:
        make_federation("石家庄市长安区快递行业工会联合会", parent=tree["changan"])
    assert caught.value.message == "名称“石家庄市长安区快递行业工会联合会”已被使用"


@pytest.mark.parametrize("extra, fields", [
    ({"term_start": date(2024, 1, 1), "term_years": 4}, {"term_years": "任期应为3年或5年"}),
    ({"term_start": date(2024, 1, 1)}, {"term_years": "请选择任期年限（3年或5年）"}),
    ({"term_years": 5}, {"term_start": "请填写本届任期的开始日期"}),
    ({"priority": 1000}, {"priority": "优先级应在 -100 到 100 之间"}),
])
def test_term_and_priority_are_checked(tree, extra, fields):
    assert fields_of(name="石家庄市长安区快递行业工会联合会", kind="industry", region_code="130102",
                     industry_code="G6020", parent_id=tree["changan"].id, **extra) == fields


def test_staff_create_starts_preparing_or_active_only(tree):
    admin = make_staff(tree["city"], role="admin")
    assert fields_of(name="石家庄市长安区快递行业工会联合会", kind="industry", region_code="130102",
                     industry_code="G6020", parent_id=tree["changan"].id, status="dissolved", staff=admin) == \
        {"status": "新建时状态应为 preparing（筹备中）或 active（运行中）"}
    fed = create(name="石家庄市长安区快递行业工会联合会", kind="industry", region_code="130102",
                 industry_code="G6020", parent_id=tree["changan"].id, status="preparing", staff=admin)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "federation.create"))
    assert entry.subject_id == fed.id and entry.actor_staff_id == admin.id


# ------------------------------------------------------------------ lifecycle

@pytest.fixture
def admin(tree):
    return make_staff(tree["city"], role="admin")


def test_preparing_active_dissolved(tree, admin):
    fed = make_federation("石家庄市长安区快递行业工会联合会", parent=tree["changan"], status="preparing")
    federations.activate_federation(fed, staff=admin)
    assert fed.status == "active" and fed.activated_at is not None
    with pytest.raises(Conflict) as caught:
        federations.activate_federation(fed, staff=admin)
    assert caught.value.message == "只有筹备中的工会联合会可以转为运行（当前：运行中）"
    federations.dissolve_federation(fed, on=date.today() - timedelta(days=1), reason="合并", staff=admin)
    assert (fed.status, fed.dissolved_on, fed.dissolved_reason) == ("dissolved", date.today() - timedelta(days=1), "合并")
    with pytest.raises(Conflict):
        federations.activate_federation(fed, staff=admin)
    with pytest.raises(Conflict) as caught:
        federations.dissolve_federation(fed, on=date.today(), staff=admin)
    assert caught.value.message == "该工会联合会已撤销"
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == fed.id)
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["federation.activate", "federation.dissolve"]


def test_a_preparing_federation_may_be_dissolved(tree, admin):
    fed = make_federation(parent=tree["changan"], status="preparing")
    federations.dissolve_federation(fed, on=date.today(), staff=admin)
    assert fed.status == "dissolved"


def test_dissolution_date_is_not_in_the_future(tree, admin):
    fed = make_federation(parent=tree["changan"])
    with pytest.raises(Invalid) as caught:
        federations.dissolve_federation(fed, on=date.today() + timedelta(days=1), staff=admin)
    assert caught.value.fields == {"dissolved_on": "撤销日期不能晚于今天"}


def test_an_inbox_with_open_requests_is_not_dissolved(tree, admin):
    fed = make_federation(parent=tree["changan"])
    worker = Worker(openid="o-1")
    db.session.add(worker)
    db.session.flush()
    db.session.add(HelpRequest(number="R1", worker_id=worker.id, federation_id=fed.id, type="mediation",
                               employer_name="某公司", region_code="130102", industry_code="G6020", facts="x",
                               wants="y"))
    db.session.flush()
    with pytest.raises(Conflict) as caught:
        federations.dissolve_federation(fed, on=date.today(), staff=admin)
    assert caught.value.message == "收件箱中还有1件未办结的诉求、0份待审核的入会申请，请先转办后再撤销"


def test_upper_unions_have_no_lifecycle(tree, admin):
    with pytest.raises(Conflict):
        federations.dissolve_federation(tree["changan"], on=date.today(), staff=admin)


def test_only_an_admin_above_changes_the_status(tree):
    fed = make_federation(parent=tree["changan"], status="preparing")
    own_admin = make_staff(fed, role="admin")
    with pytest.raises(Forbidden) as caught:
        federations.activate_federation(fed, staff=own_admin)
    assert caught.value.message == "此项须由上级工会的管理员办理"
    chair = make_staff(tree["changan"], role="chair")
    with pytest.raises(Forbidden):
        federations.activate_federation(fed, staff=chair)


# ------------------------------------------------------------------ term and warnings

@pytest.mark.parametrize("start, years, end", [
    (date(2024, 3, 1), 5, date(2029, 3, 1)),
    (date(2024, 3, 1), 3, date(2027, 3, 1)),
    (date(2024, 2, 29), 3, date(2027, 2, 28)),
    (None, None, None),
])
def test_term_end(start, years, end):
    assert governance.term_end(Federation(term_start=start, term_years=years)) == end


@pytest.mark.parametrize("today, state", [
    (date(2026, 1, 1), "ok"),
    (date(2026, 11, 30), "ok"),  # 91 days before 2027-03-01
    (date(2026, 12, 1), "expiring"),  # 90 days: "expires within 90 days"
    (date(2027, 2, 28), "expiring"),
    (date(2027, 3, 1), "expired"),
])
def test_term_state(today, state):
    assert governance.term_state(Federation(term_start=date(2024, 3, 1), term_years=3), today) == state


def test_warnings_name_what_is_missing(tree):
    fed = make_federation("石家庄市长安区快递行业工会联合会", parent=tree["changan"], term_start=date(2024, 3, 1),
                          term_years=3, own_funds=True, many_women=True)
    found = governance.warnings(fed, today=date(2027, 3, 2))
    assert [(w.code, w.message) for w in found] == [
        ("term_expired", "任期已于2027-03-01届满，应按期换届；延期换届须报上一级工会批准"),
        ("funds_committee_missing", "独立管理经费，应同时成立工会经费审查委员会"),
        ("women_committee_missing", "所覆盖基层工会女职工较多，应建立女职工委员会"),
        ("coverage_missing", "尚未设置覆盖范围，不会收到任何诉求或入会申请"),
    ]
    fed.has_funds_committee = fed.has_women_committee = True
    coverage.add_rule(fed, region_code="130102", industry_code="G6020")
    db.session.refresh(fed)
    assert [w.code for w in governance.warnings(fed, today=date(2027, 1, 1))] == ["term_expiring"]
    assert governance.warnings(fed, today=date(2027, 1, 1))[0].message == "任期将于2027-03-01届满（还有59天），请及早准备换届"
    assert governance.warnings(fed, today=date(2025, 1, 1)) == []


def test_an_active_federation_without_a_term_is_reminded(tree):
    fed = make_federation(parent=tree["changan"])
    assert "term_missing" in [w.code for w in governance.warnings(fed)]
    assert governance.warnings(tree["changan"]) == []


# ------------------------------------------------------------------ update and rename

def test_update_profile_flags_and_term(tree, admin):
    fed = make_federation("石家庄市长安区快递行业工会联合会", parent=tree["changan"])
    federations.update_federation(fed, {"contact_name": "李华", "contact_phone": "0311-8600123", "own_funds": True,
                                        "term_start": date(2025, 1, 1), "term_years": 5, "priority": 2}, staff=admin)
    assert (fed.contact_name, fed.own_funds, fed.term_years, fed.priority) == ("李华", True, 5, 2)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "federation.update"))
    assert entry.detail["contact_phone"] == "(已修改)" and entry.detail["term_start"] == "2025-01-01"
    with pytest.raises(Invalid) as caught:
        federations.update_federation(fed, {"term_years": 4}, staff=admin)
    assert caught.value.fields == {"term_years": "任期应为3年或5年"}


def test_own_admin_edits_the_profile_but_not_the_priority(tree):
    fed = make_federation(parent=tree["changan"])
    own = make_staff(fed, role="admin")
    federations.update_federation(fed, {"address": "中山东路1号"}, staff=own)
    with pytest.raises(Forbidden):
        federations.update_federation(fed, {"priority": 5}, staff=own)


def test_rename_follows_the_name_rule(tree, admin):
    fed = make_federation("石家庄市长安区快递行业工会联合会", parent=tree["changan"])
    with pytest.raises(Invalid) as caught:
        federations.rename_federation(fed, "石家庄市长安区快递员工会联合会", staff=admin)
    assert caught.value.fields["name"].startswith("名称不能使用职业名称（“快递员”）")
    federations.rename_federation(fed, "石家庄市长安区快递物流行业工会联合会", staff=admin)
    assert fed.name == "石家庄市长安区快递物流行业工会联合会"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "federation.rename"))
    assert entry.detail == {"from": "石家庄市长安区快递行业工会联合会", "to": "石家庄市长安区快递物流行业工会联合会"}
    other = make_federation("石家庄市长安区邮政行业工会联合会", parent=tree["changan"], industry="G60")
    with pytest.raises(Conflict):
        federations.rename_federation(other, "石家庄市长安区快递物流行业工会联合会", staff=admin)
