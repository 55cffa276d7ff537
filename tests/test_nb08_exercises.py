"""Checks of notebook 08's exercises: placeholders and typical mistakes fail with an explanation, the right
answers pass (the solutions themselves run through the notebook in tests/test_solutions.py)."""

import numpy as np

from course_utils import exercises
from course_utils.atoms import descriptors


def right_coulomb(z, r):
    return descriptors.coulomb_matrix(np.asarray(z)[None], np.asarray(r)[None], kind="matrix")[0]


def test_coulomb_matrix_check():
    check = exercises.check_nb08_coulomb_matrix
    right = check(right_coulomb)
    assert right, right.message
    assert not check(...) and "placeholder" in check(lambda z, r: None).message
    in_angstrom = check(lambda z, r: right_coulomb(z, np.asarray(r) / 0.529177210903))
    assert not in_angstrom and "Angstrom" in in_angstrom.message

    def no_half(z, r):
        c = right_coulomb(z, r)
        np.fill_diagonal(c, np.asarray(z, float) ** 2.4)
        return c

    assert "factor 1/2" in check(no_half).message
    assert "4 x 4" in check(lambda z, r: np.zeros(3)).message
    assert not check("matrix")


def test_broaden_check():
    check = exercises.check_nb08_broaden

    def right(levels, grid, sigma):
        return np.exp(-0.5 * ((grid[:, None] - levels[None]) / sigma) ** 2).sum(1) / (sigma * np.sqrt(2 * np.pi))

    assert check(right), check(right).message
    assert "area 1" in check(lambda l, g, s: right(l, g, s) * s * np.sqrt(2 * np.pi)).message
    assert "standard deviation" in check(lambda l, g, s: right(l, g, 2 * s)).message
    assert "binding energies" in check(lambda l, g, s: right(-l, g, s)).message
    assert "one value per grid point" in check(lambda l, g, s: np.zeros(3)).message
    assert not check(lambda l, g, s: None)


def test_enrichment_check():
    check = exercises.check_nb08_enrichment

    def right(is_hit, picks):
        return is_hit[picks].mean(), is_hit[picks].mean() / is_hit.mean()

    assert check(right), check(right).message
    assert "fraction of the picks" in check(lambda h, p: (h[p].sum(), 1.0)).message
    assert "upside down" in check(lambda h, p: (h[p].mean(), h.mean() / h[p].mean())).message
    assert "pair" in check(lambda h, p: 3.0).message
    assert not check(lambda h, p: None)
