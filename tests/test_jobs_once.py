"""Periodic jobs run once per interval across worker processes (issue 13 §2)."""
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.audit import AuditEntry
from models.base import utcnow
from models.contest import Signup
from models.job import JobLease
from models.membership import Application
from models.outbox import OutboxMessage
from models.request import HelpRequest, Transfer
from service import jobs
from service.extensions import db
from service.membership import review
from tests.conftest import as_worker
from tests.factories import cover, join_form, make_contest, make_federation, make_request, make_resident_id, \
    make_staff, make_upper, make_worker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_lease_is_taken_once_per_interval_and_released():
    job = jobs.Job("lease-probe", 60, lambda: 0)
    assert jobs.take_lease(job, holder="a") is True
    assert jobs.take_lease(job, holder="b") is False  # held, and not due again for 60 s
    jobs.release_lease(job, holder="a")
    assert jobs.take_lease(job, holder="b") is False  # released, but this interval has run
    lease = db.session.get(JobLease, "lease-probe")
    lease.next_run_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert jobs.take_lease(job, holder="b") is True
    assert db.session.get(JobLease, "lease-probe").runs == 1


def test_a_crashed_holders_lease_runs_out():
    job = jobs.Job("lease-crash", 1, lambda: 0, timeout=30)
    assert jobs.take_lease(job, holder="crashed") is True  # never released
    lease = db.session.get(JobLease, "lease-crash")
    lease.next_run_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert jobs.take_lease(job, holder="other") is False  # still held
    lease.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert jobs.take_lease(job, holder="other") is True


def test_a_failing_job_is_released_and_counted():
    def boom():
        raise RuntimeError("down")

    job = jobs.Job("lease-fail", 60, boom)
    with pytest.raises(RuntimeError):
        jobs.run_leased(job)
    lease = db.session.get(JobLease, "lease-fail")
    assert lease.failures == 1 and lease.holder is None and "down" in lease.last_error


def _work_for_every_sweep(client):
    """Requests overdue long enough to escalate, a contest tomorrow with confirmed sign-ups, and
    rejected applications past their retention period."""
    city = make_upper("石家庄市总工会", level="city", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=changan), "130102", "G602")
    now = utcnow()
    requests = [make_request(make_worker(f"o-late-{n}"), now=now - timedelta(days=10)) for n in range(6)]
    for request in requests[:3]:  # already marked overdue 4 days ago: this sweep escalates them
        request.overdue, request.overdue_since, request.overdue_kind = True, now - timedelta(days=4), "first_response"
    contest = make_contest(courier, starts_at=now + timedelta(hours=12), registration_closes_at=now + timedelta(hours=6),
                           capacity=10)
    for n in range(4):
        worker = make_worker(f"o-player-{n}")
        db.session.add(Signup(contest_id=contest.id, worker_id=worker.id, status="confirmed", seq=n + 1,
                              name="选手", phone="13800000000", answers={}))
    contest.confirmed_count = 4
    db.session.commit()
    staff = make_staff(courier)
    for n in range(3):
        response = as_worker(client, f"o-apply-{n}").post(
            "/api/join/applications", json=join_form(id_number=make_resident_id(seq=f"{n + 1:03d}")))
        assert response.status_code == 201, response.get_json()
        review.reject(staff, response.get_json()["id"], "材料不全")
    db.session.commit()
    for application in db.session.scalars(select(Application)):
        application.retention_until = now - timedelta(days=1)
    db.session.commit()
    return requests, contest


@pytest.mark.postgres
def test_three_worker_processes_run_each_sweep_once(app, client):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    requests, contest = _work_for_every_sweep(client)
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "PYTHONPATH": ROOT,
           "GONGLIAN_WEB": "1"}
    start_at = str(time.time() + 3)  # all three start after their imports, at the same instant
    procs = [subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "job_process.py"), start_at, "4"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), outputs
    runs = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    for name in ("requests-sweep", "contest-reminders", "privacy-purge", "contest-close-registration"):
        assert sum(r.get(name, 0) for r in runs) == 1, (name, runs)
    db.session.expire_all()
    # no double escalation: one escalation hop per escalated request
    for request in requests[:3]:
        hops = db.session.scalar(select(func.count()).select_from(Transfer).where(
            Transfer.subject_type == "request", Transfer.subject_id == request.id))
        assert hops == 1, request.id
    assert db.session.scalar(select(func.count()).select_from(HelpRequest).where(HelpRequest.overdue)) == 6
    # one reminder per sign-up
    reminders = db.session.scalars(select(OutboxMessage.dedup_key).where(
        OutboxMessage.dedup_key.like(f"contest:{contest.id}:remind:%"))).all()
    assert len(reminders) == len(set(reminders)) == 4
    # one purge
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "privacy.purge")) == 1
    assert all(a.erased_at for a in db.session.scalars(select(Application)))
