"""Checks of notebook 07's exercises: placeholders and typical mistakes fail with an explanation, the right
answers pass."""

import numpy as np

from course_utils import exercises


def test_cosine_cutoff_check():
    check = exercises.check_nb07_cosine_cutoff

    def placeholder(r, cutoff):
        ...

    assert not check(placeholder) and "placeholder" in check(placeholder).message
    assert not check(...)
    assert not check(3.0)
    right = check(lambda r, c: np.where(r < c, 0.5 * (np.cos(np.pi * r / c) + 1), 0.0))
    assert right, right.message
    periodic = check(lambda r, c: 0.5 * (np.cos(np.pi * r / c) + 1))
    assert not periodic and "rises again" in periodic.message
    assert "1/2 is missing" in check(lambda r, c: np.where(r < c, np.cos(np.pi * r / c) + 1, 0.0)).message
    assert "factor pi" in check(lambda r, c: np.where(r < c, 0.5 * (np.cos(r / c) + 1), 0.0)).message
    assert "jumps" in check(lambda r, c: np.where(r < c, np.cos(np.pi * r / c), 0.0)).message
    assert "same shape" in check(lambda r, c: 1.0).message


def test_energy_drift_check():
    check = exercises.check_nb07_energy_drift
    right = check(lambda t, e: np.polyfit(t, e, 1)[0] * 1000)
    assert right, right.message
    assert "per fs" in check(lambda t, e: np.polyfit(t, e, 1)[0]).message
    assert "last - first" in check(lambda t, e: (e[-1] - e[0]) / (t[-1] - t[0]) * 1000).message
    assert "sign" in check(lambda t, e: -np.polyfit(t, e, 1)[0] * 1000).message
    assert not check(lambda t, e: np.zeros(2))
    assert not check(lambda t, e: None) and "placeholder" in check(lambda t, e: None).message
    assert not check("drift")
