"""Checks for notebook 08 (deep learning spectroscopy). NumPy only: the references are written out here. Every
check explains in words what is wrong and recognises the typical mistakes."""

from __future__ import annotations

import numpy as np

from ._feedback import checker, is_placeholder

_ANGSTROM_TO_BOHR = 1.0 / 0.529177210903
# formaldehyde near its minimum (Angstrom): C, O, H, H
_Z = np.array([6, 8, 1, 1])
_R = np.array([[0.0, 0.0, -0.53], [0.0, 0.0, 0.68], [0.0, 0.94, -1.12], [0.0, -0.94, -1.12]])


def _reference_coulomb(numbers, positions):
    z = np.asarray(numbers, dtype=float)
    r = np.asarray(positions, dtype=float) * _ANGSTROM_TO_BOHR
    d = np.linalg.norm(r[:, None] - r[None], axis=-1)
    with np.errstate(divide="ignore"):
        c = np.where(np.eye(len(z), dtype=bool), 0.5 * z**2.4, np.outer(z, z) / d)
    return c


def _reference_broaden(levels, grid, sigma):
    levels = np.asarray(levels, dtype=float)
    return np.exp(-0.5 * ((grid[:, None] - levels[None]) / sigma) ** 2).sum(axis=1) / (sigma * np.sqrt(2 * np.pi))


# ----------------------------------------------------------------------------------------------------------------
# Exercise 1: the Coulomb matrix
# ----------------------------------------------------------------------------------------------------------------


@checker("the Coulomb matrix")
def check_nb08_coulomb_matrix(coulomb_matrix):
    """``coulomb_matrix(numbers, positions)`` for one molecule (``numbers`` (N,), ``positions`` (N, 3) Angstrom)
    must return the (N, N) matrix ``Z_i^2.4 / 2`` on the diagonal and ``Z_i Z_j / r_ij`` (r in bohr) elsewhere."""
    if is_placeholder(coulomb_matrix):
        raise NotImplementedError
    if not callable(coulomb_matrix):
        return False, f"coulomb_matrix must be a function of (numbers, positions), got {type(coulomb_matrix).__name__}"
    answer = coulomb_matrix(_Z.copy(), _R.copy())
    if is_placeholder(answer):
        raise NotImplementedError
    answer = np.asarray(answer, dtype=float)
    expected = _reference_coulomb(_Z, _R)
    if answer.shape != expected.shape:
        return False, f"for formaldehyde (4 atoms) the matrix must be 4 x 4, got shape {answer.shape}"
    if np.allclose(answer, expected, rtol=1e-6):
        return True, (f"C_CC = {answer[0, 0]:.2f}, C_CO = {answer[0, 1]:.2f} hartree for formaldehyde; symmetric, "
                      "and its eigenvalues do not change when the atoms are renumbered.")
    off = ~np.eye(4, dtype=bool)
    if np.allclose(answer[~off], expected[~off], rtol=1e-6):
        if np.allclose(answer[off], expected[off] / _ANGSTROM_TO_BOHR, rtol=1e-6):
            return False, ("the off-diagonal entries use distances in Angstrom; Rupp et al. use atomic units: divide "
                           "the distance by 0.529177 Angstrom/bohr first (or multiply 1/r by 0.529177)")
        return False, "the diagonal is right; the off-diagonal entries should be Z_i Z_j / |R_i - R_j|"
    if np.allclose(answer[off], expected[off], rtol=1e-6):
        if np.allclose(np.diag(answer), _Z.astype(float) ** 2.4, rtol=1e-6):
            return False, "the diagonal misses the factor 1/2: C_ii = 0.5 Z_i^2.4"
        return False, "the off-diagonal entries are right; the diagonal must be 0.5 Z_i^2.4 (0.5 for hydrogen)"
    if not np.allclose(answer, answer.T):
        return False, "the matrix is not symmetric: C_ij and C_ji must be the same Z_i Z_j / r_ij"
    return False, f"C_CO (row 0, column 1) is {answer[0, 1]:.4f}, expected {expected[0, 1]:.4f} hartree"


# ----------------------------------------------------------------------------------------------------------------
# Exercise 2: Gaussian broadening
# ----------------------------------------------------------------------------------------------------------------


@checker("Gaussian broadening of levels")
def check_nb08_broaden(broaden):
    """``broaden(levels, grid, sigma)``: the sum over the levels of unit-area Gaussians of standard deviation
    ``sigma`` centred on each level, evaluated on ``grid`` (all in eV; result in 1/eV)."""
    if is_placeholder(broaden):
        raise NotImplementedError
    if not callable(broaden):
        return False, f"broaden must be a function of (levels, grid, sigma), got {type(broaden).__name__}"
    grid = np.arange(6.0, 26.0, 0.1)
    levels = np.array([10.2, 10.9, 14.0, 18.5])
    sigma = 0.3
    answer = broaden(levels.copy(), grid.copy(), sigma)
    if is_placeholder(answer):
        raise NotImplementedError
    answer = np.asarray(answer, dtype=float)
    if answer.shape != grid.shape:
        return False, (f"the spectrum must have one value per grid point, shape {grid.shape}; got {answer.shape} "
                       "(sum over the levels, not over the grid)")
    expected = _reference_broaden(levels, grid, sigma)
    if np.allclose(answer, expected, rtol=1e-6, atol=1e-9):
        return True, (f"the area is {answer.sum() * 0.1:.3f} = 4 levels, and the two levels 0.7 eV apart still make "
                      "two maxima at sigma = 0.3 eV.")
    area = answer.sum() * 0.1
    if np.allclose(answer, expected * sigma * np.sqrt(2 * np.pi), rtol=1e-6):
        return False, ("the shape is right but each Gaussian has height 1 instead of area 1: divide by "
                       "sigma * sqrt(2 pi)")
    fwhm_sigma = sigma / (2 * np.sqrt(2 * np.log(2)))
    if np.allclose(answer, _reference_broaden(levels, grid, fwhm_sigma), rtol=1e-6) or np.allclose(
            answer, _reference_broaden(levels, grid, 2 * sigma), rtol=1e-6):
        return False, "the widths are off: sigma is the standard deviation, exp(-(E - E_k)^2 / (2 sigma^2))"
    if np.allclose(answer, _reference_broaden(-levels, grid, sigma), rtol=1e-6, atol=1e-9):
        return False, ("the spectrum is empty on this grid: the levels are binding energies (positive), use them "
                       "as given")
    return False, (f"the area under your spectrum is {area:.3f} (it should be 4, one per level) and its value at "
                   f"10.2 eV is {answer[42]:.3f}, expected {expected[42]:.3f} per eV")


# ----------------------------------------------------------------------------------------------------------------
# Exercise 3: hit rate and enrichment of a screen
# ----------------------------------------------------------------------------------------------------------------


@checker("hit rate and enrichment of a screen")
def check_nb08_enrichment(enrichment):
    """``enrichment(is_hit, picks)`` returns ``(hit_rate, factor)``: the fraction of the picked molecules that are
    hits, and that fraction divided by the fraction of hits in the whole pool (what random picks give on
    average)."""
    if is_placeholder(enrichment):
        raise NotImplementedError
    if not callable(enrichment):
        return False, f"enrichment must be a function of (is_hit, picks), got {type(enrichment).__name__}"
    rng = np.random.default_rng(8)
    is_hit = rng.random(200) < 0.1
    is_hit[:5] = True
    picks = np.array([0, 1, 2, 3, 4, 50, 60, 70, 80, 90])
    answer = enrichment(is_hit.copy(), picks.copy())
    if is_placeholder(answer):
        raise NotImplementedError
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return False, f"return a pair (hit_rate, factor), got {type(answer).__name__}"
    rate, factor = (float(v) for v in answer)
    expected_rate = float(is_hit[picks].mean())
    base = float(is_hit.mean())
    if np.isclose(rate, expected_rate) and np.isclose(factor, expected_rate / base):
        return True, (f"{int(is_hit[picks].sum())} of 10 picks are hits (rate {rate:.2f}) in a pool with "
                      f"{base:.1%} hits: {factor:.1f} times better than random picks.")
    if np.isclose(rate, is_hit[picks].sum()):
        return False, "the hit rate is a fraction of the picks (hits / picks), not the number of hits"
    if np.isclose(rate, expected_rate) and np.isclose(factor, base / expected_rate):
        return False, "the factor is upside down: hit rate of the picks divided by the hit rate of the whole pool"
    if np.isclose(rate, expected_rate):
        return False, (f"the hit rate is right; the factor should be {expected_rate:.2f} / {base:.3f} (the pool's "
                       f"fraction of hits), got {factor:.3f}")
    return False, f"the hit rate of these picks is {expected_rate:.2f}, got {rate:.3f}"
