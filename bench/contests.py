"""Sign-up burst against a running server: N workers sign up at once for fewer places.

    DATABASE_URL=... SECRET_KEY=... .venv/bin/python bench/contests.py http://127.0.0.1:8000 \
        [--workers 400] [--capacity 100] [--concurrency 16]

Run it with the server's own DATABASE_URL and SECRET_KEY: it needs them to set itself up.
 * staff: a bench federation and the staff account "bench-contests" (created once, in the
   database, given a fresh random password each run); the contest is then created and
   published through the staff API like the console does;
 * workers: each is a phone whose openid the H5 OAuth flow has "already learned" — a session
   cookie {"openid": "bench-<run>-<n>"} signed with SECRET_KEY (what Flask signs after OAuth);
   one GET /api/auth/session per phone fetches its CSRF token before the burst.
Only the burst of POST /api/contests/<id>/signup is timed (bounded by --concurrency threads).
Then it checks: exactly `capacity` confirmed, the rest waitlisted, seq 1..N without gaps or
duplicates, places before the waitlist, waitlist in arrival (insert) order.
Loopback only. Each sign-up queues one outbox message (to an openid nobody has).
"""
import argparse
import os
import secrets
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
FEDERATION = "石家庄市长安区基准测试行业工会联合会"
STAFF = "bench-contests"


def prepare_staff(app) -> str:
    """The bench federation and staff account; answers this run's password."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from models.federation import Federation
    from models.staff import Staff
    from service.federations import tree as federations
    from service.staff import accounts as staff_service
    from service.extensions import db

    password = secrets.token_urlsafe(16)
    with app.app_context():
        federation = db.session.scalar(select(Federation).where(Federation.name == FEDERATION))
        if federation is None:  # under the demo county union (`flask demo seed`), or a union of its own
            parent = db.session.scalar(select(Federation).where(Federation.kind == "upper",
                                                                Federation.region_code == "130102"))
            if parent is None:
                parent = federations.create_federation(name="石家庄市长安区基准测试总工会", kind="upper",
                                                       level="county", region_code="130102")
            federation = federations.create_federation(name=FEDERATION, kind="industry", level="county",
                                                       region_code="130102", industry_code="G6020",
                                                       parent_id=parent.id)
        account = db.session.scalar(select(Staff).where(Staff.username == STAFF))
        if account is None:
            account = staff_service.create_staff(username=STAFF, password=password, federation_id=federation.id,
                                                 role="chair", display_name="基准测试")
        account.password_hash = generate_password_hash(password)
        account.failed_logins, account.locked_until = 0, None
        db.session.commit()
    return password


def create_contest(base: str, password: str, capacity: int, run: str) -> tuple[int, requests.Session]:
    staff = requests.Session()
    token = staff.get(f"{base}/api/auth/session", timeout=10).json()["csrf_token"]
    login = staff.post(f"{base}/api/auth/login", json={"username": STAFF, "password": password},
                       headers={"X-CSRF-Token": token}, timeout=10)
    login.raise_for_status()
    token = login.json()["csrf_token"]
    staff.headers["X-CSRF-Token"] = token
    now = time.time()
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
    body = {"title": f"基准测试竞赛 {run}", "industry_code": "G6020", "venue": "压测", "capacity": capacity,
            "starts_at": iso(now + 10 * 86400), "registration_opens_at": iso(now - 60),
            "registration_closes_at": iso(now + 7 * 86400), "members_only": False, "eligibility": {"scope": "any"}}
    created = staff.post(f"{base}/api/staff/contests", json=body, timeout=10)
    created.raise_for_status()
    contest_id = created.json()["id"]
    staff.post(f"{base}/api/staff/contests/{contest_id}/publish", timeout=10).raise_for_status()
    return contest_id, staff


def phones(app, base: str, run: str, n: int, concurrency: int) -> list[requests.Session]:
    """One HTTP session per worker, with a signed OAuth session cookie and its CSRF token."""
    signer = app.session_interface.get_signing_serializer(app)
    host = urlparse(base).hostname

    def one(i: int) -> requests.Session:
        s = requests.Session()
        s.cookies.set(app.config.get("SESSION_COOKIE_NAME", "session"), signer.dumps({"openid": f"bench-{run}-{i}"}),
                      domain=host, path="/")
        # no idle keep-alive connection left behind: the server would close it before the burst
        reply = s.get(f"{base}/api/auth/session", headers={"Connection": "close"}, timeout=10)
        s.headers["X-CSRF-Token"] = reply.json()["csrf_token"]
        return s

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(n)))


def burst(base: str, contest_id: int, sessions: list[requests.Session], concurrency: int):
    latencies, codes, lock = [], {}, threading.Lock()
    gate = threading.Event()

    def sign_up(i_s):
        i, s = i_s
        gate.wait()
        started = time.perf_counter()
        r = s.post(f"{base}/api/contests/{contest_id}/signup", json={"name": f"职工{i}", "phone": "13900000000"},
                   timeout=60)
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            codes[r.status_code] = codes.get(r.status_code, 0) + 1

    with ThreadPoolExecutor(concurrency) as pool:
        futures = [pool.submit(sign_up, pair) for pair in enumerate(sessions)]
        started = time.perf_counter()
        gate.set()
        for f in futures:
            f.result()
        wall = time.perf_counter() - started
    return wall, latencies, codes


def verify(app, contest_id: int, n: int, capacity: int) -> list[str]:
    from sqlalchemy import select

    from models.contest import Contest, Signup
    from service.extensions import db

    problems = []
    with app.app_context():
        rows = list(db.session.scalars(select(Signup).where(Signup.contest_id == contest_id).order_by(Signup.id)))
        contest = db.session.get(Contest, contest_id)
        confirmed = [s.seq for s in rows if s.status == "confirmed"]
        waiting = [s.seq for s in rows if s.status == "waitlisted"]
        if len(confirmed) != min(n, capacity) or len(waiting) != max(0, n - capacity):
            problems.append(f"confirmed {len(confirmed)} / waitlisted {len(waiting)}")
        if sorted(s.seq for s in rows) != list(range(1, len(rows) + 1)):
            problems.append("seq has gaps or duplicates")
        if confirmed and waiting and max(confirmed) > min(waiting):
            problems.append("a waitlisted sign-up arrived before a confirmed one")
        if [s.seq for s in rows] != sorted(s.seq for s in rows):
            problems.append("seq order differs from arrival (insert) order")
        if len({s.worker_id for s in rows}) != len(rows):
            problems.append("duplicate workers")
        if (contest.confirmed_count, contest.waitlisted_count) != (len(confirmed), len(waiting)):
            problems.append("contest counters disagree with the rows")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("--workers", type=int, default=400)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    base = args.url.rstrip("/")
    if urlparse(base).hostname not in LOOPBACK:
        parser.error("loopback only (127.0.0.1, localhost, ::1)")
    if not os.environ.get("DATABASE_URL") or not os.environ.get("SECRET_KEY"):
        parser.error("set DATABASE_URL and SECRET_KEY to the server's")

    from service.app import create_app

    app = create_app()
    run = secrets.token_hex(3)
    contest_id, staff = create_contest(base, prepare_staff(app), args.capacity, run)
    sessions = phones(app, base, run, args.workers, args.concurrency)
    wall, latencies, codes = burst(base, contest_id, sessions, args.concurrency)
    roster = staff.get(f"{base}/api/staff/contests/{contest_id}/signups", params={"per_page": 1}, timeout=10).json()
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"contest {contest_id}: {args.workers} workers, {args.capacity} places, {args.concurrency} concurrent")
    print(f"sign-ups: {len(latencies)} in {wall:.2f} s = {len(latencies) / wall:.1f} sign-ups/s")
    print(f"latency: median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms; HTTP {dict(sorted(codes.items()))}")
    print(f"roster: confirmed {roster['counts'].get('confirmed', 0)}, waitlisted {roster['counts'].get('waitlisted', 0)}")
    problems = verify(app, contest_id, args.workers, args.capacity)
    print("checks: " + ("ok (exact places, seq 1..N without gaps, waitlist in arrival order)" if not problems
                        else "FAILED: " + "; ".join(problems)))
    return 1 if problems or set(codes) != {201} else 0


if __name__ == "__main__":
    sys.exit(main())
