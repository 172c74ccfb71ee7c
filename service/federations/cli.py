"""`flask federation …`: federations and upper unions."""
from pathlib import Path

import click

from service.cli import Group
from service.federations import coverage, posters, tree

federation_cli = Group("federation", help="Federations and upper unions.")


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
    federation = tree.create_federation(**options)
    click.echo(f"{federation.id}\t{federation.name}\t{federation.scene}")


@federation_cli.command("route")
@click.argument("region")
@click.argument("industry", required=False)
@click.option("--type", "request_type", default=None, help="request type, or join")
def federation_route(region, industry, request_type):
    """Show who would handle a request from REGION (and INDUSTRY), and why."""
    from service.routing import router

    decision = router.route(region, industry, request_type)
    click.echo(f"{decision.federation_id}\t{decision.federation_name}\n{decision.explanation}")


@federation_cli.command("overlaps")
def federation_overlaps():
    """List pairs of active federations with identical coverage rules."""
    pairs = coverage.overlaps()
    for pair in pairs:
        click.echo(f"{pair['label']}\t{pair['a']['name']} / {pair['b']['name']}\t{pair['effect']}")
    click.echo(f"{len(pairs)} overlap(s)")


@federation_cli.command("list")
def federation_list():
    """List active federations with their QR scene."""
    for federation in tree.list_active_federations():
        click.echo(f"{federation.id}\t{federation.kind}\t{federation.scene}\t{federation.name}")


@federation_cli.command("poster")
@click.argument("federation_id", type=int)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: poster-<id>.<format> in the current folder).")
@click.option("--format", "fmt", type=click.Choice(["png", "svg"]), default="png")
def federation_poster(federation_id: int, out_path: str | None, fmt: str):
    """Write a federation's printable QR poster (creates its permanent QR code once)."""
    data, _ = posters.poster(tree.get_federation(federation_id), fmt)
    path = Path(out_path or f"poster-{federation_id}.{fmt}")
    path.write_bytes(data)
    click.echo(f"{path}\t{len(data)} bytes")
