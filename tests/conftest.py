"""Fixtures for every test: app, db, client, runner, and `wechat`, which plays WeChat's server.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. The
schema is built by the migrations (not create_all), once per session; every test starts
with empty tables.
"""
import os
import time
import threading
import uuid
from types import SimpleNamespace

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from service.app import create_app
from service.extensions import db, limiter
from service.wechat import autocommit
from service.devtools.wechat_peer import WeChatPeer, new_aes_key

TEST_AES_KEY = new_aes_key()


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _reset_schema() -> None:
    """Drop whatever a previous run left in the test database, then migrate from scratch."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade()


class RequestIsolatedClient(FlaskClient):
    """Each request runs in an app context of its own, as in production.

    The test itself holds an app context (to use db.session); without this, Flask would reuse
    it for every request, and `g` (Flask-Login's user, the CSRF token) and the database
    session would leak from one request into the next."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.expire_all()  # the test's own objects reload what the request changed


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from service.config import _database_url as normalise  # accepts postgresql:// too

    os.environ["DATABASE_URL"] = _database_url(tmp_path_factory)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": normalise(),
        "SECRET_KEY": "test-secret",
        "WECHAT_TOKEN": "test-token",
        "WECHAT_APPID": "wxtestappid000001",
        "WECHAT_SECRET": "test-app-secret",
        "WECHAT_AES_KEY": TEST_AES_KEY,
        "WECHAT_SIMULATOR": True,
        "WECHAT_API_BASE": "http://127.0.0.1:9/sim/wechat",  # nothing listens: tests that call out start a server
        "PUBLIC_BASE_URL": "http://gonglian.test",
        "WTF_CSRF_ENABLED": False,  # tests/test_staff_auth.py turns it on to prove it
        "REDIS_PREFIX": f"gonglian-test-{uuid.uuid4().hex[:8]}:",
        "WECHAT_CONTACT_FLUSH_SECONDS": 0,  # last contact written at once (tests of the write-behind set it)
        "WECHAT_NAME_CACHE_SECONDS": 0,  # names read every time (tests of the cache set it)
        "RATELIMIT_STORAGE_URI": "memory://",  # limiter.reset() between tests must not touch a shared Redis
    })
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        _reset_schema()
        yield app
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        autocommit.dispose()
        db.engine.dispose()
        forget_redis_keys(app.config["REDIS_PREFIX"])


def forget_redis_keys(prefix: str) -> None:
    """Delete the keys under `prefix` from the shared Redis (a test's own prefix when it ends; the
    run's prefix when the session ends, for what a failed test left behind)."""
    import redis

    try:
        client = redis.Redis(socket_connect_timeout=0.3)
        keys = list(client.scan_iter(prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # no Redis here: nothing was left in it


def _empty_tables() -> None:
    from sqlalchemy.exc import OperationalError

    db.session.rollback()
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    for attempt in range(5):
        try:
            with db.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    names = ", ".join(f'"{t.name}"' for t in tables)
                    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                else:
                    for table in tables:
                        conn.execute(table.delete())
            return
        except OperationalError as error:
            # A live server's request still in flight (a fault test's delayed stand-in call) can
            # hold a table the TRUNCATE needs and wait for another: PostgreSQL breaks the deadlock
            # by failing one side. Let the request finish, then empty the tables again.
            if "deadlock" not in str(error).lower() or attempt == 4:
                raise
            time.sleep(0.5)


@pytest.fixture(autouse=True)
def _clean_database(app):
    yield
    db.session.remove()
    _empty_tables()
    limiter.reset()  # every test starts with no rate-limit counts


@pytest.fixture
def feds():
    """The demo union tree (what `flask demo seed` makes), each node by name."""
    from service.devtools import demo

    nodes = demo.seed_demo()
    db.session.commit()
    return {node.name: node for node in nodes}


@pytest.fixture
def same_day(request, monkeypatch):
    """The test module's TODAY is the China date when each test starts, and the services' today
    for the test: a date taken at collection is yesterday once a run crosses midnight in China
    (16:00 UTC). Modules opt in with `pytestmark = pytest.mark.usefixtures("same_day")`."""
    from service import clock

    today = clock.today()
    request.module.TODAY = today
    monkeypatch.setattr(clock, "today", lambda: today)
    return today


@pytest.fixture
def gov_tree():
    """A small tree for the governance tests: the city union, two county unions and one
    federation under each (快递 in 长安, 货车司机 in 裕华), both active with nothing recorded."""
    from tests.factories import make_federation, make_upper

    city = make_upper("石家庄市总工会", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    yuhua = make_upper("石家庄市裕华区总工会", region="130108", parent=city)
    kd = make_federation("石家庄市长安区快递行业工会联合会", parent=changan, industry="G6020")
    hc = make_federation("石家庄市裕华区货车司机行业工会联合会", parent=yuhua, region="130108", industry="G543")
    return {"city": city, "changan": changan, "yuhua": yuhua, "kd": kd, "hc": hc}


@pytest.fixture
def tree():
    """A small union tree: a city, two districts, a federation under each (by key)."""
    from tests.factories import make_federation, make_upper

    city = make_upper("石家庄市总工会", level="city", region="130100")
    changan = make_upper("石家庄市长安区总工会", region="130102", parent=city)
    yuhua = make_upper("石家庄市裕华区总工会", region="130108", parent=city)
    courier = make_federation("石家庄市长安区快递行业工会联合会", parent=changan)
    trucks = make_federation("石家庄市裕华区货车司机行业工会联合会", region="130108", industry="G543", parent=yuhua)
    return {"city": city, "changan": changan, "yuhua": yuhua, "courier": courier, "trucks": trucks}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class WeChatServer:
    """Posts signed (and, in safe mode, encrypted) deliveries to /wechat like WeChat's server."""

    def __init__(self, app, client):
        cfg = app.config
        self.peer = WeChatPeer(cfg["WECHAT_TOKEN"], cfg["WECHAT_APPID"], cfg["WECHAT_AES_KEY"])
        self.client = client

    def post(self, xml: str, encrypt: bool = False, **kw):
        delivery = self.peer.deliver(xml, encrypt=encrypt, **kw)
        response = self.client.post("/wechat", query_string=delivery.args, data=delivery.body,
                                    content_type="text/xml")
        response.reply = (
            self.peer.read_reply(response.get_data(as_text=True), delivery) if response.status_code == 200 else None
        )
        return response

    def send_text(self, openid: str, content: str, encrypt: bool = False, **kw):
        return self.post(self.peer.text(openid, content, **kw), encrypt=encrypt)

    def send_event(self, openid: str, event: str, key: str | None = None, encrypt: bool = False, **kw):
        return self.post(self.peer.event(openid, event, key, **kw), encrypt=encrypt)

    def scan(self, openid: str, scene: str, new_follower: bool = True, encrypt: bool = False, **kw):
        return self.post(self.peer.scan(openid, scene, new_follower, **kw), encrypt=encrypt)


def login(client, staff, password: str = "password123"):
    """Log `client` in as `staff` (made by tests.factories.make_staff)."""
    response = client.post("/api/auth/login", json={"username": staff.username, "password": password})
    assert response.status_code == 200, response.get_json()
    return client


def as_worker(client, openid: str):
    """Make `client` a worker's phone whose openid the H5 OAuth flow has already learned."""
    with client.session_transaction() as session:
        session["openid"] = openid
    return client


@pytest.fixture
def wechat(app, client):
    return WeChatServer(app, client)


# --- a real HTTP server: the WeChat stand-in and our callback, for the adapter and the browser ---
@pytest.fixture(scope="session")
def _http_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def live_server(app, _http_server):
    """The test app served over real HTTP; WECHAT_API_BASE points at its stand-in meanwhile."""
    saved = {key: app.config[key] for key in ("WECHAT_API_BASE", "PUBLIC_BASE_URL")}
    app.config["WECHAT_API_BASE"] = f"{_http_server}/sim/wechat"
    yield SimpleNamespace(url=_http_server, api_base=f"{_http_server}/sim/wechat")
    app.config.update(saved)


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    """scrypt costs a quarter of a second per hash; tests use a cheap hash instead (the login
    and lockout rules do not depend on the hash's cost)."""
    from functools import partial

    from werkzeug.security import generate_password_hash

    from service.staff import accounts as staff
    from service.staff import admin as staff_admin
    from service.staff import sessions

    cheap = partial(generate_password_hash, method="pbkdf2:sha256:1")
    monkeypatch.setattr(staff, "generate_password_hash", cheap)
    monkeypatch.setattr(staff_admin, "generate_password_hash", cheap)
    monkeypatch.setattr(sessions, "generate_password_hash", cheap)
