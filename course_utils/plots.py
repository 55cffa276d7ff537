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
    """Names of the axes of ``fig`` that lack an x or y label (used by tests to keep figures honest)."""
    missing = []
    for index, ax in enumerate(fig.get_axes()):
        if not ax.get_visible() or not ax.has_data() or ax.name == "3d" and not ax.get_zlabel():
            continue
        if not ax.get_xlabel() or not ax.get_ylabel():
            missing.append(ax.get_title() or f"axes {index}")
    return missing
