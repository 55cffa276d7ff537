"""Checks for the exercises of every notebook.

Each ``check_<name>(answer, ...)`` returns a :class:`Feedback`: it says in words what is right or wrong and
never raises, whatever the student passes (an exception in the student's answer becomes feedback too).
In a notebook the feedback shows as a green or red box; in tests, ``bool(feedback)`` tells whether it passed.

The checks live in one module per notebook (``nb00``, ``nb01``, ...) and are re-exported here, so a notebook
writes ``from course_utils import exercises`` and ``exercises.check_box_energy(...)``.
"""

from ._feedback import Feedback, checker
from .nb00 import check_box_energy

__all__ = ["Feedback", "checker", "check_box_energy"]
