"""Checks for the exercises of every notebook.

Each ``check_<name>(answer, ...)`` returns a :class:`Feedback`: it says in words what is right or wrong and
never raises, whatever the student passes (an exception in the student's answer becomes feedback too).
In a notebook the feedback shows as a green or red box; in tests, ``bool(feedback)`` tells whether it passed.

The checks live in one module per notebook (``nb00.py``, ``nb01.py``, ...) and are found here by name, so a
notebook writes ``from course_utils import exercises`` and ``exercises.check_box_energy(...)``. The modules are
imported on first use; each keeps its heavy imports (scikit-learn, TensorFlow) inside its functions.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._feedback import Feedback, checker


def _notebook_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("nb"))


def all_checks() -> dict[str, object]:
    """Every ``check_*`` function of every notebook module, by name."""
    checks = {}
    for name in _notebook_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        for attribute in dir(module):
            if attribute.startswith("check_"):
                if attribute in checks:
                    raise RuntimeError(f"two exercise modules define {attribute}; names must be unique")
                checks[attribute] = getattr(module, attribute)
    return checks


def __getattr__(name: str):
    if name.startswith("check_"):
        checks = all_checks()
        if name in checks:
            globals().update(checks)
            return checks[name]
    raise AttributeError(f"course_utils.exercises has no {name!r}; the checks are: {', '.join(sorted(all_checks()))}")


def __dir__():
    return sorted([*globals(), *all_checks()])


__all__ = ["Feedback", "checker", "all_checks"]
