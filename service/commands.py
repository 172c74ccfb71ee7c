"""flask CLI groups: federation, demo, worker, wechat (more groups join as features land)."""
import logging
import time

import click
from flask.cli import AppGroup

from service import demo, federations, jobs
from service.extensions import db

log = logging.getLogger(__name__)

federation_cli = AppGroup("federation", help="Federations and upper unions.")
demo_cli = AppGroup("demo", help="Demo data.")
worker_cli = AppGroup("worker", help="The background worker (outbox, sweepers, clean-up).")
wechat_cli = AppGroup("wechat", help="WeChat housekeeping.")
staff_cli = AppGroup("staff", help="Staff accounts.")


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


@federation_cli.command("route")
@click.argument("region")
@click.argument("industry", required=False)
@click.option("--type", "request_type", default=None, help="request type, or join")
def federation_route(region, industry, request_type):
    """Show who would handle a request from REGION (and INDUSTRY), and why."""
    from service import routing
    from service.errors import AppError

    try:
        decision = routing.route(region, industry, request_type)
    except AppError as error:
        raise click.ClickException(f"{error.message} {error.fields or ''}".strip()) from None
    click.echo(f"{decision.federation_id}\t{decision.federation_name}\n{decision.explanation}")


@federation_cli.command("overlaps")
def federation_overlaps():
    """List pairs of active federations with identical coverage rules."""
    from service import coverage

    pairs = coverage.overlaps()
    for pair in pairs:
        click.echo(f"{pair['label']}\t{pair['a']['name']} / {pair['b']['name']}\t{pair['effect']}")
    click.echo(f"{len(pairs)} overlap(s)")


@federation_cli.command("list")
def federation_list():
    """List active federations with their QR scene."""
    for federation in federations.list_active_federations():
        click.echo(f"{federation.id}\t{federation.kind}\t{federation.scene}\t{federation.name}")


@demo_cli.command("seed")
def demo_seed():
    """Create the demo union tree and federations (safe to run again)."""
    nodes = demo.seed_demo()
    accounts = demo.seed_staff()
    db.session.commit()
    click.echo(f"demo data ready: {len(nodes)} unions and federations")
    click.echo(f"demo staff (console /console/, password \"{demo.DEMO_PASSWORD}\" unless changed):")
    for account, created in accounts:
        click.echo(f"  {account.username:<14} {account.role:<10} {account.federation.name}"
                   + ("" if created else "  (already there)"))


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


GROUPS = [federation_cli, demo_cli, worker_cli, wechat_cli, staff_cli]
