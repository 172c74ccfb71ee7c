"""GONGLIAN_ENV=production refuses development defaults, and never imports the development-only
packages (the WeChat stand-in, the phone simulator, demo data). Each case builds the app in a fresh
Python process, as gunicorn would, so nothing the test suite imported can hide an import."""
import json
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from service.config import ROOT

GOOD = {
    "GONGLIAN_ENV": "production",
    "SECRET_KEY": "k" * 48,
    "WECHAT_APPID": "wx1234567890abcdef",
    "WECHAT_SECRET": "real-wechat-secret-0123456789",
    "WECHAT_TOKEN": "real-wechat-token-0123456789",
    "ID_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ID_HASH_KEY": "real-hash-key-0123456789abcdef",
    "WECHAT_SIMULATOR": "0",
}
PROBE = """
import json, sys
try:
    from service.app import create_app
    app = create_app()
except Exception as error:
    print(json.dumps({"refused": f"{type(error).__name__}: {error}"}))
    sys.exit(0)
dev = sorted(m for m in sys.modules if m.startswith(("service.devtools", "handlers.simulator")))
client = app.test_client()
answers = {path: client.get(path).status_code for path in ("/simulator/", "/sim/phone/", "/sim/wechat/cgi-bin/token")}
login = client.post("/api/auth/login", json={"username": "x", "password": "y"})
print(json.dumps({"dev_modules": dev, "answers": answers, "secure": app.config["SESSION_COOKIE_SECURE"],
                  "commands": sorted(app.cli.list_commands(None)),
                  "hsts": client.get("/healthz", headers={"X-Forwarded-Proto": "https"}).headers.get("Strict-Transport-Security")}))
"""


def run(env_overrides: dict, tmp_path) -> dict:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"} | GOOD | env_overrides
    env = {k: v for k, v in env.items() if v is not None}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_starts_without_any_development_module(tmp_path):
    answer = run({}, tmp_path)
    assert "refused" not in answer, answer
    assert answer["dev_modules"] == []
    assert set(answer["answers"].values()) == {404}
    assert answer["secure"] is True
    assert answer["hsts"] and answer["hsts"].startswith("max-age=")
    assert "demo" not in answer["commands"]


@pytest.mark.parametrize("name, value, says", [
    ("SECRET_KEY", None, "SECRET_KEY"),
    ("SECRET_KEY", "dev-only-secret-change-me", "SECRET_KEY"),
    ("SECRET_KEY", "short", "SECRET_KEY"),
    ("WECHAT_TOKEN", None, "WECHAT_TOKEN"),
    ("WECHAT_TOKEN", "gonglian-dev-token", "WECHAT_TOKEN"),
    ("WECHAT_SECRET", None, "WECHAT_SECRET"),
    ("WECHAT_SECRET", "dev-wechat-secret", "WECHAT_SECRET"),
    ("WECHAT_SIMULATOR", "1", "WECHAT_SIMULATOR"),
    ("ID_ENCRYPTION_KEYS", None, "ID_ENCRYPTION_KEYS"),
    ("ID_HASH_KEY", "dev-only-id-hash-key", "ID_HASH_KEY"),
])
def test_production_refuses_a_development_default(tmp_path, name, value, says):
    answer = run({name: value}, tmp_path)
    assert "refused" in answer, answer
    assert answer["refused"].startswith("UnsafeProductionConfig") and says in answer["refused"]


def test_development_still_starts_with_the_defaults(tmp_path):
    answer = run({"GONGLIAN_ENV": "development", "SECRET_KEY": None, "WECHAT_TOKEN": None, "WECHAT_SECRET": None,
                  "WECHAT_SIMULATOR": "1", "ID_ENCRYPTION_KEYS": None, "ID_HASH_KEY": None}, tmp_path)
    assert "refused" not in answer and answer["secure"] is False and answer["hsts"] is None
    assert "handlers.simulator" in answer["dev_modules"]
