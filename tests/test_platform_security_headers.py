"""Security headers on every page and answer; no caching of API answers that carry personal data."""
import pytest

from tests.conftest import as_worker, login
from tests.factories import make_federation, make_staff, make_upper

PAGES = ["/h5/me.html", "/h5/join.html", "/console/", "/console/login.html", "/api/auth/session", "/healthz",
         "/api/openapi.json", "/h5/auth/callback?state=x"]


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert "object-src 'none'" in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # development: plain HTTP


def test_hsts_in_production_over_https(app, monkeypatch):
    from handlers import security_headers

    monkeypatch.setitem(app.config, "GONGLIAN_ENV", "production")
    monkeypatch.setattr(security_headers.talisman, "strict_transport_security", True)
    response = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("who, path", [
    ("staff", "/api/inbox"), ("staff", "/api/staff"), ("staff", "/api/auth/session"),
    ("worker", "/api/requests"), ("worker", "/api/join/context"), ("worker", "/api/card"),
])
def test_api_answers_with_personal_data_are_not_stored(client, who, path):
    if who == "staff":
        login(client, make_staff(make_federation("石家庄市长安区快递行业工会联合会", parent=make_upper()), role="admin"))
    else:
        as_worker(client, "o-headers")
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store", (path, response.status_code)


def test_public_reference_data_may_be_cached(client):
    assert client.get("/api/industries").headers.get("Cache-Control") != "no-store"


def test_our_pages_inline_scripts_are_allowed_by_hash_and_nothing_else(client):
    import base64
    import hashlib
    import re

    from service.config import ROOT

    html = (ROOT / "static/console/login.html").read_text(encoding="utf-8")
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S)
    assert bodies  # the login page has an inline module script
    csp = client.get("/console/login.html").headers["Content-Security-Policy"]
    for body in bodies:
        assert "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "sha256" not in client.get("/console/inbox.html").headers["Content-Security-Policy"]
