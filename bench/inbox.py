"""Inbox at scale: 1,000,000 help requests over 10,000 federations on PostgreSQL.

Creates its own throw-away database, builds the schema with the migrations, bulk-loads with
COPY, then times the real service functions (service.help_requests.inbox) for staff at four levels of the
union tree — a federation caseworker, a county union chair, a city admin, the province admin:
every inbox view (first page and a deep keyset page), filters, search by number / phone /
name, and the first chunk of the CSV export. Prints p50/p95 in milliseconds; target p95 < 50 ms.
Drops the database at the end (unless --keep).

    .venv/bin/python bench/inbox.py                       # 1,000,000 requests, 10,000 federations
    .venv/bin/python bench/inbox.py --requests 100000     # a quicker run
"""
import argparse
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
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰文建国红梅志鹏飞波宇浩凯亮晨雪琳峰海燕"
EMPLOYERS = ("快递服务有限公司", "物流有限公司", "建筑劳务有限公司", "外卖配送站", "家政服务有限公司", "餐饮管理有限公司")
NOW = datetime(2026, 11, 25, 2, 0)
SPAN_DAYS = 3 * 365


def admin_url(base: str, dbname: str) -> str:
    return f"{base.rstrip('/')}/{dbname}"


def tsv(rows) -> str:
    return "".join("\t".join("\\N" if v is None else str(v) for v in row) + "\n" for row in rows)


def copy(conn, table: str, columns: tuple, rows, chunk: int = 50_000) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= chunk:
                out.write(tsv(batch))
                batch.clear()
        if batch:
            out.write(tsv(batch))


def build_tree(federations: int):
    """1 province, 11 cities, 170 counties, `federations` federations spread over the counties."""
    nodes = [(1, "河北省总工会", "upper", "province", "130000", None, None)]
    cities, counties = list(range(2, 13)), []
    for i, city in enumerate(cities):
        nodes.append((city, f"基准测试第{i + 1}市总工会", "upper", "city", f"13{i + 1:02d}00", None, 1))
    next_id = 13
    for n in range(170):
        city = cities[n % len(cities)]
        nodes.append((next_id, f"基准测试第{n + 1}县总工会", "upper", "county", f"13{city - 1:02d}{n % 90 + 1:02d}", None, city))
        counties.append(next_id)
        next_id += 1
    feds = []
    for n in range(federations):
        county = counties[n % len(counties)]
        nodes.append((next_id, f"基准测试第{n + 1}号行业工会联合会", "industry", "county", "130102", "G6020", county))
        feds.append(next_id)
        next_id += 1
    return nodes, cities, counties, feds


def load(conn, args, rng):
    now = NOW.isoformat(sep=" ")
    nodes, cities, counties, feds = build_tree(args.federations)
    copy(conn, "federations", ("id", "name", "kind", "level", "region_code", "industry_code", "parent_id", "status",
                               "own_funds", "many_women", "has_funds_committee", "has_women_committee", "priority",
                               "created_at", "updated_at"),
         ((i, name, kind, level, region, industry, parent, "active", "f", "f", "f", "f", 0, now, now)
          for i, name, kind, level, region, industry, parent in nodes))
    parent_of = {i: parent for i, *_rest, parent in nodes}
    # one caseworker per federation (the assignee of its requests), and the four personas
    staff_rows = [(f, f"cw{f}", f"办事员{f}", f, "caseworker") for f in feds]
    personas = {"federation caseworker": (len(nodes) + 1, feds[len(feds) // 2], "caseworker"),
                "county chair": (len(nodes) + 2, counties[3], "chair"),
                "city admin": (len(nodes) + 3, cities[0], "admin"),
                "province admin": (len(nodes) + 4, 1, "admin")}
    staff_ids = {}
    for label, (sid, fed, role) in personas.items():
        staff_rows.append((sid + 1_000_000, f"persona{sid}", label, fed, role))
        staff_ids[label] = sid + 1_000_000
    copy(conn, "staff", ("id", "username", "display_name", "federation_id", "role", "password_hash", "active",
                         "may_view_id", "failed_logins", "created_at", "updated_at"),
         ((sid, user, name, fed, role, "-", "t", "f", 0, now, now) for sid, user, name, fed, role in staff_rows))
    copy(conn, "workers", ("id", "openid", "subscribed", "created_at", "updated_at"),
         ((w, f"o-bench-{w}", "t", now, now) for w in range(1, args.workers + 1)))
    persona_fed = personas["federation caseworker"][1]
    caseworker_persona = staff_ids["federation caseworker"]

    def requests():
        per_day: dict[str, int] = {}
        stamps = sorted(NOW - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400)) for _ in range(args.requests))
        for i, created in enumerate(stamps, start=1):
            day = (created + timedelta(hours=8)).strftime("%Y%m%d")
            per_day[day] = per_day.get(day, 0) + 1
            fed = rng.choice(feds)
            age = (NOW - created).days
            kind = rng.choice(TYPES)
            roll = rng.random()
            if age < 60:
                status = ("new" if roll < .25 else "in_progress" if roll < .6 else "awaiting_worker" if roll < .7
                          else "resolved" if roll < .9 else "closed" if roll < .95 else "withdrawn")
            else:
                status = "closed" if roll < .85 else "resolved" if roll < .9 else "withdrawn"
            is_open = status in ("new", "in_progress", "awaiting_worker")
            assignee = None
            if status != "new" and rng.random() < .8:
                assignee = caseworker_persona if fed == persona_fed and rng.random() < .5 else fed
            overdue = is_open and rng.random() < .2
            incoming = is_open and rng.random() < .03
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < .6 else "")
            phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            first_due = created + timedelta(days=2)
            yield (i, f"QZ{day}{per_day[day]:06d}", rng.randrange(1, args.workers + 1), fed, kind, status, assignee,
                   "t" if incoming else "f", name, phone, f"石家庄{rng.choice(EMPLOYERS)}", "130102", "G6020",
                   "拖欠工资", "支付工资", "{}", "t" if overdue else "f", "f", "f",
                   first_due.isoformat(sep=" "), (created + timedelta(days=15)).isoformat(sep=" "),
                   created.isoformat(sep=" "), created.isoformat(sep=" "))

    with conn.cursor() as cur:  # COPY without the secondary indexes, then build them once
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'help_requests' "
                    "AND indexname NOT IN ('pk_help_requests', 'uq_help_requests_number')")
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    copy(conn, "help_requests", ("id", "number", "worker_id", "federation_id", "type", "status", "assignee_id",
                                 "incoming", "worker_name", "worker_phone", "employer_name", "region_code",
                                 "industry_code", "facts", "wants", "details", "overdue", "escalated",
                                 "limitation_warning", "first_response_due", "resolution_due", "created_at",
                                 "updated_at"), requests())
    with conn.cursor() as cur:
        for _, definition in indexes:
            cur.execute(definition)
        cur.execute("SELECT setval('help_requests_id_seq', (SELECT max(id) FROM help_requests))")
    conn.commit()
    with conn.cursor() as cur:
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
        conn.autocommit = False
    return staff_ids, parent_of


def timed(fn, iterations: int, warmup: int = 3) -> tuple[float, float]:
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


def run(args) -> int:
    rng = random.Random(6)
    dbname = f"gl_bench_inbox_{os.getpid()}"
    with psycopg.connect(admin_url(args.server, "postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{dbname}"')
    url = admin_url(args.server, dbname)
    os.environ["DATABASE_URL"] = url
    try:
        from flask_migrate import upgrade

        from service.app import create_app
        from service.config import _database_url

        app = create_app({"SQLALCHEMY_DATABASE_URI": _database_url(), "TESTING": True})
        with app.app_context():
            upgrade()
        started = time.perf_counter()
        with psycopg.connect(url) as conn:
            staff_ids, _ = load(conn, args, rng)
        print(f"loaded {args.requests:,} requests over {args.federations:,} federations "
              f"in {time.perf_counter() - started:.0f} s", flush=True)
        with app.app_context():
            report(app, staff_ids, args)
    finally:
        if not args.keep:
            from service.extensions import db

            with app.app_context():
                db.engine.dispose()
            with psycopg.connect(admin_url(args.server, "postgres"), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            print(f"dropped {dbname}")
    return 0


def report(app, staff_ids, args) -> None:
    from sqlalchemy import func, select

    from models.request import HelpRequest
    from models.staff import Staff
    from service.help_requests import inbox
    from service.extensions import db
    from service.staff.scope import in_scope

    print(f"\n{'caller':<22} {'query':<34} {'rows in scope':>13} {'p50 ms':>8} {'p95 ms':>8}")
    worst = 0.0
    for label, staff_id in staff_ids.items():
        staff = db.session.get(Staff, staff_id)
        in_scope_rows = db.session.scalar(select(func.count()).select_from(HelpRequest)
                                          .where(in_scope(staff, HelpRequest.federation_id)))
        sample = db.session.execute(select(HelpRequest.number, HelpRequest.worker_phone, HelpRequest.worker_name)
                                    .where(in_scope(staff, HelpRequest.federation_id))
                                    .order_by(HelpRequest.id.desc()).limit(1)).one()
        db.session.rollback()
        staff = db.session.get(Staff, staff_id)
        F = inbox.Filters

        def deep_cursor(view):
            cursor = None
            for _ in range(20):
                _, cursor = inbox.list_page(staff, view, F(), cursor=cursor, limit=50)
                if cursor is None:
                    break
            return cursor

        deep = deep_cursor("all")
        db.session.rollback()
        queries = [(f"view {view}", lambda v=view: inbox.list_page(staff, v, F(), limit=50))
                   for view in inbox.VIEWS]
        queries += [
            ("view all, page 21 (keyset)", lambda: inbox.list_page(staff, "all", F(), cursor=deep, limit=50)),
            ("filter type+status", lambda: inbox.list_page(staff, "all", F(type="mediation", status="in_progress"))),
            ("filter last 7 days", lambda: inbox.list_page(
                staff, "all", F(date_from=(NOW - timedelta(days=7)).date(), date_to=NOW.date()))),
            ("search request number", lambda: inbox.list_page(staff, "all", F(q=sample.number))),
            ("search phone", lambda: inbox.list_page(staff, "all", F(q=sample.worker_phone))),
            ("search name prefix", lambda: inbox.list_page(staff, "all", F(q=sample.worker_name[:2]))),
            ("CSV export, first 500 rows", lambda: next(inbox.export_csv(staff, "all", F()))),
        ]
        for name, fn in queries:
            p50, p95 = timed(fn, args.iterations)
            worst = max(worst, p95)
            print(f"{label:<22} {name:<34} {in_scope_rows:>13,} {p50:>8.1f} {p95:>8.1f}", flush=True)
            staff = db.session.get(Staff, staff_id)
    print(f"\nworst p95: {worst:.1f} ms (target < 50 ms)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--federations", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=200_000)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database for inspection")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
