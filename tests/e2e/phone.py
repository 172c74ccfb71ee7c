"""Drive the phone simulator (/simulator/) in Chromium as a worker would: choose a user, scan a
federation's QR code, tap the menu, tap links in the chat (they open in the phone's browser, an
iframe named "phone-browser"), and read what the service sends. Used by the *_through_simulator
tests; everything goes through the real HTTP server, the stand-in's OAuth and the outbox."""
import re
from urllib.parse import urlsplit

import requests

from tests.e2e.conftest import SHOTS

FRAME = "phone-browser"


class Phone:
    def __init__(self, page, base: str, prefix: str):
        self.page = page
        self.base = base
        self.prefix = prefix  # screenshot names: artifacts/screenshots/<prefix>-<name>.png
        self.visits: list[str] = []  # every URL the phone's browser requested (redirects too), in order
        page.on("request", self._note_navigation)

    def _note_navigation(self, request) -> None:
        if request.is_navigation_request() and request.frame.name == FRAME:
            self.visits.append(request.url)

    # --- the chat --------------------------------------------------------------------------
    def open(self) -> "Phone":
        self.page.goto(f"{self.base}/simulator/")
        self.page.wait_for_selector("body[data-ready='1']", timeout=20000)
        return self

    def new_user(self) -> str:
        """A fresh openid with an empty chat, not following yet."""
        before = self.page.input_value("#user-select")
        self.page.click("#new-user")
        self.page.wait_for_function(
            "before => document.querySelector('#user-select').value !== before", arg=before)
        self.page.wait_for_function("document.querySelectorAll('#chat .msg').length === 0")
        assert self.page.inner_text("#follow-state") == "未关注"
        return self.page.input_value("#user-select")

    def use(self, openid: str) -> None:
        self.page.select_option("#user-select", openid)
        self.page.wait_for_function("id => document.querySelector('#user-select').value === id", arg=openid)

    def scan(self, scene: str) -> None:
        self.page.click(f"button[data-scene='{scene}']")

    def menu(self, *names: str) -> None:
        """Tap a menu button, or a top button then one of its sub-buttons: menu('更多', '竞赛')."""
        self.page.click(f"#menu-buttons > button:text-is('{names[0]}')")
        for name in names[1:]:
            self.page.click(f"#submenu button:text-is('{name}')")

    def reply(self, text: str, timeout: float = 10000):
        """The newest bubble from the account containing `text` (waits for it)."""
        locator = self.page.locator(".msg.them", has_text=text).last
        locator.wait_for(timeout=timeout)
        return locator

    def tap_link(self, label: str, timeout: float = 10000):
        """Tap the newest link in the chat with this label; the page opens inside the phone."""
        link = self.page.locator(f".msg.them .bubble a:has-text('{label}')").last
        link.wait_for(timeout=timeout)
        href = link.get_attribute("href")
        link.click()
        self.page.wait_for_selector("#browser:not([hidden])")
        return href

    def close_browser(self) -> None:
        self.page.click("#browser-close")
        self.page.wait_for_selector("#browser", state="hidden")

    # --- the phone's browser ----------------------------------------------------------------
    @property
    def frame(self):
        return self.page.frame(FRAME)

    def wait_in_browser(self, selector: str, timeout: float = 15000):
        return self.frame.wait_for_selector(selector, timeout=timeout)

    def oauth_hops(self, since: int = 0) -> list[str]:
        """The OAuth hops the phone's browser went through since visit number `since`."""
        hops = []
        for url in self.visits[since:]:
            path = urlsplit(url).path
            if path in ("/h5/auth/start", "/h5/auth/callback") or path.endswith("/connect/oauth2/authorize"):
                hops.append(path)
        return hops

    def shot(self, name: str):
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{self.prefix}-{name}.png"
        # Playwright scrolls what it clicks into view, the simulator page around the phone too
        self.page.evaluate("window.scrollTo(0, 0)")
        self.page.screenshot(path=str(path))
        return path


class StaffApi:
    """A staff member using the JSON API over HTTP (what the console does), CSRF header included."""

    def __init__(self, base: str, username: str, password: str = "password123"):
        self.base = base
        self.http = requests.Session()
        token = self.http.get(f"{base}/api/auth/session", timeout=10).json()["csrf_token"]
        answer = self.http.post(f"{base}/api/auth/login", json={"username": username, "password": password},
                                headers={"X-CSRF-Token": token}, timeout=10)
        assert answer.status_code == 200, answer.text
        self.csrf = answer.json()["csrf_token"]

    def get(self, path: str, **params):
        answer = self.http.get(self.base + path, params=params, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, path: str, body: dict | None = None):
        answer = self.http.post(self.base + path, json=body or {}, headers={"X-CSRF-Token": self.csrf}, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()


def text_of(locator) -> str:
    return re.sub(r"\s+", " ", locator.inner_text())
