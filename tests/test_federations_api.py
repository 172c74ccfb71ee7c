"""The federation admin API: who may see and change what (role × place in the tree), the
tree, create, coverage and overlaps over HTTP, and the audit trail."""
import pytest
from sqlalchemy import func, select

from models.audit import AuditEntry
from service.federations import coverage
from service.extensions import db
from tests.conftest import login
from tests.factories import make_federation, make_staff, make_upper

BASE = "/api/admin/federations"


@pytest.fixture
def tree():
    city = make_upper("石家庄市总工会", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    yuhua = make_upper("石家庄市裕华区总工会", region="130108", parent=city)
    courier = make_federation("石家庄市长安区快递行业工会联合会", parent=changan, status="preparing")
    trucks = make_federation("石家庄市裕华区货车司机行业工会联合会", region="130108", industry="G543", parent=yuhua)
    return {"city": city, "changan": changan, "yuhua": yuhua, "courier": courier, "trucks": trucks}


ACTORS = {
    "city admin": ("city", "admin"),
    "county admin": ("changan", "admin"),
    "own admin": ("courier", "admin"),
    "own chair": ("courier", "chair"),
    "own caseworker": ("courier", "caseworker"),
    "other county admin": ("yuhua", "admin"),
}


def action(client, name, fed_id):
    if name == "view":
        return client.get(f"{BASE}/{fed_id}")
    if name == "list coverage":
        return client.get(f"{BASE}/{fed_id}/coverage")
    if name == "edit contact":
        return client.patch(f"{BASE}/{fed_id}", json={"contact_name": "李华", "contact_phone": "0311-86001234"})
    if name == "set priority":
        return client.patch(f"{BASE}/{fed_id}", json={"priority": 2})
    if name == "rename":
        return client.post(f"{BASE}/{fed_id}/rename", json={"name": "石家庄市长安区快递服务行业工会联合会"})
    if name == "activate":
        return client.post(f"{BASE}/{fed_id}/activate")
    if name == "add coverage":
        return client.post(f"{BASE}/{fed_id}/coverage", json={"region_code": "130102", "industry_code": "G6020"})
    raise AssertionError(name)


EXPECTED = {
    #                   view  coverage contact priority rename activate add-rule
    "city admin":       (200, 200, 200, 200, 200, 200, 201),
    "county admin":     (200, 200, 200, 200, 200, 200, 201),
    "own admin":        (200, 200, 200, 403, 403, 403, 403),
    "own chair":        (200, 200, 403, 403, 403, 403, 403),
    "own caseworker":   (200, 200, 403, 403, 403, 403, 403),
    "other county admin": (404, 404, 404, 404, 404, 404, 404),
}
ACTIONS = ["view", "list coverage", "edit contact", "set priority", "rename", "activate", "add coverage"]


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("index, name", list(enumerate(ACTIONS)))
def test_permission_matrix(client, tree, actor, index, name):
    home, role = ACTORS[actor]
    login(client, make_staff(tree[home], role=role))
    response = action(client, name, tree["courier"].id)
    assert response.status_code == EXPECTED[actor][index], response.get_json()
    if response.status_code == 404:
        assert response.get_json()["error"]["code"] == "not_found"
    if response.status_code == 403:
        assert response.get_json()["error"]["message"] in (
            "您的角色无权执行此操作", "此项须由上级工会的管理员办理")


@pytest.mark.parametrize("name", ACTIONS)
def test_anonymous_gets_401(client, tree, name):
    assert action(client, name, tree["courier"].id).status_code == 401


@pytest.mark.parametrize("name", ACTIONS)
def test_a_guessed_id_is_404(client, tree, name):
    login(client, make_staff(tree["city"], role="admin"))
    assert action(client, name, 987654).status_code == 404


def test_changes_are_audited(client, tree):
    admin = make_staff(tree["city"], role="admin")
    login(client, admin)
    for name in ("edit contact", "set priority", "rename", "activate", "add coverage"):
        assert action(client, name, tree["courier"].id).status_code in (200, 201)
    rule_id = client.get(f"{BASE}/{tree['courier'].id}/coverage").get_json()[0]["id"]
    assert client.delete(f"{BASE}/{tree['courier'].id}/coverage/{rule_id}").status_code == 204
    assert client.post(f"{BASE}/{tree['courier'].id}/dissolve",
                       json={"dissolved_on": "2026-01-01", "reason": "合并"}).status_code == 200
    entries = db.session.execute(select(AuditEntry.action, AuditEntry.actor_staff_id)
                                 .where(AuditEntry.action.not_in(["staff.login", "staff.create"]))
                                 .order_by(AuditEntry.id)).all()
    assert [a for a, _ in entries] == ["federation.update", "federation.update", "federation.rename",
                                       "federation.activate", "coverage.add", "coverage.remove",
                                       "federation.dissolve"]
    assert {staff_id for _, staff_id in entries} == {admin.id}
    assert "0311" not in str(db.session.scalars(select(AuditEntry.detail)).all())


def test_the_tree_is_what_the_caller_sees(client, tree):
    login(client, make_staff(tree["changan"], role="caseworker"))
    body = client.get(BASE).get_json()
    assert [n["name"] for n in body] == ["石家庄市长安区总工会", "石家庄市长安区快递行业工会联合会"]
    courier = body[1]
    assert courier["parent_id"] == tree["changan"].id and courier["status_label"] == "筹备中"
    assert courier["region_name"] == "河北省石家庄市长安区" and courier["industry_name"] == "快递服务"
    assert "coverage_missing" in [w["code"] for w in courier["warnings"]]
    assert courier["can_edit"] is False and courier["can_manage"] is False


def test_the_city_admin_sees_everything_beneath(client, tree):
    login(client, make_staff(tree["city"], role="admin"))
    body = client.get(BASE).get_json()
    assert len(body) == 5 and body[0]["name"] == "石家庄市总工会"
    assert all(n["can_manage"] for n in body[1:]) and body[0]["can_manage"] is False


def test_create_under_a_node_in_scope(client, tree):
    login(client, make_staff(tree["changan"], role="admin"))
    payload = {"name": "石家庄市长安区建北街道工会联合会", "kind": "regional", "region_code": "130102001",
               "parent_id": tree["changan"].id, "term_start": "2026-01-01", "term_years": 5}
    response = client.post(BASE, json=payload)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["level"], body["term_end"]) == ("preparing", "township", "2031-01-01")
    outside = client.post(BASE, json={**payload, "name": "石家庄市裕华区槐底街道工会联合会", "region_code": "130108005",
                                      "parent_id": tree["yuhua"].id})
    assert outside.status_code == 404


@pytest.mark.parametrize("payload, fields", [
    ({"name": "石家庄市长安区快递员工会联合会"}, {"name": "名称不能使用职业名称（“快递员”），应写明行业或区域，"
                                                  "如“快递员”改为“快递行业”、“货车司机”改为“货车司机行业”"}),
    ({"region_code": "130000"}, {"region_code": "工会联合会一般建立在县（市、区）及以下，不能建在省级",
                                 "name": "名称应以所在行政区划名称开头（如“河北省”）",
                                 "parent_id": "上一级工会石家庄市长安区总工会的行政区划不包含河北省"}),
    ({"kind": "society"}, {"kind": "类型应为 regional（区域性）、industry（行业性）或 upper（上级工会）"}),
    ({"term_years": 4}, {"term_years": "任期应为3年或5年"}),
    ({"status": "dissolved"}, {"status": "新建时状态应为 preparing（筹备中）或 active（运行中）"}),
    ({"colour": "red"}, {"colour": "不支持的字段"}),
    ({"name": None}, {"name": "此项不能为空"}),
])
def test_create_errors_are_422_in_chinese(client, tree, payload, fields):
    login(client, make_staff(tree["city"], role="admin"))
    base = {"name": "石家庄市长安区家政服务行业工会联合会", "kind": "industry", "region_code": "130102",
            "industry_code": "O8010", "parent_id": tree["changan"].id}
    response = client.post(BASE, json={**base, **payload})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields


def test_caseworkers_cannot_create(client, tree):
    login(client, make_staff(tree["city"], role="caseworker"))
    assert client.post(BASE, json={}).status_code == 403


def test_coverage_over_http(client, tree):
    login(client, make_staff(tree["city"], role="admin"))
    courier = tree["courier"].id
    added = client.post(f"{BASE}/{courier}/coverage", json={"region_code": "130102", "industry_code": "g6020"})
    assert added.status_code == 201
    assert added.get_json()["region_prefix"] == "130102" and added.get_json()["industry_prefix"] == "G602"
    bad = client.post(f"{BASE}/{courier}/coverage", json={"region_code": "130108", "industry_code": "G6020"})
    assert bad.status_code == 422 and "region_code" in bad.get_json()["error"]["fields"]
    duplicate = client.post(f"{BASE}/{courier}/coverage", json={"region_code": "130102", "industry_code": "G602"})
    assert duplicate.status_code == 409
    other_rule = coverage.add_rule(tree["trucks"], region_code="130108", industry_code="G543")
    db.session.commit()
    assert client.delete(f"{BASE}/{courier}/coverage/{other_rule.id}").status_code == 404


def test_overlaps_endpoint_is_scoped(client, tree):
    post = make_federation("石家庄市长安区邮政行业工会联合会", parent=tree["changan"], industry="G60")
    tree["courier"].status = "active"
    db.session.commit()
    coverage.add_rule(tree["courier"], region_code="130102", industry_code="G6020")
    coverage.add_rule(post, region_code="130102", industry_code="G602")
    db.session.commit()
    login(client, make_staff(tree["changan"], role="admin"))
    pairs = client.get(f"{BASE}/overlaps").get_json()
    assert len(pairs) == 1 and pairs[0]["label"] == "河北省石家庄市长安区（130102）的快递服务（G602）"
    detail = client.get(f"{BASE}/{post.id}").get_json()
    assert [w["code"] for w in detail["warnings"]].count("coverage_overlap") == 1
    client.post("/api/auth/logout")
    login(client, make_staff(tree["yuhua"], role="admin"))
    assert client.get(f"{BASE}/overlaps").get_json() == []


def test_dissolve_needs_a_date(client, tree):
    login(client, make_staff(tree["city"], role="admin"))
    response = client.post(f"{BASE}/{tree['courier'].id}/dissolve", json={})
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"dissolved_on": "请填写此项"}
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "federation.dissolve")) == 0


def test_the_openapi_document_lists_the_new_endpoints(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/admin/federations", "/api/admin/federations/{federation_id}/coverage",
                 "/api/admin/federations/overlaps", "/api/regions", "/api/regions/{code}/path",
                 "/api/industries", "/api/routing/preview", "/api/transfers"):
        assert path in paths, path


# ------------------------------------------------------------------ reference data

def test_regions_top_level_and_children(client):
    provinces = client.get("/api/regions").get_json()
    assert len(provinces) == 34 and provinces[0]["code"] == "110000"
    hebei = client.get("/api/regions?parent=130000").get_json()
    assert {"code": "133100", "name": "雄安新区", "full_name": "河北省雄安新区", "level": "city",
            "parent_code": "130000", "custom": True, "has_children": False} in hebei
    streets = client.get("/api/regions?parent=130102").get_json()
    assert streets[0]["code"] == "130102001" and streets[0]["name"] == "建北街道"
    assert streets[0]["has_children"] is False


def test_region_path(client):
    path = client.get("/api/regions/130102001/path").get_json()
    assert [r["name"] for r in path] == ["河北省", "石家庄市", "长安区", "建北街道"]
    assert client.get("/api/regions/999999/path").status_code == 404


def test_a_bad_region_parent_is_422(client):
    response = client.get("/api/regions?parent=999999")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"parent": "行政区划代码无效（应为 GB/T 2260 代码，如 130102）"}


def test_industry_search_and_children(client):
    found = client.get("/api/industries", query_string={"q": "快递"}).get_json()
    assert [i["code"] for i in found] == ["G602", "G6020"]
    assert [i["code"] for i in client.get("/api/industries?q=g60").get_json()][:3] == ["G60", "G601", "G602"]
    children = client.get("/api/industries?parent=G60").get_json()
    assert [(i["code"], i["name"]) for i in children] == [("G601", "邮政基本服务"), ("G602", "快递服务"),
                                                           ("G609", "其他寄递服务")]
    assert len(client.get("/api/industries").get_json()) == 20
    assert client.get("/api/industries?parent=Q99").status_code == 422
    assert client.get("/api/industries?q=快递&parent=G60").status_code == 422
    assert client.get("/api/industries?limit=0").get_json()["error"]["fields"] == {"limit": "应在1到100之间"}


def test_an_upper_union_created_over_http_is_active_at_once(client, tree):
    login(client, make_staff(tree["changan"], role="admin"))
    response = client.post(BASE, json={"name": "石家庄市长安区建北街道工会", "kind": "upper", "region_code": "130102001",
                                       "parent_id": tree["changan"].id})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["level"], body["coverage"], body["warnings"]) == ("active", "township", [], [])
