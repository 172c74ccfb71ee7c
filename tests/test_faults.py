"""Fault tests with real servers (issue 13 §6), marked slow: run with `-m slow`.

PostgreSQL: a private cluster (initdb + pg_ctl on a free port, never the machine's shared server)
is stopped in the middle of callback traffic: the app answers 503 with the JSON error while it is
down, every delivery it acknowledged with 200 is in the database afterwards, and it recovers by
itself when the cluster is back."""
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

import psycopg
import pytest

from service.devtools.wechat_peer import WeChatPeer
from tests.conftest import forget_redis_keys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".venv", "bin")
pytestmark = pytest.mark.slow
TOKEN, APPID = "fault-token", "wxfault0000000001"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(argv, **kw):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + argv, check=True, capture_output=True, text=True, **kw)


@pytest.fixture
def private_postgres():
    if not shutil.which("initdb") or not shutil.which("pg_ctl"):
        pytest.skip("needs initdb and pg_ctl")
    base = tempfile.mkdtemp(prefix="gonglian-pg-")
    data = os.path.join(base, "data")
    os.chmod(base, 0o777)
    port = _free_port()
    _as_postgres(["initdb", "-D", data, "-U", "postgres", "-A", "trust"])
    control = {"data": data, "port": port, "log": os.path.join(base, "pg.log")}

    def start():
        _as_postgres(["pg_ctl", "-D", data, "-l", control["log"], "-w", "-o",
                      f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start"])

    def stop():
        _as_postgres(["pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])

    control.update(start=start, stop=stop, url=f"postgresql://postgres@127.0.0.1:{port}/postgres")
    start()
    try:
        yield control
    finally:
        subprocess.run((["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
                       + ["pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _post(url: str, peer: WeChatPeer, xml: str) -> tuple[int, str]:
    delivery = peer.deliver(xml)
    query = "&".join(f"{k}={v}" for k, v in delivery.args.items())
    request = urllib.request.Request(f"{url}/wechat?{query}", data=delivery.body.encode(),
                                     headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(request, timeout=6) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


@pytest.mark.parametrize("claims", ["database", "redis"])
def test_postgres_going_away_mid_load(private_postgres, tmp_path, claims):
    """Claimed in the database, a follow is written in the claim's transaction; claimed in Redis,
    it is one autocommit statement on the callback's own pool (service/wechat/autocommit.py),
    which must drop its dead connections and reconnect by itself too."""
    env = {**os.environ, "DATABASE_URL": private_postgres["url"], "FLASK_APP": "wsgi", "WECHAT_TOKEN": TOKEN,
           "WECHAT_APPID": APPID, "LOG_FORMAT": "text", "GUNICORN_ACCESS_LOG": "", "WEB_WORKERS": "2"}
    for key in ("REDIS_URL", "GONGLIAN_WEB", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(key, None)
    if claims == "redis":
        env.update(REDIS_URL="redis://127.0.0.1:6379/0", REDIS_PREFIX=f"gonglian-fault-{uuid.uuid4().hex[:8]}:")
    subprocess.run([os.path.join(BIN, "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"])
    web = subprocess.Popen([os.path.join(BIN, "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=open(tmp_path / "web.log", "w"))
    url, peer = f"http://127.0.0.1:{port}", WeChatPeer(TOKEN, APPID)
    results: list[tuple[str, int, str, float]] = []
    stop = threading.Event()

    def load(thread: int):
        n = 0
        while not stop.is_set():
            openid = f"o-fault-{thread}-{n}"
            status, body = _post(url, peer, peer.event(openid, "subscribe"))  # a side effect: a follower
            results.append((openid, status, body, time.monotonic()))
            n += 1
            time.sleep(0.02)

    try:
        for _ in range(100):
            if _post(url, peer, peer.text("o-probe", "竞赛"))[0] == 200:
                break
            time.sleep(0.2)
        threads = [threading.Thread(target=load, args=(t,)) for t in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        private_postgres["stop"]()
        down_from = time.monotonic()
        time.sleep(3)
        down_until = time.monotonic()
        private_postgres["start"]()
        time.sleep(4)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        web.terminate()
        web.wait(timeout=30)
        if claims == "redis":
            forget_redis_keys(env["REDIS_PREFIX"])
    during = [r for r in results if down_from + 0.5 < r[3] < down_until]
    after = [r for r in results if r[3] > down_until + 2.5]
    assert during and all(status == 503 for _, status, _, _ in during), {s for _, s, _, _ in during}
    assert all('"code":"service_unavailable"' in body.replace(" ", "") for _, _, body, _ in during)
    assert after and all(status == 200 for _, status, _, _ in after), {s for _, s, _, _ in after}
    acknowledged = {openid for openid, status, _, _ in results if status == 200}
    with psycopg.connect(private_postgres["url"]) as conn:
        stored = {row[0] for row in conn.execute("SELECT openid FROM workers WHERE subscribed")}
    assert acknowledged - stored == set()  # no acknowledged write lost
    assert len(acknowledged) > len(during)
