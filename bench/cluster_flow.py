"""Join → approve → card through the front door (bench/cluster.sh runs it through nginx).

Each flow is what a worker's phone and a staff member's browser do, over HTTP only:
the phone (the simulator's user cookie `sim_openid`, as the phone page sets it) opens
/h5/auth/start, goes through WeChat's OAuth on the stand-in and comes back with its session;
it takes the CSRF token, submits the join form; a reviewer approves the application; the phone
reads its card and its QR code (SVG), the QR is decoded (zxing-cpp) and the token in it is checked
on the public verify API; finally the application result must reach the stand-in (the outbox,
delivered by the cluster's workers). Prints per-step p50/p95 and the flows per second.

    .venv/bin/python bench/cluster_flow.py http://127.0.0.1:8080 --flows 40 --reviewer changan-admin
"""
import argparse
import io
import re
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STEPS = ("oauth", "submit", "approve", "card", "qr+verify")


def resident_id(n: int) -> str:
    from service.privacy.fields import id_check_char

    first17 = f"130102{19900101 + n % 28:08d}{101 + 2 * (n % 400):03d}"
    return first17 + id_check_char(first17)


def join_form(n: int) -> dict:
    from service.privacy.retention import NOTICE_VERSION

    return {"name": "张三", "id_number": resident_id(n), "phone": f"138{n:08d}", "employment_form": "platform",
            "employer": "某某快递公司", "region_code": "130102", "industry_code": "G6020", "declaration": True,
            "constitution": True, "privacy_consent": True, "notice_version": NOTICE_VERSION}


def qr_text(svg: bytes) -> str:
    """Decode segno's SVG (one path of horizontal runs, scale(s)) to the text it carries."""
    from PIL import Image
    import zxingcpp

    width = int(re.search(rb'width="(\d+)"', svg).group(1))
    scale = float(re.search(rb"scale\(([\d.]+)\)", svg).group(1))
    path = re.search(rb' d="([^"]+)"', svg).group(1).decode()
    size = int(width / scale)
    image = Image.new("L", (size, size), 255)
    x = y = 0.0
    for op, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        a = float(a)
        if op == "M":
            x, y = a, float(b)
        elif op == "m":
            x, y = x + a, y + float(b)
        else:  # h: a dark run
            for column in range(int(x), int(x + a)):
                image.putpixel((column, int(y)), 0)
            x += a
    found = zxingcpp.read_barcodes(image.resize((size * 8, size * 8), Image.NEAREST))
    if not found:
        raise RuntimeError("card QR not readable")
    return found[0].text


def flow(base: str, n: int, run: str, reviewer: requests.Session) -> dict:
    timings = {}
    phone = requests.Session()
    phone.cookies.set("sim_openid", f"o-flow-{run}-{n}")
    started = time.perf_counter()
    page = phone.get(f"{base}/h5/auth/start", params={"next": "/h5/join.html"}, timeout=10)
    assert page.status_code == 200 and urlsplit(page.url).path == "/h5/join.html", (page.status_code, page.url)
    timings["oauth"] = time.perf_counter() - started
    csrf = phone.get(f"{base}/api/auth/session", timeout=10).json()["csrf_token"]
    started = time.perf_counter()
    answer = phone.post(f"{base}/api/join/applications", json=join_form(n), headers={"X-CSRF-Token": csrf}, timeout=10)
    assert answer.status_code == 201, answer.text
    timings["submit"] = time.perf_counter() - started
    started = time.perf_counter()
    approved = reviewer.post(f"{base}/api/applications/{answer.json()['id']}/approve", timeout=10)
    assert approved.status_code == 200, approved.text
    timings["approve"] = time.perf_counter() - started
    started = time.perf_counter()
    card = phone.get(f"{base}/api/card", timeout=10)
    assert card.status_code == 200 and card.json()["valid"], card.text
    timings["card"] = time.perf_counter() - started
    started = time.perf_counter()
    svg = phone.get(f"{base}/api/card/qr.svg", timeout=10)
    token = parse_qs(urlsplit(qr_text(svg.content)).query)["t"][0]
    checked = requests.get(f"{base}/api/verify", params={"t": token}, timeout=10)
    assert checked.status_code == 200 and checked.json()["valid"], checked.text
    timings["qr+verify"] = time.perf_counter() - started
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("--flows", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--reviewer", default="changan-admin")
    parser.add_argument("--password", default="gonglian-demo")
    parser.add_argument("--standin", help="the stand-in's base URL (default: BASE/sim/wechat)")
    args = parser.parse_args()
    standin = args.standin or f"{args.base}/sim/wechat"
    reviewer = requests.Session()  # as the console does: the session's CSRF token, then the login
    token = reviewer.get(f"{args.base}/api/auth/session").json()["csrf_token"]
    login = reviewer.post(f"{args.base}/api/auth/login", json={"username": args.reviewer, "password": args.password},
                          headers={"X-CSRF-Token": token})
    assert login.status_code == 200, login.text
    reviewer.headers["X-CSRF-Token"] = login.json()["csrf_token"]
    templates_before = requests.get(f"{standin}/_control/calls", params={"endpoint": "message/template/send"}).json()["count"]
    run = uuid.uuid4().hex[:6]
    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        results = list(pool.map(lambda n: flow(args.base, n, run, reviewer), range(args.flows)))
    elapsed = time.perf_counter() - started
    print(f"join → approve → card: {args.flows} flows, {args.concurrency} at a time, {elapsed:.1f} s "
          f"= {args.flows / elapsed:.1f} flows/s, all succeeded")
    for step in STEPS:
        samples = sorted(r[step] * 1000 for r in results)
        p95 = samples[min(len(samples) - 1, int(0.95 * len(samples)))]
        print(f"  {step:10} p50 {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms")
    deadline = time.time() + 60  # the workers deliver "入会申请已通过" through the outbox
    while True:
        sent = requests.get(f"{standin}/_control/calls", params={"endpoint": "message/template/send"}).json()["count"]
        custom = requests.get(f"{standin}/_control/calls", params={"endpoint": "message/custom/send"}).json()["count"]
        if sent - templates_before >= 2 * args.flows or time.time() > deadline:
            break
        time.sleep(0.5)
    delivered = sent - templates_before
    print(f"  delivered to the stand-in by the workers: {delivered} template messages for {args.flows} flows "
          f"(申请已受理 and the result, each; {custom} customer-service calls in all)")
    return 0 if delivered >= 2 * args.flows else 1


if __name__ == "__main__":
    sys.exit(main())
