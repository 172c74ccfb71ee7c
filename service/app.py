"""The application factory: small named steps, overrides last (for tests)."""
import logging

from flask import Flask

from service.config import ROOT, Config
from service.production import enforce as enforce_production
from service.extensions import api, csrf, db, limiter, login_manager, migrate


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None, instance_path=str(ROOT / "instance"))
    app.config.from_object(Config)
    if overrides:
        app.config.update(overrides)
    enforce_production(app)  # refuses development defaults when GONGLIAN_ENV=production
    app.json.ensure_ascii = False  # Chinese stays readable in JSON answers
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_commit_point(app)
    register_security_headers(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def configure_logging(app: Flask) -> None:
    from service.privacy.pii import install_log_filter

    install_log_filter()  # no ID number or mobile number in any log line
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_extensions(app: Flask) -> None:
    import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    api.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)


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


def register_commands(app: Flask) -> None:
    from service.commands import groups

    for group in groups(app):
        app.cli.add_command(group)
