"""Draw the demo catalogue's product photos: clean transparent PNG renders of simple shapes.

    python scripts/make_demo_photos.py            # writes examples/photos/ and the CSV below

For every product of examples/products.csv a shaded render of its kind (a sneaker, a boot, a
mug...) in the product's colour goes to examples/photos/<sku>.png (512 x 512, transparent);
examples/products_with_photos.csv is the catalogue with a `photo_path` column for
`contentgen batch ... --task creative --map image=photo_path`; examples/photos/northwind_logo.png
and northwind_mark.png are the demo brand kit's logo and its compact mark. Deterministic: the
same files every run. Drawn at 4x and scaled down, so edges are smooth.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "photos"
SIZE = 512
SCALE = 4
S = SIZE * SCALE
RGB = tuple[int, int, int]
Point = tuple[float, float]

COLOURS: dict[str, RGB] = {
    "slate grey": (104, 120, 138), "white": (236, 236, 232), "brown": (126, 84, 52),
    "navy": (34, 52, 96), "oatmeal": (214, 198, 166), "forest green": (38, 92, 58),
    "sand": (214, 190, 146), "khaki": (172, 160, 108), "olive": (110, 116, 62),
    "black": (44, 44, 48), "clear": (196, 222, 232), "steel": (168, 174, 182),
    "speckled white": (234, 230, 222), "sage": (156, 178, 146), "charcoal": (64, 66, 72),
    "graphite": (78, 82, 88), "plum": (112, 52, 92), "teal": (0, 124, 128),
    "yellow": (242, 196, 36), "natural": (222, 190, 140),
}  # fmt: skip
WOOD: RGB = (176, 128, 80)
RUBBER: RGB = (58, 58, 62)


def shade(colour: RGB, amount: float) -> RGB:
    """Lighter (amount > 0, towards white) or darker (amount < 0, towards black)."""
    target = 255 if amount > 0 else 0
    a = abs(amount)
    return tuple(round(c + (target - c) * a) for c in colour)  # type: ignore[return-value]


class Painter:
    """A 4x canvas in unit coordinates (0..1) with shaded fills, gloss and a soft shadow."""

    def __init__(self) -> None:
        self.image = Image.new("RGBA", (S, S), (0, 0, 0, 0))

    @staticmethod
    def xy(points: Sequence[Point]) -> list[tuple[float, float]]:
        """Unit coordinates to canvas pixels."""
        return [(x * S, y * S) for x, y in points]

    def mask(self, draw: Callable[[ImageDraw.ImageDraw], None]) -> Image.Image:
        """A mask drawn by `draw` (in canvas pixels) on an empty canvas."""
        mask = Image.new("L", (S, S), 0)
        draw(ImageDraw.Draw(mask))
        return mask

    def poly(self, points: Sequence[Point]) -> Image.Image:
        """A polygon's mask."""
        return self.mask(lambda d: d.polygon(self.xy(points), fill=255))

    def ellipse(self, x0: float, y0: float, x1: float, y1: float) -> Image.Image:
        """An ellipse's mask."""
        return self.mask(lambda d: d.ellipse((x0 * S, y0 * S, x1 * S, y1 * S), fill=255))

    def rrect(self, x0: float, y0: float, x1: float, y1: float, r: float) -> Image.Image:
        """A rounded rectangle's mask."""
        box = (x0 * S, y0 * S, x1 * S, y1 * S)
        return self.mask(lambda d: d.rounded_rectangle(box, radius=r * S, fill=255))

    def stroke(self, points: Sequence[Point], width: float, closed: bool = False) -> Image.Image:
        """A thick line's mask (round joints)."""
        pts = self.xy(points) + (self.xy(points[:1]) if closed else [])
        w = max(1, round(width * S))
        return self.mask(lambda d: d.line(pts, fill=255, width=w, joint="curve"))

    def paint(self, mask: Image.Image, colour: RGB, *, light: float = 0.28, dark: float = 0.32,
              horizontal: bool = False, rim: bool = True) -> None:  # fmt: skip
        """Fill `mask` with `colour` lit from the top (or left) and a darker rim."""
        box = mask.getbbox()
        if box is None:
            return
        w, h = box[2] - box[0], box[3] - box[1]
        ramp = Image.linear_gradient("L")
        ramp = ramp.rotate(90, expand=True) if horizontal else ramp
        ramp = ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if horizontal else ramp
        ramp = ramp.resize((w, h))
        top, bottom = shade(colour, light), shade(colour, -dark)
        bands = [
            ramp.point(lambda v, a=a, b=b: round(a + (b - a) * v / 255))
            for a, b in zip(top, bottom, strict=True)
        ]
        layer = Image.new("RGBA", (S, S), (0, 0, 0, 0))
        layer.paste(Image.merge("RGB", bands), box[:2])
        layer.putalpha(mask)
        if rim:
            inner = mask.filter(ImageFilter.MinFilter(9))
            edge = ImageChops.subtract(mask, inner).filter(ImageFilter.GaussianBlur(3))
            rim_layer = Image.new("RGBA", (S, S), (*shade(colour, -0.45), 0))
            rim_layer.putalpha(ImageChops.multiply(edge, mask))
            layer = Image.alpha_composite(layer, rim_layer)
        self.image = Image.alpha_composite(self.image, layer)

    def gloss(self, mask: Image.Image, x0: float, y0: float, x1: float, y1: float,
              strength: float = 0.45) -> None:  # fmt: skip
        """A soft white highlight inside `mask`."""
        spot = self.ellipse(x0, y0, x1, y1).filter(ImageFilter.GaussianBlur(S * 0.02))
        alpha = ImageChops.multiply(spot, mask).point(lambda v: round(v * strength))
        layer = Image.new("RGBA", (S, S), (255, 255, 255, 0))
        layer.putalpha(alpha)
        self.image = Image.alpha_composite(self.image, layer)

    def shadow(self, x0: float, x1: float, y: float, height: float = 0.05) -> None:
        """A soft contact shadow on the floor."""
        spot = self.ellipse(x0, y - height / 2, x1, y + height / 2)
        spot = spot.filter(ImageFilter.GaussianBlur(S * 0.02)).point(lambda v: round(v * 0.35))
        layer = Image.new("RGBA", (S, S), (0, 0, 0, 0))
        layer.putalpha(spot)
        self.image = Image.alpha_composite(self.image, layer)

    def result(self) -> Image.Image:
        """The render at its final size."""
        return self.image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


# -- the product kinds ---------------------------------------------------------------------------


def sneaker(p: Painter, c: RGB) -> None:
    """A side-view sneaker: rounded toe, laces on the instep, contrasting sole."""
    p.shadow(0.1, 0.92, 0.74)
    upper = p.poly([(0.12, 0.66), (0.13, 0.52), (0.22, 0.44), (0.36, 0.42), (0.46, 0.38),
                    (0.56, 0.4), (0.7, 0.5), (0.84, 0.55), (0.91, 0.61), (0.9, 0.68)])  # fmt: skip
    p.paint(upper, c)
    p.paint(p.poly([(0.12, 0.66), (0.13, 0.52), (0.22, 0.44), (0.26, 0.5), (0.24, 0.66)]),
            shade(c, -0.12), rim=False)  # fmt: skip
    p.gloss(upper, 0.3, 0.42, 0.66, 0.54, 0.3)
    sole = p.rrect(0.08, 0.64, 0.93, 0.73, 0.04)
    p.paint(sole, (238, 236, 230) if sum(c) < 600 else RUBBER, light=0.1, dark=0.2)
    for i in range(4):  # laces across the instep
        x = 0.47 + i * 0.06
        p.paint(p.stroke([(x, 0.4 + i * 0.035), (x + 0.04, 0.44 + i * 0.035)], 0.012),
                shade(c, 0.6), rim=False)  # fmt: skip
    p.paint(p.stroke([(0.16, 0.6), (0.86, 0.63)], 0.008), shade(c, -0.3), rim=False)


def boot(p: Painter, c: RGB, laces: bool = True) -> None:
    """A side-view boot: a tall shaft, the foot to the right; laced, or with a pull loop."""
    p.shadow(0.1, 0.92, 0.76)
    shape = p.poly([(0.14, 0.68), (0.15, 0.3), (0.19, 0.2), (0.5, 0.2), (0.52, 0.44),
                    (0.7, 0.52), (0.86, 0.56), (0.92, 0.63), (0.92, 0.7)])  # fmt: skip
    p.paint(shape, c)
    p.paint(p.rrect(0.18, 0.18, 0.51, 0.25, 0.02), shade(c, -0.18), rim=False)
    p.gloss(shape, 0.2, 0.24, 0.44, 0.6, 0.18)
    if laces:
        for i in range(5):
            y = 0.27 + i * 0.045
            p.paint(p.stroke([(0.44, y), (0.53, y + 0.02)], 0.012), shade(c, 0.55), rim=False)
    else:
        p.paint(p.stroke([(0.2, 0.2), (0.24, 0.12), (0.3, 0.2)], 0.014), shade(c, -0.25),
                rim=False)  # fmt: skip
    sole = p.rrect(0.1, 0.66, 0.94, 0.76, 0.04)
    p.paint(sole, RUBBER if sum(c) > 200 else (120, 90, 60), light=0.12, dark=0.2)


def rain_boot(p: Painter, c: RGB) -> None:
    """A pull-on rain boot."""
    boot(p, c, laces=False)


def tee(p: Painter, c: RGB, sleeves: float = 0.0, hood: bool = False) -> None:
    """A T-shirt (with `sleeves`, long sleeves; with `hood`, a jacket)."""
    p.shadow(0.22, 0.78, 0.88, 0.04)
    body = p.poly([(0.3, 0.2), (0.42, 0.16), (0.58, 0.16), (0.7, 0.2), (0.7, 0.84), (0.3, 0.84)])
    arm = 0.36 + sleeves
    left = p.poly([(0.3, 0.2), (0.12, 0.3 + sleeves * 0.3), (0.1 + sleeves * 0.05, arm + 0.04),
                   (0.24, arm + 0.06), (0.3, 0.36)])  # fmt: skip
    right = p.poly([(0.7, 0.2), (0.88, 0.3 + sleeves * 0.3), (0.9 - sleeves * 0.05, arm + 0.04),
                    (0.76, arm + 0.06), (0.7, 0.36)])  # fmt: skip
    for part in (left, right, body):
        p.paint(part, c)
    if hood:
        p.paint(p.poly([(0.4, 0.17), (0.5, 0.08), (0.6, 0.17), (0.5, 0.24)]), shade(c, -0.1))
        p.paint(p.stroke([(0.5, 0.22), (0.5, 0.84)], 0.008), shade(c, 0.5), rim=False)
    else:
        p.paint(p.ellipse(0.43, 0.13, 0.57, 0.21), shade(c, -0.35), rim=False)
    p.gloss(body, 0.34, 0.2, 0.56, 0.5, 0.25)
    if sleeves:
        p.paint(p.rrect(0.3, 0.8, 0.7, 0.85, 0.01), shade(c, -0.15), rim=False)


def sweater(p: Painter, c: RGB) -> None:
    """A crew-neck sweater."""
    tee(p, c, sleeves=0.36)


def jacket(p: Painter, c: RGB) -> None:
    """A shell jacket with a hood and zip."""
    tee(p, c, sleeves=0.38, hood=True)


def dress(p: Painter, c: RGB) -> None:
    """A summer dress."""
    p.shadow(0.2, 0.8, 0.9, 0.04)
    for x in (0.4, 0.6):
        p.paint(p.stroke([(x, 0.1), (x, 0.24)], 0.012), shade(c, -0.2), rim=False)
    body = p.poly(
        [(0.36, 0.24), (0.64, 0.24), (0.62, 0.44), (0.8, 0.88), (0.2, 0.88), (0.38, 0.44)]
    )
    p.paint(body, c)
    p.paint(p.rrect(0.37, 0.42, 0.63, 0.46, 0.01), shade(c, -0.25), rim=False)
    p.gloss(body, 0.3, 0.3, 0.55, 0.75, 0.25)


def trousers(p: Painter, c: RGB) -> None:
    """Chino trousers."""
    p.shadow(0.25, 0.75, 0.92, 0.04)
    legs = p.poly([(0.32, 0.1), (0.68, 0.1), (0.72, 0.9), (0.54, 0.9), (0.5, 0.32), (0.46, 0.9),
                   (0.28, 0.9)])  # fmt: skip
    p.paint(legs, c)
    p.paint(p.rrect(0.32, 0.1, 0.68, 0.15, 0.01), shade(c, -0.2), rim=False)
    p.gloss(legs, 0.3, 0.15, 0.48, 0.8, 0.25)


def duffel(p: Painter, c: RGB) -> None:
    """A weekender bag."""
    p.shadow(0.1, 0.9, 0.8)
    handle = p.stroke([(0.36, 0.36), (0.4, 0.2), (0.6, 0.2), (0.64, 0.36)], 0.03)
    p.paint(handle, WOOD if c != WOOD else RUBBER, rim=False)
    body = p.rrect(0.1, 0.34, 0.9, 0.8, 0.14)
    p.paint(body, c)
    p.paint(p.stroke([(0.18, 0.42), (0.82, 0.42)], 0.01), shade(c, -0.35), rim=False)
    for x in (0.3, 0.7):
        p.paint(p.rrect(x - 0.035, 0.34, x + 0.035, 0.8, 0.01), (120, 84, 54), light=0.15)
    p.gloss(body, 0.18, 0.36, 0.6, 0.58, 0.3)


def backpack(p: Painter, c: RGB) -> None:
    """A laptop backpack."""
    p.shadow(0.2, 0.8, 0.9, 0.05)
    p.paint(p.stroke([(0.42, 0.16), (0.5, 0.08), (0.58, 0.16)], 0.025), shade(c, -0.2), rim=False)
    body = p.rrect(0.24, 0.14, 0.76, 0.88, 0.14)
    p.paint(body, c)
    pocket = p.rrect(0.32, 0.52, 0.68, 0.84, 0.07)
    p.paint(pocket, shade(c, 0.08))
    p.paint(p.stroke([(0.34, 0.56), (0.66, 0.56)], 0.008), shade(c, 0.5), rim=False)
    p.gloss(body, 0.28, 0.16, 0.6, 0.46, 0.25)


def skillet(p: Painter, c: RGB) -> None:
    """A cast iron skillet, from above at an angle."""
    p.shadow(0.06, 0.7, 0.78, 0.08)
    p.paint(p.rrect(0.6, 0.46, 0.96, 0.54, 0.03), c, light=0.2)
    pan = p.ellipse(0.06, 0.26, 0.7, 0.76)
    p.paint(pan, c, light=0.3)
    inner = p.ellipse(0.11, 0.3, 0.65, 0.71)
    p.paint(inner, shade(c, 0.06), light=-0.05, dark=0.2)
    p.gloss(inner, 0.18, 0.33, 0.45, 0.5, 0.2)


def carafe(p: Painter, c: RGB) -> None:
    """A pour-over coffee carafe with a wooden collar."""
    p.shadow(0.24, 0.76, 0.88, 0.05)
    glass = p.poly([(0.36, 0.1), (0.64, 0.1), (0.6, 0.3), (0.74, 0.52), (0.72, 0.82), (0.64, 0.88),
                    (0.36, 0.88), (0.28, 0.82), (0.26, 0.52), (0.4, 0.3)])  # fmt: skip
    p.paint(glass, c, light=0.4, dark=0.15)
    p.paint(p.poly([(0.3, 0.6), (0.7, 0.6), (0.72, 0.82), (0.64, 0.88), (0.36, 0.88), (0.28, 0.82)]),
            (92, 58, 36), light=0.15, dark=0.3)  # fmt: skip
    p.paint(p.rrect(0.37, 0.3, 0.63, 0.4, 0.03), WOOD)
    p.gloss(glass, 0.3, 0.12, 0.42, 0.56, 0.6)


def knife(p: Painter, c: RGB) -> None:
    """A chef's knife, diagonal."""
    p.shadow(0.08, 0.92, 0.8, 0.05)
    blade = p.poly([(0.08, 0.72), (0.6, 0.44), (0.66, 0.5), (0.6, 0.56), (0.2, 0.72)])
    p.paint(blade, c, light=0.45, dark=0.2)
    p.gloss(blade, 0.12, 0.6, 0.5, 0.66, 0.5)
    handle = p.poly([(0.62, 0.46), (0.9, 0.3), (0.94, 0.36), (0.66, 0.54)])
    p.paint(handle, RUBBER)
    for t in (0.35, 0.65):
        x, y = 0.64 + t * 0.28, 0.5 - t * 0.16
        p.paint(p.ellipse(x - 0.01, y - 0.01, x + 0.01, y + 0.01), (200, 200, 205), rim=False)


def plates(p: Painter, c: RGB) -> None:
    """A stack of plates with a bowl on top."""
    p.shadow(0.08, 0.92, 0.8, 0.06)
    for i in range(4):
        y = 0.62 - i * 0.05
        p.paint(p.ellipse(0.1, y - 0.1, 0.9, y + 0.12), c, light=0.15, dark=0.25)
    bowl = p.poly([(0.26, 0.36), (0.74, 0.36), (0.66, 0.52), (0.34, 0.52)])
    p.paint(bowl, c, light=0.2, dark=0.25)
    p.paint(p.ellipse(0.26, 0.3, 0.74, 0.42), shade(c, -0.08), rim=False)
    for x, y in ((0.3, 0.6), (0.55, 0.66), (0.72, 0.56), (0.44, 0.46), (0.6, 0.44)):
        p.paint(p.ellipse(x, y, x + 0.008, y + 0.008), (90, 90, 90), rim=False)


def folded(p: Painter, c: RGB, fringe: bool = False) -> None:
    """Folded textiles (a duvet cover; with `fringe`, a throw blanket)."""
    p.shadow(0.12, 0.88, 0.82, 0.05)
    for i in range(3):
        y = 0.7 - i * 0.14
        layer = p.rrect(0.14, y - 0.12, 0.86, y + 0.06, 0.06)
        p.paint(layer, shade(c, 0.04 * i))
        p.paint(p.stroke([(0.2, y - 0.03), (0.8, y - 0.03)], 0.006), shade(c, -0.2), rim=False)
    if fringe:
        for i in range(14):
            x = 0.18 + i * 0.048
            p.paint(p.stroke([(x, 0.76), (x, 0.82)], 0.008), shade(c, -0.1), rim=False)
    p.gloss(p.rrect(0.14, 0.3, 0.86, 0.48, 0.06), 0.2, 0.3, 0.6, 0.4, 0.25)


def blanket(p: Painter, c: RGB) -> None:
    """A throw blanket, folded, with fringe."""
    folded(p, c, fringe=True)


def headphones(p: Painter, c: RGB) -> None:
    """Over-ear headphones."""
    p.shadow(0.16, 0.84, 0.86, 0.05)
    band = p.mask(lambda d: d.arc((0.2 * S, 0.1 * S, 0.8 * S, 0.8 * S), 190, 350, fill=255,
                                  width=round(0.05 * S)))  # fmt: skip
    p.paint(band, c)
    for x in (0.16, 0.66):
        cup = p.rrect(x, 0.42, x + 0.18, 0.8, 0.08)
        p.paint(cup, c)
        p.paint(p.rrect(x + 0.03, 0.46, x + 0.15, 0.76, 0.05), shade(c, -0.3), rim=False)
        p.gloss(cup, x + 0.02, 0.44, x + 0.1, 0.6, 0.3)


def lamp(p: Painter, c: RGB) -> None:
    """An LED desk lamp."""
    p.shadow(0.18, 0.62, 0.88, 0.05)
    p.paint(p.rrect(0.18, 0.8, 0.62, 0.88, 0.03), c)
    p.paint(p.stroke([(0.4, 0.82), (0.3, 0.4), (0.62, 0.18)], 0.03), shade(c, -0.15), rim=False)
    head = p.poly([(0.56, 0.14), (0.88, 0.24), (0.86, 0.3), (0.56, 0.22)])
    p.paint(head, c)
    glow = p.poly([(0.58, 0.22), (0.86, 0.3), (0.84, 0.32), (0.58, 0.24)])
    p.paint(glow, (255, 236, 170), light=0.3, dark=0.0, rim=False)
    p.paint(p.ellipse(0.27, 0.37, 0.33, 0.43), shade(c, -0.3), rim=False)


def power_bank(p: Painter, c: RGB) -> None:
    """A power bank with charge lights."""
    p.shadow(0.2, 0.8, 0.82, 0.05)
    body = p.rrect(0.22, 0.2, 0.78, 0.8, 0.08)
    p.paint(body, c, light=0.35)
    p.gloss(body, 0.26, 0.22, 0.5, 0.6, 0.35)
    for i in range(4):
        x = 0.4 + i * 0.06
        p.paint(p.ellipse(x, 0.7, x + 0.025, 0.725), (90, 220, 140) if i < 3 else (60, 70, 60),
                rim=False)  # fmt: skip
    p.paint(p.rrect(0.44, 0.2, 0.56, 0.24, 0.01), RUBBER, rim=False)


def yoga_mat(p: Painter, c: RGB) -> None:
    """A rolled yoga mat."""
    p.shadow(0.1, 0.9, 0.78, 0.06)
    roll = p.rrect(0.14, 0.36, 0.8, 0.72, 0.18)
    p.paint(roll, c)
    p.gloss(roll, 0.2, 0.38, 0.7, 0.5, 0.3)
    end = p.ellipse(0.66, 0.36, 0.86, 0.72)
    p.paint(end, shade(c, 0.1), light=0.1, dark=0.2)
    for r in (0.07, 0.045, 0.02):
        p.paint(p.mask(lambda d, r=r: d.ellipse(((0.76 - r * 0.8) * S, (0.54 - r * 1.4) * S,
                                                (0.76 + r * 0.8) * S, (0.54 + r * 1.4) * S),
                                               outline=255, width=round(0.006 * S))),
                shade(c, -0.35), rim=False)  # fmt: skip


def bottle(p: Painter, c: RGB) -> None:
    """An insulated water bottle."""
    p.shadow(0.3, 0.7, 0.92, 0.04)
    body = p.rrect(0.34, 0.24, 0.66, 0.9, 0.08)
    p.paint(body, c, light=0.3, horizontal=True)
    p.paint(p.rrect(0.38, 0.14, 0.62, 0.26, 0.03), (196, 200, 206), light=0.3, horizontal=True)
    p.paint(p.stroke([(0.44, 0.14), (0.47, 0.06), (0.53, 0.06), (0.56, 0.14)], 0.018), RUBBER,
            rim=False)  # fmt: skip
    p.gloss(body, 0.38, 0.28, 0.46, 0.84, 0.45)


def dumbbell(p: Painter, c: RGB) -> None:
    """An adjustable dumbbell."""
    p.shadow(0.08, 0.92, 0.74, 0.06)
    p.paint(p.rrect(0.2, 0.46, 0.8, 0.54, 0.02), (176, 180, 186), light=0.4)
    for x0, x1 in (
        (0.08, 0.16),
        (0.16, 0.22),
        (0.22, 0.27),
        (0.73, 0.78),
        (0.78, 0.84),
        (0.84, 0.92),
    ):
        plate = p.rrect(x0, 0.28, x1, 0.72, 0.02)
        p.paint(plate, c, light=0.25, horizontal=True)
    p.gloss(p.rrect(0.08, 0.28, 0.92, 0.72, 0.02), 0.1, 0.3, 0.9, 0.42, 0.2)


def blocks(p: Painter, c: RGB) -> None:
    """Wooden building blocks, stacked."""
    p.shadow(0.1, 0.9, 0.84, 0.05)
    tints = [c, (206, 96, 72), (80, 140, 190), (232, 190, 70), c, (120, 170, 110)]
    spots = [(0.12, 0.6), (0.38, 0.6), (0.64, 0.6), (0.25, 0.36), (0.51, 0.36), (0.38, 0.12)]
    for (x, y), tint in zip(spots, tints, strict=True):
        cube = p.rrect(x, y, x + 0.24, y + 0.24, 0.02)
        p.paint(cube, tint, light=0.25, dark=0.25)
        p.gloss(cube, x + 0.02, y + 0.02, x + 0.14, y + 0.1, 0.3)


KINDS: dict[str, Callable[[Painter, RGB], None]] = {
    "Trail Runner": sneaker, "Sneaker": sneaker, "Hiking Boot": boot, "Rain Boots": rain_boot,
    "Tee": tee, "Sweater": sweater, "Jacket": jacket, "Dress": dress, "Trousers": trousers,
    "Weekender": duffel, "Backpack": backpack, "Skillet": skillet, "Coffee": carafe,
    "Knife": knife, "Dinner Set": plates, "Duvet": folded, "Throw": blanket,
    "Headphones": headphones, "Lamp": lamp, "Power Bank": power_bank, "Yoga Mat": yoga_mat,
    "Water Bottle": bottle, "Dumbbell": dumbbell, "Blocks": blocks,
}  # fmt: skip


def render(name: str, colour: str) -> Image.Image:
    """The render of a product by its name's kind, in its colour."""
    kind = next((k for k in KINDS if k.lower() in name.lower()), None)
    if kind is None:
        raise SystemExit(f"no drawing for {name!r}; add one to KINDS")
    painter = Painter()
    KINDS[kind](painter, COLOURS.get(colour.lower(), (128, 128, 128)))
    return painter.result()


GREEN, AMBER = (31, 77, 58, 255), (232, 163, 61, 255)


def _peaks(draw: ImageDraw.ImageDraw, scale: int) -> None:
    """The logo's symbol: a green and an amber peak."""
    draw.polygon(
        [(0, 120 * scale), (60 * scale, 20 * scale), (120 * scale, 120 * scale)], fill=GREEN
    )
    draw.polygon([(70 * scale, 120 * scale), (110 * scale, 55 * scale), (150 * scale, 120 * scale)],
                 fill=AMBER)  # fmt: skip


def _cropped(image: Image.Image, scale: int) -> Image.Image:
    found = image.getbbox()
    assert found is not None
    image = image.crop(found)
    return image.resize((image.width // scale, image.height // scale), Image.Resampling.LANCZOS)


def logo() -> Image.Image:
    """The Northwind Outdoor logo: two peaks and the name, on transparent."""
    from PIL import ImageFont

    scale = 4
    image = Image.new("RGBA", (720 * scale, 140 * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    _peaks(draw, scale)
    bold = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 64 * scale)
    regular = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 30 * scale)
    draw.text((170 * scale, 12 * scale), "NORTHWIND", font=bold, fill=GREEN)
    draw.text((174 * scale, 86 * scale), "O U T D O O R", font=regular, fill=GREEN)
    return _cropped(image, scale)


def logo_mark() -> Image.Image:
    """The logo's compact form (the brand kit's logo_mark): the two peaks alone."""
    scale = 4
    image = Image.new("RGBA", (160 * scale, 140 * scale), (0, 0, 0, 0))
    _peaks(ImageDraw.Draw(image), scale)
    return _cropped(image, scale)


def main() -> None:
    """Write the photos, the logo and the catalogue with photo paths."""
    OUT.mkdir(parents=True, exist_ok=True)
    with (ROOT / "examples" / "products.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        path = OUT / f"{row['sku']}.png"
        render(row["name"], row["color"]).save(path, optimize=True)
        row["photo_path"] = str(path.relative_to(ROOT))
    logo().save(OUT / "northwind_logo.png", optimize=True)
    logo_mark().save(OUT / "northwind_mark.png", optimize=True)
    target = ROOT / "examples" / "products_with_photos.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(
        f"wrote {len(rows)} photos, the logo and its mark to {OUT.relative_to(ROOT)}, and {target.name}"
    )


if __name__ == "__main__":
    main()
