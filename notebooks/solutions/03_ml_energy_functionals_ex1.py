# Solution to notebook 03, exercise 1 (check: exercises.check_nb03_qeq_solve(qeq_charges))
import numpy as np


def qeq_charges(a, chi, total_charge):
    """Charges minimising chi.q + q.A.q/2 with sum(q) = total_charge: the bordered system [[A, 1], [1^T, 0]]."""
    n = len(chi)
    bordered = np.zeros((n + 1, n + 1))
    bordered[:n, :n] = a
    bordered[:n, n] = 1.0  # the multiplier enters every atom's stationarity condition
    bordered[n, :n] = 1.0  # the last row is the constraint
    rhs = np.append(-chi, total_charge)
    return np.linalg.solve(bordered, rhs)[:n]
