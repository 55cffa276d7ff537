"""course_utils.learn.rdm: dimer limits and bounds, the continuum data set, and the Keras layers' guarantees."""

import numpy as np
import pytest

from course_utils import data, lattice
from course_utils.learn import rdm_networks, training
from course_utils.onedim import datasets, observables

DN = np.linspace(-1.95, 1.95, 79)


class TestDimerPhysics:
    def test_bound_is_the_kohn_sham_curve(self):
        assert np.allclose(lattice.dimer_bound(DN), lattice.dimer_noninteracting_rdm1(DN)[:, 0, 1], atol=1e-14)

    def test_bound_keeps_natural_occupations_in_unit_interval(self):
        # On the bound the per-spin 1-RDM is idempotent: occupations exactly 0 and 1.
        for dn in (-1.5, 0.0, 0.7):
            g = lattice.dimer_bound(dn)
            occupations = np.linalg.eigvalsh(0.5 * np.array([[1 + dn / 2, g], [g, 1 - dn / 2]]))
            assert np.allclose(occupations, [0.0, 1.0], atol=1e-12)

    def test_exact_values_lie_below_the_bound(self):
        for U in (0.5, 4.0, 20.0):
            assert np.all(lattice.exact_dimer_gamma(DN, U) <= lattice.dimer_bound(DN) + 1e-12)

    def test_strong_coupling_limit(self):
        assert np.max(np.abs(lattice.exact_dimer_gamma(DN, 1e4) - lattice.strong_coupling_gamma(DN))) < 1e-3

    def test_interpolating_form_limits(self):
        assert np.array_equal(lattice.interpolating_gamma(DN, 0.0), lattice.dimer_bound(DN))
        U = np.array([0.3, 3.0, 30.0, 300.0])
        assert np.allclose(lattice.interpolating_gamma(0.0, U), 4 / np.sqrt(U**2 + 16), rtol=1e-12)
        assert np.max(np.abs(lattice.interpolating_gamma(DN, 1e6) - lattice.strong_coupling_gamma(DN))) < 1e-4
        assert np.allclose(lattice.interpolating_gamma(DN, 4.0), lattice.interpolating_gamma(-DN, 4.0))

    def test_interpolating_form_error_against_exact(self):
        for U in (1.0, 4.0, 10.0):
            assert np.max(np.abs(lattice.interpolating_gamma(DN, U) - lattice.exact_dimer_gamma(DN, U))) < 0.035

    def test_fit_alpha_recovers_a_known_value(self):
        dn, U = np.meshgrid(DN, [1.0, 3.0, 7.0])
        gamma = lattice.interpolating_gamma(dn.ravel(), U.ravel(), 27.0)
        assert lattice.fit_alpha(dn.ravel(), U.ravel(), gamma) == pytest.approx(27.0, rel=1e-6)

    def test_interpolating_form_and_fit_kappa(self):
        assert np.array_equal(lattice.interpolating_form(DN, np.inf), lattice.dimer_bound(DN))
        assert np.allclose(lattice.interpolating_form(DN, 0.0), lattice.strong_coupling_gamma(DN), atol=1e-12)
        assert np.allclose(lattice.interpolating_form(DN, 32 / 4.0**2), lattice.interpolating_gamma(DN, 4.0))
        assert lattice.fit_kappa(DN, lattice.interpolating_form(DN, 0.37)) == pytest.approx(0.37, rel=1e-6)
        # exact data: kappa falls with U, roughly like 1/U^2
        u = np.array([1.0, 10.0])
        kappa = [lattice.fit_kappa(DN, lattice.exact_dimer_gamma(DN, v)) for v in u]
        assert -2.3 < np.log(kappa[1] / kappa[0]) / np.log(10.0) < -1.7

    def test_interpolating_form_and_fit_kappa_reject_bad_input(self):
        with pytest.raises(ValueError, match="kappa must be >= 0"):
            lattice.interpolating_form(DN, -1.0)
        with pytest.raises(ValueError, match="kappa must be >= 0"):
            lattice.interpolating_form(DN, np.nan)
        with pytest.raises(TypeError, match="kappa"):
            lattice.interpolating_form(DN, "big")
        with pytest.raises(ValueError, match="same length"):
            lattice.fit_kappa(DN, DN[:-1])
        with pytest.raises(ValueError, match="1-dimensional"):
            lattice.fit_kappa(DN[:, None], DN[:, None])
        with pytest.raises(ValueError, match="same length >= 2"):
            lattice.fit_kappa([0.1], [0.9])

    def test_samples_are_exact_and_reproducible(self):
        a, b = lattice.dimer_samples(50, seed=7), lattice.dimer_samples(50, seed=7)
        assert all(np.array_equal(a[k], b[k]) for k in a)
        state = lattice.dimer_ground_state(a["U"], 1.0, a["delta_v"])
        assert np.allclose(state.delta_n, a["delta_n"], atol=1e-9)
        assert np.allclose(state.gamma_12, a["gamma_12"])
        assert np.all(np.abs(a["delta_n"]) <= 1.9) and np.all((a["U"] >= 0) & (a["U"] <= 10))

    def test_bond_bound(self):
        n1 = np.linspace(0.05, 1.95, 20)
        assert np.allclose(lattice.bond_bound(n1, 2 - n1), lattice.dimer_bound(n1 - (2 - n1)))
        assert lattice.bond_bound(2.0, 2.0) == 0.0 and lattice.bond_bound(0.0, 0.3) == 0.0
        # Exact chain bonds respect it.
        rng = np.random.default_rng(0)
        for U in (0.0, 4.0):
            result = lattice.solve(lattice.Hubbard(6, 1.0, U, rng.uniform(-4, 4, 6), (3, 3)))
            n = result.occupations
            assert np.all(np.abs(np.diag(result.rdm1, 1)) <= lattice.bond_bound(n[:-1], n[1:]) + 1e-10)


class TestContinuumData:
    def test_cached_samples_match_a_fresh_build(self):
        cached = data.load(datasets.RDM1_WELLS, rebuild=False)
        fresh = data.build(datasets.RDM1_WELLS, [0, 321], progress=False)
        for key in cached:
            assert np.allclose(cached[key][[0, 321]], fresh[key], rtol=1e-5, atol=1e-6), key

    def test_unpacked_data_are_consistent(self):
        d = datasets.load_rdm1_wells()
        assert d["rdm1"].shape == (600, 40, 40)
        assert np.allclose(d["rdm1"], np.swapaxes(d["rdm1"], 1, 2))
        assert np.allclose(np.diagonal(d["rdm1"], axis1=1, axis2=2), d["density"], atol=1e-6)
        assert np.allclose(d["density"].sum(axis=1) * d["dx"], 2.0, atol=1e-4)
        kinetic = observables.rdm1_kinetic_energy(d["rdm1"], d["kinetic_matrix"], d["dx"])
        assert np.allclose(kinetic, d["kinetic_energy"], atol=1e-4)
        occupations = d["natural_occupations"]
        assert occupations.min() > -1e-5 and occupations.max() < 2 + 1e-6
        # Kohn-Sham (one orbital sqrt(n/2)) has the lowest kinetic energy for the density: T_c >= 0.
        ks = np.sqrt(d["density"][:, :, None] * d["density"][:, None, :])
        assert np.all(d["kinetic_energy"] - observables.rdm1_kinetic_energy(ks, d["kinetic_matrix"], d["dx"]) > -1e-4)


class TestKerasModels:
    """Guarantees that hold for any weights, checked on untrained networks with random inputs."""

    def test_informed_dimer_network_is_even_and_bounded(self):
        model = rdm_networks.dimer_network(constrained=True, seed=3)
        U = np.random.default_rng(1).uniform(0, 10, DN.size)
        gamma = rdm_networks.predict_gamma(model, DN, U)
        mirrored = rdm_networks.predict_gamma(model, -DN, U)
        assert np.allclose(gamma, mirrored, atol=1e-7)
        assert np.all((gamma > 0) & (gamma < lattice.dimer_bound(DN)))
        fraction = rdm_networks.dimer_fraction(model, DN, U)
        assert np.all((fraction > 0) & (fraction < 1))

    def test_dimer_network_switches_constraints_one_at_a_time(self):
        U = np.random.default_rng(4).uniform(0, 10, DN.size)
        symmetric = rdm_networks.dimer_network(symmetric=True, bounded=False, hidden=(8,), seed=2)
        bounded = rdm_networks.dimer_network(symmetric=False, bounded=True, hidden=(8,), seed=2)
        assert symmetric.name == "symmetric_dimer" and bounded.name == "bounded_dimer"
        assert np.allclose(rdm_networks.predict_gamma(symmetric, DN, U), rdm_networks.predict_gamma(symmetric, -DN, U),
                           atol=1e-7)
        gamma = rdm_networks.predict_gamma(bounded, DN, U)
        assert np.all((gamma > 0) & (gamma < lattice.dimer_bound(DN)))
        assert not np.allclose(gamma, rdm_networks.predict_gamma(bounded, -DN, U), atol=1e-4)
        # the flags default to `constrained`
        assert rdm_networks.dimer_network(constrained=True, symmetric=False, hidden=(4,)).name == "bounded_dimer"
        assert rdm_networks.dimer_network(hidden=(4,)).name == "plain_dimer"

    def test_dimer_network_rejects_non_boolean_flags(self):
        with pytest.raises(TypeError, match="symmetric must be True, False or None"):
            rdm_networks.dimer_network(symmetric=1)
        with pytest.raises(TypeError, match="bounded must be True, False or None"):
            rdm_networks.dimer_network(bounded="yes")
        with pytest.raises(TypeError, match="constrained must be True or False"):
            rdm_networks.dimer_network(constrained=None)

    def test_rdm1_network_has_density_on_the_diagonal_and_is_positive(self):
        model = rdm_networks.rdm1_network(24, width=4, features=2, seed=0)
        rng = np.random.default_rng(2)
        density = rng.uniform(0, 1, (5, 24))
        density *= 2 / density.sum(axis=1, keepdims=True)
        gamma = rdm_networks.predict(model, density)
        assert np.allclose(np.diagonal(gamma, axis1=1, axis2=2), density, atol=1e-6)
        assert np.allclose(gamma, np.swapaxes(gamma, 1, 2), atol=1e-7)
        assert observables.natural_occupations(gamma, 1.0).min() > -1e-6
        assert np.all(np.abs(gamma) <= np.sqrt(density[:, :, None] * density[:, None, :]) + 1e-6)

    def test_trainer_learns_and_resets(self):
        model = rdm_networks.dimer_network(constrained=False, hidden=(8,), seed=0)
        train, valid = lattice.dimer_samples(64, seed=1), lattice.dimer_samples(32, seed=2)
        x, y = rdm_networks.dimer_inputs(train["delta_n"], train["U"]), train["gamma_12"][:, None]
        xv, yv = rdm_networks.dimer_inputs(valid["delta_n"], valid["U"]), valid["gamma_12"][:, None]
        trainer = training.CompiledTrainer(model, learning_rate=1e-2)
        before = float(np.mean((rdm_networks.predict(model, xv) - yv) ** 2))
        history = trainer.fit(x, y, xv, yv, max_steps=300, check_every=50, patience=3)
        assert history["val_loss"].min() < 0.2 * before
        trainer.reset()
        assert float(np.mean((rdm_networks.predict(model, xv) - yv) ** 2)) == pytest.approx(before, rel=1e-6)
        history = trainer.fit(x, y, xv, yv, max_steps=100, batch_size=16, check_every=50, patience=3)
        assert history["val_loss"].min() < before
        with pytest.raises(ValueError, match="same length"):
            trainer.fit(x, y[:-1], xv, yv)
