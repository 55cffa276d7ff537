"""course_utils.learn.splines: B-spline basis, neighbour lists, the design matrix, finite-difference forces and
stress of the spline potential, and recovery of a known pair potential from its own data."""

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk
from ase.calculators.fd import calculate_numerical_forces, calculate_numerical_stress
from ase.calculators.morse import MorsePotential
from ase.neighborlist import neighbor_list

from course_utils.learn import splines as sp


def _copper(repeat=2, seed=1, shear=0.01):
    rng = np.random.default_rng(seed)
    atoms = bulk("Cu", "fcc", a=3.59, cubic=True).repeat(repeat)
    atoms.set_cell(atoms.cell.array @ (np.eye(3) + shear * rng.normal(size=(3, 3))), scale_atoms=True)
    atoms.rattle(0.1, seed=seed)
    return atoms


def _random_potential(n3=3, seed=0):
    basis = sp.SplineBasis(n3_intervals=n3)
    return sp.SplinePotential(basis, 0.05 * np.random.default_rng(seed).normal(size=basis.n_features))


def test_cubic_bsplines_partition_unity_and_derivative():
    spline = sp.CubicBSpline(1.0, 4.0, 6)
    r = np.linspace(1.0, 3.999, 301)
    idx, val, der = spline.evaluate(r)
    np.testing.assert_allclose(val.sum(axis=1), 1.0, atol=1e-12)  # partition of unity
    c = np.random.default_rng(0).normal(size=spline.n_basis)
    h = 1e-6
    numeric = (spline(r + h, c) - spline(r - h, c)) / (2 * h)
    np.testing.assert_allclose(np.sum(c[idx] * der, axis=1), numeric, atol=1e-6)
    # three trailing zeros: value and slope vanish at r_max
    c[-3:] = 0.0
    assert abs(spline(4.0, c)[0]) < 1e-12
    assert abs((spline(4.0, c) - spline(4.0 - 1e-5, c))[0]) < 1e-12
    assert len(spline.knots) == spline.n_intervals + 7


def test_neighbour_pairs_match_ase_for_a_sheared_cell_and_a_molecule():
    atoms = _copper()
    i, j, shifts = sp.neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, 5.0)
    ai, aj, ad = neighbor_list("ijD", atoms, 5.0)
    assert len(i) == len(ai) and np.all(np.diff(i) >= 0)
    ours = np.linalg.norm(atoms.positions[j] + shifts - atoms.positions[i], axis=1)
    np.testing.assert_allclose(np.sort(ours), np.sort(np.linalg.norm(ad, axis=1)))
    molecule = Atoms("Cu3", positions=[[0, 0, 0], [2.5, 0, 0], [0, 6, 0]])
    i, j, _ = sp.neighbour_pairs(molecule.positions, molecule.cell.array, molecule.pbc, 3.0)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1), (1, 0)]


def test_verlet_list_rebuilds_only_when_needed():
    atoms = _copper()
    verlet = sp.VerletList(5.0, skin=0.4)
    first = verlet.pairs(atoms)
    atoms.positions[0] += 0.1
    second = verlet.pairs(atoms)
    assert verlet.n_builds == 1
    fresh = sp.neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, 5.0)
    assert len(second[0]) == len(fresh[0]) and len(first[0]) > 0
    atoms.positions[0] += 0.2
    verlet.pairs(atoms)
    assert verlet.n_builds == 2


def test_triplets_are_each_unordered_pair_of_neighbours_once():
    basis = sp.SplineBasis(n3_intervals=2, r3_cut=3.0)
    atoms = bulk("Cu", "fcc", a=3.59, cubic=True)
    geometry = basis.geometry(atoms)
    assert len(geometry.ti) == len(atoms) * 12 * 11 // 2  # 12 nearest neighbours in fcc
    np.testing.assert_allclose(geometry.rjk, np.linalg.norm(geometry.dik - geometry.dij, axis=1))


def test_design_rows_reproduce_the_calculator():
    pot = _random_potential()
    atoms = _copper()
    atoms.calc = pot
    x, xf, xs = pot.basis.design(atoms, stress=True)
    c = pot.coefficients
    assert abs(x @ c - atoms.get_potential_energy()) < 1e-10
    np.testing.assert_allclose(xf @ c, atoms.get_forces().ravel(), atol=1e-10)
    np.testing.assert_allclose(xs @ c, atoms.get_stress(), atol=1e-12)
    np.testing.assert_allclose(atoms.get_potential_energies().sum(), atoms.get_potential_energy())


def test_forces_and_stress_are_finite_differences_of_the_energy():
    pot = _random_potential(seed=3)
    atoms = _copper(repeat=1, seed=4)  # 4 atoms (and their images) keep the 30 energy calls cheap
    atoms.calc = pot
    np.testing.assert_allclose(atoms.get_forces(), calculate_numerical_forces(atoms, eps=1e-5), atol=1e-7)
    np.testing.assert_allclose(atoms.get_stress(), calculate_numerical_stress(atoms, eps=1e-6), atol=1e-8)


def test_energy_is_invariant_under_rotation_translation_and_permutation():
    pot = _random_potential(seed=5)
    atoms = _copper(seed=6)
    atoms.calc = pot
    e0 = atoms.get_potential_energy()
    moved = atoms.copy()
    moved.rotate(37, "z", rotate_cell=True)
    moved.translate([0.3, -1.2, 2.0])
    moved = moved[np.random.default_rng(0).permutation(len(moved))]
    moved.calc = pot
    assert abs(moved.get_potential_energy() - e0) < 1e-9


def test_recovers_a_morse_pair_potential_from_its_own_data():
    morse = MorsePotential(epsilon=0.35, r0=2.6, rho0=5.0, rcut1=1.6, rcut2=2.0)  # smooth cut-off 4.16-5.2 A
    rng = np.random.default_rng(0)
    frames, energies, forces = [], [], []
    for k in range(6):
        atoms = bulk("Cu", "fcc", a=3.7, cubic=True).repeat(2)
        atoms.set_cell(atoms.cell.array * (1 + rng.uniform(-0.05, 0.05)), scale_atoms=True)
        atoms.rattle(0.15, seed=k)
        atoms.calc = morse
        frames.append(atoms)
        energies.append(atoms.get_potential_energy())
        forces.append(atoms.get_forces())
    basis = sp.SplineBasis(r_min=1.8, r2_cut=5.2, n2_intervals=24, n3_intervals=0)
    pot = sp.fit_spline_potential(basis, frames, energies, forces, ridge=1e-10, curvature=1e-10)
    r = np.linspace(2.2, 5.2, 100)
    reference = []
    for distance in r:
        dimer = Atoms("Cu2", positions=[[0, 0, 0], [distance, 0, 0]])
        dimer.calc = morse
        reference.append(dimer.get_potential_energy())
    assert np.max(np.abs(pot.pair_energy(r) - reference)) < 1e-3  # eV, against a well depth of 0.35 eV
    assert abs(pot.e1) < 2e-3
    test = frames[0].copy()
    test.rattle(0.1, seed=99)
    test.calc = morse
    f_ref = test.get_forces()
    test.calc = pot
    assert np.sqrt(np.mean((test.get_forces() - f_ref) ** 2)) < 1e-3 * np.sqrt(np.mean(f_ref ** 2)) * 10


def test_normal_equations_accumulate_the_stored_design_matrix():
    basis = sp.SplineBasis(n2_intervals=6, n3_intervals=2)
    normal = sp.NormalEquations(basis, energy_scale=0.01, force_scale=0.1)
    rows, targets = [], []
    for seed in range(2):
        atoms = _copper(seed=seed)
        energy, forces = -100.0 + seed, np.full((len(atoms), 3), 0.1 * seed)
        normal.add(atoms, energy, forces)
        x, xf = basis.design(atoms)
        rows += [x / (len(atoms) * 0.01), *(xf / 0.1)]
        targets += [energy / (len(atoms) * 0.01), *(forces.ravel() / 0.1)]
    big = np.array(rows)
    np.testing.assert_allclose(normal.A, big.T @ big, rtol=1e-10, atol=1e-8)
    np.testing.assert_allclose(normal.b, big.T @ np.array(targets), rtol=1e-10, atol=1e-8)


def test_argument_checks():
    with pytest.raises(ValueError, match="r_max must exceed r_min"):
        sp.CubicBSpline(2.0, 1.0, 4)
    with pytest.raises(ValueError, match="r3_cut"):
        sp.SplineBasis(r2_cut=4.0, r3_cut=4.5)
    with pytest.raises(ValueError, match="n2_intervals"):
        sp.SplineBasis(n2_intervals=0)
    basis = sp.SplineBasis(n3_intervals=0)
    with pytest.raises(ValueError, match="coefficients must have shape"):
        sp.SplinePotential(basis, np.zeros(3))
    with pytest.raises(TypeError, match="SplineBasis"):
        sp.SplinePotential("basis", np.zeros(3))
    with pytest.raises(TypeError, match="SplineBasis"):
        sp.fit_spline_potential(None, [], [])
    with pytest.raises(ValueError, match="same length"):
        sp.fit_spline_potential(basis, [_copper()], [1.0, 2.0])
    normal = sp.NormalEquations(basis)
    with pytest.raises(ValueError, match="no structures"):
        normal.solve()
    with pytest.raises(ValueError, match="forces must have shape"):
        normal.add(_copper(), 0.0, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="energy_scale"):
        sp.NormalEquations(basis, energy_scale=0.0)
    with pytest.raises(ValueError, match="ridge"):
        sp.NormalEquations(basis).add(_copper(), 0.0).solve(ridge=-1.0)
    with pytest.raises(ValueError, match="non-zero volume"):
        sp.neighbour_pairs(np.zeros((2, 3)), np.zeros((3, 3)), [True] * 3, 3.0)


def test_many_body_heat_flux_is_the_time_derivative_of_the_energy_centroid():
    # For a cluster, sum_i v_i U_i + sum_ij (r_i - r_j)(v_j . grad_j U_i) = d/dt sum_i r_i U_i + sum_k r_k (F_k . v_k)
    from ase import units

    pot = _random_potential(n3=3, seed=11)
    cluster = bulk("Cu", "fcc", a=3.59, cubic=True).repeat(2)[:14]
    cluster.pbc = False
    cluster.rattle(0.1, seed=3)
    velocities = np.random.default_rng(1).normal(scale=0.01, size=(len(cluster), 3))  # Angstrom/fs
    cluster.set_velocities(velocities / units.fs)
    flux = pot.heat_flux(cluster, kinetic=False)

    def centroid(atoms):
        atoms = atoms.copy()
        atoms.calc = pot
        return atoms.get_potential_energies() @ atoms.positions

    h = 1e-3  # fs
    plus, minus = cluster.copy(), cluster.copy()
    plus.positions += h * velocities
    minus.positions -= h * velocities
    cluster.calc = pot
    expected = (centroid(plus) - centroid(minus)) / (2 * h) + cluster.positions.T @ np.einsum(
        "ka,ka->k", cluster.get_forces(), velocities)
    np.testing.assert_allclose(flux, expected, atol=1e-8)
    # the pair-only potential gives the textbook pair formula
    pair_basis = sp.SplineBasis(n3_intervals=0)
    pair = sp.SplinePotential(pair_basis, pot.coefficients[:pair_basis.n_features])
    j = pair.heat_flux(cluster, kinetic=False)
    i, k, _ = sp.neighbour_pairs(cluster.positions, cluster.cell.array, cluster.pbc, pair.basis.r2_cut)
    d = cluster.positions[k] - cluster.positions[i]
    r = np.linalg.norm(d, axis=1)
    h2 = 1e-6
    dv = (pair.pair_energy(r + h2) - pair.pair_energy(r - h2)) / (2 * h2)
    force_on_k = -(dv / r)[:, None] * d  # pair force on k from i
    u = pair.e1 + 0.5 * np.bincount(i, pair.pair_energy(r), minlength=len(cluster))
    textbook = u @ velocities + 0.5 * np.einsum("pa,p->a", -d, np.einsum("pa,pa->p", -force_on_k, velocities[k]))
    np.testing.assert_allclose(j, textbook, atol=1e-6)
