"""Checks for notebook 00 (welcome)."""

from __future__ import annotations

import math

from ..units import BOHR_TO_ANGSTROM, HARTREE_TO_EV
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


@checker("the box length that gives a chosen excitation energy")
def check_box_length(answer_angstrom, gap_ev: float = 2.0):
    """The length L (Angstrom) of a hard-wall box whose n=1 -> n=2 excitation energy is ``gap_ev`` (eV).

    E_2 - E_1 = 3 pi^2 / (2 L^2) Hartree, so L = pi sqrt(3 / (2 Delta E)) bohr with Delta E in Hartree.
    """
    if is_placeholder(answer_angstrom):
        raise NotImplementedError
    if isinstance(gap_ev, bool) or not isinstance(gap_ev, (int, float)) or not gap_ev > 0:
        raise ValueError(f"gap_ev must be a positive number of eV, got {gap_ev!r}")
    if isinstance(answer_angstrom, bool) or not isinstance(answer_angstrom, (int, float)):
        return False, f"expected a number (the length in Å), got {type(answer_angstrom).__name__}."
    if not math.isfinite(answer_angstrom) or answer_angstrom <= 0:
        return False, f"a box length is a positive number; got {answer_angstrom}."
    gap_ha = gap_ev / HARTREE_TO_EV
    expected_bohr = math.pi * math.sqrt(3 / (2 * gap_ha))
    expected = expected_bohr * BOHR_TO_ANGSTROM
    if math.isclose(answer_angstrom, expected, rel_tol=1e-3):
        return True, (f"L = {answer_angstrom:.4f} Å = {expected_bohr:.3f} bohr: E_2 - E_1 = 3π²/(2L²) = "
                      f"{gap_ha:.5f} Ha = {gap_ev:g} eV.")
    if math.isclose(answer_angstrom, expected_bohr, rel_tol=1e-3):
        return False, "that is the right length in bohr; the question asks for Å (multiply by BOHR_TO_ANGSTROM)."
    if math.isclose(answer_angstrom, expected / math.sqrt(3), rel_tol=1e-3):
        return False, ("that box has a ground-state energy E_1 of the chosen size; the excitation energy is "
                       "E_2 - E_1 = 3 E_1.")
    if math.isclose(answer_angstrom, expected * math.sqrt(3 / 4), rel_tol=1e-3):
        return False, "that box has E_2 of the chosen size; the excitation energy is E_2 - E_1, not E_2."
    unconverted = math.pi * math.sqrt(3 / (2 * gap_ev))
    if any(math.isclose(answer_angstrom, v, rel_tol=1e-3) for v in (unconverted, unconverted * BOHR_TO_ANGSTROM)):
        return False, ("the energy was used in eV inside a formula written in Hartree atomic units: convert the "
                       "2.0 eV to Hartree first (divide by HARTREE_TO_EV).")
    if any(math.isclose(answer_angstrom, v, rel_tol=1e-3) for v in (expected**2, expected_bohr**2)):
        return False, "that is L², not L: take the square root."
    return False, (f"got {answer_angstrom:.4g} Å; it should be within 0.1% of the right length. Solve "
                   "ΔE = 3π²/(2L²) (Hartree, bohr) for L, then convert to Å.")
