# Solution to notebook 07, exercise 3 (check: exercises.check_nb07_dihedral(dihedral))
import numpy as np


def dihedral(p0, p1, p2, p3):
    b1, b2, b3 = p1 - p0, p2 - p1, p3 - p2  # (M, 3) bond vectors along the chain
    n1, n2 = np.cross(b1, b2), np.cross(b2, b3)  # normals of the planes (p0, p1, p2) and (p1, p2, p3)
    x = np.sum(n1 * n2, axis=-1)  # |n1||n2| cos(phi)
    y = np.linalg.norm(b2, axis=-1) * np.sum(b1 * n2, axis=-1)  # |n1||n2| sin(phi): the sign tells g+ from g-
    return np.degrees(np.arctan2(y, x))
