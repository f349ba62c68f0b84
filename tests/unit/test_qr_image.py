"""The scan-in code pictures decode with a real decoder (OpenCV) and the poster's Chinese renders."""
from pathlib import Path

import cv2
import numpy as np
import pytest

from sheqi.registry import qr_image
from tests.helpers import decode_qr as decode

URL = "https://sheqi.example.gov.cn/public/codes/1.91130722MA0A1B2C3U.12.k2.AbCdEfGhIjKlMnOpQrStUv"
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


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


def test_poster_pdf():
    pdf = qr_image.poster(URL, enterprise_name="怀来县京张物流有限公司", uscc="91130730MA0N4P5Q6X",
                          region_name="怀来县", fmt="pdf")
    assert pdf.startswith(b"%PDF")
    with pytest.raises(ValueError):
        qr_image.poster(URL, enterprise_name="某公司", uscc="x", region_name="y", fmt="svg")


def test_the_installed_font_draws_chinese():
    assert qr_image.covers_chinese(qr_image.find_cjk_font())


@pytest.mark.skipif(not Path(DEJAVU).is_file(), reason="DejaVu not installed")
def test_a_latin_only_font_is_told_apart(monkeypatch):
    assert not qr_image.covers_chinese(DEJAVU)
    monkeypatch.setenv("SHEQI_CJK_FONT", DEJAVU)
    qr_image.find_cjk_font.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="不含中文字形"):
            qr_image.find_cjk_font()
    finally:
        monkeypatch.delenv("SHEQI_CJK_FONT")
        qr_image.find_cjk_font.cache_clear()
