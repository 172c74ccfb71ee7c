"""Nearest service positions at scale: 100,000 positions across Hebei, on SQLite and PostgreSQL.

Builds a throw-away database per backend with the migrations, loads the positions (two thirds
clustered around the county seats, where couriers work, one third anywhere in the province;
a tenth suspended or closed), then times what the bot does for a location message:
`service.positions.nearby.find_nearest` (the three nearest open positions, loaded) and the
whole reply text (`service.positions.answers.nearest_reply`), for random points (half near a
county seat, half anywhere, some in the mountains far from any seat). Prints p50/p95/p99/max
in milliseconds; the target is p99 < 20 ms for the three nearest.

    .venv/bin/python bench/positions.py                          # both backends, 100,000 positions
    .venv/bin/python bench/positions.py --backend sqlite --positions 20000 --queries 500
    .venv/bin/python bench/positions.py --pg postgresql://postgres@127.0.0.1:5432   # server to use
"""
import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FACILITIES = ("water", "charging", "microwave", "toilet", "rest", "first_aid", "wifi", "legal_consultation")
KINDS = ("outdoor_station", "outdoor_station", "outdoor_station", "activity_venue", "federation_office",
         "legal_aid_point", "shared_space")
HOURS = [
    {"weekly": {str(d): ["08:00-20:00"] for d in range(1, 8)}, "holidays": "weekly", "holiday_hours": [], "exceptions": {}},
    {"weekly": {str(d): ["00:00-24:00"] for d in range(1, 8)}, "holidays": "weekly", "holiday_hours": [], "exceptions": {}},
    {"weekly": {**{str(d): ["08:30-12:00", "14:30-17:30"] for d in range(1, 6)}, "6": [], "7": []},
     "holidays": "closed", "holiday_hours": [], "exceptions": {}},
    {"weekly": {str(d): ["18:00-08:00"] for d in range(1, 8)}, "holidays": "weekly", "holiday_hours": [], "exceptions": {}},
]


def seats():
    from service.positions import areas

    centres = areas._centres()
    return [(code, *centres[code]) for code in areas.county_boxes()]


def random_point(rng, seat_list, near_seat: bool):
    """(region, lat, lng): near a county seat (within ~8 km), or anywhere in Hebei's counties."""
    from service.positions import areas

    if near_seat:
        code, lat, lng = rng.choice(seat_list)
        r = 8 * math.sqrt(rng.random())
        theta = rng.random() * 2 * math.pi
        return code, lat + r * math.cos(theta) / 111.2, lng + r * math.sin(theta) / (111.2 * math.cos(math.radians(lat)))
    box = areas.bounds("130000")
    while True:
        lat, lng = rng.uniform(box.south, box.north), rng.uniform(box.west, box.east)
        code = areas.area_of(lat, lng)
        if code:
            return code, lat, lng


def load(app, n: int, rng) -> None:
    from sqlalchemy import insert

    from models.base import utcnow
    from models.position import Position
    from service.federations import tree as federations
    from service.extensions import db

    with app.app_context():
        owner = federations.create_federation(name="河北省总工会", kind="upper", level="province", region_code="130000")
        db.session.commit()
        seat_list, now, rows = seats(), utcnow(), []
        for i in range(n):
            code, lat, lng = random_point(rng, seat_list, near_seat=rng.random() < 2 / 3)
            status = "open" if rng.random() < 0.9 else rng.choice(("suspended", "closed"))
            rows.append({"federation_id": owner.id, "name": f"驿站{i}", "kind": rng.choice(KINDS), "address": "河北省",
                         "region_code": code, "latitude": lat, "longitude": lng, "hours": rng.choice(HOURS),
                         "facilities": rng.sample(FACILITIES, rng.randint(1, 6)), "photos": [], "status": status,
                         "status_changed_at": now, "created_at": now, "updated_at": now})
            if len(rows) == 5000:
                db.session.execute(insert(Position), rows)
                rows.clear()
        if rows:
            db.session.execute(insert(Position), rows)
        db.session.commit()
        from sqlalchemy import text

        # what autovacuum does on its own after a bulk load: statistics, and (PostgreSQL) the
        # visibility map that lets the nearest search read the index alone
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE positions" if conn.dialect.name == "postgresql" else "ANALYZE"))


def percentiles(samples):
    samples = sorted(samples)
    pick = lambda q: samples[min(len(samples) - 1, max(0, math.ceil(q * len(samples)) - 1))]  # noqa: E731
    return statistics.median(samples), pick(0.95), pick(0.99), samples[-1]


def measure(app, queries: int, rng):
    from service.extensions import db
    from service.positions.answers import nearest_reply
    from service.positions.nearby import find_nearest

    seat_list = seats()
    points = [random_point(rng, seat_list, near_seat=i % 2 == 0)[1:] for i in range(queries)]
    out = {}
    with app.test_request_context():
        for name, fn in (("find_nearest (3)", lambda p: find_nearest(*p)),
                         ("whole reply text", lambda p: nearest_reply(*p))):
            for p in points[:20]:  # warm-up: caches, prepared plans
                fn(p)
            samples, cpu, answered = [], [], 0
            for p in points:
                started, started_cpu = time.perf_counter(), time.process_time()
                result = fn(p)
                samples.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                answered += bool(result)
                db.session.rollback()
            out[name] = (percentiles(samples), percentiles(cpu), answered)
    return out


def run_backend(backend: str, url: str, args) -> dict:
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from service.app import create_app
    from service.config import _database_url
    from service.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": _database_url(), "TESTING": True,
                      "PUBLIC_BASE_URL": "http://bench.local"})
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    load(app, args.positions, random.Random(16))
    print(f"[{backend}] loaded {args.positions:,} positions in {time.perf_counter() - started:.0f} s", flush=True)
    print(f"[{backend}] load average before timing: {os.getloadavg()[0]:.1f}", flush=True)
    results = measure(app, args.queries, random.Random(61))
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--positions", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server (no database)")
    args = parser.parse_args()
    report = {}
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            report["sqlite"] = run_backend("sqlite", f"sqlite:///{tmp}/bench.sqlite3", args)
    if args.backend in ("postgresql", "both"):
        import psycopg

        dbname = f"gl_bench_positions_{os.getpid()}"
        with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{dbname}"')
        try:
            report["postgresql"] = run_backend("postgresql", f"{args.pg}/{dbname}", args)
        finally:
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    print(f"\n{args.positions:,} positions, {args.queries:,} query points (half near a county seat, half anywhere); "
          f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("wall-clock ms (what WeChat waits for), and this process's CPU ms (the work, less the machine's load)")
    print(f"{'backend':<11} {'what':<18} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'cpu p50':>8} {'cpu p99':>8} "
          f"{'answered':>9}")
    worst = 0.0
    for backend, results in report.items():
        for what, ((p50, p95, p99, top), (c50, _, c99, _), answered) in results.items():
            print(f"{backend:<11} {what:<18} {p50:7.2f} {p95:7.2f} {p99:7.2f} {top:7.2f} {c50:8.2f} {c99:8.2f} "
                  f"{answered:>9,}")
            if what.startswith("find_nearest"):
                worst = max(worst, p99)
    print(f"\nworst p99 of the three nearest: {worst:.2f} ms (target < 20 ms): {'OK' if worst < 20 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
