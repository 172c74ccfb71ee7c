"""The access log of the real server (gunicorn.conf.py, service.http_server.AccessLogger): one JSON
line per request, with the request id the answer carried, the path without its query, and no
personal number even where a caller put one in the path."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "access.log"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}", "WECHAT_SIMULATOR": "0",
           "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_WORKERS": "1", "GUNICORN_ACCESS_LOG": str(log),
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    env.pop("GONGLIAN_WEB", None)
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        yield base, log
    finally:
        process.terminate()
        process.wait(15)


def _get(url: str, data: bytes | None = None) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as answer:
            return answer.status, dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def _line(log: Path, request_id: str) -> dict:
    """The line of the answer that carried `request_id` (the worker writes it after answering)."""
    for _ in range(100):
        for line in log.read_text().splitlines():
            if line.strip() and json.loads(line)["request_id"] == request_id:
                return json.loads(line)
        time.sleep(0.05)
    raise AssertionError(f"no access line for {request_id}: {log.read_text()!r}")


def test_each_request_is_one_json_line_with_its_request_id_and_no_query(server):
    base, log = server
    status, headers = _get(base + "/healthz?probe=1")
    assert status == 200
    wechat_status, wechat_headers = _get(
        base + "/wechat?signature=5b1f6c0e7d&timestamp=1764576000&nonce=1234567890&openid=oGonglianVictim01",
        data=b"<xml></xml>")
    assert wechat_status == 403
    health, wechat = _line(log, headers["X-Request-Id"]), _line(log, wechat_headers["X-Request-Id"])
    assert health == {"time": health["time"], "logger": "access", "method": "GET", "path": "/healthz",
                      "status": 200, "bytes": health["bytes"], "ms": health["ms"],
                      "request_id": headers["X-Request-Id"]}
    assert int(health["bytes"]) > 0 and health["ms"] >= 0
    assert wechat["method"] == "POST" and wechat["path"] == "/wechat" and wechat["status"] == 403
    text = log.read_text()
    for secret in ("5b1f6c0e7d", "1234567890", "oGonglianVictim01", "probe"):
        assert secret not in text


def test_a_personal_number_in_the_path_is_masked_in_the_line(server):
    base, log = server
    status, headers = _get(base + "/13812345678/130102199003076639")
    assert status == 404
    line = _line(log, headers["X-Request-Id"])
    assert line["path"] == "/138****5678/13**************39" and line["status"] == 404
    assert "13812345678" not in log.read_text()
