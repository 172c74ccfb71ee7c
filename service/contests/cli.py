"""`flask contests …`: skill contests."""
import click

from service.cli import Group
from service.contests import checkin

contests_cli = Group("contests", help="Skill contests.")


@contests_cli.command("remind")
def contests_remind():
    """Queue the day-before reminders now (the worker's contest-reminders job does it every 5 minutes)."""
    click.echo(f"queued {checkin.reminders_job()} reminders")


@contests_cli.command("close-due")
def contests_close_due():
    """Close registration of contests whose closing time has passed."""
    click.echo(f"closed {checkin.close_registration_job()} contests")
