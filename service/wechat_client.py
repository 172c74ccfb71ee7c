"""Outbound WeChat calls: OAuth for the H5 pages (snsapi_base), over wechatpy 1.8.18.

Only the two functions the H5 login needs; the fuller adapter (access token, messages, QR
codes) replaces this module with the same two signatures.
"""
from flask import current_app
from wechatpy.exceptions import WeChatOAuthException
from wechatpy.oauth import WeChatOAuth

REAL_API_BASE = "https://api.weixin.qq.com"
REAL_OAUTH_BASE = "https://open.weixin.qq.com"


class _OAuth(WeChatOAuth):
    """WeChatOAuth with a timeout on every call (wechatpy sets none)."""

    timeout = 5.0

    def _request(self, method, url_or_endpoint, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super()._request(method, url_or_endpoint, **kwargs)


def _oauth(redirect_uri: str = "", state: str = "") -> _OAuth:
    """One instance per call: WeChatOAuth keeps the fetched token on itself."""
    cfg = current_app.config
    api_base = cfg["WECHAT_API_BASE"].rstrip("/")
    oauth = _OAuth(cfg["WECHAT_APPID"], cfg["WECHAT_SECRET"], redirect_uri, scope="snsapi_base", state=state)
    oauth.API_BASE_URL = f"{api_base}/"
    oauth.OAUTH_BASE_URL = f"{REAL_OAUTH_BASE if api_base == REAL_API_BASE else api_base}/connect/"
    oauth.timeout = float(cfg["WECHAT_TIMEOUT"])
    return oauth


def oauth_authorize_url(redirect_uri: str, state: str) -> str:
    """Where to send the browser: WeChat's authorize page, which comes back with ?code=&state=."""
    return _oauth(redirect_uri, state).authorize_url


def fetch_oauth_openid(code: str) -> str:
    """Exchange a single-use OAuth code for the openid; raises when the code is invalid or used."""
    data = _oauth().fetch_access_token(code)
    openid = data.get("openid")
    if not openid:
        raise WeChatOAuthException(None, "no openid in the OAuth answer")
    return openid
