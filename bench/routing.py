"""Routing at scale: 10,000 federations and 50,000 coverage rules (plus an upper union for
every province, city and county, 20,000 open requests and 2,000 members), then route()
for random workplaces. Prints decisions per second and p50/p99 latency of route(), without
the cache (every call queries coverage) and with it (a cold pass that fills it, then a warm
pass, then a warm pass where route() is the first statement of its transaction).

    .venv/bin/python bench/routing.py --database-url sqlite:///
    .venv/bin/python bench/routing.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

For PostgreSQL the URL names the server (and a database to connect to); the benchmark
creates a throw-away database next to it and drops it at the end. For SQLite it uses a
temporary file. Not part of the test suite.
"""
import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402


def throwaway_database(url: str):
    """(the URL to use, a clean-up function)."""
    if url.startswith("sqlite"):
        folder = tempfile.mkdtemp(prefix="gl-bench-")
        return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, ignore_errors=True)
    server = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1)
                      if url.startswith("postgresql://") else url)
    name = f"gl_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def populate(n_federations: int, n_rules: int, rng: random.Random) -> list[tuple[str, str | None]]:
    """Fill the database; answer the (region, industry) of every federation (for sampling)."""
    from models.federation import CoverageRule, Federation, bump_routing_version
    from models.membership import Membership
    from models.request import HelpRequest
    from models.worker import Worker
    from service import refdata
    from service.routing import router as routing
    from service.extensions import db

    regions = refdata._regions()[0]
    industries = refdata._industries()[0]
    now = datetime(2026, 1, 1)
    rows, ids = [], {}
    upper_codes = sorted(c for c, r in regions.items() if r.level in ("province", "city", "county"))
    for n, code in enumerate(upper_codes, start=1):
        region = regions[code]
        parent = ids.get(region.parent_code)
        ids[code] = n
        rows.append({"id": n, "name": f"upper-{code}", "kind": "upper", "level": region.level,
                     "parent_id": parent, "region_code": code, "status": "active", "priority": 0,
                     "own_funds": False, "many_women": False, "has_funds_committee": False,
                     "has_women_committee": False, "created_at": now, "updated_at": now})
    places = [c for c, r in regions.items() if r.level in ("county", "township")]
    classes = [c for c, i in industries.items() if i.level in ("group", "class")]
    feds = []
    for k in range(n_federations):
        n = len(upper_codes) + k + 1
        code = rng.choice(places)
        region = regions[code]
        county = code if region.level == "county" else region.parent_code
        industry = rng.choice(classes)[:rng.choice((3, 4, 5))] if rng.random() < 0.7 else None
        industry = industry if industry is None or industry in industries else industry[:3]
        status = rng.choices(("active", "preparing", "dissolved"), (90, 5, 5))[0]
        feds.append((n, code, industry))
        rows.append({"id": n, "name": f"fed-{k}", "kind": "industry" if industry else "regional",
                     "level": region.level, "parent_id": ids.get(county), "region_code": code,
                     "industry_code": industry, "status": status, "priority": rng.choice((0, 0, 0, 1)),
                     "own_funds": False, "many_women": False, "has_funds_committee": False,
                     "has_women_committee": False, "created_at": now, "updated_at": now})
    db.session.execute(insert(Federation), rows)
    rules, seen = [], set()
    while len(rules) < n_rules:
        n, code, industry = rng.choice(feds)
        children = refdata.region_children(code)
        place = rng.choice(children).code if children and rng.random() < 0.5 else code
        rule_industry = industry
        if industry:
            below = [c for c in industries if c.startswith(industry)]
            rule_industry = routing.industry_prefix(rng.choice(below))
        key = (n, routing.region_prefix(place), rule_industry)
        if key not in seen:
            seen.add(key)
            rules.append({"federation_id": n, "region_prefix": key[1], "industry_prefix": rule_industry,
                          "created_at": now})
    for start in range(0, len(rules), 5000):
        db.session.execute(insert(CoverageRule), rules[start:start + 5000])
    workers = [{"id": w, "openid": f"bench-{w}", "subscribed": True, "created_at": now, "updated_at": now}
               for w in range(1, 2001)]
    db.session.execute(insert(Worker), workers)
    db.session.execute(insert(Membership), [
        {"worker_id": w, "federation_id": rng.choice(feds)[0], "member_no": f"B{w:06d}", "status": "active",
         "live_key": w, "joined_at": now, "created_at": now, "updated_at": now} for w in range(1, 2001)])
    requests = [{"number": f"BQ{r:07d}", "worker_id": rng.randint(1, 2000), "federation_id": rng.choice(feds)[0],
                 "type": "mediation", "status": rng.choice(("new", "in_progress", "closed")), "incoming": False,
                 "employer_name": "x", "region_code": "130102", "industry_code": "G6020", "facts": "x",
                 "wants": "x", "details": {}, "overdue": False, "escalated": False, "limitation_warning": False,
                 "created_at": now, "updated_at": now} for r in range(20000)]
    for start in range(0, len(requests), 5000):
        db.session.execute(insert(HelpRequest), requests[start:start + 5000])
    bump_routing_version(db.session)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        max_id = len(rows)
        db.session.execute(text(f"SELECT setval('federations_id_seq', {max_id})"))
        db.session.commit()
    return [(code, industry) for _, code, industry in feds]


def sample_inputs(feds, n: int, rng: random.Random) -> list[tuple[str, str | None, int | None]]:
    from service import refdata

    regions = [c for c, r in refdata._regions()[0].items() if r.level in ("county", "township")]
    classes = [c for c, i in refdata._industries()[0].items() if i.level == "class"]
    out = []
    for _ in range(n):
        if rng.random() < 0.8:  # a workplace where some federation sits
            code, industry = rng.choice(feds)
            children = refdata.region_children(code)
            code = rng.choice(children).code if children and rng.random() < 0.5 else code
            below = [c for c in classes if industry and c.startswith(industry)]
            industry = rng.choice(below) if below else rng.choice(classes)
        else:  # anywhere, any industry (or none)
            code, industry = rng.choice(regions), rng.choice(classes + [None])
        out.append((code, industry, rng.choice((None, rng.randint(1, 2000)))))
    return out


def measure(inputs, *, fresh_transaction: bool = False) -> dict:
    """Time route() alone. Each decision runs in its own transaction, which a web request
    has normally begun already (it looked the worker up first): the transaction is begun
    before the clock starts, unless `fresh_transaction` (then route() pays for the pool
    checkout with its pre-ping and BEGIN)."""
    from service.routing import router as routing
    from service.extensions import db

    timings, reasons, by_kind = [], {"coverage": 0, "fallback": 0}, {}
    for region, industry, worker in inputs:
        if not fresh_transaction:
            db.session.execute(text("SELECT 1"))
        started = time.perf_counter()
        decision = routing.route(region, industry, "mediation", worker)
        timings.append(time.perf_counter() - started)
        reasons[decision.reason] += 1
        by_kind.setdefault("tie (2nd statement)" if decision.tie_break else "no tie", []).append(timings[-1])
        db.session.rollback()  # each decision in its own transaction, as in a web request
    timings.sort()
    tails = {kind: (len(t), sorted(t)[int(len(t) * 0.99) - 1] * 1000) for kind, t in by_kind.items() if t}
    return {"tails": tails, "per_second": len(timings) / sum(timings), "p50": statistics.median(timings) * 1000,
            "p99": timings[int(len(timings) * 0.99) - 1] * 1000, "max": timings[-1] * 1000, **reasons}


def baseline(n: int) -> dict:
    """The floor the machine sets: one bare round trip (SELECT 1) in an open transaction."""
    from service.extensions import db

    timings = []
    for _ in range(n):
        db.session.execute(text("SELECT 1"))
        connection = db.session.connection()
        started = time.perf_counter()
        connection.exec_driver_sql("SELECT 1").scalar()
        timings.append(time.perf_counter() - started)
        db.session.rollback()
    timings.sort()
    return {"per_second": len(timings) / sum(timings), "p50": statistics.median(timings) * 1000,
            "p99": timings[int(len(timings) * 0.99) - 1] * 1000, "max": timings[-1] * 1000,
            "coverage": "-", "fallback": "-", "tails": {}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="sqlite:/// or postgresql://user@host:port/db")
    parser.add_argument("--federations", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--verbose", action="store_true", help="p99 of decisions with and without a tie")
    args = parser.parse_args()
    url, cleanup = throwaway_database(args.database_url)
    try:
        os.environ["DATABASE_URL"] = url
        from flask_migrate import upgrade

        from service.routing import cache as routing_cache
        from service.app import create_app
        from service.config import _database_url

        app = create_app({"SQLALCHEMY_DATABASE_URI": _database_url()})
        import logging

        logging.getLogger("alembic").setLevel(logging.WARNING)
        with app.app_context():
            from service.extensions import db

            upgrade()
            rng = random.Random(args.seed)
            started = time.perf_counter()
            feds = populate(args.federations, args.rules, rng)
            print(f"database: {app.extensions['sqlalchemy'].engines[None].dialect.name}; loaded "
                  f"{args.federations} federations, {args.rules} rules in {time.perf_counter() - started:.1f}s")
            inputs = sample_inputs(feds, args.decisions, rng)
            measure(inputs[:200])  # warm the connection pool and the reference data
            routing_cache.enabled = False
            results = {"no cache": measure(inputs)}
            routing_cache.enabled = True
            routing_cache.clear()
            results["cache, first pass"] = measure(inputs)
            results["cache, warm"] = measure(inputs)
            results["warm, new transaction"] = measure(inputs, fresh_transaction=True)
            results["baseline: SELECT 1"] = baseline(args.decisions)
            print(f"{'mode':<22}{'decisions/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}   coverage/fallback")
            for mode, r in results.items():
                print(f"{mode:<22}{r['per_second']:>12.0f}{r['p50']:>9.3f}{r['p99']:>9.3f}{r['max']:>9.2f}"
                      f"   {r['coverage']}/{r['fallback']}")
            if args.verbose:
                for mode, r in results.items():
                    print(mode, {k: f"n={n} p99={p:.3f}ms" for k, (n, p) in r["tails"].items()})
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
