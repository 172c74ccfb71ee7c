"""Demo data for `make run`: a slice of Hebei's union tree with federations, their coverage
and staff accounts. Idempotent: what exists (by name or username) is left as it is.

Built to show every routing rule and every console warning:
- 长安区: 快递 (G602, priority 1) and 邮政 (G60 and, on purpose, G602 too: an overlap settled
  by priority, so a courier's request always reaches 快递);
  建筑 (term expired); 建北街道 (regional, a street); 网约车 (dissolved, its rule ignored);
- 裕华区: 货车司机 (G543, priority 1) and 道路运输 (G54 and G543: an overlap settled by
  priority); 家政服务 (preparing); 槐底街道 (regional, term expiring within 90 days);
- city level: 外卖送餐 (industry, many women without a women workers' committee);
  石家庄高新技术产业开发区电子信息 (a development zone, a custom region).
Everything else in Hebei falls back to the nearest union (county, city, province).
"""
from datetime import date, timedelta

from sqlalchemy import select

from models.federation import Federation
from models.staff import Staff
from service.federations import coverage
from service.federations import tree as federations
from service.staff import accounts as staff_service
from service.extensions import db

DEMO_PASSWORD = "gonglian-demo"

# (name, kind, level, region, industry, parent name, status)
UNIONS = [
    ("河北省总工会", "upper", "province", "130000", None, None, "active"),
    ("石家庄市总工会", "upper", "city", "130100", None, "河北省总工会", "active"),
    ("石家庄市长安区总工会", "upper", "county", "130102", None, "石家庄市总工会", "active"),
    ("石家庄市裕华区总工会", "upper", "county", "130108", None, "石家庄市总工会", "active"),
]
FEDERATIONS = [
    ("石家庄市长安区快递行业工会联合会", "industry", "county", "130102", "G6020", "石家庄市长安区总工会", "active"),
    ("石家庄市长安区建筑行业工会联合会", "industry", "county", "130102", "E", "石家庄市长安区总工会", "active"),
    ("石家庄市长安区建北街道工会联合会", "regional", "township", "130102001", None, "石家庄市长安区总工会", "active"),
    ("石家庄市外卖送餐行业工会联合会", "industry", "city", "130100", "H6242", "石家庄市总工会", "active"),
    ("石家庄市裕华区货车司机行业工会联合会", "industry", "county", "130108", "G543", "石家庄市裕华区总工会", "active"),
    ("石家庄市长安区邮政行业工会联合会", "industry", "county", "130102", "G60", "石家庄市长安区总工会", "active"),
    ("石家庄市裕华区道路运输行业工会联合会", "industry", "county", "130108", "G54", "石家庄市裕华区总工会", "active"),
    ("石家庄市裕华区槐底街道工会联合会", "regional", "township", "130108005", None, "石家庄市裕华区总工会", "active"),
    ("石家庄市裕华区家政服务行业工会联合会", "industry", "county", "130108", "O8010", "石家庄市裕华区总工会", "preparing"),
    ("石家庄市长安区网约车行业工会联合会", "industry", "county", "130102", "G5413", "石家庄市长安区总工会", "active"),
    ("石家庄高新技术产业开发区电子信息行业工会联合会", "industry", "county", "130171", "C39", "石家庄市总工会", "active"),
]
DISSOLVE = {"石家庄市长安区网约车行业工会联合会": "覆盖企业大多迁出，经上一级工会批准撤销"}

# federation name → coverage rules (region code, industry code or None)
COVERAGE = {
    "石家庄市长安区快递行业工会联合会": [("130102", "G602")],
    "石家庄市长安区建筑行业工会联合会": [("130102", "E")],
    "石家庄市长安区建北街道工会联合会": [("130102001", None)],
    "石家庄市外卖送餐行业工会联合会": [("130100", "H6242")],
    "石家庄市裕华区货车司机行业工会联合会": [("130108", "G543")],
    "石家庄市长安区邮政行业工会联合会": [("130102", "G60"), ("130102", "G602")],
    "石家庄市裕华区道路运输行业工会联合会": [("130108", "G54"), ("130108", "G543")],
    "石家庄市裕华区槐底街道工会联合会": [("130108005", None)],
    "石家庄市裕华区家政服务行业工会联合会": [("130108", "O8010")],
    "石家庄市长安区网约车行业工会联合会": [("130102", "G5413")],
    "石家庄高新技术产业开发区电子信息行业工会联合会": [("130171", "C39")],
}


def _profiles(today: date) -> dict[str, dict]:
    """Term, flags, priority and contact per federation (dates relative to the first seed)."""
    def years_ago(years: int, days: int = 0) -> date:
        return today.replace(year=today.year - years, day=min(today.day, 28)) + timedelta(days=days)

    return {
        "石家庄市长安区快递行业工会联合会": dict(term_start=years_ago(1), term_years=5, own_funds=True, priority=1,
                                         has_funds_committee=True, contact_name="李建华",
                                         contact_phone="0311-86001234", address="石家庄市长安区中山东路100号"),
        "石家庄市长安区建筑行业工会联合会": dict(term_start=years_ago(3, -40), term_years=3, own_funds=True),
        "石家庄市长安区建北街道工会联合会": dict(term_start=years_ago(2), term_years=5),
        "石家庄市外卖送餐行业工会联合会": dict(term_start=years_ago(1), term_years=5, many_women=True),
        "石家庄市裕华区货车司机行业工会联合会": dict(term_start=years_ago(2), term_years=5, priority=1),
        "石家庄市长安区邮政行业工会联合会": dict(term_start=years_ago(1), term_years=3),
        "石家庄市裕华区道路运输行业工会联合会": dict(term_start=years_ago(1), term_years=5),
        "石家庄市裕华区槐底街道工会联合会": dict(term_start=years_ago(3, 60), term_years=3, many_women=True,
                                         has_women_committee=True),
        "石家庄市长安区网约车行业工会联合会": dict(term_start=years_ago(2), term_years=3),
        "石家庄高新技术产业开发区电子信息行业工会联合会": dict(term_start=years_ago(1), term_years=5),
    }


# (username, display name, role, federation name)
STAFF = [
    ("sjz-admin", "王敏（市总工会管理员）", "admin", "石家庄市总工会"),
    ("changan-admin", "赵磊（长安区总工会管理员）", "admin", "石家庄市长安区总工会"),
    ("kd-chair", "李建华（快递联合会主席）", "chair", "石家庄市长安区快递行业工会联合会"),
    ("kd-case", "张丽（快递联合会办事员）", "caseworker", "石家庄市长安区快递行业工会联合会"),
    ("hc-case", "刘强（货车司机联合会办事员）", "caseworker", "石家庄市裕华区货车司机行业工会联合会"),
]


def _by_name(name: str) -> Federation | None:
    return db.session.scalar(select(Federation).where(Federation.name == name))


def seed_demo(today: date | None = None) -> list[Federation]:
    """Create what is missing of the demo tree; returns every demo node."""
    today = today or date.today()
    profiles = _profiles(today)
    nodes = []
    for name, kind, level, region, industry, parent, status in UNIONS + FEDERATIONS:
        node = _by_name(name)
        if node is None:
            node = federations.create_federation(
                name=name, kind=kind, level=level, region_code=region, industry_code=industry,
                parent_id=_by_name(parent).id if parent else None, status=status, **profiles.get(name, {}),
            )
        if not node.coverage and node.status != "dissolved":
            for region_code, industry_code in COVERAGE.get(name, []):
                coverage.add_rule(node, region_code=region_code, industry_code=industry_code)
            db.session.refresh(node)
        if name in DISSOLVE and node.status != "dissolved":
            federations.dissolve_federation(node, on=today - timedelta(days=30), reason=DISSOLVE[name], staff=None)
        nodes.append(node)
    db.session.flush()
    from service.devtools.demo_contests import seed_demo_contest

    seed_demo_contest()
    from service.devtools.demo_positions import seed_demo_positions

    seed_demo_positions()
    return nodes


def seed_staff() -> list[tuple[Staff, bool]]:
    """The demo accounts (password DEMO_PASSWORD); (account, created now) each."""
    accounts = []
    for username, display_name, role, federation_name in STAFF:
        account = db.session.scalar(select(Staff).where(Staff.username == username))
        created = account is None
        if created:
            account = staff_service.create_staff(
                username=username, password=DEMO_PASSWORD, federation_id=_by_name(federation_name).id,
                role=role, display_name=display_name)
        accounts.append((account, created))
    return accounts

