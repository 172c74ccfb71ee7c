"""Demo data for `make run`: a slice of Hebei's union tree with federations. Idempotent."""
from datetime import date

from sqlalchemy import select

from models.federation import CoverageRule, Federation
from service import federations
from service.extensions import db

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
]


# federation name → coverage rules (region prefix, industry prefix or None)
COVERAGE = {
    "石家庄市长安区快递行业工会联合会": [("130102", "G602")],
    "石家庄市长安区建筑行业工会联合会": [("130102", "E")],
    "石家庄市长安区建北街道工会联合会": [("130102001", None)],
    "石家庄市外卖送餐行业工会联合会": [("1301", "H6242")],
    "石家庄市裕华区货车司机行业工会联合会": [("130108", "G543")],
}


def seed_demo() -> list[Federation]:
    """Create what is missing of the demo tree; returns every demo node."""
    nodes = []
    for name, kind, level, region, industry, parent, status in UNIONS + FEDERATIONS:
        node = db.session.scalar(select(Federation).where(Federation.name == name))
        if node is None:
            parent_id = db.session.scalar(select(Federation.id).where(Federation.name == parent)) if parent else None
            node = federations.create_federation(
                name=name, kind=kind, level=level, region_code=region, industry_code=industry,
                parent_id=parent_id, status=status,
                term_start=date(2024, 3, 1) if kind != "upper" else None,
                term_years=5 if kind != "upper" else None,
            )
        if not node.coverage:
            for region_prefix, industry_prefix in COVERAGE.get(name, []):
                node.coverage.append(CoverageRule(region_prefix=region_prefix, industry_prefix=industry_prefix))
        nodes.append(node)
    db.session.flush()
    from service.contest_demo import seed_demo_contest

    seed_demo_contest()
    return nodes
