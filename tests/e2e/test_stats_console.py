"""The 统计 page in headless Chromium with the demo's year of activity: a provincial admin sees
every chart filled, drills down to one federation, downloads a CSV and the half-year report."""
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from sqlalchemy import select

from models.federation import Federation
from service.devtools import demo
from service.devtools.demo_stats import seed_demo_stats
from service.extensions import db
from service.stats.periods import china_today
from service.stats.reports import last_ended

pytestmark = pytest.mark.e2e


@pytest.fixture
def seeded(app):
    demo.seed_demo()
    demo.seed_staff()
    assert seed_demo_stats() > 0
    db.session.commit()


def test_statistics_page(seeded, server, browser, shot, tmp_path):
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/console/login.html?next=/console/stats.html")  # default: the last 12 months
    page.fill("#username", "hb-admin")
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    today = china_today()
    first = date(today.year - (today.month < 12), (today.month % 12) + 1, 1)  # 11 months back
    ref = f"{first.year}-{first.month:02d}~{today.year}-{today.month:02d}"
    page.wait_for_selector(f"body[data-loaded$=':{ref}']")
    assert page.locator(".topbar nav a.active").inner_text() == "统计"
    charts = page.locator(".chart-card .chart")
    assert charts.count() >= 17
    for i in range(charts.count()):  # every chart drew on its canvas, none says "no data"
        chart = charts.nth(i)
        title = chart.locator("xpath=..").locator("h3").inner_text()
        assert chart.locator("canvas").count() == 1, title
    assert page.locator(".chart-card .chart:has-text('本期暂无数据')").count() == 0
    assert "万" in page.locator("#kpis").inner_text() or "元" in page.locator("#kpis").inner_text()
    shot(page, "stats-province-12-months")

    with page.expect_download() as info:
        page.locator("[data-chart^='诉求趋势'] [data-csv]").click()
    path = tmp_path / "trend.csv"
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff时间,法律援助,劳动争议调解,欠薪,工伤,法律咨询")
    assert len(text.strip().splitlines()) == 13  # header + 12 months

    for name in ("石家庄市总工会", "石家庄市长安区总工会", "石家庄市长安区快递行业工会联合会"):
        page.locator("#children [data-drill]", has_text=name).first.click()
        node = db.session.scalar(select(Federation.id).where(Federation.name == name))
        page.wait_for_selector(f"body[data-loaded='{node}:{ref}']")
        assert page.locator("#crumbs span").inner_text() == name
    page.wait_for_selector("#caseworkers-box:not([hidden])")
    assert page.locator("#crumbs a").count() == 3
    assert "联合会数据实时计算" in page.locator("#fresh").inner_text()
    page.wait_for_timeout(300)
    shot(page, "stats-federation-12-months")

    page.locator("#crumbs a", has_text="河北省总工会").click()
    province = db.session.scalar(select(Federation.id).where(Federation.name == "河北省总工会"))
    page.wait_for_selector(f"body[data-loaded='{province}:{ref}']")
    page.click("#reports [data-kind=half]")
    page.wait_for_selector(".flash:has-text('半年报告')")
    row = page.locator("#report-list tbody tr", has_text="半年报告").first
    with page.expect_download() as info:
        row.locator("[data-xlsx]").click()
    xlsx = tmp_path / "half.xlsx"
    info.value.save_as(xlsx)
    book = load_workbook(BytesIO(xlsx.read_bytes()))
    summary = {r[0]: r[1] for r in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["单位"] == "河北省总工会" and summary["新受理诉求（件）"] > 0
    with page.context.expect_page() as opened:
        row.locator("a", has_text="打印版").click()
    report = opened.value
    report.wait_for_selector("body[data-loaded=report]")
    half = last_ended("half", china_today())
    assert report.locator("h1").inner_text() == f"河北省总工会{half.label}统计报告"
    shot(report, "stats-half-year-report")
    assert errors == []
