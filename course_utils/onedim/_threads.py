"""How many BLAS threads the ``onedim`` solvers use (one, by default).

The solvers multiply matrices of a few hundred rows. On two cores a second BLAS thread gains at most ~1.7x on the
largest of them (three electrons), while on a busy or shared machine OpenBLAS threads that spin-wait for a core
make the same products 5-10x *slower* (measured on the course machines). So the public solvers run with one BLAS
thread and restore the previous setting afterwards; ``set_blas_threads(None)`` keeps the library's own choice.
Needs ``threadpoolctl`` (a scikit-learn dependency); without it nothing is changed.
"""

from __future__ import annotations

import contextlib
import functools

from .._checks import as_int

_SETTING = {"threads": 1}


def set_blas_threads(threads: int | None) -> None:
    """Set the number of BLAS threads used inside the ``onedim`` solvers (``None``: leave BLAS alone)."""
    _SETTING["threads"] = None if threads is None else as_int(threads, "threads", minimum=1)


@contextlib.contextmanager
def blas_threads():
    """Context manager applying the current setting (a no-op without threadpoolctl)."""
    limit = _SETTING["threads"]
    if limit is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        yield
        return
    with threadpool_limits(limits=limit, user_api="blas"):
        yield


def limited_blas(function):
    """Decorator: run ``function`` under :func:`blas_threads` (nested calls are not re-limited)."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if _SETTING.get("active"):
            return function(*args, **kwargs)
        _SETTING["active"] = True
        try:
            with blas_threads():
                return function(*args, **kwargs)
        finally:
            _SETTING["active"] = False
    return wrapper
