"""SchNet from its parts (course_utils.learn.schnet): symmetries, smoothness at the cutoff, forces as the exact
negative gradient of the energy, padding, saving and reloading, and the argument checks."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from course_utils.learn import schnet  # noqa: E402

# ethanol (C C O H6), a bent geometry near the xTB minimum (Angstrom); rows 3..8 are hydrogens
ETHANOL_Z = np.array([6, 6, 8, 1, 1, 1, 1, 1, 1])
ETHANOL_R = np.array([[-0.92, -0.25, 0.00], [0.51, 0.27, 0.02], [1.34, -0.87, -0.05], [-1.55, 0.64, 0.05],
                      [-1.12, -0.85, 0.89], [-1.10, -0.88, -0.87], [0.70, 0.91, 0.90], [0.72, 0.92, -0.84],
                      [2.25, -0.55, 0.10]])


@pytest.fixture(scope="module")
def model64():
    return schnet.build_model(n_features=16, n_interactions=2, n_rbf=12, cutoff=4.0, seed=3, dtype="float64",
                              atom_references=[0.0, -0.5, 0, 0, 0, 0, -1.0, 0, -2.0, 0, 0], energy_scale=5.0)


def predict(model, numbers, positions):
    e, f = schnet.predict(model, np.asarray(numbers)[None], np.asarray(positions, dtype=float)[None])
    return float(e[0]), f[0]


def random_rotation(rng):
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


def test_invariance_under_rotation_translation_and_permutation(model64):
    rng = np.random.default_rng(0)
    energy, forces = predict(model64, ETHANOL_Z, ETHANOL_R)
    rotation = random_rotation(rng)
    moved = ETHANOL_R @ rotation.T + np.array([3.0, -7.5, 12.0])
    e2, f2 = predict(model64, ETHANOL_Z, moved)
    assert e2 == pytest.approx(energy, rel=1e-12, abs=1e-9)
    np.testing.assert_allclose(f2, forces @ rotation.T, atol=1e-10)  # forces rotate with the molecule
    order = np.array([0, 1, 2, 5, 3, 4, 8, 6, 7])  # swap hydrogens among themselves
    e3, f3 = predict(model64, ETHANOL_Z[order], ETHANOL_R[order])
    assert e3 == pytest.approx(energy, rel=1e-12, abs=1e-9)
    np.testing.assert_allclose(f3, forces[order], atol=1e-10)
    # swapping unlike atoms (C and O positions) is a different molecule: the energy changes
    swapped = ETHANOL_R.copy()
    swapped[[1, 2]] = swapped[[2, 1]]
    assert abs(predict(model64, ETHANOL_Z, swapped)[0] - energy) > 1e-6


def test_forces_are_minus_the_finite_difference_gradient(model64):
    rng = np.random.default_rng(1)
    positions = ETHANOL_R + rng.normal(scale=0.05, size=ETHANOL_R.shape)
    _, forces = predict(model64, ETHANOL_Z, positions)
    h = 1e-5
    numeric = np.zeros_like(positions)
    for i in range(len(positions)):
        for k in range(3):
            plus, minus = positions.copy(), positions.copy()
            plus[i, k] += h
            minus[i, k] -= h
            numeric[i, k] = -(predict(model64, ETHANOL_Z, plus)[0] - predict(model64, ETHANOL_Z, minus)[0]) / (2 * h)
    assert np.abs(forces).max() > 1e-3  # a non-trivial check
    np.testing.assert_allclose(forces, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(forces.sum(axis=0), 0.0, atol=1e-10)  # translation invariance: no net force


def test_energy_and_its_derivative_are_continuous_at_the_cutoff(model64):
    rc = model64.cutoff

    def energy_force(r):
        e, f = predict(model64, [6, 8], [[0.0, 0.0, 0.0], [0.0, 0.0, r]])
        return e, f[1, 2]

    far, force_far = energy_force(rc + 0.3)
    assert force_far == 0.0
    assert energy_force(rc + 1e-6)[0] == far  # beyond the cutoff the atoms do not see each other
    big = energy_force(rc - 1.0)[0] - far
    assert abs(big) > 1e-4
    # approaching r_c from inside: E - E_far ~ h^2 and dE/dr ~ h (the cosine cutoff has zero slope at r_c)
    e1, f1 = energy_force(rc - 2e-3)
    e2, f2 = energy_force(rc - 1e-3)
    assert abs(e2 - far) < 1e-5 * abs(big)
    assert (e1 - far) / (e2 - far) == pytest.approx(4.0, rel=0.02)
    assert f1 / f2 == pytest.approx(2.0, rel=0.02)


def test_padding_changes_nothing(model64):
    energy, forces = predict(model64, ETHANOL_Z, ETHANOL_R)
    water_z, water_r = np.array([8, 1, 1]), np.array([[0.0, 0, 0], [0.96, 0, 0], [-0.24, 0.93, 0]])
    water_e, water_f = predict(model64, water_z, water_r)
    numbers = np.zeros((2, 11), dtype=np.int32)
    positions = np.zeros((2, 11, 3))
    numbers[0, :9], positions[0, :9] = ETHANOL_Z, ETHANOL_R
    numbers[1, :3], positions[1, :3] = water_z, water_r
    positions[:, 9:] = 0.5  # padding atoms sitting on top of real ones must still change nothing
    e, f = schnet.energy_and_forces(model64, numbers, positions)
    e, f = e.numpy(), f.numpy()
    np.testing.assert_allclose(e, [energy, water_e], rtol=1e-12)
    np.testing.assert_allclose(f[0, :9], forces, atol=1e-10)
    np.testing.assert_allclose(f[1, :3], water_f, atol=1e-10)
    assert np.all(f[0, 9:] == 0) and np.all(f[1, 3:] == 0)
    # an explicit neighbour mask that removes every pair leaves the sum of isolated atoms
    alone = model64({"numbers": ETHANOL_Z[None], "positions": ETHANOL_R[None],
                     "neighbour_mask": np.zeros((1, 9, 9), dtype=bool)})
    per_atom = [float(model64({"numbers": np.array([[z]]), "positions": np.zeros((1, 1, 3))})[0]) for z in ETHANOL_Z]
    assert float(alone[0]) == pytest.approx(sum(per_atom), rel=1e-12)


def test_atom_energies_sum_to_the_energy_and_shapes(model64):
    inputs = {"numbers": ETHANOL_Z[None], "positions": ETHANOL_R[None]}
    atom = np.asarray(model64.atom_energies(inputs))
    assert atom.shape == (1, 9)
    assert atom.sum() == pytest.approx(float(model64(inputs)[0]), rel=1e-12)
    assert float(model64([ETHANOL_Z[None], ETHANOL_R[None]])[0]) == pytest.approx(atom.sum(), rel=1e-12)
    distances, mask = model64.distances(ETHANOL_Z[None], ETHANOL_R[None])
    rbf = model64.rbf(distances)
    assert tuple(rbf.shape) == (1, 9, 9, 12) and tuple(mask.shape) == (1, 9, 9)
    features = model64.embedding(ETHANOL_Z[None])
    assert tuple(features.shape) == (1, 9, 16)
    filters = model64.interactions[0].filter_network(rbf, model64.cutoff_function(distances), mask)
    assert tuple(filters.shape) == (1, 9, 9, 16)
    assert np.all(np.asarray(filters)[0, np.arange(9), np.arange(9)] == 0)  # no self-interaction


def test_output_statistics():
    rng = np.random.default_rng(2)
    numbers = np.zeros((30, 5), dtype=int)
    for row in numbers:
        k = rng.integers(1, 6)
        row[:k] = rng.choice([1, 6, 8], size=k)
    reference = {1: -13.0, 6: -1000.0, 8: -2000.0}
    energies = np.array([sum(reference.get(z, 0.0) for z in row) for row in numbers])
    stats = schnet.output_statistics(numbers, energies)
    for z, value in reference.items():
        assert stats["atom_references"][z] == pytest.approx(value, abs=1e-8)
    assert stats["atom_references"][0] == 0.0 and stats["atom_references"][7] == 0.0
    forces = rng.normal(scale=2.0, size=(30, 5, 3))
    forces[numbers == 0] = 0.0
    scale = schnet.output_statistics(numbers, energies, forces)["energy_scale"]
    assert scale == pytest.approx(np.sqrt(np.mean(forces[numbers > 0] ** 2)))


def test_save_and_load_round_trip(tmp_path, model64):
    inputs = {"numbers": ETHANOL_Z[None], "positions": ETHANOL_R[None]}
    expected = float(model64(inputs)[0])
    model64.save(tmp_path / "schnet.keras")
    again = keras.saving.load_model(tmp_path / "schnet.keras")
    assert isinstance(again, schnet.SchNet) and again.compute_dtype == "float64"
    assert float(again(inputs)[0]) == pytest.approx(expected, rel=1e-12)
    schnet.save_weights(model64, tmp_path / "w.npz")
    fresh = schnet.SchNet(**model64.get_config())
    fresh(inputs)
    schnet.load_weights(fresh, tmp_path / "w.npz")
    assert float(fresh(inputs)[0]) == pytest.approx(expected, rel=1e-12)
    other = schnet.build_model(n_features=8, n_interactions=1, n_rbf=12, cutoff=4.0)
    with pytest.raises(ValueError, match="do not match"):
        schnet.load_weights(other, tmp_path / "w.npz")
    for layer in (schnet.AtomEmbedding(8, 9), schnet.PairDistances(3.0), schnet.GaussianRBF(7, 3.0, 0.2),
                  schnet.CosineCutoff(3.0), schnet.FilterNetwork(5), schnet.ContinuousFilterConvolution(),
                  schnet.Interaction(8, 6), schnet.AtomwiseOutput(4)):
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
        assert keras.saving.get_registered_object(f"course_utils>{type(layer).__name__}") is type(layer)


def test_fit_learns_and_reports(model64):
    rng = np.random.default_rng(4)
    frames = ETHANOL_R + rng.normal(scale=0.05, size=(40, 9, 3))
    numbers = np.tile(ETHANOL_Z, (40, 1))
    energy, forces = schnet.energy_and_forces(model64, numbers, frames)  # a teacher: learnable targets
    data = {"numbers": numbers, "positions": frames, "energy": energy.numpy(), "forces": forces.numpy()}
    train = {k: v[:30] for k, v in data.items()}
    val = {k: v[30:] for k, v in data.items()}
    student = schnet.build_model(train["numbers"], train["energy"], train["forces"], n_features=8, n_interactions=1,
                                 n_rbf=8, cutoff=4.0, seed=0)
    before = schnet.evaluate(student, val)
    history = schnet.fit(student, train, val, max_epochs=4, batch_size=10, learning_rate=3e-3, patience=4)
    after = schnet.evaluate(student, val)
    assert set(history) >= {"loss", "val_loss", "val_energy_mae", "val_force_mae", "best_epoch", "stopped"}
    assert len(history["loss"]) == 4 and history["steps"] == 12
    assert after["force_mae"] < before["force_mae"]
    assert after["force_mae"] == pytest.approx(history["val_force_mae"][history["best_epoch"] - 1], rel=1e-4)
    assert history["val_loss"][history["best_epoch"] - 1] == history["val_loss"].min()


def test_keras_calculator_runs_schnet(model64):
    from ase import Atoms

    from course_utils.atoms.calculators import KerasCalculator

    atoms = Atoms(numbers=ETHANOL_Z, positions=ETHANOL_R)
    atoms.calc = KerasCalculator(model64, dtype="float64")
    energy, forces = predict(model64, ETHANOL_Z, ETHANOL_R)
    assert atoms.get_potential_energy() == pytest.approx(energy, rel=1e-12)
    np.testing.assert_allclose(atoms.get_forces(), forces, atol=1e-10)


def test_bad_arguments(model64):
    with pytest.raises(ValueError, match="n_features must be at least 1"):
        schnet.SchNet(n_features=0)
    with pytest.raises(TypeError, match="n_interactions must be an integer"):
        schnet.SchNet(n_interactions=2.5)
    with pytest.raises(ValueError, match="cutoff must be greater than 0"):
        schnet.SchNet(cutoff=-1.0)
    with pytest.raises(ValueError, match="n_rbf must be at least 2"):
        schnet.GaussianRBF(n_rbf=1)
    with pytest.raises(ValueError, match="atom_references must have max_z"):
        schnet.SchNet(max_z=4, atom_references=[0.0, 1.0])
    with pytest.raises(ValueError, match="energy_scale must be greater than 0"):
        schnet.SchNet(energy_scale=0.0)
    with pytest.raises(TypeError, match="need the keys"):
        schnet.split_inputs({"numbers": ETHANOL_Z[None]})
    with pytest.raises(TypeError, match="must be a mapping"):
        schnet.split_inputs(ETHANOL_R)
    with pytest.raises(ValueError, match="positions must have shape"):
        model64.check_inputs(ETHANOL_Z[None], ETHANOL_R)
    with pytest.raises(ValueError, match="numbers must have shape"):
        model64.check_inputs(ETHANOL_Z, ETHANOL_R)
    with pytest.raises(TypeError, match="integer atomic numbers"):
        model64.check_inputs(ETHANOL_Z[None].astype(float), ETHANOL_R[None])
    with pytest.raises(ValueError, match="0..max_z"):
        model64.check_inputs(np.array([[6, 11]]), np.zeros((1, 2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        model64.check_inputs(ETHANOL_Z[None], np.full((1, 9, 3), np.nan))
    model64.check_inputs(ETHANOL_Z[None], ETHANOL_R[None])  # fine
    with pytest.raises(ValueError, match="integer array"):
        schnet.output_statistics(np.ones((2, 2)), [1.0, 2.0])
    with pytest.raises(ValueError, match="energies must have shape"):
        schnet.output_statistics(np.ones((2, 2), int), [1.0])
    with pytest.raises(ValueError, match="0..max_z"):
        schnet.output_statistics(np.full((1, 2), 12), [1.0])
    with pytest.raises(ValueError, match="needs numbers"):
        schnet.build_model(energies=[1.0])
    data = {"numbers": ETHANOL_Z[None], "positions": ETHANOL_R[None], "energy": [0.0], "forces": np.zeros((1, 9, 3))}
    with pytest.raises(TypeError, match="model must be a SchNet"):
        schnet.fit("model", data, data)
    with pytest.raises(ValueError, match="force_weight must be at most 1"):
        schnet.fit(model64, data, data, force_weight=1.5)
    with pytest.raises(TypeError, match="is missing"):
        schnet.fit(model64, {"numbers": ETHANOL_Z[None]}, data)
    with pytest.raises(TypeError, match="must be a mapping"):
        schnet.fit(model64, data, [1, 2])
    with pytest.raises(ValueError, match=r"validation\['forces'\] must have shape"):
        schnet.fit(model64, data, {**data, "forces": np.zeros((1, 8, 3))})
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        schnet.fit(model64, data, data, batch_size=0)


def test_ethanol_split_and_frames():
    arrays = {"split": np.array(["train"] * 30 + ["heldout"] * 10), "numbers": np.tile(ETHANOL_Z, (40, 1)),
              "positions": np.zeros((40, 9, 3)), "energy": np.arange(40.0), "forces": np.zeros((40, 9, 3))}
    parts = schnet.ethanol_split(arrays, seed=1, n_validation=5)
    assert len(parts["validation"]) == 5 and len(parts["pool"]) == 25 and list(parts["test"]) == list(range(30, 40))
    assert not set(parts["validation"]) & set(parts["pool"]) and max(parts["pool"]) < 30
    np.testing.assert_array_equal(schnet.ethanol_split(arrays, seed=1, n_validation=5)["pool"], parts["pool"])
    picked = schnet.frames(arrays, parts["pool"][:3])
    assert set(picked) == {"numbers", "positions", "energy", "forces"}
    np.testing.assert_array_equal(picked["energy"], parts["pool"][:3].astype(float))
    with pytest.raises(TypeError, match="ethanol_md"):
        schnet.ethanol_split([1, 2])
    with pytest.raises(ValueError, match="n_validation must be at most 29"):
        schnet.ethanol_split(arrays, n_validation=30)


@pytest.mark.slow
def test_shipped_models_match_their_record():
    from course_utils import data

    arrays = data.load("ethanol_md")
    parts = schnet.ethanol_split(arrays, seed=0)
    for n in (100, 1000):
        model, record = schnet.load_pretrained(n)
        assert record["n_train"] == n and model.count_params() == record["n_weights"]
        result = schnet.evaluate(model, schnet.frames(arrays, parts["test"]))
        assert result["energy_mae"] == pytest.approx(record["test"]["energy_mae_ev"], rel=1e-4)
        assert result["force_mae"] == pytest.approx(record["test"]["force_mae_ev_per_a"], rel=1e-4)
    with pytest.raises(ValueError, match="no shipped SchNet"):
        schnet.load_pretrained(n_train=7)


def test_load_nvt_distributions(tmp_path, monkeypatch):
    from course_utils import data

    arrays, record = schnet.load_nvt_distributions()
    assert arrays["schnet_bond_counts"].shape[0] == record["settings"]["n_replicas"]
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match="sample_schnet_nvt.py"):
        schnet.load_nvt_distributions()
