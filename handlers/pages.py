"""Serves the static pages: /h5/ (workers), /console/ (staff), /shared/ (modules both import),
/vendor/, /simulator/ (development only)."""
import mimetypes
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from handlers.security_headers import allow_inline_scripts_of
from service.config import ROOT

bp = Blueprint("pages", __name__)
mimetypes.add_type("text/javascript", ".mjs")  # ES modules must not be served as octet-stream
mimetypes.add_type("text/javascript", ".js")
STATIC = ROOT / "static"


def _serve(folder: str, path: str):
    try:
        page = send_from_directory(STATIC / folder, path or "index.html", max_age=0)
    except NotFound:
        if folder not in ("h5", "console"):
            raise
        # a person followed a stale or mistyped link: a page in their language, not JSON
        path = "404.html"
        page = send_from_directory(STATIC / folder, path, max_age=0)
        page.status_code = 404
    allow_inline_scripts_of(safe_join_path(STATIC / folder, path or "index.html"))
    return page


def safe_join_path(folder: Path, path: str) -> Path:
    joined = safe_join(str(folder), path)  # None for ../ tricks; send_from_directory then answers 404
    return Path(joined) if joined else folder / "index.html.missing"


@bp.get("/")
def home():
    return redirect("/console/")


@bp.get("/h5/", defaults={"path": ""})
@bp.get("/h5/<path:path>")
def h5(path):
    return _serve("h5", path)


@bp.get("/console/", defaults={"path": ""})
@bp.get("/console/<path:path>")
def console(path):
    return _serve("console", path)


@bp.get("/shared/<path:path>")
def shared(path):
    """Modules both the worker pages and the console import (static/shared/)."""
    return send_from_directory(STATIC / "shared", path, max_age=0)


@bp.get("/vendor/<path:path>")
def vendor(path):
    return send_from_directory(STATIC / "vendor", path, max_age=86400)


@bp.get("/simulator")
def simulator_root():
    return redirect("/simulator/")


@bp.get("/simulator/", defaults={"path": ""})
@bp.get("/simulator/<path:path>")
def simulator(path):
    if not current_app.config["WECHAT_SIMULATOR"]:
        abort(404)
    return _serve("simulator", path)
