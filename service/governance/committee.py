"""The federation's committee (Hebei opinion §二.3–4): who may sit on it and how they get there.

Rules (each refused with a Chinese message naming the opinion's clause):
- a covered unit's administrative head (行政主要负责人) may not be a member;
- an industry association's or chamber of commerce's president or vice-president may not be
  chair or vice-chair;
- chair and vice-chairs are chosen by a democratic procedure: elected by the whole committee or
  by the covered base unions' members' (representatives') congress; there is one chair;
- a member from a base union is that base union's chair; one who stops being its chair is
  flagged, and the base union's new chair replaces them (替补) after a democratic procedure;
- a newly covered base union's chair may be added (增补) after a democratic procedure;
- a representative of a government department names the department.
"""
from datetime import date

from sqlalchemy import func, select

from models.federation import Federation
from models.governance import (ASSOCIATION_POSTS, CHOSEN_HOW, ROLES, SOURCES, BaseUnion, CommitteeMember,
                               CommitteeTerm, CoveredUnit)
from models.staff import Staff
from service import clock
from service.errors import Conflict
from service.extensions import db
from service.governance.access import check_past, get_owned, lookup, raise_if, record, require_writer, text

ELECTED = ("committee_election", "congress_election")
NEEDS_PROCEDURE = ("replacement", "addition", "democratic_recommendation")
CLAUSE_HEAD = "区域、行业内的基层单位行政主要负责人不得作为联合会委员会委员人选（《实施意见》二.4）"
CLAUSE_ASSOCIATION = "行业协会（商会）会长、副会长等不得担任联合会主席、副主席（《实施意见》二.4）"


def current_term(federation: Federation) -> CommitteeTerm | None:
    return db.session.scalar(select(CommitteeTerm).where(
        CommitteeTerm.federation_id == federation.id, CommitteeTerm.closed_on.is_(None))
        .order_by(CommitteeTerm.number.desc()))


def sitting_members(term: CommitteeTerm | None) -> list[CommitteeMember]:
    if term is None:
        return []
    return [m for m in term.members if m.left_on is None]


def unit_headed_by(federation_id: int, name: str) -> CoveredUnit | None:
    """The covered unit whose administrative head has this name, if any."""
    return db.session.scalar(select(CoveredUnit).where(
        CoveredUnit.federation_id == federation_id, CoveredUnit.kind == "unit",
        CoveredUnit.head_name == name).order_by(CoveredUnit.id))


def member_errors(federation: Federation, data: dict, *, sitting: list[CommitteeMember], today: date,
                  prefix: str = "") -> tuple[dict, dict]:
    """(field errors, cleaned values) for one member joining a committee whose members are `sitting`."""
    errors: dict = {}
    key = (lambda f: f"{prefix}{f}")
    name = text(data.get("name"), key("name"), "姓名", 50, errors, required=True)
    role = data.get("role") or "member"
    if role not in ROLES:
        errors[key("role")] = "职务应为主席、副主席或委员"
    source = data.get("source")
    if source not in SOURCES:
        errors[key("source")] = "请选择委员来源：所覆盖基层工会主席、有关方面代表或政府有关部门代表"
    how = data.get("chosen_how")
    if how not in CHOSEN_HOW:
        errors[key("chosen_how")] = "请选择产生方式"
    chosen_on = data.get("chosen_on")
    check_past(chosen_on, key("chosen_on"), "产生日期", today, errors)
    post = data.get("association_post") or None
    if post is not None and post not in ASSOCIATION_POSTS:
        errors[key("association_post")] = "行业协会（商会）职务应为会长或副会长"
    body = text(data.get("body"), key("body"), "所在单位或部门", 100, errors, required=source == "government")
    procedure = text(data.get("procedure"), key("procedure"), "民主程序记录", 500, errors,
                     required=how in NEEDS_PROCEDURE)
    if how in NEEDS_PROCEDURE and key("procedure") in errors and not data.get("procedure"):
        errors[key("procedure")] = "替补、增补和民主推选须履行民主程序，请记录程序（会议、日期、表决结果）"
    base_union = None
    if source == "base_union":
        bu_id = data.get("base_union_id")
        base_union = lookup(BaseUnion, bu_id)
        if base_union is None or base_union.federation_id != federation.id or base_union.left_on:
            errors[key("base_union_id")] = "请选择本联合会所覆盖的基层工会"
        elif name and base_union.chair_name != name:
            errors[key("name")] = (f"来自基层工会的委员应为该基层工会的主席（{base_union.name}现任主席："
                                   f"{base_union.chair_name or '未登记'}）")
    if name:
        unit = unit_headed_by(federation.id, name)
        if unit is not None:
            errors[key("name")] = f"{name}是覆盖单位“{unit.name}”的行政主要负责人；{CLAUSE_HEAD}"
    if role in ("chair", "vice_chair") and post:
        errors[key("association_post")] = CLAUSE_ASSOCIATION
    if role in ("chair", "vice_chair") and how in CHOSEN_HOW and how not in ELECTED:
        errors[key("chosen_how")] = ("担任联合会主席、副主席必须履行民主程序，由全体委员选举或由会员（代表）大会选举产生"
                                     "（《实施意见》二.4）")
    if role == "chair" and any(m.role == "chair" for m in sitting):
        errors[key("role")] = "本届委员会已有主席；请先登记原主席离任"
    if name and any(m.name == name for m in sitting):
        errors[key("name")] = f"{name}已是本届委员会委员"
    if how == "replacement":
        old = next((m for m in sitting if m.id == data.get("replaces_id")), None)
        if old is None or old.needs_replacement_since is None:
            errors[key("replaces_id")] = "请选择需要替补的委员（已不再担任原工会主要负责人的委员）"
        elif base_union is not None and old.base_union_id != base_union.id:
            errors[key("replaces_id")] = "替补应由原委员所在基层工会新当选的主要负责人担任"
    if how == "addition" and base_union is not None and any(
            m.base_union_id == base_union.id for m in sitting):
        errors[key("base_union_id")] = f"{base_union.name}已有委员在委员会中，增补适用于新覆盖的基层工会"
    if how in ("replacement", "addition") and source != "base_union":
        errors[key("source")] = "替补、增补的委员应为所覆盖基层工会的主要负责人"
    values = {"name": name, "role": role, "source": source, "base_union_id": base_union.id if base_union else None,
              "body": body, "chosen_how": how, "chosen_on": chosen_on, "full_time": bool(data.get("full_time")),
              "association_post": post, "procedure": procedure}
    return errors, values


def add_member(federation: Federation, data: dict, *, staff: Staff | None, today: date | None = None) -> CommitteeMember:
    """Add a member to the sitting committee: replacement (替补), addition (增补) or a correction."""
    require_writer(staff, federation)
    today = today or clock.today()
    term = current_term(federation)
    if term is None:
        raise Conflict("尚未选举产生委员会；请先登记委员会选举")
    sitting = sitting_members(term)
    errors, values = member_errors(federation, data, sitting=sitting, today=today)
    raise_if(errors)
    member = CommitteeMember(federation_id=federation.id, term_id=term.id, **values)
    if values["chosen_how"] == "replacement":
        old = lookup(CommitteeMember, data["replaces_id"])
        member.replaces_id = old.id
        old.left_on, old.left_reason = values["chosen_on"], f"不再担任原工会主要负责人，由{values['name']}替补"
    db.session.add(member)
    db.session.flush()
    record("governance.member.add", staff, federation, "committee_member", member.id,
           {"name": member.name, "role": member.role, "chosen_how": member.chosen_how})
    return member


def remove_member(federation: Federation, member_id: int, *, left_on: date, reason: str | None,
                  staff: Staff | None, today: date | None = None) -> CommitteeMember:
    """A member leaves the committee (resignation, death, recall)."""
    require_writer(staff, federation)
    member = get_owned(CommitteeMember, member_id, federation)
    errors: dict = {}
    check_past(left_on, "left_on", "离任日期", today or clock.today(), errors)
    reason = text(reason, "reason", "离任原因", 200, errors, required=True)
    raise_if(errors)
    if member.left_on is not None:
        raise Conflict("该委员已离任")
    member.left_on, member.left_reason = left_on, reason
    db.session.flush()
    record("governance.member.leave", staff, federation, "committee_member", member.id, {"reason": reason})
    return member


def change_base_union_chair(federation: Federation, base_union_id: int, *, chair_name: str, since: date,
                            staff: Staff | None, today: date | None = None) -> list[CommitteeMember]:
    """A base union has a new chair: its members on the committee who are no longer its chair are
    flagged for replacement (替补). Returns the flagged members."""
    require_writer(staff, federation)
    base_union = get_owned(BaseUnion, base_union_id, federation)
    errors: dict = {}
    chair_name = text(chair_name, "chair_name", "新任主席姓名", 50, errors, required=True)
    check_past(since, "since", "任职日期", today or clock.today(), errors)
    raise_if(errors)
    old = base_union.chair_name
    base_union.chair_name, base_union.chair_since = chair_name, since
    flagged = []
    for member in sitting_members(current_term(federation)):
        if member.base_union_id == base_union.id and member.name != chair_name and member.needs_replacement_since is None:
            member.needs_replacement_since = since
            flagged.append(member)
    db.session.flush()
    record("governance.base_union.chair", staff, federation, "base_union", base_union.id,
           {"from": old, "to": chair_name, "flagged_members": [m.id for m in flagged]})
    return flagged


def committee_problems(federation: Federation, term: CommitteeTerm | None, *,
                       members: list[CommitteeMember] | None = None, units: list[CoveredUnit] | None = None,
                       unions: list[BaseUnion] | None = None) -> list[dict]:
    """Rules the sitting committee breaks now (a unit head recorded after their election, an
    association post added later, no chair…), each {code, message, evidence}. The board passes
    the records it loaded for many federations at once; alone, they are read here."""
    if term is None:
        return []
    sitting = [m for m in members if m.term_id == term.id and m.left_on is None] if members is not None \
        else sitting_members(term)
    if units is None:
        units = list(db.session.scalars(select(CoveredUnit).where(CoveredUnit.federation_id == federation.id)))
    heads = {}
    for unit in sorted(units, key=lambda u: u.id, reverse=True):
        if unit.kind == "unit" and unit.head_name:
            heads[unit.head_name] = unit
    union_of = {u.id: u for u in unions} if unions is not None else None
    found = []
    if not any(m.role == "chair" for m in sitting):
        found.append({"code": "chair_missing", "message": "本届委员会没有主席，应依民主程序选举产生",
                      "evidence": f"第{term.number}届委员会在任{len(sitting)}人"})
    for m in sitting:
        unit = heads.get(m.name)
        if unit is not None:
            found.append({"code": "unit_head_member", "message": f"委员{m.name}是覆盖单位“{unit.name}”的行政主要负责人，"
                          f"不得作为委员会委员", "evidence": CLAUSE_HEAD, "member_id": m.id})
        if m.role in ("chair", "vice_chair") and m.association_post:
            found.append({"code": "association_chair", "message": f"{m.name}担任行业协会（商会）"
                          f"{'会长' if m.association_post == 'president' else '副会长'}，不得担任联合会主席、副主席",
                          "evidence": CLAUSE_ASSOCIATION, "member_id": m.id})
        if m.needs_replacement_since is not None:
            bu = union_of.get(m.base_union_id) if union_of is not None else m.base_union
            found.append({"code": "member_to_replace", "message": f"委员{m.name}已不再担任{bu.name if bu else '原工会'}"
                          f"主要负责人，应由新任主要负责人{bu.chair_name if bu else ''}经民主程序替补",
                          "evidence": f"自{m.needs_replacement_since.isoformat()}起", "member_id": m.id})
    return found


def member_count(term_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(CommitteeMember).where(
        CommitteeMember.term_id == term_id, CommitteeMember.left_on.is_(None))) or 0
