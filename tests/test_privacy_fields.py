"""The join form's field rules: resident ID (GB 11643), mobile, name, masking."""
from datetime import date

import pytest

from service import clock
from service.privacy.fields import (
    FieldError, check_mobile, check_name, check_resident_id, id_check_char, mask_id, mask_name, mask_phone,
)
from tests.factories import make_resident_id

TODAY = date(2025, 6, 15)


def check(value, **kw):
    return check_resident_id(value, today=TODAY, **kw)


@pytest.mark.parametrize("number, birth, gender", [
    ("11010519491231002X", date(1949, 12, 31), "F"),  # the standard's own example, check char X
    (make_resident_id("19900307", "123"), date(1990, 3, 7), "M"),
    (make_resident_id("20000229", "014"), date(2000, 2, 29), "F"),  # a real leap day
])
def test_valid_ids_give_birth_date_and_gender(number, birth, gender):
    parsed = check(number)
    assert (parsed.birth_date, parsed.gender, parsed.number) == (birth, gender, number)


def test_lower_case_x_and_spaces_are_normalised():
    assert check(" 110105 19491231 002x ").number == "11010519491231002X"


def test_x_check_characters_are_computed_and_verified():
    # find sequences whose check character is X, in both positions of a real ID
    with_x = [f"13010219850101{n:03d}" for n in range(1000) if id_check_char(f"13010219850101{n:03d}") == "X"]
    assert with_x, "some sequence must give X"
    assert check(with_x[0] + "X").number.endswith("X")
    with pytest.raises(FieldError, match="校验位"):
        check(with_x[0] + "0")
    digit = make_resident_id("19850101", "001")
    with pytest.raises(FieldError, match="校验位"):
        check(digit[:17] + "X")


@pytest.mark.parametrize("number, message", [
    ("", "请填写身份证号"),
    ("130102900307123", "15位"),
    ("13010219900307123", "应为18位"),
    ("1301021990030712345", "应为18位"),
    ("13010219900307A23X", "前17位应为数字"),
    ("990102199003071234", "地区码"),
    ("130102199902301230", "出生日期不存在"),  # 30 February
    ("130102199913011230", "出生日期不存在"),  # month 13
    ("130102202606011230", "晚于今天"),  # born in the future
    ("130102189912311230", "出生日期无效"),
])
def test_invalid_ids_each_get_their_own_message(number, message):
    if len(number) == 18 and message in ("晚于今天",):
        number = number[:17] + id_check_char(number[:17])
    with pytest.raises(FieldError, match=message):
        check(number)


def test_impossible_date_is_refused_even_with_a_correct_check_character():
    number = make_resident_id("19990230", "123")
    with pytest.raises(FieldError, match="出生日期不存在"):
        check(number)


def test_wrong_check_character():
    good = make_resident_id()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(FieldError, match="校验位不正确"):
        check(wrong)


def test_under_sixteen_is_refused_and_sixteenth_birthday_is_accepted():
    with pytest.raises(FieldError, match="未满16周岁"):
        check(make_resident_id("20090616", "123"))  # 16 tomorrow
    assert check(make_resident_id("20090615", "123")).birth_date == date(2009, 6, 15)


def test_future_birth_date_with_valid_check_character():
    with pytest.raises(FieldError, match="晚于今天"):
        check(make_resident_id("20250616", "123"))


def test_age_on_handles_birthdays():
    assert clock.age_on(date(2000, 2, 29), date(2016, 2, 28)) == 15
    assert clock.age_on(date(2000, 2, 29), date(2016, 3, 1)) == 16


@pytest.mark.parametrize("raw, clean", [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+8619912345678", "19912345678"),
    ("8615012345678", "15012345678"),
])
def test_good_mobiles(raw, clean):
    assert check_mobile(raw) == clean


@pytest.mark.parametrize("raw", ["", "1381234567", "138123456789", "12812345678", "10812345678",
                                 "23812345678", "1381234567a", "02112345678"])
def test_bad_mobiles(raw):
    with pytest.raises(FieldError):
        check_mobile(raw)


@pytest.mark.parametrize("raw, clean", [("张三", "张三"), (" 欧阳 娜娜 ", "欧阳娜娜"), ("阿依古丽•买买提", "阿依古丽·买买提")])
def test_good_names(raw, clean):
    assert check_name(raw) == clean


@pytest.mark.parametrize("raw", ["", "张", "Zhang San", "张3", "·张三", "张" * 21])
def test_bad_names(raw):
    with pytest.raises(FieldError):
        check_name(raw)


def test_masks():
    assert mask_id("13010219900307123X") == "13**************3X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三丰") == "张**"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧阳**"
