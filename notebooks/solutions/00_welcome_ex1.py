# Solution to notebook 00, exercise 1 (check: exercises.check_box_length(box_length_angstrom, gap_ev=2.0))
import numpy as np

from course_utils import units

gap_ha = 2.0 / units.HARTREE_TO_EV  # the chosen excitation energy, in Hartree
# E_2 - E_1 = (4 - 1) pi^2 / (2 L^2) in Hartree atomic units; solve for L (bohr)
length_bohr = np.pi * np.sqrt(3 / (2 * gap_ha))
box_length_angstrom = float(length_bohr * units.BOHR_TO_ANGSTROM)
print(f"L = {length_bohr:.3f} bohr = {box_length_angstrom:.3f} Å")
