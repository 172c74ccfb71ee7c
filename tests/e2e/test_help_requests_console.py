"""The request pages in a real headless Chromium: staff log in, claim, reply and resolve in the
console (with CSRF on); a worker (session cookie signed as the OAuth flow would) asks for help
and follows the request. Screenshots go to artifacts/screenshots/."""
import io
import os
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.serving import make_server

from models.base import utcnow
from service.help_requests import attachments
from service.help_requests import casework
from service.devtools import demo
from service.extensions import db
from tests.factories import make_request, make_staff, make_worker

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def server(app):
    if not os.path.exists(CHROMIUM) or shutil.which("fc-list") is None:
        pytest.skip("Chromium is not installed (scripts/install-browser.sh)")
    app.config["WTF_CSRF_ENABLED"] = True  # the real pages must send the token
    httpd = make_server("127.0.0.1", int(os.environ.get("E2E_PORT", "0")), app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    app.config["WTF_CSRF_ENABLED"] = False


def photo() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (240, 160), (245, 245, 240))
    for x in range(20, 220):
        for y in (40, 41, 80, 81, 120, 121):
            image.putpixel((x, y), (60, 60, 60))
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def demo_world():
    """The demo union tree plus a few requests in the Chang'an courier federation's inbox."""
    demo.seed_demo()
    db.session.commit()
    from models.federation import Federation
    from sqlalchemy import select

    courier = db.session.scalar(select(Federation).where(Federation.name == "石家庄市长安区快递行业工会联合会"))
    chair = make_staff(courier, role="chair", username="zhangchair", display_name="张主席")
    colleague = make_staff(courier, username="liwork", display_name="李办事员")
    me = make_worker("o-test")
    now = utcnow()
    mediation = make_request(me, type="mediation", now=now - timedelta(hours=5), name="王小二", phone="13912345678",
                             facts="2026年9月起公司以业绩不达标为由扣发工资，并口头通知解除劳动合同，未支付经济补偿。",
                             wants="要求支付拖欠工资和解除劳动合同经济补偿", amount="23600")
    attachments.add_upload(me, mediation.id, "工资条.png", photo())
    others = [
        make_request(make_worker(), type="wage_arrears", now=now - timedelta(days=3), name="赵师傅", phone="13700001111",
                     employer_name="石家庄速达快递服务有限公司"),
        make_request(make_worker(), type="legal_aid", now=now - timedelta(days=1), name="孙女士", phone="13600002222",
                     employer_name="长安区顺丰速运网点"),
        make_request(make_worker(), type="consultation", now=now - timedelta(hours=30), name="周先生", phone="13500003333",
                     employer_name="河北某物流有限公司"),
        make_request(make_worker(), type="work_injury", now=now - timedelta(hours=2), name="吴师傅", phone="13400004444",
                     employer_name="石家庄中通快递分拨中心"),
    ]
    casework.claim(colleague, others[1].id)
    casework.note(colleague, others[1].id, "已电话联系，待核实收入情况")
    db.session.commit()
    from service.help_requests import deadlines

    deadlines.sweep(now)  # the wage arrears claim is past its one-day first-response target
    db.session.commit()
    return {"chair": chair, "request": mediation, "others": others}


def test_staff_claim_reply_and_resolve_in_the_console(server, browser, demo_world):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/console/inbox.html")
    page.wait_for_url("**/console/login.html**")
    page.fill("#username", "zhangchair")
    page.fill("#password", "password123")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/inbox.html**")
    page.wait_for_selector("#rows tr")
    assert page.locator("#rows tr").count() == 4  # unassigned: everything but the claimed one
    assert page.locator(".tag.red", has_text="超期").count() >= 1
    page.click("#tabs button[data-view=all]")
    page.wait_for_function("document.querySelectorAll('#rows tr').length === 5")
    assert page.locator("#bulkbar").is_hidden()
    page.check("#rows input.pick >> nth=0")
    assert page.locator("#bulkbar").is_visible()
    page.uncheck("#rows input.pick >> nth=0")
    page.screenshot(path=str(SHOTS / "inbox.png"), full_page=True)

    number = demo_world["request"].number
    page.click(f"text={number}")
    page.wait_for_selector("#detail:not([hidden])")
    assert "王小二" in page.inner_text("#worker") and "非会员" in page.inner_text("#worker")
    page.click("#actions button[data-act=claim]")
    page.wait_for_selector("#facts >> text=张主席")
    page.fill("#message", "您好，工会已受理。请于本周五上午9点到长安区职工服务中心参加调解，携带劳动合同和工资条。")
    page.click("button[data-act=reply]")
    page.wait_for_selector("#timeline >> text=本周五上午9点")
    page.fill("#message", "用人单位人事经理电话已核实，愿意参加调解。")
    page.click("button[data-act=note]")
    page.wait_for_selector("#timeline li.internal >> text=人事经理")
    page.click("#actions button[data-act=resolve]")
    page.select_option(".modal [name=result]", "agreement")
    page.fill(".modal [name=amount]", "18000")
    pay_by = (utcnow() + timedelta(days=14)).date().isoformat()
    page.fill(".modal [name=pay_by]", pay_by)
    page.fill(".modal [name=summary]", "双方同意一次性支付工资及补偿共18000元。")
    page.click("#m-ok")
    page.wait_for_selector("#outcome-card:not([hidden])")
    assert "18000.00元" in page.inner_text("#outcome")
    page.evaluate("document.querySelectorAll('.flash').forEach(el => el.remove()); window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "request-detail.png"), full_page=True)

    page.goto(f"{server}/console/my-federation.html")
    page.wait_for_selector("#poster[href$='poster.png']")
    page.screenshot(path=str(SHOTS / "my-federation.png"), full_page=True)
    assert errors == []

    db.session.expire_all()
    request = db.session.get(type(demo_world["request"]), demo_world["request"].id)
    assert request.status == "resolved" and request.assignee_id == demo_world["chair"].id


def test_worker_pages(server, browser, app, demo_world):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN",
                                  is_mobile=True, has_touch=True)
    cookie = app.session_interface.get_signing_serializer(app).dumps({"openid": "o-test"})
    context.add_cookies([{"name": "session", "value": cookie, "url": server}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    casework.reply(demo_world["chair"], demo_world["request"].id, "您好，已受理，请周五上午到服务中心调解。")
    casework.note(demo_world["chair"], demo_world["request"].id, "内部：单位有多起投诉")
    db.session.commit()

    page.goto(f"{server}/h5/help.html?type=mediation")
    page.wait_for_selector("#region-2 option[value='130100']", state="attached")
    page.select_option("#region-2", "130100")
    page.wait_for_selector("#region-3 option[value='130102']", state="attached")
    page.select_option("#region-3", "130102")
    page.fill("#employer_name", "石家庄某某快递有限公司")
    page.wait_for_selector("#industry-chosen:not([hidden])")  # pre-filled from the worker's earlier request
    assert "快递服务" in page.inner_text("#industry-chosen")
    page.click("#industry-chosen [data-picker-clear]")  # 更改: search again
    page.fill("#industry-q", "快递")
    page.click("#industry-results [data-code='G6020']")
    page.fill("#facts", "公司拖欠两个月工资，多次讨要未果，要求调解。")
    page.fill("#wants", "支付拖欠工资")
    page.fill("#learned_on", (utcnow() - timedelta(days=20)).date().isoformat())
    page.fill("#employer_address", "石家庄市长安区中山东路100号")
    page.fill("#legal_representative", "刘某")
    page.fill("#name", "王小二")
    page.fill("#phone", "13912345678")
    page.set_input_files("#photos", files=[{"name": "合同.png", "mimeType": "image/png", "buffer": photo()}])
    page.wait_for_selector("#thumbs img")
    page.check("#consent")
    page.screenshot(path=str(SHOTS / "worker-help.png"), full_page=True)
    page.click("#next")
    page.wait_for_selector("#confirm:not([hidden])")
    assert "石家庄市长安区快递行业工会联合会" in page.inner_text("#preview-text")
    page.screenshot(path=str(SHOTS / "worker-help-confirm.png"))
    page.click("#submit")
    page.wait_for_selector("#done:not([hidden])")
    assert "QZ" in page.inner_text("#done-text") and "未能上传" not in page.inner_text("#done-text")
    page.screenshot(path=str(SHOTS / "worker-help-done.png"))
    from models.request import Attachment
    from sqlalchemy import func, select

    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 2  # the seeded one and this one

    page.goto(f"{server}/h5/me.html")
    page.wait_for_selector("#requests .weui-cell_access")
    assert page.locator("#requests .weui-cell_access").count() == 2
    page.screenshot(path=str(SHOTS / "worker-me.png"), full_page=True)

    page.goto(f"{server}/h5/request.html?id={demo_world['request'].id}")
    page.wait_for_selector("#timeline li")
    text = page.inner_text("body")
    assert "周五上午到服务中心调解" in text and "内部" not in text
    page.screenshot(path=str(SHOTS / "worker-request.png"), full_page=True)
    page.fill("#info-text", "劳动合同照片已在对话框发送。")
    page.click("#info-form button[type=submit]")
    page.wait_for_selector("#timeline >> text=劳动合同照片已在对话框发送")

    other = demo_world["others"][0].id
    page.goto(f"{server}/h5/request.html?id={other}")
    page.wait_for_selector(".empty")
    assert "找不到该诉求" in page.inner_text(".empty")
    assert errors == []
    context.close()


def test_admin_manages_staff_accounts(server, browser, demo_world):
    from models.federation import Federation
    from sqlalchemy import select

    county = db.session.scalar(select(Federation).where(Federation.name == "石家庄市长安区总工会"))
    make_staff(county, role="admin", username="county-admin", display_name="区总工会管理员")
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/console/login.html")
    page.fill("#username", "county-admin")
    page.fill("#password", "password123")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/inbox.html**")
    page.click("nav >> text=员工账号")
    page.wait_for_selector("#rows tr")
    page.fill("#create [name=username]", "wangnew")
    page.fill("#create [name=display_name]", "王新")
    page.fill("#create [name=password]", "short")
    page.click("#create button[type=submit]")
    page.wait_for_selector("#create-error >> text=密码至少8位")
    page.fill("#create [name=password]", "longenough1")
    page.select_option("#create [name=federation_id]", label="石家庄市长安区快递行业工会联合会")
    page.click("#create button[type=submit]")
    page.wait_for_selector("#rows >> text=wangnew")
    page.evaluate("document.querySelectorAll('.flash').forEach(el => el.remove())")
    page.screenshot(path=str(SHOTS / "staff.png"), full_page=True)
    assert errors == []
