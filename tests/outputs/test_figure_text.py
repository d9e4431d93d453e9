"""Every figure mura draws keeps its text inside the picture, however long the run names.

Each drawing function is called with the longest names a user meets (an ensemble of a
CNN with a long head, the deepest study path) while every figure made through
:func:`mura_core.plotting.new_figure` is recorded; a title, label or legend entry that
runs past the canvas's edge is cut off in the saved PNG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import mura_core.plotting

#: A long single-model name and an ensemble of it (names of ~150 and ~200 characters).
LONG = ("cnn_in.256.256.3_cl.6.1_f.32_ck.3.3_bn_bnm.0.9_p.max_ps.2.2_pstr.2.2_ld.0.25"
        "_mlp.1024.512.256.128_md.0.5.0.5.0.5.0.5__wc_aug")  # fmt: skip
ENSEMBLE = f"parts_m({LONG.split('__')[0]})_bp.WRIST.HAND.SHOULDER_c.route_ws__wc_aug"
NAMES = (LONG, ENSEMBLE, LONG.replace("cl.6", "cl.5"))


@pytest.fixture
def drawn(monkeypatch) -> list:
    """The figures drawn through :func:`mura_core.plotting.new_figure` during a test."""
    figures: list = []
    original = mura_core.plotting.new_figure

    def recording(*args, **kwargs):
        figure, axes = original(*args, **kwargs)
        figures.append(figure)
        return figure, axes

    monkeypatch.setattr(mura_core.plotting, "new_figure", recording)
    return figures


def drawn_text(figure, renderer) -> list[tuple[str, object]]:
    """``(text, window extent)`` of what ``figure`` draws as text: the figure's own texts
    (titles, figure legends), each axes' titles and legend entries, and each visible
    axis (its drawn tick labels and label together)."""
    from matplotlib.text import Text

    inside_axes = {id(text) for axes in figure.axes for text in axes.findobj(Text)}
    found = [(text.get_text(), text.get_window_extent(renderer))
             for text in figure.findobj(Text) if id(text) not in inside_axes]  # fmt: skip
    for axes in figure.axes:
        legend = axes.get_legend()
        texts = [axes.title, axes._left_title, axes._right_title,
                 *(legend.get_texts() if legend else [])]  # fmt: skip
        found += [(text.get_text(), text.get_window_extent(renderer)) for text in texts]
        if axes.axison:
            for axis in (axes.xaxis, axes.yaxis):
                label = axis.get_label_text() or axis.axis_name
                found.append((label, axis.get_tightbbox(renderer)))
    return found


def text_outside(figure) -> list[str]:
    """The texts ``figure`` draws past its edges (one pixel's slack): cut off in the PNG."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    def outside(box) -> bool:
        return box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1

    return [text for text, box in drawn_text(figure, renderer)
            if text.strip() and box is not None and box.width > 0 and outside(box)]  # fmt: skip


def history(epochs: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    columns = {"epoch": np.arange(1, epochs + 1)}
    for metric in ("loss", "auc", "accuracy", "kappa"):
        for prefix in ("", "val_"):
            columns[f"{prefix}{metric}"] = rng.uniform(0, 1, epochs)
    return pd.DataFrame(columns)


def predictions() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    parts = ["XR_ELBOW", "XR_FINGER", "XR_FOREARM", "XR_HAND", "XR_HUMERUS",
             "XR_SHOULDER", "XR_WRIST"]  # fmt: skip
    rows = []
    for study in range(70):
        label = study % 2
        for image in range(3):
            probability = float(np.clip(0.3 * label + rng.uniform(0, 0.7), 0, 1))
            rows.append({"study": f"s{study}", "path": f"s{study}/image{image}.png",
                         "body_part": parts[study % 7], "label": label,
                         "probability": probability})  # fmt: skip
    return pd.DataFrame(rows)


def explanations(folder: Path, views: int) -> list:
    from mura_core.explain.gradcam import Explanation

    study = folder / "MURA-v1.1" / "valid" / "XR_SHOULDER" / "patient11185" / "study12_positive"
    study.mkdir(parents=True)
    found = []
    for view in range(views):
        path = study / f"image{view + 1}.png"
        Image.fromarray(np.full((96, 80), 120, np.uint8)).save(path)
        heatmap = np.zeros((96, 80), np.float32)
        heatmap[40:60, 30:50] = 1.0
        found.append(Explanation(path=str(path), study=str(study), body_part="XR_SHOULDER",
                                 probability=0.987, heatmap=heatmap, peak=(40, 50),
                                 flat=False, layer="conv"))  # fmt: skip
    return found


def test_training_graph(drawn, tmp_path):
    from mura_core.runs.artifacts import write_training_graph

    write_training_graph(history(), tmp_path / "t.png", title=ENSEMBLE)
    assert len(drawn) == 1 and text_outside(drawn[0]) == []


def test_compare_curves_and_parts(drawn, tmp_path):
    from mura_core.cli.compare import plot_curves
    from mura_core.evaluation.by_part import plot_parts

    plot_curves({name: history() for name in NAMES}, tmp_path / "c.png")
    scores = [{"XR_WRIST": 0.7, "XR_HAND": 0.5, "XR_SHOULDER": 0.1}] * len(NAMES)
    plot_parts(list(NAMES), scores, tmp_path / "c.parts.png")
    assert len(drawn) == 2
    assert [text_outside(figure) for figure in drawn] == [[], []]


def test_roc_and_reliability(drawn, tmp_path):
    from mura_core.evaluation import plot_roc
    from mura_core.evaluation.reliability import plot_reliability

    frame = predictions()
    plot_roc(frame, tmp_path / "roc.png", title=f"{ENSEMBLE} (test)")
    curves = {f"{level}{when}": (frame["label"].to_numpy(), frame["probability"].to_numpy())
              for level in ("image", "study") for when in (" before", " after")}  # fmt: skip
    plot_reliability(curves, tmp_path / "r.png", title=f"{ENSEMBLE} (test)")
    assert len(drawn) == 2
    assert [text_outside(figure) for figure in drawn] == [[], []]


@pytest.mark.parametrize("views", [1, 4])
def test_explain_montage(drawn, tmp_path, views):
    from mura_core.explain import write_montage

    write_montage(explanations(tmp_path, views), tmp_path / "montage.png")
    assert len(drawn) == 1 and text_outside(drawn[0]) == []
