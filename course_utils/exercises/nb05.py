"""Checks for notebook 05 (machine-learning density functionals, K. Burke's talk)."""

from __future__ import annotations

import numpy as np

from ..onedim import tddft
from ..units import HARTREE_TO_KCAL_PER_MOL
from ._feedback import checker, is_placeholder


def _krr_reference(train_x, train_y, test_x, sigma, lam):
    d2 = lambda a, b: np.maximum((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T, 0)  # noqa: E731
    k = np.exp(-d2(train_x, train_x) / (2 * sigma**2))
    alpha = np.linalg.solve(k + lam * np.eye(len(train_y)), train_y)
    return np.exp(-d2(test_x, train_x) / (2 * sigma**2)) @ alpha


@checker("kernel ridge regression of the kinetic energy")
def check_krr_kinetic_predict(krr_predict):
    """``krr_predict(train_densities, train_values, test_densities, sigma, lam) -> predictions``: Gaussian-kernel
    ridge regression with ``k = exp(-|n - n'|^2 / (2 sigma^2))`` and ``alpha = (K + lam I)^-1 y``."""
    if is_placeholder(krr_predict):
        raise NotImplementedError
    if not callable(krr_predict):
        return False, f"expected a function krr_predict(...), got {type(krr_predict).__name__}."
    rng = np.random.default_rng(5)
    grid = np.linspace(0, 1, 40)
    centres = rng.uniform(0.3, 0.7, size=25)
    widths = rng.uniform(0.05, 0.15, size=25)
    x = np.exp(-((grid - centres[:, None]) ** 2) / (2 * widths[:, None] ** 2))
    x /= x.sum(axis=1, keepdims=True) * (grid[1] - grid[0])
    y = 1.0 / widths**2 * 0.01 + 3.0
    train_x, train_y, test_x = x[:20], y[:20], x[20:]
    sigma, lam = 2.0, 1e-2  # a ridge large enough that leaving it out shows
    result = krr_predict(train_x, train_y, test_x, sigma, lam)
    if is_placeholder(result):
        return False, ("your function returns nothing yet (None or ...): finish it so that it returns one "
                       "prediction per test density.")
    got = np.asarray(result, dtype=float).reshape(-1)
    expected = _krr_reference(train_x, train_y, test_x, sigma, lam)
    if got.shape != expected.shape:
        return False, (f"expected one prediction per test density, shape {expected.shape}, got {got.shape}. Return "
                       "k(test, train) @ alpha.")
    if np.allclose(got, expected, rtol=1e-6, atol=1e-8):
        return True, "your predictions match the reference kernel ridge regression to 1 part in a million."
    variants = {
        "the kernel uses 2 sigma^2 in the denominator: exp(-|n - n'|^2 / (2 sigma^2))":
            _krr_reference(train_x, train_y, test_x, sigma / np.sqrt(2), lam),
        "you used exp(-|n - n'| / ...) instead of the SQUARED distance":
            None,
        "lambda is missing: alpha = (K + lam I)^-1 y": _krr_reference(train_x, train_y, test_x, sigma, 0.0),
        "the distance is over grid points without the grid spacing (no dx)":
            _krr_reference(train_x * np.sqrt(grid[1] - grid[0]), train_y, test_x * np.sqrt(grid[1] - grid[0]),
                           sigma, lam),
    }
    for hint, value in variants.items():
        if value is not None and np.allclose(got, value, rtol=1e-5, atol=1e-7):
            return False, f"close, but {hint}."
    if np.allclose(got, train_y.mean(), rtol=1e-3):
        return False, "every prediction equals the mean of the training values: the kernel is ~1 everywhere."
    return False, (f"your predictions differ from the reference by up to {np.max(np.abs(got - expected)):.3g}. "
                   "Steps: K = exp(-D2 / (2 sigma^2)) on training pairs, alpha = solve(K + lam I, y), then "
                   "exp(-D2(test, train) / (2 sigma^2)) @ alpha.")


PROJECTION_RANKS = tuple(range(1, 16))
"""The numbers of local principal components ``l`` of exercise 2."""


def projection_errors(model, density, exact_derivative, dx: float, m: int = 30,
                      ranks=PROJECTION_RANKS) -> np.ndarray:
    """``e(l) = rms(P_l dT_ML/dn - g) / rms(g)`` for each ``l`` in ``ranks``, with ``g`` the exact derivative minus
    its mean and ``P_l`` the local-PCA projector of ``m`` neighbours (exercise 2 of notebook 05)."""
    from ..learn import kernels

    g = np.asarray(exact_derivative, dtype=float)
    g = g - g.mean()
    ml = model.gradient(density) / dx
    size = np.sqrt(np.mean(g**2))
    return np.array([np.sqrt(np.mean((kernels.project(ml, kernels.local_pca_basis(density, model.X_fit_, m=m, l=rank))
                                      - g) ** 2)) / size for rank in ranks])


@checker("how many local principal components the derivative can use")
def check_projection_rank(errors, l_best, l_useless, *, model, density, exact_derivative, dx, m=30):
    """``errors[k] = e(l)`` for ``l = PROJECTION_RANKS[k]``; ``l_best`` its minimiser; ``l_useless`` the smallest
    ``l`` with ``e(l) > 1`` (see :func:`projection_errors`)."""
    if any(is_placeholder(a) for a in (errors, l_best, l_useless)):
        raise NotImplementedError
    from ..learn import kernels

    if not isinstance(model, kernels.KernelFunctional):
        return False, f"model should be the fitted kernel model of section 3, got {type(model).__name__}."
    expected = projection_errors(model, density, exact_derivative, dx, m)
    got = np.asarray(errors, dtype=float).reshape(-1)
    if got.shape != expected.shape:
        return False, (f"expected {expected.size} errors, one for each l = 1, ..., {PROJECTION_RANKS[-1]}; got "
                       f"{got.size}.")
    if not np.allclose(got, expected, rtol=1e-5, atol=1e-8):
        g = np.asarray(exact_derivative, dtype=float)
        ml = model.gradient(density) / dx
        size = np.sqrt(np.mean((g - g.mean()) ** 2))
        no_dx = np.array([np.sqrt(np.mean((kernels.project(ml * dx, kernels.local_pca_basis(density, model.X_fit_, m=m,
                                                                                                 l=rank))
                                           - (g - g.mean())) ** 2)) / size for rank in PROJECTION_RANKS])
        against_projected = []
        for rank in PROJECTION_RANKS:
            basis = kernels.local_pca_basis(density, model.X_fit_, m=m, l=rank)
            pg = kernels.project(g, basis)
            against_projected.append(np.sqrt(np.mean((kernels.project(ml, basis) - pg) ** 2))
                                     / np.sqrt(np.mean(pg**2)))
        hints = [(no_dx, "the ML derivative is model.gradient(n_test) / dx: the gradient with respect to grid values "
                         "divided by the spacing"),
                 (np.array(against_projected), "you compared with the *projected* exact derivative; e(l) compares with "
                                               "the whole exact derivative g, so that a too small l is penalised too")]
        for value, hint in hints:
            if np.allclose(got, value, rtol=1e-5, atol=1e-8):
                return False, f"close: {hint}."
        worst = int(np.argmax(np.abs(got - expected)))
        return False, (f"e(l = {PROJECTION_RANKS[worst]}) should be {expected[worst]:.3f}, you have {got[worst]:.3f}. "
                       "Centre the exact derivative (subtract its mean), project the ML derivative with the local "
                       "basis of l components, and divide the rms difference by the rms of g.")
    best = PROJECTION_RANKS[int(np.argmin(expected))]
    above = [rank for rank, e in zip(PROJECTION_RANKS, expected, strict=True) if e > 1]
    useless = above[0] if above else None
    if int(l_best) != best:
        return False, f"your errors are right, but the smallest is at l = {best}, not {l_best}."
    if useless is None:
        if l_useless is not None:
            return False, "your errors are right, but none exceeds 1 here: l_useless should be None."
    elif int(l_useless) != useless:
        return False, f"your errors are right, but e(l) first exceeds 1 at l = {useless}, not {l_useless}."
    return True, (f"e(l) is smallest at l = {best} ({expected[best - 1]:.2f}) and exceeds 1 from l = {useless} on. "
                  f"Too few components cannot represent the derivative (e(1) = {expected[0]:.2f}); too many let in "
                  "directions along which the nearest training densities hardly differ, where no data constrain the "
                  "model's slope and its gradient is noise. The manifold's dimension is an upper bound: with "
                  f"{m} neighbours, directions of small spread are set by curvature and sampling, not by data.")


H2_SEPARATIONS = tuple(float(r) for r in np.round(np.arange(0.5, 10.01, 0.5), 2))
"""The bond lengths (bohr) of section 6 of notebook 05."""
XC_GRID = {"sigmas": np.logspace(-1.5, 1.5, 31), "lams": np.logspace(-12, -2, 11)}
"""The hyperparameter grid of the ML xc functional of section 6."""


def xc_extrapolation_reach(r_max_values=(3.0, 4.0, 5.0, 6.0), threshold: float = 1.0) -> dict[float, float]:
    """For each ``R_max``: train KRR of ``E_xc[n]`` on the exact 1D-H2 densities at ``R <= R_max`` and return the
    largest ``R`` such that every separation in ``(R_max, R]`` has ``|error| < threshold`` kcal/mol."""
    from ..learn import kernels
    from ..onedim import curves

    rs = np.array(H2_SEPARATIONS)
    curve = curves.h2_curve(rs, lda=False)
    out = {}
    for r_max in r_max_values:
        inside = rs <= r_max + 1e-9
        model = kernels.KernelFunctionalCV(**XC_GRID).fit(curve.density[inside], curve.xc[inside])
        error = np.abs(model.predict(curve.density) - curve.xc) * HARTREE_TO_KCAL_PER_MOL
        reach = float(rs[inside].max())
        for r, e in zip(rs[~inside], error[~inside], strict=True):
            if e >= threshold:
                break
            reach = float(r)
        out[float(r_max)] = reach
    return out


@checker("how far a short-bond xc model extrapolates")
def check_xc_extrapolation_reach(reach):
    """``reach = {R_max: R}`` for ``R_max`` in 3, 4, 5, 6 bohr (see :func:`xc_extrapolation_reach`)."""
    if is_placeholder(reach):
        raise NotImplementedError
    if not isinstance(reach, dict):
        return False, f"expected a dict {{R_max: reach}}, got {type(reach).__name__}."
    expected = xc_extrapolation_reach()
    got = {float(k): v for k, v in reach.items()}
    missing = [k for k in expected if k not in got]
    if missing:
        return False, f"the dict needs the keys 3.0, 4.0, 5.0 and 6.0; missing {missing}."
    for r_max, value in expected.items():
        mine = float(got[r_max])
        if abs(mine - value) < 1e-6:
            continue
        if abs(mine - (value + 0.5)) < 1e-6:
            return False, (f"R_max = {r_max:g}: {mine:g} is the first separation that FAILS; the reach is the last one "
                           "that still passes.")
        return False, (f"R_max = {r_max:g}: the reach should be {value:g} bohr, you have {mine:g}. Train on R <= R_max "
                       "only, predict E_xc at every separation, and walk outwards from R_max while |error| < 1 "
                       "kcal/mol.")
    beyond = sorted({round(v - k, 2) for k, v in expected.items()})
    return True, (f"the reach beyond R_max is {' or '.join(f'{b:g}' for b in beyond)} bohr whatever the training "
                  "range: the model extrapolates about one step of the curve and no more. To describe the longest bond "
                  "it must be trained on densities near it (the interpolation test of section 6 shows that this then "
                  "works). It learns the densities it is shown, not the physics of strong correlation.")


def single_pole_excitations() -> dict[str, float]:
    """Single-pole and small-matrix ALDA estimates (Ha) of the first excitation of the TDDFT molecule, with the
    parts of ``K`` (exercise 4 of notebook 05)."""
    from ..onedim import kohn_sham, lda

    system = tddft.tddft_system()
    ks = kohn_sham.solve(system, "lda")
    n, dx = ks.density, system.dx
    functional = lda.SoftCoulombLDA()
    step = 1e-5
    f_xc = (functional.evaluate((n + step) / 2, (n + step) / 2, dx)[0]
            - functional.evaluate((n - step) / 2, (n - step) / 2, dx)[0]) / (2 * step)
    orbitals = np.asarray(ks.orbitals_up)
    pair = orbitals[:, 0] * orbitals[:, 1]
    k_h = float(pair @ np.asarray(system.interaction) @ pair) * dx * dx
    k_xc = float(np.sum(pair**2 * f_xc)) * dx
    gap = float(ks.eigenvalues_up[1] - ks.eigenvalues_up[0])
    k = k_h + k_xc
    return {"gap": gap, "K_H": k_h, "K_xc": k_xc, "spa": gap + 2 * k, "sma": float(np.sqrt(gap**2 + 4 * gap * k))}


@checker("single-pole and small-matrix approximations of the ALDA excitation")
def check_single_pole(omega_spa, omega_sma):
    """``omega_spa = gap + 2K`` and ``omega_sma = sqrt(gap^2 + 4 gap K)`` (Ha) for the KS-LDA ground state of the
    TDDFT molecule, ``K = <phi0 phi1| w + f_xc |phi0 phi1>``."""
    if is_placeholder(omega_spa) or is_placeholder(omega_sma):
        raise NotImplementedError
    spa, sma = (float(np.asarray(v, dtype=float).reshape(())) for v in (omega_spa, omega_sma))
    ref = single_pole_excitations()
    gap, k_h, k_xc = ref["gap"], ref["K_H"], ref["K_xc"]
    tol = 1e-3
    if abs(spa - ref["spa"]) < tol and abs(sma - ref["sma"]) < tol:
        td = tddft.load_tddft()
        omegas = np.linspace(0.05, 1.2, 2301)
        alda = float(omegas[np.argmax(tddft.dipole_spectrum(td["times"], td["dipole"][1], omegas))])
        below = "below" if alda < ref["sma"] else "not below"
        return True, (f"gap {gap:.3f} Ha, K = {k_h:.3f} (Hartree) {k_xc:+.3f} (xc) Ha: SPA {ref['spa']:.3f}, SMA "
                      f"{ref['sma']:.3f} Ha, against the propagated ALDA peak {alda:.3f} Ha ({below} the SMA). The xc "
                      "part of K is negative: exchange and correlation pull the excited electron back towards its hole "
                      "and undo part of the Hartree shift. The full ALDA response also couples this transition to all "
                      "the others; the lowest eigenvalue of Casida's matrix is at most its smallest diagonal element, "
                      "so the lowest ALDA excitation lies at or below the SMA.")
    variants = {"you used K instead of 2K in the single-pole formula": (gap + k_h + k_xc, None),
                "K has only the Hartree part: add the xc kernel f_xc(x) on the diagonal": (gap + 2 * k_h, None),
                "K has only the xc part: add the Hartree term, the interaction w(x - x')": (gap + 2 * k_xc, None),
                "SPA and SMA are swapped": (ref["sma"], ref["spa"])}
    for hint, (v_spa, v_sma) in variants.items():
        if abs(spa - v_spa) < tol and (v_sma is None or abs(sma - v_sma) < tol):
            return False, f"close: {hint}."
    if abs(spa - (gap + 2 * (k_h + 2 * k_xc))) < tol:
        return False, ("your f_xc is twice too large: differentiate v_xc with respect to the TOTAL density, "
                       "evaluate((n + h) / 2, (n + h) / 2, dx), not each spin density by h.")
    if abs(spa - ref["spa"]) < tol:
        return False, (f"the SPA is right ({ref['spa']:.3f} Ha); the SMA should be sqrt(gap^2 + 4 gap K) = "
                       f"{ref['sma']:.3f} Ha, you have {sma:.3f}.")
    return False, (f"got SPA {spa:.4g} and SMA {sma:.4g} Ha. Build the product phi0*phi1 of the two lowest KS-LDA "
                   "orbitals, K = dx^2 (pair @ interaction @ pair) + dx sum(pair^2 f_xc), then gap + 2K and "
                   "sqrt(gap^2 + 4 gap K).")
