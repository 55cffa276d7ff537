"""Time propagation under a time-dependent potential ``v_ext(x) + dv(x, t)`` (Hartree atomic units).

``evolve(initial, dv, times)`` propagates

* an :class:`~course_utils.onedim.results.ExactResult`: the exact many-electron wavefunction (1-3 electrons);
* a :class:`~course_utils.onedim.results.NonInteractingResult`: the orbitals of non-interacting electrons;
* a :class:`~course_utils.onedim.results.KohnShamResult`: the Kohn-Sham orbitals with Hartree and an *adiabatic*
  xc potential re-evaluated from the instantaneous density (adiabatic LDA, ...), the time-dependent KS scheme.

Every step is a Crank-Nicolson step ``(1 + i dt H/2) psi(t+dt) = (1 - i dt H/2) psi(t)`` with ``H`` at the
midpoint ``t + dt/2``: unitary, so the norm is conserved, and for a static ``H`` the energy too (to the linear
solver's tolerance). Orbitals use a direct banded solve; the many-electron wavefunction uses GMRES in the
symmetry-adapted orbital basis preconditioned by the non-interacting part (converges in a few iterations for
``dt`` up to ~0.1). For Kohn-Sham the midpoint density is obtained by a predictor-corrector step.

The perturbation ``dv`` is a callable ``dv(t) -> (N,)`` (Ha), or an array ``(T, N)`` of its values at ``times``
(the midpoint value is the mean of the two ends), or ``(N,)`` for a perturbation switched on at ``times[0]``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_banded

from .._checks import ConvergenceError, as_number, as_real_array
from ..threads import limited_blas
from . import kohn_sham as _ks
from . import lda as _lda
from ._manybody import OrbitalBasisHamiltonian, SymmetricSpace, one_body_sum, symmetry_group
from .results import Evolution, ExactResult, KohnShamResult, NonInteractingResult


@limited_blas
def evolve(initial, dv, times, *, xc=None, tol: float = 1e-12, max_gmres_iterations: int = 200) -> Evolution:
    """Propagate ``initial`` from ``times[0]`` through ``times`` (uniform, increasing; Ha^-1).

    Parameters
    ----------
    initial : ExactResult, NonInteractingResult or KohnShamResult
        An ``ExactResult``, ``NonInteractingResult`` or ``KohnShamResult`` (its ``system`` is used).
    dv : callable or array_like
        The perturbation (see the module docstring), added to ``system.v_ext``.
    times : array_like, shape (T,)
        Times (atomic units of time, 1 a.u. = 24.19 as), uniformly spaced.
    xc : str, LDA or callable, optional
        For a Kohn-Sham initial state, the xc used in the dynamics (default: the one it was computed with, when
        that was ``"lda"``, ``"hartree"``, ``"exx"`` or a built-in LDA; a callable must be passed again).
    tol : float
        Relative residual of the many-electron linear solves.
    max_gmres_iterations : int
        Per step, before :class:`~course_utils.ConvergenceError`.

    Returns
    -------
    Evolution
        An :class:`~course_utils.onedim.results.Evolution` with ``density (T, N)``, ``dipole (T,)``,
        ``norm (T,)``, ``energy (T,)`` and the final state.
    """
    if not isinstance(initial, (ExactResult, NonInteractingResult, KohnShamResult)):
        raise TypeError("initial must be a result of onedim.exact.solve, onedim.noninteracting.solve or "
                        f"onedim.kohn_sham.solve, got {type(initial).__name__}")
    system = initial.system
    times = as_real_array(times, "times", ndim=1)
    if times.size < 2:
        raise ValueError(f"times must have at least 2 values, got {times.size}")
    dt = float(times[1] - times[0])
    if dt <= 0 or not np.allclose(np.diff(times), dt, rtol=1e-8, atol=0.0):
        raise ValueError("times must be uniformly spaced and increasing (e.g. numpy.linspace or arange)")
    tol = as_number(tol, "tol", minimum=0.0, strict_minimum=True)
    perturbation = _perturbation(dv, times, system.n_points)
    if isinstance(initial, ExactResult):
        return _evolve_exact(initial, perturbation, times, tol, max_gmres_iterations)
    if isinstance(initial, KohnShamResult):
        functional = _ks._XC(_resolve_xc(initial, xc), system, check_interaction=False)
    else:
        if xc is not None:
            raise ValueError("xc only applies to a Kohn-Sham initial state")
        functional = None
    return _evolve_orbitals(initial, perturbation, times, functional)


def _resolve_xc(initial: KohnShamResult, xc):
    if xc is not None:
        return xc
    if initial.xc in ("hartree", "exx"):
        return initial.xc
    for cls in (_lda.SoftCoulombLDA, _lda.EntwistleLDA):
        if initial.xc == cls.name:
            return cls()
    raise ValueError(f"cannot rebuild the xc {initial.xc!r} of the initial state; pass xc= explicitly")


def _perturbation(dv, times: np.ndarray, npts: int):
    """Return functions ``at(j)`` (value at times[j]) and ``mid(j)`` (value at the midpoint of step j -> j+1)."""
    if callable(dv):
        def value(t):
            out = np.asarray(dv(float(t)), dtype=float).reshape(-1)
            if out.shape != (npts,) or not np.all(np.isfinite(out)):
                raise ValueError(f"dv(t) must return a finite array of shape ({npts},), got {out.shape}")
            return out
        return (lambda j: value(times[j])), (lambda j: value(0.5 * (times[j] + times[j + 1])))
    dv = as_real_array(dv, "dv")
    if dv.shape == (npts,):
        return (lambda j: dv), (lambda j: dv)
    if dv.shape == (times.size, npts):
        return (lambda j: dv[j]), (lambda j: 0.5 * (dv[j] + dv[j + 1]))
    raise ValueError(f"dv must be a callable dv(t), an array of shape ({npts},) or ({times.size}, {npts}) "
                     f"(one row per time), got shape {dv.shape}")


def _evolve_exact(initial: ExactResult, perturbation, times, tol, max_iterations) -> Evolution:
    import scipy.sparse.linalg as spla  # only needed here; keeps the package import light

    system = initial.system
    at, mid = perturbation
    n = initial.wavefunction.ndim
    npts, dx = system.n_points, system.dx
    flipped = system.n_down > system.n_up
    majority, minority = (system.n_down, system.n_up) if flipped else (system.n_up, system.n_down)
    if n == 2 and majority == 1:
        spatial = "symmetric" if initial.spin == 0 else "antisymmetric"
        group = symmetry_group(1, 1, spatial)
    else:
        group = symmetry_group(majority, minority)
    eps, orbitals = np.linalg.eigh(system.kinetic_matrix() + np.diag(system.v_ext))
    ham = OrbitalBasisHamiltonian(eps, orbitals, system.interaction, SymmetricSpace(npts, n, group))
    psi = ham.from_grid(initial.wavefunction[None].astype(complex) * dx ** (n / 2))[0]
    tau = 0.5 * (times[1] - times[0])
    precondition = 1.0 / (1.0 + 1j * tau * ham.preconditioner)
    preconditioner = spla.LinearOperator((ham.space.dim,) * 2, matvec=lambda r: precondition * r, dtype=complex)

    nt = times.size
    density = np.empty((nt, npts))
    norm = np.empty(nt)
    energy = np.empty(nt)

    def observe(j, state):
        grid = ham.to_grid(state[None])[0]
        prob = np.abs(grid) ** 2
        density[j] = sum(prob.sum(axis=tuple(a for a in range(n) if a != i)) for i in range(n)) / dx
        norm[j] = float(prob.sum())
        applied = ham.apply(state[None], extra_potential=one_body_sum(at(j), n))[0]
        energy[j] = float(np.real(np.vdot(state, applied))) / norm[j]

    observe(0, psi)
    for j in range(nt - 1):
        extra = one_body_sum(mid(j), n)

        def cn_matrix(vector, extra=extra):
            return vector + 1j * tau * ham.apply(vector[None], extra_potential=extra)[0]

        operator = spla.LinearOperator((ham.space.dim,) * 2, matvec=cn_matrix, dtype=complex)
        rhs = psi - 1j * tau * ham.apply(psi[None], extra_potential=extra)[0]
        new, info = spla.gmres(operator, rhs, x0=psi, rtol=tol, atol=0.0, M=preconditioner, restart=30,
                               maxiter=max_iterations)
        if info != 0:
            raise ConvergenceError(f"Crank-Nicolson linear solve did not converge at step {j} (t = {times[j]:.4g}); "
                                   "reduce the time step")
        psi = new
        observe(j + 1, psi)
    final = ham.to_grid(psi[None])[0] / dx ** (n / 2)
    dipole = density @ system.x * dx
    return Evolution(system=system, times=times.copy(), density=density, dipole=dipole, norm=norm, energy=energy,
                     final=final, method="exact")


def _evolve_orbitals(initial, perturbation, times, functional) -> Evolution:
    system = initial.system
    at, mid = perturbation
    dx, npts = system.dx, system.n_points
    band = system.kinetic_banded()  # upper storage (p + 1, N)
    p = band.shape[0] - 1
    general = np.zeros((2 * p + 1, npts))
    general[:p + 1] = band
    for k in range(1, p + 1):
        general[p + k, :npts - k] = band[p - k, k:]
    tau = 0.5 * (times[1] - times[0])
    n_up, n_down = system.n_up, system.n_down
    phi = [initial.orbitals_up[:, :n_up].astype(complex), initial.orbitals_down[:, :n_down].astype(complex)]

    def densities(orbs):
        return [np.sum(np.abs(o) ** 2, axis=1) for o in orbs]

    def potentials(j_value, dens):
        v = [system.v_ext + j_value, system.v_ext + j_value]
        if functional is not None:
            v_h = _ks.hartree_potential(system, dens[0] + dens[1])
            vxc_up, vxc_down, _ = functional(dens[0], dens[1])
            v = [v[0] + v_h + vxc_up, v[1] + v_h + vxc_down]
        return v

    def step(orbs, v):
        out = []
        for o, pot in zip(orbs, v, strict=True):
            if o.shape[1] == 0:
                out.append(o)
                continue
            applied = _banded_apply(band, pot, o)
            rhs = o - 1j * tau * applied
            matrix = (1j * tau) * general.astype(complex)
            matrix[p] += 1.0 + 1j * tau * pot
            out.append(solve_banded((p, p), matrix, rhs))
        return out

    nt = times.size
    density = np.empty((nt, npts))
    norm = np.empty(nt)
    energy = np.empty(nt)

    def observe(j, orbs):
        dens = densities(orbs)
        density[j] = dens[0] + dens[1]
        norms = [np.sum(np.abs(o) ** 2, axis=0) * dx for o in orbs if o.shape[1]]
        norm[j] = float(np.mean(np.concatenate(norms)))
        v_now = system.v_ext + at(j)
        kinetic = sum(float(np.real(np.sum(np.conj(o) * _banded_apply(band, np.zeros(npts), o)))) * dx
                      for o in orbs)
        total = kinetic + float(v_now @ density[j]) * dx
        if functional is not None:
            _, _, e_xc = functional(dens[0], dens[1])
            total += _ks.hartree_energy(system, density[j]) + (np.nan if e_xc is None else e_xc)
        energy[j] = total

    observe(0, phi)
    for j in range(nt - 1):
        if functional is None:
            phi = step(phi, potentials(mid(j), None))
        else:
            current = densities(phi)
            predicted = densities(step(phi, potentials(mid(j), current)))
            midpoint = [0.5 * (a + b) for a, b in zip(current, predicted, strict=True)]
            phi = step(phi, potentials(mid(j), midpoint))
        observe(j + 1, phi)
    width = max(n_up, n_down)
    final = np.zeros((2, npts, width), dtype=complex)
    final[0, :, :n_up] = phi[0]
    final[1, :, :n_down] = phi[1]
    dipole = density @ system.x * dx
    return Evolution(system=system, times=times.copy(), density=density, dipole=dipole, norm=norm, energy=energy,
                     final=final, method="non_interacting" if functional is None else "kohn_sham")


def _banded_apply(band: np.ndarray, potential: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    p = band.shape[0] - 1
    out = (band[p] + potential)[:, None] * vectors
    for k in range(1, p + 1):
        coupling = band[p - k, k:][:, None]
        out[:-k] += coupling * vectors[k:]
        out[k:] += coupling * vectors[:-k]
    return out
