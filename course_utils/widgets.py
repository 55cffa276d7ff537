"""Small building blocks for the notebooks' ipywidgets explorers."""

from __future__ import annotations

from ._checks import as_int, as_number


def float_slider(description: str, value: float, minimum: float, maximum: float, step: float, *,
                 readout_format: str = ".2f", continuous_update: bool = False):
    """A labelled ``FloatSlider`` that redraws on release (``continuous_update=False``), so a slow figure
    does not queue dozens of redraws while the handle is dragged."""
    import ipywidgets as w

    value = as_number(value, "value")
    minimum, maximum = as_number(minimum, "minimum"), as_number(maximum, "maximum")
    step = as_number(step, "step", minimum=0, strict_minimum=True)
    if not minimum <= value <= maximum:
        raise ValueError(f"value {value} must lie between minimum {minimum} and maximum {maximum}")
    return w.FloatSlider(value=value, min=minimum, max=maximum, step=step, description=description,
                         readout_format=readout_format, continuous_update=continuous_update,
                         style={"description_width": "initial"}, layout=w.Layout(width="420px"))


def int_slider(description: str, value: int, minimum: int, maximum: int, step: int = 1, *,
               continuous_update: bool = False):
    """A labelled ``IntSlider`` that redraws on release."""
    import ipywidgets as w

    value, minimum, maximum = (as_int(v, n) for v, n in ((value, "value"), (minimum, "minimum"), (maximum, "maximum")))
    step = as_int(step, "step", minimum=1)
    if not minimum <= value <= maximum:
        raise ValueError(f"value {value} must lie between minimum {minimum} and maximum {maximum}")
    return w.IntSlider(value=value, min=minimum, max=maximum, step=step, description=description,
                       continuous_update=continuous_update, style={"description_width": "initial"},
                       layout=w.Layout(width="420px"))
