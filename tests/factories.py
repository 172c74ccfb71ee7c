"""Test data builders, one place for every test module."""
import itertools

import pytest

from service import federations
from service.extensions import db

_seq = itertools.count(1)


def make_upper(name: str = "石家庄市长安区总工会", level: str = "county", region: str = "130102", parent=None, **kw):
    node = federations.create_federation(
        name=name, kind="upper", level=level, region_code=region,
        parent_id=parent.id if parent else None, **kw,
    )
    db.session.commit()
    return node


def make_federation(name: str | None = None, kind: str = "industry", level: str = "county",
                    region: str = "130102", industry: str | None = "G6020", parent=None,
                    status: str = "active", **kw):
    name = name or f"石家庄市长安区测试{next(_seq)}行业工会联合会"
    node = federations.create_federation(
        name=name, kind=kind, level=level, region_code=region,
        industry_code=industry if kind == "industry" else None,
        parent_id=parent.id if parent else None, status=status, **kw,
    )
    db.session.commit()
    return node


def make_staff(federation, role: str = "caseworker", username: str | None = None,
               password: str = "password123", **kw):
    from service import staff

    account = staff.create_staff(username=username or f"staff{next(_seq)}", password=password,
                                 federation_id=federation.id, role=role, **kw)
    db.session.commit()
    return account


def cover(federation, region_prefix: str, industry_prefix: str | None = None):
    """Give `federation` a coverage rule so routing sends matching workplaces to it."""
    from models.federation import CoverageRule

    db.session.add(CoverageRule(federation_id=federation.id, region_prefix=region_prefix,
                                industry_prefix=industry_prefix))
    db.session.commit()
    return federation


def make_worker(openid: str | None = None):
    from service.workers import get_or_create_worker

    worker = get_or_create_worker(openid or f"o-worker-{next(_seq)}")
    db.session.commit()
    return worker


HELP_DETAILS = {
    "mediation": {"employer_address": "石家庄市长安区中山东路1号", "legal_representative": "王经理"},
    "legal_aid": {"migrant_worker": True, "claim": "wages"},
    "wage_arrears": {"months": 3, "workers_affected": 12},
    "work_injury": {"recognised": "pending"},  # injury_date: 40 days ago (help_payload)
    "consultation": {},
}


def help_payload(type: str = "wage_arrears", **overrides) -> dict:
    """A valid help request as the H5 page submits it (workplace 130102, industry G6020),
    learned of 30 days ago."""
    from datetime import date, timedelta

    details = dict(HELP_DETAILS[type])
    if type == "work_injury":
        details["injury_date"] = (date.today() - timedelta(days=40)).isoformat()
    payload = {
        "type": type, "employer_name": "石家庄某某快递有限公司", "region": "130102", "industry": "G6020",
        "facts": "公司自去年十月起拖欠工资，多次催讨未果。", "wants": "请求支付拖欠的工资", "amount": "15000",
        "learned_on": (date.today() - timedelta(days=30)).isoformat(), "name": "张三", "phone": "13812345678",
        "consent": True, "details": details,
    }
    payload.update(overrides)
    return payload


def make_request(worker=None, *, type: str = "wage_arrears", now=None, **overrides):
    """A submitted help request (routed by the real rules; give the tree coverage first)."""
    from service import requests

    worker = worker or make_worker()
    if now is not None and "learned_on" not in overrides:  # keep the default "30 days ago" before `now`
        from datetime import timedelta

        overrides["learned_on"] = (now.date() - timedelta(days=30)).isoformat()
        if type == "work_injury" and "details" not in overrides:
            overrides["details"] = {"recognised": "pending",
                                    "injury_date": (now.date() - timedelta(days=40)).isoformat()}
    request = requests.submit(worker, help_payload(type, **overrides), now=now)
    db.session.commit()
    return request


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    """scrypt costs a quarter of a second per hash; tests that make many accounts import this
    autouse fixture (`from tests.factories import fast_passwords  # noqa: F401`) for a cheap one."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    from service import staff, staff_admin

    cheap = partial(generate_password_hash, method="pbkdf2:sha256:1")
    monkeypatch.setattr(staff, "generate_password_hash", cheap)
    monkeypatch.setattr(staff_admin, "generate_password_hash", cheap)
