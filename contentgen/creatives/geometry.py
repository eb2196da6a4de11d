"""Boxes on a creative's canvas: integer pixel rectangles with the few operations layouts need."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """A rectangle [x0, x1) x [y0, y1) in pixels; x1/y1 are exclusive, like Pillow's boxes."""

    x0: int
    y0: int
    x1: int
    y1: int

    @classmethod
    def of_size(cls, width: int, height: int) -> Box:
        """The whole canvas of `width` x `height`."""
        return cls(0, 0, width, height)

    @property
    def width(self) -> int:
        """Width in pixels (0 for an empty box)."""
        return max(0, self.x1 - self.x0)

    @property
    def height(self) -> int:
        """Height in pixels (0 for an empty box)."""
        return max(0, self.y1 - self.y0)

    @property
    def area(self) -> int:
        """Width times height."""
        return self.width * self.height

    @property
    def empty(self) -> bool:
        """True when the box holds no pixel."""
        return self.width == 0 or self.height == 0

    @property
    def xyxy(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) for Pillow."""
        return (self.x0, self.y0, self.x1, self.y1)

    def contains(self, other: Box) -> bool:
        """True when `other` lies wholly inside this box (an empty box lies anywhere)."""
        if other.empty:
            return True
        return (
            self.x0 <= other.x0
            and self.y0 <= other.y0
            and other.x1 <= self.x1
            and other.y1 <= self.y1
        )

    def inset(self, left: int, top: int | None = None, right: int | None = None,
              bottom: int | None = None) -> Box:  # fmt: skip
        """The box shrunk by the given margins (one value: the same on every side)."""
        top = left if top is None else top
        right = left if right is None else right
        bottom = top if bottom is None else bottom
        return Box(self.x0 + left, self.y0 + top, self.x1 - right, self.y1 - bottom)

    def split_x(self, at: int) -> tuple[Box, Box]:
        """(left, right) parts, cut `at` pixels from the left edge."""
        cut = self.x0 + max(0, min(at, self.width))
        return Box(self.x0, self.y0, cut, self.y1), Box(cut, self.y0, self.x1, self.y1)

    def split_y(self, at: int) -> tuple[Box, Box]:
        """(top, bottom) parts, cut `at` pixels from the top edge."""
        cut = self.y0 + max(0, min(at, self.height))
        return Box(self.x0, self.y0, self.x1, cut), Box(self.x0, cut, self.x1, self.y1)

    def intersect(self, other: Box) -> Box:
        """The overlap of two boxes (empty when they do not meet)."""
        x0, y0 = max(self.x0, other.x0), max(self.y0, other.y0)
        x1, y1 = min(self.x1, other.x1), min(self.y1, other.y1)
        return Box(x0, y0, max(x0, x1), max(y0, y1))

    def union(self, other: Box) -> Box:
        """The smallest box holding both (an empty box adds nothing)."""
        if self.empty:
            return other
        if other.empty:
            return self
        return Box(
            min(self.x0, other.x0), min(self.y0, other.y0),
            max(self.x1, other.x1), max(self.y1, other.y1),
        )  # fmt: skip

    def fit(self, width: int, height: int, align: str = "center") -> Box:
        """The largest box of the aspect `width`:`height` inside this one, aligned as asked.

        `align`: "center", or a side to push it to ("left", "right", "top", "bottom").
        """
        if width <= 0 or height <= 0 or self.empty:
            return Box(self.x0, self.y0, self.x0, self.y0)
        scale = min(self.width / width, self.height / height)
        w, h = max(1, round(width * scale)), max(1, round(height * scale))
        x = self.x0 + (self.width - w) // 2
        y = self.y0 + (self.height - h) // 2
        if align == "left":
            x = self.x0
        elif align == "right":
            x = self.x1 - w
        elif align == "top":
            y = self.y0
        elif align == "bottom":
            y = self.y1 - h
        return Box(x, y, x + w, y + h)

    def describe(self) -> str:
        """'x0,y0-x1,y1' for problem evidence."""
        return f"{self.x0},{self.y0}-{self.x1},{self.y1}"
