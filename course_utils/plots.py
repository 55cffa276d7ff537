"""One plotting style for the whole course, applied by a call (never on import)."""

from __future__ import annotations

import contextlib

COURSE_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
"""Colour-blind safe cycle (Okabe & Ito, 2008), used for lines in this order."""


def use_course_style() -> None:
    """Apply the course's matplotlib style for the rest of the session."""
    import matplotlib as mpl

    mpl.rcParams.update(_parsed_style())


@contextlib.contextmanager
def course_style():
    """Context manager applying the course style temporarily."""
    import matplotlib as mpl

    with mpl.rc_context(_parsed_style()):
        yield


def _parsed_style() -> dict:
    from cycler import cycler

    return {**COURSE_STYLE, "axes.prop_cycle": cycler(color=COLOURS)}


def check_labelled(fig) -> list[str]:
    """Names of the axes of ``fig`` that lack an x or y label (used by tests to keep figures honest).

    Axes drawn with their axis lines off (a diagram such as :func:`network_diagram`) have no coordinates to label
    and are skipped."""
    missing = []
    for index, ax in enumerate(fig.get_axes()):
        if not ax.get_visible() or not ax.axison or not ax.has_data() or ax.name == "3d" and not ax.get_zlabel():
            continue
        if not ax.get_xlabel() or not ax.get_ylabel():
            missing.append(ax.get_title() or f"axes {index}")
    return missing


def network_diagram(ax, layer_sizes, *, layer_names=None, forward: str | None = None, backward: str | None = None):
    """Draw a dense network on ``ax``: one column of neurons per layer, every neuron joined to the next layer.

    Parameters
    ----------
    ax : matplotlib Axes
        Its axis lines, ticks and grid are switched off (the diagram has no coordinates).
    layer_sizes : sequence of int
        Neurons per layer, input first (at least two layers, each of 1 to 12 neurons so the circles stay
        readable).
    layer_names : sequence of str, optional
        A caption under each column.
    forward, backward : str, optional
        Text on an arrow above the network pointing to the output (the forward pass) and below it pointing back
        to the input (back-propagation of the gradient).
    """
    from ._checks import as_int

    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise TypeError(f"layer_sizes must be a sequence of integers, got {type(layer_sizes).__name__}")
    sizes = [as_int(size, "layer size", minimum=1, maximum=12) for size in layer_sizes]
    if len(sizes) < 2:
        raise ValueError(f"a network needs at least two layers (input and output), got {len(sizes)}")
    if layer_names is not None and len(layer_names) != len(sizes):
        raise ValueError(f"layer_names has {len(layer_names)} entries for {len(sizes)} layers")
    height = max(sizes)
    centres = [[(column, (size - 1) / 2 - row) for row in range(size)] for column, size in enumerate(sizes)]
    for left, right in zip(centres[:-1], centres[1:], strict=True):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0, x1], [y0, y1], color="0.6", lw=0.6, zorder=1)
    for column, points in enumerate(centres):
        colour = "C0" if column == 0 else ("C1" if column == len(sizes) - 1 else "C2")
        ax.scatter(*zip(*points, strict=True), s=260, color=colour, edgecolor="k", zorder=2)
        if layer_names is not None:
            ax.text(column, -(height + 1) / 2 - 0.1, layer_names[column], ha="center", va="top", fontsize=9)
    top, bottom = (height - 1) / 2 + 0.9, -(height - 1) / 2 - 0.9 - (1.7 if layer_names is not None else 0)
    arrow = {"arrowstyle": "-|>", "lw": 1.6, "mutation_scale": 14}
    if forward:
        ax.annotate("", xy=(len(sizes) - 1, top), xytext=(0, top), arrowprops={**arrow, "color": "C0"})
        ax.text((len(sizes) - 1) / 2, top + 0.15, forward, ha="center", va="bottom", color="C0", fontsize=9)
    if backward:
        ax.annotate("", xy=(0, bottom), xytext=(len(sizes) - 1, bottom), arrowprops={**arrow, "color": "C3"})
        ax.text((len(sizes) - 1) / 2, bottom - 0.15, backward, ha="center", va="top", color="C3", fontsize=9)
    ax.set(xlim=(-0.6, len(sizes) - 0.4), ylim=(bottom - 1.2, top + 1.0))
    ax.set_axis_off()
    return ax
