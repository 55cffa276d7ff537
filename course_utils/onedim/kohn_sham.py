"""Self-consistent Kohn-Sham DFT in 1D (Hartree atomic units), with a pluggable exchange-correlation term.

``solve(system, xc=...)`` minimises ``E[n] = T_s[n] + integral v_ext n + E_H[n] + E_xc[n]`` by the Kohn-Sham
self-consistent field: orbitals of ``-1/2 d^2/dx^2 + v_ext + v_H[n] + v_xc,sigma[n]``, the lowest ``n_up`` (``n_down``)
occupied, densities mixed (Pulay/Anderson or linear) until the density and the energy stop changing.

``xc`` may be:

* ``"lda"`` -- the LDA of :mod:`course_utils.onedim.lda` that matches the system's interaction
  (soft-Coulomb ``a = 1``: Helbig et al. 2011; iDEA's ``1/(|u|+1)``: Entwistle et al. 2016);
* an :class:`~course_utils.onedim.lda.LDA` object (spin-resolved);
* ``"hartree"`` -- no exchange-correlation (Hartree approximation);
* ``"exx"`` -- exact exchange, for at most one electron of each spin (then ``v_x,sigma = -v_H[n_sigma]``: the
  Hartree self-interaction is removed; for a two-electron singlet this is Hartree-Fock);
* any callable ``xc(density) -> (v_xc, E_xc)`` of the total density (1/bohr, shape ``(N,)``) returning the
  potential (Ha, shape ``(N,)``) and the energy (Ha) -- a learned functional plugs in here. ``E_xc`` may be
  ``None`` for a potential-only model; the energies are then ``nan`` and only the density is converged.

Convergence: ``integral |n_out - n_in| dx < tol`` and ``|E_k - E_{k-1}| < energy_tol``; otherwise
:class:`~course_utils.ConvergenceError` with the residuals reached (never a silent unconverged result).
"""

from __future__ import annotations

import numpy as np

from .._checks import ConvergenceError, as_int, as_number, as_real_array, one_of
from ..threads import limited_blas
from . import lda as _lda
from .results import KohnShamResult
from .system_definition import System, check_density


def hartree_potential(system: System, density) -> np.ndarray:
    """``v_H(x) = integral w(x - x') n(x') dx'`` (Ha), shape ``(N,)``."""
    return system.interaction @ np.asarray(density, dtype=float) * system.dx


def hartree_energy(system: System, density) -> float:
    """``E_H = 1/2 integral integral n(x) w(x - x') n(x') dx dx'`` (Ha)."""
    density = np.asarray(density, dtype=float)
    return 0.5 * float(density @ hartree_potential(system, density)) * system.dx


class _XC:
    """Uniform spin-resolved interface ``(n_up, n_down) -> (v_up, v_down, E_xc or None)`` over the options."""

    def __init__(self, xc, system: System, check_interaction: bool):
        self.system = system
        if isinstance(xc, str):
            one_of(xc, "xc", ("lda", "hartree", "exx"))
            self.name = xc
            if xc == "lda":
                self.functional = _lda.default_for(system.interaction_model)
                self.name = self.functional.name
                self.kind = "lda"
            else:
                self.kind = xc
            if xc == "exx" and (system.n_up > 1 or system.n_down > 1):
                raise ValueError(f"xc='exx' is implemented for at most one electron of each spin (where exact "
                                 f"exchange cancels the self-interaction), got electrons={system.electrons!r}")
        elif isinstance(xc, _lda.LDA):
            self.functional, self.kind, self.name = xc, "lda", xc.name
            if check_interaction and xc.interaction is not None:
                expected = xc.interaction.matrix(system.x)
                if not np.allclose(system.interaction, expected, rtol=1e-10, atol=1e-12):
                    raise ValueError(f"{xc!r} is parameterised for the interaction {xc.interaction!r}, but the "
                                     f"system's interaction differs; pass check_interaction=False to use it anyway")
        elif callable(xc):
            self.functional, self.kind = xc, "callable"
            self.name = getattr(xc, "__name__", type(xc).__name__)
        else:
            raise TypeError(f"xc must be 'lda', 'hartree', 'exx', an onedim.lda.LDA or a callable "
                            f"density -> (v_xc, E_xc); got {type(xc).__name__}")

    def __call__(self, n_up: np.ndarray, n_down: np.ndarray):
        system, npts = self.system, self.system.n_points
        if self.kind == "hartree":
            zero = np.zeros(npts)
            return zero, zero.copy(), 0.0
        if self.kind == "exx":
            v_up, v_down = -hartree_potential(system, n_up), -hartree_potential(system, n_down)
            return v_up, v_down, -hartree_energy(system, n_up) - hartree_energy(system, n_down)
        if self.kind == "lda":
            return self.functional.evaluate(n_up, n_down, system.dx)
        out = self.functional(n_up + n_down)
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError(f"the xc callable must return a tuple (v_xc, E_xc), got {type(out).__name__}")
        v_xc, e_xc = out
        v_xc = as_real_array(np.asarray(v_xc, dtype=float).reshape(-1), "v_xc returned by the xc callable",
                             shape=(npts,))
        if e_xc is not None:
            e_xc = float(np.asarray(e_xc).reshape(()))
            if not np.isfinite(e_xc):
                raise ValueError(f"E_xc returned by the xc callable is not finite: {e_xc}")
        return v_xc, v_xc.copy(), e_xc


@limited_blas
def solve(system: System, xc="lda", *, mixing: float = 0.5, method: str = "pulay", tol: float = 1e-8,
          energy_tol: float = 1e-9, max_iterations: int = 300, initial_density=None, history: int = 8,
          n_extra: int = 4, check_interaction: bool = True, verbose: bool = False) -> KohnShamResult:
    """Self-consistent Kohn-Sham ground state.

    Parameters
    ----------
    system : System
        The :class:`~course_utils.onedim.System` (its interaction defines the Hartree term).
    xc : str, LDA or callable
        Exchange-correlation term (see the module docstring).
    mixing : float
        Fraction of the output density mixed in per step (0 < mixing <= 1).
    method : str
        ``"pulay"`` (Anderson/DIIS extrapolation over ``history`` steps; robust default) or ``"linear"``.
    tol : float
        Density convergence, ``integral |n_out - n_in| dx`` (electrons).
    energy_tol : float
        Energy convergence between successive steps (Ha).
    max_iterations : int
        Iterations before :class:`~course_utils.ConvergenceError` is raised.
    initial_density : array_like, shape (N,), optional
        Starting total density (1/bohr, shape ``(N,)``, integrating to the electron number); by default the
        non-interacting density.
    history : int
        Pulay history length.
    n_extra : int
        Unoccupied orbitals returned per spin.
    check_interaction : bool
        Check that an LDA object matches the system's interaction.
    verbose : bool
        Print the residuals of each iteration.

    Returns
    -------
    KohnShamResult
        A :class:`~course_utils.onedim.results.KohnShamResult` (energy and its breakdown, densities, orbitals,
        eigenvalues, potentials, 1-RDM of the Kohn-Sham determinant).
    """
    if not isinstance(system, System):
        raise TypeError(f"system must be a course_utils.onedim.System, got {type(system).__name__}")
    mixing = as_number(mixing, "mixing", minimum=0.0, maximum=1.0, strict_minimum=True)
    one_of(method, "method", ("pulay", "linear"))
    tol = as_number(tol, "tol", minimum=0.0, strict_minimum=True)
    energy_tol = as_number(energy_tol, "energy_tol", minimum=0.0, strict_minimum=True)
    max_iterations = as_int(max_iterations, "max_iterations", minimum=1)
    history = as_int(history, "history", minimum=1)
    n_extra = as_int(n_extra, "n_extra", minimum=0)
    functional = _XC(xc, system, check_interaction)
    dx, npts = system.dx, system.n_points
    solver = system.one_body_solver()
    m = min(max(system.n_up, system.n_down) + n_extra, npts)
    occ_up = (np.arange(m) < system.n_up).astype(float)
    occ_down = (np.arange(m) < system.n_down).astype(float)

    def orbitals(v_up, v_down):
        eps_up, vec_up = solver.lowest(v_up, m)
        if np.array_equal(v_up, v_down):
            eps_down, vec_down = eps_up, vec_up
        else:
            eps_down, vec_down = solver.lowest(v_down, m)
        return eps_up, vec_up / np.sqrt(dx), eps_down, vec_down / np.sqrt(dx)

    if initial_density is None:
        _, phi_up, _, phi_down = orbitals(system.v_ext, system.v_ext)
        n_up = (phi_up**2) @ occ_up
        n_down = (phi_down**2) @ occ_down
    else:
        total = check_density(initial_density, system, "initial_density")
        n_up, n_down = total * (system.n_up / system.count), total * (system.n_down / system.count)

    in_history: list[np.ndarray] = []
    out_history: list[np.ndarray] = []
    energy_prev = np.inf
    residual = energy_change = np.inf
    for iteration in range(1, max_iterations + 1):
        v_h = hartree_potential(system, n_up + n_down)
        vxc_up, vxc_down, e_xc = functional(n_up, n_down)
        v_up, v_down = system.v_ext + v_h + vxc_up, system.v_ext + v_h + vxc_down
        eps_up, phi_up, eps_down, phi_down = orbitals(v_up, v_down)
        new_up, new_down = (phi_up**2) @ occ_up, (phi_down**2) @ occ_down
        residual = float(np.sum(np.abs(new_up - n_up) + np.abs(new_down - n_down)) * dx)
        # energy functional of the output density (T_s from the orbitals that produced it)
        kinetic = float(occ_up @ eps_up + occ_down @ eps_down - (v_up @ new_up + v_down @ new_down) * dx)
        _, _, e_xc_out = functional(new_up, new_down)
        new_total = new_up + new_down
        energy = (kinetic + float(system.v_ext @ new_total) * dx + hartree_energy(system, new_total)
                  + (e_xc_out if e_xc_out is not None else np.nan))
        energy_change = abs(energy - energy_prev) if np.isfinite(energy) else 0.0
        energy_prev = energy
        if verbose:
            print(f"KS iteration {iteration:3d}: density residual {residual:.3e}, energy {energy:.10f} Ha, "
                  f"change {energy_change:.2e}")
        if residual < tol and energy_change < energy_tol:
            return _result(system, functional, new_up, new_down, eps_up, phi_up, eps_down, phi_down, occ_up,
                           occ_down, v_up, v_down, v_h, vxc_up, vxc_down, kinetic, iteration, residual,
                           energy_change)
        current = np.concatenate([n_up, n_down])
        output = np.concatenate([new_up, new_down])
        if method == "linear":
            mixed = current + mixing * (output - current)
        else:
            in_history.append(current)
            out_history.append(output)
            del in_history[:-history], out_history[:-history]
            mixed = _pulay(in_history, out_history, mixing)
        n_up, n_down = _renormalise(mixed[:npts], system.n_up, dx), _renormalise(mixed[npts:], system.n_down, dx)
    raise ConvergenceError(f"Kohn-Sham SCF ({functional.name}) did not converge in {max_iterations} iterations: "
                           f"density residual {residual:.3e} (tol {tol:g}), energy change {energy_change:.3e} Ha "
                           f"(energy_tol {energy_tol:g}); try a smaller mixing or more iterations",
                           iterations=max_iterations, residual=float(residual))


def _pulay(inputs: list[np.ndarray], outputs: list[np.ndarray], mixing: float) -> np.ndarray:
    """Anderson/Pulay mixing: the combination of past steps with the smallest residual, then a mixing step."""
    residuals = [o - i for i, o in zip(inputs, outputs, strict=True)]
    k = len(residuals)
    if k == 1:
        return inputs[0] + mixing * residuals[0]
    matrix = np.ones((k + 1, k + 1))
    matrix[k, k] = 0.0
    for a in range(k):
        for b in range(a, k):
            matrix[a, b] = matrix[b, a] = residuals[a] @ residuals[b]
    rhs = np.zeros(k + 1)
    rhs[k] = 1.0
    scale = np.max(np.abs(matrix[:k, :k])) or 1.0
    matrix[:k, :k] /= scale
    coefficients = np.linalg.lstsq(matrix, rhs, rcond=1e-12)[0][:k]
    mixed_in = sum(c * i for c, i in zip(coefficients, inputs, strict=True))
    mixed_res = sum(c * r for c, r in zip(coefficients, residuals, strict=True))
    return mixed_in + mixing * mixed_res


def _renormalise(density: np.ndarray, electrons: int, dx: float) -> np.ndarray:
    density = np.clip(density, 0.0, None)
    total = density.sum() * dx
    return density * (electrons / total) if total > 0 else density


def _result(system, functional, n_up, n_down, eps_up, phi_up, eps_down, phi_down, occ_up, occ_down, v_up, v_down,
            v_h, vxc_up, vxc_down, kinetic, iterations, residual, energy_change) -> KohnShamResult:
    dx = system.dx
    density = n_up + n_down
    _, _, e_xc = functional(n_up, n_down)
    e_xc = np.nan if e_xc is None else float(e_xc)
    external = float(system.v_ext @ density) * dx
    e_h = hartree_energy(system, density)
    rdm_up = (phi_up * occ_up) @ phi_up.T
    rdm_down = (phi_down * occ_down) @ phi_down.T
    return KohnShamResult(system=system, energy=kinetic + external + e_h + e_xc, density=density, density_up=n_up,
                          density_down=n_down, orbitals_up=phi_up, orbitals_down=phi_down,
                          eigenvalues_up=np.array(eps_up), eigenvalues_down=np.array(eps_down),
                          occupations_up=occ_up, occupations_down=occ_down, rdm1=rdm_up + rdm_down,
                          rdm1_up=rdm_up, rdm1_down=rdm_down, kinetic_energy=kinetic, external_energy=external,
                          hartree_energy=e_h, xc_energy=e_xc, v_ks_up=v_up, v_ks_down=v_down, v_hartree=v_h,
                          v_xc_up=vxc_up, v_xc_down=vxc_down, iterations=iterations, density_residual=residual,
                          energy_change=energy_change, xc=functional.name)
