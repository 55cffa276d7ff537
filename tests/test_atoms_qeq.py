"""Charge equilibration (course_utils.atoms.qeq): constraint, symmetry, the far-apart-fragment fault, and every
derivative of the one energy (dipole, polarizability, forces) against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.atoms import qeq

K = qeq.COULOMB_CONSTANT
# water-like and methane-like test molecules (Angstrom); parameters loosely like fitted ones (eV/e, eV/e^2)
WATER = np.array([[0.0, 0.0, 0.117], [0.0, 0.757, -0.469], [0.0, -0.757, -0.469]])
WATER_Z = np.array([8, 1, 1])
CHI = {1: 0.0, 6: 2.0, 7: 3.5, 8: 5.0}
J = {1: 2.0, 6: 1.0, 7: 1.5, 8: 2.5}


def params(numbers):
    numbers = np.asarray(numbers)
    return (np.array([CHI[z] for z in numbers]), np.array([J[z] for z in numbers]), qeq.covalent_widths(numbers))


def methane():
    d = 1.09 / np.sqrt(3.0)
    pos = np.array([[0, 0, 0], [d, d, d], [-d, -d, d], [-d, d, -d], [d, -d, -d]], dtype=float)
    return np.array([6, 1, 1, 1, 1]), pos


def random_molecule(seed, n=6):
    rng = np.random.default_rng(seed)
    numbers = rng.choice([1, 6, 7, 8], size=n)
    positions = rng.normal(scale=1.2, size=(n, 3))
    return numbers, positions


def test_coulomb_constant_and_hardness_matrix_limits():
    assert K == pytest.approx(14.399645, rel=1e-6)
    widths = np.array([0.7, 0.4])
    far = qeq.hardness_matrix([[0, 0, 0], [0, 0, 50.0]], [1.0, 2.0], widths)
    assert far[0, 1] == pytest.approx(K / 50.0, rel=1e-12)  # point charges far apart
    assert far[0, 0] == pytest.approx(1.0 + K / (0.7 * np.sqrt(np.pi)))
    # two equal Gaussians brought together: the off-diagonal term tends to the diagonal self-term
    near = qeq.hardness_matrix([[0, 0, 0], [0, 0, 1e-6]], [0.0, 0.0], [0.7, 0.7])
    assert near[0, 1] == pytest.approx(near[0, 0], rel=1e-9)
    assert np.allclose(far, far.T)


def test_total_charge_is_conserved_and_electronegativity_equalises():
    numbers, positions = random_molecule(1)
    chi, j, w = params(numbers)
    for total in (0.0, 1.0, -2.0):
        result = qeq.solve(positions, chi, j, w, total_charge=total)
        assert result.charges.sum() == pytest.approx(total, abs=1e-12)
        # dE/dq_i = chi_i + (A q)_i is the same on every atom: the chemical potential
        a = qeq.hardness_matrix(positions, j, w)
        np.testing.assert_allclose(chi + a @ result.charges, result.chemical_potential, atol=1e-10)
        assert result.energy == pytest.approx(qeq.energy(result.charges, positions, chi, j, w))


def test_solution_is_the_constrained_minimum():
    numbers, positions = random_molecule(2)
    chi, j, w = params(numbers)
    result = qeq.solve(positions, chi, j, w, field=[0.1, -0.2, 0.05])
    rng = np.random.default_rng(0)
    for _ in range(20):
        step = rng.normal(size=len(numbers))
        step -= step.mean()  # stay on sum q = Q
        assert qeq.energy(result.charges + 0.01 * step, positions, chi, j, w, field=[0.1, -0.2, 0.05]) > \
            result.energy


def test_symmetric_molecules_give_symmetric_charges():
    chi, j, w = params(WATER_Z)
    q = qeq.solve(WATER, chi, j, w).charges
    assert q[1] == pytest.approx(q[2], abs=1e-12) and q[0] < 0 < q[1]
    numbers, positions = methane()
    chi, j, w = params(numbers)
    q = qeq.solve(positions, chi, j, w).charges
    np.testing.assert_allclose(q[1:], q[1], atol=1e-12)
    assert q[0] == pytest.approx(-4 * q[1])
    # permuting the atoms permutes the charges; rotating the molecule changes nothing
    numbers, positions = random_molecule(3)
    chi, j, w = params(numbers)
    q = qeq.solve(positions, chi, j, w).charges
    order = np.random.default_rng(1).permutation(len(numbers))
    np.testing.assert_allclose(qeq.solve(positions[order], chi[order], j[order], w[order]).charges, q[order],
                               atol=1e-12)
    angle = 0.7
    rot = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
    np.testing.assert_allclose(qeq.solve(positions @ rot.T, chi, j, w).charges, q, atol=1e-12)


def test_far_apart_fragments_exchange_fractional_charge():
    # QEq's known fault: two neutral water molecules with different electronegativities, 1000 Angstrom apart, still
    # exchange charge. The limit is (chi_B - chi_A)/(sum of the fragments' effective hardnesses), not zero.
    chi, j, w = params(WATER_Z)
    shift = np.array([0.0, 0.0, 1000.0])
    positions = np.vstack([WATER, WATER + shift])
    chi2 = np.concatenate([chi, chi + 1.0])  # fragment B more electronegative by 1 eV/e on every atom
    q = qeq.solve(positions, chi2, np.tile(j, 2), np.tile(w, 2)).charges
    transfer = q[3:].sum()
    # fragment hardness: the charge a fragment takes up per eV/e of chemical potential is 1^T A^-1 1
    a1 = qeq.hardness_matrix(WATER, j, w)
    s = np.ones(3) @ np.linalg.solve(a1, np.ones(3))
    # E(delta) = delta * 1 eV/e + 2 * delta^2 / (2 s) - k_e delta^2 / R for charges -delta, +delta on A, B
    expected = -1.0 / (2.0 / s - 2.0 * K / 1000.0)
    assert transfer == pytest.approx(expected, rel=1e-4)
    assert abs(transfer) > 0.01  # a physically wrong, fractional, long-range charge transfer
    # identical fragments related by inversion exchange nothing, by symmetry (merely translated, each one's dipole
    # shifts the other's potential and a charge of order k_e mu / R^2 / hardness, ~1e-7 e here, moves)
    inverted = np.vstack([WATER, -WATER + shift])
    q_same = qeq.solve(inverted, np.tile(chi, 2), np.tile(j, 2), np.tile(w, 2)).charges
    assert abs(q_same[3:].sum()) < 1e-12


def test_dipole_against_an_independent_evaluation():
    numbers, positions = random_molecule(4)
    chi, j, w = params(numbers)
    result = qeq.solve(positions, chi, j, w)
    assert np.allclose(result.dipole, sum(q * r for q, r in zip(result.charges, positions, strict=True)))
    assert np.allclose(qeq.dipole(result.charges, positions), result.dipole)
    # a neutral molecule's dipole does not depend on the origin
    moved = qeq.solve(positions + [3.0, -1.0, 2.0], chi, j, w)
    np.testing.assert_allclose(moved.dipole, result.dipole, atol=1e-10)
    # the dipole is minus the field derivative of the minimum energy (central differences, O(F^2) exact: E is
    # quadratic in F)
    h = 1e-3
    derivative = np.zeros(3)
    for a in range(3):
        f = np.zeros(3)
        f[a] = h
        derivative[a] = -(qeq.solve(positions, chi, j, w, field=f).energy
                          - qeq.solve(positions, chi, j, w, field=-f).energy) / (2 * h)
    np.testing.assert_allclose(derivative, result.dipole, atol=1e-7)


def test_polarizability_against_finite_differences_of_the_dipole():
    numbers, positions = random_molecule(5, n=8)
    chi, j, w = params(numbers)
    alpha = qeq.polarizability(positions, j, w)
    h = 1e-2  # the dipole is exactly linear in the field, so any step works
    fd = np.zeros((3, 3))
    for b in range(3):
        f = np.zeros(3)
        f[b] = h
        fd[:, b] = (qeq.solve(positions, chi, j, w, field=f).dipole
                    - qeq.solve(positions, chi, j, w, field=-f).dipole) / (2 * h)
    np.testing.assert_allclose(alpha, fd, atol=1e-10)
    np.testing.assert_allclose(alpha, alpha.T, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(alpha) > 0)
    # independent of chi and of the origin
    np.testing.assert_allclose(qeq.polarizability(positions + 5.0, j, w), alpha, atol=1e-10)
    # harder atoms polarise less
    assert np.trace(qeq.polarizability(positions, j + 5.0, w)) < np.trace(alpha)


def test_charge_response_properties():
    numbers, positions = random_molecule(6)
    chi, j, w = params(numbers)
    p = qeq.charge_response(positions, j, w)
    np.testing.assert_allclose(p, p.T, atol=1e-12)
    np.testing.assert_allclose(p @ np.ones(len(numbers)), 0.0, atol=1e-12)
    np.testing.assert_allclose(-p @ chi, qeq.solve(positions, chi, j, w).charges, atol=1e-12)


def _fd_forces(function, positions, h=1e-5):
    out = np.zeros_like(positions)
    for k in range(len(positions)):
        for a in range(3):
            plus, minus = positions.copy(), positions.copy()
            plus[k, a] += h
            minus[k, a] -= h
            out[k, a] = -(function(plus) - function(minus)) / (2 * h)
    return out


def test_forces_with_fixed_electronegativities_against_finite_differences():
    numbers, positions = random_molecule(7)
    chi, j, w = params(numbers)
    field = np.array([0.05, 0.0, -0.1])
    result, forces = qeq.energy_and_forces(positions, chi, np.zeros((len(numbers),) * 2 + (3,)), j, w,
                                           total_charge=1.0, field=field)
    fd = _fd_forces(lambda x: qeq.solve(x, chi, j, w, total_charge=1.0, field=field).energy, positions)
    np.testing.assert_allclose(forces, fd, atol=1e-6)
    assert result.charges.sum() == pytest.approx(1.0)
    neutral, f0 = qeq.energy_and_forces(positions, chi, np.zeros((len(numbers),) * 2 + (3,)), j, w)
    np.testing.assert_allclose(f0.sum(axis=0), 0.0, atol=1e-10)  # no field, no net force


def test_forces_with_environment_dependent_electronegativities():
    # chi_i = chi0_i + c * sum_j exp(-r_ij^2): a toy environment dependence with a known gradient
    numbers, positions = random_molecule(8)
    chi0, j, w = params(numbers)
    c = 0.8

    def chi_of(x):
        d2 = np.sum((x[:, None] - x[None]) ** 2, axis=-1)
        return chi0 + c * (np.exp(-d2).sum(axis=1) - 1.0)

    diff = positions[:, None] - positions[None]
    g = np.exp(-np.sum(diff**2, axis=-1))
    gradient = np.zeros((len(numbers), len(numbers), 3))
    for i in range(len(numbers)):
        for k in range(len(numbers)):
            if k != i:
                gradient[i, k] = 2 * c * g[i, k] * diff[i, k]  # d/dR_k exp(-|R_i-R_k|^2)
                gradient[i, i] -= 2 * c * g[i, k] * diff[i, k]
    _, forces = qeq.energy_and_forces(positions, chi_of(positions), gradient, j, w)
    fd = _fd_forces(lambda x: qeq.solve(x, chi_of(x), j, w).energy, positions)
    np.testing.assert_allclose(forces, fd, atol=1e-6)


def test_argument_checks():
    chi, j, w = params(WATER_Z)
    with pytest.raises(ValueError, match="positions must have shape"):
        qeq.solve(WATER[:, :2], chi, j, w)
    with pytest.raises(ValueError, match="one value per atom"):
        qeq.solve(WATER, chi[:2], j, w)
    with pytest.raises(ValueError, match="widths must be positive"):
        qeq.solve(WATER, chi, j, -w)
    with pytest.raises(ValueError, match=r"field must have shape \(3\)"):
        qeq.solve(WATER, chi, j, w, field=[1.0, 0.0])
    with pytest.raises(TypeError, match="total_charge must be a real number"):
        qeq.solve(WATER, chi, j, w, total_charge="0")
    with pytest.raises(ValueError, match="no minimum"):
        qeq.solve(WATER, chi, j - 100.0, w)
    with pytest.raises(ValueError, match="contains NaN"):
        qeq.polarizability(WATER, [np.nan, 0, 0], w)
    with pytest.raises(ValueError, match=r"electronegativity_gradient must have shape \(3, 3, 3\)"):
        qeq.energy_and_forces(WATER, chi, np.zeros((3, 3)), j, w)
    with pytest.raises(TypeError, match="atomic numbers"):
        qeq.covalent_widths([1.0, 8.0])
    with pytest.raises(ValueError, match="atomic numbers must lie"):
        qeq.covalent_widths([0, 8])
    with pytest.raises(ValueError, match="scale must be greater than 0"):
        qeq.covalent_widths([1, 8], scale=0.0)
    with pytest.raises(ValueError, match="one value per atom"):
        qeq.dipole([0.1, -0.1], WATER)
    with pytest.raises(ValueError, match="one value per atom"):
        qeq.energy([0.0, 0.0, 0.0], WATER, chi, j[:1], w)
