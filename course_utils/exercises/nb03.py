"""Checks for notebook 03 (machine-learned energy functionals), Part A: charge equilibration. NumPy only; the
references come from :mod:`course_utils.atoms.qeq`, and each check names the typical mistakes."""

from __future__ import annotations

import numpy as np

from ._feedback import checker, is_placeholder


def _test_molecule(seed=3, n=5):
    from ..atoms import qeq

    rng = np.random.default_rng(seed)
    numbers = rng.choice([1, 6, 7, 8], size=n)
    positions = rng.normal(scale=1.3, size=(n, 3))
    chi = np.array([{1: 0.0, 6: 2.0, 7: 4.0, 8: 5.5}[z] for z in numbers])
    a = qeq.hardness_matrix(positions, np.full(n, 1.5), qeq.covalent_widths(numbers))
    return a, chi


# ----------------------------------------------------------------------------------------------------------------
# Exercise 1: the constrained solve
# ----------------------------------------------------------------------------------------------------------------


@checker("the charge-equilibration solve with a Lagrange multiplier")
def check_nb03_qeq_solve(qeq_charges):
    """``qeq_charges(a, chi, total_charge)`` must return the charges minimising ``chi.q + q.A.q/2`` under
    ``sum q = total_charge`` (one solve of the bordered system), for several matrices and charges."""
    if is_placeholder(qeq_charges):
        raise NotImplementedError
    if not callable(qeq_charges):
        return False, f"qeq_charges must be a function of (a, chi, total_charge), got {type(qeq_charges).__name__}"
    for seed, total in ((3, 0.0), (4, 1.0), (5, -1.0)):
        a, chi = _test_molecule(seed)
        answer = qeq_charges(a.copy(), chi.copy(), total)
        if is_placeholder(answer):
            raise NotImplementedError
        q = np.asarray(answer, dtype=float).ravel()
        n = len(chi)
        if q.shape == (n + 1,):
            return False, ("the function returned n + 1 numbers: the last one is the Lagrange multiplier. Return "
                           "only the n charges, solution[:n]")
        if q.shape != (n,):
            return False, f"for {n} atoms the function returned {q.shape[0]} numbers, expected {n} charges"
        bordered = np.block([[a, np.ones((n, 1))], [np.ones((1, n)), np.zeros((1, 1))]])
        expected = np.linalg.solve(bordered, np.append(-chi, total))[:n]
        if np.allclose(q, expected, atol=1e-8):
            continue
        unconstrained = np.linalg.solve(a, -chi)
        if np.allclose(q, unconstrained, atol=1e-8):
            return False, ("these are the charges without the constraint: they do not add up to the total charge "
                           f"(sum = {q.sum():.3f} e). Add the row and column of ones and the multiplier")
        if np.allclose(q, np.linalg.solve(bordered, np.append(chi, total))[:n], atol=1e-8):
            return False, ("the sign of chi is wrong: at the minimum chi + A q + lambda = 0, so the right-hand side "
                           "is -chi")
        if abs(q.sum() - total) > 1e-8:
            return False, f"the charges add up to {q.sum():.4f} e, but the total charge was {total}"
        return False, (f"with total charge {total} the charges differ from the minimum by up to "
                       f"{np.max(np.abs(q - expected)):.3g} e")
    return True, ("the charges add up to the total charge, and chi + A q is the same on every atom: the "
                  "electronegativities have equalised.")


# ----------------------------------------------------------------------------------------------------------------
# Exercise 2: the fault of QEq between distant fragments
# ----------------------------------------------------------------------------------------------------------------


def _reference_transfer(chi_a, a_a, chi_b, a_b):
    ones_a, ones_b = np.ones(len(chi_a)), np.ones(len(chi_b))
    s_a = ones_a @ np.linalg.solve(a_a, ones_a)
    s_b = ones_b @ np.linalg.solve(a_b, ones_b)
    mu_a = ones_a @ np.linalg.solve(a_a, chi_a) / s_a
    mu_b = ones_b @ np.linalg.solve(a_b, chi_b) / s_b
    return (mu_a - mu_b) / (1.0 / s_a + 1.0 / s_b)


@checker("the charge QEq moves between two fragments infinitely far apart")
def check_nb03_fragment_transfer(transfer_at_infinity):
    """``transfer_at_infinity(chi_a, a_a, chi_b, a_b)`` (e): the total charge fragment B ends up with when the
    neutral pair A + B is infinitely far apart, compared with a QEq solve of the pair 10^5 Angstrom apart."""
    if is_placeholder(transfer_at_infinity):
        raise NotImplementedError
    if not callable(transfer_at_infinity):
        return False, ("transfer_at_infinity must be a function of (chi_a, a_a, chi_b, a_b), got "
                       f"{type(transfer_at_infinity).__name__}")
    from ..atoms import qeq

    rng = np.random.default_rng(11)
    for trial in range(3):
        na, nb = 3 + trial, 4
        za, zb = rng.choice([1, 6, 7, 8], size=na), rng.choice([1, 6, 7, 8], size=nb)
        ra, rb = rng.normal(scale=1.2, size=(na, 3)), rng.normal(scale=1.2, size=(nb, 3))
        chi_a, chi_b = rng.uniform(0, 6, size=na), rng.uniform(0, 6, size=nb)
        ja, jb = rng.uniform(0.5, 3, size=na), rng.uniform(0.5, 3, size=nb)
        wa, wb = qeq.covalent_widths(za), qeq.covalent_widths(zb)
        a_a, a_b = qeq.hardness_matrix(ra, ja, wa), qeq.hardness_matrix(rb, jb, wb)
        answer = transfer_at_infinity(chi_a.copy(), a_a.copy(), chi_b.copy(), a_b.copy())
        if is_placeholder(answer):
            raise NotImplementedError
        try:
            value = float(np.squeeze(answer))
        except (TypeError, ValueError):
            return False, f"the function should return one number (e), got {answer!r:.60}"
        far = 1e5
        pair = qeq.solve(np.vstack([ra, rb + [0.0, 0.0, far]]), np.concatenate([chi_a, chi_b]),
                         np.concatenate([ja, jb]), np.concatenate([wa, wb]))
        solved = pair.charges[na:].sum()
        expected = _reference_transfer(chi_a, a_a, chi_b, a_b)
        if abs(value - solved) < 1e-4 * max(1.0, abs(solved)):
            continue
        if abs(value + solved) < 1e-4 * max(1.0, abs(solved)):
            return False, ("the sign is reversed: electrons flow to the fragment with the higher chemical "
                           "potential mu, so B ends up negative when mu_B > mu_A: the answer is (mu_A - mu_B) / ...")
        ones_a, ones_b = np.ones(na), np.ones(nb)
        naive = (chi_a.mean() - chi_b.mean()) / (1.0 / (ones_a @ np.linalg.solve(a_a, ones_a))
                                                  + 1.0 / (ones_b @ np.linalg.solve(a_b, ones_b)))
        if abs(value - naive) < 1e-6 * max(1.0, abs(naive)):
            return False, ("a fragment's chemical potential is not the plain mean of its chi: it is weighted by "
                           "A^-1, mu = 1^T A^-1 chi / (1^T A^-1 1)")
        return False, (f"for fragments of {na} and {nb} atoms the answer is {value:.4f} e; a QEq solve with the "
                       f"fragments 10^5 Angstrom apart moves {solved:.4f} e (the formula gives {expected:.4f})")
    return True, ("the transferred charge does not vanish at infinite separation: it is set by the difference of "
                  "the fragments' chemical potentials over their summed hardnesses, a fault of the model, not of "
                  "the solver.")
