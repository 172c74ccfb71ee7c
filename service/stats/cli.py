"""`flask stats …`: keep the rollups, make reports by hand (one commit per command)."""
import click

from models.federation import Federation
from service.cli import Group
from service.extensions import db
from service.stats import reports, rollup

stats_cli = Group("stats", help="Statistics: rollups and reports.")


@stats_cli.command("rollup")
@click.option("--rebuild", is_flag=True, help="Recount every month from scratch (after a bulk change).")
def rollup_command(rebuild):
    """Bring the monthly rollups up to date (what the job does every 10 minutes)."""
    months = rollup.refresh_rollups(rebuild=rebuild)
    click.echo(f"{months} month(s) recounted")


@stats_cli.command("report")
@click.argument("node_id", type=int)
@click.option("--kind", type=click.Choice(["month", "half"]), default="month")
@click.option("--ref", default=None, help="2026-05 or 2026-H1; default: the last period that has ended.")
def report_command(node_id, kind, ref):
    """Generate (again) the report of one node."""
    node = db.session.get(Federation, node_id) if 0 < node_id < 2**31 else None
    if node is None:
        raise click.ClickException("没有这个工会或联合会")
    period = reports.report_period(kind, ref) if ref else reports.last_ended(kind, reports.china_today())
    report = reports.generate_report(node, kind, period)
    click.echo(f"report {report.id}: {node.name} {period.label} ({report.xlsx_size} bytes xlsx)")


@stats_cli.command("reports-due")
def reports_due_command():
    """Make the reports of the last ended month and half-year that are missing (as the job does)."""
    made = reports.generate_due_reports()
    click.echo(f"{made} report(s) made")
    if made == reports.JOB_BATCH:
        click.echo("more are due: run again")
