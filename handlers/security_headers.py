"""Security headers on every answer (Flask-Talisman), and no caching of API answers.

The content security policy allows only our own scripts and styles (plus inline style attributes),
images of our own, data:/blob: (QR codes, photo previews) and https: (service positions' photos); pages may be framed only by our own
pages (the development phone simulator frames the H5 pages). HSTS goes out in production over
HTTPS (Talisman sends it when the request, or the proxy's X-Forwarded-Proto, says https).
API answers carry names, mobiles, complaints and evidence photos: every one is `Cache-Control:
no-store`, except the public, personal-data-free ones (posters, reference codes, the API document)."""
import base64
import functools
import hashlib
import re
from pathlib import Path

from flask import Flask, g, request
from flask_talisman import Talisman

from service.privacy.pii import is_production

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", "https:"],  # service positions' photos may be https links
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
PUBLIC_API = re.compile(r"^/api/(federations/\d+/poster\.(png|svg)|regions(/.*)?|industries|openapi\.json)$")
talisman = Talisman()


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)


@functools.lru_cache(maxsize=256)
def _hashes(path: str, mtime: float) -> tuple[str, ...]:
    text = Path(path).read_text(encoding="utf-8")
    return tuple("'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
                 for body in _INLINE_SCRIPT.findall(text))


def allow_inline_scripts_of(path: Path) -> None:
    """Our own static page's inline scripts may run (by hash, CSP level 2); nothing injected can."""
    if path.suffix == ".html" and path.is_file():
        g.inline_script_hashes = _hashes(str(path), path.stat().st_mtime)


def install(app: Flask) -> None:
    production = is_production(app.config)

    @app.after_request  # registered before Talisman's, so it runs after it and sees its header
    def add_inline_script_hashes(response):
        hashes = g.get("inline_script_hashes")
        csp = response.headers.get("Content-Security-Policy")
        if hashes and csp:
            response.headers["Content-Security-Policy"] = csp.replace("script-src 'self'",
                                                                      "script-src 'self' " + " ".join(hashes), 1)
        return response

    talisman.init_app(
        app,
        force_https=False,  # the TLS proxy redirects; development runs over plain HTTP
        strict_transport_security=production,
        strict_transport_security_max_age=365 * 24 * 3600,
        session_cookie_secure=production,
        content_security_policy=CSP,
        frame_options="SAMEORIGIN",
        referrer_policy="same-origin",
        x_content_type_options=True,
    )

    @app.after_request
    def no_store_for_api(response):
        if request.path.startswith("/api/") and not PUBLIC_API.match(request.path):
            response.headers["Cache-Control"] = "no-store"
        return response
