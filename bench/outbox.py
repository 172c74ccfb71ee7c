"""The outbox drained against the WeChat stand-in running as its own process (issue 13 §4).

A notice to N contest applicants (template messages, outside the 48-hour window) is queued on
an own PostgreSQL database; then for each added latency per WeChat call (0 and 50 ms) and each
number of deliverer processes (1, 2, 4: `flask outbox run`) it drains the outbox and prints
msgs/s, duplicates (messages the stand-in recorded more than once for one outbox row), unknown
outcomes, and CPU per message for the deliverers, the stand-in and the PostgreSQL backends —
rate and CPU in the steady state, from the first delivery on (start-up is not counted).

    .venv/bin/python bench/outbox.py                       # 100,000 messages
    .venv/bin/python bench/outbox.py --messages 5000       # a quicker run
"""
import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))
from bench.procstat import cpu_seconds  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += [int(p) for p in subprocess.run(["pgrep", "-P", str(current)], capture_output=True,
                                                text=True).stdout.split()]
    return found


def backends(conn, name: str) -> list[int]:
    return [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--deliverers", default="1,2,4")
    parser.add_argument("--latency-ms", default="0,50")
    parser.add_argument("--concurrency", type=int, default=16, help="OUTBOX_CONCURRENCY per deliverer")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    name = f"gonglian_ops_outbox_{os.getpid()}"
    admin = psycopg.connect(args.pg_admin, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = args.pg_admin.rsplit("/", 1)[0] + f"/{name}"
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi", "WECHAT_APPID": "wxbenchoutbox0001",
           "WECHAT_SECRET": "bench-secret", "OUTBOX_CONCURRENCY": str(args.concurrency), "LOG_FORMAT": "text",
           "WECHAT_TIMEOUT": "5"}
    for key in ("REDIS_URL", "GONGLIAN_WEB", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(key, None)
    rows = []
    try:
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        db = psycopg.connect(url, autocommit=True)
        seed(db, args.messages)
        for latency in [int(x) for x in args.latency_ms.split(",")]:
            standin, port = start_standin(env, latency / 1000)
            try:
                for deliverers in [int(x) for x in args.deliverers.split(",")]:
                    rows.append(drain(db, admin, name, env, port, standin, deliverers, latency, args.messages))
                    print_row(rows[-1], flush=True)
            finally:
                standin.terminate()
                standin.wait(timeout=20)
        db.close()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    print(f"\nOutbox drain, {args.messages} template messages, PostgreSQL, stand-in as its own gunicorn process, "
          f"OUTBOX_CONCURRENCY={args.concurrency}")
    print(f"{'latency':>8} {'deliverers':>10} {'msgs/s':>8} {'dupes':>6} {'unknown':>8} "
          f"{'ms CPU/msg: deliverer':>22} {'stand-in':>9} {'postgres':>9}")
    for row in rows:
        print_row(row)


def print_row(r, flush=False) -> None:
    print(f"{r['latency']:>6}ms {r['deliverers']:>10} {r['rate']:8.0f} {r['dupes']:>6} {r['unknown']:>8} "
          f"{r['cpu_deliverer']:22.2f} {r['cpu_standin']:9.2f} {r['cpu_pg']:9.2f}", flush=flush)


def seed(db, count: int) -> None:
    """`count` followers outside the window and one template message queued for each."""
    with db.cursor() as cur:
        with cur.copy("COPY sim_users (openid, following, created_at) FROM STDIN") as copy:
            for n in range(count):
                copy.write_row((f"o-notice-{n}", True, "2026-01-01"))
        with cur.copy("COPY workers (openid, subscribed, created_at, updated_at) FROM STDIN") as copy:
            for n in range(count):
                copy.write_row((f"o-notice-{n}", True, "2026-01-01", "2026-01-01"))
        with cur.copy("COPY outbox_messages (openid, payload, status, attempts, next_attempt_at, created_at) "
                      "FROM STDIN") as copy:
            for n in range(count):
                payload = ('{"text": "竞赛通知", "url": null, "template": "contest_notice", "fields": '
                           '[["thing1", "快递员技能竞赛"], ["phrase3", "报名成功"]]}')
                copy.write_row((f"o-notice-{n}", payload, "pending", 0, "2026-01-01", "2026-01-01"))


def start_standin(env: dict, latency: float):
    port = free_port()
    standin_env = {**env, "WECHAT_SIMULATOR": "1", "WECHAT_SIM_LATENCY": str(latency), "GUNICORN_ACCESS_LOG": "",
                   "WEB_WORKERS": "2", "WEB_THREADS": "48", "DATABASE_POOL_SIZE": "32",
                   "GUNICORN_BIND": f"127.0.0.1:{port}",
                   "PROMETHEUS_MULTIPROC_DIR": f"/tmp/gonglian-outbox-bench-{os.getpid()}-{port}"}
    os.makedirs(standin_env["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    process = subprocess.Popen([str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")], cwd=ROOT,
                               env=standin_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    time.sleep(1)
    return process, port


def drain(db, admin, name, env, port, standin, deliverers: int, latency: int, count: int) -> dict:
    db.execute("UPDATE outbox_messages SET status = 'pending', attempts = 0, next_attempt_at = now() - interval '1s', "
               "locked_by = NULL, locked_until = NULL, delivered_at = NULL, last_error = NULL, channel = NULL")
    db.execute("DELETE FROM sim_messages")
    db.execute("DELETE FROM sim_calls")
    db.execute("DELETE FROM key_values")
    run_env = {**env, "WECHAT_API_BASE": f"http://127.0.0.1:{port}/sim/wechat"}
    standin_pids = tree(standin.pid)
    procs = [subprocess.Popen([str(BIN / "flask"), "outbox", "run", "--tick", "0.2"], cwd=ROOT, env=run_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(deliverers)]
    # Steady state: rate and CPU are counted from the first delivery, not the processes' start-up
    # (importing the app costs each deliverer about a second of CPU, once).
    while db.execute("SELECT count(*) FROM outbox_messages WHERE status = 'delivered'").fetchone()[0] == 0:
        time.sleep(0.05)
    started = time.monotonic()
    first = db.execute("SELECT count(*) FROM outbox_messages WHERE status = 'delivered'").fetchone()[0]
    deliverer_before = cpu_seconds([pid for proc in procs for pid in tree(proc.pid)])
    standin_cpu = cpu_seconds(standin_pids)
    pg_before = cpu_seconds(backends(admin, name))
    while True:
        pending = db.execute("SELECT count(*) FROM outbox_messages WHERE status = 'pending'").fetchone()[0]
        if pending == 0 or time.monotonic() - started > 3600:
            break
        time.sleep(0.25)
    elapsed = time.monotonic() - started
    all_backends = backends(admin, name)
    deliverer_cpu = cpu_seconds([pid for proc in procs for pid in tree(proc.pid)]) - deliverer_before
    pg_cpu = cpu_seconds(all_backends) - pg_before
    standin_used = cpu_seconds(standin_pids) - standin_cpu
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=30)
    delivered = db.execute("SELECT count(*) FROM outbox_messages WHERE status = 'delivered'").fetchone()[0]
    recorded = db.execute("SELECT count(*), count(DISTINCT client_msg_id) FROM sim_messages").fetchone()
    unknown = db.execute("SELECT count(*) FROM outbox_messages WHERE last_error LIKE '%结果未知%'").fetchone()[0]
    counted = max(delivered - first, 1)
    return {"latency": latency, "deliverers": deliverers, "rate": counted / elapsed, "dupes": recorded[0] - recorded[1],
            "unknown": unknown, "cpu_deliverer": deliverer_cpu / counted * 1000,
            "cpu_standin": standin_used / counted * 1000, "cpu_pg": pg_cpu / counted * 1000,
            "delivered": delivered}


if __name__ == "__main__":
    main()
