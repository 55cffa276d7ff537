"""The check of notebook 00's exercise (the box length for a chosen excitation energy): the right answer
passes, typical mistakes fail with a message that names them, nonsense gives feedback instead of an exception."""

import math

import numpy as np
import pytest

from course_utils import exercises, units

check = exercises.check_box_length


def _length_bohr(gap_ev):
    return math.pi * math.sqrt(3 / (2 * gap_ev / units.HARTREE_TO_EV))


@pytest.mark.parametrize("gap_ev", [2.0, 0.5, 3.7])
def test_right_answer_passes_and_agrees_with_the_grid(gap_ev):
    length = _length_bohr(gap_ev)
    assert check(length * units.BOHR_TO_ANGSTROM, gap_ev=gap_ev)
    assert check(np.float64(length * units.BOHR_TO_ANGSTROM), gap_ev=gap_ev)
    # independent check: a fine finite-difference grid gives the same gap for that box
    n = 2000
    h = length / (n + 1)
    main = np.full(n, 1 / h**2)
    off = np.full(n - 1, -0.5 / h**2)
    from scipy.linalg import eigh_tridiagonal

    e = eigh_tridiagonal(main, off, select="i", select_range=(0, 1))[0]
    assert (e[1] - e[0]) * units.HARTREE_TO_EV == pytest.approx(gap_ev, rel=1e-4)


def test_typical_mistakes_are_named():
    length = _length_bohr(2.0)
    angstrom = length * units.BOHR_TO_ANGSTROM
    assert "bohr" in check(length).message
    assert "E_2 - E_1 = 3 E_1" in check(angstrom / math.sqrt(3)).message
    assert "not E_2" in check(angstrom * math.sqrt(3 / 4)).message
    assert "convert" in check(math.pi * math.sqrt(3 / 4.0)).message
    assert "square root" in check(angstrom**2).message
    assert not check(angstrom * 1.01)


def test_placeholder_and_nonsense_give_feedback():
    assert "placeholder" in check(...).message
    for bad in (None, "5", [1.0], True, float("nan"), -3.0, 0.0):
        feedback = check(bad)
        assert not feedback and feedback.message


def test_bad_gap_is_reported():
    for gap in (0.0, -1.0, "2", True):
        feedback = check(5.0, gap_ev=gap)
        assert not feedback and "gap_ev" in feedback.message
