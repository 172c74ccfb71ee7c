"""Settings, read once from the environment (DESIGN §6)."""
import json
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'gonglian.sqlite3'}"
    # psycopg 3 is the driver we ship; accept the common plain spellings too.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Every setting the service reads. Tests pass overrides to create_app()."""

    PORT = int(os.environ.get("PORT", "8000"))
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-change-me")

    SQLALCHEMY_DATABASE_URI = _database_url()
    # No pre-ping (a round trip per checkout): a connection the server dropped fails once, the
    # pool is invalidated and the next request reconnects; idle connections are recycled.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": _flag("DATABASE_PRE_PING"), "pool_recycle": 1800}
    if SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
        # Connections kept open per process (the autocommit pool, service/wechat/autocommit.py, has
        # as many): one per thread that may hold one — gunicorn's WEB_THREADS in a web worker. A
        # pool smaller than that opens and closes an overflow connection per request under load
        # (a PostgreSQL backend forked each time). Beyond it, up to 10 more are opened for a while.
        SQLALCHEMY_ENGINE_OPTIONS["pool_size"] = int(
            os.environ.get("DATABASE_POOL_SIZE") or max(5, int(os.environ.get("WEB_THREADS", "4"))))
        if os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS"):
            # gunicorn.conf.py sets 4000: no statement outlasts WeChat's 5 seconds (not for the CLI).
            SQLALCHEMY_ENGINE_OPTIONS["connect_args"] = {
                "options": f"-c statement_timeout={int(os.environ['DATABASE_STATEMENT_TIMEOUT_MS'])}"}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    REDIS_PREFIX = os.environ.get("REDIS_PREFIX", "gonglian:")

    # WeChat Official Account (DESIGN §6)
    WECHAT_APPID = os.environ.get("WECHAT_APPID", "wx0000000000gonglian")
    WECHAT_SECRET = os.environ.get("WECHAT_SECRET", "dev-wechat-secret")
    WECHAT_TOKEN = os.environ.get("WECHAT_TOKEN", "gonglian-dev-token")
    WECHAT_AES_KEY = os.environ.get("WECHAT_AES_KEY") or None
    WECHAT_SIMULATOR = _flag("WECHAT_SIMULATOR")
    WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE") or (
        f"http://127.0.0.1:{PORT}/sim/wechat" if _flag("WECHAT_SIMULATOR") else "https://api.weixin.qq.com"
    )
    # The OAuth authorize page (open.weixin.qq.com in production); derived from WECHAT_API_BASE when unset.
    WECHAT_OAUTH_BASE = os.environ.get("WECHAT_OAUTH_BASE") or None
    WECHAT_TIMEOUT = float(os.environ.get("WECHAT_TIMEOUT", "5"))
    # Template message ids by kind (service/outbox.TEMPLATE_KINDS); JSON in the environment.
    WECHAT_TEMPLATES = json.loads(os.environ.get("WECHAT_TEMPLATES") or "{}") or {
        "application_result": "dev-tpl-application-result",
        "request_update": "dev-tpl-request-update",
        "contest_notice": "dev-tpl-contest-notice",
        "staff_alert": "dev-tpl-staff-alert",
    }
    WECHAT_ACCOUNT_NAME = os.environ.get("WECHAT_ACCOUNT_NAME", "工联")
    # The stand-in (WECHAT_SIMULATOR only): access-token lifetime, seconds.
    WECHAT_SIM_TOKEN_TTL = int(os.environ.get("WECHAT_SIM_TOKEN_TTL", "7200"))
    # The stand-in: seconds added to every call (WeChat's round trip, for bench/outbox.py).
    WECHAT_SIM_LATENCY = float(os.environ.get("WECHAT_SIM_LATENCY", "0"))

    # Outbox delivery: exponential backoff base·2^n seconds, capped; give up after OUTBOX_MAX_ATTEMPTS.
    OUTBOX_BACKOFF_BASE = float(os.environ.get("OUTBOX_BACKOFF_BASE", "5"))
    OUTBOX_BACKOFF_CAP = float(os.environ.get("OUTBOX_BACKOFF_CAP", "3600"))
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))
    # Sends in flight per deliverer process, sends per second per process, and the pause after
    # WeChat's "API quota reached" (45009).
    OUTBOX_CONCURRENCY = int(os.environ.get("OUTBOX_CONCURRENCY", "16"))
    OUTBOX_RATE = float(os.environ.get("OUTBOX_RATE", "400"))
    OUTBOX_QUOTA_PAUSE = float(os.environ.get("OUTBOX_QUOTA_PAUSE", "60"))
    WECHAT_MAX_SKEW = 300  # seconds a callback timestamp may be off
    WECHAT_MAX_BODY = 64 * 1024
    WECHAT_DEDUP_TTL = 24 * 3600
    # A federation's name in scan welcomes is cached per process under the routing token (a rename
    # or dissolution shows at the next scan) and at most this long (for changes made outside the
    # ORM); 0 reads it every time (tests).
    WECHAT_NAME_CACHE_SECONDS = float(os.environ.get("WECHAT_NAME_CACHE_SECONDS", "30"))
    # How often that cache re-reads the routing token (a rename shows this much later at most).
    WECHAT_NAME_TOKEN_SECONDS = float(os.environ.get("WECHAT_NAME_TOKEN_SECONDS", "1"))
    # Last-contact times are written behind, this often (0: at once, as the tests do).
    WECHAT_CONTACT_FLUSH_SECONDS = float(os.environ.get("WECHAT_CONTACT_FLUSH_SECONDS", "1"))
    # Where links sent to workers point (the H5 pages).
    PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{PORT}").rstrip("/")

    # Personal data: Fernet keys (comma-separated, newest first) and the lookup-hash key.
    ID_ENCRYPTION_KEYS = os.environ.get("ID_ENCRYPTION_KEYS", "")
    ID_HASH_KEY = os.environ.get("ID_HASH_KEY", "dev-only-id-hash-key")
    # "production" refuses the development defaults for the keys above.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))  # trusted proxies in front (nginx: 1)
    GONGLIAN_ENV = os.environ.get("GONGLIAN_ENV", "development")
    # "json": one JSON object per log line with a request id (production, gunicorn.conf.py); "text".
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if GONGLIAN_ENV == "production" else "text")
    # Days personal data is kept after a rejection or a withdrawal (then `flask privacy purge`).
    RETENTION_DAYS = int(os.environ.get("RETENTION_DAYS", "180"))
    # Working days (Mon–Fri) within which an application must be decided.
    APPLICATION_DUE_WORKDAYS = int(os.environ.get("APPLICATION_DUE_WORKDAYS", "15"))
    # Seconds a member card's QR code stays valid.
    CARD_TOKEN_MAX_AGE = int(os.environ.get("CARD_TOKEN_MAX_AGE", "600"))

    # OpenAPI (flask-smorest)
    API_TITLE = "Gonglian API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"

    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies in production (HTTPS only: service/production.py turns them on); a session
    # ends after a working day without a request.
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=float(os.environ.get("SESSION_IDLE_HOURS", "8")))
    SESSION_REFRESH_EACH_REQUEST = True

    # Rate limits (Flask-Limiter): Redis when REDIS_URL is set, else this process's memory.
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", "1")
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_KEY_PREFIX = os.environ.get("REDIS_PREFIX", "gonglian:") + "limits"
    RATELIMIT_HEADERS_ENABLED = True
    # CSRF (Flask-WTF): console and H5 pages send the token as X-CSRF-Token on every change.
    WTF_CSRF_HEADERS = ["X-CSRF-Token"]
    WTF_CSRF_TIME_LIMIT = None  # valid as long as the session
    WTF_CSRF_SSL_STRICT = False
