"""The request state machine: every allowed and every refused transition, in the table and
through the actions that cause them."""
import itertools

import pytest
from sqlalchemy import select

from models.outbox import OutboxMessage
from models.request import REQUEST_STATUSES
from service.help_requests import casework
from service.help_requests import worker as help_requests
from service.errors import Conflict
from service.extensions import db
from service.help_requests.status import TRANSITIONS, can_transition, transition
from tests.factories import cover, make_federation, make_request, make_staff, make_upper, make_worker  # noqa: F401

ALLOWED = {
    ("new", "in_progress"), ("in_progress", "awaiting_worker"), ("awaiting_worker", "in_progress"),
    ("in_progress", "resolved"), ("resolved", "closed"), ("resolved", "in_progress"),
    ("new", "withdrawn"), ("in_progress", "withdrawn"), ("awaiting_worker", "withdrawn"),
}
PAIRS = [(a, b) for a, b in itertools.product(REQUEST_STATUSES, REQUEST_STATUSES) if a != b]


def test_the_table_is_exactly_the_design():
    assert set(TRANSITIONS) == ALLOWED


@pytest.mark.parametrize("old, new", PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_transition_is_allowed_or_refused(old, new):
    class Stub:
        status = old

    stub = Stub()
    if (old, new) in ALLOWED:
        assert can_transition(old, new)
        assert transition(stub, new) == old and stub.status == new
    else:
        assert not can_transition(old, new)
        with pytest.raises(Conflict) as refused:
            transition(stub, new)
        assert refused.value.code == "bad_transition" and stub.status == old
        assert "不能改为" in refused.value.message


# --- the same machine, driven through the actions -----------------------------------------------
@pytest.fixture
def world():
    county = make_upper("石家庄市长安区总工会", region="130102")
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=county), "130102", "G602")
    return {"staff": make_staff(courier, role="chair"), "other": make_staff(courier), "worker": make_worker("o-sm")}


def bring_to(world, status):
    """A request driven to `status` by the real actions."""
    staff, worker = world["staff"], world["worker"]
    request = make_request(worker)
    steps = {
        "new": [],
        "in_progress": [lambda: casework.claim(staff, request.id)],
        "awaiting_worker": [lambda: casework.ask_info(staff, request.id, "请补充工资条")],
        "resolved": [lambda: casework.resolve(staff, request.id, {"result": "resolved", "summary": "已补发"})],
        "closed": [lambda: casework.resolve(staff, request.id, {"result": "resolved", "summary": "已补发"}),
                   lambda: casework.close(staff, request.id)],
        "withdrawn": [lambda: help_requests.withdraw(worker, request.id)],
    }
    for step in steps[status]:
        step()
    db.session.commit()
    assert request.status == status
    return request


def act(world, action, request):
    staff, worker = world["staff"], world["worker"]
    return {
        "claim": lambda: casework.claim(world["other"], request.id),  # taking over a colleague's request
        "ask_info": lambda: casework.ask_info(staff, request.id, "请补充"),
        "add_info": lambda: help_requests.add_info(worker, request.id, "补充材料如下"),
        "resume": lambda: casework.resume(staff, request.id),
        "resolve": lambda: casework.resolve(staff, request.id, {"result": "resolved", "summary": "已解决"}),
        "reopen": lambda: casework.reopen(staff, request.id, "职工反映未兑现"),
        "close": lambda: casework.close(staff, request.id),
        "withdraw": lambda: help_requests.withdraw(worker, request.id),
    }[action]()


# (action, from status) → status after it, or None when refused
ACTIONS = {
    ("claim", "new"): "in_progress", ("claim", "in_progress"): "in_progress",
    ("claim", "awaiting_worker"): "awaiting_worker",
    ("claim", "resolved"): None, ("claim", "closed"): None, ("claim", "withdrawn"): None,
    ("ask_info", "new"): "awaiting_worker", ("ask_info", "in_progress"): "awaiting_worker",
    ("ask_info", "awaiting_worker"): None, ("ask_info", "resolved"): None, ("ask_info", "closed"): None,
    ("ask_info", "withdrawn"): None,
    ("add_info", "new"): "new", ("add_info", "in_progress"): "in_progress",
    ("add_info", "awaiting_worker"): "in_progress", ("add_info", "resolved"): None, ("add_info", "closed"): None,
    ("add_info", "withdrawn"): None,
    ("resume", "awaiting_worker"): "in_progress", ("resume", "in_progress"): None, ("resume", "new"): None,
    ("resolve", "new"): "resolved", ("resolve", "in_progress"): "resolved", ("resolve", "awaiting_worker"): None,
    ("resolve", "resolved"): None, ("resolve", "closed"): None, ("resolve", "withdrawn"): None,
    ("reopen", "resolved"): "in_progress", ("reopen", "new"): None, ("reopen", "in_progress"): None,
    ("reopen", "closed"): None, ("reopen", "withdrawn"): None,
    ("close", "resolved"): "closed", ("close", "new"): None, ("close", "in_progress"): None,
    ("close", "awaiting_worker"): None, ("close", "closed"): None, ("close", "withdrawn"): None,
    ("withdraw", "new"): "withdrawn", ("withdraw", "in_progress"): "withdrawn",
    ("withdraw", "awaiting_worker"): "withdrawn", ("withdraw", "resolved"): None, ("withdraw", "closed"): None,
    ("withdraw", "withdrawn"): None,
}


@pytest.mark.parametrize("action, status", list(ACTIONS), ids=[f"{a}@{s}" for a, s in ACTIONS])
def test_actions_follow_the_machine(world, action, status):
    request = bring_to(world, status)
    expected = ACTIONS[(action, status)]
    queued = db.session.scalar(select(db.func.count()).select_from(OutboxMessage))
    if expected is None:
        with pytest.raises(Conflict):
            act(world, action, request)
        db.session.rollback()
        assert request.status == status
        return
    act(world, action, request)
    db.session.commit()
    assert request.status == expected
    if expected != status:  # every status change tells the worker
        assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) > queued
