# Solution to notebook 00, exercise 1 (check: exercises.check_box_energy(excitation_ev))
import numpy as np

from course_utils import units

length = 10.0  # bohr
energy = lambda n: n**2 * np.pi**2 / (2 * length**2)  # noqa: E731  (Hartree)
excitation_ev = (energy(2) - energy(1)) * units.HARTREE_TO_EV
print(f"E_2 - E_1 = {excitation_ev:.4f} eV")
