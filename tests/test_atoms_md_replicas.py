"""Batched Langevin replicas (BAOAB) and the distributions of bond lengths and dihedrals they sample."""

from __future__ import annotations

import numpy as np
import pytest
from ase import Atoms

from course_utils.atoms import md

KB = 8.617333262e-5  # eV/K


def _spring(k=1.0):
    """Two atoms joined by a zero-length spring, V = k |x0 - x1|^2 / 2, for R replicas at once."""
    def energy_and_forces(r):
        d = r[:, 0] - r[:, 1]
        forces = np.stack([-k * d, k * d], axis=1)
        return 0.5 * k * np.sum(d**2, axis=-1), forces
    return energy_and_forces


def test_langevin_replicas_sample_the_boltzmann_distribution_of_a_spring():
    temperature = 300.0
    start = np.zeros((100, 2, 3))
    start[:, 1, 2] = 0.3
    run = md.langevin_replicas(_spring(), [1.0, 2.0], start, temperature_K=temperature, timestep_fs=1.0,
                               n_steps=1500, sample_every=5, friction_per_fs=0.05, seed=3)
    assert run.positions.shape == (301, 100, 2, 3) and run.potential_energy.shape == (301, 100)
    assert np.allclose(run.time[:3], [0.0, 5.0, 10.0])
    equilibrated = slice(60, None)
    # the relative coordinate is a 3D oscillator: <V> = 3/2 kT; 3N - 3 = 3 kinetic degrees of freedom at T
    assert run.potential_energy[equilibrated].mean() == pytest.approx(1.5 * KB * temperature, rel=0.04)
    assert run.temperature[equilibrated].mean() == pytest.approx(temperature, rel=0.04)
    # the centre of mass does not move
    com = (run.positions * np.array([1.0, 2.0])[None, None, :, None]).sum(axis=2) / 3.0
    assert np.abs(com - com[0]).max() < 1e-10


def test_langevin_replicas_are_reproducible_and_independent_of_the_number_of_replicas():
    start = np.zeros((3, 2, 3))
    start[:, 1, 0] = 0.5
    kwargs = {"temperature_K": 500.0, "timestep_fs": 0.5, "n_steps": 40, "sample_every": 10, "seed": 11}
    a = md.langevin_replicas(_spring(), [1.0, 1.0], start, **kwargs)
    b = md.langevin_replicas(_spring(), [1.0, 1.0], start, **kwargs)
    c = md.langevin_replicas(_spring(), [1.0, 1.0], start[:2], **kwargs)
    assert np.array_equal(a.positions, b.positions)
    assert np.allclose(a.positions[:, :2], c.positions)
    assert not np.allclose(a.positions[-1, 0], a.positions[-1, 1])  # each replica has its own noise


def test_langevin_replicas_reject_bad_input():
    start = np.zeros((2, 2, 3))
    with pytest.raises(TypeError, match="energy_and_forces"):
        md.langevin_replicas("spring", [1.0, 1.0], start, temperature_K=300)
    with pytest.raises(ValueError, match="positions"):
        md.langevin_replicas(_spring(), [1.0, 1.0], np.zeros((2, 3)), temperature_K=300)
    with pytest.raises(ValueError, match="masses"):
        md.langevin_replicas(_spring(), [1.0, -1.0], start, temperature_K=300)
    with pytest.raises(ValueError, match="masses"):
        md.langevin_replicas(_spring(), [1.0], start, temperature_K=300)
    with pytest.raises(ValueError, match="timestep_fs"):
        md.langevin_replicas(_spring(), [1.0, 1.0], start, temperature_K=300, timestep_fs=0.0)
    with pytest.raises(ValueError, match="temperature_K"):
        md.langevin_replicas(_spring(), [1.0, 1.0], start, temperature_K=-1)
    with pytest.raises(ValueError, match="returned shapes"):
        md.langevin_replicas(lambda r: (np.zeros(1), np.zeros_like(r)), [1.0, 1.0], start, temperature_K=300)


def test_bond_lengths_and_dihedrals_match_ase():
    rng = np.random.default_rng(5)
    frames = rng.normal(size=(6, 5, 3))
    lengths = md.bond_lengths(frames, (1, 3))
    dihedrals = md.dihedral_angles(frames, (0, 2, 1, 4))
    assert lengths.shape == dihedrals.shape == (6,)
    for k, p in enumerate(frames):
        atoms = Atoms("H5", positions=p)
        assert lengths[k] == pytest.approx(atoms.get_distance(1, 3))
        assert np.mod(dihedrals[k], 360.0) == pytest.approx(atoms.get_dihedral(0, 2, 1, 4))  # ASE: 0 to 360
    assert np.all((dihedrals > -180.0) & (dihedrals <= 180.0))
    # a batch of replicas: any leading axes
    assert md.dihedral_angles(frames.reshape(2, 3, 5, 3), (0, 2, 1, 4)).shape == (2, 3)


def test_geometry_helpers_reject_bad_indices():
    frames = np.zeros((2, 4, 3))
    with pytest.raises(ValueError, match="2 atom indices"):
        md.bond_lengths(frames, (0, 1, 2))
    with pytest.raises(ValueError, match="different atoms"):
        md.dihedral_angles(frames, (0, 1, 1, 2))
    with pytest.raises(ValueError, match="atom index"):
        md.bond_lengths(frames, (0, 4))
    with pytest.raises(ValueError, match="positions"):
        md.bond_lengths(np.zeros((2, 4)), (0, 1))


def test_histogram_overlap():
    assert md.histogram_overlap([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert md.histogram_overlap([1, 0], [0, 5]) == pytest.approx(0.0)
    assert md.histogram_overlap([1, 1], [3, 1]) == pytest.approx(0.5 + 0.25)
    with pytest.raises(ValueError, match="same bins"):
        md.histogram_overlap([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="non-negative"):
        md.histogram_overlap([1, -1], [1, 1])
    with pytest.raises(ValueError, match="positive sum"):
        md.histogram_overlap([0, 0], [1, 1])
