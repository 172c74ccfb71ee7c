"""The governance board and a federation's governance page in Chromium: an upper-union admin
sees which federations need attention, opens one and fixes it there (screenshots kept)."""
import pytest

from service.devtools import demo
from service.extensions import db

pytestmark = pytest.mark.e2e


@pytest.fixture
def console(app, server, browser):
    demo.seed_demo()
    demo.seed_staff()
    db.session.commit()
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/console/login.html?next=/console/governance.html")
    page.fill("#username", "sjz-admin")
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("tr.gov-row")
    yield page
    context.close()
    assert errors == []


def test_the_board_then_fixing_a_federation_on_its_page(console, shot, server):
    page = console
    rows = page.locator("tr.gov-row")
    assert rows.count() == 10  # every federation beneath 石家庄市总工会 that is not dissolved
    assert "red" in rows.first.get_attribute("class")
    assert "yellow" not in rows.last.get_attribute("class") and "ok" in rows.last.get_attribute("class")
    board = page.locator("table.gov-board").inner_text()
    for text in ("任期已于", "应建立女职工委员会", "不得作为委员会委员", "红色预警未处置", "延期换届", "筹备中：尚缺"):
        assert text in board, text
    shot(page, "governance-board")

    page.locator("tr.gov-row", has_text="石家庄市外卖送餐行业工会联合会").locator("a", has_text="去处理").first.click()
    page.wait_for_selector("#committees h2")
    assert "应建立女职工委员会" in page.locator("#checks").inner_text()
    assert page.evaluate("location.hash") == "#committees"  # the link lands where it is fixed
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "federation-governance")

    page.click("#committees [data-act=special]")
    page.select_option("#gf-kind", "women")
    page.fill("#gf-chair_name", "高洁")
    page.fill("#gf-members", "王丽\n赵静")
    page.click("#gov-dialog button[type=submit]")
    page.wait_for_selector("#committees td:has-text('女职工委员会')")
    assert "应建立女职工委员会" not in page.locator("#checks").inner_text()

    page.goto(f"{server}/console/governance.html")
    page.wait_for_selector("tr.gov-row")
    page.locator("tr.gov-row", has_text="石家庄市长安区建北街道工会联合会").locator("a.name").click()
    page.wait_for_selector("#terms table")
    assert "行政主要负责人" in page.locator("#checks").inner_text()
    page.locator("#terms tr", has_text="马国庆").locator("[data-act=leave]").click()
    page.fill("#gf-reason", "系覆盖单位行政主要负责人，依规不再担任委员")
    page.click("#gov-dialog button[type=submit]")
    page.wait_for_function("!document.querySelector('#checks').innerText.includes('行政主要负责人')")
    # what is left: the demo registered no service position for it (a reminder, linked to registering one)
    assert page.locator("#checks .gov-check").count() == 1
    assert "尚未登记服务阵地" in page.locator("#checks").inner_text()
    assert page.locator("#checks .gov-check a").get_attribute("href").startswith("/console/positions.html#new=")
    assert "马国庆" in page.locator("#committee").inner_text()  # listed among those who left, with the reason
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "federation-governance-fixed", full_page=False)


def test_a_refused_rule_shows_its_chinese_message_in_the_form(console, server):
    page = console
    page.locator("tr.gov-row", has_text="石家庄市长安区快递行业工会联合会").locator("a.name").click()
    page.wait_for_selector("#contracts h2")
    page.click("#contracts [data-act=contract]")
    page.fill("#gf-title", "长安区快递行业工资集体合同")
    page.fill("#gf-chief_representative", "王芳")
    page.fill("#gf-employer_side", "长安区快递行业协会")
    page.click("#gov-dialog button[type=submit]")
    message = page.wait_for_selector("#gov-dialog [data-for=chief_representative]:not(:empty)").inner_text()
    assert message.startswith("区域性、行业性集体协商由联合会主席以职工方首席代表身份进行")


def test_a_letter_prints_on_a4(console, shot, server):
    page = console
    page.locator("tr.gov-row", has_text="石家庄市外卖送餐行业工会联合会").locator("a.name").click()
    page.wait_for_selector("#letters tbody a")
    with page.expect_popup() as popup:
        page.click("#letters tbody a")
    letter = popup.value
    letter.wait_for_selector("h1:has-text('意见书')")
    text = letter.locator("#sheet").inner_text()
    assert "石家庄美味餐饮管理有限公司：" in text and "石家庄市外卖送餐行业工会联合会（印章）" in text
    shot(letter, "governance-letter")


def test_a_letter_from_a_help_request(console, server):
    from datetime import date, timedelta

    from tests.factories import make_request

    request = make_request()  # routed by the demo coverage to 长安区快递 (wage arrears, 12 workers)
    page = console
    page.goto(f"{server}/console/request.html?id={request.id}")
    page.click("a:has-text('发出劳动法律监督文书')")
    page.wait_for_selector("#gov-dialog[open]")
    assert page.input_value("#gf-help_request_id") == str(request.id)
    assert page.input_value("#gf-source") == "help_request"
    page.fill("#gf-due_on", (date.today() + timedelta(days=10)).isoformat())
    page.fill("#gf-facts", "拖欠12名快递员三个月工资")
    page.fill("#gf-demands", "十日内足额支付拖欠工资")
    page.click("#gov-dialog button[type=submit]")
    row = page.wait_for_selector("#letters tbody tr:has-text('石家庄某某快递有限公司')")
    assert "劳动法律监督提示函" in row.inner_text() and "待回复" in row.inner_text()


def test_recording_a_first_committee_election_in_the_form(console, server):
    page = console
    page.locator("tr.gov-row", has_text="石家庄高新技术产业开发区电子信息行业工会联合会").locator("a.name").click()
    page.wait_for_selector("#terms h2")
    assert "未登记委员会选举" in page.locator("#checks").inner_text()
    page.click("#terms [data-act=elect]")
    first = page.locator("table.members-edit tbody tr").first
    first.locator("[data-m=name]").fill("赵志远")
    first.locator("[data-m=body]").fill("高新区总工会派出")
    page.click("[data-add-member]")
    second = page.locator("table.members-edit tbody tr").last
    second.locator("[data-m=name]").fill("钱雨")
    second.locator("[data-m=source]").select_option("representative")
    second.locator("[data-m=body]").fill("电子信息企业代表")
    page.click("#gov-dialog button[type=submit]")
    page.wait_for_selector("#terms td:has-text('钱雨')")
    assert "未登记委员会选举" not in page.locator("#checks").inner_text()
    assert "第1届委员会" in page.locator("#terms").inner_text()
