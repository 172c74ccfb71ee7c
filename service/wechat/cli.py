"""`flask wechat …` (housekeeping, the menu, playing WeChat's server) and `flask outbox …`."""
import json
import logging
import sys
import time

import click
from flask import current_app

from service.cli import Group
from service.extensions import db
from service.wechat import deliverer

log = logging.getLogger(__name__)

wechat_cli = Group("wechat", help="WeChat housekeeping.")
outbox_cli = Group("outbox", help="Deliver queued WeChat messages.")


@wechat_cli.command("purge-dedup")
def wechat_purge_dedup():
    """Delete expired callback de-duplication rows."""
    from service.jobs import purge_inbound

    click.echo(f"deleted {purge_inbound()} expired rows")


@wechat_cli.command("sync-menu")
def wechat_sync_menu():
    """Push the custom menu (入会 / 求助 / 更多: 竞赛, 我的) to WeChat."""
    from service.wechat.menu import MENU, sync_menu

    result = sync_menu()
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

    from service.devtools.simulator import peer_for

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
@click.option("--batch", default=0, help="Messages claimed at a time (0: 8 × OUTBOX_CONCURRENCY).")
@click.option("--tick", default=1.0, show_default=True, help="Seconds between polls.")
def outbox_run(once: bool, batch: int, tick: float):
    """Deliver due outbox messages (the worker's "outbox" job does the same)."""
    while True:
        try:
            delivered = deliverer.deliver_due(batch or None)
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
