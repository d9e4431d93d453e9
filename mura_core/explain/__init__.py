"""Explanations: Grad-CAM heatmaps of a run's predictions, through the layer its family
declares.

>>> from mura_core.explain import explain                              # doctest: +SKIP
>>> results = explain("runs/cnn_in.64.64.1_...__aug", ["study1_positive/"])
>>> results[0].probability, results[0].peak, results[0].heatmap.shape

``mura explain RUN PATH... --output DIR`` writes the overlays and study montages.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mura_core.explain.ensembles import explain_ensemble, member_layer
from mura_core.explain.gradcam import (
    Explanation,
    explain_batch,
    explain_frame,
    explain_layer,
    gradcam,
)
from mura_core.explain.render import overlay, write_montage, write_overlay

__all__ = [
    "Explanation",
    "explain",
    "explain_batch",
    "explain_ensemble",
    "explain_frame",
    "explain_layer",
    "gradcam",
    "member_layer",
    "overlay",
    "write_montage",
    "write_overlay",
]


def explain(
    run: Any, paths: Sequence[str | Path], *, batch_size: int = 16, progress: bool = False
) -> list[Explanation]:
    """Explain images with a trained run (an ensemble: see :func:`explain_ensemble`;
    images it does not cover are left out, and none covered is refused).

    Args:
        run: a run folder, or a run already loaded by :func:`~mura_core.runs.load_run`.
        paths: PNG files, study folders, or MURA CSVs of image paths.
        batch_size: images per Grad-CAM batch.
        progress: draw a progress bar on stderr.

    Raises:
        MuraError: the family declares no explain layer, a path is not an image, or an
            ensemble covers none of the images
            (:func:`~mura_core.ensembles.coverage.require_coverage`).
    """
    from mura_core.data.images import collect_images
    from mura_core.ensembles.coverage import require_coverage
    from mura_core.runs import load_run

    loaded = load_run(run) if isinstance(run, (str, Path)) else run
    frame = collect_images([str(path) for path in paths])
    if loaded.parsed.is_ensemble:
        member_layer(loaded.parsed)
        frame = require_coverage(loaded, frame).covered
        return explain_ensemble(loaded, frame, batch_size=batch_size, progress=progress)[0]
    layer = explain_layer(loaded.parsed)
    return explain_frame(
        loaded.model, frame, loaded.name, layer, batch_size=batch_size, progress=progress
    )
