"""The WeChat callback under load: Gonglian against a WeRoBot echo and a bare Flask app.

All three run under gunicorn with the shipped gunicorn.conf.py (the same workers, threads and
access log), on loopback. Load comes from Debian's `wrk` replaying per-thread files of requests
signed in advance (bench/replay.lua): every request has its own nonce, and MsgIds and event
CreateTimes are unique per thread and per run. For each kind of message and each concurrency it
prints req/s, p50/p99 and errors, then Gonglian's ratios to WeRoBot and to Flask, the CPU each
request cost the app, PostgreSQL, Redis and wrk, and the RSS of every gunicorn worker after the run. The three servers stay up together and each cell is run
app after app, --rounds times (medians printed), so the machine's drift falls on all alike.

    .venv/bin/python bench/callback.py                          # SQLite, no Redis (make run's default)
    .venv/bin/python bench/callback.py --backend postgres       # own PostgreSQL database + Redis prefix
    .venv/bin/python bench/callback.py --duration 3 --concurrency 16 --rounds 5

Needs `wrk` (apt-get install wrk) and WeRoBot in the venv for the baseline (pip install werobot;
it is not a requirement of the service).
"""
import argparse
import base64
import hashlib
import itertools
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.procstat import cpu_seconds  # noqa: E402
BIN = ROOT / ".venv" / "bin"
TOKEN, APPID = "bench-token", "wxbench000000001"
AES_KEY = base64.b64encode(hashlib.sha256(b"bench").digest()).decode().rstrip("=")
KINDS = {  # name → (description, side effect in Gonglian)
    "keyword": ("text 竞赛 (keyword)", False),
    "menu": ("CLICK CONTESTS (menu)", False),
    "safe": ("text 竞赛, safe mode (AES)", False),
    "scan": ("SCAN fed:<id> (follow, side effect)", True),
    "safescan": ("SCAN fed:<id>, safe mode (no replay seal)", True),
    "join": ("text 入会 (reads the last scan)", False),
    "chat": ("free text, no open request (one read)", False),
}
ENCRYPTED = ("safe", "safescan")
APPS = {"gonglian": None, "werobot": "bench.apps.werobot_echo:app", "flask": "bench.apps.bare_flask:app"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- requests ------------------------------------------------------------------------------
def sign(*parts) -> str:
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode()).hexdigest()


def message_xml(kind: str, thread: int, n: int, run: int, scene: str) -> str:
    openid = f"o-bench-{run % 100000}-{thread}-{n % 500}"
    created = 1_700_000_000 + n  # events are de-duplicated by sender + CreateTime + event
    head = (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{created}</CreateTime>")
    msg_id = run * 10_000_000_000 + thread * 1_000_000_000 + n
    if kind in ("keyword", "safe", "join", "chat"):
        text = {"keyword": "竞赛", "safe": "竞赛", "join": "入会", "chat": f"请问工资拖欠怎么办{n}"}[kind]
        return head + f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    if kind == "menu":
        return head + "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[CONTESTS]]></EventKey></xml>"
    return head + f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[{scene}]]></EventKey></xml>"


def signed(kind: str, xml: str) -> tuple[str, str]:
    ts, nonce = str(int(time.time())), secrets.token_hex(8)
    query = f"signature={sign(TOKEN, ts, nonce)}&timestamp={ts}&nonce={nonce}&openid=x"
    if kind not in ENCRYPTED:
        return f"/wechat?{query}", xml
    from wechatpy.crypto import PrpCrypto

    encrypted = PrpCrypto(base64.b64decode(AES_KEY + "=")).encrypt(xml, APPID)
    encrypted = encrypted.decode() if isinstance(encrypted, bytes) else encrypted
    body = f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    return f"/wechat?{query}&encrypt_type=aes&msg_signature={sign(TOKEN, ts, nonce, encrypted)}", body


def write_requests(prefix: Path, kind: str, threads: int, per_thread: int, run: int, scene: str) -> None:
    for thread in range(threads):
        with open(f"{prefix}-{thread}.txt", "w", encoding="utf-8") as out:
            for n in range(per_thread):
                path, body = signed(kind, message_xml(kind, thread, n, run, scene))
                out.write(f"{path}\t{body}\n")


# --- servers -------------------------------------------------------------------------------
class Server:
    def __init__(self, app: str, env: dict, workdir: Path):
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                    "PROMETHEUS_MULTIPROC_DIR": str(workdir / f"metrics-{app}")}
        os.makedirs(self.env["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
        argv = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
        if APPS[app]:
            argv.append(APPS[app])
        self.log = open(workdir / f"{app}.log", "w")
        self.process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/wechat?signature=x&timestamp=1&nonce=1", timeout=1)
            except urllib.error.HTTPError:
                break  # 403: it answers
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{app} did not start; see {self.log.name}")
        time.sleep(1.0)  # every worker booted

    def post(self, path: str, body: str) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, data=body.encode(), headers={"Content-Type": "text/xml"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def worker_rss_mb(self) -> list[float]:
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        sizes = []
        for pid in children:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kb = int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])
            sizes.append(round(kb / 1024, 1))
        return sizes

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# --- CPU per request, by process --------------------------------------------------------------
def _pids(*pgrep_args: str) -> list[int]:
    found = subprocess.run(["pgrep", *pgrep_args], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


def cpu_now(server: "Server") -> dict[str, float]:
    """CPU seconds so far of the app's gunicorn (master and workers), every PostgreSQL process,
    Redis, and this script's children (wrk)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    app = [server.process.pid, *_pids("-P", str(server.process.pid))]
    return {"app": cpu_seconds(app), "app_system": cpu_seconds(app, system_only=True),
            "postgres": cpu_seconds(_pids("-u", "postgres")), "redis": cpu_seconds(_pids("-x", "redis-server")),
            "wrk": children.ru_utime + children.ru_stime}


def run_wrk(url: str, prefix: Path, concurrency: int, duration: float) -> dict:
    threads = min(2, concurrency)
    argv = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{int(duration)}s", "--timeout", "5s",
            "-s", str(ROOT / "bench" / "replay.lua"), url, "--", str(prefix)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60).stdout
    line = next((l for l in out.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError("wrk printed no result:\n" + out)
    result = json.loads(line[len("RESULT "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return result


def post_in_process(app, query: str, body: bytes) -> None:
    """POST one signed callback request straight to a WSGI app (no server); stops on a non-200."""
    import io

    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/wechat", "QUERY_STRING": query,
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
               "SERVER_NAME": "bench", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    status = []
    answer = b"".join(app(environ, lambda s, headers, *exc: status.append(s)))
    if not status[0].startswith("200"):
        raise SystemExit(f"{status[0]} {answer[:200]!r}")


# --- the backends ----------------------------------------------------------------------------
def prepare_backend(args, workdir: Path) -> tuple[dict, callable]:
    env = {**os.environ, "WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID, "WECHAT_AES_KEY": AES_KEY,
           "FLASK_APP": "wsgi", "GUNICORN_ACCESS_LOG": str(workdir / "access.log"),
           "WEB_WORKERS": str(args.workers), "PUBLIC_BASE_URL": "http://bench.test"}
    for key in ("REDIS_URL", "GONGLIAN_WEB", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(key, None)
    cleanup = []
    if args.backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        import psycopg

        name = f"gonglian_ops_bench_{os.getpid()}"
        with psycopg.connect(args.pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = args.pg_admin.rsplit("/", 1)[0] + f"/{name}"
        env["REDIS_URL"], env["REDIS_PREFIX"] = args.redis, f"gonglian-ops-bench-{os.getpid()}:"

        def drop():
            with psycopg.connect(args.pg_admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            import redis

            client = redis.Redis.from_url(args.redis)
            keys = list(client.scan_iter(env["REDIS_PREFIX"] + "*", count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start:start + 1000])
        cleanup.append(drop)
    for command in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, check=True, capture_output=True)
    scene = subprocess.run([str(BIN / "python"), "-c", (
        "from service.app import create_app\nfrom models.federation import Federation\n"
        "from service.extensions import db\nfrom sqlalchemy import select\napp = create_app()\n"
        "with app.app_context():\n"
        "    print(db.session.scalar(select(Federation.id).where(Federation.status == 'active').limit(1)))")],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    env["BENCH_SCENE"] = f"fed:{scene}"
    return env, lambda: [fn() for fn in cleanup]


def check_reply(app: str, kind: str, status: int, body: str) -> None:
    if status != 200:
        raise RuntimeError(f"{app} {kind}: HTTP {status} {body[:200]}")
    if app == "gonglian" and kind in ("keyword", "menu") and "contests.html" not in body:
        raise RuntimeError(f"gonglian {kind}: unexpected reply {body[:200]}")
    if kind in ENCRYPTED and app != "flask" and "<Encrypt>" not in body:  # bare Flask is the ceiling: no AES
        raise RuntimeError(f"{app} safe: reply not encrypted: {body[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--apps", default="gonglian,werobot,flask")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each cell; the medians are printed")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (the shipped default: CPU count)")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench/callback.py needs wrk: apt-get install wrk")
    apps, kinds = args.apps.split(","), args.kinds.split(",")
    levels = [int(c) for c in args.concurrency.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="gonglian-bench-callback-"))
    env, cleanup = prepare_backend(args, workdir)
    run_ids = itertools.count(int(time.time()) % 100000 * 10)
    rounds: dict[tuple[str, str, int], list[dict]] = {}
    rss: dict[str, list[float]] = {}
    servers: dict[str, Server] = {}
    try:
        # Every server is up for the whole run (an idle one costs nothing) and the cells of one
        # kind and concurrency are run app after app, round after round (the order turning each
        # round): the machine's drift falls on every app alike, and the ratios compare runs made
        # seconds apart.
        for app in apps:
            servers[app] = Server(app, env, workdir)
        for kind in kinds:
            for app, server in servers.items():
                path, body = signed(kind, message_xml(kind, 9, 0, next(run_ids), env["BENCH_SCENE"]))
                check_reply(app, kind, *server.post(path, body))
            for level in levels:
                for round_no in range(args.rounds):
                    turn = round_no % len(apps)
                    for app in apps[turn:] + apps[:turn]:
                        prefix = workdir / f"req-{app}-{kind}-{level}"
                        per_thread = int(args.duration * (3000 if level == 1 else 6000)) + 2000
                        write_requests(prefix, kind, min(2, level), per_thread, next(run_ids), env["BENCH_SCENE"])
                        before = cpu_now(servers[app])
                        r = run_wrk(servers[app].url, prefix, level, args.duration)
                        after = cpu_now(servers[app])
                        r["cpu_us"] = {k: 1e6 * (after[k] - before[k]) / max(r["requests"], 1) for k in after}
                        rounds.setdefault((app, kind, level), []).append(r)
                        for thread in range(min(2, level)):
                            os.unlink(f"{prefix}-{thread}.txt")
                        print(f"  {app:9} {kind:8} c={level:<3} round {round_no + 1}  {r['rps']:8.0f} req/s  "
                              f"p50 {r['p50_us'] / 1000:6.2f} ms  p99 {r['p99_us'] / 1000:7.2f} ms  errors {r['errors']}"
                              + (f"  (requests reused: {r['wrapped']})" if r["wrapped"] else ""), flush=True)
        for app, server in servers.items():
            rss[app] = server.worker_rss_mb()
    finally:
        for server in servers.values():
            server.stop()
        cleanup()
    report(args, apps, kinds, levels, rounds, rss)
    shutil.rmtree(workdir, ignore_errors=True)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def summary(runs: list[dict]) -> dict:
    """The median round's figures (req/s, p50, p99: each the median over the rounds) and every
    round's errors added up."""
    return {"rps": _median([r["rps"] for r in runs]), "p50_us": _median([r["p50_us"] for r in runs]),
            "p99_us": _median([r["p99_us"] for r in runs]), "errors": sum(r["errors"] for r in runs),
            "cpu_us": {k: _median([r["cpu_us"][k] for r in runs]) for k in runs[0]["cpu_us"]}}


def report(args, apps, kinds, levels, rounds, rss) -> None:
    backend = "SQLite, no Redis" if args.backend == "sqlite" else "PostgreSQL + Redis"
    results = {cell: summary(runs) for cell, runs in rounds.items()}
    print(f"\nCallback, {backend}; gunicorn.conf.py with {args.workers} workers; wrk {args.duration:g} s per cell, "
          f"{args.rounds} round(s): medians; errors summed; a ratio is the median of the rounds' ratios\n")
    head = f"{'message':44} {'c':>3} " + " ".join(f"{a + ' req/s':>15} {'p50/p99 ms':>13} {'err':>4}" for a in apps)
    if "werobot" in apps:
        head += f" {'×WeRoBot':>9}"
    if "flask" in apps:
        head += f" {'×Flask':>7}"
    print(head)
    for kind in kinds:
        for level in levels:
            line = f"{KINDS[kind][0][:44]:44} {level:>3} "
            for app in apps:
                r = results[(app, kind, level)]
                line += f" {r['rps']:14.0f} {r['p50_us'] / 1000:6.2f}/{r['p99_us'] / 1000:<6.2f} {r['errors']:>4}"
            mine = rounds.get(("gonglian", kind, level))
            for base in ("werobot", "flask"):
                if base in apps and mine:
                    theirs = rounds[(base, kind, level)]
                    line += f" {_median([m['rps'] / t['rps'] for m, t in zip(mine, theirs)]):8.2f}×"
            print(line)
    print("\nCPU per request, µs (medians over the rounds): the app's gunicorn processes (of them in the"
          " kernel), every PostgreSQL process, Redis, wrk\n")
    print(f"{'message':44} {'c':>3} " + " ".join(f"{a:>35}" for a in apps))
    for kind in kinds:
        for level in levels:
            line = f"{KINDS[kind][0][:44]:44} {level:>3} "
            for app in apps:
                cpu = results[(app, kind, level)]["cpu_us"]
                line += (f" {cpu['app']:6.0f} ({cpu['app_system']:4.0f}) {cpu['postgres']:6.0f} {cpu['redis']:6.0f}"
                         f" {cpu['wrk']:6.0f}")
            print(line)
    print("\nRSS per gunicorn worker after the run (MB): "
          + "; ".join(f"{app} {', '.join(map(str, sizes))}" for app, sizes in rss.items()))


if __name__ == "__main__":
    main()
