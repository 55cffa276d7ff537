# Solution to notebook 09, exercise 1 (check: exercises.check_nb09_chi0(chi0_apply))
import numpy as np


def chi0_apply(eps, phi, n_occ, dv, dx):
    occupied, empty = phi[:, :n_occ], phi[:, n_occ:]
    # <phi_i|dv|phi_a> for occupied i and empty a, divided by eps_i - eps_a (negative: empty levels lie higher)
    coupling = occupied.T @ (dv[:, None] * empty) * dx / (eps[:n_occ, None] - eps[None, n_occ:])
    # dn = sum_i 2 phi_i dphi_i with dphi_i = sum_a phi_a <phi_a|dv|phi_i> / (eps_i - eps_a)
    return 2.0 * np.sum(occupied * (empty @ coupling.T), axis=1)
