"""What the rollups count: for each source table, the rows of one anchor range and the figures
each row adds (metric, k1, k2, count, sum) to its China-time day and to every node above it.

A request, application or member counts on the day it was submitted / joined (a cohort: "the
requests submitted in May, and how they were handled"); a withdrawal on the day it took effect;
a transfer on the day it was made, out of its old inbox and into its new one.

Metric names (k1 / k2):
  req_new (type / status)       req_outcome (type / result)    req_amount (type; total = yuan)
  req_workers (type; total)     req_frt, req_rt (type / hour bucket; total = seconds)
  req_fr_ok, req_res_ok (type / ontime|late)                   req_escalated (type)
  req_rating (type / 1..5)      gap_req, gap_app (county code / industry section)
  app_new (status / employment form)   app_decided (ontime|late; total = seconds)
  mem_new (employment form / industry section)   mem_region (county code)   mem_withdrawn
  tr_out, tr_in (subject type / transfer|escalate)
"""
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import Select, or_, select

from models.membership import Application, Membership
from models.request import HelpRequest, Transfer

# Upper edges (hours) of the duration buckets; every target (1, 2, 3, 7, 15, 30 days) is an edge.
BUCKET_HOURS = (1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336, 360, 480, 720, 1080, 1440)
OVER = "inf"
DECIDED = ("approved", "rejected")

Figure = tuple[str, str, str, int, Decimal | int]  # metric, k1, k2, n, total


def bucket(seconds: float) -> str:
    """The bucket key of a duration: the zero-padded upper edge in hours ("0024"), or "inf"."""
    hours = max(seconds, 0) / 3600
    for edge in BUCKET_HOURS:
        if hours <= edge:
            return f"{edge:04d}"
    return OVER


def county(code: str | None) -> str:
    """The county-level code of a workplace region (its first six digits)."""
    return (code or "")[:6] or "?"


def section(code: str | None) -> str:
    return (code or "")[:1].upper() or "?"


def money(value) -> Decimal | None:
    """A recorded amount in yuan, or None when it is absent or not a number (read defensively:
    the outcome JSON is written by other code and older requests have none)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e13"):
        return None
    return amount.quantize(Decimal("0.01"))


def head_count(value) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = int(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return number if 0 <= number < 10_000_000 else None


def _on_time(done: datetime | None, due: datetime | None, now: datetime) -> str | None:
    """"ontime" / "late" once the target is settled (met, or missed while still not met)."""
    if due is None:
        return None
    if done is not None:
        return "ontime" if done <= due else "late"
    return "late" if due < now else None


# ------------------------------------------------------------------ help requests
def request_query(start: datetime, end: datetime) -> Select:
    r = HelpRequest
    return select(
        r.federation_id, r.created_at, r.type, r.status, r.region_code, r.industry_code,
        r.routing["reason"].as_string(), r.outcome["result"].as_string(),
        r.outcome["amount_recovered"].as_string(), r.outcome["amount"].as_string(),
        r.outcome["workers_covered"].as_string(),
        r.first_responded_at, r.first_response_due, r.resolved_at, r.resolution_due, r.escalated, r.rating,
    ).where(r.created_at >= start, r.created_at < end)


def request_figures(row, now: datetime) -> Iterator[Figure]:
    (_, created, kind, status, region, industry, reason, result, recovered, agreed, covered,
     responded, response_due, resolved, resolution_due, escalated, rating) = row
    yield "req_new", kind, status, 1, 0
    if result:
        yield "req_outcome", kind, result, 1, 0
    amount = money(recovered)
    if amount is None and result == "agreement":
        amount = money(agreed)
    if amount is not None:
        yield "req_amount", kind, "", 1, amount
    workers = head_count(covered)
    if workers is not None:
        yield "req_workers", kind, "", 1, workers
    if responded is not None:
        seconds = (responded - created).total_seconds()
        yield "req_frt", kind, bucket(seconds), 1, Decimal(int(seconds))
    state = _on_time(responded, response_due, now)
    if state:
        yield "req_fr_ok", kind, state, 1, 0
    if resolved is not None:
        seconds = (resolved - created).total_seconds()
        yield "req_rt", kind, bucket(seconds), 1, Decimal(int(seconds))
    state = _on_time(resolved, resolution_due, now) if status != "withdrawn" or resolved else None
    if state:
        yield "req_res_ok", kind, state, 1, 0
    if escalated:
        yield "req_escalated", kind, "", 1, 0
    if rating is not None and 1 <= rating <= 5:
        yield "req_rating", kind, str(rating), 1, 0
    if reason == "fallback":
        yield "gap_req", county(region), section(industry), 1, 0


# ------------------------------------------------------------------ applications
def application_query(start: datetime, end: datetime) -> Select:
    a = Application
    return select(a.federation_id, a.submitted_at, a.status, a.employment_form, a.due_at, a.decided_at,
                  a.routing["reason"].as_string(), a.region_code, a.industry_code
                  ).where(a.submitted_at >= start, a.submitted_at < end)


def application_figures(row, now: datetime) -> Iterator[Figure]:
    _, submitted, status, form, due, decided, reason, region, industry = row
    yield "app_new", status, form or "?", 1, 0
    if status in DECIDED and decided is not None:
        state = "ontime" if due is None or decided <= due else "late"
        yield "app_decided", state, "", 1, Decimal(int((decided - submitted).total_seconds()))
    if reason == "fallback":
        yield "gap_app", county(region), section(industry), 1, 0


# ------------------------------------------------------------------ members
def member_query(start: datetime, end: datetime) -> Select:
    m = Membership
    return (select(m.federation_id, m.joined_at, Application.employment_form, m.region_code, m.industry_code)
            .outerjoin(Application, Application.id == m.application_id)
            .where(m.joined_at >= start, m.joined_at < end))


def member_figures(row, now: datetime) -> Iterator[Figure]:
    _, _, form, region, industry = row
    yield "mem_new", form or "?", section(industry), 1, 0
    yield "mem_region", county(region), "", 1, 0


def withdrawal_query(start: datetime, end: datetime) -> Select:
    m = Membership
    return select(m.federation_id, m.withdrawn_at).where(m.withdrawn_at >= start, m.withdrawn_at < end)


def withdrawal_figures(row, now: datetime) -> Iterator[Figure]:
    yield "mem_withdrawn", "", "", 1, 0


# ------------------------------------------------------------------ transfers (two inboxes each)
def transfer_query(start: datetime, end: datetime) -> Select:
    t = Transfer
    return select(t.from_federation_id, t.created_at, t.subject_type, t.kind, t.to_federation_id
                  ).where(t.created_at >= start, t.created_at < end)


def transfer_figures(row, now: datetime) -> Iterator[Figure]:
    yield "tr_out", row[2], row[3], 1, 0


# (name, query of one anchor range, figures of one row): every query's first two columns are the
# federation credited and the anchor instant.
SOURCES: list[tuple[str, Callable[[datetime, datetime], Select], Callable]] = [
    ("requests", request_query, request_figures),
    ("applications", application_query, application_figures),
    ("members", member_query, member_figures),
    ("withdrawals", withdrawal_query, withdrawal_figures),
    ("transfers", transfer_query, transfer_figures),
]


# Which sources give which metrics (a figure that needs only some reads only those).
METRIC_SOURCES = {
    "requests": {"req_new", "req_outcome", "req_amount", "req_workers", "req_frt", "req_rt", "req_fr_ok",
                 "req_res_ok", "req_escalated", "req_rating", "gap_req"},
    "applications": {"app_new", "app_decided", "gap_app"},
    "members": {"mem_new", "mem_region"},
    "withdrawals": {"mem_withdrawn"},
    "transfers": {"tr_out", "tr_in"},
}


def sources_for(metrics) -> set[str] | None:
    if not metrics:
        return None
    return {name for name, given in METRIC_SOURCES.items() if given & set(metrics)}


def extra_credits(name: str, row) -> Iterator[tuple[int, Figure]]:
    """Figures a row adds to another inbox than its own: a transfer arrives at `to`."""
    if name == "transfers":
        yield row[4], ("tr_in", row[2], row[3], 1, 0)


def scope_filter(name: str, statement: Select, ids: set[int]):
    """The rows of a source that concern these federations (a transfer: either end)."""
    if name == "transfers":
        return or_(Transfer.from_federation_id.in_(ids), Transfer.to_federation_id.in_(ids))
    return statement.selected_columns[0].in_(ids)
