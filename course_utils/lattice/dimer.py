"""Closed forms for the Hubbard dimer with two electrons (S_z = 0), vectorised over parameters.

Reference: D. J. Carrascal, J. Ferrer, J. C. Smith and K. Burke, "The Hubbard dimer: a density functional case
study of a many-body problem", J. Phys.: Condens. Matter 27, 393001 (2015), doi:10.1088/0953-8984/27/39/393001.

Model and conventions (those of ``Hubbard.dimer``): H = -t sum_sigma (c+_{1 sigma} c_{2 sigma} + h.c.)
+ U sum_i n_{i up} n_{i down} + sum_i v_i n_i with v = (-delta_v / 2, +delta_v / 2), so
delta_v = v_2 - v_1. The occupation difference used throughout is delta_n = n_1 - n_2, which has the sign of
delta_v (the lower site, 1 for delta_v > 0, holds more charge) and lies in (-2, 2). A common shift of both
potentials, v_1 + v_2 = 2c, adds 2c to every energy and changes nothing else.

The ground state is a singlet. In the basis {both on site 1, both on site 2, covalent singlet} the singlet block is

    [[U - delta_v, 0,            -sqrt(2) t],
     [0,           U + delta_v,  -sqrt(2) t],
     [-sqrt(2) t,  -sqrt(2) t,   0         ]],

whose characteristic polynomial E^3 - 2U E^2 + (U^2 - delta_v^2 - 4t^2) E + 4t^2 U = 0 has three real roots.
Carrascal et al. give the ground-state energy as the closed-form (trigonometric) lowest root of this cubic. In
the reduced variables u = U / 2t and nu = delta_v / 2t it reads (derived here and checked in the tests against
the 3x3 matrix and Hellmann-Feynman derivatives, so it does not rely on transcribing the paper)

    E_0 = (4t / 3) (u - r sin(theta + pi / 6)),   r = sqrt(3 (1 + nu^2) + u^2),
    cos(3 theta) = u (9 (nu^2 - 1/2) - u^2) / r^3,  0 <= 3 theta <= pi.

Energies are in the unit of t, U and delta_v. All functions broadcast their array arguments (numpy rules), so a
notebook can evaluate thousands of points in one call; scalar inputs give numpy scalars.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import ConvergenceError, as_int, as_number, as_real_array


def _broadcast(**arrays) -> list[np.ndarray]:
    checked = {name: as_real_array(value, name) for name, value in arrays.items()}
    if "t" in checked and np.any(checked["t"] <= 0):
        raise ValueError(f"t must be positive (the dimer's bonding state is the ground state for t > 0), got "
                         f"min(t) = {np.min(checked['t'])}")
    try:
        return list(np.broadcast_arrays(*checked.values()))
    except ValueError:
        shapes = ", ".join(f"{name} {value.shape}" for name, value in checked.items())
        raise ValueError(f"{', '.join(checked)} must broadcast to a common shape, got {shapes}") from None


def _scalar_or_array(array: np.ndarray):
    return array[()] if array.ndim == 0 else array


def _energy(U: np.ndarray, t: np.ndarray, delta_v: np.ndarray) -> np.ndarray:
    u = U / (2.0 * t)
    nu = delta_v / (2.0 * t)
    r = np.sqrt(3.0 * (1.0 + nu**2) + u**2)
    cos_3theta = np.clip(u * (9.0 * (nu**2 - 0.5) - u**2) / r**3, -1.0, 1.0)
    theta = np.arccos(cos_3theta) / 3.0
    return (4.0 * t / 3.0) * (u - r * np.sin(theta + np.pi / 6.0))


def dimer_energy(U, t=1.0, delta_v=0.0):
    """Exact ground-state energy of the two-electron Hubbard dimer (closed form of Carrascal et al. 2015).

    Parameters
    ----------
    U : array_like
        On-site interaction, any real value (U < 0 is the attractive dimer).
    t : array_like
        Hopping, > 0.
    delta_v : array_like
        v_2 - v_1, with v_1 + v_2 = 0.

    Returns
    -------
    ndarray or numpy scalar
        E_0 in the unit of t, U, delta_v; shape of the broadcast inputs.
    """
    U, t, delta_v = _broadcast(U=U, t=t, delta_v=delta_v)
    return _scalar_or_array(_energy(U, t, delta_v))


@dataclass(frozen=True)
class DimerGroundState:
    """Exact ground state of the two-electron dimer at each parameter point; every field has the broadcast shape
    of the inputs (plus trailing axes where stated).

    energy : E_0 (unit of t).
    delta_n : n_1 - n_2, in (-2, 2), same sign as delta_v.
    gamma_12 : spin-summed off-diagonal 1-RDM element gamma_12 = sum_sigma <c+_{1 sigma} c_{2 sigma}>, in (0, 1]
        for t > 0; the per-spin element is half of it (singlet).
    occupations : (..., 2) array (n_1, n_2).
    double_occupations : (..., 2) array (<n_{1 up} n_{1 down}>, <n_{2 up} n_{2 down}>).
    rdm1 : (..., 2, 2) spin-summed 1-RDM [[n_1, gamma_12], [gamma_12, n_2]].
    """

    energy: np.ndarray
    delta_n: np.ndarray
    gamma_12: np.ndarray
    occupations: np.ndarray
    double_occupations: np.ndarray
    rdm1: np.ndarray


def dimer_ground_state(U, t=1.0, delta_v=0.0) -> DimerGroundState:
    """Exact two-electron dimer ground state: energy, occupation difference and off-diagonal 1-RDM element.

    From the closed-form energy E_0, the (unnormalised) singlet eigenvector is (a, b, 1) with
    a = sqrt(2) t / (U - delta_v - E_0) and b = sqrt(2) t / (U + delta_v - E_0) (both denominators are positive
    because E_0 lies below every diagonal element). With norm^2 = 1 + a^2 + b^2:
    n_1 = (2 a^2 + 1) / norm^2, n_2 = (2 b^2 + 1) / norm^2, and, from the kinetic energy
    -2 t gamma_12 = -2 sqrt(2) t (a + b) / norm^2, gamma_12 = sqrt(2) (a + b) / norm^2.

    Accuracy (checked against a 3x3 eigh): energies to about 1e-15 relative, delta_n and gamma_12 to about
    1e-13 absolute for |U|, |delta_v| up to 1000 t. For delta_v >> t the small quantities (the upper site's
    occupation, gamma_12 ~ 2 t / delta_v) keep a relative accuracy of about 1e-16 (delta_v / t)^2.

    Parameters as in ``dimer_energy``; the result's fields have the broadcast shape (see ``DimerGroundState``).
    """
    U, t, delta_v = _broadcast(U=U, t=t, delta_v=delta_v)
    energy = _energy(U, t, delta_v)
    a = np.sqrt(2.0) * t / (U - delta_v - energy)
    b = np.sqrt(2.0) * t / (U + delta_v - energy)
    norm2 = 1.0 + a**2 + b**2
    n1 = (2.0 * a**2 + 1.0) / norm2
    n2 = (2.0 * b**2 + 1.0) / norm2
    gamma_12 = np.sqrt(2.0) * (a + b) / norm2
    rdm1 = np.stack([np.stack([n1, gamma_12], axis=-1), np.stack([gamma_12, n2], axis=-1)], axis=-2)
    return DimerGroundState(
        energy=_scalar_or_array(energy),
        delta_n=_scalar_or_array(2.0 * (a**2 - b**2) / norm2),
        gamma_12=_scalar_or_array(gamma_12),
        occupations=np.stack([n1, n2], axis=-1),
        double_occupations=np.stack([a**2 / norm2, b**2 / norm2], axis=-1),
        rdm1=rdm1,
    )


def _delta_n(U: np.ndarray, t: np.ndarray, delta_v: np.ndarray) -> np.ndarray:
    energy = _energy(U, t, delta_v)
    a2 = 2.0 * t**2 / (U - delta_v - energy) ** 2
    b2 = 2.0 * t**2 / (U + delta_v - energy) ** 2
    return 2.0 * (a2 - b2) / (1.0 + a2 + b2)


def dimer_potential_difference(delta_n, U, t=1.0, *, tol: float = 1e-13, max_iterations: int = 400):
    """Invert the exact dimer map: the delta_v = v_2 - v_1 whose ground state has occupation difference delta_n.

    delta_n(delta_v) is odd and strictly increasing for t > 0 (the ground-state energy is concave in delta_v and
    delta_n = -2 dE_0/d delta_v), so the root is unique. It is found for |delta_n| by bracketing (doubling an
    upper bound from delta_v = t) and bisection, all points at once, then given the sign of delta_n. At U = 0
    the result is the Kohn-Sham potential difference 2 t delta_n / sqrt(4 - delta_n^2).

    Parameters
    ----------
    delta_n : array_like
        n_1 - n_2, strictly inside (-2, 2).
    U : array_like
        On-site interaction (any real value); only U / t matters for delta_v / t.
    t : array_like
        Hopping, > 0.
    tol : float
        Stop when the bracket is narrower than tol * (t + |delta_v|).
    max_iterations : int
        Bisection steps allowed before ``ConvergenceError``.

    Returns
    -------
    ndarray or numpy scalar
        delta_v in the unit of t and U, shape of the broadcast inputs.
    """
    tol = as_number(tol, "tol", minimum=0.0, strict_minimum=True)
    max_iterations = as_int(max_iterations, "max_iterations", minimum=1)
    delta_n, U, t = _broadcast(delta_n=delta_n, U=U, t=t)
    if np.any(np.abs(delta_n) >= 2.0):
        raise ValueError(f"delta_n = n_1 - n_2 of two electrons must lie strictly between -2 and 2 (delta_n = +-2 "
                         f"needs an infinite potential difference), got max |delta_n| = {np.max(np.abs(delta_n))}")
    target = np.abs(delta_n).ravel()
    U, t = U.ravel(), t.ravel()

    low = np.zeros_like(target)
    high = t.copy()
    for _ in range(64):  # 2^64 t is far beyond any delta_v that double precision can resolve
        reached = _delta_n(U, t, high)
        if not np.all(np.isfinite(reached)):
            break
        short = reached < target
        if not np.any(short):
            break
        low = np.where(short, high, low)
        high = np.where(short, 2.0 * high, high)
    else:
        reached = np.full_like(target, np.nan)
    if not np.all(np.isfinite(reached)) or np.any(reached < target):
        raise ConvergenceError(f"could not bracket delta_v: |delta_n| up to {np.max(target)} is too close to 2 "
                               f"for the closed form in double precision (keep |delta_n| <= 2 - 1e-10)")

    for _ in range(max_iterations):
        if np.all(high - low <= tol * (t + high)):
            break
        middle = 0.5 * (low + high)
        below = _delta_n(U, t, middle) < target
        low = np.where(below, middle, low)
        high = np.where(below, high, middle)
    else:
        width = np.max((high - low) / (t + high))
        raise ConvergenceError(f"bisection for delta_v stopped after {max_iterations} steps with relative bracket "
                               f"width {width:.2e} > tol = {tol:.1e}")
    result = np.sign(delta_n) * np.reshape(0.5 * (low + high), delta_n.shape)
    return _scalar_or_array(result)


def dimer_noninteracting_rdm1(delta_n, *, spin_resolved: bool = False):
    """The U = 0 (Kohn-Sham) dimer 1-RDM as a function of delta_n = n_1 - n_2, for two electrons in a singlet.

    Both electrons occupy one real bonding orbital phi = (phi_1, phi_2), phi_1, phi_2 >= 0 for t > 0, so
    n_i = 2 phi_i^2 and the spin-summed gamma_12 = 2 phi_1 phi_2 = sqrt(n_1 n_2). With n_1 + n_2 = 2,
    n_{1,2} = 1 +- delta_n / 2 and

        gamma_12 = sqrt(1 - (delta_n / 2)^2)        (spin-summed; per spin it is half of this).

    The per-spin matrix is phi phi^T, a projector (idempotent, natural occupations 1 and 0). Among all
    two-electron singlet 1-RDMs with this density it has the largest gamma_12: the interacting dimer's
    |gamma_12| is smaller.

    Parameters
    ----------
    delta_n : array_like
        n_1 - n_2 in [-2, 2].
    spin_resolved : bool
        False: spin-summed matrix [[n_1, gamma_12], [gamma_12, n_2]]; True: the per-spin matrix (half of it).

    Returns
    -------
    ndarray, shape delta_n.shape + (2, 2)
    """
    (delta_n,) = _broadcast(delta_n=delta_n)
    if np.any(np.abs(delta_n) > 2.0):
        raise ValueError(f"delta_n = n_1 - n_2 of two electrons must lie in [-2, 2], got max |delta_n| = "
                         f"{np.max(np.abs(delta_n))}")
    if not isinstance(spin_resolved, (bool, np.bool_)):
        raise TypeError(f"spin_resolved must be True or False, got {spin_resolved!r}")
    gamma_12 = np.sqrt(np.maximum(1.0 - 0.25 * delta_n**2, 0.0))
    n1, n2 = 1.0 + 0.5 * delta_n, 1.0 - 0.5 * delta_n
    rdm1 = np.stack([np.stack([n1, gamma_12], axis=-1), np.stack([gamma_12, n2], axis=-1)], axis=-2)
    return 0.5 * rdm1 if spin_resolved else rdm1


# --------------------------------------------------------------------------------------------------------------
# The 1-RDM as a functional of the occupations (notebook 04): exact map, N-representability bounds, limits and a
# one-parameter analytic form. Spin-summed elements, t = 1.
# --------------------------------------------------------------------------------------------------------------

def dimer_samples(n_samples: int, *, u_max: float = 10.0, dn_max: float = 1.9, seed=0) -> dict[str, np.ndarray]:
    """Exact dimer points: ``delta_n`` uniform in [-dn_max, dn_max], ``U`` (units of t) uniform in [0, u_max].

    For each point the potential difference that produces ``delta_n`` is found by inverting the exact map
    (``dimer_potential_difference``), then the ground state gives the off-diagonal element.

    Returns
    -------
    dict with ``delta_n`` (n,), ``U`` (n,) (t = 1), ``delta_v`` (n,) and ``gamma_12`` (n,), the spin-summed
    off-diagonal element of the exact 1-RDM.
    """
    n_samples = as_int(n_samples, "n_samples", minimum=1)
    u_max = as_number(u_max, "u_max", minimum=0.0)
    dn_max = as_number(dn_max, "dn_max", minimum=0.0, maximum=1.999)
    rng = np.random.default_rng(seed)
    delta_n = rng.uniform(-dn_max, dn_max, n_samples)
    U = rng.uniform(0.0, u_max, n_samples)
    delta_v = dimer_potential_difference(delta_n, U)
    state = dimer_ground_state(U, 1.0, delta_v)
    return {"delta_n": delta_n, "U": U, "delta_v": np.asarray(delta_v, float),
            "gamma_12": np.asarray(state.gamma_12, float)}


def exact_dimer_gamma(delta_n, U) -> np.ndarray:
    """The exact spin-summed gamma_12 of the dimer (t = 1) at occupation difference ``delta_n`` and ``U``.

    ``delta_n`` is clipped to |delta_n| <= 1.9999 (the inverse map needs |delta_n| < 2). Broadcasts.
    """
    delta_n = np.clip(as_real_array(delta_n, "delta_n"), -1.9999, 1.9999)
    U = as_real_array(U, "U")
    delta_v = dimer_potential_difference(delta_n, U)
    return np.asarray(dimer_ground_state(U, 1.0, delta_v).gamma_12, float)


def dimer_bound(delta_n) -> np.ndarray:
    """The largest spin-summed |gamma_12| allowed by N-representability: sqrt(1 - (delta_n/2)^2) = sqrt(n_1 n_2).

    Per spin the 1-RDM is [[n_1/2, g/2], [g/2, n_2/2]]; its eigenvalues 1/2 +- sqrt((delta_n/4)^2 + (g/2)^2) lie
    in [0, 1] exactly when g^2 <= 1 - (delta_n/2)^2. The U = 0 (Kohn-Sham) dimer sits on this bound.
    """
    delta_n = as_real_array(delta_n, "delta_n")
    return np.sqrt(np.clip(1.0 - 0.25 * delta_n**2, 0.0, None))


def strong_coupling_gamma(delta_n) -> np.ndarray:
    """U -> infinity limit at fixed delta_n: sqrt(|delta_n| (1 - |delta_n|/2)) (spin-summed).

    With no double occupation on the emptier site, the singlet is a |20> + c |covalent> with a^2 = |delta_n|/2
    and c^2 = 1 - a^2, and gamma_12 = sqrt(2) a c.
    """
    a = np.abs(as_real_array(delta_n, "delta_n"))
    return np.sqrt(np.clip(a * (1.0 - 0.5 * a), 0.0, None))


def interpolating_gamma(delta_n, U, alpha: float = 32.0) -> np.ndarray:
    """One-parameter form gamma_0(dn) sqrt((2|dn| + c) / (2 + |dn| + c)), c = alpha t^2 / U^2.

    c -> infinity (U = 0) gives the Kohn-Sham curve gamma_0 = sqrt(1 - dn^2/4); c -> 0 (U -> infinity) the
    strong-coupling curve; at dn = 0 it gives 1 / sqrt(1 + 2 U^2 / alpha), which is the exact
    4t / sqrt(U^2 + 16 t^2) for alpha = 32. ``U`` in units of t; broadcasts.
    """
    delta_n = as_real_array(delta_n, "delta_n")
    U = np.abs(as_real_array(U, "U"))
    alpha = as_number(alpha, "alpha", minimum=0.0)
    a = np.abs(delta_n)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = alpha / U**2  # infinite at U = 0, where the ratio below is 1 (the Kohn-Sham curve)
        ratio = np.where(U == 0, 1.0, (2.0 * a + c) / (2.0 + a + c))
    return dimer_bound(delta_n) * np.sqrt(ratio)


def fit_alpha(delta_n, U, gamma_12) -> float:
    """Least-squares alpha of :func:`interpolating_gamma` for the points (delta_n, U, gamma_12); U > 0 only."""
    from scipy.optimize import least_squares

    delta_n, U, gamma_12 = (as_real_array(a, n) for a, n in ((delta_n, "delta_n"), (U, "U"), (gamma_12, "gamma_12")))
    keep = U > 0

    def residual(log_alpha):
        return interpolating_gamma(delta_n[keep], U[keep], float(np.exp(log_alpha[0]))) - gamma_12[keep]

    return float(np.exp(least_squares(residual, x0=[np.log(32.0)]).x[0]))


def interpolating_form(delta_n, kappa) -> np.ndarray:
    """The one-parameter form gamma_0(dn) sqrt((2|dn| + kappa) / (2 + |dn| + kappa)) at a free kappa >= 0.

    kappa = infinity gives the Kohn-Sham curve gamma_0 = sqrt(1 - dn^2/4), kappa = 0 the strong-coupling curve.
    :func:`interpolating_gamma` is this form with kappa = alpha t^2 / U^2. Broadcasts.
    """
    delta_n = as_real_array(delta_n, "delta_n")
    kappa = as_real_array(kappa, "kappa", finite=False)  # kappa = inf is the U = 0 end
    if np.any(np.isnan(kappa)) or np.any(kappa < 0):
        raise ValueError(f"kappa must be >= 0 (it interpolates between kappa = 0, U -> infinity, and kappa -> "
                         f"infinity, U = 0), got min(kappa) = {np.min(kappa)}")
    a = np.abs(delta_n)
    with np.errstate(invalid="ignore"):
        ratio = np.where(np.isinf(kappa), 1.0, (2.0 * a + kappa) / (2.0 + a + kappa))
    return dimer_bound(delta_n) * np.sqrt(ratio)


def fit_kappa(delta_n, gamma_12) -> float:
    """Least-squares kappa of :func:`interpolating_form` for points (delta_n, gamma_12) that share one U.

    Nothing about how kappa depends on U is assumed: fit it at each U separately and look at the result.
    The fit is done in log kappa (kappa > 0 spans decades); the search is bounded to 1e-8 <= kappa <= 1e8.
    """
    from scipy.optimize import least_squares

    delta_n = as_real_array(delta_n, "delta_n", ndim=1)
    gamma_12 = as_real_array(gamma_12, "gamma_12", ndim=1)
    if delta_n.shape != gamma_12.shape or delta_n.size < 2:
        raise ValueError(f"delta_n and gamma_12 must be 1D arrays of the same length >= 2, got shapes "
                         f"{delta_n.shape} and {gamma_12.shape}")

    def residual(log_kappa):
        return interpolating_form(delta_n, np.exp(log_kappa[0])) - gamma_12

    bounds = (np.log(1e-8), np.log(1e8))
    return float(np.exp(least_squares(residual, x0=[0.0], bounds=bounds).x[0]))


def bond_bound(n_i, n_j) -> np.ndarray:
    """N-representability bound of the spin-summed gamma_ij of a bond whose sites hold n_i, n_j electrons.

    Per spin (singlet-like, n_{i sigma} = n_i / 2) the 2x2 block of the 1-RDM must have eigenvalues in [0, 1]:
    |gamma_ij^sigma|^2 <= n_{i sigma} n_{j sigma} and <= (1 - n_{i sigma})(1 - n_{j sigma}). Spin-summed, that is
    2 min(sqrt(n_i n_j) / 2, sqrt((1 - n_i/2)(1 - n_j/2))). For a dimer with n_i + n_j = 2 both terms are equal
    and this is :func:`dimer_bound`.
    """
    a = as_real_array(n_i, "n_i") / 2.0
    b = as_real_array(n_j, "n_j") / 2.0
    return 2.0 * np.sqrt(np.clip(np.minimum(a * b, (1.0 - a) * (1.0 - b)), 0.0, None))
