"""A4 PDFs with real text: every string is set in an embedded subset of the CJK font (only the glyphs
the document uses), so a letter is searchable and copyable and weighs tens of KB, not a page image's
hundreds. ReportLab; only the routes that print import this module."""

from __future__ import annotations

import io
from functools import lru_cache

from reportlab.lib.colors import toColor
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from sheqi.printing.fonts import find_cjk_font, wrap

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 43.0  # points; 90 px at the posters' 150 dpi
FONT = "sheqi-cjk"


@lru_cache(maxsize=1)
def _font() -> str:
    path = find_cjk_font()
    try:
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))  # in a .ttc, the first face is the regular one
    except TTFError as error:
        raise RuntimeError(
            f"字体 {path} 无法嵌入 PDF（须为 TrueType 字形）：请安装 fonts-wqy-zenhei 或另设 SHEQI_CJK_FONT"
        ) from error
    return FONT


def text_width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, _font(), size)


class Document:
    """An A4 document written top to bottom; a page is added when the next line would not fit.
    `top` is where the next line starts, in points from the top edge of the page."""

    def __init__(self, title: str):
        self._out = io.BytesIO()
        self.canvas = Canvas(self._out, pagesize=A4, initialFontName=_font(), initialFontSize=12)
        self.canvas.setTitle(title)
        self.top = MARGIN

    def text(self, x: float, top: float, text: str, size: float, color: str = "black") -> None:
        """One line whose ascender line is `top` points below the top edge, starting `x` points from the left."""
        self.canvas.setFillColor(toColor(color))
        self.canvas.setFont(_font(), size)
        self.canvas.drawString(x, PAGE_HEIGHT - top - pdfmetrics.getAscent(_font(), size), text)

    def line(self, text: str, size: float, *, align: str = "left", color: str = "black", leading: float | None = None) -> None:
        leading = leading or size * 1.5
        if self.top + leading > PAGE_HEIGHT - MARGIN:
            self.new_page()
        free = PAGE_WIDTH - 2 * MARGIN - text_width(text, size)
        self.text(MARGIN + {"left": 0, "center": free / 2, "right": free}[align], self.top, text, size, color)
        self.top += leading

    def paragraph(
        self, text: str, size: float, *, align: str = "left", color: str = "black", leading: float | None = None
    ) -> None:
        for line in wrap(text, PAGE_WIDTH - 2 * MARGIN, lambda s: text_width(s, size)):
            self.line(line, size, align=align, color=color, leading=leading)

    def rule(self, color: str, width: float) -> None:
        self.canvas.setStrokeColor(toColor(color))
        self.canvas.setLineWidth(width)
        self.canvas.line(MARGIN, PAGE_HEIGHT - self.top, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - self.top)

    def space(self, points: float) -> None:
        self.top += points

    def new_page(self) -> None:
        self.canvas.showPage()
        self.top = MARGIN

    def modules(self, matrix: list[list[bool]], x: float, top: float, side: float) -> None:
        """A QR code as vector squares (crisp at any size): `matrix` rows of dark modules, quiet zone included."""
        unit = side / len(matrix)
        path = self.canvas.beginPath()
        for row, cells in enumerate(matrix):
            start = None
            for column, dark in enumerate([*cells, False]):  # a light sentinel closes the last run
                if dark and start is None:
                    start = column
                elif not dark and start is not None:
                    path.rect(x + start * unit, PAGE_HEIGHT - top - (row + 1) * unit, (column - start) * unit, unit)
                    start = None
        self.canvas.setFillColor(toColor("black"))
        self.canvas.drawPath(path, stroke=0, fill=1)

    def finish(self) -> bytes:
        self.canvas.save()
        return self._out.getvalue()
