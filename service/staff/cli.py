"""`flask staff …`: staff accounts."""
import click

from service.cli import Group
from service.staff import accounts

staff_cli = Group("staff", help="Staff accounts.")


@staff_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--federation", "federation_id", type=int, required=True, help="id of the union or federation")
@click.option("--role", type=click.Choice(["admin", "chair", "caseworker"]), default="caseworker")
@click.option("--display-name", default=None)
@click.option("--may-view-id", is_flag=True, help="may see full resident ID numbers (audited)")
def staff_create(**options):
    """Create a staff account."""
    account = accounts.create_staff(**options)
    click.echo(f"{account.id}\t{account.username}\t{account.role}\t{account.federation.name}")
