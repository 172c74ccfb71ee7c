"""The WeChat API stand-in at /sim/wechat (WECHAT_SIMULATOR only, never in production).

Answers the endpoints service/wechat/client.py calls with WeChat's request and response
shapes and error codes, so `WECHAT_API_BASE=http://127.0.0.1:$PORT/sim/wechat` runs the
whole service without reaching WeChat. /_control/* lets tests inject faults and reset.
"""
import functools
import io
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import segno
from flask import Blueprint, Response, current_app, jsonify, redirect, request

from service.devtools import standin
from service.extensions import db

bp = Blueprint("sim_wechat", __name__, url_prefix="/sim/wechat")


def _base_url() -> str:
    return request.host_url.rstrip("/") + bp.url_prefix


def wechat_api(endpoint: str, needs_token: bool = True):
    """Wrap a stand-in endpoint: injected faults first, then the token check, then the call;
    every call is recorded with the errcode it got."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            # WeChat's round trip first, while nothing holds a connection (no commit to pay for)
            standin.apply_delay(current_app.config.get("WECHAT_SIM_LATENCY", 0.0))
            fault = standin.take_fault(endpoint)
            if fault is not None and fault.delay:
                db.session.commit()  # release the fault's row and the connection before its delay
                standin.apply_delay(float(fault.delay))
            if fault is not None and fault.http_status:
                standin.record_call(endpoint, -fault.http_status)
                db.session.commit()
                return Response(f"stand-in: injected HTTP {fault.http_status}", status=fault.http_status)
            if fault is not None and fault.errcode is not None:
                return _answer(endpoint, standin.error(fault.errcode))
            if needs_token:
                errcode = standin.check_token(request.args.get("access_token"))
                if errcode:
                    return _answer(endpoint, standin.error(errcode))
            result = fn(*args, **kwargs)
            if isinstance(result, Response):
                standin.record_call(endpoint, 0)
                db.session.commit()
                return result
            return _answer(endpoint, result)
        return wrapper
    return decorate


def _answer(endpoint: str, body: dict):
    standin.record_call(endpoint, int(body.get("errcode") or 0))
    db.session.commit()
    return jsonify(body)


def _json() -> dict | None:
    body = request.get_json(force=True, silent=True)  # wechatpy posts JSON without a content type
    return body if isinstance(body, dict) else None


def _credentials_errcode(appid: str | None, secret: str | None) -> int:
    cfg = current_app.config
    if appid != cfg["WECHAT_APPID"]:
        return 40013
    return 0 if secret == cfg["WECHAT_SECRET"] else 40125


# --- access tokens --------------------------------------------------------------------------
@bp.get("/cgi-bin/token")
@wechat_api("token", needs_token=False)
def token():
    if request.args.get("grant_type") != "client_credential":
        return standin.error(40002, "invalid grant_type")
    errcode = _credentials_errcode(request.args.get("appid"), request.args.get("secret"))
    if errcode:
        return standin.error(errcode)
    issued = standin.issue_token(current_app.config["WECHAT_SIM_TOKEN_TTL"])
    return {"access_token": issued.token, "expires_in": standin.seconds_left(issued)}


@bp.post("/cgi-bin/stable_token")
@wechat_api("stable_token", needs_token=False)
def stable_token():
    body = _json() or {}
    if body.get("grant_type") != "client_credential":
        return standin.error(40002, "invalid grant_type")
    errcode = _credentials_errcode(body.get("appid"), body.get("secret"))
    if errcode:
        return standin.error(errcode)
    issued = standin.stable_token(current_app.config["WECHAT_SIM_TOKEN_TTL"], bool(body.get("force_refresh")))
    return {"access_token": issued.token, "expires_in": standin.seconds_left(issued)}


# --- QR codes -------------------------------------------------------------------------------
@bp.post("/cgi-bin/qrcode/create")
@wechat_api("qrcode/create")
def qrcode_create():
    body = _json() or {}
    action = body.get("action_name")
    scene = ((body.get("action_info") or {}).get("scene") or {})
    value = scene.get("scene_str") if "scene_str" in scene else scene.get("scene_id")
    if action not in ("QR_SCENE", "QR_STR_SCENE", "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE") or value in (None, ""):
        return standin.error(47001)
    value = str(value)
    if action.endswith("STR_SCENE") and not 1 <= len(value) <= 64:
        return standin.error(47003)
    permanent = action.startswith("QR_LIMIT")
    expire = None if permanent else min(int(body.get("expire_seconds") or 60), 2592000)
    code = standin.create_qrcode(value, permanent, expire, _base_url())
    answer = {"ticket": code.ticket, "url": code.url}
    if not permanent:
        answer["expire_seconds"] = expire
    return answer


@bp.get("/cgi-bin/showqrcode")
def showqrcode():
    code = standin.qrcode_for(request.args.get("ticket", ""))
    if code is None:
        return jsonify(standin.error(40001, "invalid ticket")), 404
    buffer = io.BytesIO()
    segno.make(code.url, error="m").save(buffer, kind="png", scale=8, border=2)
    return Response(buffer.getvalue(), content_type="image/png", headers={"Cache-Control": "max-age=3600"})


@bp.get("/q/<ticket>")
def qrcode_target(ticket):
    """What the QR image encodes: in WeChat this opens the account; here it names the scene."""
    code = standin.qrcode_for(ticket)
    if code is None:
        return jsonify(standin.error(40001, "invalid ticket")), 404
    return jsonify({"ticket": code.ticket, "scene": code.scene, "permanent": code.permanent})


# --- messages -------------------------------------------------------------------------------
@bp.post("/cgi-bin/message/custom/send")
@wechat_api("message/custom/send")
def custom_send():
    body = _json()
    msgtype = (body or {}).get("msgtype")
    if not body or not body.get("touser") or msgtype not in ("text", "image", "news", "link"):
        return standin.error(47001)
    openid = body["touser"]
    errcode = standin.custom_send_errcode(openid)
    if errcode:
        return standin.error(errcode)
    if msgtype == "text" and not (body.get("text") or {}).get("content"):
        return standin.error(47001)
    standin.record_message(openid, "custom", msgtype, body.get(msgtype) or {})
    return standin.error(0)


@bp.post("/cgi-bin/message/template/send")
@wechat_api("message/template/send")
def template_send():
    body = _json()
    if not body or not body.get("touser"):
        return standin.error(47001)
    openid, client_msg_id = body["touser"], body.get("client_msg_id")
    errcode = standin.template_errcode(openid, body.get("template_id"), body.get("data"),
                                       current_app.config["WECHAT_TEMPLATES"].values())
    if errcode:
        return standin.error(errcode)
    if client_msg_id:
        earlier = standin.recent_template_id(openid, client_msg_id)
        if earlier is not None:  # idempotent for 10 minutes: no second message
            return {**standin.error(0), "msgid": earlier}
    title, labels = template_layout(body["template_id"])
    # as WeChat shows it: each key under the label its template gives it, in the order the service sent
    rows = [[labels.get(key, key), item["value"]] for key, item in body["data"].items()]
    payload = {"template_id": body["template_id"], "url": body.get("url"), "data": body["data"], "rows": rows,
               "title": title}
    msgid = standin.record_message(openid, "template", "template", payload, client_msg_id)
    return {**standin.error(0), "msgid": msgid}


# The dev templates as they would be set up on the Official Account: a title, and the label WeChat
# shows for each data key the service fills in (service/membership/review.py, membership.py, signups.py).
TEMPLATES = {
    "application_result": ("入会申请结果通知", {"result": "申请结果", "federation": "受理单位",
                                                "member_no": "会员编号", "date": "入会日期", "reason": "说明"}),
    "request_update": ("诉求办理进度通知", {"number": "诉求编号", "type": "诉求类型", "status": "办理状态",
                                            "handler": "受理单位", "time": "更新时间"}),
    "contest_notice": ("竞赛报名通知", {"thing1": "竞赛名称", "time2": "比赛时间", "phrase3": "报名状态",
                                        "thing4": "备注"}),
    "staff_alert": ("待办事项提醒", {"number": "诉求编号", "issue": "待办事项", "handler": "受理单位"}),
}


def template_layout(template_id: str) -> tuple[str, dict[str, str]]:
    """(title, {data key: label}) of a configured template; a key without a label shows as itself."""
    for kind, value in current_app.config["WECHAT_TEMPLATES"].items():
        if value == template_id:
            return TEMPLATES.get(kind, ("服务通知", {}))
    return "服务通知", {}


# --- menu and media -------------------------------------------------------------------------
@bp.post("/cgi-bin/menu/create")
@wechat_api("menu/create")
def menu_create():
    body = _json()
    errcode = standin.menu_errcode(body) if body else 47001
    if errcode:
        return standin.error(errcode)
    standin.save_menu(body)
    return standin.error(0)


@bp.get("/cgi-bin/menu/get")
@wechat_api("menu/get")
def menu_get():
    menu = standin.current_menu()
    return {"menu": menu} if menu else standin.error(46003, "menu no exist")


@bp.get("/cgi-bin/media/get")
@wechat_api("media/get")
def media_get():
    from models.simulator import SimMedia

    media = db.session.get(SimMedia, request.args.get("media_id", ""))
    if media is None:
        return standin.error(40007)
    return Response(media.data, content_type=media.content_type,
                    headers={"Content-Disposition": f'attachment; filename="{media.media_id}.jpg"'})


# --- OAuth for web pages --------------------------------------------------------------------
@bp.get("/connect/oauth2/authorize")
def oauth_authorize():
    """WeChat's authorize page: sends the browser back to redirect_uri with a code for the
    user chosen in the phone simulator (cookie `sim_openid`, or query `sim_openid`)."""
    args = request.args
    if args.get("appid") != current_app.config["WECHAT_APPID"]:
        return _page("appid 错误，无法授权", 400)
    redirect_uri = args.get("redirect_uri", "")
    if not redirect_uri.startswith(("http://", "https://")) or args.get("response_type") != "code":
        return _page("redirect_uri 或 response_type 参数错误", 400)
    openid = args.get("sim_openid") or request.cookies.get("sim_openid")
    if not openid:
        return _page("请先在手机模拟器中选择一个用户，再打开此页面", 400)
    code = standin.issue_oauth_code(openid)
    db.session.commit()
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [("code", code), ("state", args.get("state", ""))]
    return redirect(urlunsplit(parts._replace(query=urlencode(query))), code=302)


@bp.get("/sns/oauth2/access_token")
@wechat_api("sns/oauth2/access_token", needs_token=False)
def oauth_access_token():
    args = request.args
    errcode = _credentials_errcode(args.get("appid"), args.get("secret"))
    if errcode:
        return standin.error(errcode)
    if args.get("grant_type") != "authorization_code":
        return standin.error(40002, "invalid grant_type")
    errcode, openid = standin.redeem_oauth_code(args.get("code", ""))
    if errcode:
        return standin.error(errcode)
    return {"access_token": f"SIM_OAUTH_{openid}", "expires_in": 7200, "refresh_token": "SIM_REFRESH",
            "openid": openid, "scope": "snsapi_base"}


def _page(message: str, status: int):
    html = (f'<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">'
            f'<p style="font:16px sans-serif;padding:2em;text-align:center;color:#666">{message}</p>')
    return Response(html, status=status, content_type="text/html; charset=utf-8")


# --- control (tests and the simulator) ------------------------------------------------------
@bp.post("/_control/faults")
def control_add_fault():
    body = _json() or {}
    if not body.get("endpoint") or not any(body.get(k) is not None for k in ("errcode", "http_status", "delay")):
        return jsonify({"error": {"code": "bad_request", "message": "需要 endpoint 以及 errcode、http_status 或 delay"}}), 400
    fault = standin.add_fault(body["endpoint"], errcode=body.get("errcode"), http_status=body.get("http_status"),
                              delay=body.get("delay"), times=int(body.get("times") or 1))
    db.session.commit()
    return jsonify({"id": fault.id, "endpoint": fault.endpoint, "times": fault.times_left}), 201


@bp.post("/_control/reset")
def control_reset():
    standin.reset(everything=bool((_json() or {}).get("all")))
    db.session.commit()
    return jsonify({"ok": True})


@bp.post("/_control/expire-tokens")
def control_expire_tokens():
    count = standin.expire_tokens()
    db.session.commit()
    return jsonify({"expired": count})


@bp.get("/_control/calls")
def control_calls():
    return jsonify({"endpoint": request.args.get("endpoint", ""),
                    "count": standin.count_calls(request.args.get("endpoint", ""))})
