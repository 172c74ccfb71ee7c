"""Who is calling: staff (Flask-Login session) and workers (openid in the signed session,
set by the H5 OAuth flow). Decorators for handlers, and the staff login API."""
from functools import wraps

from flask import g, session
from flask_login import current_user, login_user, logout_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from handlers.api.openapi import login_required
from handlers.schemas.staff import LoginIn, PasswordChangeIn, SessionOut
from handlers.throttle import login_limits, password_change_limits
from models.staff import Staff
from service.staff import accounts as staff_service
from service.staff import sessions
from service.errors import AppError, Forbidden, Unauthorized, error_response
from service.extensions import login_manager
from service.wechat.followers import get_or_create_worker

bp = Blueprint("auth", __name__, url_prefix="/api/auth", description="员工登录")

WORKER_SESSION_KEY = "openid"


@login_manager.user_loader
def load_staff(session_id: str):
    """The account whose current session token the cookie holds (logout, a password change or
    reset, and deactivation replace the token and so end every session)."""
    return sessions.load_session(session_id)


@login_manager.unauthorized_handler
def unauthorized():
    raise Unauthorized()


def current_staff() -> Staff:
    if not current_user.is_authenticated:
        raise Unauthorized()
    return current_user._get_current_object()


def staff_required(*roles: str):
    """Require a logged-in staff member (with one of `roles`, if given); sets g.staff."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            staff = current_staff()
            if roles and staff.role not in roles:
                raise Forbidden("您的角色无权执行此操作")
            g.staff = staff
            return view(*args, **kwargs)
        return login_required(wrapper, "staff")
    return decorate


def worker_required(view):
    """Require a worker identified through WeChat OAuth; sets g.worker.

    Answers 401 with code "oauth_required": the H5 page then goes through
    /h5/auth/start to learn the openid."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        openid = session.get(WORKER_SESSION_KEY)
        if not openid:
            raise Unauthorized("请在微信中打开此页面", code="oauth_required")
        g.worker = get_or_create_worker(openid)
        return view(*args, **kwargs)
    return login_required(wrapper, "worker")


@bp.post("/login")
@bp.arguments(LoginIn)
@bp.response(200, SessionOut)
@login_limits
def login(data):
    """Log in with username and password; answers the CSRF token to send as X-CSRF-Token."""
    try:
        staff = staff_service.authenticate(data["username"], data["password"])
    except AppError as refused:  # answered, not raised: the request's commit keeps the failed-login count
        return error_response(refused.status, refused.code, refused.message, refused.fields)
    session.clear()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without a request
    login_user(staff)
    return {"staff": staff, "csrf_token": generate_csrf()}


@bp.post("/logout")
@bp.response(204)
def logout():
    """Log out everywhere: every session of this account, on every device, ends."""
    if current_user.is_authenticated:
        sessions.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()


@bp.post("/password")
@bp.arguments(PasswordChangeIn)
@bp.response(204)
@password_change_limits
def change_password(data):
    """Change one's own password (the current one is required); every other session ends, and
    this one carries on with the new session token."""
    staff = current_staff()
    try:
        sessions.change_password(staff, data["current_password"], data["password"])
    except AppError as refused:  # answered, not raised: the failure counts towards the login limit
        return error_response(refused.status, refused.code, refused.message, refused.fields)
    session.clear()
    session.permanent = True
    login_user(staff)


@bp.get("/session")
@bp.response(200, SessionOut)
def whoami():
    """The logged-in staff member (or null) and a CSRF token for this session."""
    staff = current_user._get_current_object() if current_user.is_authenticated else None
    return {"staff": staff, "csrf_token": generate_csrf()}
