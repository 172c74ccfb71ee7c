"""Health, the public federation list, the OpenAPI document and the one error shape."""
from sqlalchemy import select

from tests.factories import make_federation, make_upper


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(app, client, monkeypatch):
    from service.extensions import db

    def broken(*args, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_federation_list_has_only_active_federations(client):
    county = make_upper()
    active = make_federation("石家庄市长安区快递行业工会联合会", parent=county)
    make_federation("石家庄市长安区家政行业工会联合会", parent=county, status="preparing", industry="O8010")
    body = client.get("/api/federations").get_json()
    assert body == [{
        "id": active.id, "name": "石家庄市长安区快递行业工会联合会", "kind": "industry",
        "scene": f"fed:{active.id}", "region_code": "130102", "industry_code": "G6020",
    }]


def test_openapi_document_describes_the_federation_list(client):
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/federations" in spec["paths"]
    assert spec["info"]["title"] == "Gonglian API"


def test_unknown_api_path_gets_the_error_shape_in_chinese(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": "页面或记录不存在"}}


def test_wrong_method_gets_405_in_the_error_shape(client):
    response = client.delete("/api/federations")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_cli_creates_and_lists_federations(runner):
    from models.federation import Federation
    from service.extensions import db

    upper = runner.invoke(args=["federation", "create", "--name", "石家庄市长安区总工会", "--kind", "upper",
                                "--level", "county", "--region", "130102"])
    assert upper.exit_code == 0, upper.output
    orphan = runner.invoke(args=["federation", "create", "--name", "石家庄市长安区快递行业工会联合会",
                                 "--kind", "industry", "--level", "county", "--region", "130102",
                                 "--industry", "G6020"])
    assert orphan.exit_code != 0 and "上一级工会" in orphan.output
    result = runner.invoke(args=["federation", "create", "--name", "石家庄市长安区快递行业工会联合会",
                                 "--kind", "industry", "--level", "county", "--region", "130102",
                                 "--industry", "G6020", "--parent", upper.output.split()[0]])
    assert result.exit_code == 0, result.output
    assert "fed:" in result.output
    bad = runner.invoke(args=["federation", "create", "--name", "快递小哥之家", "--kind", "industry",
                              "--level", "county", "--region", "130102"])
    assert bad.exit_code != 0 and "工会联合会" in bad.output
    listed = runner.invoke(args=["federation", "list"])
    assert "石家庄市长安区快递行业工会联合会" in listed.output
    assert db.session.scalar(select(Federation).where(Federation.name == "快递小哥之家")) is None


def test_demo_seed_is_idempotent(runner):
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert first.output.split(":")[1] == second.output.split(":")[1]


def test_openapi_schema_names_are_unique():
    """Two schemas with one class name would be renamed silently in /api/openapi.json."""
    import warnings

    from service.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        create_app({"WECHAT_SIMULATOR": True})


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one():
    from flask import request

    from service.app import create_app

    seen = []
    for hops in (0, 1):
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "PROXY_HOPS": hops})
        app.add_url_rule("/_addr", "addr", lambda: seen.append(request.remote_addr) or "ok")
        app.test_client().get("/_addr", headers={"X-Forwarded-For": "203.0.113.7"},
                              environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == ["127.0.0.1", "203.0.113.7"]
