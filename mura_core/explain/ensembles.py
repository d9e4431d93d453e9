"""Explaining an ensemble run: each image through the members that scored it.

Under ``route`` an image is scored, and explained, by the member of its body part;
under ``avg`` every member scores it, and its heatmap is the mean of the members'
heatmaps (each in [0, 1]), its probability their mean. Images no member covers (a
``route`` ensemble without a member for their body part) are left out and counted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mura_core.explain.gradcam import Explanation, explain_frame, explain_layer

__all__ = ["explain_ensemble", "member_layer"]


def member_layer(parsed: Any) -> str:
    """The layer an ensemble's members are explained through (its member's family's).

    Raises:
        MuraError: the member's family declares no explain layer.
    """
    (member,) = parsed.members.values()
    return explain_layer(member)


def explain_ensemble(
    ensemble: Any, frame: pd.DataFrame, *, batch_size: int = 16, progress: bool = False
) -> tuple[list[Explanation], list[str]]:
    """Explanations of ``frame``'s images by a loaded ensemble, and the uncovered paths."""
    from mura_core.ensembles.combine import scored_rows

    by_member: list[dict[str, Explanation]] = []
    for member in ensemble.specs:
        loaded = ensemble.members.get(member.key)
        rows = scored_rows(frame, member, ensemble.combination)
        if loaded is None or rows.empty:
            continue
        items = explain_frame(loaded.model, rows, loaded.parsed, explain_layer(loaded.parsed),
                              batch_size=batch_size, progress=progress)  # fmt: skip
        by_member.append({item.path: item for item in items})
    explanations, uncovered = [], []
    for path in frame["path"].astype(str):
        items = [explained[path] for explained in by_member if path in explained]
        if not items:
            uncovered.append(path)
        else:
            explanations.append(items[0] if len(items) == 1 else _mean(items))
    return explanations, uncovered


def _mean(items: list[Explanation]) -> Explanation:
    """The members' mean heatmap and probability for one image."""
    heatmap = np.mean([item.heatmap for item in items], axis=0).astype(np.float32)
    row, column = np.unravel_index(int(np.argmax(heatmap)), heatmap.shape)
    first = items[0]
    return Explanation(
        path=first.path,
        study=first.study,
        body_part=first.body_part,
        probability=float(np.mean([item.probability for item in items])),
        heatmap=heatmap,
        peak=(int(column), int(row)),
        flat=not bool(heatmap.max() > 0),
        layer=f"{first.layer} (mean of {len(items)} members)",
    )
