"""flask CLI groups: federation, demo, worker, wechat (more groups join as features land)."""
import logging
import time

import click
from flask.cli import AppGroup

from service import demo, federations, jobs
from service import attachments, deadlines  # noqa: F401  (register the fetch-attachments and requests-sweep jobs)
from service.extensions import db

log = logging.getLogger(__name__)

federation_cli = AppGroup("federation", help="Federations and upper unions.")
demo_cli = AppGroup("demo", help="Demo data.")
worker_cli = AppGroup("worker", help="The background worker (outbox, sweepers, clean-up).")
wechat_cli = AppGroup("wechat", help="WeChat housekeeping.")
staff_cli = AppGroup("staff", help="Staff accounts.")
requests_cli = AppGroup("requests", help="Help requests: deadlines sweeper.")


@staff_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--federation", "federation_id", type=int, required=True, help="id of the union or federation")
@click.option("--role", type=click.Choice(["admin", "chair", "caseworker"]), default="caseworker")
@click.option("--display-name", default=None)
@click.option("--may-view-id", is_flag=True, help="may see full resident ID numbers (audited)")
def staff_create(**options):
    """Create a staff account."""
    from service import staff
    from service.errors import AppError

    try:
        account = staff.create_staff(**options)
        db.session.commit()
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} {error.fields or ''}".strip()) from None
    click.echo(f"{account.id}\t{account.username}\t{account.role}\t{account.federation.name}")


@federation_cli.command("create")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(["regional", "industry", "upper"]), required=True)
@click.option("--level", type=click.Choice(["province", "city", "county", "township"]), required=True)
@click.option("--region", "region_code", required=True, help="GB/T 2260 code, e.g. 130102")
@click.option("--industry", "industry_code", default=None, help="GB/T 4754 code, e.g. G6020")
@click.option("--parent", "parent_id", type=int, default=None, help="id of the upper union")
@click.option("--status", type=click.Choice(["preparing", "active", "dissolved"]), default="active")
def federation_create(**options):
    """Create a federation or upper union."""
    from service.errors import AppError

    try:
        federation = federations.create_federation(**options)
        db.session.commit()
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} {error.fields or ''}".strip()) from None
    click.echo(f"{federation.id}\t{federation.name}\t{federation.scene}")


@federation_cli.command("list")
def federation_list():
    """List active federations with their QR scene."""
    for federation in federations.list_active_federations():
        click.echo(f"{federation.id}\t{federation.kind}\t{federation.scene}\t{federation.name}")


@demo_cli.command("seed")
def demo_seed():
    """Create the demo union tree and federations (safe to run again)."""
    nodes = demo.seed_demo()
    db.session.commit()
    click.echo(f"demo data ready: {len(nodes)} unions and federations")


@worker_cli.command("run")
@click.option("--once", is_flag=True, help="Run every due job once and exit.")
@click.option("--tick", default=1.0, help="Seconds between polls.")
def worker_run(once: bool, tick: float):
    """Run the background jobs (outbox delivery, sweepers, clean-up) until stopped."""
    click.echo(f"worker started with jobs: {', '.join(job.name for job in jobs.JOBS)}")
    last_run: dict[str, float] = {}
    while True:
        jobs.run_due(last_run)
        if once:
            return
        time.sleep(tick)


@wechat_cli.command("purge-dedup")
def wechat_purge_dedup():
    """Delete expired callback de-duplication rows."""
    click.echo(f"deleted {jobs.purge_inbound()} expired rows")


@requests_cli.command("sweep")
@click.option("--now", "now_text", default=None, help="Pretend it is this UTC time (ISO 8601), for drills.")
def requests_sweep(now_text: str | None):
    """Mark overdue requests, notify, escalate after the grace period, flag arbitration limitation."""
    from datetime import datetime

    now = datetime.fromisoformat(now_text) if now_text else None
    counts = deadlines.sweep(now)
    db.session.commit()
    click.echo(" ".join(f"{key}={value}" for key, value in counts.items()))


GROUPS = [federation_cli, demo_cli, worker_cli, wechat_cli, staff_cli]
GROUPS += [requests_cli]
