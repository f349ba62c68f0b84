"""Printable A4 documents (supervision letters, Art. 30): text pages in a CJK font, as PDF.
Only the routes that print import this module, so other handlers never load Pillow."""
from __future__ import annotations

import io

from PIL import Image, ImageDraw

from sheqi.registry.qr_image import A4_150DPI, MARGIN, cjk_font, wrap_text


def pdf(title: str, number: str, addressee: str, paragraphs: list[str], signature: list[str]) -> bytes:
    """An official-letter layout: red title, number, addressee, body paragraphs, signature block;
    as many pages as the text needs."""
    pages: list[Image.Image] = []
    width = A4_150DPI[0] - 2 * MARGIN
    body = cjk_font(30)

    def new_page():
        page = Image.new("RGB", A4_150DPI, "white")
        pages.append(page)
        return ImageDraw.Draw(page), MARGIN

    draw, y = new_page()
    for line in wrap_text(draw, title, cjk_font(60), width):
        draw.text(((A4_150DPI[0] - draw.textlength(line, font=cjk_font(60))) / 2, y), line, font=cjk_font(60), fill="#b22222")
        y += 80
    draw.text(((A4_150DPI[0] - draw.textlength(number, font=body)) / 2, y), number, font=body, fill="black")
    y += 50
    draw.line((MARGIN, y, A4_150DPI[0] - MARGIN, y), fill="#b22222", width=3)
    y += 40
    draw.text((MARGIN, y), addressee, font=body, fill="black")
    y += 60
    for paragraph in paragraphs:
        for line in wrap_text(draw, "　　" + paragraph, body, width):
            if y > A4_150DPI[1] - MARGIN - 40:
                draw, y = new_page()
            draw.text((MARGIN, y), line, font=body, fill="black")
            y += 46
        y += 10
    y += 40
    for line in signature:
        if y > A4_150DPI[1] - MARGIN - 40:
            draw, y = new_page()
        draw.text((A4_150DPI[0] - MARGIN - draw.textlength(line, font=body), y), line, font=body, fill="black")
        y += 46
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    return out.getvalue()
