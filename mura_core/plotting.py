"""Figures for run artifacts, drawn without pyplot.

Library code must not change the user's matplotlib backend (a notebook's inline
backend, say) nor keep figures in pyplot's global state, so artifacts are drawn on a
plain :class:`matplotlib.figure.Figure` with its own Agg canvas.
"""

from __future__ import annotations

from typing import Any


def new_figure(rows: int, columns: int, *, figsize: tuple[float, float], **options: Any):
    """A figure with an Agg canvas and its grid of axes (``Figure.subplots`` options)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize)
    FigureCanvasAgg(figure)
    return figure, figure.subplots(rows, columns, **options)


def colour_cycle() -> list[str]:
    """The default line colours."""
    import matplotlib

    return matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]


def label_epochs(axes: Any) -> None:
    """Whole-number epoch ticks and an ``epoch`` label on the bottom row of ``axes``."""
    from matplotlib.ticker import MaxNLocator

    for axis in axes.ravel():
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    for axis in axes[-1]:
        axis.set_xlabel("epoch")
