"""Figures for run artifacts, drawn without pyplot.

Library code must not change the user's matplotlib backend (a notebook's inline
backend, say) nor keep figures in pyplot's global state, so artifacts are drawn on a
plain :class:`matplotlib.figure.Figure` with its own Agg canvas.
"""

from __future__ import annotations

import re
from typing import Any

#: Where a long line may break: after an underscore (between a name's tokens) or a space.
_BREAKS = re.compile(r"(?<=[_ ])")


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


def fit_width(text: Any, width: float) -> None:
    """Break the lines of ``text`` (a matplotlib ``Text`` on a figure) after underscores
    or spaces so that each is at most ``width`` pixels wide: a long run name then wraps
    instead of running past the picture's edge. A token wider than ``width`` stays whole.
    """
    renderer = text.get_figure().canvas.get_renderer()
    lines = []
    for paragraph in text.get_text().split("\n"):
        line = ""
        for piece in _BREAKS.split(paragraph):
            text.set_text(line + piece)
            if line and text.get_window_extent(renderer).width > width:
                lines.append(line.rstrip())
                line = piece
            else:
                line += piece
        lines.append(line)
    text.set_text("\n".join(lines))


def fit_titles(figure: Any) -> None:
    """Wrap the figure's title, and each axes' title, to the width they are drawn in."""
    margin = 0.96
    title = getattr(figure, "_suptitle", None)
    if title is not None and title.get_text():
        fit_width(title, margin * figure.bbox.width)
    for axes in figure.axes:
        if axes.title.get_text():
            fit_width(axes.title, margin * max(axes.bbox.width, figure.bbox.width / 2))


def fit_legend(legend: Any, columns: int = 1) -> None:
    """Wrap each entry of ``legend`` to its column's share of the figure's width."""
    figure = legend.get_figure()
    handle = legend.handlelength * legend.prop.get_size_in_points() * figure.dpi / 72
    width = 0.96 * figure.bbox.width / columns - 2 * handle
    for text in legend.get_texts():
        fit_width(text, width)
