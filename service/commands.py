"""The flask CLI: the worker that runs the periodic jobs, and every domain's command group.

Each domain keeps its commands in its own `cli.py` (a `service.cli.Group`, which commits once per
command); this module only collects them."""
import time

import click

from service import jobs
from service.cli import Group
from service.contests.cli import contests_cli
from service.federations.cli import federation_cli
from service.help_requests.cli import requests_cli
from service.positions.cli import positions_cli
from service.privacy.cli import privacy_cli
from service.staff.cli import staff_cli
from service.wechat.cli import outbox_cli, wechat_cli

worker_cli = Group("worker", help="The background worker (outbox, sweepers, clean-up).")


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


def groups(app) -> list:
    """Every command group; the development-only ones only where the simulator is allowed."""
    found = [federation_cli, worker_cli, wechat_cli, outbox_cli, staff_cli, privacy_cli, contests_cli, requests_cli,
             positions_cli]
    if not app.config.get("GONGLIAN_ENV") == "production":
        from service.devtools.cli import demo_cli

        found.append(demo_cli)
    return found
