"""KerasCalculator: a Keras model behind ASE's Calculator API, checked on an analytic harmonic-bond model
(energies and forces against closed forms, a relaxation to the bond length, energy conservation in NVE)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from ase import Atoms, units

from course_utils.atoms.calculators import KerasCalculator, keras_model

K_BOND = 10.0  # eV / Angstrom^2
R0 = 1.3  # Angstrom


def harmonic_model(k=K_BOND, r0=R0, dtype="float64"):
    """E = k/2 sum_{i<j} (r_ij - r0)^2 over all pairs, written with Keras ops (a 'trained' model we can solve)."""
    import keras
    from keras import ops

    class HarmonicPairs(keras.layers.Layer):
        def call(self, inputs):
            _, positions = inputs
            diff = positions[:, :, None, :] - positions[:, None, :, :]
            n = ops.shape(positions)[1]
            eye = ops.eye(n, dtype=positions.dtype)
            r = ops.sqrt(ops.sum(diff**2, axis=-1) + eye)  # + eye: no sqrt(0) on the diagonal (masked anyway)
            upper = ops.triu(ops.ones((n, n), dtype=positions.dtype), k=1)
            return 0.5 * k * ops.sum(upper * (r - r0) ** 2, axis=(1, 2))

    numbers = keras.Input(shape=(None,), dtype="int32")
    positions = keras.Input(shape=(None, 3), dtype=dtype)
    return keras.Model([numbers, positions], HarmonicPairs(dtype=dtype)([numbers, positions]))


def analytic(positions, k=K_BOND, r0=R0):
    n = len(positions)
    energy, forces = 0.0, np.zeros_like(positions)
    for i in range(n):
        for j in range(i + 1, n):
            d = positions[i] - positions[j]
            r = np.linalg.norm(d)
            energy += 0.5 * k * (r - r0) ** 2
            f = -k * (r - r0) * d / r
            forces[i] += f
            forces[j] -= f
    return energy, forces


@pytest.fixture(scope="module")
def model():
    return harmonic_model()


def test_tensorflow_is_not_imported_with_the_module():
    code = "import sys, course_utils.atoms.calculators; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_energy_and_forces_match_the_analytic_model(model):
    rng = np.random.default_rng(0)
    atoms = Atoms("CCON", positions=rng.normal(scale=1.0, size=(4, 3)))
    atoms.calc = KerasCalculator(model, dtype="float64")
    energy, forces = analytic(atoms.positions)
    assert atoms.get_potential_energy() == pytest.approx(energy, rel=1e-12)
    np.testing.assert_allclose(atoms.get_forces(), forces, rtol=1e-10, atol=1e-10)
    # another size reuses the same traced function
    atoms2 = Atoms("CO", positions=[[0, 0, 0], [0, 0, 1.0]])
    atoms2.calc = keras_model(model, dtype="float64")
    assert atoms2.get_potential_energy() == pytest.approx(0.5 * K_BOND * 0.3**2, rel=1e-12)
    np.testing.assert_allclose(atoms2.get_forces()[1], [0, 0, K_BOND * 0.3], rtol=1e-12)


def test_unit_scales(model):
    atoms = Atoms("CO", positions=[[0, 0, 0], [0, 0, 2.0]])
    atoms.calc = KerasCalculator(model, dtype="float64", energy_scale=2.0, length_scale=0.5)
    # model sees r = 4 (its length unit), energy doubled; forces transform as energy / length
    assert atoms.get_potential_energy() == pytest.approx(2.0 * 0.5 * K_BOND * (4.0 - R0) ** 2)
    np.testing.assert_allclose(atoms.get_forces()[1, 2], -2.0 * K_BOND * (4.0 - R0) / 0.5, rtol=1e-12)


def test_ase_optimiser_finds_the_bond_length(model):
    from ase.optimize import BFGS

    atoms = Atoms("CO", positions=[[0, 0, 0], [0.1, 0.2, 1.0]])
    atoms.calc = KerasCalculator(model, dtype="float64")
    assert BFGS(atoms, logfile=None).run(fmax=1e-6, steps=100)
    assert atoms.get_distance(0, 1) == pytest.approx(R0, abs=1e-7)


def test_nve_run_conserves_energy(model):
    from ase.md.velocitydistribution import Stationary, ZeroRotation, thermalize_momenta
    from ase.md.verlet import VelocityVerlet

    # a bent triatomic (period of the fastest mode ~30 fs), 0.5 fs steps for 1 ps
    atoms = Atoms("CCO", positions=[[0, 0, 0], [1.35, 0, 0], [0.6, 1.1, 0.1]])
    atoms.calc = KerasCalculator(model, dtype="float64")
    thermalize_momenta(atoms, 600, rng=np.random.default_rng(1))
    Stationary(atoms)
    ZeroRotation(atoms)
    dyn = VelocityVerlet(atoms, timestep=0.5 * units.fs, logfile=None)
    potential, kinetic = [], []
    for _ in range(200):
        dyn.run(10)
        potential.append(atoms.get_potential_energy())
        kinetic.append(atoms.get_kinetic_energy())
    potential, kinetic = np.array(potential), np.array(kinetic)
    total = potential + kinetic
    assert np.ptp(potential) > 0.02  # it really vibrates (eV)
    assert np.ptp(total) < 2e-3 * np.ptp(potential)  # velocity Verlet: bounded O(dt^2) error, no drift
    assert abs(total[-20:].mean() - total[:20].mean()) < 1e-4


def test_bad_arguments(model):
    with pytest.raises(TypeError, match="model must be a Keras model"):
        KerasCalculator("not a model")
    with pytest.raises(ValueError, match="dtype must be one of"):
        KerasCalculator(model, dtype="float16")
    with pytest.raises(ValueError, match="length_scale must be greater than 0"):
        KerasCalculator(model, length_scale=0.0)
    atoms = Atoms("CO", positions=[[0, 0, 0], [0, 0, 1.0]], cell=[5, 5, 5], pbc=True)
    atoms.calc = KerasCalculator(model, dtype="float64")
    with pytest.raises(ValueError, match="molecules only"):
        atoms.get_potential_energy()
