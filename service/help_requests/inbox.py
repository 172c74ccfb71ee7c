"""The staff inbox: views, filters, search, keyset pagination and CSV export (DESIGN §5 Inbox).

Every query is scoped to what the caller may see and ordered by (created_at, id) descending;
a page continues after the last row's (created_at, id), so page 1,000 costs what page 1 does.

Scope is service.staff.accounts.scope_ids evaluated once per call and bound as constants (one array on
PostgreSQL) rather than in_scope's recursive sub-query: the planner then knows how many
federations — and so how many rows — the caller sees, and picks the per-federation index for a
small scope and the created_at index for a large one (bench/inbox.py measures both).
"""
import base64
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, Select, any_, bindparam, func, select, true, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from models.federation import Federation
from models.request import RequestEvent
from models.request import OPEN_STATUSES, REQUEST_STATUSES, REQUEST_TYPE_LABELS, REQUEST_TYPES, STATUS_LABELS, HelpRequest
from models.staff import Staff
from service import audit
from service.help_requests.deadlines import next_due
from service.errors import Invalid
from service.exports import csv_pieces
from service.extensions import db
from service.staff.scope import require_scope, scope_ids
from service import clock
from service.privacy.fields import is_mobile
from service.help_requests.detail import status_label

VIEWS = {"unassigned": "未分派", "mine": "我的", "overdue": "已超期", "incoming": "转入", "all": "全部",
         "involved": "我参与的"}
PAGE_MAX = 100
EXPORT_BATCH = 500
NUMBER = re.compile(r"^QZ\d{14}$")
Assignee = aliased(Staff)

ROW_COLUMNS = (
    HelpRequest.id, HelpRequest.number, HelpRequest.type, HelpRequest.status, HelpRequest.created_at,
    HelpRequest.federation_id, Federation.name.label("federation_name"), HelpRequest.assignee_id,
    Assignee.display_name.label("assignee_name"), HelpRequest.worker_name, HelpRequest.worker_phone_masked,
    HelpRequest.employer_name, HelpRequest.first_response_due, HelpRequest.resolution_due,
    HelpRequest.first_responded_at, HelpRequest.overdue, HelpRequest.incoming, HelpRequest.escalated,
    HelpRequest.limitation_warning, HelpRequest.worker_unread,
)


@dataclass
class Filters:
    type: str | None = None
    status: str | None = None
    date_from: date | None = None  # created on or after (China date)
    date_to: date | None = None  # created on or before (China date)
    assignee_id: int | None = None
    federation_id: int | None = None
    q: str | None = None


def encode_cursor(created_at: datetime, request_id: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{request_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, request_id = raw.partition("|")
        return datetime.fromisoformat(moment), int(request_id)
    except (ValueError, UnicodeDecodeError):
        raise Invalid(fields={"cursor": "分页参数无效，请回到第一页"}) from None


def _search(query: Select, q: str) -> Select:
    q = q.strip()
    if NUMBER.match(q.upper()):
        return query.where(HelpRequest.number == q.upper())
    if is_mobile(q):
        return query.where(HelpRequest.worker_phone == q)
    if len(q) > 50:
        raise Invalid(fields={"q": "搜索内容过长"})
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return query.where(HelpRequest.worker_name.like(f"{escaped}%", escape="\\"))


def scope_clause(staff: Staff, column):
    """`column` (a federation id) within the caller's scope, as constants the planner can count."""
    if staff.federation.parent_id is None and db.session.scalar(
            select(func.count()).select_from(Federation).where(Federation.parent_id.is_(None))) == 1:
        return true()  # the root of the one tree (the province) sees everything: no filter at all
    ids = sorted(scope_ids(staff))
    if len(ids) == 1:
        return column == ids[0]
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("scope_ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def build_query(staff: Staff, view: str, filters: Filters) -> Select:
    """The rows of `view` that `staff` may see, newest first."""
    if view not in VIEWS:
        raise Invalid(fields={"view": "未知的视图"})
    query = (select(*ROW_COLUMNS).join(Federation, Federation.id == HelpRequest.federation_id)
             .outerjoin(Assignee, Assignee.id == HelpRequest.assignee_id))
    if view == "involved":  # what this person acted on, wherever it is now (read-only once moved out)
        query = query.where(HelpRequest.id.in_(
            select(RequestEvent.request_id).where(RequestEvent.actor_staff_id == staff.id)))
    else:
        query = query.where(scope_clause(staff, HelpRequest.federation_id))
    if view == "unassigned":
        query = query.where(HelpRequest.assignee_id.is_(None), HelpRequest.status.in_(OPEN_STATUSES))
    elif view == "mine":
        query = query.where(HelpRequest.assignee_id == staff.id, HelpRequest.status.in_(OPEN_STATUSES))
    elif view == "overdue":
        query = query.where(HelpRequest.overdue, HelpRequest.status.in_(OPEN_STATUSES))  # plain: matches the partial index
    elif view == "incoming":
        query = query.where(HelpRequest.incoming)
    errors = {}
    if filters.type:
        if filters.type not in REQUEST_TYPES:
            errors["type"] = "未知的类型"
        query = query.where(HelpRequest.type == filters.type)
    if filters.status:
        if filters.status not in REQUEST_STATUSES:
            errors["status"] = "未知的状态"
        query = query.where(HelpRequest.status == filters.status)
    if filters.date_from:
        query = query.where(HelpRequest.created_at >= clock.day_start(filters.date_from))
    if filters.date_to:
        end = clock.day_start(filters.date_to + timedelta(days=1))
        query = query.where(HelpRequest.created_at < end)
    if filters.assignee_id:
        query = query.where(HelpRequest.assignee_id == filters.assignee_id)
    if filters.federation_id:
        require_scope(staff, filters.federation_id)
        query = query.where(HelpRequest.federation_id == filters.federation_id)
    if errors:
        raise Invalid(fields=errors)
    if filters.q and filters.q.strip():
        query = _search(query, filters.q)
    return query.order_by(HelpRequest.created_at.desc(), HelpRequest.id.desc())


COUNTED_VIEWS = ("unassigned", "mine", "overdue", "incoming", "involved")


def count_views(staff: Staff) -> dict[str, int]:
    """How many requests each working view holds now (the tabs' counts; "all" is not counted),
    and how many in scope carry worker messages nobody has read."""
    counts = {}
    for view in COUNTED_VIEWS:
        query = build_query(staff, view, Filters()).order_by(None)
        if view == "involved":
            query = query.where(HelpRequest.status.in_(OPEN_STATUSES))
        counts[view] = db.session.scalar(select(func.count()).select_from(query.subquery()))
    unread = build_query(staff, "all", Filters()).order_by(None).where(
        HelpRequest.worker_unread > 0, HelpRequest.status.in_(OPEN_STATUSES))
    counts["unread"] = db.session.scalar(select(func.count()).select_from(unread.subquery()))
    return counts


def _after(query: Select, cursor: str | None) -> Select:
    if not cursor:
        return query
    created_at, request_id = decode_cursor(cursor)
    return query.where(tuple_(HelpRequest.created_at, HelpRequest.id) < tuple_(created_at, request_id))


def row_dict(row) -> dict:
    data = dict(row._mapping)
    data["type_label"] = REQUEST_TYPE_LABELS[data["type"]]
    data["status_label"] = status_label(data["status"], data["incoming"], data["escalated"])
    data["due_kind"], data["due_at"] = next_due(row)
    return data


def list_page(staff: Staff, view: str, filters: Filters, *, cursor: str | None = None,
              limit: int = 50) -> tuple[list[dict], str | None]:
    """One page of the inbox and the cursor of the next (None at the end)."""
    limit = max(1, min(int(limit), PAGE_MAX))
    rows = db.session.execute(_after(build_query(staff, view, filters), cursor).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
    return [row_dict(row) for row in rows], next_cursor


CSV_HEADER = ("编号", "类型", "状态", "提交时间", "受理单位", "承办人", "职工姓名", "手机号",
              "用人单位", "期限", "超期", "仲裁时效临近")


def export_csv(staff: Staff, view: str, filters: Filters, *, batch: int = EXPORT_BATCH):
    """The rows of the current view as CSV text chunks (UTF-8 with BOM, for Excel); a generator
    that reads `batch` rows at a time by keyset, so memory stays flat however big the view.
    Phone numbers are masked in the file. The caller commits the audit line before streaming."""
    query = build_query(staff, view, filters)  # validates before the first byte is sent
    audit.record("request.export", staff=staff, federation_id=staff.federation_id,
                 detail={"view": view, **{k: str(v) for k, v in vars(filters).items() if v and k != "q"}})

    def batches():
        cursor = None
        while True:
            rows = db.session.execute(_after(query, cursor).limit(batch)).all()
            yield [(row.number, REQUEST_TYPE_LABELS[row.type], STATUS_LABELS[row.status], clock.minute_text(row.created_at),
                    row.federation_name, row.assignee_name, row.worker_name, row.worker_phone_masked or "",
                    row.employer_name, clock.minute_text(next_due(row)[1]), "是" if row.overdue else "",
                    "是" if row.limitation_warning else "") for row in rows]
            if len(rows) < batch:
                return
            cursor = encode_cursor(rows[-1].created_at, rows[-1].id)
    return csv_pieces(CSV_HEADER, batches())
