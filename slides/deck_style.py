"""What the figure modules of decks 06-10 share: projector-sized fonts, colours and a figure factory.

``scripts/build_slides.py`` puts this folder on ``sys.path`` before it imports a deck's ``figures_NN.py``, so a
figure module imports these with ``from deck_style import ...``. No heavy import at module level.
"""

from __future__ import annotations

from functools import wraps

STYLE = {"font.size": 15, "axes.titlesize": 16, "axes.labelsize": 15, "legend.fontsize": 14,
         "xtick.labelsize": 14, "ytick.labelsize": 14, "axes.grid": True, "grid.alpha": 0.3,
         "axes.spines.top": False, "axes.spines.right": False, "lines.linewidth": 2.2, "legend.frameon": False}
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]


def styled(function):
    """Run a figure function with the deck's font sizes (projector-readable, >= 14 pt)."""

    @wraps(function)
    def wrapper():
        from matplotlib import rc_context

        with rc_context(STYLE):
            return function()

    return wrapper


def figure(ncols=1, figsize=(8.2, 4.5)):
    """A constrained-layout figure with ``ncols`` axes side by side."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(1, ncols)
