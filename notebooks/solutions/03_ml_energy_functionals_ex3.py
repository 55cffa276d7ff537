# Solution to 03 exercise 3 (check: exercises.check_nb03b_bond_force(bond_force_from_density, diatomics))
import numpy as np


def bond_force_from_density(x, density, R, charges):
    """-dE/dR (Ha/bohr) of nuclei Z_A at -R/2 and Z_B at +R/2, soft-Coulomb w(u) = 1/sqrt(u^2 + 1)."""
    def slope(u):  # dw/du
        return -u / (u**2 + 1.0) ** 1.5

    dx = x[1] - x[0]
    z_a, z_b = charges
    x_a, x_b = -R / 2, R / 2
    # F_A = -Z_A integral n w'(x - X_A) dx - Z_A Z_B w'(X_A - X_B), and the same for B
    f_a = -z_a * np.sum(density * slope(x - x_a)) * dx - z_a * z_b * slope(x_a - x_b)
    f_b = -z_b * np.sum(density * slope(x - x_b)) * dx - z_a * z_b * slope(x_b - x_a)
    return 0.5 * (f_b - f_a)  # dE/dR = (dE/dX_B - dE/dX_A) / 2
