"""`flask positions …`: list positions and ask what the bot would answer at a point."""
import click
from sqlalchemy import select

from models.position import Position
from service.cli import Group
from service.extensions import db
from service.positions.answers import nearest_reply
from service.positions.geo import valid_point
from service.positions.nearby import find_nearest

positions_cli = Group("positions", help="Service positions (服务阵地): list them, ask what the bot answers at a point.")


@positions_cli.command("list")
@click.option("--region", default="", help="region code prefix, e.g. 130102")
def list_positions(region: str):
    """Every position (of a region), with its state and coordinates."""
    query = select(Position).order_by(Position.region_code, Position.id)
    if region:
        query = query.where(Position.region_code.startswith(region, autoescape=True))
    for p in db.session.scalars(query):
        click.echo(f"{p.id}\t{p.status}\t{p.region_code}\t{p.latitude:.6f},{p.longitude:.6f}\t{p.name}")


@positions_cli.command("nearest")
@click.argument("latitude")
@click.argument("longitude")
@click.option("--reply", is_flag=True, help="print the bot's reply instead of the list")
def nearest(latitude: str, longitude: str, reply: bool):
    """The three nearest open positions to LATITUDE LONGITUDE (GCJ-02)."""
    point = valid_point(latitude, longitude)
    if point is None:
        raise click.BadParameter("latitude/longitude must be numbers in range")
    if reply:
        click.echo(nearest_reply(*point))
        return
    for hit in find_nearest(*point):
        click.echo(f"{hit.km:.3f} km\t{hit.position.id}\t{hit.position.name}")
