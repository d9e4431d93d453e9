"""The image rows of a run's subsets: its own split, or the split drawn again."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mura_core.errors import MuraError
from mura_core.runs.artifacts import read_run_json
from mura_core.runs.layout import RunFolder
from mura_core.vocabulary import EVALUATION_SUBSETS

__all__ = ["SUBSETS", "subset_frame"]

SUBSETS = EVALUATION_SUBSETS


def subset_frame(folder: RunFolder, data_root: str | Path, subset: str) -> pd.DataFrame:
    """The image rows of ``subset`` for the run in ``folder``.

    The run's own ``split.csv`` is used when present (the validation patients it
    trained against); otherwise the split is drawn again with the run's seed.
    """
    from mura_core.data.sources import open_data
    from mura_core.data.split import read_manifest

    if subset not in SUBSETS:
        raise MuraError(f"unknown subset {subset!r} (expected {' or '.join(SUBSETS)})")
    data = open_data(data_root)  # a root no dataset layout reads fails here, in one line
    if folder.split.exists():
        split = read_manifest(folder.split, data)
    else:
        from mura_core.data.split import split_by_patient

        config = read_run_json(folder.run_json).get("config", {})
        body_part = (read_run_json(folder.run_json).get("run_options") or {}).get("body_part")
        frame = data.load(body_parts=body_part).frame
        split = split_by_patient(
            frame,
            validation_fraction=config.get("validation_fraction", 0.2),
            seed=config.get("seed", 0),
        )
    rows = split.subsets[subset]
    missing = [path for path in rows["path"] if not Path(path).is_file()]
    if missing:
        raise MuraError(
            f"{len(missing)} image(s) of the run's {subset} set are missing under "
            f"{data_root}, e.g. {missing[0]}"
        )
    if rows.empty:
        raise MuraError(f"the run's {subset} set is empty")
    return rows
