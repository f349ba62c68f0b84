"""The phone pages in headless Chromium (Debian's chromium, mobile emulation 390x844) through the local
gateway: two inspectors scan the enterprise's real poster with a camera fed a fake video made from it
(the jsQR decode path runs: Chromium on Linux has no BarcodeDetector), log a finding with a photo and
close; the enterprise sees the visit and rates it; the poster URL in a browser says genuine; a scan taken
offline is queued and sent once online. Every page's screenshot is checked for non-blank rendering."""

import io
import threading

import numpy as np
import pytest
from PIL import Image
from werkzeug.serving import make_server

from local import config, demo_data, gateway
from sheqi import clock
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.handlers.scanning import open_visit
from tests.helpers import call

E1, E2 = (demo_data.ENTERPRISES[i]["enterprise_id"] for i in (0, 1))
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "geolocation": {"latitude": 41.15, "longitude": 114.70, "accuracy": 20},
    "permissions": ["geolocation", "camera"],
}
WAIT = 20_000


def y4m(png: bytes, path, frames: int = 3) -> None:
    """A Y4M video (4:2:0) of the poster, what Chromium's fake capture device plays in a loop."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.resize((720, round(720 * image.height / image.width / 2) * 2))
    y, u, v = (np.asarray(c, dtype=np.uint8) for c in image.convert("YCbCr").split())
    chroma = [c.reshape(c.shape[0] // 2, 2, c.shape[1] // 2, 2).mean(axis=(1, 3)).astype(np.uint8) for c in (u, v)]
    frame = b"FRAME\n" + y.tobytes() + chroma[0].tobytes() + chroma[1].tobytes()
    path.write_bytes(f"YUV4MPEG2 W{image.width} H{image.height} F5:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)


def non_blank(page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{name} is wider than the phone"
    png = page.screenshot(full_page=True)
    (config.DATA_DIR / f"phone-{name}.png").write_bytes(png)  # for a person to look at
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=int)
    assert pixels.std() > 20 and len(np.unique(pixels)) > 30, f"{name} looks blank"


@pytest.fixture
def stack(demo, env):
    port = config.free_port()
    base = f"http://127.0.0.1:{port}"
    env(PUBLIC_CODE_URL=f"{base}/c/", S3_UPLOAD_ENDPOINT=f"{base}{config.EVIDENCE_PROXY}")
    server = make_server("127.0.0.1", port, gateway.create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base
    server.shutdown()


@pytest.fixture
def camera_browser(stack, tmp_path):
    """Chromium whose camera films E1's poster."""
    playwright = pytest.importorskip("playwright.sync_api")
    status, poster = call("GET", f"/enterprises/{E1}/poster", "enterprise-1", query="format=png")
    assert status == 200
    video = tmp_path / "poster.y4m"
    y4m(poster, video)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=CHROMIUM_ARGS
            + [
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        yield browser
        browser.close()


def sign_in(browser, base: str, name: str):
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{base}/phone/index.html")
    page.wait_for_selector("body[data-ready=signin]", timeout=WAIT)
    non_blank(page, "signin")
    page.click(f"button[data-name={name}]")
    return page


def inspector(browser, base: str, name: str):
    page = sign_in(browser, base, name)
    page.wait_for_selector("#task-list li[data-task] button", timeout=WAIT)
    page.click(f"#task-list li[data-task='{demo_data.demo_task_id('market-routine')}'] button")
    return page


def test_two_inspectors_scan_the_poster_log_a_photo_close_and_the_enterprise_rates(camera_browser, stack):
    wang = inspector(camera_browser, stack, "market-wang")
    wang.click("#start-camera")
    wang.wait_for_selector("body[data-ready=scan-pending]", timeout=WAIT)
    assert wang.evaluate("document.body.dataset.camera") == "jsqr"
    assert "等待第二名执法人员" in wang.inner_text("#result-body") and "第十九条" in wang.inner_text("#result-body")
    non_blank(wang, "inspector-pending")

    li = inspector(camera_browser, stack, "market-li")
    li.click("#start-camera")
    li.wait_for_selector("body[data-ready=visit]", timeout=WAIT)
    assert li.locator("[data-outcome=opened]").count() == 1
    wang.click("#recheck")
    wang.wait_for_selector("body[data-ready=visit]", timeout=WAIT)

    form = wang.locator("form.finding").first
    form.locator("select[name=result]").select_option("compliant")
    form.locator("textarea[name=notes]").fill("冷库温度记录完整")
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(photo, "JPEG")
    form.locator("input[name=photos]").set_input_files({"name": "冷库.jpg", "mimeType": "image/jpeg", "buffer": photo.getvalue()})
    form.locator("button").click()
    wang.wait_for_selector(".card[data-item=food-business] .tag", timeout=WAIT)
    assert "证据 1 份" in wang.inner_text(".card[data-item=food-business]")

    wang.fill("#close-form textarea[name=summary]", "经检查未发现问题")
    wang.reload()  # nothing typed is lost
    wang.wait_for_selector("body[data-ready=visit]", timeout=WAIT)
    assert wang.input_value("#close-form textarea[name=summary]") == "经检查未发现问题"
    non_blank(wang, "inspector-visit")
    wang.click("#close-form button")
    wang.wait_for_selector("body[data-ready=closed], #error:not(:empty)", timeout=WAIT)
    assert wang.inner_text("#error") == ""

    owner = sign_in(camera_browser, stack, "enterprise-1")
    owner.wait_for_selector("body[data-ready=inspections]", timeout=WAIT)
    non_blank(owner, "enterprise-list")
    owner.click("#inspections li[data-visit]")
    owner.wait_for_selector("body[data-ready=visit]", timeout=WAIT)
    detail = owner.inner_text("#detail-body")
    assert "未发现违法行为" in owner.inner_text("#visit-outcome") and "记录完整，未被改动" in detail
    assert "王建国" in detail and "13072201001" in detail and "证据 1 份" in detail and "结果告知书" in detail
    owner.select_option("#rating-form select[name=conduct]", "4")
    owner.check("#practices input[value=demanded_legal_representative]")
    owner.click("#rating-form button")
    owner.wait_for_selector("#rating-done", timeout=WAIT)
    non_blank(owner, "enterprise-visit")

    _, code = call("GET", f"/enterprises/{E1}/code", "enterprise-1")
    door = camera_browser.new_context(**PHONE).new_page()
    door.goto(code["url"])
    assert door.get_attribute("#verdict", "data-verdict") == "genuine" and demo_data.ENTERPRISES[0]["name"] in door.inner_text(
        "#verdict"
    )
    non_blank(door, "door")


def test_a_scan_taken_offline_is_queued_and_sent_when_back_online(camera_browser, stack):
    _, code = call("GET", f"/enterprises/{E2}/code", "enterprise-2")
    page = inspector(camera_browser, stack, "market-wang")
    page.goto(code["url"])  # the poster's page, then its inspector link
    page.click("a[href*='inspector.html']")
    page.wait_for_selector("#scan:not([hidden])", timeout=WAIT)
    page.context.set_offline(True)
    page.click("#scan-link")
    page.wait_for_selector("body[data-ready=queued]", timeout=WAIT)
    assert page.evaluate("JSON.parse(localStorage.getItem('sheqi-scan-queue')).length") == 1
    assert page.is_visible("#offline") and page.inner_text("#queued") == "1"
    non_blank(page, "inspector-offline")
    page.context.set_offline(False)
    page.wait_for_selector("body[data-ready=scan-pending]", timeout=WAIT)
    assert "离线补传" in page.inner_text("#result-body")
    assert page.evaluate("JSON.parse(localStorage.getItem('sheqi-scan-queue')).length") == 0
    assert demo_data.ENTERPRISES[1]["name"] in page.inner_text("#result-body")


def test_the_enterprise_sees_the_task_behind_a_visit_and_who_assisted(browser, stack):
    """Art. 24: the task's kind and which agency approved it when; Art. 20: the third party that assisted,
    why it was invited and its advice (it does not inspect)."""
    now = clock.now()
    visit_id = open_visit(demo_data.demo_task_id("market-routine"), at=now)[1]["visit_id"]
    lab = {"kind": "testing_body", "name": "张家口市食品检验检测中心", "reason": "现场快检需专业判定", "advice": "快检结果阴性"}
    finding = {"agency_id": demo_data.MARKET, "item_id": "food-business", "result": "compliant", "assisted_by": [lab]}
    assert call("POST", f"/visits/{visit_id}/findings", "market-li", finding)[0] == 201
    close = {"ended_at": now.isoformat(), "outcome": "no_violation", "summary": "未发现问题"}
    assert call("POST", f"/visits/{visit_id}/close", "market-wang", close)[0] == 201

    owner = sign_in(browser, stack, "enterprise-1")
    owner.wait_for_selector("body[data-ready=inspections]", timeout=WAIT)
    owner.click(f"#inspections li[data-visit='{visit_id}']")
    owner.wait_for_selector("body[data-ready=visit]", timeout=WAIT)
    task = owner.inner_text("#visit-tasks")
    assert "日常检查（现场检查）" in task and "批准：张北县市场监督管理局" in task
    assisted = owner.inner_text("#visit-assisted")
    assert "检验检测机构：张家口市食品检验检测中心" in assisted and "邀请原因：现场快检需专业判定" in assisted
    assert "参考意见：快检结果阴性" in assisted and "不实施检查" in owner.inner_text("#detail-body")
