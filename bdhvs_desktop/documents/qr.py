"""A QR code as a PNG (reportlab's QR encoder, drawn with Pillow; no extra dependency)."""

from __future__ import annotations

import io


def qr_matrix(data: str) -> list[list[bool]]:
    from reportlab.graphics.barcode import qrencoder  # lazy: start-up

    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.make()
    n = code.getModuleCount()
    return [[bool(code.isDark(r, c)) for c in range(n)] for r in range(n)]


def qr_png(data: str, *, scale: int = 6, border: int = 4) -> bytes:
    """Black modules on white, `border` modules of quiet zone (the standard's minimum)."""
    from PIL import Image  # lazy: start-up

    matrix = qr_matrix(data)
    size = (len(matrix) + 2 * border) * scale
    img = Image.new("1", (size, size), 1)
    pixels = img.load()
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x0, y0 = (c + border) * scale, (r + border) * scale
                for y in range(y0, y0 + scale):
                    for x in range(x0, x0 + scale):
                        pixels[x, y] = 0
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
