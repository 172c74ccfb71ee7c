"""Browser tests: the app served on a free local port, driven by Debian's Chromium."""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


@pytest.fixture
def server(app):
    """The test app on http://127.0.0.1:<port> (each request in its own app context)."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    saved = app.config["PUBLIC_BASE_URL"], app.config["WTF_CSRF_ENABLED"]
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{http.server_port}"
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: the pages send X-CSRF-Token
    yield app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"], app.config["WTF_CSRF_ENABLED"] = saved
    http.shutdown()


class _Chromium:
    """The browser, whose contexts by default let Playwright's own helpers run: `wait_for_function`
    compiles its predicate with eval, which our Content-Security-Policy forbids. A test that checks
    the pages under the real policy opens its context with `bypass_csp=False`
    (tests/e2e/test_privacy_pages.py)."""

    def __init__(self, chromium):
        self._chromium = chromium

    def new_context(self, **options):
        options.setdefault("bypass_csp", True)
        return self._chromium.new_context(**options)

    def new_page(self, **options):
        options.setdefault("bypass_csp", True)
        return self._chromium.new_page(**options)

    def __getattr__(self, name):
        return getattr(self._chromium, name)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for every browser test; each test opens its own pages (fresh contexts)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    playwright = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (scripts/install-browser.sh)")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield _Chromium(chromium)
        chromium.close()


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name, full_page=True):
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
    return take


def console_page(browser, site: str, username: str = "kd-case", wait: int = 15000):
    """A staff member logged in through the console's login page (demo password), on the inbox
    once it has loaded; page errors are collected in `page.errors`."""
    from service.devtools import demo

    page = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN",
                               timezone_id="Asia/Shanghai").new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/console/inbox.html")
    page.wait_for_url("**/console/login.html**")
    page.fill("#username", username)
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/inbox.html**")
    page.wait_for_selector("#tabs button .badge", timeout=wait)  # loaded (leaving mid-load aborts its fetches)
    page.errors = errors
    return page


def worker_cookie(app, openid: str) -> dict:
    """The signed Flask session a worker has after WeChat OAuth."""
    value = app.session_interface.get_signing_serializer(app).dumps({"openid": openid})
    return {"name": "session", "value": value, "domain": "127.0.0.1", "path": "/", "httpOnly": True, "sameSite": "Lax"}


@pytest.fixture
def simulator(app, live_server, browser):
    """Open phones in the simulator: `simulator(prefix)` → tests.e2e.phone.Phone on /simulator/.

    The app is served over real HTTP with CSRF on (as in production); links in messages point at
    it and the adapter calls its WeChat stand-in. Each phone has a browser context of its own
    (its own cookies and simulator users); no page may throw."""
    from tests.e2e.phone import Phone

    saved = app.config["WTF_CSRF_ENABLED"]
    app.config["PUBLIC_BASE_URL"] = live_server.url  # restored by live_server
    app.config["WTF_CSRF_ENABLED"] = True
    errors, contexts = [], []

    def open_phone(prefix: str) -> Phone:
        context = browser.new_context(viewport={"width": 1100, "height": 860}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return Phone(page, live_server.url, prefix).open()

    yield open_phone
    for context in contexts:
        context.close()
    app.config["WTF_CSRF_ENABLED"] = saved
    assert errors == []
