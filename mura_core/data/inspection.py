"""``mura data inspect``: what is in a dataset and what is wrong with it.

:func:`summarize` turns an :class:`~mura_core.data.dataset.ImageDataset` into one
JSON-serialisable object (what ``mura data inspect ROOT --json`` prints);
:func:`format_summary` renders it as the report's inspection tables.

JSON schema
-----------

Counts are of usable images (listed, present and decodable); ``studies`` and
``patients`` count those with at least one usable image. Percentages are in [0, 100]
with two decimals.

.. code-block:: text

    {
      "root": "/abs/path/MURA-v1.1",           # the folder the layout reads
      "layout": "mura-v1.1",                    # the dataset layout (null: not given)
      "body_parts": ["XR_ELBOW", ...],          # the body-part filter applied
      "sources": {"train": "csv", "valid": "csv"},  # csv | walk | absent, per split
      "splits": {
        "train": {
          "images": int, "studies": int, "patients": int,
          "by_label": {                          # label "0" normal, "1" abnormal
            "0": {"images": int, "studies": int, "patients": int,
                  "percent_images": float, "percent_studies": float},
            "1": {...}
          },
          "by_body_part": {
            "XR_ELBOW": {
              "images": int, "studies": int, "patients": int,
              "percent_images": float,           # share of the split's images
              "percent_studies": float,          # share of the split's studies
              "by_label": {"0": {...}, "1": {...}}   # shares within the body part
            },
            ...                                  # every body part of the filter
          }
        },
        "valid": {...}                           # same shape as "train"
      },
      "image_size": {                            # over usable images with a known size
        "images": int,
        "width": {"min": int, "median": float, "mean": float, "max": int},
        "height": {...}, "longest_side": {...},
        "modes": {"L": int, "RGB": int, ...}     # PIL modes: L grayscale, RGB...
      },
      "problems": {
        "missing": int, "corrupt": int, "too_large": int, "unlisted": int,
        "outside_root": int, "malformed": int, "duplicate": int,  # files (or CSV rows)
        "label_mismatch": int, "unlabeled": int,  # numbers of studies
        "examples": [{"kind": str, "path": str, "detail": str}, ...]  # first of each kind
      }
    }

A patient with both normal and abnormal studies counts under both labels, so the
``patients`` of ``by_label`` may add up to more than the split's.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mura_core.data.dataset import ImageDataset
from mura_core.data.layout import BODY_PARTS, SPLITS

__all__ = ["format_summary", "summarize"]


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _counts(frame: pd.DataFrame) -> dict[str, int]:
    return {
        "images": len(frame),
        "studies": int(frame["study"].nunique()),
        "patients": int(frame["patient"].nunique()),
    }


def _by_label(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    total = _counts(frame)
    table = {}
    for label in (0, 1):
        counts: dict[str, Any] = _counts(frame[frame["label"] == label])
        counts["percent_images"] = _percent(counts["images"], total["images"])
        counts["percent_studies"] = _percent(counts["studies"], total["studies"])
        table[str(label)] = counts
    return table


def _split_summary(frame: pd.DataFrame, body_parts: tuple[str, ...]) -> dict[str, Any]:
    summary: dict[str, Any] = _counts(frame)
    summary["by_label"] = _by_label(frame)
    parts = {}
    for part in body_parts:
        rows = frame[frame["body_part"] == part]
        entry: dict[str, Any] = _counts(rows)
        entry["percent_images"] = _percent(entry["images"], summary["images"])
        entry["percent_studies"] = _percent(entry["studies"], summary["studies"])
        entry["by_label"] = _by_label(rows)
        parts[part] = entry
    summary["by_body_part"] = parts
    return summary


def _stats(values: pd.Series) -> dict[str, float | int | None]:
    if values.empty:
        return {"min": None, "median": None, "mean": None, "max": None}
    return {
        "min": int(values.min()),
        "median": round(float(values.median()), 1),
        "mean": round(float(values.mean()), 1),
        "max": int(values.max()),
    }


def _image_sizes(frame: pd.DataFrame) -> dict[str, Any]:
    if "width" not in frame.columns or "height" not in frame.columns:
        known = frame.iloc[0:0]
    else:
        known = frame.dropna(subset=["width", "height"])
    width = known["width"].astype("int64") if len(known) else pd.Series([], dtype="int64")
    height = known["height"].astype("int64") if len(known) else pd.Series([], dtype="int64")
    modes = known["mode"].value_counts().sort_index() if "mode" in known.columns else {}
    return {
        "images": len(known),
        "width": _stats(width),
        "height": _stats(height),
        "longest_side": _stats(pd.concat([width, height], axis=1).max(axis=1)),
        "modes": {str(mode): int(count) for mode, count in dict(modes).items()},
    }


def summarize(dataset: ImageDataset, layout: str | None = None) -> dict[str, Any]:
    """The inspection of ``dataset`` (read with the dataset layout ``layout``) as one
    JSON-serialisable object (schema above)."""
    frame = dataset.frame
    body_parts = tuple(getattr(dataset, "body_part_filter", BODY_PARTS))
    root = getattr(dataset, "root", None)
    return {
        "root": str(getattr(root, "mura", root)) if root is not None else None,
        "layout": layout,
        "body_parts": list(body_parts),
        "sources": dict(getattr(dataset, "sources", {})),
        "splits": {
            split: _split_summary(frame[frame["split"] == split], body_parts) for split in SPLITS
        },
        "image_size": _image_sizes(frame),
        "problems": dataset.problems.to_dict(),
    }


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    align = [str.ljust, str.ljust, *([str.rjust] * (len(header) - 2))]

    def line(row: list[str]) -> str:
        return "  ".join(align[i](cell, widths[i]) for i, cell in enumerate(row)).rstrip()

    return [line(header), line(["-" * width for width in widths]), *map(line, rows)]


def format_summary(summary: dict[str, Any]) -> str:
    """The report's inspection tables (per split, body part and label), sizes and problems."""
    layout = summary.get("layout")
    lines = [f"data: {summary['root']}" + (f" (layout {layout})" if layout else "")]
    header = ["body part", "label", "images", "studies", "patients", "% studies"]
    for split, data in summary["splits"].items():
        source = summary["sources"].get(split, "absent")
        lines += ["", f"{split}: {data['images']} images, {data['studies']} studies, "
                  f"{data['patients']} patients (listed by {source})"]  # fmt: skip
        rows = []
        groups = [*data["by_body_part"].items(), ("all", data)]
        for part, entry in groups:
            for label, counts in entry["by_label"].items():
                name = "abnormal" if label == "1" else "normal"
                rows.append(
                    [
                        part,
                        f"{label} {name}",
                        str(counts["images"]),
                        str(counts["studies"]),
                        str(counts["patients"]),
                        f"{counts['percent_studies']:.1f}",
                    ]
                )
        lines += _table(rows, header)
    sizes = summary["image_size"]
    lines += ["", f"image sizes ({sizes['images']} images)"]
    if sizes["images"]:
        stat_rows = [
            [key, "", *(str(sizes[key][s]) for s in ("min", "median", "mean", "max"))]
            for key in ("width", "height", "longest_side")
        ]
        lines += _table(stat_rows, ["", "", "min", "median", "mean", "max"])
        modes = ", ".join(f"{mode} {count}" for mode, count in sizes["modes"].items())
        lines.append(f"modes: {modes}")
    problems = summary["problems"]
    total = sum(value for key, value in problems.items() if key != "examples")
    lines += ["", f"problems: {total}" + (" (all skipped; label problems kept)" if total else "")]
    for example in problems["examples"]:
        detail = f" ({example['detail']})" if example["detail"] else ""
        lines.append(
            f"{problems[example['kind']]:>7}  {example['kind']:<15} e.g. {example['path']}{detail}"
        )
    return "\n".join(lines)
