"""An example dataset plugin: X-rays sorted into labelled folders (the plugin module).

The layout ``labelled-folders``::

    ROOT/
        normal/<body part>/<patient>/<study>/<image>.png
        abnormal/<body part>/<patient>/<study>/<image>.png

The top folder is the label, ``<body part>`` one of MURA's seven (``XR_WRIST`` or
``wrist``), ``<patient>`` the patient's id (a split keeps each patient on one side)
and ``<study>`` the study's folder. Every study is for training; ``mura train``
holds some patients out for validation, and ``mura evaluate --subset validation``
scores them.

This module is imported whenever ``mura`` starts, so it imports only ``registry``; the
loader, which needs pandas and :mod:`mura_core.data`, is in ``mura_folders_data``.
"""

from __future__ import annotations

from pathlib import Path

from registry import DatasetLayout, hookimpl

#: Label folders, and the label each stands for.
LABELS = {"normal": 0, "abnormal": 1}


def detect(root: Path) -> bool:
    """A root with a ``normal/`` and an ``abnormal/`` folder is laid out this way."""
    return all((root / folder).is_dir() for folder in LABELS)


@hookimpl
def register_datasets(register):
    register(
        DatasetLayout(
            name="labelled-folders",
            detect=detect,
            loader="mura_folders_data:FoldersDataset",  # imported when data is loaded
            description=(
                "normal/ and abnormal/ folders of <part>/<patient>/<study>/ images"
            ),
        )
    )
