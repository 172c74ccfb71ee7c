"""Test data builders, one place for every test module."""
import itertools

from service import federations
from service.extensions import db

_seq = itertools.count(1)


def make_upper(name: str = "石家庄市长安区总工会", level: str | None = None, region: str = "130102", parent=None,
               **kw):
    node = federations.create_federation(
        name=name, kind="upper", level=level, region_code=region,
        parent_id=parent.id if parent else None, **kw,
    )
    db.session.commit()
    return node


def make_federation(name: str | None = None, kind: str = "industry", level: str | None = None,
                    region: str = "130102", industry: str | None = "G6020", parent=None,
                    status: str = "active", **kw):
    name = name or f"{_division(region)}测试{next(_seq)}行业工会联合会"
    if parent is None:  # every federation has an upper union: the nearest one, or a new one
        parent = _upper_for(region)
    node = federations.create_federation(
        name=name, kind=kind, level=level, region_code=region,
        industry_code=industry if kind == "industry" else None,
        parent_id=parent.id if parent else None, status=status, **kw,
    )
    db.session.commit()
    return node


def _division(region: str) -> str:
    """The name prefix we suggest for a region: 130102 → 石家庄市长安区."""
    from service.federation_names import example_prefix

    return example_prefix(region)


def _upper_for(region: str):
    """The nearest existing upper union whose region contains `region`, else a new one."""
    from sqlalchemy import select

    from models.federation import Federation
    from service import refdata

    for code in [region] + refdata.region_ancestors_codes(region):
        found = db.session.scalar(select(Federation).where(Federation.kind == "upper",
                                                           Federation.region_code == code).order_by(Federation.id))
        if found is not None:
            return found
    level = refdata.get_region(region).level
    return make_upper(f"{_division(region)}测试{next(_seq)}总工会", level=level, region=region)


def make_coverage(federation, region: str | None = None, industry: str | None = None):
    """Add a coverage rule through the service (validated, normalised)."""
    from service import coverage

    rule = coverage.add_rule(federation, region_code=region or federation.region_code, industry_code=industry)
    db.session.commit()
    return rule


def make_staff(federation, role: str = "caseworker", username: str | None = None,
               password: str = "password123", **kw):
    from service import staff

    account = staff.create_staff(username=username or f"staff{next(_seq)}", password=password,
                                 federation_id=federation.id, role=role, **kw)
    db.session.commit()
    return account
