"""Helper package for the course *Machine Learning for Condensed Matter Physics and Quantum Chemistry*.

Importing this package is light: sub-packages (``onedim``, ``lattice``, ``atoms``, ``learn``) and heavy
dependencies (TensorFlow, ASE, PySCF) are loaded only when first used.
"""

from __future__ import annotations

from ._checks import ConvergenceError
from ._lazy import lazy_submodules

__version__ = "0.1.0"

_SUBMODULES = ("atoms", "data", "env", "exercises", "lattice", "learn", "onedim", "plots", "threads", "units",
               "widgets")

__all__ = ["ConvergenceError", "__version__", *_SUBMODULES]


# Lazy sub-package import keeps `import course_utils` cheap (PEP 562).
__getattr__, __dir__ = lazy_submodules(__name__, _SUBMODULES, globals(), __all__)
