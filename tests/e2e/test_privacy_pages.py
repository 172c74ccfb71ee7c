"""The worker's 我的个人信息 page and the console's audit log in a real Chromium, under the
production CSP (no page error, no CSP violation). Screenshots in artifacts/screenshots/."""
import pytest

from service import audit
from service.extensions import db
from tests.e2e.conftest import worker_cookie
from tests.factories import help_payload, make_staff, make_worker

pytestmark = pytest.mark.e2e
COURIER = "石家庄市长安区快递行业工会联合会"


def _watch(page, problems):
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)


def test_a_worker_reads_their_data_and_asks_for_deletion(app, server, browser, shot, feds):
    from service.help_requests import worker as help_requests

    worker = make_worker("o-e2e-data", name="李四", phone="13912345678")
    help_requests.submit(worker, help_payload(name="李四", phone="13912345678"))
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=False)
    context.add_cookies([worker_cookie(app, "o-e2e-data") | {"domain": "127.0.0.1"}])
    page = context.new_page()
    problems = []
    _watch(page, problems)
    page.goto(f"{server}/h5/me.html")
    page.click("#my-data")  # 我的 → 我的个人信息
    page.wait_for_selector("text=暂不能删除的原因")
    assert "李四" in page.inner_text("#content") and "139****5678" in page.inner_text("#content")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#delete")
    page.wait_for_selector("#request-status")
    assert "等待中" in page.inner_text("#request-status")
    shot(page, "privacy-my-data")
    with page.expect_download() as download:
        page.click("#export")
    assert download.value.suggested_filename == "my-data.json"
    assert problems == []
    context.close()


def test_an_admin_filters_the_audit_log(app, server, browser, shot, feds):
    admin = make_staff(feds["石家庄市长安区总工会"], role="admin", username="audit-admin")
    viewer = make_staff(feds[COURIER], username="id-viewer", display_name="王查看", may_view_id=True)
    audit.record("pii.view_id", staff=viewer, subject_type="application", subject_id=7,
                 federation_id=feds[COURIER].id)
    audit.record("request.export", staff=viewer, federation_id=feds[COURIER].id, detail={"view": "all"})
    db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", bypass_csp=False)
    page = context.new_page()
    problems = []
    _watch(page, problems)
    page.goto(f"{server}/console/login.html?next=/console/audit.html")
    page.fill("input[name=username]", "audit-admin")
    page.fill("input[name=password]", "password123")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/audit.html")
    page.click("button[data-kind=id_views]")
    # the unfiltered list has that row too: wait for the filtered answer (the export gone), not a row
    page.wait_for_function("() => { const t = document.querySelector('#rows').innerText;"
                           " return t.includes('入会申请 #7') && !t.includes('导出'); }")
    rows = page.inner_text("#rows")
    assert "王查看" in rows and "入会申请 #7" in rows and "导出" not in rows
    shot(page, "privacy-audit-log")
    assert problems == []
    assert admin.id
    context.close()
