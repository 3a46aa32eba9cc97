"""Draws the program's icon: a red rounded square (the campaign's colour) with a white phone
whose screen carries a yellow star, "digital literacy for all" in one picture that stays
legible at 16 pixels. Writes bdhvs-desktop.png (256 px, the window icon) and
bdhvs-desktop.ico (16-256 px, the Windows executable and installer).

Run from the repository root: python resources/icons/build_icon.py"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
RED, DARK_RED, YELLOW, WHITE = (198, 40, 40, 255), (142, 24, 24, 255), (255, 213, 79, 255), (255, 255, 255, 255)
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def star(cx: float, cy: float, outer: float, inner: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def draw(size: int = 1024) -> Image.Image:
    s = size / 1024
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    d.rounded_rectangle((32 * s, 32 * s, 992 * s, 992 * s), radius=200 * s, fill=RED, outline=DARK_RED,
                        width=round(24 * s))
    # the phone: white body, red screen, a yellow star on the screen
    d.rounded_rectangle((300 * s, 150 * s, 724 * s, 874 * s), radius=80 * s, fill=WHITE)
    d.rounded_rectangle((350 * s, 250 * s, 674 * s, 730 * s), radius=24 * s, fill=DARK_RED)
    d.polygon(star(512 * s, 500 * s, 150 * s, 60 * s), fill=YELLOW)
    d.ellipse((477 * s, 770 * s, 547 * s, 840 * s), fill=DARK_RED)
    return image


def main() -> None:
    big = draw()
    big.resize((256, 256), Image.Resampling.LANCZOS).save(HERE / "bdhvs-desktop.png", optimize=True)
    big.save(HERE / "bdhvs-desktop.ico", sizes=ICO_SIZES)
    print("wrote", HERE / "bdhvs-desktop.png", "and", HERE / "bdhvs-desktop.ico")


if __name__ == "__main__":
    main()
