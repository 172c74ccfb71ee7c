"""`flask privacy …`: the retention purge and key rotation."""
import click

from service.cli import Group
from service.privacy import retention

privacy_cli = Group("privacy", help="Personal data: retention purge and key rotation.")


@privacy_cli.command("purge")
def privacy_purge():
    """Erase personal data whose retention period has run out (rejections, withdrawals)."""
    counts = retention.purge()
    click.echo(f"erased: {counts['applications']} applications, {counts['workers']} workers, "
               f"{counts['help_requests']} help requests, {counts['signups']} contest sign-ups")


@privacy_cli.command("rotate-keys")
def privacy_rotate_keys():
    """Re-encrypt every stored ID number with the newest key of ID_ENCRYPTION_KEYS."""
    counts = retention.rotate_keys()
    click.echo(f"re-encrypted: {counts['applications']} applications, {counts['workers']} workers")
