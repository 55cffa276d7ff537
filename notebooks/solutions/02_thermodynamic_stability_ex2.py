# Solution to notebook 02, exercise 2 (check: exercises.check_alloy_energy_above_hull(e_hull_mev))
import numpy as np

from course_utils import data
from course_utils.atoms.elements import ELEMENTS

alloys = data.load("alloys")
cu, au = ELEMENTS.index("Cu"), ELEMENTS.index("Au")
fractions, e_f = alloys["fractions"], alloys["formation_energy"]
in_system = np.isclose(fractions[:, cu] + fractions[:, au], 1.0)  # Cu-Au compounds and pure Cu, Au
x_au = fractions[:, au]

hull_phases = np.flatnonzero(in_system & alloys["on_hull"])
hull_phases = hull_phases[np.argsort(x_au[hull_phases])]
row = np.flatnonzero((alloys["prototype"] == "C11_b") & (alloys["formula"] == "AuCu2"))[0]
# the hull between two neighbouring hull phases is their straight tie line: interpolate linearly in x_Au
hull_energy = np.interp(x_au[row], x_au[hull_phases], e_f[hull_phases])
e_hull_mev = (e_f[row] - hull_energy) * 1000
print("hull phases:", [f"{alloys['formula'][i]} ({alloys['prototype'][i]})" for i in hull_phases])
print(f"E_hull(C11_b Cu2Au) = {e_hull_mev:.2f} meV/atom")
