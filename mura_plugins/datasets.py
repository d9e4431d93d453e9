"""The built-in dataset layouts: MURA-v1.1 as Stanford ships it, and ``study-csv``.

Registered through the ``register_datasets`` hook, exactly as a third-party dataset
plugin registers its layout. Detectors only look at names on disk; the loaders (in
:mod:`mura_core.data`) are imported when data is loaded.
"""

from __future__ import annotations

from pathlib import Path

from registry import DatasetLayout, hookimpl


def _mura_base(root: Path) -> Path:
    from mura_core.data.layout import resolve_root

    return resolve_root(root).base


def _is_mura(root: Path) -> bool:
    from mura_core.data.layout import resolve_root
    from mura_core.errors import MuraError

    try:
        resolve_root(root)
    except MuraError:
        return False
    return True


def _is_study_csv(root: Path) -> bool:
    from mura_core.data.study_csv import detect

    return detect(root)


MURA = DatasetLayout(
    name="mura-v1.1",
    detect=_is_mura,
    loader="mura_core.data.loader:MuraDataset",
    description="a MURA tree: MURA-v1.1/ holding train/ and valid/ or their image-path CSVs",
    base=_mura_base,
    labels="mura_core.data.fingerprint:mura_labels",
)

STUDY_CSV = DatasetLayout(
    name="study-csv",
    detect=_is_study_csv,
    loader="mura_core.data.study_csv:StudyCsvDataset",
    description="study folders listed with labels and body parts in studies.csv",
    labels="mura_core.data.study_csv:labels",
)


@hookimpl
def register_datasets(register):
    register(MURA)
    register(STUDY_CSV)
