"""Rate limits at the HTTP edge (Flask-Limiter): staff login, and the worker-facing writes.

Login failures are counted per (username, address) and per address, and only failures count: a
guesser elsewhere fills their own buckets, never the real user's, so the right password from the
owner's own phone or office is never refused because of someone else's guesses (there is no
account-wide lock). Worker writes are limited per worker (their openid) and per address."""
from flask import request, session

from service.extensions import limiter

LOGIN_MESSAGE = "登录失败次数过多，请15分钟后再试"
WRITE_MESSAGE = "操作过于频繁，请稍后再试"


def client_address() -> str:
    return request.remote_addr or "unknown"


def _login_username() -> str:
    body = request.get_json(silent=True)
    name = body.get("username") if isinstance(body, dict) else None
    return (name if isinstance(name, str) else "").strip()[:50].lower()


def login_account_and_address() -> str:
    return f"login:{_login_username()}@{client_address()}"


def login_address() -> str:
    return f"login@{client_address()}"


def _failed(response) -> bool:
    return response.status_code in (401, 403, 422)


def login_limits(view):
    """5 failed logins per account per address, 30 per address, in 15 minutes."""
    view = limiter.limit("5 per 15 minutes", key_func=login_account_and_address, deduct_when=_failed,
                         error_message=LOGIN_MESSAGE, scope="login-account")(view)
    return limiter.limit("30 per 15 minutes", key_func=login_address, deduct_when=_failed,
                         error_message=LOGIN_MESSAGE, scope="login-address")(view)


def _password_owner() -> str:
    from flask_login import current_user

    return f"password:{current_user.get_id().partition(':')[0] if current_user.is_authenticated else client_address()}"


def password_change_limits(view):
    """5 wrong current passwords per account in 15 minutes (a stolen session cannot guess it)."""
    return limiter.limit("5 per 15 minutes", key_func=_password_owner, deduct_when=_failed,
                         error_message=LOGIN_MESSAGE, scope="password")(view)


def worker_key() -> str:
    return f"worker:{session.get('openid') or client_address()}"


def address_key() -> str:
    return f"address:{client_address()}"


def worker_write(per_worker: str, per_address: str = "300 per hour"):
    """Limit a worker-facing write per worker and per address."""
    def decorate(view):
        view = limiter.limit(per_worker, key_func=worker_key, error_message=WRITE_MESSAGE)(view)
        return limiter.limit(per_address, key_func=address_key, error_message=WRITE_MESSAGE,
                             scope="address")(view)
    return decorate
