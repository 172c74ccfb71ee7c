"""Production refuses development defaults (issue 11 §3).

With GONGLIAN_ENV=production the factory stops before serving anything if a secret still has its
development value (a cookie signed with the default SECRET_KEY would log anyone in as any staff
member; the default WeChat token lets anyone sign callbacks), or if the WeChat stand-in is on (its
OAuth hands out any openid). It also turns on what only makes sense over HTTPS."""
from service.privacy.pii import DEV_HASH_KEY, is_production

DEV_SECRET_KEY = "dev-only-secret-change-me"
DEV_WECHAT_TOKEN = "gonglian-dev-token"
DEV_WECHAT_SECRET = "dev-wechat-secret"
DEV_WECHAT_APPID = "wx0000000000gonglian"
MIN_SECRET_LENGTH = 32


class UnsafeProductionConfig(RuntimeError):
    """The production configuration still holds development values; the message lists them."""


def problems(config) -> list[str]:
    """Every development default still present in `config` (empty when it is fit for production)."""
    found = []
    secret = str(config.get("SECRET_KEY") or "")
    if secret == DEV_SECRET_KEY or len(secret) < MIN_SECRET_LENGTH:
        found.append(f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_LENGTH} characters")
    if config.get("WECHAT_TOKEN") in (None, "", DEV_WECHAT_TOKEN):
        found.append("WECHAT_TOKEN must be set (the development token is public)")
    if config.get("WECHAT_SECRET") in (None, "", DEV_WECHAT_SECRET):
        found.append("WECHAT_SECRET must be set (the development secret is public)")
    if config.get("WECHAT_APPID") in (None, "", DEV_WECHAT_APPID):
        found.append("WECHAT_APPID must be set")
    if config.get("WECHAT_SIMULATOR"):
        found.append("WECHAT_SIMULATOR must be off (the stand-in's OAuth hands out any openid)")
    if "/sim/" in str(config.get("WECHAT_API_BASE") or ""):
        found.append("WECHAT_API_BASE points at the development stand-in")
    if not str(config.get("ID_ENCRYPTION_KEYS") or "").strip():
        found.append("ID_ENCRYPTION_KEYS must be set")
    if config.get("ID_HASH_KEY") in (None, "", DEV_HASH_KEY):
        found.append("ID_HASH_KEY must be set")
    return found


def enforce(app) -> None:
    """In production: refuse development defaults, and send cookies over HTTPS only."""
    if not is_production(app.config):
        return
    found = problems(app.config)
    if found:
        raise UnsafeProductionConfig("refusing to start in production: " + "; ".join(found))
    app.config["SESSION_COOKIE_SECURE"] = True
    app.config["REMEMBER_COOKIE_SECURE"] = True
