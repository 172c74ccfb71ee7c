"""The demo has canned replies, seeded once however often the demo is seeded."""
from sqlalchemy import func, select

from models.request import CannedReply
from service.devtools import demo
from service.extensions import db


def test_the_demo_seeds_canned_replies_once():
    demo.seed_demo()
    first = db.session.scalar(select(func.count()).select_from(CannedReply))
    demo.seed_demo()
    assert first == db.session.scalar(select(func.count()).select_from(CannedReply)) == 10
