"""Pictures of explanations: heatmap overlays and study montages (PNG).

An overlay has the original image's size: the X-ray in gray, the heatmap blended over
it in the ``jet`` colour map, and a colour bar (0 at the bottom, 1 at the top) along the
right edge. A study montage shows its views side by side, titled with the study's
probability and prediction.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mura_core.explain.gradcam import Explanation

__all__ = ["overlay", "write_montage", "write_overlay"]

#: Opacity of the heatmap over the X-ray, where the heat is highest.
ALPHA = 0.5
COLOUR_MAP = "jet"
#: The command whose marker the pictures carry (:mod:`mura_core.outputs.markers`).
MARKED_AS = "explain"
#: The narrowest montage (inches): a one-view study's title still fits.
MIN_WIDTH = 4.8


def _colours(values: np.ndarray) -> np.ndarray:
    """``uint8 [..., 3]`` colours of values in [0, 1]."""
    import matplotlib

    rgba = matplotlib.colormaps[COLOUR_MAP](np.clip(values, 0.0, 1.0))
    return (rgba[..., :3] * 255).astype(np.uint8)


def overlay(explanation: Explanation) -> np.ndarray:
    """``uint8 [height, width, 3]``: the heatmap over the X-ray, with a colour bar."""
    from mura_core.data.images import grayscale_pixels

    gray = grayscale_pixels(explanation.path).astype(np.float32)
    heat = explanation.heatmap
    weight = (ALPHA * heat)[..., None]
    blended = (1 - weight) * gray[..., None] + weight * _colours(heat).astype(np.float32)
    picture = blended.round().astype(np.uint8)
    _draw_colour_bar(picture)
    return picture


def _draw_colour_bar(picture: np.ndarray) -> None:
    """A vertical colour bar (1 at the top) with a white frame, along the right edge."""
    height, width = picture.shape[:2]
    bar_width = max(4, width // 32)
    top, bottom = height // 5, height - height // 5
    left = width - bar_width - max(2, width // 64)
    if bottom - top < 4 or left < 2:
        return
    ramp = np.linspace(1.0, 0.0, bottom - top)[:, None].repeat(bar_width, axis=1)
    picture[top:bottom, left : left + bar_width] = _colours(ramp)
    picture[[top - 1, bottom], left - 1 : left + bar_width + 1] = 255
    picture[top - 1 : bottom + 1, [left - 1, left + bar_width]] = 255


def write_overlay(explanation: Explanation, path: str | Path) -> Path:
    """Write the overlay of one image as a PNG of the original image's size."""
    from PIL import Image

    from mura_core.outputs import png_info

    path = Path(path)
    Image.fromarray(overlay(explanation)).save(path, pnginfo=png_info(MARKED_AS))
    return path


def write_montage(
    explanations: Sequence[Explanation], path: str | Path, *, threshold: float = 0.5
) -> Path:
    """Write a study's views side by side, titled with its probability and prediction."""
    from mura_core.plotting import fit_titles, new_figure

    count = len(explanations)
    figure, axes = new_figure(1, count, figsize=(max(3.2 * count, MIN_WIDTH), 4.2),
                              squeeze=False)  # fmt: skip
    probability = float(np.mean([item.probability for item in explanations]))
    verdict = "abnormal" if probability > threshold else "normal"
    study = Path(explanations[0].study)
    figure.suptitle(f"{'/'.join(study.parts[-3:])}\np = {probability:.3f}, {verdict}")
    for axis, item in zip(axes[0], explanations, strict=True):
        axis.imshow(overlay(item))
        axis.set_title(f"{Path(item.path).name}: {item.probability:.3f}", fontsize="small")
        axis.axis("off")
    fit_titles(figure)
    figure.tight_layout()
    from mura_core.outputs import figure_metadata

    path = Path(path)
    figure.savefig(path, dpi=90, metadata=figure_metadata(path, MARKED_AS))
    return path
