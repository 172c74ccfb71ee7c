"""Routing: which inbox is responsible for a workplace (DESIGN §3).

1. Candidates: active federations (regional or industry) with a coverage rule whose region
   prefix is a prefix of the workplace region and whose industry prefix is empty or a
   prefix of the industry. A federation with several matching rules counts once, with its
   most specific rule.
2. Most specific wins: longest region prefix, then longest industry prefix (so an industry
   federation beats a regional one at the same place). Among equally specific candidates:
   the one the worker is a member of; then the highest `priority`; then the fewest open
   items (help requests, or pending applications when routing a join); then the lowest
   id, so the same state always gives the same answer.
3. No candidate: the nearest active upper union up the region tree (the workplace's own
   code, then county, city, province); if none is registered on that path, the top of the
   tree. Nothing is ever unrouted.
4. The decision keeps its inputs, candidates, winner, tie-break and a sentence anyone can
   read: "由石家庄市长安区快递行业工会联合会受理：工作地 130102（…），行业 G6020（…）。…"

Coverage comes from a per-process cache checked against a version token on every call
(service/routing/cache.py): a decision without a tie costs one single-row read. The
tie-break facts (membership, open counts) are always read live, in one more statement.
"""
from dataclasses import asdict, dataclass, field

from sqlalchemy import bindparam, func, literal, select, union_all

from models.base import utcnow
from models.membership import Application, Membership
from models.request import REQUEST_TYPE_LABELS, HelpRequest
from models.worker import Worker
from service import refdata
from service.routing import cache as routing_cache
from service.errors import Invalid
from service.extensions import db

OPEN_REQUEST_STATUSES = ("new", "in_progress", "awaiting_worker")
OPEN_APPLICATION_STATUSES = ("pending", "correction")
LIVE_MEMBERSHIP_STATUSES = ("active", "transferring", "retained")
# What can be routed: the help request types, and "join" (an application to join).
SUBJECT_LABELS = {**REQUEST_TYPE_LABELS, "join": "入会申请"}
_REGION_CUTS = (2, 4, 6, 9, 12)

MSG_REGION_MISSING = "请填写工作地行政区划代码"
MSG_REGION_INVALID = "工作地行政区划代码无效（应为 GB/T 2260 代码，如 130102）"
MSG_INDUSTRY_INVALID = "行业代码无效（应为 GB/T 4754-2017 代码，如 G6020）"
MSG_TYPE_INVALID = "类型应为 " + "、".join(SUBJECT_LABELS) + " 之一"


# ------------------------------------------------------------------ prefixes

def region_prefix(code: str) -> str:
    """The significant prefix of a region code: 130000 → 13, 130100 → 1301, 130102 → 130102."""
    code = (code or "").strip()
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def region_prefixes(code: str) -> list[str]:
    """Every coverage prefix that contains this workplace region, shortest first."""
    significant = region_prefix(code)
    return [significant[:n] for n in _REGION_CUTS if n <= len(significant)]


def prefix_region_code(prefix: str) -> str:
    """The region a stored prefix stands for: 13 → 130000, 1301 → 130100, 130102 → 130102."""
    return prefix + "0" * (6 - len(prefix)) if len(prefix) < 6 else prefix


def industry_prefix(code: str | None) -> str | None:
    """The shortest code naming the same industries (the standard repeats a level that has
    a single child: G602 快递服务 has the one class G6020). G6020 → G602, E48 → E48."""
    code = (code or "").strip().upper()
    if not code:
        return None
    node = refdata.get_industry(code)
    while node is not None and node.parent_code and len(refdata.industry_children(node.parent_code)) == 1:
        node = refdata.get_industry(node.parent_code)
    return node.code if node else code


def industry_prefixes(code: str | None) -> list[str]:
    """Every rule prefix that contains this industry: G6020 → [G, G60, G602, G6020]. A code
    with a single child also reaches it (G602 → … G6020), so both spellings match alike."""
    code = (code or "").strip().upper()
    if not code:
        return []
    children = refdata.industry_children(code)
    while len(children) == 1:
        code = children[0].code
        children = refdata.industry_children(code)
    return [code[:1]] + [code[:n] for n in range(3, len(code) + 1)]


# ------------------------------------------------------------------ decisions

@dataclass
class Candidate:
    federation_id: int
    name: str
    kind: str
    region_prefix: str
    industry_prefix: str | None
    priority: int
    member: bool = False
    open_requests: int | None = None

    @property
    def specificity(self) -> tuple[int, int]:
        return len(self.region_prefix), len(self.industry_prefix or "")


@dataclass
class Decision:
    federation_id: int
    federation_name: str
    reason: str  # "coverage" | "fallback"
    explanation: str
    inputs: dict
    candidates: list[dict] = field(default_factory=list)
    tie_break: str | None = None  # "membership" | "priority" | "load" | "id"
    decided_at: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def check_inputs(region_code: str, industry_code: str | None,
                 request_type: str | None = None, *, strict_type: bool = False) -> tuple[str, str | None]:
    """Normalised (region, industry) or Invalid with Chinese field messages."""
    region_code = (region_code or "").strip()
    industry_code = (industry_code or "").strip().upper() or None
    errors = {}
    if not region_code:
        errors["region"] = MSG_REGION_MISSING
    elif not refdata.is_region(region_code):
        errors["region"] = MSG_REGION_INVALID
    if industry_code and not refdata.is_industry(industry_code):
        errors["industry"] = MSG_INDUSTRY_INVALID
    if strict_type and request_type and request_type not in SUBJECT_LABELS:
        errors["type"] = MSG_TYPE_INVALID
    if errors:
        raise Invalid(fields=errors)
    return region_code, industry_code


def find_candidates(region_code: str, industry_code: str | None,
                    snapshot: routing_cache.Snapshot | None = None) -> list[Candidate]:
    """Every active federation with a matching rule (its most specific one), most specific
    first, then by id."""
    snapshot = snapshot or routing_cache.snapshot()
    industries = set(industry_prefixes(industry_code))
    best: dict[int, Candidate] = {}
    for rule in snapshot.rules(region_prefixes(region_code)):
        if rule.industry_prefix is not None and rule.industry_prefix not in industries:
            continue
        candidate = Candidate(*rule)
        held = best.get(rule.federation_id)
        if held is None or candidate.specificity > held.specificity:
            best[rule.federation_id] = candidate
    return sorted(best.values(), key=lambda c: (-c.specificity[0], -c.specificity[1], c.federation_id))


def _tie_query(model, statuses, with_member: bool):
    ids = bindparam("ids", expanding=True)
    load = (select(literal("load"), model.federation_id, func.count())
            .where(model.federation_id.in_(ids), model.status.in_(statuses))
            .group_by(model.federation_id))
    if not with_member:
        return load
    member = select(literal("member"), Membership.federation_id, literal(0)).where(
        Membership.worker_id == bindparam("worker_id"), Membership.federation_id.in_(ids),
        Membership.status.in_(LIVE_MEMBERSHIP_STATUSES))
    return union_all(member, load)


# Built once; one round trip gives both the worker's memberships and the open counts.
_TIE_QUERIES = {
    (subject, with_member): _tie_query(model, statuses, with_member)
    for subject, model, statuses in (("request", HelpRequest, OPEN_REQUEST_STATUSES),
                                     ("join", Application, OPEN_APPLICATION_STATUSES))
    for with_member in (False, True)
}


def _tie_facts(ids: list[int], worker_id: int | None, request_type: str | None) -> tuple[set[int], dict[int, int]]:
    """(the tied federations the worker is a member of, open items per federation): open
    help requests, or pending applications when routing a join."""
    subject = "join" if request_type == "join" else "request"
    query = _TIE_QUERIES[subject, worker_id is not None]
    member_of, loads = set(), {}
    rows = db.session.connection().execute(query, {"ids": ids, "worker_id": worker_id})
    for what, federation_id, count in rows:
        if what == "member":
            member_of.add(federation_id)
        else:
            loads[federation_id] = count
    return member_of, loads


def _break_tie(tied: list[Candidate], worker_id: int | None,
               request_type: str | None) -> tuple[Candidate, str | None]:
    if len(tied) == 1:
        return tied[0], None
    if worker_id is None:  # membership cannot decide; priority may, without a query
        top = max(c.priority for c in tied)
        if sum(c.priority == top for c in tied) == 1:
            return next(c for c in tied if c.priority == top), "priority"
    member_of, loads = _tie_facts([c.federation_id for c in tied], worker_id, request_type)
    for c in tied:
        c.member = c.federation_id in member_of
        c.open_requests = loads.get(c.federation_id, 0)
    members = [c for c in tied if c.member]
    if len(members) == 1:
        return members[0], "membership"
    tied = members or tied
    top = max(c.priority for c in tied)
    tied = [c for c in tied if c.priority == top]
    if len(tied) == 1:
        return tied[0], "priority"
    least = min(c.open_requests for c in tied)
    tied = [c for c in tied if c.open_requests == least]
    if len(tied) == 1:
        return tied[0], "load"
    return min(tied, key=lambda c: c.federation_id), "id"


def _fallback(region_code: str, snapshot: routing_cache.Snapshot) -> tuple[routing_cache.Union, bool]:
    """(the nearest active upper union on the region path, whether it is on that path)."""
    codes = [region_code] + refdata.region_ancestors_codes(region_code)
    for code, union in snapshot.uppers(codes).items():
        if union is not None:
            return union, True
    root = snapshot.root()
    if root is None:
        raise RuntimeError("no active upper union exists: routing has nowhere to fall back to")
    return root, False


def describe_inputs(region_code: str, industry_code: str | None) -> str:
    text = f"工作地 {region_code}（{refdata.region_full_name(region_code)}）"
    if industry_code:
        text += f"，行业 {industry_code}（{refdata.get_industry(industry_code).name}）"
    else:
        text += "，行业未填写"
    return text


def describe_rule(region: str, industry: str | None) -> str:
    place = refdata.region_full_name(prefix_region_code(region)) or region
    if not industry:
        return f"{place}（{region}）全部行业"
    return f"{place}（{region}）的{refdata.get_industry(industry).name}（{industry}）"


TIE_BREAK_TEXT = {
    "membership": "有{n}家工会联合会同样匹配，您是该联合会的会员，因此由其受理",
    "priority": "有{n}家工会联合会同样匹配，按上级工会设定的优先级确定",
    "load": "有{n}家工会联合会同样匹配，由当前待办最少的一家受理",
    "id": "有{n}家工会联合会同样匹配且待办一样多，按登记先后确定",
}


def route(region_code: str, industry_code: str | None = None, request_type: str | None = None,
          worker_id: int | None = None) -> Decision:
    """Decide who handles a request or application from this workplace. Never unrouted.

    Raises Invalid (fields "region", "industry") for codes not in the reference data.
    `request_type` (a help request type, or "join") is recorded and picks what "open items"
    means for the load tie-break; it does not change the candidates."""
    region_code, industry_code = check_inputs(region_code, industry_code)
    inputs = {"region": region_code, "industry": industry_code, "request_type": request_type,
              "worker_id": worker_id}
    described = describe_inputs(region_code, industry_code)
    snapshot = routing_cache.snapshot()
    candidates = find_candidates(region_code, industry_code, snapshot)
    decided_at = utcnow().isoformat(timespec="seconds")
    if not candidates:
        union, on_path = _fallback(region_code, snapshot)
        why = ("当地暂无覆盖该地区和行业的工会联合会，由所在地的上级工会直接受理" if on_path
               else "所在地区尚无登记的工会，转由本平台最上级的工会受理")
        return Decision(federation_id=union.id, federation_name=union.name, reason="fallback",
                        explanation=f"由{union.name}受理：{described}。{why}。", inputs=inputs,
                        decided_at=decided_at)
    best = candidates[0].specificity
    tied = [c for c in candidates if c.specificity == best]
    winner, tie_break = _break_tie(tied, worker_id, request_type)
    explanation = (f"由{winner.name}受理：{described}。该联合会覆盖"
                   f"{describe_rule(winner.region_prefix, winner.industry_prefix)}，是最具体的匹配")
    if tie_break:
        explanation += "；" + TIE_BREAK_TEXT[tie_break].format(n=len(tied))
    return Decision(
        federation_id=winner.federation_id, federation_name=winner.name, reason="coverage",
        explanation=explanation + "。", inputs=inputs, tie_break=tie_break, decided_at=decided_at,
        candidates=[{**vars(c), "specificity": list(c.specificity)} for c in candidates],
    )


def preview(region_code: str, industry_code: str | None = None, request_type: str | None = None,
            worker_id: int | None = None, *, openid: str | None = None) -> dict:
    """What route() would answer now, with the sentence the H5 pages show before submitting
    ("此诉求将由…受理：…"). Nothing is stored. `openid` stands for the worker (if known)."""
    check_inputs(region_code, industry_code, request_type, strict_type=True)
    if worker_id is None and openid:
        worker_id = db.session.scalar(select(Worker.id).where(Worker.openid == openid))
    decision = route(region_code, industry_code, request_type, worker_id)
    noun = "入会申请" if request_type == "join" else "诉求"
    answer = {**decision.as_dict(), "sentence": f"此{noun}将{decision.explanation}"}
    answer["candidates"] = [{**c, "region_name": refdata.region_full_name(prefix_region_code(c["region_prefix"])),
                             "industry_name": _industry_name(c["industry_prefix"])} for c in answer["candidates"]]
    return answer


def _industry_name(code: str | None) -> str | None:
    industry = refdata.get_industry(code) if code else None
    return industry.name if industry else None
