"""The supervision console in headless Chromium (Debian's chromium, installed by `make test`), against
the local gateway: it logs in with a token, renders the watch lists, draws the charts with data (checked
on a screenshot), shows the plan board and runs a return visit."""

import io
import threading

import numpy as np
import pytest
from PIL import Image
from werkzeug.serving import make_server

from local import config, demo_data, gateway
from sheqi import auth
from tests.handlers.scanning import NOW, new_task, open_visit
from tests.helpers import call, seeded

FOOD = {"agency_id": demo_data.MARKET, "item_id": "food-business"}


@pytest.fixture
def console(june):
    """Three closed visits at E1 in June (two under an Art. 12 exception), one rated; the gateway on a port."""
    seeded(("june", "console"), three_visits)
    port = config.free_port()
    server = make_server("127.0.0.1", port, gateway.create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def three_visits() -> None:
    exception = {"exception": {"reason": 1, "ground": {"kind": "complaint", "reference": "12345热线 ZJK-2026-0611"}}}
    for days, extra in ((3, {}), (2, exception), (0, exception)):
        at = NOW.replace(day=NOW.day - days)
        visit_id = open_visit(new_task(**extra), at=at, **({"late_reason": "no_network"} if days else {}))[1]["visit_id"]
        call("POST", f"/visits/{visit_id}/findings", "market-wang", {**FOOD, "result": "compliant"})
        call(
            "POST",
            f"/visits/{visit_id}/close",
            "market-wang",
            {"ended_at": at.isoformat(), "outcome": "no_violation", "summary": "未发现问题"},
        )
    call(
        "POST",
        f"/visits/{visit_id}/rating",
        "enterprise-1",
        {"conduct": 2, "procedure": 3, "efficiency": 4, "prohibited_practices": ["demanded_legal_representative"]},
    )


def open_view(browser, base: str, view: str, who: str = "judicial-zhangbei"):
    token = auth.issue_token(demo_data.IDENTITIES[who][1], config.jwt_secret())
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.goto(f"{base}/console/#token={token}&view={view}")
    page.wait_for_selector(f"body[data-ready={view}]", timeout=20_000)
    return page


def colour_pixels(png: bytes, rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return int((abs(pixels - np.array(rgb)) <= tolerance).all(axis=2).sum())


def test_watch_lists_render_for_the_judicial_bureau(browser, console):
    page = open_view(browser, console, "watch")
    text = page.inner_text("#watch-lists")
    assert "检查频次明显偏高的企业" in text and "张北县风电设备制造有限公司" in text
    assert "涉及投诉举报、媒体曝光等情形" in text and "12345热线 ZJK-2026-0611" in text, page.inner_text("#list-exceptions + *")
    assert "要求法定代表人或主要负责人陪同" in text
    assert page.inner_text("#error") == ""


def test_charts_render_with_data(browser, console):
    page = open_view(browser, console, "charts")
    inspections = page.locator("#chart-inspections").screenshot()
    ratings = page.locator("#chart-ratings").screenshot()
    # The first agency's bars (#c0392b) for June's three inspections; the ratings chart's count bars (#2471a3).
    assert colour_pixels(inspections, (0xC0, 0x39, 0x2B)) > 500
    assert colour_pixels(ratings, (0x24, 0x71, 0xA3)) > 200
    assert "张北县市场监督管理局" in page.inner_text("#legend-inspections")
    page.screenshot(path=str(config.DATA_DIR / "console-charts.png"), full_page=True)  # for a person to look at
    # The same chart for a county without inspections draws no bars.
    quiet = open_view(browser, console, "charts", who="judicial-huailai")
    assert colour_pixels(quiet.locator("#chart-inspections").screenshot(), (0xC0, 0x39, 0x2B)) == 0
    assert "本年度暂无检查" in quiet.inner_text("#legend-inspections")


def test_plan_board_and_an_agency_admins_view(browser, console):
    board = open_view(browser, console, "plans").inner_text("#plan-board")
    assert "张北县市场监督管理局" in board and "已公布" in board
    admin = open_view(browser, console, "watch", who="admin-market")
    assert "无权" in admin.inner_text("#list-frequency + *")  # the lists are the bureau's, not the agency's


def test_return_visit_workflow_opens_a_case(browser, console):
    page = open_view(browser, console, "returns")
    page.fill("input[name=period_from]", "2026-06-01")
    page.fill("input[name=period_to]", "2026-06-30")
    page.fill("input[name=per_agency]", "2")
    page.fill("input[name=seed]", "2026年第二季度回访公开种子")
    page.click("#sample-form button")
    page.wait_for_selector("body[data-ready=sample]", timeout=20_000)
    assert page.locator("form.answer").count() == 2
    form = page.locator("form.answer").first
    form.locator("select[name=told_result]").select_option("false")
    form.locator("button").click()
    page.wait_for_selector("#cases td:has-text('未告知检查结果')", timeout=20_000)
    assert "已立案" in page.inner_text("#sample-entries")


def test_accountability_measures_for_the_bureau_and_the_agency_its_own_only(browser, console):
    body = {
        "kind": "summons",
        "agency_id": demo_data.MARKET,
        "inspector_id": "market-wang",
        "held_on": "2026-06-20",
        "findings": ["要求企业法定代表人陪同检查（第二十七条）"],
        "requirements": "说明情况并整改",
    }
    assert call("POST", "/accountability", "judicial-zhangbei", body)[0] == 201
    bureau = open_view(browser, console, "accountability").inner_text("#measures")
    assert "约谈" in bureau and "张北县市场监督管理局执法人员王建国" in bureau and "约谈日期 2026-06-20" in bureau
    assert "王建国" in open_view(browser, console, "accountability", who="admin-market").inner_text("#measures")
    other = open_view(browser, console, "accountability", who="admin-police")
    assert "王建国" not in other.inner_text("#measures") and "暂无" in other.inner_text("#measures")


def test_the_agency_reports_an_order_corrected_and_its_bureau_sees_it(browser, console):
    order = {
        "kind": "order",
        "agency_id": demo_data.MARKET,
        "findings": ["未扫码即进入企业检查（第二十四条）"],
        "requirements": "组织执法人员学习扫码入企规定",
        "correct_by": "2026-07-15",
    }
    measure_id = call("POST", "/accountability", "judicial-zhangbei", order)[1]["measure_id"]
    assert "未报告" in open_view(browser, console, "accountability").inner_text("#measures")
    page = open_view(browser, console, "accountability", who="admin-market")
    form = page.locator(f"form.correction[data-measure='{measure_id}']")
    form.locator("input[name=report]").fill("已组织全体执法人员学习扫码入企规定")
    form.locator("input[name=corrected_on]").fill("2026-06-12")
    form.locator("button").click()
    page.wait_for_selector("#measures :text('2026-06-12 已改正')", timeout=20_000)
    bureau = open_view(browser, console, "accountability").inner_text("#measures")
    assert "2026-06-12 已改正：已组织全体执法人员学习扫码入企规定" in bureau and "逾期" not in bureau
    assert (
        call(
            "POST",
            f"/agencies/{demo_data.MARKET}/accountability/{measure_id}/correction-report",
            "admin-market",
            {"report": "再报一次", "corrected_on": "2026-06-12"},
        )[0]
        == 409
    )


def test_no_raw_code_reaches_a_rendered_page(browser, console):
    """Every code of the label table (sheqi/rules/labels.py) is shown in Chinese: none appears as a word
    in any view's text, with a refused scan and an open complaint in the lists."""
    import re
    import uuid

    from sheqi.rules import labels

    call(
        "POST",
        "/scans",
        "market-wang",
        {
            "token": "http://www.gsxt.gov.cn/index.html?uniscid=" + demo_data.ENTERPRISES[0]["enterprise_id"],
            "task_id": "0" * 32,
            "client_request_id": uuid.uuid4().hex,
            "device_time": NOW.isoformat(),
        },
    )
    call(
        "POST",
        "/complaints",
        "enterprise-1",
        {
            "subject": "unregistered_inspection",
            "agency_name": "张北县市场监督管理局",
            "occurred_on": "2026-06-10",
            "description": "两人未扫码进入车间检查，未出示证件",
        },
    )
    codes = {str(code) for table in labels.GROUPS.values() for code in table if not str(code).isdigit()}
    order = {
        "kind": "order",
        "agency_id": demo_data.MARKET,
        "findings": ["未扫码即进入企业检查"],
        "requirements": "停止未登记检查",
        "correct_by": "2026-07-15",
    }
    assert call("POST", "/accountability", "judicial-zhangbei", order)[0] == 201
    for view in ("watch", "charts", "plans", "returns", "accountability"):
        text = open_view(browser, console, view).inner_text("body")
        shown = set(re.findall(r"[a-z][a-z_]+", text)) & codes
        assert not shown, f"{view}: {sorted(shown)}"
    assert "检查任务不存在" in open_view(browser, console, "watch").inner_text("#watch-lists")
