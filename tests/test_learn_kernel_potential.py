"""course_utils.learn.kernel_potential: SOAP rows, forces as derivatives of the energy, fitting, uncertainty."""

import numpy as np
import pytest
from ase.build import bulk
from ase.calculators.emt import EMT

from course_utils.learn import kernel_potential as kp


def _frames(n, rattle=0.08, a=3.59, seed=0):
    frames, energies, forces = [], [], []
    for k in range(n):
        atoms = bulk("Cu", "fcc", a=a, cubic=True)
        atoms.rattle(rattle, seed=seed + k)
        atoms.calc = EMT()
        frames.append(atoms)
        energies.append(atoms.get_potential_energy())
        forces.append(atoms.get_forces())
    return frames, energies, forces


@pytest.fixture(scope="module")
def model():
    frames, energies, forces = _frames(6)
    return kp.SoapGPR(n_sparse=16).fit(frames, energies, forces)


def test_forces_are_minus_the_gradient_of_the_energy(model):
    atoms = _frames(1, seed=50)[0][0]
    _, forces = model.predict(atoms)
    h = 1e-4
    for atom, axis in ((0, 0), (2, 1)):
        plus, minus = atoms.copy(), atoms.copy()
        plus.positions[atom, axis] += h
        minus.positions[atom, axis] -= h
        numeric = -(model.predict(plus, forces=False)[0] - model.predict(minus, forces=False)[0]) / (2 * h)
        assert abs(numeric - forces[atom, axis]) < 1e-5


def test_fit_beats_the_mean_and_uncertainty_grows_away_from_the_data(model):
    frames, energies, forces = _frames(3, seed=100)
    errors = [np.sqrt(np.mean((model.predict(a)[1] - f) ** 2)) for a, f in zip(frames, forces, strict=True)]
    assert np.mean(errors) < 0.5 * np.sqrt(np.mean(np.array(forces) ** 2))
    _, _, near = model.predict(frames[0], std=True)
    compressed = _frames(1, a=3.3, seed=7)[0][0]  # 8% compressed: far from every training environment
    _, _, far = model.predict(compressed, std=True)
    assert far > 3 * near


def test_calculator_and_argument_checks(model):
    atoms = _frames(1, seed=9)[0][0]
    atoms.calc = model.calculator()
    assert atoms.get_forces().shape == (4, 3)
    assert np.isfinite(atoms.get_potential_energy())
    with pytest.raises(ValueError, match="not fitted"):
        kp.SoapGPR().predict(atoms)
    with pytest.raises(ValueError, match="same length"):
        kp.SoapGPR().fit([atoms], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least one"):
        kp.SoapGPR().fit([], [])
    with pytest.raises(ValueError, match="n_sparse"):
        kp.SoapGPR(n_sparse=0)
    with pytest.raises(ValueError, match="delta"):
        kp.SoapGPR(delta=0.0)
    with pytest.raises(TypeError, match="SoapGPR"):
        kp.SoapGPRCalculator("model")
    picked = kp.farthest_point_sampling(np.eye(5) + 0.01, 3)
    assert len(set(picked.tolist())) == 3
    with pytest.raises(ValueError, match="m"):
        kp.farthest_point_sampling(np.eye(3), 4)


def test_incremental_fit_equals_fit_and_its_checks():
    frames, energies, forces = _frames(3, seed=20)
    whole = kp.SoapGPR(n_sparse=8).fit(frames, energies, forces)
    step = kp.SoapGPR(n_sparse=8).prepare(frames, energies)
    with pytest.raises(ValueError, match="no structures added"):
        step.solve()
    for atoms, energy, force in zip(frames, energies, forces, strict=True):
        step.add(atoms, energy, force, rows=step.design(atoms))
    np.testing.assert_allclose(step.solve().alpha, whole.alpha, rtol=1e-8)
    with pytest.raises(ValueError, match="forces must have shape"):
        step.add(frames[0], energies[0], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="no sparse environments"):
        kp.SoapGPR().design(frames[0])
    with pytest.raises(ValueError, match="same length"):
        kp.SoapGPR().prepare(frames, energies[:1])
