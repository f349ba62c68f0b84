"""Pictures of an enterprise's scan-in code: the QR alone, and a printable A4 poster for the door, as a
PNG or as a PDF with real text (and the code drawn as vector squares).

Only the routes that draw import this module, so other handlers never load Pillow or qrcode; only the
poster's PDF loads ReportLab.
"""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_Q

from sheqi.printing.fonts import find_cjk_font, wrap

A4_150DPI = (1240, 1754)
MARGIN = 90
SCAN_LINE = "行政执法人员入企检查前，须扫描本码登记（《张家口市规范涉企行政检查实施细则》第二十四条）"
ENTERPRISE_LINE = "企业可通过本码核验检查人员执法资格、评价检查；对违规检查可拒绝并投诉"


@lru_cache(maxsize=16)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(find_cjk_font(), size)


def _code(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=10, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code


def _image(code: qrcode.QRCode) -> Image.Image:
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    _image(_code(url)).save(out, "PNG")
    return out.getvalue()


def _lines(text: str, size: int, width: int) -> list[str]:
    return wrap(text, width, cjk_font(size).getlength)


def _fit(text: str, width: int) -> tuple[int, list[str]]:
    """Fewest lines first, then the largest size: a name stays on one line while it can stay
    readable; a long one goes to two or three lines of smaller type, never past the margins."""
    for max_lines, sizes in ((1, range(84, 55, -4)), (2, range(64, 43, -4)), (3, range(52, 27, -4))):
        for size in sizes:
            lines = _lines(text, size, width)
            if len(lines) <= max_lines:
                return size, lines
    return 28, _lines(text, 28, width)[:3]


def _layout(enterprise_name: str, uscc: str, region_name: str) -> tuple[list[tuple], tuple[int, int, int]]:
    """The poster on an A4 page at 150 dpi: its text lines as (x, top, text, size, colour), centred,
    and the code's square as (x, top, side)."""
    width = A4_150DPI[0] - 2 * MARGIN
    placed: list[tuple] = []
    y = MARGIN

    def block(lines: list[str], size: int, fill: str = "black", gap: int = 14) -> None:
        nonlocal y
        for line in lines:
            placed.append(((A4_150DPI[0] - cjk_font(size).getlength(line)) / 2, y, line, size, fill))
            y += size + gap

    block(["涉企行政检查 · 扫码入企"], 72, fill="#b22222")
    y += 30
    name_size, name_lines = _fit(enterprise_name, width)
    block(name_lines, name_size)
    block([f"统一社会信用代码：{uscc}", region_name], 34, fill="#333333")
    y += 20
    side = min(width - 100, A4_150DPI[1] - y - 330)
    square = ((A4_150DPI[0] - side) // 2, y, side)
    y += side + 30
    block(_lines(SCAN_LINE, 32, width), 32, gap=10)
    y += 10
    block(_lines(ENTERPRISE_LINE, 30, width), 30, fill="#333333", gap=10)
    return placed, square


def poster(url: str, *, enterprise_name: str, uscc: str, region_name: str, fmt: str = "png") -> bytes:
    if fmt not in ("png", "pdf"):
        raise ValueError(f"unsupported poster format {fmt!r}")
    placed, (x, top, side) = _layout(enterprise_name, uscc, region_name)
    code = _code(url)
    if fmt == "pdf":
        return _poster_pdf(code, placed, (x, top, side), title=f"{enterprise_name} 入企码")
    page = Image.new("RGB", A4_150DPI, "white")
    draw = ImageDraw.Draw(page)
    for left, line_top, line, size, fill in placed:
        draw.text((left, line_top), line, font=cjk_font(size), fill=fill)
    page.paste(_image(code).resize((side, side), Image.Resampling.NEAREST), (x, top))
    out = io.BytesIO()
    page.save(out, "PNG", dpi=(150, 150))
    return out.getvalue()


def _poster_pdf(code: qrcode.QRCode, placed: list[tuple], square: tuple[int, int, int], title: str) -> bytes:
    from sheqi.printing import pdf

    points = 72 / 150  # the layout is in pixels at 150 dpi
    document = pdf.Document(title=title)
    for left, top, line, size, fill in placed:
        document.text(left * points, top * points, line, size * points, fill)
    x, top, side = square
    document.modules(code.get_matrix(), x * points, top * points, side * points)
    return document.finish()
