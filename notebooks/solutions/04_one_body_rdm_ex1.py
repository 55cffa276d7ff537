# Solution to notebook 04, exercise 1 (check: exercises.check_rdm_natural_occupations(occupations, U=4.0, delta_v=1.0))
import numpy as np

from course_utils import lattice

state = lattice.dimer_ground_state(4.0, 1.0, 1.0)  # U = 4t, t = 1, Δv = 1t
per_spin_rdm1 = 0.5 * state.rdm1  # singlet: each spin carries half of the spin-summed matrix
occupations = np.linalg.eigvalsh(per_spin_rdm1)[::-1]
print("per-spin natural occupations:", np.round(occupations, 4), " sum:", round(occupations.sum(), 6))
