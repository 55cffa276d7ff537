"""Checks for notebook 10 (machine-learning potentials). Every check explains in words what is wrong and
recognises the typical mistakes."""

from __future__ import annotations

import numpy as np

from ._feedback import checker, is_placeholder


def _reference_pair_features(atoms, basis):
    from ..learn import splines

    i, j, shifts = splines.neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, basis.r2_cut)
    r = np.linalg.norm(atoms.positions[j] + shifts - atoms.positions[i], axis=1)
    idx, val, _ = basis.pair.evaluate(r)
    return 0.5 * np.bincount(idx.ravel(), val.ravel(), minlength=basis.pair.n_basis)


@checker("the pair features of the spline potential")
def check_nb10_pair_features(pair_features):
    """``pair_features(atoms, basis)`` must return ``x_n = sum_{i<j} B_n(r_ij)`` for the free pair basis
    functions, i.e. the two-body block of ``basis.design(atoms)[0]``."""
    from ase.build import bulk

    from ..learn import splines

    if is_placeholder(pair_features):
        raise NotImplementedError
    if not callable(pair_features):
        return False, f"pair_features must be a function of (atoms, basis), got {type(pair_features).__name__}"
    basis = splines.SplineBasis(r_min=1.5, r2_cut=5.0, n2_intervals=10, n3_intervals=0)
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(2)
    atoms.rattle(0.08, seed=5)
    answer = pair_features(atoms, basis)
    if is_placeholder(answer):
        raise NotImplementedError
    answer = np.asarray(answer, dtype=float)
    full = _reference_pair_features(atoms, basis)
    expected = full[: basis.n2]
    if answer.shape == full.shape:
        return False, (f"your row has {answer.size} entries, one per basis function; the last three are fixed at "
                       f"zero and are not features: keep the first basis.n2 = {basis.n2}")
    if answer.shape != expected.shape:
        return False, f"expected an array of shape ({basis.n2},), got shape {answer.shape}"
    if np.allclose(answer, 2 * expected, rtol=1e-8, atol=1e-10):
        return False, ("every pair is counted twice: the full neighbour list holds (i, j) and (j, i); take half "
                       "of the sum (or keep only i < j)")
    if np.allclose(answer, expected, rtol=1e-8, atol=1e-10):
        design = basis.design(atoms)[0][basis.slices["2"]]
        same = np.allclose(design, answer)
        return True, (f"the {basis.n2} pair features of a 32-atom cell sum to {answer.sum():.1f} = the number of "
                      f"pairs within the cutoff (the B-splines sum to one){' and match basis.design' if same else ''}:"
                      " one structure's row is a sum over its pairs, so building a fit costs one pass over the data.")
    return False, (f"the first features are {np.round(answer[:3], 3).tolist()}, expected "
                   f"{np.round(expected[:3], 3).tolist()}: sum the values of basis.pair.evaluate(r) into the "
                   "entries its indices name (np.bincount or np.add.at)")


def _reference_vacancy(calc, a0):
    from ase.build import bulk

    perfect = bulk("Cu", "fcc", a=a0, cubic=True).repeat(3)
    perfect.calc = calc
    e_perfect = perfect.get_potential_energy()
    vacant = perfect.copy()
    del vacant[0]
    vacant.calc = calc
    return vacant.get_potential_energy() - (len(vacant) / len(perfect)) * e_perfect, e_perfect


@checker("the vacancy formation energy")
def check_nb10_vacancy_energy(vacancy_formation_energy):
    """``vacancy_formation_energy(calc, a)`` must return ``E_{N-1} - (N-1)/N E_N`` (eV) of a 108-site fcc copper
    cell at lattice constant ``a`` (Angstrom), unrelaxed; tried with EMT and with a Morse pair potential."""
    from ase.calculators.morse import MorsePotential

    from ..atoms.calculators import emt
    from ..atoms.copper_md import equilibrium_lattice_constant

    if is_placeholder(vacancy_formation_energy):
        raise NotImplementedError
    if not callable(vacancy_formation_energy):
        return False, f"vacancy_formation_energy must be a function of calc, got {type(vacancy_formation_energy)}"
    results = {}
    a0 = equilibrium_lattice_constant()
    morse = MorsePotential(epsilon=0.34, r0=2.63, rho0=4.0, rcut1=1.6, rcut2=2.0)
    for name, calc in (("EMT", emt()), ("Morse", morse)):
        answer = vacancy_formation_energy(calc, a0)
        if is_placeholder(answer):
            raise NotImplementedError
        expected, e_perfect = _reference_vacancy(calc, a0)
        answer = float(answer)
        if abs(answer - expected) < 1e-6:
            results[name] = answer
            continue
        if abs(answer - (expected - e_perfect / 108)) < 1e-6:
            return False, (f"with {name} you returned E_(N-1) - E_N = {answer:.3f} eV: that is the energy to remove "
                           "an atom to vacuum plus its cohesive energy; a vacancy puts the atom back into the bulk, "
                           "so compare with (N-1)/N of the perfect cell's energy")
        if abs(answer + expected) < 1e-6:
            return False, "the sign is reversed: E_v is E(cell with vacancy) minus (N-1)/N E(perfect cell)"
        return False, (f"with {name} the function returned {answer:.4f} eV, expected {expected:.4f} eV (unrelaxed, "
                       "a 3x3x3 cubic cell of 108 sites at a0, one atom removed)")
    return True, (f"E_v = {results['EMT']:.3f} eV with EMT and {results['Morse']:.3f} eV with a Morse pair potential "
                  "(unrelaxed): the factor (N-1)/N compares equal numbers of atoms, the atom taken out stays in "
                  "the bulk. (For a pair potential E_v is close to minus the cohesive energy, far above the "
                  "measured value for real metals: one reason metals need many-body potentials.)")


@checker("the Green-Kubo integral in SI units")
def check_nb10_green_kubo(green_kubo_kappa):
    """``green_kubo_kappa(lag_fs, acf, volume, temperature)`` must be the running trapezoidal integral of ``acf``
    divided by ``V k_B T^2``, in W/(m K); tried on a seeded, exponentially correlated model flux."""
    from ase import units

    from ..atoms.md import green_kubo

    if is_placeholder(green_kubo_kappa):
        raise NotImplementedError
    if not callable(green_kubo_kappa):
        return False, f"green_kubo_kappa must be a function, got {type(green_kubo_kappa).__name__}"
    rng = np.random.default_rng(10)
    flux = np.zeros((2000, 3))
    for t in range(1, len(flux)):  # a flux with a correlation time of about 20 steps (eV Angstrom/fs)
        flux[t] = 0.95 * flux[t - 1] + rng.normal(scale=0.05, size=3)
    timestep_fs, volume, temperature = 4.0, 1270.0, 300.0
    lag, acf, expected = green_kubo(flux, timestep_fs=timestep_fs, volume=volume, temperature_K=temperature,
                                    max_lag=100)
    answer = green_kubo_kappa(lag, acf, volume, temperature)
    if is_placeholder(answer):
        raise NotImplementedError
    answer = np.asarray(answer, dtype=float)
    if answer.shape != expected.shape:
        return False, f"expected one value per lag, shape {expected.shape}, got {answer.shape}"
    scale = np.max(np.abs(expected))
    if np.allclose(answer, expected, rtol=1e-6, atol=1e-9 * scale):
        return True, (f"kappa(t = {lag[-1]:.0f} fs) = {answer[-1]:.1f} W/(m K); 1 eV/(Å fs K) is "
                      f"{units._e / 1e-25:.3g} W/(m K), which is why the conversion matters.")
    if np.allclose(answer * temperature, expected * temperature ** 2, rtol=1e-6, atol=1e-9 * scale * temperature):
        return False, "divide by T squared, not T: the Green-Kubo prefactor is 1/(V k_B T^2)"
    ratio = answer[-1] / expected[-1] if expected[-1] else np.nan
    if np.isfinite(ratio) and abs(ratio * units._e / 1e-25 - 1) < 1e-6:
        return False, ("the shape is right but the units are not: multiply eV/(Å fs K) by e / (1e-10 m * 1e-15 s) = "
                       f"{units._e / 1e-25:.4g} to get W/(m K)")
    if abs(answer[0]) > 1e-12 * scale:
        return False, "the running integral must start at 0 (no area under the curve yet at t = 0)"
    return False, (f"at the last lag you give {answer[-1]:.4g} W/(m K), expected {expected[-1]:.4g} W/(m K) "
                   f"(ratio {ratio:.3g}); use the trapezoidal rule with the step lag_fs[1] - lag_fs[0]")
