"""Helper package for the course *Machine Learning for Condensed Matter Physics and Quantum Chemistry*.

Importing this package is light: sub-packages (``onedim``, ``lattice``, ``atoms``, ``learn``) and heavy
dependencies (TensorFlow, ASE, PySCF) are loaded only when first used.
"""

from __future__ import annotations

import importlib

from ._checks import ConvergenceError

__version__ = "0.1.0"

_SUBMODULES = ("atoms", "data", "env", "exercises", "lattice", "learn", "onedim", "plots", "threads", "units",
               "widgets")

__all__ = ["ConvergenceError", "__version__", *_SUBMODULES]


def __getattr__(name: str):
    # Lazy sub-package import keeps `import course_utils` cheap (PEP 562).
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
