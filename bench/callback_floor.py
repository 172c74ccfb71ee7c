"""What a callback request costs in CPU, in-process, against what its side effect must cost at least.

The issue's target for messages with side effects (a follow, a poster scan) is 0.6× WeRoBot's
req/s. On a machine whose two cores run the app, PostgreSQL and Redis together, req/s follows the
CPU a request costs all of them, so this prints, per request, the CPU of one thread
(time.thread_time, the least of --rounds rounds of --requests: the least is the run the
machine's neighbours disturbed least):

- Gonglian's keyword text and poster scan through the WSGI app (PostgreSQL + Redis, and
  PostgreSQL alone), and WeRoBot's echo of both (bench/apps/werobot_echo.py);
- the floor of a durable write: the client side alone of one Redis `SET NX EX` (redis-py) and one
  one-row statement (psycopg), without the servers' own CPU.

    .venv/bin/python bench/callback_floor.py
    .venv/bin/python bench/callback_floor.py --requests 2000 --rounds 5

Needs WeRoBot in the venv (pip install werobot==1.13.1; not a requirement of the service).
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def least_cpu(run, rounds: int, requests: int) -> float:
    """µs of this thread's CPU per call of run(i), the least of `rounds` rounds."""
    for i in range(min(200, requests)):  # warm-up: connections, prepared statements, caches
        run(-1 - i)
    best = float("inf")
    for r in range(rounds):
        start = time.thread_time()
        for i in range(requests):
            run(r * requests + i)
        best = min(best, time.thread_time() - start)
    return best / requests * 1e6


def through_wsgi(app, kind: str, scene: str, rounds: int, requests: int) -> float:
    from bench.callback import message_xml, post_in_process, signed

    run_id = random.randrange(1, 99999)
    prepared = {}
    for i in [-1 - n for n in range(min(200, requests))] + list(range(rounds * requests)):
        path, body = signed(kind, message_xml(kind, 0, i + 10_000, run_id, scene))
        prepared[i] = (path.split("?", 1)[1], body.encode())

    return least_cpu(lambda i: post_in_process(app, *prepared[i]), rounds, requests)


def inner(which: str, rounds: int, requests: int) -> None:
    """In a child process (its own imports and environment): print 'label µs' lines."""
    scene = os.environ.get("BENCH_SCENE", "fed:1")
    if which == "werobot":
        from bench.apps.werobot_echo import app
    else:
        from wsgi import app
    for kind in ("keyword", "scan"):
        print(f"{kind} {through_wsgi(app, kind, scene, rounds, requests):.0f}", flush=True)
    if which == "clients":
        import psycopg
        import redis

        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        prefix = os.environ["REDIS_PREFIX"] + "floor:"
        print(f"redis {least_cpu(lambda i: client.set(f'{prefix}{i}', '1', nx=True, ex=60), rounds, requests):.0f}")
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            print(f"psycopg {least_cpu(lambda i: conn.execute('SELECT %s::bigint', (i,)), rounds, requests):.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.inner, args.rounds, args.requests)
        return
    from bench.callback import prepare_backend

    args.backend, args.workers = "postgres", 2
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        env, cleanup = prepare_backend(args, Path(workdir))
        env["WECHAT_CONTACT_FLUSH_SECONDS"] = "3600"  # the write-behind thread stays out of the count
        try:
            runs = {"gonglian_redis": ("clients", env), "gonglian_pg": ("gonglian", {**env, "REDIS_URL": ""}),
                    "werobot": ("werobot", env)}
            for name, (which, run_env) in runs.items():
                out = subprocess.run([sys.executable, __file__, "--inner", which, "--rounds", str(args.rounds),
                                      "--requests", str(args.requests)], cwd=ROOT, env=run_env, check=True,
                                     capture_output=True, text=True).stdout
                for line in out.split("\n"):
                    if line.strip():
                        label, value = line.split()
                        results[(name, label)] = float(value)
        finally:
            cleanup()
    werobot = results[("werobot", "keyword")]
    print(f"\nCPU per request, one thread, in-process (least of {args.rounds} rounds of {args.requests})")
    print(f"{'':44} {'µs':>6} {'× WeRoBot keyword':>18}")
    rows = [("WeRoBot echo, keyword text", ("werobot", "keyword")),
            ("WeRoBot echo, SCAN event", ("werobot", "scan")),
            ("Gonglian keyword (PostgreSQL + Redis)", ("gonglian_redis", "keyword")),
            ("Gonglian scan (PostgreSQL + Redis)", ("gonglian_redis", "scan")),
            ("Gonglian keyword (PostgreSQL alone)", ("gonglian_pg", "keyword")),
            ("Gonglian scan (PostgreSQL alone)", ("gonglian_pg", "scan")),
            ("floor: one Redis SET NX EX, client side", ("gonglian_redis", "redis")),
            ("floor: one psycopg statement, client side", ("gonglian_redis", "psycopg"))]
    for label, key in rows:
        print(f"{label:44} {results[key]:6.0f} {results[key] / werobot:18.2f}")
    budget = werobot / 0.6
    floor = results[("gonglian_redis", "keyword")] + results[("gonglian_redis", "redis")] + \
        results[("gonglian_redis", "psycopg")]
    print(f"\n0.6× WeRoBot leaves a scan {budget:.0f} µs of CPU for everything, servers included; a keyword's "
          f"work plus the two client calls alone take {floor:.0f} µs.")


if __name__ == "__main__":
    main()
