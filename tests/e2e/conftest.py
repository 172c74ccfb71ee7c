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


@pytest.fixture
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (scripts/install-browser.sh)")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name, full_page=True):
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
    return take


def worker_cookie(app, openid: str) -> dict:
    """The signed Flask session a worker has after WeChat OAuth."""
    value = app.session_interface.get_signing_serializer(app).dumps({"openid": openid})
    return {"name": "session", "value": value, "domain": "127.0.0.1", "path": "/", "httpOnly": True, "sameSite": "Lax"}
