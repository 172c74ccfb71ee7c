"""Staff bind their WeChat by scanning a temporary QR code from the console (one scan, 10 minutes),
not by an admin typing an openid."""
import time

from sqlalchemy import select

from models.audit import AuditEntry
from service.extensions import db
from service.staff import wechat_binding
from tests.conftest import login
from tests.factories import make_federation, make_staff, make_upper


def test_scanning_the_consoles_code_binds_once(client, wechat, live_server):
    staff = make_staff(make_federation(parent=make_upper()), username="bind-me")
    login(client, staff)
    qr = client.post("/api/me/wechat-qr").get_json()
    assert qr["expires_in"] == 600 and "showqrcode?ticket=" in qr["image_url"] and qr["bound"] is False
    scene = wechat_binding.make_scene(staff)
    assert len(scene) <= 64
    reply = wechat.scan("o-staff-phone", scene, new_follower=False).reply["Content"]
    assert reply.startswith("绑定成功")
    db.session.refresh(staff)
    assert staff.openid == "o-staff-phone" and client.get("/api/me/wechat").get_json() == {"bound": True}
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.bind_wechat")) is not None
    again = wechat.scan("o-someone-else", scene, new_follower=False).reply["Content"]
    assert "已使用" in again
    db.session.refresh(staff)
    assert staff.openid == "o-staff-phone"


def test_old_forged_or_unknown_codes_do_not_bind(wechat):
    staff = make_staff(make_federation(parent=make_upper()), username="bind-late")
    old = wechat_binding.make_scene(staff, now=time.time() - 601)
    assert "过期" in wechat.scan("o-x", old, new_follower=True).reply["Content"]
    forged = f"staff:{staff.id}.{int(time.time())}.{'0' * 20}"
    assert "已使用或已失效" in wechat.scan("o-z", forged, new_follower=False).reply["Content"]
    for n, bad in enumerate(("staff:abc", f"staff:{2 ** 63}.1.x", "staff:999999.1.x")):  # one phone each:
        assert "无效" in wechat.scan(f"o-y{n}", bad, new_follower=False).reply["Content"]  # events dedup per second
    db.session.refresh(staff)
    assert staff.openid is None


def test_staff_change_their_own_password(client):
    staff = make_staff(make_federation(parent=make_upper()), username="pw-owner")
    login(client, staff)
    wrong = client.post("/api/me/password", json={"current": "nope", "new": "another-pass-1"})
    assert wrong.status_code == 422 and wrong.get_json()["error"]["fields"] == {"current": "当前密码不正确"}
    short = client.post("/api/me/password", json={"current": "password123", "new": "short"})
    assert short.status_code == 422 and "至少" in short.get_json()["error"]["fields"]["new"]
    assert client.post("/api/me/password", json={"current": "password123", "new": "another-pass-1"}).status_code == 200
    client.post("/api/auth/logout")
    assert client.post("/api/auth/login", json={"username": "pw-owner", "password": "password123"}).status_code != 200
    login(client, staff, password="another-pass-1")
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.change_own_password")) is not None
