"""The governance board at scale: one county union with N federations beneath it, each with 3
base unions, 6 covered units, a committee of 5, 4 meetings, an employer with a letter and a
warning. Prints the board's time (median of 5) and its number of SQL statements.

    .venv/bin/python bench/governance_board.py --database-url sqlite:/// --federations 500
    .venv/bin/python bench/governance_board.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

Uses a throw-away database (bench/routing.py's helper). Not part of the test suite.
"""
import argparse
import importlib.util
import logging
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("bench_routing", ROOT / "bench" / "routing.py")
_routing = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_routing)


def populate(n: int, today: date) -> None:
    from models.federation import Federation
    from models.governance import (BaseUnion, CommitteeMember, CommitteeTerm, CoveredUnit, Employer, LabourWarning,
                                   Meeting, SupervisionLetter)
    from service.extensions import db

    city = Federation(name="石家庄市总工会", kind="upper", level="city", region_code="130100", status="active")
    db.session.add(city)
    db.session.flush()
    county = Federation(name="石家庄市长安区总工会", kind="upper", level="county", region_code="130102",
                        parent_id=city.id, status="active")
    db.session.add(county)
    db.session.flush()
    elected = today - timedelta(days=400)
    for i in range(n):
        fed = Federation(name=f"石家庄市长安区测试{i}行业工会联合会", kind="industry", level="county", region_code="130102",
                         industry_code="G6020", parent_id=county.id, status="active", own_funds=i % 3 == 0,
                         term_start=elected, term_years=5)
        db.session.add(fed)
        db.session.flush()
        unions = [BaseUnion(federation_id=fed.id, name=f"基层工会{j}", kind="committee", chair_name=f"主席{i}-{j}",
                            member_count=50, women_count=10 + 10 * j) for j in range(3)]
        db.session.add_all(unions)
        db.session.flush()
        db.session.add_all(CoveredUnit(federation_id=fed.id, name=f"单位{j}", head_name=f"负责人{i}-{j}", workers=40,
                                       base_union_id=unions[j % 3].id if j < 4 else None, covered_directly=j == 4)
                           for j in range(6))
        term = CommitteeTerm(federation_id=fed.id, number=1, elected_on=elected, years=5,
                             ends_on=elected.replace(year=elected.year + 5), elected_by="congress")
        db.session.add(term)
        db.session.flush()
        db.session.add_all(CommitteeMember(federation_id=fed.id, term_id=term.id, name=f"委员{i}-{j}",
                                           role="chair" if j == 0 else "member", source="representative", body="代表",
                                           chosen_how="congress_election", chosen_on=elected,
                                           needs_replacement_since=today if j == 4 and i % 5 == 0 else None)
                           for j in range(5))
        db.session.add_all(Meeting(federation_id=fed.id, kind=kind, held_on=today - timedelta(days=days), attendance=5,
                                   to_party=kind == "report", to_upper=kind == "report")
                           for kind, days in (("congress", 100), ("plenary", 90), ("report", 60 + (i % 200)),
                                              ("report", 300)))
        employer = Employer(federation_id=fed.id, name=f"用人单位{i}")
        db.session.add(employer)
        db.session.flush()
        db.session.add(SupervisionLetter(federation_id=fed.id, employer_id=employer.id, kind="reminder",
                                         number=f"B-{i}", source="inspection", addressee=employer.name,
                                         issued_on=today - timedelta(days=30), due_on=today - timedelta(days=i % 40),
                                         facts="x", demands="y"))
        db.session.add(LabourWarning(federation_id=fed.id, employer_id=employer.id, level="red" if i % 7 == 0 else "yellow",
                                     rule=None, reason="测试", raised_on=today - timedelta(days=2),
                                     response_due=today + timedelta(days=1)))
    db.session.commit()
    return county


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--federations", type=int, default=500)
    args = parser.parse_args()
    url, cleanup = _routing.throwaway_database(args.database_url)
    try:
        os.environ["DATABASE_URL"] = url
        from flask_migrate import upgrade
        from sqlalchemy import event

        from models.staff import Staff
        from service.app import create_app
        from service.config import _database_url
        from service.extensions import db
        from service.governance import board

        app = create_app({"SQLALCHEMY_DATABASE_URI": _database_url()})
        logging.getLogger("alembic").setLevel(logging.WARNING)
        with app.app_context():
            upgrade()
            today = date.today()
            started = time.perf_counter()
            county = populate(args.federations, today)
            viewer = Staff(username="bench", display_name="bench", password_hash="x", federation_id=county.id, role="admin")
            db.session.add(viewer)
            db.session.commit()
            print(f"database: {db.engine.dialect.name}; {args.federations} federations loaded in "
                  f"{time.perf_counter() - started:.1f}s")
            statements = []
            event.listen(db.engine, "before_cursor_execute", lambda *a, **k: statements.append(1))
            timings, rows = [], []
            for _ in range(5):
                db.session.expire_all()
                statements.clear()
                t0 = time.perf_counter()
                rows = board.board(viewer, today=today)
                timings.append(time.perf_counter() - t0)
            checks = sum(len(r["checks"]) for r in rows)
            print(f"board: {len(rows)} rows, {checks} checks; median {statistics.median(timings) * 1000:.0f} ms, "
                  f"min {min(timings) * 1000:.0f} ms; {len(statements)} SQL statements per board")
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
