"""Real PDF files for upload tests, made with pypdf."""

import io

from pypdf import PdfWriter


def make_pdf(pages: int = 1, *, padding: int = 0) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if padding:
        writer.add_metadata({"/Padding": "x" * padding})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
