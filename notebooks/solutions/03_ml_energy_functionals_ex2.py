# Solution to notebook 03, exercise 2 (check: exercises.check_nb03_fragment_transfer(transfer_at_infinity))
import numpy as np


def transfer_at_infinity(chi_a, a_a, chi_b, a_b):
    """Charge (e) fragment B ends up with when the neutral pair A + B is infinitely far apart."""
    def capacity_and_potential(chi, a):
        # a fragment holding charge Q has E(Q) = E(0) + mu Q + Q^2 / (2 s), with s = 1^T A^-1 1 and mu its
        # chemical potential dE/dQ at Q = 0
        ones = np.ones(len(chi))
        s = ones @ np.linalg.solve(a, ones)
        return s, ones @ np.linalg.solve(a, chi) / s

    s_a, mu_a = capacity_and_potential(chi_a, a_a)
    s_b, mu_b = capacity_and_potential(chi_b, a_b)
    # minimise mu_B d + d^2/(2 s_B) - mu_A d + d^2/(2 s_A) over the charge d on B (no Coulomb term at infinity)
    return (mu_a - mu_b) / (1.0 / s_a + 1.0 / s_b)
