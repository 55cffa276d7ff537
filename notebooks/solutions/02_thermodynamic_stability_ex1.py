# Solution to notebook 02, exercise 1 (check: exercises.check_alloy_formation_energy(formation_energy_mev))
import numpy as np

from course_utils import data

alloys = data.load("alloys")


def energy_per_atom(prototype, formula):
    row = np.flatnonzero((alloys["prototype"] == prototype) & (alloys["formula"] == formula))[0]
    return alloys["energy_per_atom"][row]  # eV/atom


# Each element's reference is its lowest-energy structure: hcp (A3) for Cu in EMT, fcc (A1) for Au.
e_cu = min(energy_per_atom(p, "Cu") for p in ("A1", "A2", "A3"))
e_au = min(energy_per_atom(p, "Au") for p in ("A1", "A2", "A3"))
formation_energy_mev = (energy_per_atom("L1_2", "AuCu3") - 0.75 * e_cu - 0.25 * e_au) * 1000
print(f"E_f(L1_2 Cu3Au) = {formation_energy_mev:.2f} meV/atom")
