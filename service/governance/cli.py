"""`flask governance …`: the reminder and early-warning sweeps by hand."""
from datetime import date

import click

from service.cli import Group
from service.governance.early_warning import scan_employers
from service.governance.reminders import send_reminders

governance_cli = Group("governance", help="联合会治理：换届、会议提醒和劳动关系预警")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@governance_cli.command("remind")
@click.option("--today", help="YYYY-MM-DD (default: today)")
def remind(today):
    """Queue this month's governance reminders to staff."""
    click.echo(f"已排队提醒 {send_reminders(_day(today))} 条")


@governance_cli.command("scan-warnings")
@click.option("--today", help="YYYY-MM-DD (default: today)")
def scan_warnings(today):
    """Raise the labour-relations warnings the rules call for."""
    click.echo(f"新增预警 {scan_employers(_day(today))} 条")
