"""Join in the browser: fill the form with one mistake, see the message under the field, fix
it, submit; staff approve in the console; the worker sees the card; the card's link verifies."""
import pytest
from sqlalchemy import select

from models.membership import Membership
from service.devtools import demo
from service.membership import card as member_card
from service.extensions import db
from tests.e2e.conftest import worker_cookie
from tests.factories import make_resident_id, make_staff

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}


def test_join_approve_card_verify(app, server, browser, shot):
    feds = {node.name: node for node in demo.seed_demo()}
    db.session.commit()
    courier = feds["石家庄市长安区快递行业工会联合会"]
    make_staff(courier, username="reviewer", display_name="李审核", may_view_id=True)
    good_id = make_resident_id("19900307", "123")
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")  # one wrong check character

    # --- the worker fills the form with one mistake --------------------------------------
    phone = browser.new_context(**PHONE)
    phone.add_cookies([worker_cookie(app, "o-e2e")])
    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/h5/join.html?fed={courier.id}")
    page.wait_for_selector("#join-form:not([hidden])")
    assert "石家庄市长安区快递行业工会联合会" in page.inner_text("#target")
    shot(page, "join-0-form")
    page.click("#fed-optout")  # let the workplace decide: the confirmation explains the routing
    assert "按您的工作地和行业" in page.inner_text("#target")

    page.fill("input[name=name]", "张三")
    page.fill("input[name=id_number]", bad_id)
    page.fill("input[name=phone]", "138 1234 5678")
    page.click("label:has(input[name=employment_form][value=platform])")
    page.fill("input[name=employer]", "某某快递石家庄长安网点")
    page.select_option(".region-picker select[data-level='0']", "130000")
    page.wait_for_selector(".region-picker select[data-level='1'] option[value='130100']", state="attached")
    page.select_option(".region-picker select[data-level='1']", "130100")
    page.wait_for_selector(".region-picker select[data-level='2'] option[value='130102']", state="attached")
    page.select_option(".region-picker select[data-level='2']", "130102")
    page.fill("#industry-q", "快递")
    page.click(".picker-result[data-code='G6020']")
    page.click("label:has(input[name=declaration])")
    page.click("label:has(input[name=constitution])")
    page.click("label:has(input[name=privacy_consent])")
    page.click("#submit")
    error = page.locator("[data-error-for=id_number]")
    error.wait_for(state="visible")
    assert "校验位" in error.inner_text()
    page.locator("input[name=id_number]").scroll_into_view_if_needed()
    page.wait_for_timeout(400)  # the toast and the scroll settle
    shot(page, "join-1-error", full_page=False)

    # --- fix it and submit ---------------------------------------------------------------
    page.fill("input[name=id_number]", good_id)
    page.click("#submit")
    page.wait_for_selector("#state:not([hidden]) .weui-msg__title")
    assert page.inner_text("#state .weui-msg__title") == "申请已提交"
    assert "由石家庄市长安区快递行业工会联合会受理：工作地 130102" in page.inner_text("#state")
    shot(page, "join-2-submitted")

    # --- staff approve in the console -----------------------------------------------------
    desk = browser.new_context(**DESKTOP)
    console = desk.new_page()
    console.on("pageerror", lambda e: errors.append(str(e)))
    console.goto(f"{server}/console/login.html?next=/console/members.html")
    console.fill("#username", "reviewer")
    console.fill("#password", "password123")
    console.click("button[type=submit]")
    console.wait_for_url("**/console/members.html")
    console.wait_for_selector("#list tbody tr[data-id]")
    console.click("#list tbody tr[data-id]")
    console.wait_for_selector("#approve")
    assert good_id not in console.inner_text("#detail")
    assert "13**************" + good_id[-2:] in console.inner_text("#detail")
    shot(console, "join-3-console-review")
    console.once("dialog", lambda dialog: dialog.accept())
    console.click("#approve")
    console.wait_for_selector("#detail .tag:has-text('已通过')")
    shot(console, "join-4-console-approved")

    # --- the worker's card ---------------------------------------------------------------
    page.goto(f"{server}/h5/card.html")
    page.wait_for_selector(".member-card")
    membership = db.session.scalar(select(Membership))
    assert membership.member_no in page.inner_text(".member-card")
    assert "13**************" + good_id[-2:] in page.inner_text(".member-card")
    page.wait_for_function("document.querySelector('#qr-img') && document.querySelector('#qr-img').naturalWidth > 0")
    shot(page, "join-5-card")

    # --- the card's QR link, opened by a staff phone (public page) ------------------------
    verifier = browser.new_context(**PHONE).new_page()
    with app.app_context():
        url = member_card.verify_url(member_card.card_token(membership))
    verifier.goto(url)
    verifier.wait_for_selector("#result[data-valid='true']")
    assert "张*" in verifier.inner_text("#result") and good_id[-4:] not in verifier.inner_text("#result")
    shot(verifier, "join-6-verify")

    console.click("[data-tab=verify]")
    console.fill("#verify-input", url)
    console.click("#verify-go")
    console.wait_for_selector(".verify-ok")
    shot(console, "join-7-console-verify")
    assert errors == []


def test_correction_request_is_shown_and_resubmitted(app, server, browser, shot):
    from models.membership import Application
    from service.membership import applications
    from service.membership import review
    from service.wechat.followers import get_or_create_worker
    from tests.factories import join_form

    feds = {node.name: node for node in demo.seed_demo()}
    staff = make_staff(feds["石家庄市长安区快递行业工会联合会"])
    worker = get_or_create_worker("o-e2e-fix")
    application = applications.submit_application(worker, join_form(employer="某快递"))
    db.session.commit()
    review.request_correction(staff, application.id, "工作单位请填写营业执照上的全称")
    db.session.commit()

    phone = browser.new_context(**PHONE)
    phone.add_cookies([worker_cookie(app, "o-e2e-fix")])
    page = phone.new_page()
    page.goto(f"{server}/h5/join.html")
    page.wait_for_selector("#form-note:not([hidden])")
    assert "营业执照上的全称" in page.inner_text("#form-note")
    assert page.input_value("input[name=employer]") == "某快递"
    assert page.input_value("select[data-level='2']") == "130102"
    page.fill("input[name=employer]", "石家庄某某快递服务有限公司")
    shot(page, "join-8-correction", full_page=False)
    page.click("label:has(input[name=declaration])")
    page.click("label:has(input[name=constitution])")
    page.click("label:has(input[name=privacy_consent])")
    page.click("#submit")
    page.wait_for_selector("#state:not([hidden]) .weui-msg__title")
    db.session.expire_all()
    fixed = db.session.get(Application, application.id)
    assert fixed.status == "pending" and fixed.employer == "石家庄某某快递服务有限公司"
