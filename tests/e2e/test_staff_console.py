"""The staff accounts page in a real headless Chromium: a role change and a deactivation each ask
first, naming the person and the change; 取消 leaves everything as it was."""
import pytest
from sqlalchemy import select

from models.staff import Staff
from service.devtools import demo
from service.extensions import db

pytestmark = pytest.mark.e2e


def staff_role(username):
    db.session.rollback()
    return db.session.scalar(select(Staff).where(Staff.username == username))


def test_role_change_and_deactivation_ask_first(app, server, browser, shot):
    demo.seed_demo()
    demo.seed_staff()
    db.session.commit()
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: pytest.fail(f"a browser dialog instead of the page's own: {dialog.message}"))
    page.goto(f"{server}/console/login.html?next=/console/staff.html")
    page.fill("#username", "sjz-admin")
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready='1']")
    row = page.locator("#rows tr", has_text="kd-case")
    select_role = row.locator("select.role")

    # --- the role: the dialog names the person, the old and the new role; 取消 keeps the old one
    select_role.select_option("chair")
    dialog = page.locator("[role=alertdialog]")
    dialog.wait_for()
    text = dialog.inner_text()
    assert "修改角色" in text and "张丽（快递联合会办事员）" in text and "kd-case" in text
    assert "由 办事员 改为 主席" in text
    shot(page, "e2e-staff-01-role-confirm", full_page=False)
    dialog.locator("button", has_text="取消").click()
    assert dialog.count() == 0
    assert select_role.input_value() == "caseworker"
    assert staff_role("kd-case").role == "caseworker"

    # Escape cancels as well
    select_role.select_option("admin")
    dialog.wait_for()
    assert "管理员可以管理员工账号" in dialog.inner_text()
    page.keyboard.press("Escape")
    assert dialog.count() == 0 and select_role.input_value() == "caseworker"

    # --- confirmed: the PATCH is sent, the new role stays
    select_role.select_option("chair")
    dialog.locator("button", has_text="改为主席").click()
    page.wait_for_selector(".flash:has-text('角色改为主席')")
    assert select_role.input_value() == "chair"
    assert staff_role("kd-case").role == "chair"

    # --- deactivation: asked first, naming the person and what follows
    row.locator("[data-act=deactivate]").click()
    dialog.wait_for()
    text = dialog.inner_text()
    assert "停用账号" in text and "张丽（快递联合会办事员）" in text and "未分派" in text
    shot(page, "e2e-staff-02-deactivate-confirm", full_page=False)
    dialog.locator("button", has_text="取消").click()
    assert staff_role("kd-case").active is True
    row.locator("[data-act=deactivate]").click()
    dialog.locator("button", has_text="确认停用").click()
    page.wait_for_selector("#rows tr:has-text('kd-case') .tag:has-text('已停用')")
    assert staff_role("kd-case").active is False
    shot(page, "e2e-staff-03-after", full_page=False)
    assert errors == []
