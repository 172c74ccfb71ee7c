"""Statistics at provincial scale: 1,000,000 help requests, 2,000,000 members (with their
applications) and 10,000 federations on PostgreSQL.

Creates its own throw-away database, builds the schema with the migrations, bulk-loads with
COPY (real Hebei region codes: 1 province, 11 cities, their counties, federations spread over
them; 15% of requests and applications fell back to a county union), then builds the monthly
rollups once with the real job (service.stats.rollup.refresh_rollups — timed), touches 1,000
requests and times an incremental run, and finally times every statistic of the console / API
(service.stats.*) for a federation, a county, a city and the province over a month and a year.
Prints p50/p95 in milliseconds; target p95 < 300 ms. Drops the database at the end (--keep
keeps it; --reuse NAME times a kept one again without loading).

    .venv/bin/python bench/stats.py                                   # the full size
    .venv/bin/python bench/stats.py --requests 50000 --members 100000 --federations 1000   # quick
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

TYPES = ("wage_arrears", "mediation", "legal_aid", "work_injury", "consultation")
FORMS = ("employee", "platform", "flexible")
INDUSTRIES = ("G6020", "H6242", "G5430", "E4710", "O8010", "C3911", "F5123", "I6510", "M7320", "S9221")
NOW = datetime(2026, 11, 25, 2, 0)
SPAN_DAYS = 2 * 365
FALLBACK = 0.15


def admin_url(base: str, dbname: str) -> str:
    return f"{base.rstrip('/')}/{dbname}"


def tsv(rows) -> str:
    return "".join("\t".join("\\N" if v is None else str(v) for v in row) + "\n" for row in rows)


def copy(conn, table: str, columns: tuple, rows, chunk: int = 50_000) -> int:
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                out.write(tsv(batch))
                count += len(batch)
                batch.clear()
        if batch:
            out.write(tsv(batch))
            count += len(batch)
    return count


def stamp(moment: datetime | None) -> str | None:
    return moment.isoformat(sep=" ") if moment else None


def build_tree(federations: int):
    """(id, name, kind, level, region, industry, parent): the province, 11 cities, their counties
    (real GB/T 2260 codes) and `federations` industry federations spread over the counties."""
    from service import refdata

    nodes = [(1, "河北省总工会", "upper", "province", "130000", None, None)]
    counties, next_id = [], 2
    for city in [c for c in refdata.region_children("130000") if c.code != "133100"]:
        city_id = next_id
        nodes.append((city_id, city.name + "总工会", "upper", "city", city.code, None, 1))
        next_id += 1
        for county in refdata.region_children(city.code):
            if county.level != "county":
                continue
            nodes.append((next_id, f"{city.name}{county.name}总工会", "upper", "county", county.code, None, city_id))
            counties.append((next_id, county.code))
            next_id += 1
    feds = []
    for n in range(federations):
        county_id, code = counties[n % len(counties)]
        industry = INDUSTRIES[n % len(INDUSTRIES)]
        nodes.append((next_id, f"基准测试第{n + 1}号行业工会联合会", "industry", "county", code, industry, county_id))
        feds.append((next_id, code, industry))
        next_id += 1
    return nodes, counties, feds


def _indexes(conn, table: str) -> list[str]:
    """Drop the indexes of `table` that back no constraint; answers their definitions."""
    with conn.cursor() as cur:
        cur.execute("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                    "WHERE indrelid = %s::regclass AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)", (table,))
        found = cur.fetchall()
        for name, _ in found:
            cur.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def load(conn, args, rng):
    now = stamp(NOW)
    nodes, counties, feds = build_tree(args.federations)
    conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
    copy(conn, "federations", ("id", "name", "kind", "level", "region_code", "industry_code", "parent_id", "status",
                               "own_funds", "many_women", "has_funds_committee", "has_women_committee", "priority",
                               "created_at", "updated_at"),
         ((i, name, kind, level, region, industry, parent, "active", "f", "f", "f", "f", 0, now, now)
          for i, name, kind, level, region, industry, parent in nodes))
    fed_ids = [f[0] for f in feds]
    # a caseworker per federation (the assignee of its requests) and per county; the personas
    staff = [(f, f"cw{f}", f"办事员{f}", f, "caseworker") for f, *_ in feds]
    staff += [(c, f"cw{c}", f"办事员{c}", c, "caseworker") for c, _ in counties]
    city_id = next(i for i, _, kind, level, *_ in nodes if level == "city")
    personas = {"federation": (PERSONAS["federation"], feds[len(feds) // 2][0], "chair"),
                "county": (PERSONAS["county"], counties[3][0], "admin"),
                "city": (PERSONAS["city"], city_id, "admin"),
                "province": (PERSONAS["province"], 1, "admin")}
    staff += [(sid, f"persona{sid}", label, node, role) for label, (sid, node, role) in personas.items()]
    copy(conn, "staff", ("id", "username", "display_name", "federation_id", "role", "password_hash", "active",
                         "may_view_id", "failed_logins", "created_at", "updated_at"),
         ((sid, user, name, fed, role, "-", "t", "f", 0, now, now) for sid, user, name, fed, role in staff))
    copy(conn, "workers", ("id", "openid", "subscribed", "created_at", "updated_at"),
         ((w, f"o-bench-{w}", "t", now, now) for w in range(1, args.members + args.applications_extra + 1)))

    def when() -> datetime:
        return NOW - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))

    def placed():
        """(inbox, region, industry, routing JSON): a federation, or (fell back) a county union."""
        if rng.random() < FALLBACK:
            county, code = rng.choice(counties)
            return county, code, rng.choice(INDUSTRIES), '{"reason": "fallback"}'
        fed, code, industry = rng.choice(feds)
        return fed, code, industry, '{"reason": "coverage"}'

    def applications():
        for i in range(1, args.members + args.applications_extra + 1):
            fed, region, industry, routing = placed()
            submitted = when()
            status = "approved" if i <= args.members else rng.choice(("pending", "rejected", "correction", "withdrawn"))
            decided = submitted + timedelta(hours=rng.expovariate(1 / 100)) if status in ("approved", "rejected") else None
            if decided and decided > NOW:
                decided = NOW
            due = submitted + timedelta(days=21)
            yield (i, i, fed, status, rng.choice(FORMS), region, industry, "t", "t", "v1", stamp(submitted), "routed",
                   routing, stamp(submitted), stamp(due), stamp(decided), stamp(submitted), stamp(decided or submitted))

    copy(conn, "applications", ("id", "worker_id", "federation_id", "status", "employment_form", "region_code",
                                "industry_code", "declaration", "constitution", "consent_version", "consent_at",
                                "source", "routing", "submitted_at", "due_at", "decided_at", "created_at",
                                "updated_at"), applications())
    conn.commit()
    with conn.cursor() as cur:  # members join from their application (same id, fed and workplace)
        cur.execute("""
            INSERT INTO memberships (id, worker_id, federation_id, member_no, status, live_key, application_id,
                                     joined_at, region_code, industry_code, withdrawn_at, created_at, updated_at)
            SELECT id, worker_id, federation_id, 'HY' || lpad(id::text, 10, '0'),
                   CASE WHEN id %% 50 = 0 THEN 'withdrawn' ELSE 'active' END,
                   CASE WHEN id %% 50 = 0 THEN NULL ELSE worker_id END, id, decided_at, region_code, industry_code,
                   CASE WHEN id %% 50 = 0 THEN LEAST(decided_at + interval '90 days', %s::timestamp) END,
                   decided_at, decided_at
            FROM applications WHERE status = 'approved'""", (now,))
    request_index = _indexes(conn, "help_requests")

    def requests():
        for i in range(1, args.requests + 1):
            fed, region, industry, routing = placed()
            created = when()
            kind = rng.choice(TYPES)
            age = (NOW - created).days
            roll = rng.random()
            if age < 30:
                status = "new" if roll < .2 else "in_progress" if roll < .55 else "resolved" if roll < .9 else "withdrawn"
            else:
                status = "closed" if roll < .8 else "resolved" if roll < .93 else "withdrawn"
            responded = created + timedelta(hours=rng.expovariate(1 / 20)) if status != "new" else None
            done = status in ("resolved", "closed")
            resolved = created + timedelta(hours=rng.expovariate(1 / 200)) if done else None
            outcome = None
            if done:
                if kind == "wage_arrears":
                    outcome = {"result": rng.choice(("resolved", "partial", "referred")),
                               "amount_recovered": f"{rng.randrange(500, 80000)}.00",
                               "workers_covered": rng.randrange(1, 30)}
                elif kind == "mediation":
                    outcome = {"result": "agreement", "amount": f"{rng.randrange(1000, 50000)}.50", "pay_by": "2026-12-01"} \
                        if rng.random() < .6 else {"result": "no_agreement"}
                else:
                    outcome = {"result": "referred" if rng.random() < .2 else "resolved"}
            rating = rng.choice((1, 2, 3, 4, 4, 5, 5, 5)) if done and rng.random() < .3 else None
            assignee = fed if status != "new" else None
            yield (i, f"QZB{i:010d}", rng.randrange(1, args.members + 1), fed, kind, status, assignee, "f",
                   "某公司", region, industry, "欠薪", "支付", "{}", routing,
                   json.dumps(outcome) if outcome else None, rating, stamp(created + timedelta(days=1)),
                   stamp(created + timedelta(days=15)), stamp(responded), stamp(resolved),
                   "t" if rng.random() < .03 else "f", "f", "f", stamp(created), stamp(resolved or created))

    copy(conn, "help_requests", ("id", "number", "worker_id", "federation_id", "type", "status", "assignee_id",
                                 "incoming", "employer_name", "region_code", "industry_code", "facts", "wants",
                                 "details", "routing", "outcome", "rating", "first_response_due", "resolution_due",
                                 "first_responded_at", "resolved_at", "escalated", "overdue", "limitation_warning",
                                 "created_at", "updated_at"), requests())

    def transfers():
        for i in range(1, args.transfers + 1):
            subject = rng.choice(("membership", "request", "request", "application"))
            yield (i, subject, rng.randrange(1, 100000), rng.choice(("transfer", "escalate")) if subject == "request"
                   else "transfer", rng.choice(fed_ids), rng.choice(fed_ids), "基准", stamp(when()))

    copy(conn, "transfers", ("id", "subject_type", "subject_id", "kind", "from_federation_id", "to_federation_id",
                             "reason", "created_at"), transfers())

    def contests():
        for i in range(1, args.contests + 1):
            published = when()
            capacity = rng.randrange(20, 200)
            yield (i, rng.choice(fed_ids), f"技能竞赛{i}", "", "", stamp(published + timedelta(days=20)),
                   stamp(published), stamp(published + timedelta(days=10)), capacity, capacity, rng.randrange(0, 20),
                   capacity, "t", "{}", "[]", "finished", stamp(published), stamp(published), stamp(published))

    copy(conn, "contests", ("id", "federation_id", "title", "description", "venue", "starts_at",
                            "registration_opens_at", "registration_closes_at", "capacity", "confirmed_count",
                            "waitlisted_count", "last_seq", "members_only", "eligibility", "questions", "status",
                            "published_at", "created_at", "updated_at"), contests())
    with conn.cursor() as cur:
        for definition in request_index:
            cur.execute(definition)
        for table in ("applications", "memberships", "help_requests", "transfers", "contests", "staff", "workers",
                      "federations"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    conn.commit()
    conn.autocommit = True
    conn.execute("VACUUM ANALYZE")
    conn.autocommit = False
    return {label: sid for label, (sid, _, _) in personas.items()}


def timed(fn, iterations: int, warmup: int = 2) -> tuple[float, float]:
    from service.extensions import db

    samples = []
    for n in range(warmup + iterations):
        started = time.perf_counter()
        fn()
        elapsed = (time.perf_counter() - started) * 1000
        db.session.rollback()
        if n >= warmup:
            samples.append(elapsed)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]


def build_rollups() -> None:
    from sqlalchemy import func, select, text

    from models.stats import StatsRollup
    from service.extensions import db
    from service.stats import rollup

    started = time.perf_counter()
    months = rollup.refresh_rollups(NOW, rebuild=True)
    db.session.commit()
    rows = db.session.scalar(select(func.count()).select_from(StatsRollup))
    print(f"rollup job, full build: {months} months, {rows:,} rollup rows in {time.perf_counter() - started:.0f} s",
          flush=True)
    db.session.execute(text("ANALYZE stats_rollups"))
    db.session.commit()
    db.session.execute(text("UPDATE help_requests SET status = 'closed', updated_at = now() AT TIME ZONE 'utc' "
                            "WHERE id IN (SELECT id FROM help_requests ORDER BY created_at DESC LIMIT 1000)"))
    db.session.commit()
    started = time.perf_counter()
    months = rollup.refresh_rollups()
    db.session.commit()
    print(f"rollup job, incremental after 1,000 changed requests: {months} month(s) in "
          f"{time.perf_counter() - started:.1f} s", flush=True)


def report(personas: dict, args) -> float:
    from sqlalchemy import func, select

    from models.request import HelpRequest
    from models.staff import Staff
    from service.extensions import db
    from service.staff.scope import in_scope
    from service.stats import figures, live, reports
    from service.stats.periods import make_period

    periods = {"month": make_period("month", "2026-10"), "year": make_period("year", "2026")}
    print(f"\n{'level':<11} {'statistic':<26} {'period':<6} {'requests in scope':>17} {'p50 ms':>8} {'p95 ms':>8}")
    worst = 0.0
    for label, staff_id in personas.items():
        if args.only and label != args.only:
            continue
        viewer = db.session.get(Staff, staff_id)
        in_scope_rows = db.session.scalar(select(func.count()).select_from(HelpRequest)
                                          .where(in_scope(viewer, HelpRequest.federation_id)))
        db.session.rollback()
        for period_name, period in periods.items():
            def node():
                return live.node_for(db.session.get(Staff, staff_id), None)

            statistics_ = [
                ("members & applications", lambda: figures.member_figures(node(), period)),
                ("help requests", lambda: figures.request_figures(node(), period)),
                ("unrouted (next federation)", lambda: figures.gap_figures(node(), period)),
                ("drill-down children", lambda: live.child_figures(node(), period)),
                ("contests", lambda: live.contest_figures(node(), period)),
                ("caseworkers", lambda: live.caseworker_figures(db.session.get(Staff, staff_id), node(), period)),
                ("low ratings", lambda: live.low_ratings(node(), period)),
                ("node and breadcrumbs", lambda: live.describe_node(db.session.get(Staff, staff_id), node())),
            ]
            if period_name == "year":
                statistics_.append(("half-year report (xlsx)", lambda: reports.build_report(
                    node(), make_period("half", "2026-H1"))))
            for name, fn in statistics_:
                p50, p95 = timed(fn, args.iterations)
                worst = max(worst, p95)
                print(f"{label:<11} {name:<26} {period_name:<6} {in_scope_rows:>17,} {p50:>8.1f} {p95:>8.1f}",
                      flush=True)
    print(f"\nworst p95: {worst:.1f} ms (target < 300 ms)")
    return worst


PERSONAS = {"federation": 900_001, "county": 900_002, "city": 900_003, "province": 900_004}


def run(args) -> int:
    rng = random.Random(15)
    dbname = args.reuse or f"gl_bench_stats_{os.getpid()}"
    if not args.reuse:
        with psycopg.connect(admin_url(args.server, "postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{dbname}"')
    url = admin_url(args.server, dbname)
    os.environ["DATABASE_URL"] = url
    app = None
    keep = args.keep or bool(args.reuse)
    try:
        from flask_migrate import upgrade

        from service.app import create_app
        from service.config import _database_url

        app = create_app({"SQLALCHEMY_DATABASE_URI": _database_url(), "TESTING": True})
        if not args.reuse:
            with app.app_context():
                upgrade()
            started = time.perf_counter()
            with psycopg.connect(url) as conn:
                personas = load(conn, args, rng)
            print(f"loaded {args.requests:,} requests, {args.members:,} members (+{args.applications_extra:,} other "
                  f"applications), {args.federations:,} federations in {time.perf_counter() - started:.0f} s",
                  flush=True)
        else:
            personas = PERSONAS
            print(f"reusing {dbname}", flush=True)
        with app.app_context():
            if not args.reuse or args.rebuild:
                build_rollups()
            report(personas, args)
    finally:
        if app is not None:
            from service.extensions import db

            with app.app_context():
                db.engine.dispose()
        if not keep:
            with psycopg.connect(admin_url(args.server, "postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            print(f"dropped {dbname}")
        else:
            print(f"kept {dbname} (drop it with: dropdb -h 127.0.0.1 -U postgres {dbname})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=2_000_000)
    parser.add_argument("--applications-extra", type=int, default=200_000,
                        help="applications that did not become members (pending, rejected…)")
    parser.add_argument("--federations", type=int, default=10_000)
    parser.add_argument("--transfers", type=int, default=20_000)
    parser.add_argument("--contests", type=int, default=2_000)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    parser.add_argument("--reuse", metavar="DBNAME", help="time a database kept by --keep (no loading)")
    parser.add_argument("--rebuild", action="store_true", help="with --reuse: rebuild the rollups first")
    parser.add_argument("--only", metavar="LEVEL", help="time one level (federation, county, city, province)")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
