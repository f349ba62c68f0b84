"""The scan-in code pictures decode with a real decoder (OpenCV), as PNG and as a PDF drawn by Poppler, and
the poster's Chinese is real text in the PDF."""

import cv2
import numpy as np
import pytest

from sheqi.registry import qr_image
from sheqi.registry.qr_image import ENTERPRISE_LINE, SCAN_LINE
from tests.helpers import decode_qr as decode
from tests.helpers import pdf_text, render_pdf

URL = "https://sheqi.example.gov.cn/public/codes/1.91130722MA0A1B2C3U.12.k2.AbCdEfGhIjKlMnOpQrStUv"


def test_codes_with_many_different_signatures_all_decode():
    # Each enterprise's token differs; every one of them must read back.
    for n in range(60):
        url = f"https://sheqi.example.gov.cn/public/codes/1.91130722MA0A1B2C3U.{n}.k1.{'AbCdEfGhIjKlMnOpQrSt'}{n:02d}"
        assert decode(qr_image.qr_png(url)) == url


def test_qr_png_decodes_to_the_url():
    assert decode(qr_image.qr_png(URL)) == URL


@pytest.mark.parametrize("name", ["张北县风电设备制造有限公司", "张北县坝上" * 12])
def test_poster_is_a4_and_its_code_decodes(name):
    png = qr_image.poster(URL, enterprise_name=name, uscc="91130722MA0A1B2C3U", region_name="张北县")
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[:2] == (1754, 1240)
    assert decode(png) == URL
    # Text never runs into the side margins: the outer 40 px columns stay white.
    assert image[:, :40].min() == 255 and image[:, -40:].min() == 255


def test_poster_pdf_has_real_text_and_a_code_that_decodes(tmp_path):
    pdf = qr_image.poster(
        URL, enterprise_name="怀来县京张物流有限公司", uscc="91130730MA0N4P5Q6X", region_name="怀来县", fmt="pdf"
    )
    text = pdf_text(pdf)
    for line in (
        "涉企行政检查·扫码入企",
        "怀来县京张物流有限公司",
        "统一社会信用代码：91130730MA0N4P5Q6X",
        SCAN_LINE,
        ENTERPRISE_LINE,
    ):
        assert line in text
    assert len(pdf) < 40_000  # text and vector squares; the page as an image was ~190 KB
    assert decode(render_pdf(pdf, tmp_path)) == URL
    with pytest.raises(ValueError):
        qr_image.poster(URL, enterprise_name="某公司", uscc="x", region_name="y", fmt="svg")
