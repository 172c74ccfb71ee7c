"""The federations console page in a real headless Chromium: the demo tree, overlap
warnings, the routing tester and the name rule in the create dialog."""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from service.devtools import demo
from service.extensions import db

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(app):
    demo.seed_demo()
    demo.seed_staff()
    db.session.commit()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)


def test_federations_page(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/console/login.html?next=/console/federations.html")
    page.fill("#username", "sjz-admin")
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".fed-head h2")
    assert page.locator("#tree .node").count() == 14  # the city union and everything beneath it
    assert page.locator("#overlaps tbody tr").count() == 2
    page.locator("#tree .node", has_text="石家庄市长安区建筑行业工会联合会").click()
    page.wait_for_selector(".fed-head h2:has-text('石家庄市长安区建筑行业工会联合会')")
    assert "届满" in page.locator(".warnings").inner_text()

    # a coverage rule is picked by name: the form starts at the federation's own place and trade
    page.wait_for_selector("#cov-preview:has-text('新规则：石家庄市 › 长安区 · 建筑业')")
    page.wait_for_selector("#cov-region select[data-level='3'] option[value='130102001']", state="attached")
    page.select_option("#cov-region select[data-level='3']", "130102001")
    assert page.inner_text("#cov-preview") == "新规则：石家庄市 › 长安区 › 建北街道 · 建筑业"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#coverage-form").screenshot(path=str(SHOTS / "e2e-federations-coverage-picker.png"))
    page.click("#coverage-form button[type=submit]")
    page.wait_for_selector("table:has-text('建北街道')")

    page.wait_for_selector("#tester-region select[data-level='2'] option[value='130102']:checked", state="attached")
    page.fill("#tester-industry", "出租车")  # the industry is searched by name and shown by name
    page.click("#tester-industry-picker .picker-result[data-code='G5413']")
    assert "出租车客运" in page.inner_text("#tester-industry-picker .chosen")
    assert not page.is_visible("#tester-industry")
    page.click("#tester-form button[type=submit]")
    answer = page.wait_for_selector(".answer").inner_text()
    assert "石家庄市长安区总工会" in answer and "由上级工会兜底" in answer  # 网约车 federation dissolved
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#tester").screenshot(path=str(SHOTS / "e2e-federations-tester.png"))

    page.click("#new-federation")
    page.wait_for_selector("#c-region select[data-level='1'] option[value='130100']", state="attached")
    page.select_option("#c-parent", label="石家庄市长安区总工会")
    page.wait_for_selector("#c-region select[data-level='2'] option[value='130102']:checked", state="attached")
    page.fill("#c-industry", "G5413")  # a code typed still finds the name
    page.click("#c-industry-picker .picker-result[data-code='G5413']")
    page.screenshot(path=str(SHOTS / "e2e-federations-create-pickers.png"))
    page.fill("#c-name", "石家庄市长安区网约车司机工会联合会")
    page.click("#create-form button[type=submit]")
    message = page.wait_for_selector("#create-form [data-for=name]:not(:empty)").inner_text()
    assert message.startswith("名称不能使用职业名称（“网约车司机”）")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "e2e-federations-create.png"))
    page.fill("#c-name", "石家庄市长安区网约车行业运输工会联合会")
    page.click("#create-form button[type=submit]")
    page.wait_for_selector(".fed-head h2:has-text('石家庄市长安区网约车行业运输工会联合会')")
    assert "筹备中" in page.locator(".fed-head").inner_text()
    assert errors == []
