"""Checks for notebook 03, part B (a learned functional of the full density: forces and vibrations of 1D
molecules). The references are :mod:`course_utils.onedim.curves`; every check says in words what is wrong."""

from __future__ import annotations

import numpy as np

from ._feedback import checker, is_placeholder


@checker("the Hellmann-Feynman bond force")
def check_nb03b_bond_force(bond_force_from_density, arrays):
    """``bond_force_from_density(x, density, R, charges)`` must return ``-dE/dR`` (Ha/bohr) of the soft-Coulomb
    diatomic with nuclei at ``-R/2`` and ``+R/2``; compared with the exact forces of the data set (exact densities)
    and with the slope of the exact binding curve."""
    from ..onedim import curves

    if is_placeholder(bond_force_from_density):
        raise NotImplementedError
    if not callable(bond_force_from_density):
        return False, f"bond_force_from_density must be a function, got {type(bond_force_from_density).__name__}"
    x = np.asarray(arrays["x"])
    worst, where = 0.0, None
    for i in (3, 8, 20, 29 + 4, 29 + 15, 29 + 26):
        answer = bond_force_from_density(x, arrays["density"][i], float(arrays["separation"][i]),
                                         tuple(arrays["charges"][i]))
        if is_placeholder(answer):
            raise NotImplementedError
        answer = float(np.asarray(answer).reshape(()))
        reference = float(arrays["force"][i])
        if abs(answer - reference) > worst:
            worst, where = abs(answer - reference), (i, answer, reference)
    if worst < 1e-8:
        return True, ("your force agrees with curves.bond_force on six exact densities of both molecules, and so with "
                      "minus the slope of the exact binding curve.")
    i, answer, reference = where
    r, z = float(arrays["separation"][i]), tuple(arrays["charges"][i])
    hint = ""
    if abs(answer + reference) < 1e-6 * max(1.0, abs(reference)):
        hint = " It has the opposite sign: F = -dE/dR, positive when the nuclei are pushed apart."
    elif abs(answer - 2 * reference) < 1e-6 or abs(answer - 0.5 * reference) < 1e-6:
        hint = " It is off by a factor of 2: with the nuclei at -R/2 and +R/2, -dE/dR = (F_B - F_A)/2."
    else:
        system = curves.diatomic(r, z)
        forces = curves.hellmann_feynman_forces(system, np.zeros_like(x) + 1e-300, curves.nuclear_positions(r), z)
        nuclear_only = 0.5 * float(forces[1] - forces[0])
        if abs(answer - (reference - nuclear_only)) < 1e-6:
            hint = " The nucleus-nucleus repulsion is missing: Z_A Z_B w(R) depends on R too."
        elif abs(answer - nuclear_only) < 1e-6:
            hint = " Only the nuclear repulsion is there: the electrons' attraction to each nucleus is missing."
    return False, (f"at R = {r:g} bohr, charges {z}, your force is {answer:.6f} Ha/bohr, the Hellmann-Feynman force is "
                   f"{reference:.6f}.{hint}")


@checker("bond length and frequency from the force")
def check_nb03b_vibration(bond_length, wavenumber, separations, forces, reduced_mass):
    """``bond_length`` (bohr): where the force curve ``forces(separations)`` crosses zero; ``wavenumber`` (cm^-1):
    ``sqrt(k / mu)`` with ``k = -dF/dR`` there, in cm^-1. Compared with a linear interpolation of the same curve."""
    from ..units import HARTREE_TO_INVERSE_CM

    if is_placeholder(bond_length) or is_placeholder(wavenumber):
        raise NotImplementedError
    r, f = np.asarray(separations, dtype=float), np.asarray(forces, dtype=float)
    k = int(np.flatnonzero((f[:-1] > 0) & (f[1:] <= 0))[0])  # the force changes from repulsive to attractive
    r_e = r[k] + f[k] * (r[k + 1] - r[k]) / (f[k] - f[k + 1])
    stiffness = -(f[k + 1] - f[k]) / (r[k + 1] - r[k])
    wn = np.sqrt(stiffness / reduced_mass) * HARTREE_TO_INVERSE_CM
    bond_length, wavenumber = float(bond_length), float(wavenumber)
    problems = []
    if abs(bond_length - r_e) > 0.02:
        problems.append(f"the force crosses zero at R = {r_e:.3f} bohr, you have {bond_length:.3f}")
    if abs(wavenumber / wn - 1) > 0.05:
        hint = ""
        if abs(wavenumber / (wn / HARTREE_TO_INVERSE_CM) - 1) < 0.05:
            hint = " (that is the value in Ha: multiply by units.HARTREE_TO_INVERSE_CM)"
        elif abs(wavenumber / (wn * np.sqrt(reduced_mass)) - 1) < 0.05:
            hint = " (the reduced mass is missing: omega = sqrt(k / mu))"
        problems.append(f"the harmonic wavenumber is about {wn:.0f} cm^-1, you have {wavenumber:.0f}{hint}")
    if problems:
        return False, "; ".join(problems) + "."
    return True, (f"R_e = {bond_length:.3f} bohr and {wavenumber:.0f} cm^-1 from the force alone; compare them with "
                  "the energy fit of the table above.")
