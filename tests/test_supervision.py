"""`make run` under its supervisor (issue 13 §3): a crashed worker is restarted while the web
keeps serving, and Ctrl+C stops everything quietly. Slow: it runs scripts/run.sh for real."""
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _worker_pid(supervisor: int) -> int | None:
    return next((p for p in _children(supervisor) if "worker run" in _cmdline(p)), None)


def _healthy(port: int) -> bool:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200
    except OSError:
        return False


def test_a_crashed_worker_is_restarted_the_web_keeps_serving_and_ctrl_c_is_quiet(tmp_path):
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
           "WECHAT_SIMULATOR": "1"}
    for key in ("REDIS_URL", "GONGLIAN_WEB", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(key, None)
    run = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not (_healthy(port) and _worker_pid(run.pid)):
            time.sleep(0.5)
        first = _worker_pid(run.pid)
        assert first and _healthy(port)
        os.kill(first, signal.SIGKILL)
        deadline = time.time() + 20
        while time.time() < deadline and _worker_pid(run.pid) in (None, first):
            assert _healthy(port)  # the web keeps serving while the worker is down
            time.sleep(0.2)
        second = _worker_pid(run.pid)
        assert second and second != first
        run.send_signal(signal.SIGINT)  # what the terminal sends on Ctrl+C (to the supervisor only)
        out, err = run.communicate(timeout=40)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err[-2000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-2000:]
    assert "worker exited with -9; restarting" in err
    assert not _healthy(port)
