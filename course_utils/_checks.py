"""Argument validation shared by every module of ``course_utils``.

Each helper raises ``TypeError`` for a wrong kind of object and ``ValueError`` for a wrong value, with a message
that names the argument, says what was received and what is expected.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np


class ConvergenceError(RuntimeError):
    """A self-consistent or iterative solver stopped before reaching its tolerance.

    ``iterations`` (the iterations done) and ``residual`` (the residual reached) are given where the solver knows
    them, ``None`` otherwise.
    """

    def __init__(self, message: str = "", *, iterations: int | None = None, residual: float | None = None):
        super().__init__(message)
        self.iterations = iterations
        self.residual = residual


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_real_array(value, name: str, *, ndim: int | None = None, shape: Sequence[int | None] | None = None,
                  finite: bool = True) -> np.ndarray:
    """Return ``value`` as a float64 array after checking dimensions, shape and finiteness.

    ``shape`` may contain ``None`` for an axis of any length.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {_describe(value)}")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {_describe(value)}") from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {array.shape}")
    if shape is not None:
        if array.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, array.shape, strict=True)):
            expected = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {expected}, got {array.shape}")
    if finite and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def as_number(value, name: str, *, minimum: float | None = None, maximum: float | None = None,
              strict_minimum: bool = False) -> float:
    """Return ``value`` as a float after checking it is a finite real number within bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    if minimum is not None:
        if strict_minimum and number <= minimum:
            raise ValueError(f"{name} must be greater than {minimum}, got {number}")
        if not strict_minimum and number < minimum:
            raise ValueError(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {number}")
    return number


def as_int(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int after checking it is an integer within bounds (bools are refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {number}")
    return number


def one_of(value, name: str, options: Sequence) -> object:
    """Check that ``value`` is one of ``options``."""
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed}; got {_describe(value)}")
    return value


def as_rng(seed) -> np.random.Generator:
    """Turn a seed (int), ``None`` or a ``Generator`` into a ``numpy.random.Generator``."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng(as_int(seed, "seed", minimum=0))
