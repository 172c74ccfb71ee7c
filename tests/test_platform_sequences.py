"""Named counters: member numbers and request numbers come from service.sequences."""
from datetime import datetime

import pytest

from models.wechat import Counter
from service import sequences
from service.help_requests import worker as help_requests
from service.errors import Conflict
from service.extensions import db


def test_a_counter_starts_at_one_and_counts_up():
    assert [sequences.next_value("t:a") for _ in range(3)] == [1, 2, 3]
    assert sequences.next_value("t:b") == 1


def test_a_counter_stops_at_its_maximum():
    assert [sequences.next_value("t:max", maximum=2) for _ in range(3)] == [1, 2, None]
    assert db.session.get(Counter, "t:max").value == 2


def test_request_numbers_are_refused_once_the_day_is_full():
    now = datetime(2026, 11, 25, 4, 0)
    assert help_requests.next_request_number(now) == "QZ20261125000001"
    db.session.get(Counter, "request:20261125").value = help_requests.NUMBER_MAX
    with pytest.raises(Conflict):
        help_requests.next_request_number(now)
