"""One input base: every message a client can get from a schema is Chinese."""
import importlib
import pkgutil
import re

import marshmallow as ma
import pytest

import handlers.api
import handlers.schemas
from handlers.schemas.base import InSchema, OutSchema, chinese_field
from tests.conftest import login
from tests.factories import make_federation, make_staff, make_upper

CJK = re.compile(r"[\u4e00-\u9fff]")


def all_input_schemas():
    for package in (handlers.schemas, handlers.api):
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
    found, todo = set(), [ma.Schema]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("handlers."):
                found.add(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__name__))


def test_every_schema_has_one_of_the_two_bases():
    schemas = [s for s in all_input_schemas() if s not in (InSchema, OutSchema)]
    assert len([s for s in schemas if issubclass(s, InSchema)]) > 40
    assert [s.__name__ for s in schemas if not issubclass(s, (InSchema, OutSchema))] == []
    assert [s.__name__ for s in schemas if s.__name__.endswith("Out") and not issubclass(s, OutSchema)] == []


@pytest.mark.parametrize("schema", [s for s in all_input_schemas() if issubclass(s, InSchema)],
                         ids=lambda s: s.__name__)
def test_every_message_of_every_input_field_is_chinese(schema):
    instance = schema()
    assert CJK.search(instance.error_messages["unknown"]) and CJK.search(instance.error_messages["type"])

    def check(field, path):
        for key, message in field.error_messages.items():
            assert CJK.search(message), f"{path}: {key} = {message!r}"
        for validator in field.validators:
            error = getattr(validator, "error", None)
            if error is not None:
                assert CJK.search(error), f"{path}: {type(validator).__name__} = {error!r}"
        for inner in (getattr(field, "inner", None), getattr(field, "value_field", None)):
            if isinstance(inner, ma.fields.Field):
                check(inner, path + "[]")

    for name, field in instance.fields.items():
        check(field, f"{schema.__name__}.{name}")


def test_marshmallow_defaults_become_chinese():
    class Sample(InSchema):
        n = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=5))
        x = ma.fields.Float()
        words = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=3)))
        pick = ma.fields.String(validate=ma.validate.OneOf(["a", "b"]))

    errors = Sample().validate({"x": "NaN", "words": ["abcd"], "pick": "c", "other": 1})
    assert errors == {"n": ["请填写此项"], "x": ["不能是 NaN 或无穷大"], "words": {0: ["不超过3个字符"]},
                      "pick": ["不在可选范围内"], "other": ["不支持的字段"]}
    assert Sample().validate({"n": 9}) == {"n": ["应在1至5之间"]}
    field = ma.fields.Integer(error_messages={"invalid": "请选择上一级工会"})
    chinese_field(field)
    assert field.error_messages["invalid"] == "请选择上一级工会"  # a field's own message is kept


def test_invalid_json_and_login_form_answer_in_chinese(client):
    bad = client.post("/api/auth/login", data="{not json", content_type="application/json")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["fields"] == {"_": "请求内容不是有效的 JSON"}
    missing = client.post("/api/auth/login", json={})
    assert missing.status_code == 422
    assert missing.get_json()["error"]["fields"] == {"username": "请填写此项", "password": "请填写此项"}


def test_nan_and_huge_numbers_in_a_staff_form(client):
    fed = make_federation("石家庄市长安区快递行业工会联合会", parent=make_upper())
    login(client, make_staff(fed, role="chair"))
    response = client.post("/api/staff/contests", json={"title": "竞赛", "capacity": "NaN"})
    assert response.status_code == 422
    assert all(CJK.search(v) for v in response.get_json()["error"]["fields"].values())
