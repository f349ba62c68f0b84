"""Printable A4 documents (supervision letters, Art. 30): PDFs with real, searchable text in the
embedded CJK font. Only the routes that print import this module, so other handlers never load ReportLab."""

from __future__ import annotations

from sheqi.printing import pdf as printed

RED = "#b22222"
TITLE, BODY, LEADING = 28, 14.5, 22


def pdf(title: str, number: str, addressee: str, paragraphs: list[str], signature: list[str]) -> bytes:
    """An official-letter layout: red title, number, red rule, addressee, body paragraphs, signature
    block; as many pages as the text needs."""
    document = printed.Document(title=f"{title} {number}")
    document.paragraph(title, TITLE, align="center", color=RED, leading=38)
    document.line(number, BODY, align="center", leading=24)
    document.rule(RED, 1.5)
    document.space(19)
    document.line(addressee, BODY, leading=29)
    for paragraph in paragraphs:
        document.paragraph("\u3000\u3000" + paragraph, BODY, leading=LEADING)
        document.space(5)
    document.space(19)
    for line in signature:
        document.line(line, BODY, align="right", leading=LEADING)
    return document.finish()
