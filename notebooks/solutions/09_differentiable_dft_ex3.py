# Solution to notebook 09, exercise 3 (check: exercises.check_nb09_force(hellmann_feynman_force))
import numpy as np


def hellmann_feynman_force(x, density, positions, charges, index):
    dx = x[1] - x[0]
    u = x - positions[index]
    # v_ext = -Z_A / sqrt((x - X_A)^2 + 1), so dv/dX_A = -Z_A (x - X_A) / ((x - X_A)^2 + 1)^(3/2)
    dv = -charges[index] * u / (u**2 + 1.0) ** 1.5
    force = -np.sum(density * dv) * dx
    for other, (position, charge) in enumerate(zip(positions, charges, strict=True)):
        if other != index:
            r = positions[index] - position
            force += charges[index] * charge * r / (r**2 + 1.0) ** 1.5  # -d/dX_A of Z_A Z_B / sqrt(R^2 + 1)
    return force
