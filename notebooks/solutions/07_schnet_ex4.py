# Solution to notebook 07, exercise 4 (check: exercises.check_nb07_polarizability(finite_difference_polarizability))
import numpy as np


def finite_difference_polarizability(dipole, h):
    alpha = np.zeros((3, 3))
    for k in range(3):
        step = np.zeros(3)
        step[k] = h
        # central difference: the error is of order h^2 (the quadratic term of mu(F) cancels)
        alpha[:, k] = (np.asarray(dipole(step)) - np.asarray(dipole(-step))) / (2 * h)
    return alpha
