"""Tests of course_utils.lattice: Hubbard dimer closed forms and exact diagonalisation of chains.

Reference values are computed here by independent routes: a 3x3 singlet matrix, Hellmann-Feynman finite
differences, tight-binding orbitals, a brute-force Fock-space Hamiltonian built from Jordan-Wigner matrices with
np.kron in a different mode ordering, and exact symmetries (particle-hole, reflection, spin flip).
"""

from __future__ import annotations

import dataclasses
import itertools
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import ConvergenceError, lattice
from course_utils.lattice import exact

RNG_SEED = 20240604


def tight_binding_matrix(sites, t, v, periodic):
    """Single-particle matrix written independently of the package: -t on the off-diagonals, v on the diagonal."""
    h = np.diag(np.asarray(v, dtype=float)) - t * (np.eye(sites, k=1) + np.eye(sites, k=-1))
    if periodic:
        h[0, -1] -= t
        h[-1, 0] -= t
    return h


def occupied_projector(h, n):
    """Density matrix of the n lowest orbitals of h (one spin), and their energy."""
    energies, orbitals = np.linalg.eigh(h)
    occupied = orbitals[:, :n]
    return occupied @ occupied.T, energies[:n].sum()


def brute_force(sites, t, U, v, electrons, periodic):
    """Sector Hamiltonian and one-body operators from Jordan-Wigner matrices over the full Fock space.

    Modes are interleaved, (site 0 up, site 0 down, site 1 up, ...), unlike the package's up-block-then-down-block
    ordering, so that the fermionic signs are produced by a different route.
    """
    modes = 2 * sites
    lower = np.array([[0.0, 1.0], [0.0, 0.0]])
    parity = np.diag([1.0, -1.0])

    def annihilator(p):
        factors = [parity] * p + [lower] + [np.eye(2)] * (modes - p - 1)
        out = np.array([[1.0]])
        for factor in factors:
            out = np.kron(out, factor)
        return out

    c = [annihilator(p) for p in range(modes)]
    number = [np.diag(np.diag(op.T @ op)) for op in c]

    def mode(i, spin):
        return 2 * i + spin

    bonds = [(i, i + 1) for i in range(sites - 1)] + ([(sites - 1, 0)] if periodic else [])
    H = np.zeros((4**sites, 4**sites))
    for i, j in bonds:
        for s in (0, 1):
            hop = c[mode(i, s)].T @ c[mode(j, s)]
            H -= t * (hop + hop.T)
    for i in range(sites):
        H += U * number[mode(i, 0)] @ number[mode(i, 1)]
        H += v[i] * (number[mode(i, 0)] + number[mode(i, 1)])
    n_up = sum(number[mode(i, 0)] for i in range(sites)).diagonal()
    n_down = sum(number[mode(i, 1)] for i in range(sites)).diagonal()
    sector = np.flatnonzero((np.round(n_up) == electrons[0]) & (np.round(n_down) == electrons[1]))
    block = H[np.ix_(sector, sector)]

    def rdm(vector, spin):
        full = np.zeros(4**sites)
        full[sector] = vector
        removed = np.array([c[mode(i, spin)] @ full for i in range(sites)])  # c_i |psi>
        return removed @ removed.T  # <psi| c+_i c_j |psi>

    return block, rdm


# ---------------------------------------------------------------------------------------------- dimer closed forms

def singlet_matrices(U, t, dv):
    U, t, dv = np.broadcast_arrays(U, t, dv)
    s = np.sqrt(2.0) * t
    zero = np.zeros_like(U)
    return np.stack([np.stack([U - dv, zero, -s], -1), np.stack([zero, U + dv, -s], -1),
                     np.stack([-s, -s, zero], -1)], -2)


def test_dimer_closed_form_matches_batched_singlet_eigh():
    rng = np.random.default_rng(RNG_SEED)
    U = rng.uniform(-10, 30, 2000)
    t = rng.uniform(0.2, 3, 2000)
    dv = rng.uniform(-20, 20, 2000)
    values, vectors = np.linalg.eigh(singlet_matrices(U, t, dv))
    np.testing.assert_allclose(lattice.dimer_energy(U, t, dv), values[:, 0], rtol=1e-12, atol=1e-12)
    a, b = vectors[:, 0, 0], vectors[:, 1, 0]
    ground = lattice.dimer_ground_state(U, t, dv)
    # both electrons on site 1 (weight a^2) or site 2 (b^2), or one on each (c^2)
    np.testing.assert_allclose(ground.delta_n, 2 * (a**2 - b**2), atol=1e-11)
    np.testing.assert_allclose(ground.double_occupations, np.stack([a**2, b**2], -1), atol=1e-11)


def test_dimer_ground_state_obeys_hellmann_feynman():
    # delta_n = -2 dE/d(delta_v) and gamma_12 = -1/2 dE/dt, by central differences of the closed-form energy.
    U, dv = np.meshgrid([-3.0, 0.0, 1.0, 4.0, 12.0], [-2.5, -0.4, 0.0, 0.3, 1.0, 6.0])
    t, step = 1.3, 1e-5
    ground = lattice.dimer_ground_state(U, t, dv)
    dE_ddv = (lattice.dimer_energy(U, t, dv + step) - lattice.dimer_energy(U, t, dv - step)) / (2 * step)
    dE_dt = (lattice.dimer_energy(U, t + step, dv) - lattice.dimer_energy(U, t - step, dv)) / (2 * step)
    np.testing.assert_allclose(ground.delta_n, -2 * dE_ddv, atol=1e-8)
    np.testing.assert_allclose(ground.gamma_12, -0.5 * dE_dt, atol=1e-8)
    assert ground.delta_n.shape == U.shape and ground.rdm1.shape == U.shape + (2, 2)


def test_dimer_symmetric_textbook_energy():
    U = np.linspace(-8, 40, 97)
    t = 0.7
    np.testing.assert_allclose(lattice.dimer_energy(U, t), U / 2 - np.sqrt(U**2 / 4 + 4 * t**2), rtol=1e-13,
                               atol=1e-14)


@pytest.mark.parametrize("t", [1.0, 0.35])
def test_exact_diagonalisation_of_dimer_matches_closed_form_on_grid(t):
    Us = [-4.0, -1.0, 0.0, 0.5, 2.0, 5.0, 10.0]
    dvs = [-3.0, -1.0, -0.2, 0.0, 0.7, 2.0, 5.0]
    grid_U, grid_dv = np.meshgrid(Us, dvs, indexing="ij")
    closed = lattice.dimer_ground_state(grid_U, t, grid_dv)
    for (i, U), (j, dv) in itertools.product(enumerate(Us), enumerate(dvs)):
        result = lattice.solve(lattice.Hubbard.dimer(U, t, dv))
        assert result.energy == pytest.approx(closed.energy[i, j], abs=1e-12)
        assert result.occupations[0] - result.occupations[1] == pytest.approx(closed.delta_n[i, j], abs=1e-12)
        assert result.rdm1[0, 1] == pytest.approx(closed.gamma_12[i, j], abs=1e-12)
        np.testing.assert_allclose(result.rdm1, closed.rdm1[i, j], atol=1e-12)
        np.testing.assert_allclose(result.double_occupations, closed.double_occupations[i, j], atol=1e-12)
        np.testing.assert_allclose(result.rdm1_up, result.rdm1_down, atol=1e-12)  # singlet


def test_dimer_with_shifted_potentials_only_shifts_energy():
    model = lattice.Hubbard(2, 1.0, 3.0, [0.4, 1.9], (1, 1))
    result = lattice.solve(model)
    assert result.energy == pytest.approx(lattice.dimer_energy(3.0, 1.0, 1.5) + (0.4 + 1.9), abs=1e-12)


@pytest.mark.parametrize("U", [50.0, 200.0, 1000.0])
def test_half_filled_dimer_strong_coupling_limit(U):
    t = 1.0
    # E = U/2 - sqrt(U^2/4 + 4t^2) = -4t^2/U + 16t^4/U^3 - ...: superexchange J = 4t^2/U
    for energy in (lattice.dimer_energy(U, t), lattice.solve(lattice.Hubbard.dimer(U, t)).energy):
        assert abs(energy + 4 * t**2 / U) <= 17 * t**4 / U**3
    ground = lattice.dimer_ground_state(U, t)
    assert abs(ground.gamma_12 - 4 * t / U) <= 50 * t**3 / U**3  # -1/2 dE/dt
    assert ground.double_occupations[0] <= 3 * t**2 / U**2


def test_dimer_energy_scales_with_parameters():
    rng = np.random.default_rng(RNG_SEED + 1)
    U, dv, scale = rng.uniform(-5, 10, 50), rng.uniform(-5, 5, 50), rng.uniform(0.1, 10, 50)
    np.testing.assert_allclose(lattice.dimer_energy(scale * U, scale, scale * dv),
                               scale * lattice.dimer_energy(U, 1.0, dv), rtol=1e-12, atol=1e-12)
    # site exchange: delta_v -> -delta_v flips delta_n and leaves E, gamma_12 alone
    plus, minus = lattice.dimer_ground_state(U, 1.0, dv), lattice.dimer_ground_state(U, 1.0, -dv)
    np.testing.assert_allclose(minus.delta_n, -plus.delta_n, atol=1e-13)
    np.testing.assert_allclose(minus.gamma_12, plus.gamma_12, atol=1e-13)
    np.testing.assert_allclose(minus.energy, plus.energy, atol=1e-12)


def test_dimer_scalar_inputs_give_scalars():
    assert np.ndim(lattice.dimer_energy(2.0)) == 0
    assert np.ndim(lattice.dimer_potential_difference(0.5, 2.0)) == 0
    ground = lattice.dimer_ground_state(2.0, 1.0, 0.5)
    assert np.ndim(ground.delta_n) == 0 and ground.rdm1.shape == (2, 2)


@pytest.mark.parametrize("U", [-6.0, -1.0, 0.0, 1.0, 4.0, 10.0, 40.0])
def test_dimer_occupation_difference_is_monotonic_and_inverted(U):
    dv = np.linspace(-60, 60, 4001)
    delta_n = lattice.dimer_ground_state(U, 1.0, dv).delta_n
    assert np.all(np.diff(delta_n) > 0)
    assert np.all(np.abs(delta_n) < 2)
    inside = np.abs(delta_n) < 1.999
    np.testing.assert_allclose(lattice.dimer_potential_difference(delta_n[inside], U), dv[inside], rtol=1e-8,
                               atol=1e-9)
    targets = np.linspace(-1.995, 1.995, 399)
    recovered = lattice.dimer_ground_state(U, 1.0, lattice.dimer_potential_difference(targets, U)).delta_n
    np.testing.assert_allclose(recovered, targets, atol=1e-11)


def test_dimer_inverse_at_U_zero_is_kohn_sham_potential():
    delta_n = np.linspace(-1.99, 1.99, 201)
    t = 0.8
    # one doubly occupied bonding orbital: delta_n = 2 dv / sqrt(dv^2 + 4 t^2)
    np.testing.assert_allclose(lattice.dimer_potential_difference(delta_n, 0.0, t),
                               2 * t * delta_n / np.sqrt(4 - delta_n**2), rtol=1e-10, atol=1e-12)


def test_dimer_inverse_broadcasts_and_depends_on_U_over_t_only():
    delta_n = np.array([[0.2], [1.0], [1.7]])
    U = np.array([0.0, 2.0, 8.0])
    dv = lattice.dimer_potential_difference(delta_n, U)
    assert dv.shape == (3, 3)
    np.testing.assert_allclose(lattice.dimer_potential_difference(delta_n, 2.5 * U, 2.5), 2.5 * dv, rtol=1e-10)


def test_dimer_functions_are_vectorised_enough_for_a_notebook():
    rng = np.random.default_rng(RNG_SEED + 2)
    delta_n, U = rng.uniform(-1.98, 1.98, 10_000), rng.uniform(-5, 20, 10_000)
    start = time.perf_counter()
    dv = lattice.dimer_potential_difference(delta_n, U)
    ground = lattice.dimer_ground_state(U, 1.0, dv)
    elapsed = time.perf_counter() - start
    np.testing.assert_allclose(ground.delta_n, delta_n, atol=1e-11)
    assert elapsed < 2.0, f"10,000 dimer inversions took {elapsed:.2f} s; a Python loop has crept in?"


def test_noninteracting_dimer_rdm1():
    delta_n = np.linspace(-2, 2, 81)
    gamma = lattice.dimer_noninteracting_rdm1(delta_n)
    per_spin = lattice.dimer_noninteracting_rdm1(delta_n, spin_resolved=True)
    assert gamma.shape == (81, 2, 2)
    np.testing.assert_allclose(per_spin, gamma / 2)
    np.testing.assert_allclose(gamma[:, 0, 0] - gamma[:, 1, 1], delta_n, atol=1e-15)
    np.testing.assert_allclose(np.trace(gamma, axis1=1, axis2=2), 2.0)
    np.testing.assert_allclose(gamma[:, 0, 1], np.sqrt(1 - (delta_n / 2) ** 2))
    # per spin a projector onto one orbital: idempotent, natural occupations 1 and 0
    np.testing.assert_allclose(per_spin @ per_spin, per_spin, atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(per_spin), np.tile([0.0, 1.0], (81, 1)), atol=1e-12)


def test_noninteracting_dimer_rdm1_is_the_U_zero_ground_state():
    dv = np.linspace(-6, 6, 25)
    ground = lattice.dimer_ground_state(0.0, 1.0, dv)
    np.testing.assert_allclose(lattice.dimer_noninteracting_rdm1(ground.delta_n), ground.rdm1, atol=1e-12)
    for value in (-2.0, 0.0, 0.9):
        result = lattice.solve(lattice.Hubbard.dimer(0.0, 1.0, value))
        delta_n = result.occupations[0] - result.occupations[1]
        np.testing.assert_allclose(lattice.dimer_noninteracting_rdm1(delta_n, spin_resolved=True), result.rdm1_up,
                                   atol=1e-12)


def test_interacting_dimer_coherence_below_noninteracting_bound():
    dv = np.linspace(-5, 5, 41)
    for U in (0.5, 2.0, 8.0, -3.0):
        ground = lattice.dimer_ground_state(U, 1.0, dv)
        bound = lattice.dimer_noninteracting_rdm1(ground.delta_n)[..., 0, 1]
        assert np.all(ground.gamma_12 > 0)
        assert np.all(ground.gamma_12 < bound - 1e-6)


# ------------------------------------------------------------------------------------------------- model object

def test_model_normalises_and_describes_itself():
    model = lattice.Hubbard(4, 1, 2, [0, 0, 1, 0], "uud")
    assert model.electrons == (2, 1) and model.n_electrons == 3 and model.dimension == 6 * 4
    assert lattice.Hubbard(4, 1, 2, np.zeros(4), np.array([1, 3])).electrons == (1, 3)
    assert isinstance(model.t, float) and model.v.dtype == float
    assert model.bonds == [(0, 1), (1, 2), (2, 3)]
    ring = lattice.Hubbard(4, 1, 2, np.zeros(4), (2, 2), periodic=True)
    assert ring.bonds[-1] == (3, 0)
    np.testing.assert_array_equal(ring.one_body_hamiltonian(), tight_binding_matrix(4, 1.0, np.zeros(4), True))
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.U = 3.0
    with pytest.raises(ValueError):
        model.v[0] = 1.0
    dimer = lattice.Hubbard.dimer(5.0, 2.0, 1.0)
    np.testing.assert_array_equal(dimer.v, [-0.5, 0.5])
    assert (dimer.sites, dimer.t, dimer.U, dimer.electrons) == (2, 2.0, 5.0, (1, 1))


def test_spin_basis_is_sorted_bit_strings():
    configs = lattice.spin_basis(5, 2)
    assert len(configs) == 10 and np.all(np.diff(configs) > 0)
    assert all(bin(int(c)).count("1") == 2 and c < 2**5 for c in configs)


# ----------------------------------------------------------------------------------- chains against references

@pytest.mark.parametrize(("sites", "electrons", "periodic"), [
    (4, (2, 1), True), (4, (2, 2), True), (5, (2, 2), True), (6, (2, 3), True), (6, (4, 2), True),
    (5, (3, 1), False), (6, (3, 3), False), (2, (1, 1), True),
])
def test_U_zero_spectrum_is_sums_of_orbital_energies(sites, electrons, periodic):
    # Each many-body level at U = 0 is a sum of tight-binding orbital energies. For periodic chains with an even
    # number of electrons of a spin this fails if the boundary hop lacks its (-1)^(n_sigma - 1) sign.
    v = np.random.default_rng(RNG_SEED + sites).uniform(-1, 1, sites)
    model = lattice.Hubbard(sites, 1.0, 0.0, v, electrons, periodic=periodic)
    eps = np.linalg.eigvalsh(tight_binding_matrix(sites, 1.0, v, periodic))
    sums_up = [sum(c) for c in itertools.combinations(eps, electrons[0])]
    sums_down = [sum(c) for c in itertools.combinations(eps, electrons[1])]
    expected = np.sort([a + b for a in sums_up for b in sums_down])
    np.testing.assert_allclose(np.linalg.eigvalsh(lattice.hamiltonian(model).toarray()), expected, atol=1e-12)


def test_four_site_ring_with_two_electrons_per_spin_is_periodic_not_antiperiodic():
    model = lattice.Hubbard(4, 1.0, 0.0, np.zeros(4), (2, 2), periodic=True)
    result = lattice.solve(model)
    # k = 0 (-2t) and one of k = +-pi/2 (0) per spin: E = -4t; antiperiodic k = +-pi/4 would give -4 sqrt(2) t
    assert result.energy == pytest.approx(-4.0, abs=1e-12)
    assert result.degenerate is True  # open shell: the k = +-pi/2 pair


@pytest.mark.parametrize(("sites", "electrons", "periodic"), [
    (7, (3, 2), False), (6, (3, 3), True), (10, (5, 5), False), (10, (5, 5), True), (9, (4, 3), False),
])
def test_U_zero_ground_state_is_the_occupied_orbital_projector(sites, electrons, periodic):
    # closed shells only (periodic: odd n_sigma, uniform v), so the ground state is unique; (10, (5, 5)) has
    # dimension 63,504 and goes through the Lanczos solver
    rng = np.random.default_rng(RNG_SEED + 7 * sites)
    v = np.zeros(sites) if periodic else rng.uniform(-1, 1, sites)
    model = lattice.Hubbard(sites, 1.3, 0.0, v, electrons, periodic=periodic)
    result = lattice.solve(model)
    h = tight_binding_matrix(sites, 1.3, v, periodic)
    gamma_up, energy_up = occupied_projector(h, electrons[0])
    gamma_down, energy_down = occupied_projector(h, electrons[1])
    assert result.energy == pytest.approx(energy_up + energy_down, abs=1e-10)
    np.testing.assert_allclose(result.rdm1_up, gamma_up, atol=1e-8)
    np.testing.assert_allclose(result.rdm1_down, gamma_down, atol=1e-8)
    np.testing.assert_allclose(result.natural_occupations_up, [1.0] * electrons[0] + [0.0] * (sites - electrons[0]),
                               atol=1e-8)


def test_two_site_ring_counts_its_bond_twice():
    for electrons in [(1, 1), (1, 0)]:
        ring = lattice.solve(lattice.Hubbard(2, 0.8, 3.0, [0.2, -0.5], electrons, periodic=True))
        chain = lattice.solve(lattice.Hubbard(2, 1.6, 3.0, [0.2, -0.5], electrons, periodic=False))
        assert ring.energy == pytest.approx(chain.energy, abs=1e-12)
        np.testing.assert_allclose(ring.rdm1, chain.rdm1, atol=1e-12)
    single = lattice.solve(lattice.Hubbard(2, 1.0, 0.0, [0.0, 0.0], (1, 0), periodic=True))
    assert single.energy == pytest.approx(-2.0) and single.rdm1[0, 1] == pytest.approx(0.5)


@pytest.mark.parametrize("periodic", [False, True])
@pytest.mark.parametrize("electrons", [(2, 2), (3, 1), (1, 2), (2, 0)])
def test_four_site_chain_against_brute_force_jordan_wigner(periodic, electrons):
    sites, t, U = 4, 0.9, 2.7
    v = np.random.default_rng(RNG_SEED + 11).uniform(-1.5, 1.5, sites)
    block, rdm = brute_force(sites, t, U, v, electrons, periodic)
    values, vectors = np.linalg.eigh(block)
    model = lattice.Hubbard(sites, t, U, v, electrons, periodic=periodic)
    np.testing.assert_allclose(np.linalg.eigvalsh(lattice.hamiltonian(model).toarray()), values, atol=1e-12)
    for k in range(3):
        result = lattice.solve(model, k)
        assert result.energy == pytest.approx(values[k], abs=1e-12)
        assert result.degenerate is False
        np.testing.assert_allclose(result.rdm1_up, rdm(vectors[:, k], 0), atol=1e-10)
        np.testing.assert_allclose(result.rdm1_down, rdm(vectors[:, k], 1), atol=1e-10)


# ------------------------------------------------------------------------------------------------------ symmetry

@pytest.mark.parametrize(("sites", "electrons", "periodic"), [(6, (2, 3), False), (6, (3, 3), True),
                                                              (8, (3, 4), False)])
def test_particle_hole_symmetry(sites, electrons, periodic):
    # c_i -> (-1)^i c_i^+ on a bipartite chain maps H(U, v) with (n_up, n_down) onto H(U, -U - v) with
    # (L - n_up, L - n_down), shifted by U L + 2 sum(v); gamma^sigma -> 1 - S gamma^sigma S, S = diag((-1)^i).
    U = 3.0
    v = np.random.default_rng(RNG_SEED + 3).uniform(-1, 1, sites)
    holes = (sites - electrons[0], sites - electrons[1])
    particles = lattice.solve(lattice.Hubbard(sites, 1.0, U, v, electrons, periodic=periodic))
    mirrored = lattice.solve(lattice.Hubbard(sites, 1.0, U, -U - v, holes, periodic=periodic))
    assert particles.energy == pytest.approx(mirrored.energy + U * sites + 2 * v.sum(), abs=1e-9)
    S = np.diag((-1.0) ** np.arange(sites))
    np.testing.assert_allclose(particles.rdm1_up, np.eye(sites) - S @ mirrored.rdm1_up @ S, atol=1e-7)
    np.testing.assert_allclose(particles.rdm1_down, np.eye(sites) - S @ mirrored.rdm1_down @ S, atol=1e-7)


def test_half_filled_uniform_chain_has_one_electron_per_site_and_bipartite_rdm():
    result = lattice.solve(lattice.Hubbard(8, 1.0, 4.0, np.zeros(8), (4, 4)))
    np.testing.assert_allclose(result.occupations, 1.0, atol=1e-8)
    # particle-hole symmetry at half filling: gamma_ij = 0 between sites of the same sublattice (i != j)
    same = (np.add.outer(np.arange(8), np.arange(8)) % 2 == 0) & ~np.eye(8, dtype=bool)
    np.testing.assert_allclose(result.rdm1[same], 0.0, atol=1e-8)


def test_reflection_and_spin_flip_symmetry():
    sites = 6
    v = np.random.default_rng(RNG_SEED + 5).uniform(-1, 1, sites)
    J = np.eye(sites)[::-1]
    base = lattice.solve(lattice.Hubbard(sites, 1.0, 2.0, v, (3, 2)))
    reflected = lattice.solve(lattice.Hubbard(sites, 1.0, 2.0, v[::-1], (3, 2)))
    flipped = lattice.solve(lattice.Hubbard(sites, 1.0, 2.0, v, (2, 3)))
    assert reflected.energy == pytest.approx(base.energy, abs=1e-10)
    np.testing.assert_allclose(reflected.rdm1_up, J @ base.rdm1_up @ J, atol=1e-7)
    np.testing.assert_allclose(reflected.occupations, base.occupations[::-1], atol=1e-7)
    assert flipped.energy == pytest.approx(base.energy, abs=1e-10)
    np.testing.assert_allclose(flipped.rdm1_up, base.rdm1_down, atol=1e-7)
    np.testing.assert_allclose(flipped.rdm1_down, base.rdm1_up, atol=1e-7)


# ---------------------------------------------------------------------------------- 1-RDM properties, solvers

def check_result(result, model):
    sites = model.sites
    for gamma, n in ((result.rdm1_up, model.n_up), (result.rdm1_down, model.n_down)):
        np.testing.assert_allclose(gamma, gamma.T, atol=1e-12)
        assert np.trace(gamma) == pytest.approx(n, abs=1e-9)
    np.testing.assert_allclose(result.rdm1, result.rdm1_up + result.rdm1_down, atol=1e-14)
    for natural in (result.natural_occupations_up, result.natural_occupations_down):
        assert np.all(natural >= -1e-9) and np.all(natural <= 1 + 1e-9) and np.all(np.diff(natural) <= 1e-12)
    assert np.all(result.natural_occupations >= -1e-9) and np.all(result.natural_occupations <= 2 + 1e-9)
    np.testing.assert_allclose(result.occupations, np.diag(result.rdm1), atol=1e-14)
    np.testing.assert_allclose(result.occupations_up + result.occupations_down, result.occupations, atol=1e-14)
    orbitals = result.natural_orbitals
    np.testing.assert_allclose(orbitals @ np.diag(result.natural_occupations) @ orbitals.T, result.rdm1, atol=1e-10)
    d = result.double_occupations
    assert np.all(d >= -1e-12)
    assert np.all(d <= np.minimum(result.occupations_up, result.occupations_down) + 1e-9)
    assert np.all(d >= result.occupations_up + result.occupations_down - 1 - 1e-9)
    parts = result.kinetic_energy + result.potential_energy + result.interaction_energy
    assert parts == pytest.approx(result.energy, abs=1e-8 * (1 + abs(result.energy)))
    assert result.residual < 1e-7
    assert np.sum(result.wavefunction**2) == pytest.approx(1.0)
    assert result.wavefunction.shape == (len(lattice.basis(model)[0]), len(lattice.basis(model)[1]))
    assert result.rdm1.shape == (sites, sites) and result.occupations.shape == (sites,)


@settings(max_examples=40, deadline=None)
@given(sites=st.integers(2, 5), data=st.data(), periodic=st.booleans(),
       U=st.floats(-6, 12), t=st.floats(0.2, 3))
def test_rdm_properties_hold_for_random_models(sites, data, periodic, U, t):
    n_up = data.draw(st.integers(0, sites))
    n_down = data.draw(st.integers(0 if n_up else 1, sites))
    v = data.draw(st.lists(st.floats(-3, 3), min_size=sites, max_size=sites))
    model = lattice.Hubbard(sites, t, U, v, (n_up, n_down), periodic=periodic)
    k = data.draw(st.integers(0, min(2, model.dimension - 1)))
    result = lattice.solve(model, k)
    check_result(result, model)
    np.testing.assert_allclose(result.energies, np.linalg.eigvalsh(lattice.hamiltonian(model).toarray())[: k + 1],
                               atol=1e-10)


@pytest.mark.parametrize("periodic", [False, True])
def test_iterative_and_dense_solvers_agree(monkeypatch, periodic):
    # 6 sites, (3, 3): dimension 400, solved both ways by moving the dense threshold
    v = np.random.default_rng(RNG_SEED + 9).uniform(-0.5, 0.5, 6)
    model = lattice.Hubbard(6, 1.0, 3.5, v, (3, 3), periodic=periodic)
    monkeypatch.setattr(exact, "DENSE_LIMIT", 1000)
    dense = [lattice.solve(model, k) for k in range(3)]
    monkeypatch.setattr(exact, "DENSE_LIMIT", 50)
    iterative = [lattice.solve(model, k) for k in range(3)]
    for a, b in zip(dense, iterative, strict=True):
        assert a.degenerate is False and b.degenerate is None
        assert b.energy == pytest.approx(a.energy, abs=1e-10)
        np.testing.assert_allclose(b.energies, a.energies, atol=1e-10)
        np.testing.assert_allclose(b.rdm1_up, a.rdm1_up, atol=1e-7)
        np.testing.assert_allclose(b.rdm1_down, a.rdm1_down, atol=1e-7)
        np.testing.assert_allclose(b.double_occupations, a.double_occupations, atol=1e-7)
        check_result(b, model)


def test_ten_site_half_filled_chain_iterative():
    # dimension 63,504: Lanczos; checks the sparse path on a correlated state
    v = np.random.default_rng(RNG_SEED + 13).uniform(-0.3, 0.3, 10)
    model = lattice.Hubbard(10, 1.0, 4.0, v, (5, 5))
    result = lattice.solve(model)
    check_result(result, model)
    mirrored = lattice.solve(lattice.Hubbard(10, 1.0, 4.0, -4.0 - v, (5, 5)))  # particle-hole partner
    assert result.energy == pytest.approx(mirrored.energy + 40.0 + 2 * v.sum(), abs=1e-9)
    assert result.natural_occupations_up[0] < 0.99  # correlated: not a single determinant


def test_hamiltonian_is_symmetric_and_sparse():
    model = lattice.Hubbard(6, 1.0, 2.0, np.linspace(-1, 1, 6), (3, 2), periodic=True)
    H = lattice.hamiltonian(model)
    assert H.shape == (model.dimension, model.dimension)
    assert abs(H - H.T).max() == 0.0
    assert H.nnz < 0.05 * model.dimension**2


# ------------------------------------------------------------------------------------------------- bad input

GOOD = dict(sites=4, t=1.0, U=2.0, v=np.zeros(4), electrons=(2, 2))


@pytest.mark.parametrize(("change", "error", "message"), [
    (dict(sites=1), ValueError, "sites must be at least 2"),
    (dict(sites=2.0), TypeError, "sites must be an integer"),
    (dict(sites=True), TypeError, "sites must be an integer"),
    (dict(sites=63, v=np.zeros(63)), ValueError, "sites must be at most 62"),
    (dict(t=-1.0), ValueError, "t must be greater than 0"),
    (dict(t=0.0), ValueError, "t must be greater than 0"),
    (dict(t=float("nan")), ValueError, "t must be finite"),
    (dict(t="1"), TypeError, "t must be a real number"),
    (dict(U=float("inf")), ValueError, "U must be finite"),
    (dict(U=None), TypeError, "U must be a real number"),
    (dict(v=np.zeros(3)), ValueError, r"v must hold one on-site potential per site, i.e. have shape \(4,\)"),
    (dict(v=np.zeros((2, 2))), ValueError, "v must be 1-dimensional"),
    (dict(v=[0, 0, float("nan"), 0]), ValueError, "v contains NaN"),
    (dict(v="0000"), TypeError, "v must be an array"),
    (dict(electrons=(5, 1)), ValueError, "too many spin-up electrons: 5 on 4 sites"),
    (dict(electrons="uuddddd"), ValueError, "too many spin-down electrons: 5 on 4 sites"),
    (dict(electrons=(0, 0)), ValueError, "at least one electron"),
    (dict(electrons=""), ValueError, "at least one electron"),
    (dict(electrons=(-1, 2)), ValueError, "n_up.* must be at least 0"),
    (dict(electrons=(1.0, 1)), TypeError, "n_up.* must be an integer"),
    (dict(electrons=4), TypeError, "electrons must be a pair"),
    (dict(electrons=(1, 1, 1)), TypeError, "electrons must be a pair"),
    (dict(electrons="udx"), ValueError, "only 'u' .* and 'd'"),
])
def test_bad_model_input_is_explained(change, error, message):
    with pytest.raises(error, match=message):
        lattice.Hubbard(**{**GOOD, **change})


def test_bad_periodic_flag():
    with pytest.raises(TypeError, match="periodic must be True or False"):
        lattice.Hubbard(**GOOD, periodic="yes")


def test_negative_U_is_allowed_and_pairs_electrons():
    result = lattice.solve(lattice.Hubbard(4, 1.0, -8.0, np.zeros(4), (2, 2)))
    assert result.double_occupations.sum() > 1.5  # two on-site pairs


@given(bad=st.sampled_from([float("nan"), float("inf"), -float("inf")]), where=st.integers(0, 3))
def test_any_non_finite_potential_is_refused(bad, where):
    v = np.zeros(4)
    v[where] = bad
    with pytest.raises(ValueError, match="NaN or infinite"):
        lattice.Hubbard(**{**GOOD, "v": v})


def test_bad_solve_input_is_explained():
    model = lattice.Hubbard(**GOOD)
    with pytest.raises(TypeError, match="model must be a course_utils.lattice.Hubbard"):
        lattice.solve("chain")
    with pytest.raises(ValueError, match="k must be at most 35"):
        lattice.solve(model, 36)
    with pytest.raises(ValueError, match="k must be at least 0"):
        lattice.solve(model, -1)
    with pytest.raises(TypeError, match="k must be an integer"):
        lattice.solve(model, 1.0)
    with pytest.raises(ValueError, match="tol must be greater than 0"):
        lattice.solve(model, tol=0.0)
    big = lattice.Hubbard(16, 1.0, 4.0, np.zeros(16), (8, 8))
    with pytest.raises(ValueError, match="dimension 165,636,900, above max_dimension"):
        lattice.solve(big)


def test_lanczos_reports_non_convergence(monkeypatch):
    monkeypatch.setattr(exact, "MAX_LANCZOS_STEPS", 5)
    with pytest.raises(ConvergenceError, match="Lanczos did not converge in 5 steps"):
        lattice.solve(lattice.Hubbard(8, 1.0, 4.0, np.zeros(8), (4, 4)))


def test_inaccurate_iterative_vector_is_refused(monkeypatch):
    def sloppy(apply, start, *, tol, max_steps):
        return -1.0, start / np.linalg.norm(start)

    monkeypatch.setattr(exact, "_lanczos_ground_state", sloppy)
    with pytest.raises(ConvergenceError, match="residual"):
        lattice.solve(lattice.Hubbard(8, 1.0, 4.0, np.zeros(8), (4, 4)))


def test_high_excited_state_of_a_large_model_is_refused():
    model = lattice.Hubbard(8, 1.0, 4.0, np.zeros(8), (4, 4))
    with pytest.raises(ValueError, match="k = 51 is too high for the iterative solver"):
        lattice.solve(model, 51)


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: lattice.dimer_energy(1.0, t=0.0), ValueError, "t must be positive"),
    (lambda: lattice.dimer_energy(1.0, t=[1.0, -1.0]), ValueError, "t must be positive"),
    (lambda: lattice.dimer_energy(float("nan")), ValueError, "U contains NaN"),
    (lambda: lattice.dimer_energy("4"), TypeError, "U must be an array"),
    (lambda: lattice.dimer_ground_state([1.0, 2.0], 1.0, [0.0, 1.0, 2.0]), ValueError, "must broadcast"),
    (lambda: lattice.dimer_ground_state(1.0, 1.0, float("inf")), ValueError, "delta_v contains NaN or infinite"),
    (lambda: lattice.dimer_potential_difference(2.0, 1.0), ValueError, "strictly between -2 and 2"),
    (lambda: lattice.dimer_potential_difference([0.1, -2.5], 1.0), ValueError, "strictly between -2 and 2"),
    (lambda: lattice.dimer_potential_difference(0.5, 1.0, t=-1.0), ValueError, "t must be positive"),
    (lambda: lattice.dimer_potential_difference(0.5, 1.0, tol=0.0), ValueError, "tol must be greater than 0"),
    (lambda: lattice.dimer_potential_difference(0.5, 1.0, max_iterations=3), ConvergenceError, "bisection"),
    (lambda: lattice.dimer_noninteracting_rdm1(2.5), ValueError, r"must lie in \[-2, 2\]"),
    (lambda: lattice.dimer_noninteracting_rdm1(0.5, spin_resolved="yes"), TypeError, "spin_resolved must be"),
    (lambda: lattice.Hubbard.dimer(1.0, 1.0, float("nan")), ValueError, "delta_v must be finite"),
])
def test_bad_dimer_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()
