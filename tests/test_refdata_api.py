"""The region and industry lookups behind the join form's pickers, and the OpenAPI entries."""


def _brief(items):
    return [{key: item[key] for key in ("code", "name", "level")} for item in items]


def test_regions_without_parent_are_the_provinces(client):
    body = client.get("/api/regions").get_json()
    assert {"code": "130000", "name": "河北省", "level": "province"} in _brief(body)


def test_region_children(client):
    body = client.get("/api/regions?parent=130100").get_json()
    assert {"code": "130102", "name": "长安区", "level": "county"} in _brief(body)
    townships = client.get("/api/regions?parent=130102").get_json()
    assert townships[0]["level"] == "township"
    assert client.get("/api/regions?parent=999999").status_code == 422


def test_industry_search_and_children(client):
    hits = client.get("/api/industries?q=快递").get_json()
    assert {"code": "G6020", "name": "快递服务", "level": "class"} in _brief(hits)
    assert client.get("/api/industries?q=H6242").get_json()[0]["code"] == "H6242"
    sections = client.get("/api/industries").get_json()
    assert len(sections) == 20 and sections[0]["code"] == "A"
    assert [i["code"] for i in client.get("/api/industries?parent=G60").get_json()] == ["G601", "G602", "G609"]


def test_joining_endpoints_are_documented(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/join/applications", "/api/card", "/api/verify", "/api/applications/{application_id}/approve",
                 "/api/members/{membership_id}/id-number", "/api/regions", "/api/industries"):
        assert path in paths, path
