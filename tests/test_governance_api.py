"""The governance API: scope (a federation outside the caller's subtree is a 404), roles, the
opinion's rules as 4xx with Chinese messages, hostile input never a 500, audit of every write."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from models.audit import AuditEntry
from models.outbox import OutboxMessage
from service import clock
from service.extensions import db
from tests.conftest import login
from tests.factories import make_staff

TODAY = clock.today()  # the China date, as the services use; renewed per test (conftest's same_day)
pytestmark = pytest.mark.usefixtures("same_day")


@pytest.fixture
def tree(gov_tree):
    return gov_tree


def url(fed, tail=""):
    return f"/api/governance/federations/{fed.id}{tail}"


def election(**kw):
    return {"elected_on": (TODAY - timedelta(days=400)).isoformat(), "years": 5, "elected_by": "congress",
            "members": [{"name": "李建华", "role": "chair", "source": "representative", "body": "区总工会"},
                        {"name": "王芳", "role": "member", "source": "representative", "body": "企业代表",
                         "chosen_how": "congress_election"}], **kw}


def test_the_board_shows_the_federations_beneath_the_viewer_worst_first(client, tree):
    login(client, make_staff(tree["changan"], role="admin"))
    client.post(url(tree["kd"], "/elections"), json=election())
    rows = client.get("/api/governance/board").get_json()
    assert [r["name"] for r in rows] == ["石家庄市长安区快递行业工会联合会"]  # not 裕华's
    checks = {c["code"]: c for c in rows[0]["checks"]}
    assert "congress_overdue" in checks and checks["congress_overdue"]["severity"] == "red"
    assert checks["congress_overdue"]["link"] == f"/console/federation-governance.html?id={tree['kd'].id}#meetings"
    city_rows = login(client, make_staff(tree["city"], role="admin")).get("/api/governance/board").get_json()
    # 快递: congress, plenary and both reports overdue (4 red); 货车司机: no committee recorded (1 red)
    assert [(r["name"], r["red"]) for r in city_rows] == [("石家庄市长安区快递行业工会联合会", 4),
                                                         ("石家庄市裕华区货车司机行业工会联合会", 1)]
    assert [c["code"] for c in city_rows[1]["checks"]][0] == "term_missing"


@pytest.mark.parametrize("path", ["", "/letters/1", "/employers/1", f"/letters/{2**63}", f"/employers/{2**31}"])
def test_another_countys_federation_is_not_found(client, tree, path):
    login(client, make_staff(tree["changan"], role="admin"))
    response = client.get(url(tree["hc"], path))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("fid", [2**31, 2**63, 0])
def test_guessed_federation_ids_are_404(client, tree, fid):
    login(client, make_staff(tree["city"], role="admin"))
    assert client.get(f"/api/governance/federations/{fid}").status_code == 404
    assert client.post(f"/api/governance/federations/{fid}/meetings", json={}).status_code in (404, 422)


def test_an_upper_union_is_not_a_governed_federation(client, tree):
    login(client, make_staff(tree["city"], role="admin"))
    assert client.get(url(tree["changan"])).status_code == 404


def test_a_committee_rule_is_refused_with_its_chinese_message(client, tree):
    login(client, make_staff(tree["kd"], role="chair"))
    body = election()
    body["members"][0]["association_post"] = "president"
    response = client.post(url(tree["kd"], "/elections"), json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["members.0.association_post"] == \
        "行业协会（商会）会长、副会长等不得担任联合会主席、副主席（《实施意见》二.4）"


def test_caseworkers_read_but_do_not_record(client, tree):
    login(client, make_staff(tree["kd"], role="caseworker"))
    assert client.get(url(tree["kd"])).status_code == 200
    response = client.post(url(tree["kd"], "/elections"), json=election())
    assert response.status_code == 403 and response.get_json()["error"]["message"] == "您的角色无权执行此操作"


def test_only_the_upper_union_approves_a_renewal(client, tree):
    login(client, make_staff(tree["kd"], role="admin"))
    assert client.post(url(tree["kd"], "/elections"), json=election()).status_code == 201
    body = {"kind": "late", "approved_on": TODAY.isoformat(), "renew_by": (TODAY + timedelta(days=1500)).isoformat(),
            "reason": "重组"}
    response = client.post(url(tree["kd"], "/renewal-approvals"), json=body)
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == "批准提前或延期换届须由上一级工会的管理员办理"
    login(client, make_staff(tree["changan"], role="admin"))
    response = client.post(url(tree["kd"], "/renewal-approvals"), json=body)
    assert response.status_code == 201 and response.get_json()["approvals"][0]["kind"] == "late"


@pytest.mark.parametrize("body", [
    '{"kind": "congress", "held_on": "2026-01-01", "attendance": NaN, "minutes_file": "a"}',
    '{"kind": "congress", "held_on": "2026-01-01", "attendance": 1e400, "minutes_file": "a"}',
    '{"kind": "congress", "held_on": "2026-01-01", "attendance": 9223372036854775808, "minutes_file": "a"}',
    '{"kind": ["congress"], "held_on": "2026-01-01", "attendance": 3, "minutes_file": "a"}',
    '{"kind": "congress", "held_on": "2026-02-30", "attendance": 3, "minutes_file": "a"}',
    '{"kind": "congress", "held_on": "2026-01-01", "attendance": 3, "minutes_file": "a\\u0000b"}',
    '{"kind": "congress", "held_on": "2026-01-01", "attendance": 3, "minutes_file": "a", "extra": 1}',
    '{"kind": "congress", "held_on": "2026-01-01", "attendance": true, "minutes_file": "a"}',
    '[]',
])
def test_hostile_meeting_input_is_a_422(client, tree, body):
    login(client, make_staff(tree["kd"], role="chair"))
    response = client.post(url(tree["kd"], "/meetings"), data=body, content_type="application/json")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("field, value", [("base_union_id", 2**63), ("base_union_id", 2**31), ("base_union_id", "1"),
                                          ("replaces_id", 2**31 - 1)])
def test_hostile_ids_in_a_body_are_refused(client, tree, field, value):
    login(client, make_staff(tree["kd"], role="chair"))
    client.post(url(tree["kd"], "/elections"), json=election())
    body = {"name": "张三", "source": "base_union", "chosen_how": "addition", "chosen_on": TODAY.isoformat(),
            "procedure": "会议", field: value}
    response = client.post(url(tree["kd"], "/members"), json=body)
    assert response.status_code == 422


def test_another_federations_base_union_cannot_be_used(client, tree):
    login(client, make_staff(tree["city"], role="admin"))
    other = client.post(url(tree["hc"], "/base-unions"), json={"name": "某车队工会委员会", "kind": "committee",
                                                                "chair_name": "张三"}).get_json()["unions"][0]
    response = client.post(url(tree["kd"], "/units"), json={"name": "某公司", "base_union_id": other["id"]})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["base_union_id"] == "请选择本联合会登记的基层工会"


def test_every_write_is_audited(client, tree):
    chair = make_staff(tree["kd"], role="chair")
    login(client, chair)
    client.post(url(tree["kd"], "/elections"), json=election())
    client.post(url(tree["kd"], "/committees"), json={"kind": "labour_law_supervision", "chair_name": "李建华",
                                                      "established_on": TODAY.isoformat(), "members": ["王芳"]})
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_staff_id == chair.id)))
    assert actions[-2:] == ["governance.term.elect", "governance.committee.add"]


def test_a_red_warning_by_hand_reaches_the_upper_union_and_the_board(client, tree):
    upper = make_staff(tree["changan"], role="admin")
    upper.openid = "o-changan-admin"
    db.session.commit()
    login(client, make_staff(tree["kd"], role="chair"))
    response = client.post(url(tree["kd"], "/warnings"), json={"employer_name": "某快递分拨中心", "level": "red",
                                                               "reason": "停工聚集，涉及40人"})
    assert response.status_code == 201 and response.get_json()["response_due"] == (TODAY + timedelta(days=3)).isoformat()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.openid == "o-changan-admin"))
    assert "红色劳动关系预警：停工聚集，涉及40人" in message.payload["text"]
    rows = login(client, upper).get("/api/governance/board").get_json()
    assert any(c["code"] == "red_warning" and c["evidence"] == "停工聚集，涉及40人" for c in rows[0]["checks"])


def test_a_letter_is_printable_and_its_dossier_lists_it(client, tree):
    login(client, make_staff(tree["kd"], role="chair"))
    body = {"kind": "reminder", "source": "inspection", "employer_name": "某快递分拨中心",
            "issued_on": TODAY.isoformat(), "due_on": (TODAY + timedelta(days=10)).isoformat(),
            "facts": "未依法缴纳社会保险", "demands": "限期补缴"}
    letter = client.post(url(tree["kd"], "/letters"), json=body).get_json()
    assert letter["kind_label"] == "劳动法律监督提示函" and letter["federation_name"] == tree["kd"].name
    assert client.get(url(tree["kd"], f"/letters/{letter['id']}")).get_json()["number"] == letter["number"]
    dossier = client.get(url(tree["kd"], f"/employers/{letter['employer_id']}")).get_json()
    assert [x["id"] for x in dossier["letters"]] == [letter["id"]]


def test_a_contract_is_led_by_the_chair_and_filed_for_review(client, tree):
    login(client, make_staff(tree["kd"], role="chair"))
    client.post(url(tree["kd"], "/elections"), json=election())
    start = {"title": "长安区快递行业工资专项集体合同", "chief_representative": "王芳", "employer_side": "长安区快递协会",
             "negotiation_started_on": TODAY.isoformat()}
    response = client.post(url(tree["kd"], "/contracts"), json=start)
    assert response.status_code == 422 and "现任主席：李建华" in response.get_json()["error"]["fields"]["chief_representative"]
    contract = client.post(url(tree["kd"], "/contracts"), json={**start, "chief_representative": "李建华"}
                           ).get_json()["contracts"][0]
    step = lambda name, **b: client.post(url(tree["kd"], f"/contracts/{contract['id']}/{name}"),  # noqa: E731
                                         json={"on": TODAY.isoformat(), **b})
    assert step("vote", votes_for=5, votes_total=9).status_code == 409  # no draft yet
    step("draft")
    step("vote", votes_for=50, votes_total=80)
    assert step("file").get_json()["error"]["fields"]["term_years"] == "集体合同期限为1至3年，请选择期限"
    filed = step("file", term_years=3).get_json()["contracts"][0]
    assert (filed["status"], filed["review_due"]) == ("filed", (TODAY + timedelta(days=15)).isoformat())
    assert step("bogus").status_code == 404
    from service.governance.contracts import settle_reviews

    assert settle_reviews(TODAY + timedelta(days=15)) == 0  # the 15th day: the authority may still object
    assert settle_reviews(TODAY + timedelta(days=16)) == 1  # no objection within 15 days: in effect
    db.session.commit()  # what the job runner does
    effective = client.get(url(tree["kd"])).get_json()["contracts"][0]
    assert (effective["status"], effective["review_result"], effective["effective_from"], effective["effective_until"]) \
        == ("effective", "no_objection", (TODAY + timedelta(days=16)).isoformat(),
            (TODAY.replace(year=TODAY.year + 3) + timedelta(days=15)).isoformat())


def test_openapi_documents_the_governance_api(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "/api/governance/board" in paths
    assert "/api/governance/federations/{federation_id}/elections" in paths
    assert json.dumps(paths["/api/governance/board"]).count("BoardRowOut") >= 1


MATRIX_ACTORS = {"own caseworker": ("kd", "caseworker"), "own chair": ("kd", "chair"), "own admin": ("kd", "admin"),
                 "county admin": ("changan", "admin"), "county chair": ("changan", "chair"),
                 "other county admin": ("yuhua", "admin")}
#                      board  view  meeting  approval
MATRIX = {"own caseworker":     (200, 200, 403, 403), "own chair": (200, 200, 201, 403),
          "own admin":          (200, 200, 201, 403), "county admin": (200, 200, 201, 201),
          "county chair":       (200, 200, 201, 403), "other county admin": (200, 404, 404, 404)}


@pytest.mark.parametrize("actor", list(MATRIX_ACTORS))
def test_role_and_place_matrix(client, tree, actor):
    home, role = MATRIX_ACTORS[actor]
    setup = make_staff(tree["changan"], role="admin")
    login(client, setup)
    client.post(url(tree["kd"], "/elections"), json=election())
    login(client, make_staff(tree[home], role=role))
    meeting = {"kind": "report", "held_on": TODAY.isoformat(), "to_upper": True, "summary": "半年汇报"}
    approval = {"kind": "late", "approved_on": TODAY.isoformat(), "reason": "重组",
                "renew_by": (TODAY + timedelta(days=1500)).isoformat()}
    got = (client.get("/api/governance/board").status_code, client.get(url(tree["kd"])).status_code,
           client.post(url(tree["kd"], "/meetings"), json=meeting).status_code,
           client.post(url(tree["kd"], "/renewal-approvals"), json=approval).status_code)
    assert got == MATRIX[actor]
