"""The phone simulator's support API at /sim/phone (WECHAT_SIMULATOR only).

The page (static/simulator/) lists the federations' QR codes, pushes what the simulated user
does — the server signs, encrypts if asked and POSTs it to our own /wechat over real HTTP, as
WeChat would — uploads images, and polls the conversation, including every message the
service sent through the WeChat API.
"""
import logging

from flask import Blueprint, Response, current_app, jsonify, redirect, request, session, url_for

from handlers.api.staff_auth import WORKER_SESSION_KEY
from models.simulator import SimMedia
from service.federations import tree as federations
from service.federations import posters
from service.devtools import simulator
from service.devtools import standin
from service.errors import AppError, Invalid, NotFound
from service.extensions import db
from service.wechat.menu import MENU

log = logging.getLogger(__name__)
bp = Blueprint("sim_phone", __name__, url_prefix="/sim/phone")
MAX_IMAGE = 5 * 1024 * 1024


def _server_url() -> str:
    return request.host_url.rstrip("/")


@bp.get("/config")
def config():
    cfg = current_app.config
    return jsonify({"account_name": cfg["WECHAT_ACCOUNT_NAME"], "safe_mode": bool(cfg["WECHAT_AES_KEY"]),
                    "menu": standin.current_menu() or MENU, "menu_synced": standin.current_menu() is not None,
                    "public_base_url": cfg["PUBLIC_BASE_URL"], "places": simulator.PLACES})


@bp.post("/user")
def choose_user():
    """{openid}: the phone now plays this user. In WeChat every user has a browser of their own;
    here the pages opened in the phone share this browser's cookies, so they forget a previous
    user's openid and learn the new one through OAuth."""
    openid = simulator.check_openid((request.get_json(silent=True) or {}).get("openid"))
    if session.get(WORKER_SESSION_KEY) not in (None, openid):
        session.pop(WORKER_SESSION_KEY)
    return jsonify({"openid": openid})


@bp.get("/federations")
def federation_qrcodes():
    """Active federations with their permanent QR code (created through the adapter if missing)."""
    from service.wechat import client as wechat_client

    wechat = wechat_client.api()
    out = []
    for federation in federations.list_active_federations():
        try:
            posters.ensure_qrcode(federation, wechat)
            db.session.commit()  # never hold a write (SQLite: the whole file) across the next API call
        except AppError as error:
            log.warning("simulator: no QR code for federation %s: %s", federation.id, error.message)
            db.session.rollback()
            return jsonify({"error": {"code": error.code, "message": error.message}}), error.status
        out.append({"id": federation.id, "name": federation.name, "scene": federation.scene,
                    "ticket": federation.qr_ticket, "image_url": wechat.qrcode_image_url(federation.qr_ticket),
                    "poster_url": f"/api/federations/{federation.id}/poster.png"})
    return jsonify(out)


@bp.get("/user")
def user():
    openid = simulator.check_openid(request.args.get("openid"))
    row = standin.get_user(openid)
    return jsonify({"openid": openid, "following": bool(row and row.following),
                    "last_wrote_at": row.last_wrote_at.isoformat() + "Z" if row and row.last_wrote_at else None})


def _push(openid: str, action: str, **kwargs):
    push = simulator.prepare_push(current_app.config, openid, action, **kwargs)
    db.session.commit()  # the user's action is visible before our callback answers it
    result = simulator.deliver(current_app.config, push, _server_url())
    simulator.record_reply(push.openid, result)
    db.session.commit()
    if push.then:  # location_select: the event, then the place as a location message
        first = result
        result = simulator.deliver(current_app.config, simulator.Push(push.openid, push.then, push.safe), _server_url())
        simulator.record_reply(push.openid, result)
        db.session.commit()
        result["event"] = first
    return jsonify(result)


@bp.post("/push")
def push():
    """{openid, action: text|click|scan|subscribe|unsubscribe|location|location_select, content?, key?,
    ticket?, location?: {latitude, longitude, label}, safe?}"""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("请求体应为 JSON 对象")
    return _push(body.get("openid"), body.get("action"), content=body.get("content"), key=body.get("key"),
                 ticket=body.get("ticket"), location=body.get("location"), safe=bool(body.get("safe")))


@bp.post("/upload")
def upload():
    """multipart: openid, file (an image), safe — kept as stand-in media and pushed as an image message."""
    openid = simulator.check_openid(request.form.get("openid"))
    file = request.files.get("file")
    if file is None:
        raise Invalid(fields={"file": "请选择图片"})
    data = file.read(MAX_IMAGE + 1)
    if not data or len(data) > MAX_IMAGE or not (file.mimetype or "").startswith("image/"):
        raise Invalid(fields={"file": "请选择 5MB 以内的图片"})
    media = standin.store_media(data, file.mimetype, openid)
    pic_url = _server_url() + url_for("sim_phone.media", media_id=media.media_id)
    return _push(openid, "image", media_id=media.media_id, pic_url=pic_url,
                 safe=request.form.get("safe") in ("1", "true", "on"))


@bp.get("/media/<media_id>")
def media(media_id):
    row = db.session.get(SimMedia, media_id)
    if row is None:
        raise NotFound("图片不存在")
    return Response(row.data, content_type=row.content_type, headers={"Cache-Control": "max-age=3600"})


@bp.get("/messages")
def messages():
    """The conversation since `after` (a message id): ?openid=&after=&source=api for API sends only."""
    openid = simulator.check_openid(request.args.get("openid"))
    after = request.args.get("after", "0")
    if not after.isdigit():
        raise Invalid(fields={"after": "应为整数"})
    sources = ("custom", "template") if request.args.get("source") == "api" else None
    rows = standin.messages_since(openid, int(after), sources)
    return jsonify({"messages": [simulator.message_out(m) for m in rows],
                    "cursor": rows[-1].id if rows else int(after)})


@bp.get("/oauth-check")
def oauth_check():
    """A page that goes through WeChat's OAuth like the H5 pages will: authorize (the stand-in
    answers for the simulator's user), then exchange the code for the openid."""
    from service.wechat import client as wechat_client

    wechat = wechat_client.api()
    code = request.args.get("code")
    if not code:
        return redirect(wechat.oauth_authorize_url(url_for("sim_phone.oauth_check", _external=True), "check"))
    try:
        openid = wechat.fetch_oauth_openid(code)
        text = f"网页授权成功<br>当前用户 openid：<b id=openid>{openid}</b>"
    except AppError as error:
        text = f"网页授权失败：{error.message}"
    html = ('<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
            '<title>网页授权检查</title>'
            f'<p style="font:16px sans-serif;padding:2em 1em;text-align:center;line-height:2">{text}</p>')
    return Response(html, content_type="text/html; charset=utf-8")
