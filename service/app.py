"""The application factory: small named steps, overrides last (for tests).

Under gunicorn (GONGLIAN_WEB=1, set by gunicorn.conf.py) the app is built for serving only: no
CLI commands, no Flask-Migrate/Alembic, so a web worker imports what it needs and no more.
"""
import os

from flask import Flask

from service.config import ROOT, Config
from service.extensions import api, csrf, db, limiter, login_manager
from service.production import enforce as enforce_production


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None, instance_path=str(ROOT / "instance"))
    app.config.from_object(Config)
    if overrides:
        app.config.update(overrides)
    enforce_production(app)  # refuses development defaults when GONGLIAN_ENV=production
    app.json.ensure_ascii = False  # Chinese stays readable in JSON answers
    web_only = os.environ.get("GONGLIAN_WEB") == "1"
    configure_logging(app)
    register_request_guards(app)
    register_extensions(app, migrations=not web_only)
    register_blueprints(app)
    register_commit_point(app)
    register_security_headers(app)
    register_error_handlers(app)
    register_request_hooks(app)
    if not web_only:
        register_commands(app)
    serve_callback_at_the_edge(app)
    trust_proxies(app)  # outermost
    return app


def trust_proxies(app: Flask) -> None:
    """Behind nginx (docs/deploy.md) the client's address is in X-Forwarded-For: without this,
    every per-address limit (login throttling, worker writes) would count the proxy's address."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def serve_callback_at_the_edge(app: Flask) -> None:
    """WeChat's server-to-server callback is answered ahead of Flask's browser machinery
    (sessions, CSRF, rate limits, security headers): handlers/wechat/edge.py says why."""
    from handlers.wechat.edge import CallbackEdge

    app.wsgi_app = CallbackEdge(app, app.wsgi_app)


def configure_logging(app: Flask) -> None:
    from service.logs import configure
    from service.privacy.pii import install_log_filter

    configure(app.config["LOG_FORMAT"])  # JSON lines with a request id, or plain text
    install_log_filter()  # no ID number or mobile number in any log line


def register_request_guards(app: Flask) -> None:
    from handlers.request_guards import install_request_guards

    install_request_guards(app)  # bounded ids in paths, no NUL bytes, JSON depth (before any blueprint)


def register_extensions(app: Flask, migrations: bool = True) -> None:
    import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from handlers.schemas.base import ErrorOut

    api.ERROR_SCHEMA = ErrorOut  # the documented error responses are the shape we answer

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    if migrations:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    from handlers.api.openapi import SecurityPlugin, register_security_schemes

    api.init_app(app, spec_kwargs={"extra_plugins": [SecurityPlugin()]})
    register_security_schemes(api)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)


def configure_sqlite(engine) -> None:
    """SQLite (the embedded default): write-ahead log, so readers never wait for the writer and a
    commit needs no fsync of its own (synchronous=NORMAL), and a busy timeout for writers.

    pysqlite begins a transaction only before the first INSERT/UPDATE/DELETE; a SAVEPOINT taken
    earlier (``begin_nested()`` before any write, as ``queue_message`` does) would then start a
    transaction of its own that its RELEASE commits, whatever the caller later rolls back. So a
    savepoint outside a transaction begins one first: a savepoint is always nested."""
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "savepoint")
    def _savepoint_inside_a_transaction(connection, name):
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:
            raw.execute("BEGIN")

    if engine.url.database in (None, "", ":memory:"):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


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


def register_security_headers(app: Flask) -> None:
    from handlers.security_headers import install

    install(app)  # CSP, frame-ancestors, nosniff, Referrer-Policy, HSTS in production; no-store on the API


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
