"""How many BLAS threads the course's numerical code uses: the one place where threads are limited.

The solvers and kernel models multiply matrices of a few hundred rows. On two cores a second BLAS thread gains at
most ~1.7x on the largest of them (three electrons), while on a busy or shared machine OpenBLAS threads that
spin-wait for a core make the same products 5-10x *slower* (measured on the course machines). So the public
solvers run with one BLAS thread and restore the previous setting afterwards.

* :func:`limited_blas` decorates a function of ``course_utils`` (``onedim`` solvers, kernel models);
* :func:`blas_threads` is the same as a context manager;
* :func:`set_blas_threads` changes the limit they apply (``None``: leave BLAS alone);
* :func:`one_blas_thread` is for notebooks and scripts: it limits BLAS to one thread for the whole process
  (scikit-learn, NumPy and SciPy alike) and returns the ``threadpoolctl`` limiter, so a notebook needs no
  thread plumbing of its own.

Needs ``threadpoolctl`` (pinned; scikit-learn depends on it); without it nothing is changed.
"""

from __future__ import annotations

import contextlib
import functools

from ._checks import as_int

_SETTING = {"threads": 1}

__all__ = ["blas_threads", "limited_blas", "one_blas_thread", "set_blas_threads"]


def set_blas_threads(threads: int | None) -> None:
    """Set the number of BLAS threads used inside the course's solvers (``None``: leave BLAS alone).

    Parameters
    ----------
    threads : int or None
        At least 1, or ``None``.
    """
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
    except ImportError:  # pragma: no cover - threadpoolctl is pinned
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


def one_blas_thread():
    """Limit every BLAS library loaded so far, and SciPy's, to one thread for the rest of the process.

    Returns the ``threadpoolctl.threadpool_limits`` object (use it as a context manager, or call its
    ``restore_original_limits()`` to undo). SciPy is imported first because it loads its own BLAS library,
    which a limit set before that import would not reach.
    """
    import scipy.linalg  # noqa: F401  (loads SciPy's BLAS so that the limit below reaches it)
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
