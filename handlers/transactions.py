"""The HTTP layer's commit point: one commit per request, after the view has answered.

Services only flush. Every view of our pages and API is wrapped once, at start-up, so that its
changes are committed when it returns and rolled back (by the error handlers) when it raises; a
unique-key clash at commit time becomes a 409, never a 500. The WeChat callback and the
development stand-ins keep their own commit points (the callback de-duplicates in its own
transaction; the stand-ins play outside systems that commit on their own)."""
import functools

from flask import Flask
from sqlalchemy.exc import IntegrityError

from service.errors import Conflict
from service.extensions import db

OWN_COMMIT_POINT = {"wechat", "sim_phone", "sim_wechat"}


def _committing(view):
    @functools.wraps(view)
    def run(*args, **kwargs):
        answer = view(*args, **kwargs)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            raise Conflict("数据已被他人修改或重复提交，请刷新后重试", code="conflict") from None
        return answer
    return run


def commit_each_request(app: Flask) -> None:
    """Wrap every registered view (call after all blueprints are registered)."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.split(".")[0] in OWN_COMMIT_POINT:
            continue
        app.view_functions[endpoint] = _committing(view)
