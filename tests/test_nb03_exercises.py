"""Checks of notebook 03's exercises: placeholders and typical mistakes fail with an explanation, the right
answers pass."""

import numpy as np

from course_utils import exercises


def _bordered_solve(a, chi, total, sign=-1.0):
    n = len(chi)
    m = np.block([[a, np.ones((n, 1))], [np.ones((1, n)), np.zeros((1, 1))]])
    return np.linalg.solve(m, np.append(sign * chi, total))


def test_qeq_solve_check():
    check = exercises.check_nb03_qeq_solve
    right = check(lambda a, chi, q: _bordered_solve(a, chi, q)[:-1])
    assert right, right.message
    assert not check(...) and "placeholder" in check(...).message
    assert not check("solve")
    assert "Lagrange multiplier" in check(lambda a, chi, q: _bordered_solve(a, chi, q)).message
    assert "without the constraint" in check(lambda a, chi, q: np.linalg.solve(a, -chi)).message
    assert "sign of chi" in check(lambda a, chi, q: _bordered_solve(a, chi, q, sign=1.0)[:-1]).message
    assert "expected" in check(lambda a, chi, q: np.zeros(2)).message


def _capacity(chi, a):
    ones = np.ones(len(chi))
    s = ones @ np.linalg.solve(a, ones)
    return s, ones @ np.linalg.solve(a, chi) / s


def test_fragment_transfer_check():
    check = exercises.check_nb03_fragment_transfer

    def right_answer(chi_a, a_a, chi_b, a_b):
        (s_a, mu_a), (s_b, mu_b) = _capacity(chi_a, a_a), _capacity(chi_b, a_b)
        return (mu_a - mu_b) / (1 / s_a + 1 / s_b)

    right = check(right_answer)
    assert right, right.message
    assert "sign is reversed" in check(lambda *args: -right_answer(*args)).message
    assert not check(lambda *args: 0.0)

    def plain_mean(chi_a, a_a, chi_b, a_b):
        (s_a, _), (s_b, _) = _capacity(chi_a, a_a), _capacity(chi_b, a_b)
        return (chi_a.mean() - chi_b.mean()) / (1 / s_a + 1 / s_b)

    assert "weighted by" in check(plain_mean).message
    assert "one number" in check(lambda *args: np.zeros(3)).message
    assert not check(...) and "placeholder" in check(...).message
