"""Evidence images: uploaded in the page, or sent in the chat and fetched later.

The WeChat callback must answer within 5 seconds and never calls out, so an image sent in the
chat is recorded as a *pending* attachment with its MediaId; the `fetch-attachments` job
downloads it through `service.wechat.client.download_media` (the outbound client).
"""
import logging
import warnings
from datetime import datetime
from io import BytesIO

from sqlalchemy import func, select

from models.base import utcnow
from models.request import Attachment, HelpRequest
from models.worker import Worker
from service.errors import Conflict, Invalid
from service.extensions import db
from service.help_requests.status import add_event
from service.help_requests.worker import get_mine

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel phone photo; the header is checked before decoding
MAX_IMAGE_SIDE = 20_000
MAX_PER_REQUEST = 20
MAX_FETCH_ATTEMPTS = 5
FETCH_BATCH = 20
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


class MediaUnavailable(Exception):
    pass


def sniff_image(data: bytes) -> str:
    """The content type of an image we accept, judged by its bytes (never by the client's word)."""
    if not data:
        raise Invalid(fields={"file": "文件为空"})
    if len(data) > MAX_IMAGE_BYTES:
        raise Invalid(fields={"file": f"图片不能超过{MAX_IMAGE_BYTES // 1024 // 1024}MB"})
    from PIL import Image, UnidentifiedImageError

    too_big = Invalid(fields={"file": "图片尺寸过大，请缩小后再上传"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit is lower
            image = Image.open(BytesIO(data))  # reads the header only
        with image:
            kind = image.format
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
                raise too_big  # a decompression bomb: 5 MB that would inflate to gigabytes
            image.verify()
    except Image.DecompressionBombError:  # Pillow's own limit, met while reading the header
        raise too_big from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Invalid(fields={"file": "只能上传图片（JPG、PNG、GIF、WebP）"}) from None
    if kind not in IMAGE_TYPES:
        raise Invalid(fields={"file": "只能上传图片（JPG、PNG、GIF、WebP）"})
    return IMAGE_TYPES[kind]


def _room_for_one(request: HelpRequest) -> None:
    if not request.is_open:
        raise Conflict("该诉求已办结或已撤回，不能再添加材料")
    count = db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.request_id == request.id))
    if count >= MAX_PER_REQUEST:
        raise Conflict(f"每件诉求最多{MAX_PER_REQUEST}张图片")


def add_upload(worker: Worker, request_id: int, filename: str, data: bytes, *,
               now: datetime | None = None) -> Attachment:
    """An image uploaded from the worker's page (multipart)."""
    now = now or utcnow()
    request = get_mine(worker, request_id, touch=True, now=now)
    _room_for_one(request)
    content_type = sniff_image(data)
    name = (filename or "image").replace("\\", "/").rsplit("/", 1)[-1][:100] or "image"
    attachment = Attachment(request_id=request.id, source="upload", status="stored", filename=name,
                            content_type=content_type, size=len(data), data=data, created_at=now, stored_at=now)
    db.session.add(attachment)
    db.session.flush()
    request.worker_unread = (request.worker_unread or 0) + 1
    add_event(request, "attachment", public=True, by_worker=True, now=now, body="上传了一张图片作为证据",
              data={"attachment_id": attachment.id})
    return attachment


def attach_chat_image(worker: Worker, media_id: str, *, now: datetime | None = None) -> HelpRequest | None:
    """Record an image sent in the chat against the worker's most recently active open request
    (service/help_requests/chat.py). Nothing is downloaded here (the callback's 5 seconds);
    answers None when the worker has no open request."""
    from service.help_requests.chat import current_request, mark_from_worker

    now = now or utcnow()
    request, _count = current_request(worker)
    if request is None:
        return None
    _room_for_one(request)
    mark_from_worker(request, now)
    attachment = Attachment(request_id=request.id, source="chat", status="pending", media_id=media_id[:128],
                            filename=f"wechat-{media_id[:40]}", created_at=now)
    db.session.add(attachment)
    db.session.flush()
    add_event(request, "attachment", public=True, by_worker=True, now=now, body="在对话框发送了一张图片作为证据",
              data={"attachment_id": attachment.id})
    return request


def own_image(worker: Worker, request_id: int, attachment_id: int) -> Attachment:
    """A stored image of the worker's own request; anything else is a 404."""
    from service.errors import NotFound

    valid = all(isinstance(v, int) and 0 < v < 2 ** 31 for v in (request_id, attachment_id))
    request = get_mine(worker, request_id) if valid else None
    found = db.session.get(Attachment, attachment_id) if valid else None
    if request is None or found is None or found.request_id != request.id or found.status != "stored":
        raise NotFound("找不到该图片")
    return found


def download_media(media_id: str) -> tuple[bytes, str]:
    """The outbound client's adapter (service/wechat/client.py, built in the stand-in branch)."""
    try:
        from service.wechat.client import download_media as download
    except ImportError as error:
        raise MediaUnavailable("service.wechat.client is not available") from error
    return download(media_id)


def fetch_pending(limit: int = FETCH_BATCH) -> int:
    """Download pending chat images (locked with SKIP LOCKED on PostgreSQL, so several workers
    share the queue); commits the batch. Answers how many were stored."""
    query = (select(Attachment).where(Attachment.status == "pending").order_by(Attachment.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    stored = 0
    for attachment in db.session.scalars(query).all():
        attachment.attempts += 1
        try:
            data, _declared = download_media(attachment.media_id)
            attachment.content_type = sniff_image(data)
        except MediaUnavailable:
            attachment.attempts -= 1  # not this attachment's fault: try again once the client exists
            break
        except Exception as error:  # network, WeChat error, not an image: retried, then given up
            attachment.last_error = (getattr(error, "message", None) or type(error).__name__)[:200]
            if attachment.attempts >= MAX_FETCH_ATTEMPTS:
                attachment.status = "failed"
                add_event(attachment.request, "attachment_failed", public=False,
                          body="职工在对话框发送的图片未能下载（可请职工重新上传）")
            log.warning("attachment %s: fetch failed (%s)", attachment.id, type(error).__name__)
            continue
        attachment.data, attachment.size = data, len(data)
        attachment.status, attachment.stored_at = "stored", utcnow()
        stored += 1
    db.session.flush()
    return stored


def fetch_job() -> int:
    return fetch_pending()
