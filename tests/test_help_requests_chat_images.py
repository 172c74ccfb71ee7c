"""Images sent in the chat become evidence: recorded in the callback without calling out,
fetched by the `fetch-attachments` job through service.wechat.client.download_media."""
import io
import sys
import time
import types
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from models.request import Attachment, RequestEvent
from service.help_requests import attachments
from service.extensions import db
from tests.factories import cover, make_federation, make_request, make_upper, make_worker


@pytest.fixture
def request_():
    county = make_upper("石家庄市长安区总工会", region="130102")
    cover(make_federation("石家庄市长安区快递行业工会联合会", parent=county), "130102", "G602")
    return make_request(make_worker("o-chat"))


@pytest.fixture
def wechat_media(monkeypatch):
    """Replace the outbound client's download_media (the real one comes from the stand-in branch)."""
    served = {}

    def download_media(media_id):
        if media_id not in served:
            raise RuntimeError("40007 invalid media_id")
        return served[media_id], "image/jpeg"

    try:
        import service.wechat.client as client_module

        monkeypatch.setattr(client_module, "download_media", download_media)
    except ImportError:
        monkeypatch.setitem(sys.modules, "service.wechat.client", types.SimpleNamespace(download_media=download_media))
    return served


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 255)).save(out, format="JPEG")
    return out.getvalue()


def send_image(wechat, openid, media_id):
    return wechat.post(wechat.peer.image(openid, media_id))


def test_an_image_after_recent_activity_is_attached_at_once_without_calling_out(wechat, request_, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the callback must not call out")

    monkeypatch.setattr(attachments, "download_media", no_network)
    started = time.perf_counter()
    response = send_image(wechat, "o-chat", "MEDIA-1")
    assert time.perf_counter() - started < 1.0
    assert response.reply["Content"] == f"已收到图片，已作为证据附到您的诉求 {request_.number}"
    pending = db.session.scalar(select(Attachment))
    assert (pending.status, pending.source, pending.media_id, pending.data) == ("pending", "chat", "MEDIA-1", None)


def test_an_image_long_after_the_last_activity_is_not_attached(wechat, request_):
    request_.worker_active_at -= timedelta(minutes=11)
    db.session.commit()
    response = send_image(wechat, "o-chat", "MEDIA-2")
    assert "请先提交求助" in response.reply["Content"] and "/h5/help.html" in response.reply["Content"]
    assert db.session.scalar(select(Attachment)) is None


def test_an_image_from_someone_without_requests_gets_the_links(wechat):
    response = send_image(wechat, "o-nobody", "MEDIA-3")
    assert response.status_code == 200 and "我的诉求" in response.reply["Content"]


def test_opening_the_request_page_reopens_the_window(client, wechat, request_):
    from tests.conftest import as_worker

    request_.worker_active_at -= timedelta(hours=1)
    db.session.commit()
    as_worker(client, "o-chat").get(f"/api/requests/{request_.id}")
    assert request_.number in send_image(wechat, "o-chat", "MEDIA-4").reply["Content"]


def test_the_job_downloads_pending_images(wechat, request_, wechat_media):
    send_image(wechat, "o-chat", "MEDIA-OK")
    wechat_media["MEDIA-OK"] = jpeg()
    assert attachments.fetch_pending() == 1
    stored = db.session.scalar(select(Attachment))
    assert stored.status == "stored" and stored.content_type == "image/jpeg" and stored.size == len(jpeg())
    assert attachments.fetch_pending() == 0


def test_failures_are_retried_then_given_up_with_a_note_for_staff(wechat, request_, wechat_media):
    send_image(wechat, "o-chat", "MEDIA-GONE")
    for _ in range(attachments.MAX_FETCH_ATTEMPTS):
        assert attachments.fetch_pending() == 0
    failed = db.session.scalar(select(Attachment))
    assert failed.status == "failed" and failed.attempts == attachments.MAX_FETCH_ATTEMPTS
    note = db.session.scalar(select(RequestEvent).where(RequestEvent.kind == "attachment_failed"))
    assert note.public is False


def test_something_that_is_not_an_image_is_refused_by_the_job(wechat, request_, wechat_media):
    send_image(wechat, "o-chat", "MEDIA-EXE")
    wechat_media["MEDIA-EXE"] = b"MZ\x90\x00 not an image"
    attachments.fetch_pending()
    assert db.session.scalar(select(Attachment)).status == "pending"  # retried, never stored


def test_without_the_outbound_client_the_job_waits(wechat, request_, monkeypatch):
    def unavailable(media_id):
        raise attachments.MediaUnavailable("not merged yet")

    monkeypatch.setattr(attachments, "download_media", unavailable)
    send_image(wechat, "o-chat", "MEDIA-WAIT")
    assert attachments.fetch_pending() == 0
    assert db.session.scalar(select(Attachment)).attempts == 0


def test_staff_see_stored_images_and_workers_do_not(client, wechat, request_, wechat_media):
    from tests.conftest import as_worker, login
    from tests.factories import make_staff

    send_image(wechat, "o-chat", "MEDIA-VIEW")
    wechat_media["MEDIA-VIEW"] = jpeg()
    attachments.fetch_pending()
    attachment_id = db.session.scalar(select(Attachment.id))
    url = f"/api/inbox/requests/{request_.id}/attachments/{attachment_id}"
    assert as_worker(client, "o-chat").get(url).status_code == 401
    login(client, make_staff(request_.federation))
    image = client.get(url)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/api/inbox/requests/{request_.id}/attachments/{attachment_id + 1}").status_code == 404
