"""Printed pages: the one CJK font is found and checked, and PDFs carry real text in an embedded subset
of it (selectable, searchable, small), over as many pages as the text needs."""

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from sheqi.printing import fonts, pdf
from sheqi.supervision import documents
from tests.helpers import pdf_text

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FINDINGS = [
    "2026年3月至5月，对张北县风电设备制造有限公司实施现场检查7次，明显超过信用等级良好企业的年度检查频次",
    "部分检查未经批准即入企，未按规定扫码登记",
    "检查结束后未在规定期限内书面告知检查结果",
]


def letter(findings: list[str]) -> bytes:
    return documents.pdf(
        "涉企行政检查监督建议书",
        "张北县司法监建〔2026〕1号",
        "张北县市场监督管理局：",
        [f"{n}. {f}" for n, f in enumerate(findings, 1)],
        ["张北县司法局", "2026-06-15"],
    )


def test_the_installed_font_draws_chinese():
    assert fonts.covers_chinese(fonts.find_cjk_font())


@pytest.mark.skipif(not Path(DEJAVU).is_file(), reason="DejaVu not installed")
def test_a_latin_only_font_is_told_apart(env):
    assert not fonts.covers_chinese(DEJAVU)
    env(SHEQI_CJK_FONT=DEJAVU)
    fonts.find_cjk_font.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="不含中文字形"):
            fonts.find_cjk_font()
    finally:
        fonts.find_cjk_font.cache_clear()


def test_wrap_breaks_chinese_anywhere_within_the_width():
    assert fonts.wrap("检查结果告知书", 3, len) == ["检查结", "果告知", "书"]
    assert fonts.wrap("", 3, len) == []


def test_a_letter_is_real_text_in_an_embedded_font_subset():
    data = letter(FINDINGS)
    text = pdf_text(data)
    for part in (
        "涉企行政检查监督建议书",
        "张北县司法监建〔2026〕1号",
        "张北县市场监督管理局：",
        *FINDINGS,
        "张北县司法局2026-06-15",
    ):
        assert part in text
    page = PdfReader(io.BytesIO(data)).pages[0]
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        assert re.fullmatch(r"/[A-Z]{6}\+.+", font["/BaseFont"]) and "/FontFile2" in font["/FontDescriptor"]  # a subset, embedded
    # The glyphs used and nothing else: ~35 KB for a page of Chinese; the page as an image was ~160 KB.
    assert len(data) < 48_000


def test_a_long_letter_runs_over_pages_and_keeps_every_line():
    findings = [f"第{n}项：{FINDINGS[n % 3]}" for n in range(60)]
    data = letter(findings)
    assert len(PdfReader(io.BytesIO(data)).pages) >= 3
    text = pdf_text(data)
    assert all(f"{n}.{finding}" in text for n, finding in enumerate(findings, 1))
    assert text.endswith("张北县司法局2026-06-15")
    assert len(data) < 64_000  # more pages add text, not glyphs


def test_a_line_that_would_cross_the_bottom_margin_starts_a_new_page():
    document = pdf.Document(title="测试")
    document.top = pdf.PAGE_HEIGHT - pdf.MARGIN - 10
    document.line("最后一行", 12)
    assert document.top == pdf.MARGIN + 18
    assert len(PdfReader(io.BytesIO(document.finish())).pages) == 2
