# Solution to notebook 04, exercise 2 (check: exercises.check_rdm_dimer_bound(gamma_max))
import numpy as np


def gamma_max(delta_n):
    # Eigenvalues 1/2 ± sqrt((Δn/4)^2 + (γ/2)^2) stay in [0, 1] while (Δn/4)^2 + (γ/2)^2 <= 1/4.
    delta_n = np.asarray(delta_n, dtype=float)
    return np.sqrt(1.0 - (delta_n / 2) ** 2)


print(gamma_max(np.array([0.0, 1.0, 1.9])))
