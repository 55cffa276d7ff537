"""The feedback object and the decorator that makes a check function safe to call from a notebook."""

from __future__ import annotations

import functools
import html
import traceback
from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    """Outcome of an exercise check: ``passed`` and a message in plain words."""

    passed: bool
    message: str
    exercise: str = ""

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "✅ Correct" if self.passed else "❌ Not yet"
        title = f" — {self.exercise}" if self.exercise else ""
        return f"{mark}{title}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, border = ("#e8f5e9", "#2e7d32") if self.passed else ("#fdecea", "#c62828")
        return (f'<div style="background:{colour};border-left:6px solid {border};padding:8px 12px;'
                f'margin:4px 0;color:#111">{html.escape(str(self))}</div>')


def checker(exercise: str):
    """Decorate a check function: its return value ``(passed, message)`` becomes a :class:`Feedback`, and any
    exception raised while checking (typically from an unfinished answer) becomes a failing Feedback that
    names the exception instead of a traceback."""

    def decorate(function):
        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            try:
                passed, message = function(*args, **kwargs)
            except NotImplementedError:
                return Feedback(False, "the answer is still a placeholder: replace the `...` or the "
                                       "`raise NotImplementedError` with your code and run the cell again.",
                                exercise)
            except Exception as error:  # the student's code may raise anything; explain it, never crash
                where = traceback.extract_tb(error.__traceback__)[-1]
                return Feedback(False, f"checking your answer raised {type(error).__name__}: {error} "
                                       f"(in {where.name}, line {where.lineno}). Fix that and run the check again.",
                                exercise)
            return Feedback(bool(passed), message, exercise)

        wrapped.exercise = exercise
        return wrapped

    return decorate


def is_placeholder(value) -> bool:
    """True for the placeholders a notebook hands out (``...`` or ``None``)."""
    return value is Ellipsis or value is None
