"""`flask demo …`: demo data (development only)."""
import click

from service.cli import Group
from service.devtools import demo, demo_stats

demo_cli = Group("demo", help="Demo data.")


@demo_cli.command("seed")
def demo_seed():
    """Create the demo union tree and federations (safe to run again)."""
    nodes = demo.seed_demo()
    accounts = demo.seed_staff()
    demo_stats.seed_demo_stats()  # a year of activity for 统计 (not in seed_demo: tests count the demo inbox)
    click.echo(f"demo data ready: {len(nodes)} unions and federations")
    click.echo(f"demo staff (console /console/, password \"{demo.DEMO_PASSWORD}\" unless changed):")
    for account, created in accounts:
        click.echo(f"  {account.username:<14} {account.role:<10} {account.federation.name}"
                   + ("" if created else "  (already there)"))
