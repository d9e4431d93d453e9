"""Combining members' probabilities: ``avg`` and ``route``
(:data:`~mura_core.ensembles.Combination`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from mura_core.ensembles.members import Combination, Member

__all__ = ["MEMBER_PREFIX", "combine", "member_column", "scored_rows"]

#: Prefix of the per-member probability columns of an ensemble's predictions.
MEMBER_PREFIX = "member."


def member_column(key: str) -> str:
    """The column of member ``key``'s probabilities (``member.XR_WRIST``)."""
    return f"{MEMBER_PREFIX}{key}"


def scored_rows(rows: pd.DataFrame, member: Member, rule: Combination) -> pd.DataFrame:
    """The rows ``member`` scores: all under ``avg``, its body part's under ``route``."""
    if rule == "avg" or member.body_part is None:
        return rows
    return rows[rows["body_part"].astype(str) == member.body_part]


def combine(
    rows: pd.DataFrame,
    scores: Mapping[str, pd.Series],
    members: Sequence[Member],
    rule: Combination,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Combine members' probabilities into ``probability``; return (covered, uncovered).

    ``scores`` holds, per member key, probabilities indexed like ``rows`` (the rows the
    member scored). ``avg`` averages the members present; ``route`` takes each row's
    probability from the member of its body part, and rows whose body part has no
    member are uncovered.
    """
    frame = rows.copy()
    columns = []
    for key, values in scores.items():
        frame[member_column(key)] = values.reindex(frame.index).astype(float)
        columns.append(member_column(key))
    if rule == "avg":
        frame["probability"] = frame[columns].mean(axis=1) if columns else np.nan
    else:
        probability = pd.Series(np.nan, index=frame.index)
        for member in members:
            if member.key not in scores:
                continue
            mask = (
                frame["body_part"].astype(str) == member.body_part
                if member.body_part is not None
                else pd.Series(True, index=frame.index)
            )
            probability[mask] = frame.loc[mask, member_column(member.key)]
        frame["probability"] = probability
    covered = frame["probability"].notna()
    return frame[covered], frame[~covered]
