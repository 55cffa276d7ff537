# Solution to notebook 07, exercise 1 (check: exercises.check_nb07_cosine_cutoff(cosine_cutoff))
import numpy as np


def cosine_cutoff(r, cutoff):
    r = np.asarray(r, dtype=float)
    # beyond the cutoff the cosine would rise again (it is periodic), so the function is set to zero there
    return np.where(r < cutoff, 0.5 * (np.cos(np.pi * r / cutoff) + 1.0), 0.0)
