"""flask CLI groups: federation, demo, worker, wechat, outbox (more groups join as features land)."""
import json
import logging
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

# outbox, privacy and contest_day register their background jobs when imported
from service import attachments, contest_day, deadlines, demo, federations, jobs, outbox, privacy  # noqa: F401
from service.devtools import demo_stats
from service.errors import AppError

from service.extensions import db

log = logging.getLogger(__name__)

federation_cli = AppGroup("federation", help="Federations and upper unions.")
demo_cli = AppGroup("demo", help="Demo data.")
worker_cli = AppGroup("worker", help="The background worker (outbox, sweepers, clean-up).")
wechat_cli = AppGroup("wechat", help="WeChat housekeeping.")
staff_cli = AppGroup("staff", help="Staff accounts.")
privacy_cli = AppGroup("privacy", help="Personal data: retention purge and key rotation.")

requests_cli = AppGroup("requests", help="Help requests: deadlines sweeper.")


@staff_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--federation", "federation_id", type=int, required=True, help="id of the union or federation")
@click.option("--role", type=click.Choice(["admin", "chair", "caseworker"]), default="caseworker")
@click.option("--display-name", default=None)
@click.option("--may-view-id", is_flag=True, help="may see full resident ID numbers (audited)")
def staff_create(**options):
    """Create a staff account."""
    from service import staff
    from service.errors import AppError

    try:
        account = staff.create_staff(**options)
        db.session.commit()
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} {error.fields or ''}".strip()) from None
    click.echo(f"{account.id}\t{account.username}\t{account.role}\t{account.federation.name}")

outbox_cli = AppGroup("outbox", help="Deliver queued WeChat messages.")


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
    try:
        federation = federations.create_federation(**options)
        db.session.commit()
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} {error.fields or ''}".strip()) from None
    click.echo(f"{federation.id}\t{federation.name}\t{federation.scene}")


@federation_cli.command("route")
@click.argument("region")
@click.argument("industry", required=False)
@click.option("--type", "request_type", default=None, help="request type, or join")
def federation_route(region, industry, request_type):
    """Show who would handle a request from REGION (and INDUSTRY), and why."""
    from service import routing
    from service.errors import AppError

    try:
        decision = routing.route(region, industry, request_type)
    except AppError as error:
        raise click.ClickException(f"{error.message} {error.fields or ''}".strip()) from None
    click.echo(f"{decision.federation_id}\t{decision.federation_name}\n{decision.explanation}")


@federation_cli.command("overlaps")
def federation_overlaps():
    """List pairs of active federations with identical coverage rules."""
    from service import coverage

    pairs = coverage.overlaps()
    for pair in pairs:
        click.echo(f"{pair['label']}\t{pair['a']['name']} / {pair['b']['name']}\t{pair['effect']}")
    click.echo(f"{len(pairs)} overlap(s)")


@federation_cli.command("list")
def federation_list():
    """List active federations with their QR scene."""
    for federation in federations.list_active_federations():
        click.echo(f"{federation.id}\t{federation.kind}\t{federation.scene}\t{federation.name}")


@federation_cli.command("poster")
@click.argument("federation_id", type=int)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: poster-<id>.<format> in the current folder).")
@click.option("--format", "fmt", type=click.Choice(["png", "svg"]), default="png")
def federation_poster(federation_id: int, out_path: str | None, fmt: str):
    """Write a federation's printable QR poster (creates its permanent QR code once)."""
    from service import posters

    try:
        data, _ = posters.poster(federations.get_federation(federation_id), fmt)
        db.session.commit()
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    path = Path(out_path or f"poster-{federation_id}.{fmt}")
    path.write_bytes(data)
    click.echo(f"{path}\t{len(data)} bytes")


@demo_cli.command("seed")
def demo_seed():
    """Create the demo union tree and federations (safe to run again)."""
    nodes = demo.seed_demo()
    accounts = demo.seed_staff()
    demo_stats.seed_demo_stats()  # a year of activity for the 统计 page (not in tests' demo tree)
    db.session.commit()
    click.echo(f"demo data ready: {len(nodes)} unions and federations")
    click.echo(f"demo staff (console /console/, password \"{demo.DEMO_PASSWORD}\" unless changed):")
    for account, created in accounts:
        click.echo(f"  {account.username:<14} {account.role:<10} {account.federation.name}"
                   + ("" if created else "  (already there)"))


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


@wechat_cli.command("purge-dedup")
def wechat_purge_dedup():
    """Delete expired callback de-duplication rows."""
    click.echo(f"deleted {jobs.purge_inbound()} expired rows")



@wechat_cli.command("sync-menu")
def wechat_sync_menu():
    """Push the custom menu (入会 / 求助 / 更多: 竞赛, 我的) to WeChat."""
    from service.menu import MENU, sync_menu

    try:
        result = sync_menu()
    except AppError as error:
        raise click.ClickException(error.message) from None
    click.echo(json.dumps({"menu": MENU, "result": result}, ensure_ascii=False))


@wechat_cli.command("send")
@click.option("--url", "server_url", default=None, help="The running server (default http://127.0.0.1:$PORT).")
@click.option("--openid", required=True)
@click.option("--text", "content", default=None, help="A text message.")
@click.option("--click", "key", default=None, help="A menu click key: JOIN, HELP, CONTESTS, ME.")
@click.option("--scan", "scene", default=None, help="A QR scene, e.g. fed:3 (subscribe with qrscene_).")
@click.option("--follower", is_flag=True, help="With --scan: the user already follows (a SCAN event).")
@click.option("--event", "event", type=click.Choice(["subscribe", "unsubscribe"]), default=None)
@click.option("--safe", is_flag=True, help="Encrypt like WeChat's safe mode (needs WECHAT_AES_KEY).")
def wechat_send(server_url, openid, content, key, scene, follower, event, safe):
    """Play WeChat's server: sign (and encrypt) one message or event and POST it to /wechat."""
    import requests

    from service.simulator import peer_for

    cfg = current_app.config
    peer = peer_for(cfg)
    if content is not None:
        xml = peer.text(openid, content)
    elif key:
        xml = peer.event(openid, "CLICK", key)
    elif scene:
        xml = peer.scan(openid, scene, new_follower=not follower)
    elif event:
        xml = peer.event(openid, event)
    else:
        raise click.UsageError("give one of --text, --click, --scan or --event")
    if safe and not cfg["WECHAT_AES_KEY"]:
        raise click.UsageError("--safe needs WECHAT_AES_KEY")
    delivery = peer.deliver(xml, encrypt=safe)
    url = (server_url or f"http://127.0.0.1:{cfg['PORT']}").rstrip("/") + "/wechat"
    try:
        response = requests.post(url, params=delivery.args, data=delivery.body.encode("utf-8"),
                                 headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=10)
    except requests.RequestException as error:
        raise click.ClickException(f"cannot reach {url}: {type(error).__name__}") from None
    if response.status_code != 200:
        raise click.ClickException(f"HTTP {response.status_code}: {response.text[:300]}")
    reply = peer.read_reply(response.text, delivery)
    click.echo(json.dumps(reply, ensure_ascii=False, indent=2) if reply else "(no reply: success)")


@outbox_cli.command("run")
@click.option("--once", is_flag=True, help="Deliver what is due now and exit.")
@click.option("--batch", default=50, show_default=True)
@click.option("--tick", default=1.0, show_default=True, help="Seconds between polls.")
def outbox_run(once: bool, batch: int, tick: float):
    """Deliver due outbox messages (the worker's "outbox" job does the same)."""
    while True:
        try:
            delivered = outbox.deliver_due(batch)
        except Exception:
            db.session.rollback()
            log.exception("outbox run failed")
            if once:
                sys.exit(1)
            delivered = 0
        finally:
            db.session.remove()
        if once:
            click.echo(f"delivered {delivered}")
            return
        if delivered:
            click.echo(f"delivered {delivered}")
        else:
            time.sleep(tick)


@privacy_cli.command("purge")
def privacy_purge():
    """Erase personal data whose retention period has run out (rejections, withdrawals)."""
    counts = privacy.purge()
    db.session.commit()
    click.echo(f"erased: {counts['applications']} applications, {counts['workers']} workers")


@privacy_cli.command("rotate-keys")
def privacy_rotate_keys():
    """Re-encrypt every stored ID number with the newest key of ID_ENCRYPTION_KEYS."""
    counts = privacy.rotate_keys()
    click.echo(f"re-encrypted: {counts['applications']} applications, {counts['workers']} workers")





contests_cli = AppGroup("contests", help="Skill contests.")


@contests_cli.command("remind")
def contests_remind():
    """Queue the day-before reminders now (the worker's contest-reminders job does it every 5 minutes)."""
    click.echo(f"queued {contest_day.reminders_job()} reminders")


@contests_cli.command("close-due")
def contests_close_due():
    """Close registration of contests whose closing time has passed."""
    click.echo(f"closed {contest_day.close_registration_job()} contests")



@requests_cli.command("sweep")
@click.option("--now", "now_text", default=None, help="Pretend it is this UTC time (ISO 8601), for drills.")
def requests_sweep(now_text: str | None):
    """Mark overdue requests, notify, escalate after the grace period, flag arbitration limitation."""
    from datetime import datetime

    now = datetime.fromisoformat(now_text) if now_text else None
    counts = deadlines.sweep(now)
    db.session.commit()
    click.echo(" ".join(f"{key}={value}" for key, value in counts.items()))


GROUPS = [federation_cli, demo_cli, worker_cli, wechat_cli, outbox_cli, staff_cli, privacy_cli, contests_cli,
          requests_cli]
