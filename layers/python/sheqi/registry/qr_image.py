"""Pictures of an enterprise's scan-in code: the QR alone, and a printable A4 poster for the door.

Only the routes that draw import this module, so other handlers never load Pillow or qrcode.
"""
from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_Q

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
A4_150DPI = (1240, 1754)
MARGIN = 90
SCAN_LINE = "行政执法人员入企检查前，须扫描本码登记（《张家口市规范涉企行政检查实施细则》第二十四条）"
ENTERPRISE_LINE = "企业可通过本码核验检查人员执法资格、评价检查；对违规检查可拒绝并投诉"


def covers_chinese(path: str, sample: str = "扫码入企检查") -> bool:
    """Whether the font draws real, distinct glyphs for `sample` rather than one 'missing' box."""
    font = ImageFont.truetype(path, 48)
    shapes = {bytes(font.getmask(char)) for char in sample}
    return len(shapes) == len(set(sample)) and bytes(font.getmask("\U000F0000")) not in shapes


@lru_cache(maxsize=1)
def find_cjk_font() -> str:
    configured = os.environ.get("SHEQI_CJK_FONT")
    if configured:
        if not (Path(configured).is_file() and covers_chinese(configured)):
            raise RuntimeError(f"SHEQI_CJK_FONT 指定的字体 {configured} 不存在或不含中文字形")
        return configured
    for path in FONT_CANDIDATES:
        if Path(path).is_file():
            return path
    raise RuntimeError("未找到中文字体：请安装 fonts-wqy-zenhei（make run / make test 会自动安装）或设置 SHEQI_CJK_FONT")


@lru_cache(maxsize=16)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(find_cjk_font(), size)


def _qr(url: str, box_size: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, box_size=box_size, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    _qr(url, box_size=10).save(out, "PNG")
    return out.getvalue()


def wrap_text(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break Chinese text into lines that fit `width` (any character may start a new line)."""
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > width and line:
            lines.append(line)
            line = char
        else:
            line += char
    return lines + [line] if line else lines


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int):
    """Fewest lines first, then the largest size: a name stays on one line while it can stay
    readable; a long one goes to two or three lines of smaller type, never past the margins."""
    for max_lines, sizes in ((1, range(84, 55, -4)), (2, range(64, 43, -4)), (3, range(52, 27, -4))):
        for size in sizes:
            lines = wrap_text(draw, text, cjk_font(size), width)
            if len(lines) <= max_lines:
                return cjk_font(size), lines
    return cjk_font(28), wrap_text(draw, text, cjk_font(28), width)[:3]


def poster(url: str, *, enterprise_name: str, uscc: str, region_name: str, fmt: str = "png") -> bytes:
    if fmt not in ("png", "pdf"):
        raise ValueError(f"unsupported poster format {fmt!r}")
    page = Image.new("RGB", A4_150DPI, "white")
    draw = ImageDraw.Draw(page)
    width = A4_150DPI[0] - 2 * MARGIN
    y = MARGIN

    def block(lines: list[str], font: ImageFont.FreeTypeFont, fill: str = "black", gap: int = 14) -> None:
        nonlocal y
        for line in lines:
            draw.text(((A4_150DPI[0] - draw.textlength(line, font=font)) / 2, y), line, font=font, fill=fill)
            y += font.size + gap

    block(["涉企行政检查 · 扫码入企"], cjk_font(72), fill="#b22222")
    y += 30
    name_font, name_lines = _fit(draw, enterprise_name, width)
    block(name_lines, name_font)
    block([f"统一社会信用代码：{uscc}", region_name], cjk_font(34), fill="#333333")
    y += 20
    side = min(width - 100, A4_150DPI[1] - y - 330)
    code = _qr(url, box_size=10).resize((side, side), Image.NEAREST)
    page.paste(code, ((A4_150DPI[0] - side) // 2, y))
    y += side + 30
    block(wrap_text(draw, SCAN_LINE, cjk_font(32), width), cjk_font(32), gap=10)
    y += 10
    block(wrap_text(draw, ENTERPRISE_LINE, cjk_font(30), width), cjk_font(30), fill="#333333", gap=10)

    out = io.BytesIO()
    if fmt == "pdf":
        page.save(out, "PDF", resolution=150)
    else:
        page.save(out, "PNG", dpi=(150, 150))
    return out.getvalue()
