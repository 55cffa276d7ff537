# Solution to notebook 09, exercise 2 (check: exercises.check_nb09_adjoint(adjoint_gradient))
import numpy as np


def adjoint_gradient(chi0, kernel, w, dv):
    size = len(w)
    # d output = w.(dv + K dn) with (1 - chi0 K) dn = chi0 dv; transposing the solve (chi0, K symmetric):
    lam = np.linalg.solve(np.eye(size) - kernel @ chi0, kernel @ w)  # one solve, whatever the parameters
    return dv @ (w + chi0 @ lam)
