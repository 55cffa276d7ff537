# Solution to 03 exercise 4 (check: exercises.check_nb03b_vibration(bond_length, wavenumber, R_grid, force_curve, MU))
import numpy as np

from course_utils.onedim import curves
from course_utils.units import HARTREE_TO_INVERSE_CM, PROTON_MASS

diatomics = curves.load_molecules()
MU = PROTON_MASS / 2  # two protons
R_grid = diatomics["separations"]
force_curve = diatomics["force"][diatomics["molecule"] == 0]  # exact -dE/dR of the homonuclear molecule (Ha/bohr)
f = np.asarray(force_curve)
k = np.flatnonzero((f[:-1] > 0) & (f[1:] <= 0))[0]  # the force turns from repulsive (> 0) to attractive
bond_length = R_grid[k] + f[k] * (R_grid[k + 1] - R_grid[k]) / (f[k] - f[k + 1])  # linear interpolation to F = 0
stiffness = -(f[k + 1] - f[k]) / (R_grid[k + 1] - R_grid[k])  # k = -dF/dR = E''(R_e)  (Ha/bohr^2)
wavenumber = np.sqrt(stiffness / MU) * HARTREE_TO_INVERSE_CM
