"""The picture of a CAPTCHA (no Django, no internet): a few characters drawn with Pillow's own font, each
turned and shifted, over noise lines and dots. Issuing and checking challenges is `xinfang.core.captcha`."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter, ImageFont

# Characters nobody confuses on a screen (no 0/O, 1/I/L, 9/g, 5/S…); the answer is not case-sensitive.
ALPHABET = "2346789ACDEFHJKMNPRTUVWXY"
LENGTH = 5
WIDTH, HEIGHT = 180, 64


def captcha_text(rng: random.Random | random.SystemRandom) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(LENGTH))


def captcha_png(text: str, rng: random.Random | random.SystemRandom) -> bytes:
    """`text` as a PNG of WIDTH × HEIGHT pixels, distorted by `rng`."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (246, 247, 249))
    draw = ImageDraw.Draw(image)
    for _ in range(6):  # noise lines behind the characters
        draw.line(
            [(rng.randrange(WIDTH), rng.randrange(HEIGHT)) for _ in range(2)],
            fill=_colour(rng, 120, 200),
            width=rng.choice((1, 2)),
        )
    font = ImageFont.load_default(size=38)
    step = (WIDTH - 20) // max(len(text), 1)
    for index, char in enumerate(text):
        glyph = Image.new("RGBA", (56, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((10, 6), char, font=font, fill=_colour(rng, 20, 110))
        glyph = glyph.rotate(rng.uniform(-28, 28), resample=Image.Resampling.BICUBIC)
        image.paste(glyph, (6 + index * step + rng.randint(-3, 3), rng.randint(-4, 4)), glyph)
    for _ in range(3):  # lines across the characters
        draw.line(
            [(0, rng.randrange(HEIGHT)), (WIDTH, rng.randrange(HEIGHT))], fill=_colour(rng, 60, 150), width=1
        )
    for _ in range(160):
        draw.point((rng.randrange(WIDTH), rng.randrange(HEIGHT)), fill=_colour(rng, 60, 200))
    image = image.filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _colour(rng: random.Random | random.SystemRandom, low: int, high: int) -> tuple[int, int, int]:
    return (rng.randint(low, high), rng.randint(low, high), rng.randint(low, high))
