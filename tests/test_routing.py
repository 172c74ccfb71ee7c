"""Routing (DESIGN §3): every rule, table-driven; properties over the reference data; the
coverage cache's invalidation; the public preview."""
import itertools
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.federation import CoverageRule, Federation, RoutingVersion
from models.membership import Application, Membership
from models.request import HelpRequest
from models.worker import Worker
from service import refdata
from service.devtools import demo
from service.routing import router as routing
from service.routing import cache as routing_cache
from service.errors import Invalid
from service.extensions import db
from tests.conftest import login
from tests.factories import make_federation, make_staff, make_upper

_numbers = itertools.count(1)


@pytest.fixture
def tree():
    """河北省总工会 → 石家庄市总工会 → 长安区总工会, 裕华区总工会 (no union for 新华区 130105)."""
    province = make_upper("河北省总工会", region="130000")
    city = make_upper("石家庄市总工会", region="130100", parent=province)
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    yuhua = make_upper("石家庄市裕华区总工会", region="130108", parent=city)
    return {"province": province, "city": city, "changan": changan, "yuhua": yuhua}


def worker(openid: str | None = None) -> Worker:
    w = Worker(openid=openid or f"o-{next(_numbers)}")
    db.session.add(w)
    db.session.flush()
    return w


def open_request(federation, status="new"):
    n = next(_numbers)
    db.session.add(HelpRequest(
        number=f"R{n:06d}", worker_id=worker().id, federation_id=federation.id, type="mediation",
        status=status, employer_name="某公司", region_code="130102", industry_code="G6020", facts="欠薪", wants="支付"))
    db.session.flush()


def open_application(federation, status="pending"):
    now = datetime(2026, 1, 1)
    db.session.add(Application(
        worker_id=worker().id, federation_id=federation.id, status=status, employment_form="platform",
        region_code="130102", industry_code="G6020", consent_version="v1", consent_at=now, submitted_at=now))
    db.session.flush()


def membership(worker_, federation, status="active"):
    db.session.add(Membership(worker_id=worker_.id, federation_id=federation.id, member_no=f"M{next(_numbers)}",
                              status=status, live_key=worker_.id if status != "withdrawn" else None,
                              joined_at=datetime(2025, 1, 1)))
    db.session.flush()


# ------------------------------------------------------------------ the table

@dataclass
class Fed:
    name: str
    kind: str
    region: str
    industry: str | None
    rules: list
    status: str = "active"
    priority: int = 0
    open_requests: int = 0
    closed_requests: int = 0
    open_applications: int = 0
    member: bool = False


@dataclass
class Case:
    id: str
    feds: list
    region: str
    industry: str | None
    winner: str  # a Fed name or an upper union key ("changan", "city", "province")
    reason: str = "coverage"
    tie_break: str | None = None
    request_type: str | None = None
    extra: dict = field(default_factory=dict)


CA = "石家庄市长安区"
A_REG = Fed(f"{CA}中山路商圈工会联合会", "regional", "130102", None, [("130102", None)])
STREET = Fed(f"{CA}建北街道工会联合会", "regional", "130102001", None, [("130102001", None)])
POST = Fed(f"{CA}邮政行业工会联合会", "industry", "130102", "G60", [("130102", "G60")])
COURIER = Fed(f"{CA}快递行业工会联合会", "industry", "130102", "G6020", [("130102", "G602")])
COURIER2 = Fed(f"{CA}快递物流行业工会联合会", "industry", "130102", "G6020", [("130102", "G602")])
DELIVERY = Fed("石家庄市外卖送餐行业工会联合会", "industry", "130100", "H6242", [("130100", "H6242")])


def variant(fed: Fed, **changes) -> Fed:
    return Fed(**{**fed.__dict__, **changes})


CASES = [
    # 1. candidates: region prefix and industry prefix must both match
    Case("region prefix matches a street of the county", [A_REG], "130102001", "C13", A_REG.name),
    Case("a city rule covers its counties and streets", [DELIVERY], "130102001", "H6242", DELIVERY.name),
    Case("an industry rule needs the industry", [COURIER], "130102", None, "changan", "fallback"),
    Case("an industry rule needs a matching industry", [COURIER], "130102", "H6242", "changan", "fallback"),
    Case("G602 and its only class G6020 are the same", [COURIER], "130102", "G602", COURIER.name),
    # 2. most specific wins
    Case("longest region prefix wins", [A_REG, STREET], "130102001", None, STREET.name),
    Case("the county rule takes the other streets", [A_REG, STREET], "130102002", None, A_REG.name),
    Case("longest industry prefix wins", [POST, COURIER], "130102", "G6020", COURIER.name),
    Case("the division rule takes the rest of the division", [POST, COURIER], "130102", "G6010", POST.name),
    Case("industry beats regional at the same place", [A_REG, COURIER], "130102", "G6020", COURIER.name),
    Case("regional takes other industries", [A_REG, COURIER], "130102", "C13", A_REG.name),
    Case("a longer region beats an industry", [STREET, COURIER], "130102001", "G6020", STREET.name),
    Case("a county regional beats a city industry", [A_REG, DELIVERY], "130102", "H6242", A_REG.name),
    # 2. ties: membership, priority, load, id
    Case("membership breaks a tie", [COURIER, variant(COURIER2, member=True)], "130102", "G6020",
         COURIER2.name, tie_break="membership"),
    Case("membership does not beat specificity", [COURIER, variant(POST, member=True)], "130102", "G6020",
         COURIER.name),
    Case("priority breaks a tie", [COURIER, variant(COURIER2, priority=2)], "130102", "G6020", COURIER2.name,
         tie_break="priority"),
    Case("membership comes before priority", [variant(COURIER, priority=5), variant(COURIER2, member=True)],
         "130102", "G6020", COURIER2.name, tie_break="membership"),
    Case("fewest open requests breaks a tie", [variant(COURIER, open_requests=2), variant(COURIER2, open_requests=1)],
         "130102", "G6020", COURIER2.name, tie_break="load"),
    Case("closed requests are not load", [variant(COURIER, open_requests=1),
                                          variant(COURIER2, closed_requests=5)],
         "130102", "G6020", COURIER2.name, tie_break="load"),
    Case("priority comes before load", [variant(COURIER, priority=1, open_requests=9), COURIER2],
         "130102", "G6020", COURIER.name, tie_break="priority"),
    Case("a join counts pending applications", [variant(COURIER, open_applications=2, open_requests=0),
                                                 variant(COURIER2, open_applications=1, open_requests=5)],
         "130102", "G6020", COURIER2.name, tie_break="load", request_type="join"),
    Case("a complete tie goes to the lowest id", [COURIER, COURIER2], "130102", "G6020", COURIER.name,
         tie_break="id"),
    # 1. only active federations
    Case("a preparing federation is skipped", [A_REG, variant(COURIER, status="preparing")], "130102", "G6020",
         A_REG.name),
    Case("a dissolved federation is skipped", [A_REG, variant(COURIER, status="dissolved")], "130102", "G6020",
         A_REG.name),
    Case("an inactive tie partner is no tie", [variant(COURIER, status="preparing"), COURIER2], "130102", "G6020",
         COURIER2.name),
    # 3. fallback up the tree
    Case("no candidate: the county union", [COURIER], "130102001", "C13", "changan", "fallback"),
    Case("only inactive candidates: the county union", [variant(COURIER, status="dissolved")], "130102",
         "G6020", "changan", "fallback"),
    Case("no county union: the city union", [COURIER], "130105", "G6020", "city", "fallback"),
    Case("no city union: the province union", [], "130203", None, "province", "fallback"),
    Case("a custom region falls back to the province", [], "133100", None, "province", "fallback"),
    Case("outside the tree: the top union", [], "110105", "C13", "province", "fallback"),
]


def build(cases_feds: list[Fed], tree: dict, w: Worker) -> dict[str, Federation]:
    from service.federations import coverage

    built = {}
    for spec in cases_feds:
        parent = tree["city"] if spec.region == "130100" else tree["changan"]
        node = make_federation(spec.name, kind=spec.kind, region=spec.region, industry=spec.industry,
                               parent=parent, priority=spec.priority,
                               status="active" if spec.status == "dissolved" else spec.status)
        for region, industry in spec.rules:
            coverage.add_rule(node, region_code=region, industry_code=industry)
        for _ in range(spec.open_requests):
            open_request(node)
        for n in range(spec.closed_requests):
            open_request(node, status=("closed", "resolved", "withdrawn")[n % 3])
        for _ in range(spec.open_applications):
            open_application(node)
        if spec.member:
            membership(w, node)
        if spec.status == "dissolved":
            node.status = "dissolved"
        built[spec.name] = node
    db.session.commit()
    return built


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_routing_rules(tree, case):
    w = worker("o-routed")
    built = build(case.feds, tree, w)
    decision = routing.route(case.region, case.industry, case.request_type, w.id)
    expected = built[case.winner] if case.winner in built else tree[case.winner]
    assert (decision.federation_name, decision.reason, decision.tie_break) == \
        (expected.name, case.reason, case.tie_break), decision.explanation
    assert decision.federation_id == expected.id
    assert decision.explanation.startswith(f"由{expected.name}受理：工作地 {case.region}")
    if case.industry:
        assert f"行业 {case.industry}" in decision.explanation
    candidate_ids = [c["federation_id"] for c in decision.candidates]
    assert len(candidate_ids) == len(set(candidate_ids)), "a federation is a candidate once"
    if case.reason == "coverage":
        assert candidate_ids[0] == decision.federation_id or decision.tie_break


def test_the_decision_is_stored_whole(tree):
    built = build([COURIER, COURIER2, A_REG], tree, worker())
    stored = routing.route("130102", "G6020", "mediation", None).as_dict()
    assert stored["inputs"] == {"region": "130102", "industry": "G6020", "request_type": "mediation",
                                "worker_id": None}
    assert stored["federation_id"] == built[COURIER.name].id and stored["reason"] == "coverage"
    assert [c["name"] for c in stored["candidates"]] == [COURIER.name, COURIER2.name, A_REG.name]
    assert stored["candidates"][0]["specificity"] == [6, 4]
    assert stored["tie_break"] == "id" and stored["decided_at"]
    assert stored["explanation"] == (
        f"由{COURIER.name}受理：工作地 130102（河北省石家庄市长安区），行业 G6020（快递服务）。"
        "该联合会覆盖河北省石家庄市长安区（130102）的快递服务（G602），是最具体的匹配；"
        "有2家工会联合会同样匹配且待办一样多，按登记先后确定。")


def test_fallback_explains_itself(tree):
    decision = routing.route("130105", "G6020")
    assert decision.explanation == (
        "由石家庄市总工会受理：工作地 130105（河北省石家庄市新华区），行业 G6020（快递服务）。"
        "当地暂无覆盖该地区和行业的工会联合会，由所在地的上级工会直接受理。")
    assert decision.candidates == []


def test_a_withdrawn_membership_is_no_tie_break(tree):
    w = worker()
    built = build([COURIER, COURIER2], tree, w)
    membership(w, built[COURIER2.name], status="withdrawn")
    db.session.commit()
    assert routing.route("130102", "G6020", None, w.id).tie_break == "id"


@pytest.mark.parametrize("region, industry, fields", [
    ("", None, {"region": routing.MSG_REGION_MISSING}),
    ("999999", None, {"region": routing.MSG_REGION_INVALID}),
    ("130102", "Z999", {"industry": routing.MSG_INDUSTRY_INVALID}),
    ("abc", "G60200", {"region": routing.MSG_REGION_INVALID, "industry": routing.MSG_INDUSTRY_INVALID}),
])
def test_bad_codes_are_refused_in_chinese(tree, region, industry, fields):
    with pytest.raises(Invalid) as caught:
        routing.route(region, industry)
    assert caught.value.fields == fields


def test_nowhere_to_fall_back_is_a_configuration_error():
    with pytest.raises(RuntimeError):
        routing.route("130102", "G6020")


# ------------------------------------------------------------------ prefixes

@pytest.mark.parametrize("code, prefix", [("130000", "13"), ("130100", "1301"), ("130102", "130102"),
                                          ("130102001", "130102001"), ("133100", "1331")])
def test_region_prefix(code, prefix):
    assert routing.region_prefix(code) == prefix


@pytest.mark.parametrize("code, prefix", [("G6020", "G602"), ("g602", "G602"), ("G60", "G60"), ("E", "E"),
                                          ("O8010", "O801"), ("H6242", "H6242"), (None, None)])
def test_industry_prefix_is_the_shortest_equivalent(code, prefix):
    assert routing.industry_prefix(code) == prefix


def test_industry_prefixes_reach_an_only_child():
    assert routing.industry_prefixes("G6020") == ["G", "G60", "G602", "G6020"]
    assert routing.industry_prefixes("G602") == ["G", "G60", "G602", "G6020"]
    assert routing.industry_prefixes("G60") == ["G", "G60"]


# ------------------------------------------------------------------ properties

REGION_CODES = sorted(r for r in refdata._regions()[0])
INDUSTRY_CODES = sorted(refdata._industries()[0])
HEBEI = [c for c in REGION_CODES if c.startswith("13")]
regions = st.one_of(st.sampled_from(HEBEI), st.sampled_from(REGION_CODES))
industries = st.one_of(st.none(), st.sampled_from(INDUSTRY_CODES))


def oracle(region: str, industry: str | None) -> set[int]:
    """The most specific active federations, by brute force over every rule."""
    rows = db.session.execute(select(CoverageRule.federation_id, CoverageRule.region_prefix,
                                     CoverageRule.industry_prefix)
                              .join(Federation).where(Federation.status == "active")).all()
    full_region = routing.region_prefix(region)
    full_industry = routing.industry_prefixes(industry)[-1] if industry else ""
    matches = [(len(r), len(i or ""), fid) for fid, r, i in rows
               if full_region.startswith(r) and (i is None or full_industry.startswith(i))]
    if not matches:
        return set()
    best = max((m[0], m[1]) for m in matches)
    return {fid for r, i, fid in matches if (r, i) == best}


@pytest.fixture
def demo_world():
    demo.seed_demo()
    db.session.commit()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(region=regions, industry=industries)
def test_any_valid_workplace_gets_an_active_inbox(demo_world, region, industry):
    decision = routing.route(region, industry, "consultation")
    winner = db.session.get(Federation, decision.federation_id)
    assert winner.status == "active"
    assert decision.federation_name == winner.name
    assert f"工作地 {region}" in decision.explanation
    assert (f"行业 {industry}" if industry else "行业未填写") in decision.explanation
    assert decision.explanation.startswith(f"由{winner.name}受理")
    expected = oracle(region, industry)
    if expected:
        assert decision.reason == "coverage" and decision.federation_id in expected
    else:
        assert decision.reason == "fallback" and winner.kind == "upper"
    again = routing.route(region, industry, "consultation")
    assert again.as_dict() | {"decided_at": ""} == decision.as_dict() | {"decided_at": ""}


POOL_REGIONS = ["130100", "130102", "130102001", "130102002", "130108", "130108005"]
POOL_INDUSTRIES = [None, "G", "G60", "G602", "G6010", "H6242", "E"]
rule_sets = st.lists(st.tuples(st.sampled_from(POOL_REGIONS), st.sampled_from(POOL_INDUSTRIES),
                               st.integers(0, 2), st.sampled_from(["active", "active", "preparing"])),
                     min_size=0, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rules=rule_sets, region=st.sampled_from(POOL_REGIONS + ["130105", "130203"]),
       industry=st.sampled_from(POOL_INDUSTRIES + ["G6020", "C13"]))
def test_random_coverage_agrees_with_brute_force(app, rules, region, industry):
    from tests.conftest import _empty_tables

    _empty_tables()
    province = make_upper("河北省总工会", region="130000")
    city = make_upper("石家庄市总工会", region="130100", parent=province)
    for n, (rule_region, rule_industry, priority, status) in enumerate(rules):
        kind = "industry" if rule_industry else "regional"
        if rule_region == "130100" and kind == "regional":
            kind, rule_industry = "industry", "G"
        fed = Federation(name=f"f{n}", kind=kind, level=refdata.get_region(rule_region).level,
                         region_code=rule_region, parent_id=city.id, status=status, priority=priority,
                         industry_code=rule_industry)
        fed.coverage.append(CoverageRule(region_prefix=routing.region_prefix(rule_region),
                                         industry_prefix=routing.industry_prefix(rule_industry)))
        db.session.add(fed)
    db.session.commit()
    decision = routing.route(region, industry)
    expected = oracle(region, industry)
    if not expected:
        assert decision.reason == "fallback"
        assert decision.federation_id == (city.id if region.startswith("1301") else province.id)
        return
    tied = db.session.scalars(select(Federation).where(Federation.id.in_(expected))).all()
    top = max(f.priority for f in tied)
    assert decision.federation_id == min(f.id for f in tied if f.priority == top)


# ------------------------------------------------------------------ the cache

def test_the_cache_sees_every_committed_change(tree):
    built = build([A_REG], tree, worker())
    assert routing.route("130102", "G6020").federation_name == A_REG.name  # cache warm
    courier = build([COURIER], tree, worker())[COURIER.name]
    assert routing.route("130102", "G6020").federation_name == COURIER.name  # new rule
    courier.name = f"{CA}快递服务行业工会联合会"
    db.session.commit()
    assert routing.route("130102", "G6020").federation_name == courier.name  # renamed
    courier.status = "dissolved"
    db.session.commit()
    assert routing.route("130102", "G6020").federation_name == A_REG.name  # no longer active
    db.session.delete(built[A_REG.name].coverage[0])
    db.session.commit()
    assert routing.route("130102", "G6020").federation_name == "石家庄市长安区总工会"  # rule removed


def test_a_change_in_another_process_invalidates_the_cache(tree):
    build([A_REG], tree, worker())
    assert routing.route("130102", "G6020").federation_name == A_REG.name
    other = Session(db.engine)  # another process's session: same listener, same database
    try:
        fed = other.get(Federation, db.session.scalar(select(Federation.id).where(Federation.name == A_REG.name)))
        fed.status = "dissolved"
        other.commit()
    finally:
        other.close()
    db.session.commit()  # end the test's snapshot, as a new request would
    assert routing.route("130102", "G6020").federation_name == "石家庄市长安区总工会"


def test_a_rolled_back_change_does_not_stay_in_the_cache(tree):
    build([A_REG], tree, worker())
    routing.route("130102", "G6020")
    courier = Federation(name=COURIER.name, kind="industry", level="county", region_code="130102",
                         industry_code="G6020", parent_id=tree["changan"].id, status="active")
    courier.coverage.append(CoverageRule(region_prefix="130102", industry_prefix="G602"))
    db.session.add(courier)
    assert routing.route("130102", "G6020").federation_name == COURIER.name  # this transaction sees it
    db.session.rollback()
    assert routing.route("130102", "G6020").federation_name == A_REG.name


def test_only_routing_fields_change_the_token(tree):
    fed = build([A_REG], tree, worker())[A_REG.name]
    token = routing_cache.current_token()
    fed.contact_phone, fed.description, fed.qr_ticket = "0311-1234567", "介绍", "ticket"
    db.session.commit()
    assert routing_cache.current_token() == token
    fed.priority = 3
    db.session.commit()
    assert routing_cache.current_token() != token
    assert db.session.scalar(select(RoutingVersion.id)) == 1


def test_without_a_token_routing_reads_the_database(tree):
    build([A_REG], tree, worker())
    db.session.execute(RoutingVersion.__table__.delete())
    db.session.commit()
    assert routing_cache.current_token() is None
    assert routing.route("130102", "C13").federation_name == A_REG.name


# ------------------------------------------------------------------ the preview API

def test_preview_is_public_and_explains(client, tree):
    built = build([COURIER], tree, worker())
    response = client.get("/api/routing/preview", query_string={"region": "130102", "industry": "g6020",
                                                                "type": "mediation"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["federation_id"] == built[COURIER.name].id
    assert body["federation_name"] == COURIER.name and body["reason"] == "coverage"
    assert body["sentence"].startswith(f"此诉求将由{COURIER.name}受理：工作地 130102")
    assert "candidates" not in body and "inputs" not in body


def test_preview_for_a_join_and_for_staff(client, tree):
    built = build([COURIER], tree, worker())
    login(client, make_staff(tree["city"]))
    body = client.get("/api/routing/preview?region=130102001&industry=G6020&type=join").get_json()
    assert body["sentence"].startswith(f"此入会申请将由{COURIER.name}受理")
    assert [c["federation_id"] for c in body["candidates"]] == [built[COURIER.name].id]
    candidate = body["candidates"][0]  # the console's routing tester shows the matched rule by name
    assert candidate["region_name"] == refdata.region_full_name(candidate["region_prefix"].ljust(6, "0"))
    assert candidate["industry_name"] == refdata.get_industry(candidate["industry_prefix"]).name


def test_preview_takes_the_workers_membership_into_account(client, tree):
    from tests.conftest import as_worker

    w = worker("o-member")
    built = build([COURIER, variant(COURIER2, member=True)], tree, w)
    as_worker(client, "o-member")
    body = client.get("/api/routing/preview?region=130102&industry=G6020").get_json()
    assert body["federation_id"] == built[COURIER2.name].id and body["tie_break"] == "membership"


@pytest.mark.parametrize("query, fields", [
    ({"region": "999999"}, {"region": routing.MSG_REGION_INVALID}),
    ({"region": "130102", "industry": "X1"}, {"industry": routing.MSG_INDUSTRY_INVALID}),
    ({"region": "130102", "type": "divorce"}, {"type": routing.MSG_TYPE_INVALID}),
    ({}, {"region": "请填写工作地行政区划代码"}),
])
def test_preview_refuses_bad_input_with_422(client, tree, query, fields):
    response = client.get("/api/routing/preview", query_string=query)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == fields
