"""Instructions per callback request, counted by valgrind's callgrind: repeatable on a noisy
machine where req/s and CPU seconds are not (the count does not depend on what else runs).

One kind of message (bench/callback.py's kinds) is sent N times in-process through the app's
WSGI callable, against an own PostgreSQL database (and Redis unless --no-redis); the run is
counted twice, with N and with 0 requests, and the difference divided by N is printed.

    .venv/bin/python bench/callback_instructions.py scan
    .venv/bin/python bench/callback_instructions.py scan --no-redis --requests 400

Needs valgrind (Debian's package). One count takes a few minutes (startup under valgrind).
"""
import argparse
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def drive(kind: str, count: int, scene: str, run: int) -> None:
    """Inside valgrind: 50 warm-up requests (connections, prepared statements), then `count`."""
    from bench.callback import message_xml, post_in_process, signed
    from wsgi import app

    requests = []
    for n in range(count + 50):
        path, body = signed(kind, message_xml(kind, 0, n, run, scene))
        requests.append((path.split("?", 1)[1], body.encode()))
    for query, body in requests:
        post_in_process(app, query, body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--drive", nargs=3, help=argparse.SUPPRESS)  # count scene run: inside valgrind
    args = parser.parse_args()
    if args.drive:
        drive(args.kind, int(args.drive[0]), args.drive[1], int(args.drive[2]))
        return
    from bench.callback import prepare_backend

    args.backend, args.workers = "postgres", 2
    with tempfile.TemporaryDirectory() as workdir:
        env, cleanup = prepare_backend(args, Path(workdir))
        try:
            env["WECHAT_CONTACT_FLUSH_SECONDS"] = "3600"  # the write-behind thread stays out of the count
            if args.no_redis:
                env.pop("REDIS_URL")
            counts = {}
            for count in (0, args.requests):
                out = Path(workdir) / f"callgrind.{count}"
                argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__,
                        args.kind, "--drive", str(count), env["BENCH_SCENE"], str(random.randrange(1, 99999))]
                log = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True).stderr
                found = re.search(r"Collected : (\d+)", log)
                if found is None:
                    raise SystemExit(log[-2000:])
                counts[count] = int(found.group(1))
        finally:
            cleanup()
    per_request = (counts[args.requests] - counts[0]) / args.requests
    store = "PostgreSQL" + ("" if args.no_redis else " + Redis")
    print(f"{args.kind} ({store}): {per_request:,.0f} instructions per request (callgrind, {args.requests} requests)")


if __name__ == "__main__":
    main()
