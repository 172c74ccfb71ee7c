"""The log scrubber masks mobiles and ID numbers in the forms people and URLs write them, and blanks
the signed /wechat query (signature, nonce, openid) in any log line, e.g. a request line."""
import logging

import pytest

from service.privacy import pii
from tests.factories import make_resident_id

MOBILES = ["13812345678", "+8613812345678", "+86 138 1234 5678", "138-1234-5678", "138 1234 5678", "138+1234+5678",
           "%2B8613812345678", "%2B86%2013812345678", "138%2D1234%2D5678", "138%201234%205678", "0086-13812345678",
           "86-138-1234-5678", "138.1234.5678"]


@pytest.mark.parametrize("written", MOBILES)
def test_every_spelling_of_a_mobile_is_masked(written):
    cleaned = pii.scrub(f"phone={written}&x=1 / 电话 {written}。")
    assert "1234" not in cleaned.replace("****", ""), cleaned
    assert cleaned.count("138****5678") == 2


@pytest.mark.parametrize("text", ["1555555555555", "order 20261201081046123", "2026-12-01 08:10:46,123",
                                  "x13812345678y-but-9913812345678"])
def test_numbers_that_are_not_mobiles_are_left_alone(text):
    if text.startswith("x"):
        assert "9913812345678" in pii.scrub(text)
    else:
        assert pii.scrub(text) == text


def test_an_id_number_split_by_spaces_or_dashes_is_masked():
    number = make_resident_id()
    for written in (number, f"{number[:6]} {number[6:14]} {number[14:]}", f"{number[:6]}-{number[6:14]}-{number[14:]}"):
        assert number[6:14] not in pii.scrub(f"身份证 {written}")


def test_a_logged_request_line_never_holds_the_signed_wechat_query(caplog):
    line = ('127.0.0.1 - - "POST /wechat?signature=5b1f6c0e7d&timestamp=1764576000&nonce=1234567890'
            '&openid=oGonglianVictim01&encrypt_type=aes&msg_signature=9a8b7c HTTP/1.1" 200 -')
    with caplog.at_level(logging.INFO):
        logging.getLogger("werkzeug").info(line)
        logging.getLogger("gunicorn.access").info("%s", line)
    for secret in ("5b1f6c0e7d", "1234567890", "oGonglianVictim01", "9a8b7c"):
        assert secret not in caplog.text
    assert "signature=***" in caplog.text and "timestamp=1764576000" in caplog.text
