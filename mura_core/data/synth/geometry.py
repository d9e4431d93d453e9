"""Capsules (a segment with a radius): the one shape every synthetic bone, implant and
finding is drawn with, and the map from a body part's layout to an image's pixels."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

__all__ = ["Box", "Capsule", "View", "box_of", "coverage", "draw_max", "projection"]

#: A box in pixels: (x_min, y_min, x_max, y_max), min inclusive, max exclusive.
Box = tuple[int, int, int, int]
Window = tuple[slice, slice]


@dataclass(frozen=True)
class Capsule:
    """The points within ``radius`` of the segment ``p0``-``p1``.

    Coordinates are ``(u, v)`` in a layout (``u`` across the limb, ``v`` along it, in
    short sides of the image) or ``(row, column)`` in pixels once mapped by a :class:`View`.

    Attributes:
        hollow: radius of the medullary cavity as a share of ``radius`` (0 for solid bone).
        density: brightness relative to cortical bone.
    """

    p0: tuple[float, float]
    p1: tuple[float, float]
    radius: float
    hollow: float = 0.0
    density: float = 1.0

    def at(self, t: float) -> tuple[float, float]:
        """The point a share ``t`` of the way from ``p0`` to ``p1``."""
        return (
            self.p0[0] + (self.p1[0] - self.p0[0]) * t,
            self.p0[1] + (self.p1[1] - self.p0[1]) * t,
        )

    def axis(self) -> tuple[float, float]:
        """Unit vector from ``p0`` to ``p1`` (along ``v`` for a point)."""
        du, dv = self.p1[0] - self.p0[0], self.p1[1] - self.p0[1]
        length = float(np.hypot(du, dv))
        return (du / length, dv / length) if length > 1e-9 else (0.0, 1.0)

    def length(self) -> float:
        return float(np.hypot(self.p1[0] - self.p0[0], self.p1[1] - self.p0[1]))


@dataclass(frozen=True)
class View:
    """Where a layout lands in a canvas: rotation, zoom, shift and mirror."""

    height: int
    width: int
    angle: float
    zoom: float
    shift: tuple[float, float]
    mirror: bool

    def point(self, p: tuple[float, float]) -> tuple[float, float]:
        """Pixel ``(row, column)`` of the layout point ``(u, v)``."""
        side = min(self.height, self.width) * self.zoom
        u, v = (-p[0] if self.mirror else p[0]) * side, p[1] * side
        cos, sin = np.cos(self.angle), np.sin(self.angle)
        row = self.height / 2 + self.shift[0] * side + v * cos - u * sin
        column = self.width / 2 + self.shift[1] * side + v * sin + u * cos
        return (float(row), float(column))

    def capsule(self, capsule: Capsule) -> Capsule:
        """``capsule`` in pixels."""
        scale = min(self.height, self.width) * self.zoom
        return replace(
            capsule,
            p0=self.point(capsule.p0),
            p1=self.point(capsule.p1),
            radius=max(capsule.radius * scale, 0.6),
        )


def _distance(shape: tuple[int, int], capsule: Capsule) -> tuple[Window, np.ndarray]:
    """Distance to the capsule's segment over the window within its radius."""
    height, width = shape
    p0, p1, reach = np.array(capsule.p0), np.array(capsule.p1), capsule.radius
    low = np.floor(np.minimum(p0, p1) - reach - 1).astype(int)
    high = np.ceil(np.maximum(p0, p1) + reach + 2).astype(int)
    top, left = max(int(low[0]), 0), max(int(low[1]), 0)
    bottom, right = min(int(high[0]), height), min(int(high[1]), width)
    window = (slice(top, max(top, bottom)), slice(left, max(left, right)))
    yy = np.arange(window[0].start, window[0].stop, dtype=np.float32)[:, None]
    xx = np.arange(window[1].start, window[1].stop, dtype=np.float32)[None, :]
    (y0, x0), (y1, x1) = p0, p1
    dy, dx = np.float32(y1 - y0), np.float32(x1 - x0)
    length2 = max(float(dy * dy + dx * dx), 1e-6)
    t = np.clip(((yy - y0) * dy + (xx - x0) * dx) / np.float32(length2), 0.0, 1.0)
    return window, np.hypot(yy - (y0 + t * dy), xx - (x0 + t * dx)).astype(np.float32)


def projection(shape: tuple[int, int], capsule: Capsule) -> tuple[Window, np.ndarray]:
    """What an X-ray sees through a (hollow) cylinder: chord length, bright at the cortex."""
    window, distance = _distance(shape, capsule)
    radius = np.float32(capsule.radius)
    squared = distance * distance
    value = np.sqrt(np.maximum(radius * radius - squared, 0.0)) / radius
    if capsule.hollow > 0:
        inner = radius * np.float32(capsule.hollow)
        value -= np.float32(0.6) * np.sqrt(np.maximum(inner * inner - squared, 0.0)) / radius
    return window, value * np.float32(capsule.density)


def coverage(shape: tuple[int, int], capsule: Capsule) -> tuple[Window, np.ndarray]:
    """Anti-aliased coverage (0 to 1) of the capsule."""
    window, distance = _distance(shape, capsule)
    return window, np.clip(np.float32(capsule.radius + 0.5) - distance, 0.0, 1.0)


def draw_max(canvas: np.ndarray, window: Window, values: np.ndarray) -> None:
    """Lay ``values`` on ``canvas[window]``, keeping the brighter of the two."""
    np.maximum(canvas[window], values, out=canvas[window])


def box_of(capsules: list[Capsule], canvas: tuple[int, int], image: tuple[int, int]) -> Box | None:
    """Bounding box, in pixels of ``image``, of capsules drawn on ``canvas`` (the image
    scaled down), clipped to the image; ``None`` when it falls outside."""
    sy, sx = image[0] / canvas[0], image[1] / canvas[1]
    low = [(min(c.p0[0], c.p1[0]) - c.radius, min(c.p0[1], c.p1[1]) - c.radius) for c in capsules]
    high = [(max(c.p0[0], c.p1[0]) + c.radius, max(c.p0[1], c.p1[1]) + c.radius) for c in capsules]
    y_min = max(int(np.floor(min(p[0] for p in low) * sy)), 0)
    x_min = max(int(np.floor(min(p[1] for p in low) * sx)), 0)
    y_max = min(int(np.ceil(max(p[0] for p in high) * sy)), image[0])
    x_max = min(int(np.ceil(max(p[1] for p in high) * sx)), image[1])
    if x_min >= x_max or y_min >= y_max:
        return None
    return (x_min, y_min, x_max, y_max)
