"""Checks for notebook 00 (welcome)."""

from __future__ import annotations

import math

from ..units import HARTREE_TO_EV
from ._feedback import checker, is_placeholder


@checker("energy of the first excitation of an electron in a box")
def check_box_energy(answer_ev, length_bohr: float = 10.0):
    """The n=1 -> n=2 excitation energy of one electron in a hard-wall box, in eV.

    E_n = n^2 pi^2 / (2 L^2) Hartree (hbar = m_e = 1), so Delta E = 3 pi^2 / (2 L^2) Ha.
    """
    if is_placeholder(answer_ev):
        raise NotImplementedError
    if not isinstance(answer_ev, (int, float)) or isinstance(answer_ev, bool):
        return False, f"expected a number (the energy in eV), got {type(answer_ev).__name__}."
    expected_ha = 3 * math.pi**2 / (2 * length_bohr**2)
    expected_ev = expected_ha * HARTREE_TO_EV
    if math.isclose(answer_ev, expected_ev, rel_tol=1e-3):
        return True, f"ΔE = {answer_ev:.4f} eV = {expected_ha:.5f} Ha for L = {length_bohr:g} bohr."
    if math.isclose(answer_ev, expected_ha, rel_tol=1e-3):
        return False, "that is the right number in Hartree; the question asks for eV (multiply by HARTREE_TO_EV)."
    if math.isclose(answer_ev, expected_ev / 3, rel_tol=1e-3):
        return False, "that is the ground-state energy E_1; the excitation energy is E_2 - E_1 = 3 E_1."
    if math.isclose(answer_ev, 4 * expected_ev / 3, rel_tol=1e-3):
        return False, "that is E_2 alone; subtract the ground-state energy E_1."
    if math.isclose(answer_ev, expected_ev * 4, rel_tol=1e-3) or math.isclose(answer_ev, expected_ev / 4, rel_tol=1e-3):
        return False, "off by a factor of 4: check that the box length L enters as L**2 and is in bohr."
    return False, (f"got {answer_ev:.4g} eV; it should be within 0.1% of the exact value. Remember "
                   "E_n = n² π² / (2 L²) in Hartree for ħ = mₑ = 1.")
