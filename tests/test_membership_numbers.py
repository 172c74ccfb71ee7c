"""Member numbers under concurrent approvals: one guarded UPDATE … RETURNING per number, so
parallel transactions on PostgreSQL never share one (each thread has its own app context and
database session, as gunicorn's threads do)."""
import threading
import time

import pytest
from sqlalchemy import select

from models.membership import Membership
from models.staff import Staff
from models.worker import Worker
from service.membership import applications
from service.devtools import demo
from service.membership import members as membership
from service.membership import review
from service.extensions import db
from tests.factories import join_form, make_resident_id, make_staff

THREADS = 8


def _on_postgres():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")


def _run_in_threads(app, work, count=THREADS):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(n):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(work(n))
            except Exception as error:  # reported by the assertion below
                db.session.rollback()
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.postgres
def test_concurrent_counter_increments_never_collide(app):
    _on_postgres()

    def take(n):
        number = membership.next_member_no()
        time.sleep(0.05)  # hold the transaction open so the others pile up behind it
        db.session.commit()
        return number

    numbers, errors = _run_in_threads(app, take)
    assert errors == []
    assert len(numbers) == THREADS and len(set(numbers)) == THREADS
    assert sorted(int(n[-8:]) for n in numbers) == list(range(1, THREADS + 1))


@pytest.mark.postgres
def test_concurrent_approvals_give_distinct_member_numbers(app):
    _on_postgres()
    nodes = {node.name: node for node in demo.seed_demo()}
    db.session.commit()
    staff_id = make_staff(nodes["石家庄市长安区快递行业工会联合会"]).id
    ids = []
    for n in range(THREADS):
        worker = Worker(openid=f"o-pg-{n}")
        db.session.add(worker)
        db.session.flush()
        form = join_form(id_number=make_resident_id(seq=f"{n + 1:03d}"))
        ids.append(applications.submit_application(worker, form).id)
    db.session.commit()

    def approve(n):
        staff = db.session.get(Staff, staff_id)
        number = review.approve(staff, ids[n]).member_no
        db.session.commit()
        return number

    numbers, errors = _run_in_threads(app, approve)
    assert errors == []
    assert len(set(numbers)) == THREADS
    stored = list(db.session.scalars(select(Membership.member_no)))
    assert sorted(stored) == sorted(numbers)
    assert sorted(int(n[-8:]) for n in numbers) == list(range(1, THREADS + 1))


def test_numbers_continue_from_the_counter(app):
    first, second = membership.next_member_no(), membership.next_member_no()
    db.session.commit()
    assert int(second[-8:]) == int(first[-8:]) + 1
    assert first.startswith("GL") and len(first) == 14
