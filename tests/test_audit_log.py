"""The audit log can be read by admins, scoped like everything else: who viewed a full ID number, who
exported what, who changed accounts and rights; filters and paging."""
import pytest

from service import audit
from service.extensions import db
from tests.conftest import login
from tests.factories import make_staff


def _lines(tree):
    viewer = make_staff(tree["courier"], username="viewer", may_view_id=True)
    spy = make_staff(tree["trucks"], username="spy", may_view_id=True)
    audit.record("pii.view_id", staff=viewer, subject_type="application", subject_id=1, federation_id=tree["courier"].id)
    audit.record("pii.view_id", staff=spy, subject_type="application", subject_id=2, federation_id=tree["trucks"].id)
    audit.record("request.export", staff=viewer, federation_id=tree["courier"].id, detail={"view": "all"})
    audit.record("staff.update", staff=viewer, subject_type="staff", subject_id=spy.id,
                 federation_id=tree["courier"].id, detail={"role": ["caseworker", "chair"]})
    audit.record("privacy.purge", actor="system", detail={"applications": 1})
    db.session.commit()
    return viewer, spy


def test_an_admin_reads_only_their_subtree(client, tree):
    _lines(tree)
    login(client, make_staff(tree["changan"], role="admin", username="county-admin"))
    items = client.get("/api/audit").get_json()["items"]
    assert {i["federation_name"] for i in items} == {"石家庄市长安区快递行业工会联合会", "石家庄市长安区总工会"}
    assert not any(i["subject_type"] == "application" and i["subject_id"] == 2 for i in items)
    views = client.get("/api/audit", query_string={"kind": "id_views"}).get_json()["items"]
    assert [(v["action_label"], v["actor_name"]) for v in views] == [("查看完整身份证号", "viewer")]


def test_filters_exports_and_role_changes(client, tree):
    viewer, _ = _lines(tree)
    login(client, make_staff(tree["city"], role="admin", username="city-admin"))
    exports = client.get("/api/audit", query_string={"kind": "exports"}).get_json()["items"]
    assert [e["action"] for e in exports] == ["request.export"]
    staff_changes = client.get("/api/audit", query_string={"kind": "staff"}).get_json()["items"]
    assert "staff.update" in [e["action"] for e in staff_changes]
    assert all(e["action"] != "staff.login" for e in staff_changes)
    by_actor = client.get("/api/audit", query_string={"actor_staff_id": viewer.id, "action": "pii."}).get_json()
    assert [e["subject_id"] for e in by_actor["items"]] == [1]


def test_lines_of_no_federation_only_for_the_top_of_the_tree(client, tree):
    _lines(tree)
    login(client, make_staff(tree["changan"], role="admin", username="mid-admin"))
    assert "privacy.purge" not in [e["action"] for e in client.get("/api/audit").get_json()["items"]]
    top = client.application.test_client()
    login(top, make_staff(tree["city"], role="admin", username="top-admin"))
    assert "privacy.purge" in [e["action"] for e in top.get("/api/audit").get_json()["items"]]


def test_paging_by_id(client, tree):
    _lines(tree)
    login(client, make_staff(tree["city"], role="admin", username="pager"))
    first = client.get("/api/audit", query_string={"limit": 2}).get_json()
    assert len(first["items"]) == 2 and first["next_before_id"]
    second = client.get("/api/audit", query_string={"limit": 2, "before_id": first["next_before_id"]}).get_json()
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})


@pytest.mark.parametrize("role", ["chair", "caseworker"])
def test_only_admins_read_the_audit_log(client, tree, role):
    login(client, make_staff(tree["courier"], role=role, username=f"not-admin-{role}"))
    assert client.get("/api/audit").status_code == 403


@pytest.mark.parametrize("query", [{"kind": "nope"}, {"limit": 10000}, {"before_id": 2**63}, {"date_from": "x"},
                                   {"actor_staff_id": 2**31}])
def test_bad_filters_are_422_in_chinese(client, tree, query):
    login(client, make_staff(tree["courier"], role="admin", username="bad-filter"))
    response = client.get("/api/audit", query_string=query)
    assert response.status_code == 422 and response.get_json()["error"]["fields"]
