# Solution to notebook 08, exercise 1 (check: exercises.check_nb08_coulomb_matrix(coulomb_matrix))
import numpy as np


def coulomb_matrix(numbers, positions):
    z = np.asarray(numbers, dtype=float)
    r = np.asarray(positions, dtype=float) / 0.529177210903  # Angstrom -> bohr: the matrix is in atomic units
    distances = np.linalg.norm(r[:, None, :] - r[None, :, :], axis=-1)
    np.fill_diagonal(distances, 1.0)  # any non-zero value: the diagonal is replaced below
    matrix = np.outer(z, z) / distances
    np.fill_diagonal(matrix, 0.5 * z**2.4)
    return matrix
