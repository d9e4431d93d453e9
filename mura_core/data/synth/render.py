"""Rendering one synthetic radiograph: anatomy, finding, exposure, collimation, side
marker, film noise; and writing it as a PNG.

Shapes are drawn on a canvas whose longest side is at most :data:`WORK_SIDE` pixels and
resized to the image's size (radiographs are smooth); the noise is added at full size.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

import numpy as np
from PIL import Image

from mura_core.data.synth.anatomy import anatomy
from mura_core.data.synth.difficulty import Difficulty
from mura_core.data.synth.findings import add_finding
from mura_core.data.synth.geometry import (
    Box,
    Capsule,
    View,
    box_of,
    coverage,
    draw_max,
    projection,
)

__all__ = ["WORK_SIDE", "encode_png", "render_view"]

#: Longest side of the canvas the shapes are drawn on.
WORK_SIDE = 192

_LETTERS = {  # 5x7 bitmaps of the side markers
    "L": ("10000", "10000", "10000", "10000", "10000", "10000", "11111"),
    "R": ("11110", "10001", "10001", "11110", "10100", "10010", "10001"),
}


@lru_cache(maxsize=1)
def _noise_bank() -> np.ndarray:
    """Unit Gaussian film noise, cut at a random offset for each image."""
    return np.random.default_rng(20_260_101).standard_normal((1024, 1024), dtype=np.float32)


def _noise(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    bank = _noise_bank()
    if height > bank.shape[0] or width > bank.shape[1]:
        return rng.standard_normal((height, width), dtype=np.float32)
    top = int(rng.integers(bank.shape[0] - height + 1))
    left = int(rng.integers(bank.shape[1] - width + 1))
    return bank[top : top + height, left : left + width]


def _size(rng: np.random.Generator, min_side: int, max_side: int) -> tuple[int, int]:
    long_side = int(rng.integers(min_side, max_side + 1))
    short_side = max(8, int(long_side * rng.uniform(0.6, 1.0)))
    return (long_side, short_side) if rng.random() < 0.75 else (short_side, long_side)


def _view(rng: np.random.Generator, height: int, width: int) -> View:
    """Rotation, zoom (cropping), shift and mirror; the film's centre stays in frame."""
    angle = rng.uniform(-0.35, 0.35) + (0.0 if height >= width else np.pi / 2)
    shift = (float(rng.uniform(-0.05, 0.05)), float(rng.uniform(-0.05, 0.05)))
    return View(height, width, angle, float(rng.uniform(0.75, 1.05)), shift, rng.random() < 0.5)


def _collimate(rng: np.random.Generator, image: np.ndarray) -> None:
    """Bright unexposed bands along some edges, where the collimator blocked the beam."""
    height, width = image.shape
    level = np.float32(rng.uniform(150, 215))
    for side in np.flatnonzero(rng.random(4) < 0.5):
        depth = rng.uniform(0.03, 0.12)
        rows, columns = max(1, int(height * depth)), max(1, int(width * depth))
        edge = (
            (slice(0, rows), slice(None)),
            (slice(height - rows, None), slice(None)),
            (slice(None), slice(0, columns)),
            (slice(None), slice(width - columns, None)),
        )[side]
        image[edge] = level


def _marker(rng: np.random.Generator, image: np.ndarray) -> None:
    """Burn an ``L`` or ``R`` into a corner, as a technician's lead marker."""
    bitmap = np.array([[c == "1" for c in row] for row in _LETTERS["LR"[rng.integers(2)]]])
    cell = max(1, round(min(image.shape) * 0.012))
    letter = np.kron(bitmap, np.ones((cell, cell), dtype=bool))
    height, width = letter.shape
    margin = max(2, round(min(image.shape) * 0.05))
    top = margin if rng.random() < 0.5 else image.shape[0] - margin - height
    left = margin if rng.random() < 0.5 else image.shape[1] - margin - width
    if top >= 0 and left >= 0:
        region = image[top : top + height, left : left + width]
        region[letter] = np.float32(rng.uniform(215, 250))


def _draw(
    view: View, body_part: str, kind: str | None, d: Difficulty, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, list[Capsule]]:
    """Canvas layers (bone, soft tissue, metal) and the finding's marks, in pixels."""
    shape = (view.height, view.width)
    parts = anatomy(body_part, rng)
    finding = add_finding(kind, parts, rng, d) if kind else None
    tissue = np.zeros(shape, dtype=np.float32)
    bone = np.zeros(shape, dtype=np.float32)
    for capsule in parts.tissue:
        draw_max(tissue, *projection(shape, view.capsule(capsule)))
    for capsule in parts.bones:
        draw_max(bone, *projection(shape, view.capsule(capsule)))
    if finding is None:
        return bone, tissue, None, []
    for capsule, share, soft in finding.lucent:
        window, amount = (projection if soft else coverage)(shape, view.capsule(capsule))
        bone[window] *= 1.0 - np.float32(share) * np.minimum(amount, 1.0)
    metal = None
    if finding.metal:
        metal = np.zeros(shape, dtype=np.float32)
        for capsule in finding.metal:
            draw_max(metal, *coverage(shape, view.capsule(capsule)))
    return bone, tissue, metal, [view.capsule(capsule) for capsule in finding.marks]


def render_view(
    body_part: str,
    kind: str | None,
    d: Difficulty,
    rng: np.random.Generator,
    min_side: int,
    max_side: int,
) -> tuple[np.ndarray, Box | None]:
    """One grayscale radiograph (uint8) and the box of its finding (``None`` without one)."""
    height, width = _size(rng, min_side, max_side)
    scale = min(1.0, WORK_SIDE / max(height, width))
    canvas = (max(8, round(height * scale)), max(8, round(width * scale)))
    bone, tissue, metal, marks = _draw(_view(rng, *canvas), body_part, kind, d, rng)
    rows = np.linspace(-1.0, 1.0, canvas[0], dtype=np.float32)[:, None]
    image = np.float32(rng.uniform(5, 30)) + rows * np.float32(rng.uniform(-12, 12))
    image = (
        image + tissue * np.float32(rng.uniform(30, 60)) + bone * np.float32(rng.uniform(95, 150))
    )
    if metal is not None:
        np.maximum(image, metal * np.float32(rng.uniform(242, 255)), out=image)
    if rng.random() < 0.35:
        _collimate(rng, image)
    if rng.random() < 0.4:
        _marker(rng, image)
    if canvas != (height, width):
        image = np.asarray(Image.fromarray(image, "F").resize((width, height), Image.BILINEAR))
    image = image + _noise(rng, height, width) * np.float32(d.noise)
    box = box_of(marks, canvas, (height, width)) if marks else None
    return np.clip(image, 0, 255).astype(np.uint8), box


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(pixels: np.ndarray) -> bytes:
    """An 8-bit grayscale or RGB PNG of ``pixels`` (``Sub`` filter, zlib level 1, no
    metadata): about twice as fast as Pillow's encoder, and its bytes do not change
    with the Pillow version."""
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    rows = np.ascontiguousarray(pixels, dtype=np.uint8).reshape(height, width * channels)
    filtered = np.empty((height, rows.shape[1] + 1), dtype=np.uint8)
    filtered[:, 0] = 1  # the Sub filter: each byte minus the same channel of the pixel before
    filtered[:, 1 : 1 + channels] = rows[:, :channels]
    np.subtract(rows[:, channels:], rows[:, :-channels], out=filtered[:, 1 + channels :])
    header = struct.pack(">IIBBBBB", width, height, 8, 0 if channels == 1 else 2, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(filtered.tobytes(), 1)),
            _chunk(b"IEND", b""),
        )
    )
