"""PEP 562 lazy sub-module import, shared by the packages whose sub-modules pull in heavy dependencies."""

from __future__ import annotations

import importlib


def lazy_submodules(package: str, names, namespace: dict, exported=()):
    """``(__getattr__, __dir__)`` for ``package``: ``package.name`` imports the sub-module ``name`` on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    names : sequence of str
        Sub-modules loaded on demand.
    namespace : dict
        The package's ``globals()``: a loaded module is stored there, so later look-ups cost nothing.
    exported : sequence of str
        Further public names, listed by ``dir()``.
    """
    names = tuple(names)
    listed = sorted({*names, *exported})

    def __getattr__(name: str):
        if name in names:
            module = importlib.import_module(f"{package}.{name}")
            namespace[name] = module
            return module
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return listed

    return __getattr__, __dir__
