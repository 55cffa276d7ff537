"""Part B of notebook 03: two-electron diatomics (forces, dipoles, equilibrium), the ``xc_molecules_1d`` split and
the molecules' functional; the argument checks."""

import numpy as np
import pytest

from course_utils.onedim import curves, exact, interactions, systems
from course_utils.units import HARTREE_TO_INVERSE_CM

SMALL = {**curves.MOLECULES_PARAMS, "n_points": 60, "half_width": 10.0}


def _exact_total(r, charges, params=SMALL):
    system = curves.diatomic(r, charges, params)
    result = exact.solve(system, tol=1e-10)
    return system, result, result.energy + system.nuclear_repulsion


@pytest.mark.parametrize("charges", [(1.0, 1.0), (1.25, 0.75)])
def test_hellmann_feynman_force_is_minus_the_slope_of_the_exact_energy(charges):
    r, h = 1.8, 1e-3
    system, result, _ = _exact_total(r, charges)
    force = curves.bond_force(system, result.density, r, charges)
    slope = (_exact_total(r + h, charges)[2] - _exact_total(r - h, charges)[2]) / (2 * h)
    assert abs(force + slope) < 2e-6
    # the two nuclear forces: equal and opposite only when the total force on the molecule vanishes; a neutral
    # molecule in no field has zero net force
    forces = curves.hellmann_feynman_forces(system, result.density, curves.nuclear_positions(r), charges)
    assert abs(forces.sum()) < 1e-6


def test_self_consistent_lda_force_matches_its_own_energy_slope_but_not_off_self_consistency():
    r, h, z = 1.6, 1e-3, (1.0, 1.0)
    options = {"tol": 1e-11, "energy_tol": 1e-12}
    curve = curves.kohn_sham_curve([r - h, r, r + h], z, "lda", params=SMALL, **options)
    assert curve.converged.all()
    assert abs(curve.force[1] + (curve.energy[2] - curve.energy[0]) / (2 * h)) < 1e-6
    # off self-consistency they differ: the LDA energy functional evaluated on the exact densities (not its
    # minimiser) has another slope than the Hellmann-Feynman force on those densities
    from course_utils.onedim import datasets, lda

    def on_exact(rr):
        system = curves.diatomic(rr, z, SMALL)
        ref = datasets.xc_reference(system)
        e_lda = lda.SoftCoulombLDA().evaluate(ref["density"] / 2, ref["density"] / 2, system.dx)[2]
        return system, ref, ref["energy"] - ref["xc_energy"] + e_lda + system.nuclear_repulsion

    system, ref, _ = on_exact(r)
    force = curves.bond_force(system, ref["density"], r, z)
    slope = (on_exact(r + h)[2] - on_exact(r - h)[2]) / (2 * h)
    assert abs(force + slope) > 1e-3


def test_slope_of_a_general_interaction_by_finite_difference():
    w = interactions.idea_softened(1.0)
    u = np.array([0.3, 1.0, 2.5])
    assert np.allclose(curves._slope(w, u), -1.0 / (u + 1.0) ** 2, atol=1e-8)
    soft = interactions.soft_coulomb(1.0)
    assert np.allclose(curves._slope(soft, u), (soft(u + 1e-6) - soft(u - 1e-6)) / 2e-6, atol=1e-8)


def test_dipole_is_origin_independent_for_a_neutral_molecule_and_refused_for_an_ion():
    system, result, _ = _exact_total(2.0, (1.25, 0.75))
    x, n = np.array(system.x), result.density
    d = curves.dipole(x, n, curves.nuclear_positions(2.0), (1.25, 0.75))
    shifted = curves.dipole(x + 0.7, n, curves.nuclear_positions(2.0) + 0.7, (1.25, 0.75))
    assert abs(d - shifted) < 1e-9 and d > 0.01  # electrons lean towards the larger charge at -R/2
    symmetric = _exact_total(2.0, (1.0, 1.0))[1]
    assert abs(curves.dipole(x, symmetric.density, curves.nuclear_positions(2.0), (1.0, 1.0))) < 1e-8
    with pytest.raises(ValueError, match="depends on the origin"):
        curves.dipole(x, n, curves.nuclear_positions(2.0), (1.5, 0.75))


def test_equilibrium_of_a_morse_curve():
    de, a, re, mu = 0.17, 1.0, 1.4, 918.0
    r = np.arange(0.6, 4.0, 0.1)
    e = de * (1 - np.exp(-a * (r - re))) ** 2 - de
    eq = curves.equilibrium(r, e, mu, window=0.3)
    k = 2 * de * a**2
    assert abs(eq.bond_length - re) < 1e-3 and abs(eq.curvature / k - 1) < 0.02
    assert abs(eq.energy + de) < 1e-5
    assert abs(eq.wavenumber - np.sqrt(k / mu) * HARTREE_TO_INVERSE_CM) < 0.02 * eq.wavenumber
    with pytest.raises(ValueError, match="at an end"):
        curves.equilibrium(r[r > 2.0], e[r > 2.0], mu)
    with pytest.raises(ValueError, match="only 3 points"):
        curves.equilibrium(r, e, mu, window=0.1)
    with pytest.raises(ValueError, match="finite"):
        curves.equilibrium(r, np.where(r > 3, np.nan, e), mu)
    with pytest.raises(ValueError, match="reduced_mass"):
        curves.equilibrium(r, e, 0.0)


def test_diatomic_matches_hydrogen_molecule_and_argument_checks():
    a = curves.diatomic(1.6, (1.0, 1.0), SMALL)
    b = systems.hydrogen_molecule(1.6, n_points=60, half_width=10.0)
    assert np.allclose(a.v_ext, b.v_ext) and a.nuclear_repulsion == pytest.approx(b.nuclear_repulsion)
    with pytest.raises(ValueError, match="charges"):
        curves.diatomic(1.0, (1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="separation"):
        curves.diatomic(-1.0)
    with pytest.raises(TypeError, match="System"):
        curves.hellmann_feynman_forces("H2", np.zeros(60), [0.0], [1.0])
    raw = a._copy()
    raw._interaction_model = None
    with pytest.raises(ValueError, match="raw matrix"):
        curves.hellmann_feynman_forces(raw, np.zeros(60), [0.0], [1.0])
    with pytest.raises(ValueError, match="index"):
        curves.molecule_sample(curves.XC_MOLECULES.n_samples)
    assert curves.molecule_sample(30)[1] == curves.MOLECULES_PARAMS["separations"][1]


def test_bond_length_split_interleaves_and_never_shares_a_bond_length():
    from course_utils.learn import xc

    seps = np.array(curves.MOLECULES_PARAMS["separations"])
    arrays = {"separations": seps, "separation": np.tile(seps, 2)}
    split = xc.bond_length_split(arrays)
    r = {k: set(arrays["separation"][v]) for k, v in split.items()}
    assert not (r["train"] & r["validation"]) and not (r["train"] & r["test"]) and not (r["validation"] & r["test"])
    assert sum(len(v) for v in split.values()) == 2 * seps.size
    assert min(r["train"]) == seps[0] and max(r["train"]) == seps[-1]  # held-out bond lengths are interpolations
    with pytest.raises(ValueError, match="not in"):
        xc.bond_length_split({"separations": seps, "separation": np.array([0.5])})


def test_exercise_checks_recognise_typical_mistakes():
    from course_utils import exercises
    from course_utils.units import PROTON_MASS

    arrays = curves.load_molecules()

    def right(x, n, r, z):
        system = curves.diatomic(r, z)
        return curves.bond_force(system, n, r, z)

    assert exercises.check_nb03b_bond_force(right, arrays)
    flipped = exercises.check_nb03b_bond_force(lambda *a: -right(*a), arrays)
    assert not flipped and "opposite sign" in flipped.message
    assert "placeholder" in exercises.check_nb03b_bond_force(lambda *a: None, arrays).message
    assert "placeholder" in exercises.check_nb03b_bond_force(..., arrays).message
    r, f = arrays["separations"], arrays["force"][:29]
    k = 5  # the force changes sign between R = 1.4 and 1.6 bohr
    assert f[k] > 0 > f[k + 1]
    r_e = r[k] + f[k] * (r[k + 1] - r[k]) / (f[k] - f[k + 1])
    omega = np.sqrt(-(f[k + 1] - f[k]) / (r[k + 1] - r[k]) / (PROTON_MASS / 2))
    assert exercises.check_nb03b_vibration(r_e, omega * HARTREE_TO_INVERSE_CM, r, f, PROTON_MASS / 2)
    in_hartree = exercises.check_nb03b_vibration(r_e, omega, r, f, PROTON_MASS / 2)
    assert not in_hartree and "HARTREE_TO_INVERSE_CM" in in_hartree.message
    assert not exercises.check_nb03b_vibration(r_e + 0.1, omega * HARTREE_TO_INVERSE_CM, r, f, PROTON_MASS / 2)
    # the energy fit of the same curve agrees with the force estimate to about 10 % (the 0.2-bohr chord of F)
    eq = curves.equilibrium(r, arrays["energy"][:29] + arrays["nuclear_repulsion"][:29], PROTON_MASS / 2)
    assert abs(eq.bond_length - r_e) < 0.01 and abs(eq.wavenumber / (omega * HARTREE_TO_INVERSE_CM) - 1) < 0.1
