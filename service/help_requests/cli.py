"""`flask requests …`: help requests."""
from datetime import datetime

import click

from service.cli import Group
from service.help_requests import deadlines

requests_cli = Group("requests", help="Help requests: deadlines sweeper.")


@requests_cli.command("sweep")
@click.option("--now", "now_text", default=None, help="Pretend it is this UTC time (ISO 8601), for drills.")
def requests_sweep(now_text: str | None):
    """Mark overdue requests, notify, escalate after the grace period, flag arbitration limitation."""
    now = datetime.fromisoformat(now_text) if now_text else None
    counts = deadlines.sweep(now)
    click.echo(" ".join(f"{key}={value}" for key, value in counts.items()))
