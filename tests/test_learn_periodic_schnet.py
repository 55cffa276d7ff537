"""The periodic SchNet of notebook 10: symmetries, periodic images, derivatives, smoothness, the calculator."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

pytest.importorskip("tensorflow")

from course_utils.atoms.calculators import KerasCalculator  # noqa: E402
from course_utils.learn import periodic_schnet as ps  # noqa: E402

A = 3.61


@pytest.fixture(scope="module")
def model():
    import keras

    keras.utils.set_random_seed(3)
    m = ps.PeriodicSchNet(n_features=16, n_interactions=2, n_rbf=12, cutoff=4.0, energy_scale=0.7,
                          atom_references=[0.0] * 29 + [-3.5], dtype="float64")
    m(m.neighbour_inputs(bulk("Cu", "fcc", a=A, cubic=True)))
    return m


def rattled(seed=1, repeat=(2, 2, 2), amplitude=0.1):
    atoms = bulk("Cu", "fcc", a=A, cubic=True).repeat(repeat)
    atoms.rattle(amplitude, seed=seed)
    return atoms


def energy(model, atoms):
    return float(ps.predict(model, model.neighbour_inputs(atoms))[0][0])


def test_translation_rotation_permutation_invariance(model):
    atoms = rattled()
    e0 = energy(model, atoms)
    moved = atoms.copy()
    moved.positions += [0.3, -1.7, 2.2]  # some atoms leave the cell: the same crystal
    assert energy(model, moved) == pytest.approx(e0, abs=1e-10)
    wrapped = moved.copy()
    wrapped.wrap()  # another choice of image for every atom
    assert energy(model, wrapped) == pytest.approx(e0, abs=1e-10)
    rotated = atoms.copy()
    rotated.rotate(37, (1, 2, 3), rotate_cell=True)
    assert energy(model, rotated) == pytest.approx(e0, abs=1e-10)
    order = np.random.default_rng(0).permutation(len(atoms))
    assert energy(model, atoms[order]) == pytest.approx(e0, abs=1e-10)


def test_choice_of_cell_does_not_change_energy_per_atom(model):
    # the same perfect crystal as 1 (4 atoms, smaller than the cutoff), 2x2x2 and 3x1x2 cubic cells, and as the
    # 1-atom primitive cell: the energy per atom is the same
    cubic = bulk("Cu", "fcc", a=A, cubic=True)
    per_atom = [energy(model, cell) / len(cell) for cell in
                (cubic, cubic.repeat(2), cubic.repeat((3, 1, 2)), bulk("Cu", "fcc", a=A))]
    assert np.ptp(per_atom) < 1e-10
    # a rattled cell and its 2x1x1 repetition: twice the energy, the same forces
    atoms = rattled(seed=5, repeat=(1, 1, 1), amplitude=0.15)
    e1, f1, s1 = ps.predict(model, model.neighbour_inputs(atoms))
    e2, f2, s2 = ps.predict(model, model.neighbour_inputs(atoms.repeat((2, 1, 1))))
    assert e2[0] == pytest.approx(2 * e1[0], abs=1e-9)
    np.testing.assert_allclose(f2, np.vstack([f1, f1]), atol=1e-10)
    np.testing.assert_allclose(s2, s1, atol=1e-12)


def test_batch_equals_single_structures(model):
    frames = [rattled(seed=s) for s in range(3)]
    del frames[1][[3, 7]]  # a different number of atoms in the batch
    e, f, s = ps.predict(model, model.neighbour_inputs(frames))
    start = 0
    for k, atoms in enumerate(frames):
        e1, f1, s1 = ps.predict(model, model.neighbour_inputs(atoms))
        assert e[k] == pytest.approx(e1[0], abs=1e-10)
        np.testing.assert_allclose(f[start:start + len(atoms)], f1, atol=1e-12)
        np.testing.assert_allclose(s[k], s1[0], atol=1e-14)
        start += len(atoms)


def test_forces_and_stress_equal_finite_differences(model):
    atoms = rattled(seed=2, amplitude=0.15)
    atoms.set_cell(atoms.cell.array @ (np.eye(3) + [[0.01, 0.004, 0], [0.004, -0.01, 0.003], [0, 0.003, 0.005]]),
                   scale_atoms=True)
    from ase.calculators.fd import calculate_numerical_stress

    atoms.calc = ps.calculator(model)
    forces, stress = atoms.get_forces(), atoms.get_stress()
    h = 1e-5
    for i, c in ((0, 0), (5, 1), (17, 2), (30, 0)):
        plus, minus = atoms.copy(), atoms.copy()
        plus.positions[i, c] += h
        minus.positions[i, c] -= h
        fd = -(energy(model, plus) - energy(model, minus)) / (2 * h)
        assert forces[i, c] == pytest.approx(fd, abs=1e-7)
    numerical = calculate_numerical_stress(atoms, eps=1e-6)
    np.testing.assert_allclose(stress, numerical, atol=1e-8)
    assert np.abs(stress).max() > 1e-4  # a real test: the strained crystal is stressed
    assert np.abs(forces.sum(axis=0)).max() < 1e-10  # Newton's third law


def test_smooth_at_the_cutoff(model):
    # an atom pair in a big box: the energy and its derivative go continuously to the isolated value
    def pair(r):
        atoms = Atoms("Cu2", positions=[[0, 0, 0], [r, 0, 0]], cell=[12, 12, 12], pbc=True)
        atoms.calc = ps.calculator(model)
        return atoms.get_potential_energy(), atoms.get_forces()[1, 0]

    far, _ = pair(5.0)
    e_in, f_in = pair(model.cutoff - 1e-4)
    e_out, f_out = pair(model.cutoff + 1e-4)
    assert e_out == pytest.approx(far, abs=1e-12)
    assert abs(e_in - far) < 1e-8 and abs(f_in) < 1e-5 and f_out == 0.0
    e_mid, _ = pair(0.8 * model.cutoff)
    assert abs(e_mid - far) > 1e-4  # the pair really interacts inside the cutoff


def test_calculator_matches_model_and_units(model):
    atoms = rattled(seed=4)
    e, f, s = ps.predict(model, model.neighbour_inputs(atoms))
    atoms.calc = ps.calculator(model)
    assert atoms.get_potential_energy() == pytest.approx(e[0], abs=1e-10)
    np.testing.assert_allclose(atoms.get_forces(), f, atol=1e-12)
    np.testing.assert_allclose(atoms.get_stress(voigt=False), 0.5 * (s[0] + s[0].T), atol=1e-14)
    scaled = atoms.copy()
    scaled.positions *= 2.0
    scaled.set_cell(atoms.cell.array * 2.0)
    scaled.calc = KerasCalculator(model, dtype="float64", length_scale=2.0, energy_scale=3.0)
    assert scaled.get_potential_energy() == pytest.approx(3.0 * e[0], abs=1e-9)
    np.testing.assert_allclose(scaled.get_forces(), 1.5 * f, atol=1e-10)
    np.testing.assert_allclose(scaled.get_stress(voigt=False), 3.0 / 8.0 * 0.5 * (s[0] + s[0].T), atol=1e-12)


def test_bad_inputs(model):
    with pytest.raises(ValueError, match="periodic in all three"):
        model.neighbour_inputs(Atoms("Cu2", positions=[[0, 0, 0], [2.5, 0, 0]]))
    with pytest.raises(TypeError, match="ase.Atoms"):
        ps.neighbour_inputs("Cu", 5.0)
    with pytest.raises(ValueError, match="cutoff must be greater than 0"):
        ps.neighbour_inputs(bulk("Cu"), 0.0)
    with pytest.raises(TypeError, match="missing"):
        model({"numbers": np.ones(2, np.int32)})
    with pytest.raises(TypeError, match="PeriodicSchNet"):
        ps.predict(object(), {})
    with pytest.raises(ValueError, match="atom_references"):
        ps.PeriodicSchNet(atom_references=[0.0, 1.0])
    with pytest.raises(TypeError, match="triple"):
        ps.fit(model, [bulk("Cu")], None)
    with pytest.raises(ValueError, match="forces"):
        ps.build_model([bulk("Cu")], [0.0], [np.zeros((2, 3))])
    with pytest.raises(ValueError, match="n_test"):
        ps.copper_split(10, n_test=10)


def test_fit_lowers_the_error_and_restores_the_best_weights():
    from ase.calculators.emt import EMT

    frames, energies, forces = [], [], []
    for seed in range(6):
        atoms = rattled(seed=seed, repeat=(1, 1, 2), amplitude=0.1)
        atoms.calc = EMT()
        frames.append(atoms)
        energies.append(atoms.get_potential_energy())
        forces.append(atoms.get_forces())
    train, validation = (frames[:4], energies[:4], forces[:4]), (frames[4:], energies[4:], forces[4:])
    model = ps.build_model(*train, seed=0, n_features=8, n_interactions=1, n_rbf=8, cutoff=4.0)
    before = ps.evaluate(model, *validation)["force_mae"]
    history = ps.fit(model, train, validation, max_epochs=15, batch_size=2, learning_rate=5e-3)
    after = ps.evaluate(model, *validation)["force_mae"]
    assert after < before
    assert after == pytest.approx(history["val_force_mae"][history["best_epoch"] - 1], rel=1e-4)


def test_shipped_model_loads_and_matches_its_record():
    from course_utils import data
    from course_utils.atoms import copper_md

    model, record = ps.load_pretrained()
    arrays = data.load("copper_md")
    test_idx = np.array(record["split"]["test_indices"])
    np.testing.assert_array_equal(test_idx, ps.copper_split(len(arrays["n_atoms"]))[0])
    frames = copper_md.frames(arrays, test_idx)
    forces = [arrays["forces"][k, : arrays["n_atoms"][k]] for k in test_idx]
    result = ps.evaluate(model, frames, arrays["energy"][test_idx], forces)
    assert result["force_rmse"] * 1000 == pytest.approx(record["test"]["force_rmse_mev_per_a"], rel=1e-3)
    assert result["energy_mae"] * 1000 == pytest.approx(record["test"]["energy_mae_mev_per_atom"], rel=1e-3)
    with pytest.raises(ValueError, match="shipped sizes"):
        ps.load_pretrained(3)
