"""The one CJK font every printed page uses (posters as images and PDFs, letters), found once and
checked to draw Chinese, and Chinese line breaking."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from sheqi import settings

# TrueType outlines only: the PDFs embed a subset of the font, which ReportLab can do for TrueType
# (glyf) fonts, not for CFF-based OpenType ones such as Noto CJK.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def covers_chinese(path: str, sample: str = "扫码入企检查") -> bool:
    """Whether the font draws real, distinct glyphs for `sample` rather than one 'missing' box."""
    font = ImageFont.truetype(path, 48)
    shapes = {bytes(font.getmask(char)) for char in sample}
    return len(shapes) == len(set(sample)) and bytes(font.getmask("\U000f0000")) not in shapes


@lru_cache(maxsize=1)
def find_cjk_font() -> str:
    configured = settings.get().cjk_font
    if configured:
        if not (Path(configured).is_file() and covers_chinese(configured)):
            raise RuntimeError(f"SHEQI_CJK_FONT 指定的字体 {configured} 不存在或不含中文字形")
        return configured
    for path in FONT_CANDIDATES:
        if Path(path).is_file():
            return path
    raise RuntimeError("未找到中文字体：请安装 fonts-wqy-zenhei（make run / make test 会自动安装）或设置 SHEQI_CJK_FONT")


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break Chinese text into lines no wider than `width` as `measure` counts it (any character may
    start a new line)."""
    lines, line = [], ""
    for char in text:
        if measure(line + char) > width and line:
            lines.append(line)
            line = char
        else:
            line += char
    return lines + [line] if line else lines
