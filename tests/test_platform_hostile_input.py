"""Input that answered 500 before issue 11 (on SQLite, on PostgreSQL or both): each is a 4xx with
a Chinese message now. The same tests run on both databases (TEST_DATABASE_URL)."""
import json
import struct
import zlib

import pytest

from tests.conftest import as_worker, login
from tests.factories import (cover, help_payload, make_federation, make_request, make_staff, make_upper,
                             make_worker)

HUGE_IDS = [2**31, 2**63, 10**30]


@pytest.fixture
def tree():
    city = make_upper("石家庄市总工会", level="city", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    courier = cover(make_federation("石家庄市长安区快递行业工会联合会", parent=changan), "130102", "G602")
    return {"city": city, "changan": changan, "courier": courier}


def chinese(response) -> str:
    error = response.get_json()["error"]
    text = error["message"] + json.dumps(error.get("fields") or {}, ensure_ascii=False)
    assert any("\u4e00" <= c <= "\u9fff" for c in text), error
    return text


def refused(response, *statuses):
    assert response.status_code in (statuses or (400, 404, 409, 413, 422)), (response.status_code, response.data[:300])
    chinese(response)
    return response.get_json()["error"]


def raw_post(client, path, text: str):
    return client.post(path, data=text, content_type="application/json")


# --------------------------------------------------------------------------- POST /api/requests
@pytest.mark.parametrize("amount", ["NaN", "nan", "sNaN", "-NaN", "Infinity", "-inf", "1e400", [1], {"a": 1}, True])
def test_a_help_request_amount_that_is_no_number_is_refused(client, tree, amount):
    as_worker(client, "o-amount")
    error = refused(client.post("/api/requests", json=help_payload(amount=amount)), 422)
    assert "amount" in error["fields"]


def test_an_amount_of_1e400_as_a_json_number_is_refused(client, tree):
    as_worker(client, "o-amount")
    body = json.dumps(help_payload(amount=None)).replace('"amount": null', '"amount": 1e400')
    refused(raw_post(client, "/api/requests", body), 422)


@pytest.mark.parametrize("kind, key", [("wage_arrears", "months"), ("wage_arrears", "workers_affected"),
                                       ("legal_aid", "claim"), ("legal_aid", "ground"), ("mediation", "employer_address"),
                                       ("work_injury", "recognised"), ("work_injury", "injury_date")])
@pytest.mark.parametrize("value", ["1e400", [1], {"a": 1}, [["wages"]]])
def test_details_holding_no_scalar_are_refused(client, tree, kind, key, value):
    as_worker(client, "o-details")
    details = dict(help_payload(kind)["details"])
    if value == "1e400":
        details[key] = 0
        body = json.dumps(help_payload(kind, details=details)).replace(f'"{key}": 0', f'"{key}": 1e400')
        response = raw_post(client, "/api/requests", body)
    else:
        details[key] = value
        response = client.post("/api/requests", json=help_payload(kind, details=details))
    refused(response, 422)


def test_the_service_refuses_what_the_schema_would_have_let_through(tree):
    """Defence in depth: the service's own checks hold for lists and infinities too."""
    from service.errors import Invalid
    from service.help_requests.fields import clean_submission
    from datetime import date

    for details in ({"months": float("inf"), "workers_affected": 1}, {"claim": ["wages"]}, {"recognised": {"a": 1}}):
        kind = {"months": "wage_arrears", "claim": "legal_aid", "recognised": "work_injury"}[next(iter(details))]
        with pytest.raises(Invalid):
            clean_submission(help_payload(kind, details=details), today=date.today())
    with pytest.raises(Invalid):
        clean_submission(help_payload(amount="NaN"), today=date.today())


@pytest.mark.parametrize("where", ["top", "details"])
def test_json_nested_5000_deep_is_refused_before_parsing(client, tree, where):
    as_worker(client, "o-deep")
    if where == "top":
        body = "[" * 5000 + "]" * 5000
    else:
        body = json.dumps(help_payload())[:-1] + ', "x": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}"
    assert refused(raw_post(client, "/api/requests", body), 400)["code"] == "json_too_deep"


def test_deep_brackets_inside_strings_are_only_text(client, tree):
    as_worker(client, "o-deep")
    response = client.post("/api/requests", json=help_payload(facts="[" * 500 + "很长的经过" + "{" * 500))
    assert response.status_code == 201, response.get_json()


def test_a_json_body_over_a_mebibyte_is_refused(client, tree):
    as_worker(client, "o-big")
    refused(raw_post(client, "/api/requests", json.dumps(help_payload(facts="长" * 600_000))), 413)


def test_json_depth_scan_is_linear_on_unterminated_strings():
    from handlers.request_guards import json_too_deep

    assert json_too_deep(b'"\\"' * 300_000) is False  # one unterminated string, not a quadratic rescan
    assert json_too_deep(b"[" * 33) and not json_too_deep(b"[" * 32 + b"]" * 32)


# --------------------------------------------------------------------------- ids of 2^31 and more
@pytest.mark.parametrize("number", HUGE_IDS)
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_a_huge_id_in_a_public_path_is_a_404(client, tree, number, fmt):
    assert refused(client.get(f"/api/federations/{number}/poster.{fmt}"), 404)["code"] == "not_found"


@pytest.mark.parametrize("number", HUGE_IDS + [0])
def test_a_huge_id_in_any_path_is_a_404(client, tree, number):
    staff = make_staff(tree["courier"], role="chair")
    login(client, staff)
    for path in (f"/api/inbox/requests/{number}", f"/api/applications/{number}", f"/api/staff/contests/{number}",
                 f"/api/inbox/requests/1/attachments/{number}"):
        refused(client.get(path), 404)
    refused(client.put(f"/api/canned-replies/{number}", json={"title": "t", "body": "b"}), 404)
    refused(client.post(f"/api/inbox/requests/{number}/claim", json={}), 404)  # never a 405 for a huge id
    refused(client.delete(f"/api/canned-replies/{number}"), 404)
    as_worker(client, "o-huge")
    refused(client.get(f"/api/requests/{number}"), 404)


def test_every_int_path_parameter_is_bounded_in_the_document(client):
    document = client.get("/api/openapi.json").get_json()
    seen = 0
    for path in document["paths"].values():
        for parameter in path.get("parameters", []):
            if parameter["schema"].get("type") == "integer":
                seen += 1
                assert parameter["schema"]["maximum"] == 2**31 - 1 and parameter["schema"]["minimum"] == 1
    assert seen > 30


@pytest.mark.parametrize("number", HUGE_IDS)
def test_a_huge_id_in_a_query_or_body_is_refused(client, tree, number):
    request = make_request(make_worker("o-q"))
    login(client, make_staff(tree["courier"], role="chair"))
    assert "assignee_id" in refused(client.get("/api/inbox", query_string={"assignee_id": number}), 422)["fields"]
    assert "federation_id" in refused(client.get("/api/inbox", query_string={"federation_id": number}), 422)["fields"]
    refused(client.post(f"/api/inbox/requests/{request.id}/assign", json={"assignee_id": number}), 422)
    refused(client.post("/api/inbox/bulk-assign", json={"assignee_id": 1, "request_ids": [number]}), 422)
    refused(client.post(f"/api/inbox/requests/{request.id}/transfer",
                        json={"to_federation_id": number, "reason": "不归我们"}), 422)
    refused(client.post(f"/api/inbox/requests/{request.id}/claim", json={"expected_assignee_id": number}), 422)


def test_every_integer_field_of_every_input_schema_is_bounded():
    """One mechanism (handlers/schemas/base.py), so no schema can forget it."""
    import marshmallow as ma

    from handlers.schemas.base import INT_MIN, InSchema
    from handlers.request_guards import INT_MAX

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    import handlers.api  # noqa: F401  (imports every schema module)

    checked = 0
    for schema_class in set(subclasses(InSchema)):
        for name, field in schema_class().fields.items():
            inner = getattr(field, "inner", None)
            for candidate in (field, inner):
                if isinstance(candidate, ma.fields.Integer):
                    checked += 1
                    with pytest.raises(ma.ValidationError):
                        candidate.deserialize(INT_MAX + 1)
                    with pytest.raises(ma.ValidationError):
                        candidate.deserialize(INT_MIN - 1)
    assert checked > 15


# --------------------------------------------------------------------------- a decompression bomb
def png_claiming(width: int, height: int) -> bytes:
    """A small, well-formed PNG whose header claims width × height pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("size", [(30000, 30000), (12000, 12000), (25000, 10)])
def test_an_image_whose_header_claims_too_many_pixels_is_refused_unread(client, tree, size):
    import io

    worker = make_worker("o-bomb")
    request = make_request(worker)
    as_worker(client, worker.openid)
    response = client.post(f"/api/requests/{request.id}/attachments",
                           data={"file": (io.BytesIO(png_claiming(*size)), "bomb.png")}, content_type="multipart/form-data")
    assert refused(response, 422)["fields"]["file"] == "图片尺寸过大，请缩小后再上传"


# --------------------------------------------------------------------------- canned replies
def test_renaming_a_canned_reply_to_a_taken_title_is_a_409(client, tree):
    login(client, make_staff(tree["courier"], role="chair"))
    first = client.post("/api/canned-replies", json={"title": "受理告知", "body": "您好，已受理。"}).get_json()
    second = client.post("/api/canned-replies", json={"title": "补充材料", "body": "请补充材料。"}).get_json()
    error = refused(client.put(f"/api/canned-replies/{second['id']}", json={"title": "受理告知", "body": "x"}), 409)
    assert error["fields"] == {"title": "该标题已被使用"}
    refused(client.post("/api/canned-replies", json={"title": " 受理告知 ", "body": "y"}), 409)
    same = client.put(f"/api/canned-replies/{first['id']}", json={"title": "受理告知", "body": "新的内容"})
    assert same.status_code == 200 and same.get_json()["body"] == "新的内容"


# --------------------------------------------------------------------------- NUL bytes and surrogates
@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_no_nul_byte_or_lone_surrogate_reaches_stored_text(client, tree, bad):
    worker = make_worker("o-nul")
    request = make_request(worker)
    as_worker(client, worker.openid)
    for field in ("facts", "wants", "employer_name", "name"):
        error = refused(raw_post(client, "/api/requests", json.dumps(help_payload(**{field: f"一二三四五{bad}六七八九十"}))), 422)
        assert error["fields"] == {field: "含有无效字符"}
    refused(raw_post(client, f"/api/requests/{request.id}/info", json.dumps({"text": f"补充{bad}"})), 422)
    refused(raw_post(client, "/api/requests", json.dumps(help_payload(details={"months": f"3{bad}", "workers_affected": 1}))), 422)
    refused(raw_post(client, "/api/requests", json.dumps({f"k{bad}": 1})), 422)
    login(client, make_staff(tree["courier"], role="chair"))
    refused(raw_post(client, "/api/canned-replies", json.dumps({"title": "标题", "body": f"内容{bad}"})), 422)
    refused(raw_post(client, f"/api/inbox/requests/{request.id}/note", json.dumps({"body": f"备注{bad}"})), 422)


@pytest.mark.parametrize("path, args", [
    ("/api/inbox", {"q": "张\x00"}), ("/api/inbox", {"q\x00": "张"}), ("/api/requests/preview", {"region": "1301\x0002"}),
    ("/api/join/context", {"fed": "1\x00"}), ("/api/verify", {"t": "x\x00"}), ("/api/regions", {"parent": "13\x00"}),
])
def test_no_nul_byte_in_a_search_or_any_query(client, tree, path, args):
    login(client, make_staff(tree["courier"], role="chair"))
    as_worker(client, "o-nul")
    assert refused(client.get(path, query_string=args), 400)["code"] == "invalid_characters"


def test_no_nul_byte_in_a_path_or_a_file_name(client, tree):
    import io

    assert refused(client.get("/api/regions/13%0001/path"), 400)["code"] == "invalid_characters"
    worker = make_worker("o-nul")
    request = make_request(worker)
    as_worker(client, worker.openid)
    response = client.post(f"/api/requests/{request.id}/attachments", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(png_claiming(8, 8)), "a\x00b.png")})
    assert refused(response, 400)["fields"] == {"file": "文件名含有无效字符"}


# --------------------------------------------------------------------------- /wechat
@pytest.mark.parametrize("field, value", [("FromUserName", "o" * 65), ("FromUserName", "o" * 5000),
                                          ("MsgId", "9" * 200), ("ToUserName", "gh_" + "x" * 200)])
def test_wechat_identity_fields_longer_than_their_columns_are_refused(wechat, field, value):
    xml = wechat.peer.text("o-long-0000000000000000001", "你好")
    start, end = xml.index(f"<{field}>") + len(f"<{field}>"), xml.index(f"</{field}>")
    xml = xml[:start] + f"<![CDATA[{value}]]>" + xml[end:]
    response = wechat.post(xml)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "wechat_rejected"


def test_a_wechat_field_that_is_an_element_is_refused(wechat):
    xml = wechat.peer.text("o-nested-00000000000000001", "你好").replace(
        "<![CDATA[o-nested-00000000000000001]]>", "<a>1</a>", 1)
    assert wechat.post(xml).status_code == 400


def test_a_long_event_sender_is_refused_too(wechat):
    assert wechat.send_event("o" * 300, "subscribe", "qrscene_fed:1").status_code == 400


def test_the_callback_answers_politely_when_even_deduplication_fails(wechat, monkeypatch):
    import handlers.wechat as callback

    def broken(message):
        raise RuntimeError("database gone")

    monkeypatch.setattr(callback, "handle_once", broken)
    response = wechat.send_text("o-broken-0000000000000001", "你好")
    assert response.status_code == 200
    assert callback.bot.POLITE_ERROR in response.get_data(as_text=True)


# --------------------------------------------------------------------------- safety nets
def test_a_database_refusal_that_slips_through_is_a_4xx_not_a_500(app, client, tree, monkeypatch):
    """If a schema ever lets through what the database refuses, the answer is still a 4xx."""
    from sqlalchemy.exc import DataError, IntegrityError

    import handlers.api.help_requests_worker as worker_api

    as_worker(client, "o-net")
    for error, status in ((IntegrityError("x", {}, Exception("dup")), 409), (DataError("x", {}, Exception("big")), 422)):
        def explode(*args, **kwargs):
            raise error
        monkeypatch.setattr(worker_api.help_requests, "list_mine", explode)
        refused(client.get("/api/requests"), status)


def test_gunicorn_refusals_are_answered_in_the_error_shape():
    from service.http_server import error_bytes

    raw = error_bytes(414, "URI Too Long", "request_line_too_long", "请求地址过长")
    head, body = raw.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 414 URI Too Long") and b"application/json; charset=utf-8" in head
    assert json.loads(body) == {"error": {"code": "request_line_too_long", "message": "请求地址过长"}}
    assert f"Content-Length: {len(body)}".encode() in head


def test_gunicorn_itself_answers_an_over_long_request_line_in_json(tmp_path):
    """The real server with gunicorn.conf.py: what gunicorn refuses never reaches the app."""
    import os
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite3'}", "WECHAT_SIMULATOR": "0"}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--threads", "2"], cwd=root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):  # until the worker has booted and answers
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
                    conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if conn.recv(64).startswith(b"HTTP/1.1"):
                        break
            except OSError:
                time.sleep(0.1)
        answers = []
        for raw in (b"GET /healthz?" + b"a" * 10000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
                    b"BLAH\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
                conn.sendall(raw)
                answers.append(conn.recv(4096))
        statuses = [answer.split(b" ", 2)[1] for answer in answers]
        assert statuses == [b"414", b"431", b"400"], answers
        for answer in answers:
            head, body = answer.split(b"\r\n\r\n", 1)
            assert b"Content-Type: application/json" in head
            assert set(json.loads(body)["error"]) == {"code", "message"}
    finally:
        server.terminate()
        server.wait(10)
