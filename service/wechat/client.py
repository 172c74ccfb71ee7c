"""The one place that calls WeChat's API (outbound), wrapping wechatpy 1.8.18's WeChatClient.

Every URL comes from WECHAT_API_BASE (the local stand-in in development and tests), every
call has a timeout, the access token is shared by all processes (service/wechat/token.py)
and a refused token is refreshed and the call retried exactly once — wechatpy's own
unbounded retry is switched off (auto_retry=False; see shared/WECHAT.md).

Sending returns a typed result the outbox acts on: Delivered, RetryLater(reason) or
Undeliverable(errcode, reason). Other calls return their data or raise WeChatError.
"""
import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import requests
import requests.adapters
from flask import current_app
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from service.errors import AppError
from service.wechat.token import store_for

log = logging.getLogger(__name__)

REAL_API_BASE = "https://api.weixin.qq.com"
REAL_OAUTH_BASE = "https://open.weixin.qq.com"
REAL_QRCODE_BASE = "https://mp.weixin.qq.com"
TOKEN_ERRORS = (40001, 40014, 42001)  # invalid credential, invalid token, expired token
BUSY_ERRORS = (-1, 45009)  # system busy, API call quota reached: try again later
UNDELIVERABLE_REASONS = {
    43004: "用户未关注公众号",
    45015: "超出48小时客服消息时限",
    45047: "客服消息超出下发条数限制",
    40003: "无效的 openid",
}
OAUTH_CODE_ERRORS = (40029, 40163)  # invalid code, code already used


# --- results -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Delivered:
    msgid: int | None = None


@dataclass(frozen=True)
class RetryLater:
    reason: str
    unknown: bool = False  # the request went out and no answer came back: it may have been delivered


@dataclass(frozen=True)
class Undeliverable:
    errcode: int | None
    reason: str


SendResult = Delivered | RetryLater | Undeliverable


class WeChatError(AppError):
    """A WeChat API call that failed (network, HTTP error or errcode)."""

    status = 502
    code = "wechat_error"
    message = "微信接口暂时不可用，请稍后再试"

    def __init__(self, message: str | None = None, *, errcode: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.errcode = errcode
        self.retryable = retryable


class OAuthCodeInvalid(WeChatError):
    status = 400
    code = "oauth_code_invalid"
    message = "微信授权已失效，请重新打开页面"


# --- wechatpy, pointed at our base URL ----------------------------------------------------
class _Client(WeChatClient):
    """wechatpy's client with our API base, a timeout, no auto-retry and no token of its own:
    the token of the current call is set by WeChatApi (per thread)."""

    def __init__(self, appid: str, secret: str, api_base: str, timeout: float, pool_size: int | None = None):
        self._local = threading.local()
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self._http = requests.Session()  # wechatpy shares one Session per class: ours, sized for the pool
        # The proxy settings of the environment (HTTPS_PROXY, NO_PROXY…) read once, not on every
        # call: requests would scan the whole environment per request (about 1 ms of CPU a send).
        self._http.proxies = requests.utils.get_environ_proxies(api_base) or {}
        self._http.trust_env = False
        if pool_size:
            adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
            self._http.mount("http://", adapter)
            self._http.mount("https://", adapter)
        self.API_BASE_URL = f"{api_base}/cgi-bin/"  # read per call by wechatpy
        self._api_base = api_base

    @property
    def access_token(self) -> str:
        return self._local.token  # AttributeError while wechatpy's __new__ inspects the class

    def fetch_access_token(self):  # wechatpy hard-codes api.weixin.qq.com here: never use it
        raise RuntimeError("the access token comes from WeChatApi.token()")


class WeChatApi:
    """The adapter. Build it with `api()` (from the app config) or directly in tests."""

    def __init__(self, *, appid: str, secret: str, api_base: str, timeout: float, token_store,
                 oauth_base: str | None = None, pool_size: int | None = None, memory_token: bool = False):
        self.appid, self.secret, self.timeout = appid, secret, timeout
        self.api_base = api_base.rstrip("/")
        self.oauth_base = (oauth_base or _derive(self.api_base, REAL_OAUTH_BASE)).rstrip("/")
        self.qrcode_base = _derive(self.api_base, REAL_QRCODE_BASE)
        self.tokens = token_store
        self.client = _Client(appid, secret, self.api_base, timeout, pool_size)
        # A deliverer keeps the shared token in memory for a few minutes; a refusal skips it.
        self.memory_token = memory_token
        self._remembered: tuple[str, float] | None = None

    # --- the access token -------------------------------------------------------------------
    def _fetch_stable_token(self) -> tuple[str, int]:
        """POST /cgi-bin/stable_token: the same token on repeated calls while it is valid."""
        body = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
                "force_refresh": False}
        response = requests.post(f"{self.api_base}/cgi-bin/stable_token", json=body, timeout=self.timeout)
        response.raise_for_status()
        data = response.json()
        if data.get("errcode"):
            raise WeChatClientException(data["errcode"], data.get("errmsg"), response=response)
        log.info("wechat: fetched a stable access token (expires in %ss)", data.get("expires_in"))
        return data["access_token"], int(data.get("expires_in", 7200))

    def token(self, stale: str | None = None) -> str:
        """The shared access token; `stale` is one WeChat just refused."""
        remembered = self._remembered
        if self.memory_token and remembered and remembered[0] != stale and time.monotonic() - remembered[1] < 300:
            return remembered[0]
        token = self.tokens.get(self._fetch_stable_token, stale)
        if self.memory_token:
            self._remembered = (token, time.monotonic())
        return token

    def _call(self, fn):
        """Run `fn(client)` with the shared token; on a token error refresh once and retry once."""
        stale = None
        for attempt in (1, 2):
            token = self.token(stale)
            self.client._local.token = token
            try:
                return fn(self.client)
            except WeChatClientException as error:
                if attempt == 1 and _errcode(error) in TOKEN_ERRORS:
                    log.info("wechat: token refused (%s), refreshing once", error.errcode)
                    stale = token
                    continue
                raise
            finally:
                self.client._local.token = None

    def _guarded(self, fn, what: str):
        """For calls that are not sends: their data, or WeChatError with a Chinese message."""
        try:
            return self._call(fn)
        except requests.RequestException as error:
            log.warning("wechat %s: network error %s", what, type(error).__name__)
            raise WeChatError(retryable=True) from None
        except WeChatClientException as error:
            log.warning("wechat %s failed: %s %s", what, error.errcode, _http_status(error))
            code = _errcode(error)
            raise WeChatError(f"微信接口调用失败（{what}：{code if code is not None else _http_status(error)}）",
                              errcode=code, retryable=code is None or code in BUSY_ERRORS + TOKEN_ERRORS) from None

    # --- sending ----------------------------------------------------------------------------
    def _send(self, fn) -> SendResult:
        try:
            result = self._call(fn)
        except requests.ConnectTimeout:
            return RetryLater("微信接口连接超时")  # never sent
        except requests.Timeout:
            return RetryLater("微信接口超时（结果未知）", unknown=True)  # sent, no answer: maybe delivered
        except requests.ConnectionError as error:
            aborted = "aborted" in str(error).lower() or "reset" in str(error).lower()
            return RetryLater(f"网络错误：{type(error).__name__}", unknown=aborted)
        except requests.RequestException as error:
            return RetryLater(f"网络错误：{type(error).__name__}")
        except WeChatClientException as error:
            return _classify(error)
        return Delivered((result or {}).get("msgid") if isinstance(result, dict) else None)

    def send_text(self, openid: str, text: str) -> SendResult:
        """A customer-service text message (inside the 48-hour window); may hold <a href> links."""
        return self._send(lambda client: client.message.send_text(openid, text))

    def send_template(self, openid: str, template_id: str, data: dict, url: str | None = None,
                      client_msg_id: str | None = None) -> SendResult:
        """A template message. `data` is {key: value} or {key: {"value": value}}; client_msg_id
        makes a resend idempotent (wechatpy has no such argument, so we post the JSON)."""
        body = {"touser": openid, "template_id": template_id,
                "data": {k: v if isinstance(v, dict) else {"value": v} for k, v in data.items()}}
        if url:
            body["url"] = url
        if client_msg_id:
            body["client_msg_id"] = client_msg_id
        return self._send(lambda client: client.post("message/template/send", data=body))

    # --- QR codes, menu, media --------------------------------------------------------------
    def create_qrcode(self, scene: str, permanent: bool = True, expire_seconds: int | None = None):
        """A parametric QR code with a string scene; returns (ticket, url)."""
        if permanent:
            data = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}}
        else:
            data = {"action_name": "QR_STR_SCENE", "expire_seconds": int(expire_seconds or 2592000),
                    "action_info": {"scene": {"scene_str": scene}}}
        result = self._guarded(lambda client: client.qrcode.create(data), "qrcode/create")
        return result["ticket"], result["url"]

    def qrcode_image_url(self, ticket: str) -> str:
        return f"{self.qrcode_base}/cgi-bin/showqrcode?ticket={quote(ticket, safe='')}"

    def create_menu(self, menu: dict) -> dict:
        return self._guarded(lambda client: client.menu.create(menu), "menu/create")

    def download_media(self, media_id: str) -> tuple[bytes, str]:
        """A temporary media file (an image the worker sent): (bytes, content type)."""
        response = self._guarded(lambda client: client.media.download(media_id), "media/get")
        if isinstance(response, dict):  # a JSON body that is not an error: not a file
            raise WeChatError("微信素材下载失败", errcode=response.get("errcode"))
        return response.content, response.headers.get("Content-Type", "application/octet-stream")

    # --- OAuth for the H5 pages -------------------------------------------------------------
    def oauth_authorize_url(self, redirect_uri: str, state: str, scope: str = "snsapi_base") -> str:
        query = urlencode({"appid": self.appid, "redirect_uri": redirect_uri, "response_type": "code",
                           "scope": scope, "state": state})
        return f"{self.oauth_base}/connect/oauth2/authorize?{query}#wechat_redirect"

    def fetch_oauth_openid(self, code: str) -> str:
        """Exchange an OAuth code for the openid; OAuthCodeInvalid when it is unknown or used."""
        params = {"appid": self.appid, "secret": self.secret, "code": code, "grant_type": "authorization_code"}
        try:
            response = requests.get(f"{self.api_base}/sns/oauth2/access_token", params=params, timeout=self.timeout)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as error:
            log.warning("wechat oauth: %s", type(error).__name__)
            raise WeChatError(retryable=True) from None
        errcode = int(data.get("errcode") or 0)
        if errcode in OAUTH_CODE_ERRORS:
            raise OAuthCodeInvalid(errcode=errcode)
        if errcode or not data.get("openid"):
            raise WeChatError(f"微信授权失败（{errcode}）", errcode=errcode)
        return data["openid"]


def _derive(api_base: str, real_host: str) -> str:
    """Production uses other WeChat hosts for some pages; anywhere else everything is one base."""
    return real_host if api_base.rstrip("/") == REAL_API_BASE else api_base.rstrip("/")


def _errcode(error: WeChatClientException) -> int | None:
    try:
        return int(error.errcode) if error.errcode is not None else None
    except (TypeError, ValueError):
        return None


def _http_status(error: WeChatClientException) -> int | None:
    return getattr(error.response, "status_code", None)


def _classify(error: WeChatClientException) -> SendResult:
    code = _errcode(error)
    if code is None:  # an HTTP error: wechatpy sets no errcode
        status = _http_status(error)
        if status is None or status >= 500 or status == 429:
            return RetryLater(f"微信接口 HTTP {status}")
        return Undeliverable(None, f"微信接口 HTTP {status}")
    if code in BUSY_ERRORS:
        return RetryLater(f"微信系统繁忙（{code}）")
    if code in TOKEN_ERRORS:
        return RetryLater(f"access_token 连续两次被拒（{code}）")
    return Undeliverable(code, UNDELIVERABLE_REASONS.get(code) or f"{error.errmsg}")


def api(pool_size: int | None = None, memory_token: bool = False) -> WeChatApi:
    """The adapter for the current app's settings."""
    cfg = current_app.config
    return WeChatApi(appid=cfg["WECHAT_APPID"], secret=cfg["WECHAT_SECRET"], api_base=cfg["WECHAT_API_BASE"],
                     timeout=float(cfg["WECHAT_TIMEOUT"]), token_store=store_for(cfg),
                     oauth_base=cfg.get("WECHAT_OAUTH_BASE"), pool_size=pool_size, memory_token=memory_token)


# Module-level shortcuts for callers that need one call (the H5 OAuth flow, chat images, contest QR).
def oauth_authorize_url(redirect_uri: str, state: str) -> str:
    return api().oauth_authorize_url(redirect_uri, state)


def fetch_oauth_openid(code: str) -> str:
    return api().fetch_oauth_openid(code)


def download_media(media_id: str) -> tuple[bytes, str]:
    return api().download_media(media_id)


def create_qrcode(scene: str, permanent: bool = True, expire_seconds: int | None = None):
    return api().create_qrcode(scene, permanent=permanent, expire_seconds=expire_seconds)
