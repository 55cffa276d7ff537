# Solution to notebook 10, exercise 3 (check: exercises.check_nb10_green_kubo(green_kubo_kappa))
import numpy as np
from ase import units


def green_kubo_kappa(lag_fs, acf, volume, temperature):
    lag_fs, acf = np.asarray(lag_fs, dtype=float), np.asarray(acf, dtype=float)
    integral = np.concatenate([[0.0], np.cumsum(0.5 * (acf[1:] + acf[:-1]) * np.diff(lag_fs))])
    kappa = integral / (volume * units.kB * temperature ** 2)  # eV / (Angstrom fs K)
    return kappa * units._e / (1e-10 * 1e-15)  # -> J / (m s K) = W/(m K)
