"""Checks for notebook 04 (one-body reduced density matrices)."""

from __future__ import annotations

import numpy as np

from ._feedback import checker, is_placeholder


def _as_float_array(value, what: str):
    """The answer as a float array, or a message saying why it cannot be one."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, f"expected {what}, got {type(value).__name__} that cannot be turned into numbers."
    if not np.all(np.isfinite(array)):
        return None, f"your {what} contains NaN or infinite values (a square root of a negative number?)."
    return array, ""


@checker("the N-representability bound of the dimer's off-diagonal element")
def check_rdm_dimer_bound(gamma_max):
    """``gamma_max(delta_n)``: largest spin-summed |gamma_12| whose per-spin natural occupations stay in [0, 1].

    Expected sqrt(1 - (delta_n / 2)^2) = sqrt(n_1 n_2) for the two-electron singlet dimer.
    """
    if is_placeholder(gamma_max):
        raise NotImplementedError
    if not callable(gamma_max):
        return False, (f"expected a function of delta_n (for example `def gamma_max(delta_n): return ...`), got "
                       f"{type(gamma_max).__name__}.")
    delta_n = np.linspace(-1.95, 1.95, 27)
    answer = gamma_max(delta_n)
    if is_placeholder(answer):
        raise NotImplementedError
    values, problem = _as_float_array(answer, "values of gamma_max")
    if values is None:
        return False, problem
    if values.shape != delta_n.shape:
        if values.size == 1:
            return False, ("your function returned one number for an array of delta_n values; use numpy "
                           "functions (np.sqrt, **) so it works element by element.")
        return False, f"for {delta_n.size} values of delta_n your function returned shape {values.shape}."
    expected = np.sqrt(1.0 - 0.25 * delta_n**2)
    if np.allclose(values, expected, atol=1e-6):
        return True, ("gamma_max = sqrt(1 - (Δn/2)²) = sqrt(n₁ n₂): exactly the Kohn-Sham (U = 0) curve, which sits "
                      "on the bound because its 1-RDM is idempotent (occupations 1 and 0 per spin).")
    if np.allclose(values, 0.5 * expected, atol=1e-6):
        return False, ("that is the bound on the per-spin element γ₁₂^σ; the question asks for the spin-summed "
                       "γ₁₂ = γ₁₂^↑ + γ₁₂^↓, twice as large.")
    if np.allclose(values, expected**2, atol=1e-6):
        return False, "that is 1 - (Δn/2)², the square of the bound: take the square root."
    if np.allclose(values, np.sqrt(np.clip(1.0 - delta_n**2, 0, None)), atol=1e-6):
        return False, ("close, but the per-spin occupations are n_iσ = n_i / 2 = 1/2 ± Δn/4: the bound involves "
                       "(Δn/2)², not Δn².")
    if np.allclose(values, np.sqrt(np.abs(delta_n) * (1 - 0.5 * np.abs(delta_n))), atol=1e-6):
        return False, "that is the strong-coupling (U → ∞) curve; the bound is what the U = 0 dimer reaches."
    if not np.allclose(values, values[::-1], atol=1e-9):
        return False, "the bound must be even in Δn (swapping the two sites changes nothing)."
    worst = int(np.argmax(np.abs(values - expected)))
    return False, (f"at Δn = {delta_n[worst]:.2f} your bound is {values[worst]:.4f}. Write the per-spin 1-RDM "
                   "[[n₁/2, g/2], [g/2, n₂/2]], ask for both eigenvalues to lie in [0, 1], and solve for g.")


@checker("natural occupations of the exact Hubbard dimer")
def check_rdm_natural_occupations(occupations, U: float = 4.0, delta_v: float = 1.0):
    """Per-spin natural occupations (eigenvalues of the per-spin 1-RDM) of the dimer at U, delta_v (t = 1)."""
    from ..lattice import dimer_ground_state

    if is_placeholder(occupations):
        raise NotImplementedError
    values, problem = _as_float_array(occupations, "two natural occupations")
    if values is None:
        return False, problem
    values = np.sort(values.ravel())[::-1]
    state = dimer_ground_state(U, 1.0, delta_v)
    rdm1 = np.asarray(state.rdm1)
    expected = np.linalg.eigvalsh(0.5 * rdm1)[::-1]
    if values.size != 2:
        return False, f"the dimer has two natural orbitals per spin, so two occupations; you gave {values.size}."
    if np.allclose(values, expected, atol=1e-6):
        return True, (f"per spin n₁ = {expected[0]:.4f}, n₂ = {expected[1]:.4f}: inside [0, 1] and summing to 1; "
                      "n₂ > 0 measures how far the interacting state is from a single Slater determinant.")
    if np.allclose(values, 2 * expected, atol=1e-6):
        return False, ("those are the spin-summed occupations (they add up to 2); the question asks per spin: "
                       "diagonalise half of the spin-summed matrix.")
    if np.allclose(values, np.sort(np.asarray(state.occupations) / 2)[::-1], atol=1e-6) or np.allclose(
            values, np.sort(np.asarray(state.occupations))[::-1], atol=1e-6):
        return False, ("those are the site occupations (the diagonal of the 1-RDM); natural occupations are the "
                       "eigenvalues of the whole matrix, off-diagonal element included.")
    if np.allclose(values, [1.0, 0.0], atol=1e-6) or np.allclose(values, [2.0, 0.0], atol=1e-6):
        return False, ("1 and 0 are the natural occupations of a single Slater determinant (U = 0); the "
                       "interacting 1-RDM is not idempotent. Use the exact rdm1 at U = 4t.")
    if abs(values.sum() - 1.0) > 1e-6:
        return False, (f"per-spin natural occupations of two electrons in a singlet sum to 1; yours sum to "
                       f"{values.sum():.4f}.")
    return False, (f"got {values.round(4).tolist()}; diagonalise the per-spin 1-RDM (half of "
                   f"lattice.dimer_ground_state({U:g}, 1.0, {delta_v:g}).rdm1) with np.linalg.eigvalsh.")


def _dimer_architecture(model, which: str):
    """(symmetric, bounded) of a network built by ``rdm_networks.dimer_network``, or a message saying why not."""
    from ..learn import rdm_networks

    layers = getattr(model, "layers", None)
    if layers is None or not callable(model):
        return None, (f"{which} should be a Keras network from rdm_networks.dimer_network(...), got "
                      f"{type(model).__name__}.")
    features = [layer for layer in layers if isinstance(layer, rdm_networks.DimerFeatures)]
    if len(features) != 1:
        return None, f"{which} was not built by rdm_networks.dimer_network (it has no DimerFeatures input layer)."
    bounded = any(isinstance(layer, rdm_networks.BoundedGamma) for layer in layers)
    return (features[0].symmetric, bounded), ""


@checker("an ablation of the informed dimer network: symmetry only against bound only")
def check_rdm_ablation(symmetry_only, bound_only, more_useful):
    """Two trained dimer networks, each with one of the two constraints, and which constraint helped more.

    ``symmetry_only`` must be even in delta_n with a linear output, ``bound_only`` must have the bounded output
    and the plain input; both must be trained (test MAE well below an untrained network's). ``more_useful``
    ("symmetry" or "bound") must name the network with the lower MAE on the notebook's test set
    (``lattice.dimer_samples(2000, seed=3)``), measured here.
    """
    from ..lattice import dimer_samples
    from ..learn import rdm_networks

    if any(is_placeholder(value) for value in (symmetry_only, bound_only, more_useful)):
        raise NotImplementedError
    wanted = {"symmetry_only": (symmetry_only, (True, False)), "bound_only": (bound_only, (False, True))}
    test = dimer_samples(2000, seed=3)
    errors = {}
    for which, (model, expected) in wanted.items():
        architecture, problem = _dimer_architecture(model, which)
        if architecture is None:
            return False, problem
        if architecture != expected:
            advice = {(False, False): "it has neither constraint (the plain network)",
                      (True, True): "it has both constraints (the informed network)",
                      (True, False): "it has the symmetry but not the bound",
                      (False, True): "it has the bound but not the symmetry"}[architecture]
            flags = f"symmetric={expected[0]}, bounded={expected[1]}"
            return False, f"{which}: {advice}; build it with rdm_networks.dimer_network({flags}, seed=0)."
        errors[which] = float(np.mean(np.abs(rdm_networks.predict_gamma(model, test["delta_n"], test["U"])
                                             - test["gamma_12"])))
        if errors[which] > 0.05:
            return False, (f"{which} has a test MAE of {errors[which]:.3f}: it looks untrained (a trained one is "
                           "well below 0.05). Train it with training.CompiledTrainer(...).fit(...) on the first "
                           "32 points of `pool`.")
    if not isinstance(more_useful, str) or more_useful.strip().lower() not in ("symmetry", "bound"):
        return False, f'more_useful must be the string "symmetry" or "bound", got {more_useful!r}.'
    claim = more_useful.strip().lower()
    winner = "symmetry" if errors["symmetry_only"] < errors["bound_only"] else "bound"
    measured = (f"test MAE with the symmetry only {errors['symmetry_only']:.4f}, with the bound only "
                f"{errors['bound_only']:.4f}")
    close = abs(np.log(errors["symmetry_only"] / errors["bound_only"])) < np.log(1.1)
    if claim != winner and not close:
        return False, f"your own networks say otherwise: {measured}, so the {winner} helped more."
    if winner == "bound":
        why = ("the bounded output takes over the two hardest regions of the function, the U = 0 edge where γ12 "
               "sits on the bound and the edges Δn → ±2 where it vanishes; the symmetric input only halves the "
               "space the network must cover.")
    else:
        why = ("with this training set, halving the space the network must cover (the symmetric input) matters "
               "more than taking over the edges where γ12 sits on or near the bound (the bounded output).")
    tie = " The two are within 10% of each other: call it a tie." if close else ""
    return True, f"{measured}: the {winner} helped more.{tie} Why: {why}"
