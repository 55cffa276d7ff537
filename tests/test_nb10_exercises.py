"""Checks of notebook 10: a right answer passes, the typical wrong answers fail with a message that names the
mistake."""

import numpy as np
from ase import units
from ase.build import bulk

from course_utils.exercises import nb10
from course_utils.learn import splines


def _pair_features(atoms, basis, *, factor=0.5, trim=True):
    i, j, shifts = splines.neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, basis.r2_cut)
    r = np.linalg.norm(atoms.positions[j] + shifts - atoms.positions[i], axis=1)
    idx, val, _ = basis.pair.evaluate(r)
    row = factor * np.bincount(idx.ravel(), val.ravel(), minlength=basis.pair.n_basis)
    return row[: basis.n2] if trim else row


def test_pair_features():
    assert nb10.check_nb10_pair_features(_pair_features)
    twice = nb10.check_nb10_pair_features(lambda a, b: _pair_features(a, b, factor=1.0))
    assert not twice and "twice" in twice.message
    untrimmed = nb10.check_nb10_pair_features(lambda a, b: _pair_features(a, b, trim=False))
    assert not untrimmed and "fixed at zero" in untrimmed.message
    assert not nb10.check_nb10_pair_features(lambda a, b: ...)


def _vacancy(calc, a, *, scaled=True):
    perfect = bulk("Cu", "fcc", a=a, cubic=True).repeat(3)
    perfect.calc = calc
    vacant = perfect.copy()
    del vacant[0]
    vacant.calc = calc
    factor = len(vacant) / len(perfect) if scaled else 1.0
    return vacant.get_potential_energy() - factor * perfect.get_potential_energy()


def test_vacancy_energy():
    assert nb10.check_nb10_vacancy_energy(_vacancy)
    unscaled = nb10.check_nb10_vacancy_energy(lambda c, a: _vacancy(c, a, scaled=False))
    assert not unscaled and "(N-1)/N" in unscaled.message
    flipped = nb10.check_nb10_vacancy_energy(lambda c, a: -_vacancy(c, a))
    assert not flipped and "sign" in flipped.message


def _kappa(lag, acf, volume, temperature, *, power=2, convert=True):
    integral = np.concatenate([[0.0], np.cumsum(0.5 * (acf[1:] + acf[:-1]) * np.diff(lag))])
    kappa = integral / (volume * units.kB * temperature ** power)
    return kappa * units._e / 1e-25 if convert else kappa


def test_green_kubo():
    assert nb10.check_nb10_green_kubo(_kappa)
    linear = nb10.check_nb10_green_kubo(lambda *a: _kappa(*a, power=1))
    assert not linear and "T squared" in linear.message
    raw = nb10.check_nb10_green_kubo(lambda *a: _kappa(*a, convert=False))
    assert not raw and "units" in raw.message
