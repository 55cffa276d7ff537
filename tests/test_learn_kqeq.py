"""Kernel QEq, fixed QEq and the kernel-charge baseline (course_utils.learn.kqeq): SOAP features and their
gradients, the closed-form fits, agreement of the batched and per-molecule code paths, d chi/dR and the forces
against finite differences. Small sets of molecules from molecules_small: a few seconds in all."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import data
from course_utils.atoms import qeq
from course_utils.learn import kqeq

SMALL_SPARSE = {1: 30, 6: 30, 7: 15, 8: 15}


@pytest.fixture(scope="module")
def molecules():
    arrays = data.load("molecules_small")
    rows = np.flatnonzero(arrays["ok"] & (arrays["split"] == "main"))[:60]
    return kqeq.MoleculeSet.from_arrays(arrays, rows), arrays["dipole"][rows].astype(float)


@pytest.fixture(scope="module")
def fitted(molecules):
    mols, dipoles = molecules
    return kqeq.KernelQEq(n_sparse=SMALL_SPARSE, regularization=1e-3, hardness=2.0).fit(mols, dipoles)


def _rotation(angle=0.9):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]) @ np.array([[1, 0, 0], [0, c, -s], [0, s, c]])


def test_soap_features_are_invariant_and_equivariant(molecules):
    mols, _ = molecules
    atoms = mols.atoms(3)
    x = kqeq.soap_features(atoms)
    assert x.dtype == np.float32 and x.shape == (len(atoms), 10 * 64)
    moved = atoms.copy()
    moved.positions = atoms.positions @ _rotation().T + [1.0, -2.0, 0.5]
    np.testing.assert_allclose(kqeq.soap_features(moved), x, atol=1e-5 * np.abs(x).max())
    order = np.random.default_rng(0).permutation(len(atoms))
    np.testing.assert_allclose(kqeq.soap_features(atoms[order]), x[order], atol=1e-6 * np.abs(x).max())
    # list input: the molecules' rows in order
    both = kqeq.soap_features([atoms, mols.atoms(4)])
    np.testing.assert_allclose(both[: len(atoms)], x)
    # computed in chunks of molecules: the same rows
    several = [mols.atoms(k) for k in range(5)]
    np.testing.assert_array_equal(kqeq.soap_features(several, chunk=2), kqeq.soap_features(several))


def test_soap_gradients_against_finite_differences(molecules):
    mols, _ = molecules
    atoms = mols.atoms(5)
    x, dx = kqeq.soap_features_and_gradients(atoms)
    assert dx.shape == (len(atoms), len(atoms), 3, x.shape[1])
    h = 1e-4
    for k, a in [(0, 0), (1, 2), (len(atoms) - 1, 1)]:
        plus, minus = atoms.copy(), atoms.copy()
        plus.positions[k, a] += h
        minus.positions[k, a] -= h
        fd = (kqeq.soap_features_and_gradients(plus)[0] - kqeq.soap_features_and_gradients(minus)[0]) / (2 * h)
        np.testing.assert_allclose(dx[:, k, a], fd, atol=1e-5 * np.abs(dx).max() + 1e-9)


def test_farthest_point_selection_is_seeded_and_spread():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 8))
    a = kqeq.farthest_point_indices(x, 20, seed=1)
    assert len(set(a.tolist())) == 20
    np.testing.assert_array_equal(a, kqeq.farthest_point_indices(x, 20, seed=1))
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    chosen_min = np.min(2 - 2 * (xn[a] @ xn[a].T) + 9 * np.eye(20))
    random_min = np.min(2 - 2 * (xn[:20] @ xn[:20].T) + 9 * np.eye(20))
    assert chosen_min > random_min  # farther apart than a random pick


def test_fixed_qeq_recovers_the_parameters_that_made_the_dipoles(molecules):
    mols, _ = molecules
    chi = {1: 0.0, 6: 2.5, 7: 5.0, 8: 6.0}
    hardness = {1: 1.0, 6: 2.0, 7: 3.0, 8: 4.0}
    dipoles = []
    for z, r in zip(mols.numbers, mols.positions, strict=True):
        dipoles.append(qeq.solve(r, [chi[i] for i in z], [hardness[i] for i in z], qeq.covalent_widths(z)).dipole)
    model = kqeq.FixedQEq().fit(mols, np.array(dipoles))
    np.testing.assert_allclose(model.electronegativity_, [chi[z] for z in kqeq.SPECIES], atol=1e-3)
    np.testing.assert_allclose(model.hardness_, [hardness[z] for z in kqeq.SPECIES], atol=1e-3)
    np.testing.assert_allclose(model.predict(mols), dipoles, atol=1e-6)
    q = model.charges(mols)
    np.testing.assert_allclose(q[0] @ mols.positions[0], dipoles[0], atol=1e-6)


def test_kernel_qeq_fit_is_the_least_squares_minimum(molecules, fitted):
    mols, dipoles = molecules
    model = fitted
    x = model._design_matrix(mols, model._responses(mols))
    reg = model._regulariser()

    def loss(theta):
        return np.sum((x @ theta - dipoles.ravel()) ** 2) + theta @ reg @ theta

    base = loss(model.coef_)
    rng = np.random.default_rng(0)
    for _ in range(5):
        assert loss(model.coef_ + 1e-3 * rng.normal(size=model.coef_.shape)) > base
    # the design matrix reproduces predict(), and predict() the dipoles of the per-molecule QEq solutions
    # (the kernel is evaluated in float32; BLAS rounds it differently with one or two threads: ~1e-5 e*Angstrom)
    np.testing.assert_allclose((x @ model.coef_).reshape(-1, 3), model.predict(mols), atol=1e-4)
    charges = model.charges(mols)
    direct = np.array([q @ r for q, r in zip(charges, mols.positions, strict=True)])
    np.testing.assert_allclose(model.predict(mols), direct, atol=1e-8)
    assert all(abs(q.sum()) < 1e-10 for q in charges)
    assert model.n_train_ == len(mols) and model.n_kernel_ == sum(SMALL_SPARSE.values())


def test_kernel_charges_baseline(molecules):
    mols, dipoles = molecules
    model = kqeq.KernelCharges(n_sparse=SMALL_SPARSE).fit(mols, dipoles)
    charges = model.charges(mols)
    assert all(abs(q.sum()) < 1e-10 for q in charges)
    direct = np.array([q @ r for q, r in zip(charges, mols.positions, strict=True)])
    np.testing.assert_allclose(model.predict(mols), direct, atol=1e-8)
    # a better fit than a dipole of zero on its training molecules
    assert np.mean(kqeq.dipole_errors(model.predict(mols), dipoles)) < 0.5 * np.mean(np.linalg.norm(dipoles, axis=1))


def test_electronegativity_gradient_and_forces_against_finite_differences(molecules, fitted):
    mols, _ = molecules
    atoms = mols.atoms(7)
    chi, grad = fitted.electronegativity_and_gradient(atoms)
    single = kqeq.MoleculeSet([atoms.numbers], [atoms.positions])
    np.testing.assert_allclose(chi, fitted.electronegativity(single), atol=1e-4)  # float32 features there
    result, forces = fitted.energy_and_forces(atoms)
    h = 1e-4
    for k, a in [(0, 0), (2, 1), (len(atoms) - 1, 2)]:
        values, energies = [], []
        for sign in (1, -1):
            moved = atoms.copy()
            moved.positions[k, a] += sign * h
            c, _ = fitted.electronegativity_and_gradient(moved)
            values.append(c)
            hardness, widths = fitted.parameters_of(moved.numbers)
            energies.append(qeq.solve(moved.positions, c, hardness, widths).energy)
        np.testing.assert_allclose(grad[:, k, a], (values[0] - values[1]) / (2 * h), atol=1e-6)
        assert forces[k, a] == pytest.approx(-(energies[0] - energies[1]) / (2 * h), abs=1e-6)
    np.testing.assert_allclose(forces.sum(axis=0), 0.0, atol=1e-8)  # translation invariance
    assert result.charges.sum() == pytest.approx(0.0, abs=1e-10)


def test_polarizability_is_the_qeq_one(molecules, fitted):
    mols, _ = molecules
    z, r = mols.numbers[2], mols.positions[2]
    hardness, widths = fitted.parameters_of(z)
    np.testing.assert_allclose(hardness, 2.0)
    np.testing.assert_allclose(fitted.polarizability(z, r), qeq.polarizability(r, hardness, widths))


def test_argument_checks(molecules, fitted):
    mols, dipoles = molecules
    with pytest.raises(RuntimeError, match="not fitted"):
        kqeq.KernelQEq().predict(mols)
    with pytest.raises(ValueError, match=r"dipoles must have shape \(60, 3\)"):
        kqeq.KernelQEq(n_sparse=SMALL_SPARSE).fit(mols, dipoles[:10])
    with pytest.raises(TypeError, match="must be a MoleculeSet"):
        kqeq.KernelQEq(n_sparse=SMALL_SPARSE).fit(list(mols.positions), dipoles)
    with pytest.raises(TypeError, match="must be a MoleculeSet"):
        fitted.electronegativity(mols.positions)
    with pytest.raises(ValueError, match="regularization must be greater than 0"):
        kqeq.KernelQEq(regularization=0.0)
    with pytest.raises(ValueError, match=r"n_sparse\[1\] must be at least 1"):
        kqeq.KernelQEq(n_sparse={1: 0})
    with pytest.raises(ValueError, match="hardness has no value for elements"):
        kqeq.KernelQEq(n_sparse=SMALL_SPARSE, hardness={1: 1.0}).fit(mols, dipoles)
    with pytest.raises(ValueError, match="equal length"):
        kqeq.MoleculeSet([np.array([1, 1])], [])
    with pytest.raises(ValueError, match="do not fit"):
        kqeq.MoleculeSet([np.array([1, 1])], [np.zeros((3, 3))], features=np.zeros((2, 4)))
    with pytest.raises(ValueError, match="features has 3 rows for 2 atoms"):
        kqeq.MoleculeSet([np.array([1, 1])], [np.zeros((2, 3))], features=np.zeros((3, 4)))
    from ase import Atoms

    with pytest.raises(ValueError, match=r"elements \[9\] are not among"):
        kqeq.soap_features(Atoms("HF", positions=[[0, 0, 0], [0, 0, 0.9]]))
    with pytest.raises(TypeError, match="ase.Atoms"):
        kqeq.soap_features([np.zeros((2, 3))])
    with pytest.raises(ValueError, match="chunk must be at least 1"):
        kqeq.soap_features(mols.atoms(0), chunk=0)
    with pytest.raises(ValueError, match="count must be at most 5"):
        kqeq.farthest_point_indices(np.ones((5, 3)), 6)
    with pytest.raises(ValueError, match="predicted must be 2-dimensional"):
        kqeq.dipole_errors(np.zeros(3), np.zeros(3))
