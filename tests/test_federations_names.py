"""The name rule (DESIGN §1; Hebei opinion 2020 二.1), checked on create and rename."""
import pytest

from service.errors import Invalid
from service.federations.names import (MSG_BASE_UNION, MSG_OCCUPATION, MSG_SUFFIX, MSG_UNIT,
                                      MSG_UPPER_SUFFIX, name_problems)
from tests.factories import make_federation, make_upper

PREFIX_CHANGAN = "名称应以所在行政区划名称开头（如“石家庄市长安区”）"


@pytest.mark.parametrize("name, region", [
    ("石家庄市长安区快递行业工会联合会", "130102"),
    ("河北省石家庄市长安区快递行业工会联合会", "130102"),
    ("长安区快递行业工会联合会", "130102"),
    ("石家庄市裕华区货车司机行业工会联合会", "130108"),
    ("石家庄市外卖送餐行业工会联合会", "130100"),
    ("石家庄市长安区外卖送餐行业工会联合会", "130100"),  # a city federation may name a district as its area
    ("石家庄市长安区建北街道工会联合会", "130102001"),  # county path + the street as the area name
    ("建北街道物流园区工会联合会", "130102001"),
    ("石家庄市长安区化工行业工会联合会", "130102"),
    ("石家庄市长安区化工工会联合会", "130102"),  # 化工 is an industry, not a person
    ("石家庄市长安区中山路商圈工会联合会", "130102"),
    ("雄安新区建筑行业工会联合会", "133100"),
    ("石家庄高新技术产业开发区电子信息行业工会联合会", "130171"),
])
def test_valid_names(name, region):
    assert name_problems(name, kind="industry", region_code=region) == []


def occupation(word):
    return MSG_OCCUPATION.format(word=word)


@pytest.mark.parametrize("name, region, messages", [
    ("", "130102", ["请填写名称"]),
    ("石家庄市长安区快递行业工会", "130102", [MSG_SUFFIX]),
    ("快递小哥之家", "130102", [MSG_SUFFIX, PREFIX_CHANGAN]),
    ("裕华区快递行业工会联合会", "130102", [PREFIX_CHANGAN]),
    ("河北省快递行业工会联合会", "130102", [PREFIX_CHANGAN]),
    ("石家庄市快递行业工会联合会", "130102", [PREFIX_CHANGAN]),
    ("长安快递行业工会联合会", "130102", [PREFIX_CHANGAN]),
    ("石家庄市长安区工会联合会", "130102",
     ["名称应在行政区划名称之后写明区域或行业名称（如“石家庄市长安区快递行业工会联合会”）"]),
    ("石家庄市长安区快递员工会联合会", "130102", [occupation("快递员")]),
    ("石家庄市长安区外卖骑手工会联合会", "130102", [occupation("外卖骑手")]),
    ("石家庄市裕华区货车司机工会联合会", "130108", [occupation("货车司机")]),
    ("石家庄市长安区农民工工会联合会", "130102", [occupation("农民工")]),
    ("石家庄市长安区厨师工会联合会", "130102", [occupation("厨师")]),
    ("石家庄市长安区灵活就业者工会联合会", "130102", [occupation("灵活就业者")]),
    ("石家庄市长安区月嫂工会联合会", "130102", [occupation("月嫂")]),
    ("石家庄市长安区快递行业基层工会联合会", "130102", [MSG_BASE_UNION]),
    ("石家庄市长安区快递行业联合基层工会委员会", "130102", [MSG_SUFFIX, MSG_BASE_UNION]),
    ("石家庄市长安区快递行业工会委员会", "130102", [MSG_SUFFIX, MSG_BASE_UNION]),
    ("石家庄市长安区顺丰速运有限公司工会联合会", "130102", [MSG_UNIT]),
    ("石家庄市长安区建北街道快递员工会联合会", "130102001", [occupation("建北街道快递员")]),
    ("石家庄市外卖送餐行业工会联合会", "130102", [PREFIX_CHANGAN]),
])
def test_invalid_names_say_what_is_wrong(name, region, messages):
    assert name_problems(name, kind="industry", region_code=region) == messages


def test_the_suggested_prefix_follows_the_region():
    assert name_problems("快递行业工会联合会", kind="industry", region_code="130108") == \
        ["名称应以所在行政区划名称开头（如“石家庄市裕华区”）"]
    assert name_problems("快递行业工会联合会", kind="industry", region_code="130102001") == \
        ["名称应以所在行政区划名称开头（如“石家庄市长安区建北街道”）"]
    assert name_problems("快递行业工会联合会", kind="industry", region_code="133100") == \
        ["名称应以所在行政区划名称开头（如“雄安新区”）"]


def test_upper_union_names_end_with_gonghui():
    assert name_problems("石家庄市长安区总工会", kind="upper", region_code="130102") == []
    assert name_problems("石家庄市长安区建北街道工会", kind="upper", region_code="130102001") == []
    assert name_problems("长安区职工之家", kind="upper", region_code="130102") == [MSG_UPPER_SUFFIX]
    assert name_problems("石家庄市长安区快递行业工会联合会", kind="upper", region_code="130102") == [MSG_UPPER_SUFFIX]


def test_create_refuses_a_bad_name_with_the_message():
    upper = make_upper()
    with pytest.raises(Invalid) as caught:
        make_federation("石家庄市长安区快递员工会联合会", parent=upper)
    assert caught.value.fields == {"name": occupation("快递员")}


def test_several_problems_are_joined():
    upper = make_upper()
    with pytest.raises(Invalid) as caught:
        make_federation("快递员联合会", parent=upper)
    assert caught.value.fields["name"] == f"{MSG_SUFFIX}；{PREFIX_CHANGAN}"
