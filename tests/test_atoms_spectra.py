"""Spectra from orbital energies (course_utils.atoms.spectra) and the Coulomb matrix (atoms.descriptors): analytic
cases, invariances and the argument checks. No TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.atoms import descriptors, spectra

# water near its minimum (Angstrom): O, H, H
WATER_Z = np.array([8, 1, 1])
WATER_R = np.array([[0.0, 0.0, 0.117], [0.0, 0.757, -0.467], [0.0, -0.757, -0.467]])


def test_grid_and_the_area_of_a_broadened_level():
    grid = spectra.GRID
    assert len(grid) == 200 and grid[0] == pytest.approx(6.0) and grid[-1] == pytest.approx(25.9)
    s = spectra.broaden(np.array([12.0, 15.0, np.nan]))
    assert s.shape == (200,)
    assert s.sum() * 0.1 == pytest.approx(2.0, rel=1e-6)  # one unit of area per level, padding ignored
    assert grid[np.argmax(s)] == pytest.approx(12.0) or grid[np.argmax(s)] == pytest.approx(15.0)
    single = spectra.broaden(np.array([[12.0]]), sigma=0.3)
    assert single.max() == pytest.approx(1 / (0.3 * np.sqrt(2 * np.pi)), rel=1e-9)
    weighted = spectra.broaden(np.array([12.0, 15.0]), weights=np.array([2.0, 0.0]))
    np.testing.assert_allclose(weighted, 2 * spectra.broaden(np.array([12.0])))
    np.testing.assert_allclose(spectra.energy_grid(0.0, 1.0, 0.25), [0, 0.25, 0.5, 0.75, 1.0])


def test_occupied_levels_and_valence_counts():
    eps = np.array([[-20.0, -15.0, -11.0, -3.0, 2.0], [-18.0, -12.5, 0.0, 0.0, 0.0]])
    occ = np.array([[2.0, 2.0, 1.998, 0.002, 0.0], [2.0, 2.0, 0.0, 0.0, 0.0]])
    levels = spectra.occupied_levels(eps, occ)
    np.testing.assert_allclose(levels[0], [11.0, 15.0, 20.0])
    np.testing.assert_allclose(levels[1, :2], [12.5, 18.0])
    assert np.isnan(levels[1, 2])
    assert spectra.occupied_levels(eps[0], occ[0]).shape == (3,)
    assert spectra.valence_levels(WATER_Z) == 4  # 8 valence electrons of water
    np.testing.assert_array_equal(spectra.valence_levels(np.array([[6, 1, 1, 1, 1], [8, 1, 1, 0, 0]])), [4, 4])


def test_first_peak_and_spectral_errors():
    grid = spectra.GRID
    ref = spectra.broaden(np.array([[11.03, 16.0], [12.0, 14.0]]))
    np.testing.assert_allclose(spectra.first_peak(ref), [11.03, 12.0], atol=0.01)  # parabola beats the 0.1 grid
    shifted = spectra.broaden(np.array([[11.53, 16.0], [12.0, 14.0]]))
    errors = spectra.spectral_errors(shifted, ref)
    np.testing.assert_allclose(errors["first_peak"], [0.5, 0.0], atol=0.01)
    assert errors["rmse"][1] == 0 and errors["relative"][1] == 0
    assert errors["rmse"][0] == pytest.approx(np.sqrt(np.mean((shifted[0] - ref[0]) ** 2)))
    assert spectra.spectral_errors(np.zeros_like(ref), ref)["relative"] == pytest.approx(np.ones(2))
    assert np.isnan(spectra.first_peak(np.zeros(len(grid))))  # no peak above the threshold
    assert spectra.spectral_errors(np.zeros_like(ref), ref)["missing_peaks"] == 2


def test_screen_hit_rates():
    actual = np.arange(100.0)
    result = spectra.screen(actual, actual, (89.5, None), n_picks=5, seed=0)
    assert result["hit_rate"] == 1.0 and result["base_rate"] == pytest.approx(0.10)
    assert result["enrichment"] == pytest.approx(10.0) and result["n_hits_in_pool"] == 10
    assert set(result["picks"]) <= set(range(90, 100))
    reversed_model = spectra.screen(-actual, actual, (89.5, None), n_picks=5)
    assert reversed_model["hit_rate"] == 0.0
    window = spectra.screen(actual, actual, (40.0, 50.0), n_picks=3)
    assert set(window["picks"]) == {44, 45, 46}  # deepest inside the window


def test_coulomb_matrix_forms_and_invariances():
    c = descriptors.coulomb_matrix(WATER_Z[None], WATER_R[None], kind="matrix")[0]
    assert c[0, 0] == pytest.approx(0.5 * 8**2.4) and c[1, 1] == pytest.approx(0.5)
    r_oh = np.linalg.norm(WATER_R[0] - WATER_R[1]) / 0.529177210903
    assert c[0, 1] == pytest.approx(8 / r_oh) and np.allclose(c, c.T)
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    moved = WATER_R @ q.T + 3.0
    order = np.array([2, 0, 1])
    for kind in ("sorted", "eigenvalues"):
        a = descriptors.coulomb_matrix(WATER_Z[None], WATER_R[None], kind=kind, size=5)
        b = descriptors.coulomb_matrix(WATER_Z[order][None], moved[order][None], kind=kind, size=5)
        np.testing.assert_allclose(a, b, atol=1e-9)
    assert descriptors.coulomb_matrix(WATER_Z[None], WATER_R[None], size=5).shape == (1, 15)
    eig = descriptors.coulomb_matrix(WATER_Z[None], WATER_R[None], kind="eigenvalues")[0]
    np.testing.assert_allclose(np.sort(eig), np.linalg.eigvalsh(c), atol=1e-9)
    padded = descriptors.coulomb_matrix(np.array([[8, 1, 1, 0]]), np.vstack([WATER_R, [[9.0, 9.0, 9.0]]])[None],
                                        kind="sorted", size=3)
    np.testing.assert_allclose(padded, descriptors.coulomb_matrix(WATER_Z[None], WATER_R[None]), atol=1e-12)


def test_argument_checks():
    with pytest.raises(ValueError, match="stop must be above start"):
        spectra.energy_grid(5.0, 4.0)
    with pytest.raises(ValueError, match="sigma must be greater than 0"):
        spectra.broaden([10.0], sigma=0.0)
    with pytest.raises(ValueError, match="infinite"):
        spectra.broaden([10.0, np.inf])
    with pytest.raises(ValueError, match="shape"):
        spectra.broaden(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="more than max_levels"):
        spectra.occupied_levels([-10.0, -5.0], [2.0, 2.0], max_levels=1)
    with pytest.raises(ValueError, match="only H, C, N, O"):
        spectra.valence_levels(np.array([9, 1]))
    with pytest.raises(ValueError, match="odd number"):
        spectra.valence_levels(np.array([6, 1, 1, 1]))
    with pytest.raises(ValueError, match="to match the grid"):
        spectra.first_peak(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="zero everywhere"):
        spectra.spectral_errors(np.zeros((1, 200)), np.zeros((1, 200)))
    with pytest.raises(ValueError, match="shape"):
        spectra.spectral_errors(np.zeros((2, 200)), np.ones((1, 200)))
    with pytest.raises(TypeError, match="window must be a pair"):
        spectra.screen([1.0, 2.0], [1.0, 2.0], 3.0, n_picks=1)
    with pytest.raises(ValueError, match="low < high"):
        spectra.screen([1.0, 2.0], [1.0, 2.0], (3.0, 1.0), n_picks=1)
    with pytest.raises(ValueError, match="n_picks must be at most 2"):
        spectra.screen([1.0, 2.0], [1.0, 2.0], (0.0, 1.0), n_picks=3)
    with pytest.raises(ValueError, match="kind must be one of"):
        descriptors.coulomb_matrix(WATER_Z[None], WATER_R[None], kind="bag")
    with pytest.raises(ValueError, match="more than size=2"):
        descriptors.coulomb_matrix(WATER_Z[None], WATER_R[None], size=2)
    with pytest.raises(ValueError, match="same position"):
        descriptors.coulomb_matrix(WATER_Z[None], np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match="integers of shape"):
        descriptors.coulomb_matrix(WATER_Z, WATER_R)
