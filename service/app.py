"""The application factory: small named steps, overrides last (for tests).

Under gunicorn (GONGLIAN_WEB=1, set by gunicorn.conf.py) the app is built for serving only: no
CLI commands, no Flask-Migrate/Alembic, so a web worker imports what it needs and no more.
"""
import logging
import os

from flask import Flask

from service.config import ROOT, Config
from service.extensions import api, csrf, db, login_manager


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None, instance_path=str(ROOT / "instance"))
    app.config.from_object(Config)
    if overrides:
        app.config.update(overrides)
    app.json.ensure_ascii = False  # Chinese stays readable in JSON answers
    web_only = os.environ.get("GONGLIAN_WEB") == "1"
    configure_logging(app)
    register_extensions(app, migrations=not web_only)
    register_blueprints(app)
    register_commit_point(app)
    register_error_handlers(app)
    register_request_hooks(app)
    if not web_only:
        register_commands(app)
    return app


def configure_logging(app: Flask) -> None:
    from service.logs import configure
    from service.privacy.pii import install_log_filter

    configure(app.config["LOG_FORMAT"])  # JSON lines with a request id, or plain text
    install_log_filter()  # no ID number or mobile number in any log line


def register_extensions(app: Flask, migrations: bool = True) -> None:
    import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)

    db.init_app(app)
    if migrations:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    api.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)


def register_blueprints(app: Flask) -> None:
    from handlers import h5_auth, pages, wechat
    from handlers.api import API_BLUEPRINTS, PLAIN_BLUEPRINTS

    app.register_blueprint(wechat.bp)
    csrf.exempt(wechat.bp)  # WeChat signs its deliveries; it sends no CSRF token
    app.register_blueprint(h5_auth.bp)  # before pages: /h5/auth/* is not a static file
    app.register_blueprint(pages.bp)
    for blueprint in PLAIN_BLUEPRINTS:
        app.register_blueprint(blueprint)
    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint)
    if app.config["WECHAT_SIMULATOR"]:  # the WeChat stand-in and phone simulator: never in production
        from handlers import simulator

        for blueprint in simulator.BLUEPRINTS:
            app.register_blueprint(blueprint)
            # The stand-in plays WeChat's API (server-to-server calls with an access token) and
            # /sim/phone plays WeChat's own client: neither is a page of ours that holds a token.
            csrf.exempt(blueprint)


def register_commit_point(app: Flask) -> None:
    from handlers.transactions import commit_each_request

    commit_each_request(app)  # one commit per request; services only flush


def register_error_handlers(app: Flask) -> None:
    from service.errors import register_error_handlers as register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from service.logs import register_request_id
    from service.metrics import register_request_metrics

    register_request_id(app)  # X-Request-Id in, out, and in every log line
    register_request_metrics(app)  # requests and latencies by endpoint for /metrics


def register_commands(app: Flask) -> None:
    from service.commands import groups

    for group in groups(app):
        app.cli.add_command(group)
