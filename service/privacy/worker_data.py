"""A worker's rights over their own data (PIPL arts. 44–47): see it, take a copy (JSON), ask for it
to be deleted. Deletion respects what the union must keep: a case still being handled, and the
member roll of a live membership. The worker is told, in Chinese, what holds the deletion back; the
request waits and `deletion_requests_job` finishes it once nothing holds it any more."""
from datetime import datetime

from sqlalchemy import select

from models.base import utcnow
from models.contest import SIGNUP_STATUS_LABELS, Contest, Signup
from models.membership import (APPLICATION_STATUS_LABELS, LIVE_MEMBERSHIP_STATUSES, MEMBERSHIP_STATUS_LABELS,
                               OPEN_APPLICATION_STATUSES, Application, Membership)
from models.privacy import DataRequest
from models.request import REQUEST_TYPE_LABELS, WORKER_STATUS_LABELS, HelpRequest, RequestEvent
from models.worker import Worker
from service import audit, clock
from service.extensions import db
from service.privacy import erasure
from service.privacy.retention import OPEN_HELP_STATUSES, erase_application, erase_worker

ACTIVE_SIGNUPS = ("confirmed", "waitlisted")


def _iso(value: datetime | None) -> str | None:
    return clock.to_china(value).isoformat(timespec="minutes") if value else None


def _applications(worker: Worker) -> list[dict]:
    rows = db.session.scalars(select(Application).where(Application.worker_id == worker.id).order_by(Application.id))
    return [{"federation": a.federation.name, "status": APPLICATION_STATUS_LABELS.get(a.status, a.status),
             "submitted_at": _iso(a.submitted_at), "name": a.name, "id_masked": a.id_masked,
             "phone_masked": a.phone_masked, "employer": a.employer, "region_code": a.region_code,
             "industry_code": a.industry_code, "consent_version": a.consent_version,
             "consent_at": _iso(a.consent_at), "erased": a.erased_at is not None} for a in rows]


def _memberships(worker: Worker) -> list[dict]:
    rows = db.session.scalars(select(Membership).where(Membership.worker_id == worker.id).order_by(Membership.id))
    return [{"member_no": m.member_no, "federation": m.federation.name,
             "status": MEMBERSHIP_STATUS_LABELS.get(m.status, m.status), "joined_at": _iso(m.joined_at),
             "withdrawn_at": _iso(m.withdrawn_at)} for m in rows]


def _help_requests(worker: Worker, *, messages: bool) -> list[dict]:
    rows = db.session.scalars(select(HelpRequest).where(HelpRequest.worker_id == worker.id).order_by(HelpRequest.id))
    out = []
    for r in rows:
        item = {"number": r.number, "type": REQUEST_TYPE_LABELS.get(r.type, r.type), "federation": r.federation.name,
                "status": WORKER_STATUS_LABELS.get(r.status, r.status), "created_at": _iso(r.created_at),
                "name": r.worker_name, "phone_masked": r.worker_phone_masked, "employer": r.employer_name,
                "facts": r.facts, "wants": r.wants, "erased": r.erased_at is not None}
        if messages:  # what the worker wrote and was told; staff's internal notes are not the worker's data
            item["messages"] = [{"at": _iso(e.created_at), "from": "本人" if e.by_worker else "工会", "text": e.body}
                                for e in db.session.scalars(select(RequestEvent).where(
                                    RequestEvent.request_id == r.id, RequestEvent.public.is_(True),
                                    RequestEvent.body.is_not(None)).order_by(RequestEvent.id))]
            item["images"] = len(r.attachments)
        out.append(item)
    return out


def _signups(worker: Worker) -> list[dict]:
    rows = db.session.execute(select(Signup, Contest.title).join(Contest, Contest.id == Signup.contest_id)
                              .where(Signup.worker_id == worker.id).order_by(Signup.id)).all()
    return [{"contest": title, "status": SIGNUP_STATUS_LABELS.get(s.status, s.status), "name": s.name,
             "phone_masked": s.phone_masked, "signed_up_at": _iso(s.created_at), "erased": s.erased_at is not None}
            for s, title in rows]


def holds(worker: Worker) -> list[str]:
    """What the union must keep for now, each as the worker is told it (empty: deletion can go ahead)."""
    found = []
    for membership in db.session.scalars(select(Membership).where(
            Membership.worker_id == worker.id, Membership.status.in_(LIVE_MEMBERSHIP_STATUSES))):
        found.append(f"您目前是{membership.federation.name}的会员（会员号 {membership.member_no}），会员名册须依照"
                     "《工会法》和工会章程保存。如需删除，请先在“我的会员卡”中办理退会。")
    for request in db.session.scalars(select(HelpRequest).where(
            HelpRequest.worker_id == worker.id, HelpRequest.status.in_(OPEN_HELP_STATUSES))):
        found.append(f"您的求助（编号 {request.number}）正在办理中，办理和调解记录须保存至结案。"
                     "办结后，我们会按您的申请删除。")
    if db.session.scalar(select(Application.id).where(Application.worker_id == worker.id,
                                                     Application.status.in_(OPEN_APPLICATION_STATUSES)).limit(1)):
        found.append("您有正在审核的入会申请。请先撤回申请，或等待审核完成。")
    for title in db.session.scalars(select(Contest.title).join(Signup, Signup.contest_id == Contest.id).where(
            Signup.worker_id == worker.id, Signup.status.in_(ACTIVE_SIGNUPS), Signup.erased_at.is_(None),
            Contest.starts_at > utcnow())):
        found.append(f"您已报名尚未举行的竞赛「{title}」。请先取消报名，或在比赛结束后再申请。")
    return found


def overview(worker: Worker) -> dict:
    """What we hold about this worker (masked where staff see it masked), what blocks deletion, and
    their deletion requests."""
    requests = list(db.session.scalars(select(DataRequest).where(DataRequest.worker_id == worker.id)
                                       .order_by(DataRequest.id.desc())))
    return {
        "profile": {"name": worker.name, "id_masked": worker.id_masked, "phone_masked": worker.phone_masked,
                    "gender": {"M": "男", "F": "女"}.get(worker.gender), "following": worker.subscribed,
                    "erased": worker.erased_at is not None},
        "memberships": _memberships(worker), "applications": _applications(worker),
        "help_requests": _help_requests(worker, messages=False), "signups": _signups(worker),
        "holds": holds(worker), "requests": requests,
    }


def export(worker: Worker) -> dict:
    """Everything above plus the messages of each request, as one JSON document (PIPL art. 45)."""
    data = overview(worker) | {"help_requests": _help_requests(worker, messages=True)}
    data["requests"] = [{"kind": r.kind, "status": r.status, "created_at": _iso(r.created_at),
                         "held_because": r.held_because, "done_at": _iso(r.done_at)} for r in data["requests"]]
    data["exported_at"] = _iso(utcnow())
    data["note"] = "身份证号、手机号按工作人员所见的方式部分隐藏；完整信息请携带身份证件到受理的工会办理。"
    audit.record("privacy.export", actor=f"worker:{worker.id}", subject_type="worker", subject_id=worker.id)
    return data


def erase_everything(worker: Worker, now: datetime) -> None:
    """Erase what the worker's records hold about them (only when nothing holds it)."""
    for application in db.session.scalars(select(Application).where(Application.worker_id == worker.id,
                                                                     Application.erased_at.is_(None))):
        erase_application(application, now)
    for request in db.session.scalars(select(HelpRequest).where(HelpRequest.worker_id == worker.id,
                                                                HelpRequest.erased_at.is_(None))):
        erasure.erase_help_request(request, now)
    for signup in db.session.scalars(select(Signup).where(Signup.worker_id == worker.id, Signup.erased_at.is_(None))):
        erasure.erase_signup(signup, now)
    erase_worker(worker, now)
    db.session.flush()


def request_deletion(worker: Worker, now: datetime | None = None) -> DataRequest:
    """The worker asks for their data to be deleted: done at once when nothing holds it, else kept
    pending with the reasons (and finished by deletion_requests_job when they clear)."""
    now = now or utcnow()
    pending = db.session.scalar(select(DataRequest).where(DataRequest.worker_id == worker.id,
                                                          DataRequest.status == "pending"))
    request = pending or DataRequest(worker_id=worker.id, kind="delete", status="pending", created_at=now)
    db.session.add(request)
    _try(request, worker, now)
    audit.record("privacy.delete_request", actor=f"worker:{worker.id}", subject_type="worker", subject_id=worker.id,
                 detail={"status": request.status})
    return request


def _try(request: DataRequest, worker: Worker, now: datetime) -> bool:
    reasons = holds(worker)
    if reasons:
        request.held_because = "\n".join(reasons)
        db.session.flush()
        return False
    erase_everything(worker, now)
    request.status, request.held_because, request.done_at = "done", None, now
    db.session.flush()
    return True


def deletion_requests_job() -> int:
    """Finish the deletion requests whose holds have cleared (a case closed, a membership ended)."""
    now, done = utcnow(), 0
    for request in list(db.session.scalars(select(DataRequest).where(DataRequest.status == "pending"))):
        if _try(request, request.worker, now):
            audit.record("privacy.delete_done", actor="system", subject_type="worker", subject_id=request.worker_id)
            done += 1
    return done
