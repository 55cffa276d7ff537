"""A differentiable 1D Kohn-Sham solver written in TensorFlow, and its linear response (Hartree atomic units).

The same physics as :mod:`course_utils.onedim.kohn_sham` (grid, kinetic stencil, soft-Coulomb interaction, the
soft-Coulomb LSDA of :mod:`course_utils.onedim.lda`, Pulay or linear mixing), written with TensorFlow operations so
that any output can be differentiated with respect to any input in three ways:

* **unrolled** automatic differentiation: :func:`solve` under a ``tf.GradientTape``; the derivative of the result
  after ``k`` SCF iterations is the derivative of the ``k``-th iterate, not of the fixed point;
* **implicit** differentiation at the fixed point: :class:`Response` builds the independent-particle response
  ``chi0`` (sum over states) and the Hartree-exchange-correlation kernel ``K = v_H + f_xc`` of a converged
  result and solves the Dyson equation ``(1 - chi0 K) dn = chi0 dv`` by GMRES, with matrix-vector products
  only (forward mode, one solve per parameter), or its adjoint ``(1 - K chi0) lam = b`` (reverse mode, one solve
  per output);
* finite differences of :func:`solve` (the reference).

An exchange-correlation functional here is *local*: ``E_xc = sum_x e(n_up(x), n_down(x); params) dx`` with an
energy density ``e`` (Ha/bohr) written in TensorFlow. :func:`scaled_lda` is the soft-Coulomb LSDA with its exchange
and correlation scaled by two tunable parameters ``theta = (theta_x, theta_c)`` (``(1, 1)`` is
:class:`~course_utils.onedim.lda.SoftCoulombLDA`; its uniform-gas exchange is evaluated by Gauss-Legendre
quadrature of the interaction's Fourier transform instead of the Bessel-Struve closed form, agreeing to ~1e-12
Ha/bohr); :class:`NeuralXC` is a small network enhancement factor over LDA exchange (notebook 09).

TensorFlow is imported when a function of this module is first called, not when it is imported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import ConvergenceError, as_int, as_number, as_real_array, one_of
from .lda import SoftCoulombLDA
from .system_definition import System

__all__ = ["LocalXC", "NeuralXC", "Response", "DifferentiableResult", "scaled_lda", "scaled_lda_numpy", "solve",
           "gap_weights", "homo_lumo", "xc_potential_jacobian", "xc_energy_gradient", "xc_vjp", "exchange_polarised",
           "correlation_density"]

_TINY = 1e-30
_QUAD_NODES, _QUAD_POWER = 64, 4


def _tf():
    import tensorflow as tf

    return tf


def _f64(value):
    tf = _tf()
    return tf.convert_to_tensor(value, dtype=tf.float64)


# --------------------------------------------------------------------------------------------- functionals
def exchange_polarised(n):
    """Exchange energy per length (Ha/bohr) of the fully polarised soft-Coulomb (``a = 1``) uniform gas, in TF.

    ``e_x = -(1 / 4 pi^2) integral_0^Q (Q - q) 2 K0(q) dq`` with ``Q = 2 pi n``, integrated after the substitution
    ``q = Q t^4`` (which removes the logarithmic singularity of ``K0`` at 0) with 64 Gauss-Legendre nodes.
    Differentiable to any order through ``Q``; ``n`` is a float64 tensor of any shape (1/bohr).
    """
    tf = _tf()
    t, w = np.polynomial.legendre.leggauss(_QUAD_NODES)
    t, w = 0.5 * (t + 1.0), 0.5 * w
    n = tf.maximum(n, _TINY)
    q_max = 2.0 * np.pi * n[..., None]
    q = q_max * t**_QUAD_POWER
    jac = q_max * (_QUAD_POWER * t ** (_QUAD_POWER - 1))
    integrand = w * (q_max - q) * 2.0 * tf.math.special.bessel_k0(q) * jac
    return -tf.reduce_sum(integrand, axis=-1) / (4.0 * np.pi**2)


def _css(rs, par):
    a, b, c, d, e, n1, n2, alpha, beta, m = par
    tf = _tf()
    top = rs + e * rs**2
    log = tf.math.log(1.0 + alpha * rs + beta * rs**m)
    bottom = 2.0 * (a + b * rs + c * rs**n1 + d * rs**n2)
    return -top * log / bottom


def correlation_density(n_up, n_down):
    """Correlation energy per length (Ha/bohr) of Helbig et al. (2011), as in ``SoftCoulombLDA``, in TF."""
    tf = _tf()
    n_up, n_down = tf.maximum(n_up, 0.0), tf.maximum(n_down, 0.0)
    n = n_up + n_down
    safe = n > _TINY
    ns = tf.where(safe, n, tf.ones_like(n))  # the double-where keeps gradients finite where n = 0
    rs = 0.5 / ns
    zeta = (n_up - n_down) / ns
    e0 = _css(rs, SoftCoulombLDA.PARAMAGNETIC)
    e1 = _css(rs, SoftCoulombLDA.FERROMAGNETIC)
    return tf.where(safe, ns * (e0 + (e1 - e0) * zeta**2), tf.zeros_like(n))


_COMPILED: dict = {}


def _compiled(kind: str):
    """Module-level ``tf.function`` s shared by all functionals (traced once per energy density and shape)."""
    if kind in _COMPILED:
        return _COMPILED[kind]
    tf = _tf()

    def potentials(energy_density, n_up, n_down, params):
        with tf.GradientTape() as tape:
            tape.watch([n_up, n_down])
            e = energy_density(n_up, n_down, params)
            total = tf.reduce_sum(e)
        v_up, v_down = tape.gradient(total, [n_up, n_down])
        return v_up, v_down, e

    def energy(energy_density, n_up, n_down, params):
        return tf.reduce_sum(energy_density(n_up, n_down, params))

    def kernel(energy_density, n_up, n_down, params):
        with tf.GradientTape(persistent=True) as outer:
            outer.watch([n_up, n_down])
            v_up, v_down, _ = potentials(energy_density, n_up, n_down, params)
            s_up, s_down = tf.reduce_sum(v_up), tf.reduce_sum(v_down)
        rows = [outer.gradient(s, [n_up, n_down]) for s in (s_up, s_down)]
        return tf.stack([tf.stack(row) for row in rows])

    def vjp(energy_density, n_up, n_down, params, c_up, c_down):
        with tf.GradientTape() as tape:
            v_up, v_down, _ = potentials(energy_density, n_up, n_down, params)
            total = tf.reduce_sum(v_up * c_up) + tf.reduce_sum(v_down * c_down)
        return tape.gradient(total, params)

    def mixed(energy_density, n_up, n_down, params):
        # d v_s(x) / d theta_p = d/dn_s(x) of dE/dtheta_p: one reverse pass per parameter (a few of them)
        with tf.GradientTape(persistent=True) as outer:
            outer.watch([n_up, n_down])
            with tf.GradientTape() as inner:
                total = tf.reduce_sum(energy_density(n_up, n_down, params))
            flat = tf.concat([tf.reshape(g, [-1]) for g in inner.gradient(total, params)], 0)
            parts = [flat[k] for k in range(flat.shape[0])]
        rows = [tf.stack(outer.gradient(part, [n_up, n_down])) for part in parts]
        return tf.stack(rows)

    def step(energy_density, n_up, n_down, v_ext, params, kinetic, interaction, dx, m, n_up_e, n_down_e, same):
        v_h = tf.linalg.matvec(interaction, n_up + n_down)
        vxc_u, vxc_d, _ = potentials(energy_density, n_up, n_down, params)
        v_u = v_ext + v_h + vxc_u
        eps_u, vec_u = tf.linalg.eigh(kinetic + tf.linalg.diag(v_u))
        eps_u, phi_u = eps_u[:m], vec_u[:, :m] / np.sqrt(dx)
        if same:
            v_d, eps_d, phi_d = v_u, eps_u, phi_u
        else:
            v_d = v_ext + v_h + vxc_d
            eps_d, vec_d = tf.linalg.eigh(kinetic + tf.linalg.diag(v_d))
            eps_d, phi_d = eps_d[:m], vec_d[:, :m] / np.sqrt(dx)
        new_u = tf.reduce_sum(phi_u[:, :n_up_e] ** 2, axis=1)
        new_d = tf.reduce_sum(phi_d[:, :n_down_e] ** 2, axis=1)
        band = tf.reduce_sum(eps_u[:n_up_e]) + tf.reduce_sum(eps_d[:n_down_e])
        kinetic_energy = band - (tf.reduce_sum(v_u * new_u) + tf.reduce_sum(v_d * new_d)) * dx
        new_total = new_u + new_d
        e_xc = tf.reduce_sum(energy_density(new_u, new_d, params)) * dx
        energy = (kinetic_energy + tf.reduce_sum(v_ext * new_total) * dx
                  + 0.5 * tf.reduce_sum(new_total * tf.linalg.matvec(interaction, new_total)) * dx + e_xc)
        return eps_u, phi_u, eps_d, phi_d, new_u, new_d, v_u, v_d, energy, e_xc

    compiled = {name: tf.function(fn, reduce_retracing=True, autograph=False)  # no tensor-dependent control flow
                for name, fn in (("potentials", potentials), ("vjp", vjp), ("mixed", mixed), ("step", step),
                                 ("energy", energy), ("kernel", kernel))}
    _COMPILED.update(compiled, eager_potentials=potentials)
    return _COMPILED[kind]


class LocalXC:
    """A local xc functional ``E_xc = sum_x e(n_up, n_down; params) dx`` with a TensorFlow energy density.

    Parameters
    ----------
    energy_density : callable
        ``energy_density(n_up, n_down, params) -> e`` (float64 tensors of shape ``(N,)``, Ha/bohr).
    params : list of tf.Variable
        Trainable parameters (differentiated by :class:`Response` and by tapes).
    name : str
        Label.
    """

    def __init__(self, energy_density, params, name: str = "local xc"):
        if not callable(energy_density):
            raise TypeError(f"energy_density must be callable, got {type(energy_density).__name__}")
        self.energy_density, self.params, self.name = energy_density, list(params), str(name)

    def energy(self, n_up, n_down, dx: float):
        """``E_xc`` (Ha, scalar tensor)."""
        return _compiled("energy")(self.energy_density, n_up, n_down, self.params) * dx

    def potentials(self, n_up, n_down):
        """``(v_up, v_down, e)``: ``v_sigma = d e / d n_sigma`` (Ha, ``(N,)``) and the energy density."""
        return _compiled("potentials")(self.energy_density, n_up, n_down, self.params)

    def kernel_diagonal(self, n_up, n_down) -> np.ndarray:
        """``f_xc`` of a local functional: ``d^2 e / d n_s d n_t`` at each point, shape ``(2, 2, N)`` (Ha bohr)."""
        return _compiled("kernel")(self.energy_density, _f64(n_up), _f64(n_down), self.params).numpy()

    def __repr__(self) -> str:
        return f"LocalXC({self.name!r}, {sum(int(np.prod(p.shape)) for p in self.params)} parameters)"


def scaled_lda(theta_x: float = 1.0, theta_c: float = 1.0) -> LocalXC:
    """Soft-Coulomb LSDA with scaled exchange and correlation, ``e = theta_x e_x + theta_c e_c``.

    ``params[0]`` is the ``tf.Variable([theta_x, theta_c])``; ``(1, 1)`` reproduces
    :class:`~course_utils.onedim.lda.SoftCoulombLDA`.
    """
    tf = _tf()
    theta = tf.Variable([as_number(theta_x, "theta_x"), as_number(theta_c, "theta_c")], dtype=tf.float64,
                        name="theta")

    return LocalXC(_scaled_lda_density, [theta], name="scaled LDA")


def _scaled_lda_density(n_up, n_down, params):
    th = params[0]
    return th[0] * (exchange_polarised(n_up) + exchange_polarised(n_down)) + th[1] * correlation_density(n_up, n_down)


class NeuralXC(LocalXC):
    """A small neural xc energy density: LDA exchange times a learned enhancement factor.

    ``e(n_up, n_down) = [e_x(n_up) + e_x(n_down)] * (1 + g(n^(1/3), zeta^2))`` with ``g`` a multilayer perceptron
    (``tanh`` hidden layers, so that ``v_xc`` and ``f_xc`` are smooth), last layer initialised to zero (the start
    is exchange-only LDA). Local, like the "KSR-LDA" network of Li et al., PRL 126, 036401 (2021).

    Parameters
    ----------
    hidden : tuple of int
        Widths of the hidden layers.
    seed : int
        Seed of the initial weights.
    """

    def __init__(self, hidden=(16, 16), seed: int = 0):
        tf = _tf()
        hidden = tuple(as_int(h, "hidden width", minimum=1) for h in hidden)
        if not hidden:
            raise ValueError("hidden must contain at least one layer width")
        rng = np.random.default_rng(as_int(seed, "seed", minimum=0))
        sizes = (2, *hidden, 1)
        params = []
        for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            scale = 0.0 if k == len(sizes) - 2 else np.sqrt(1.0 / a)
            params.append(tf.Variable(rng.normal(0.0, 1.0, (a, b)) * scale, dtype=tf.float64, name=f"w{k}"))
            params.append(tf.Variable(np.zeros(b), dtype=tf.float64, name=f"b{k}"))
        self.hidden = hidden
        super().__init__(_neural_density, params, name="neural xc")

    @staticmethod
    def enhancement(n_up, n_down, params):
        """``1 + g`` at each point, shape ``(N,)``."""
        tf = _tf()
        n = tf.maximum(n_up + n_down, _TINY)
        zeta = (n_up - n_down) / n
        h = tf.stack([n ** (1.0 / 3.0), zeta**2], axis=-1)
        layers = len(params) // 2
        for k in range(layers):
            h = h @ params[2 * k] + params[2 * k + 1]
            if k < layers - 1:
                h = tf.tanh(h)
        return 1.0 + h[:, 0]

    def get_weights(self) -> list[np.ndarray]:
        return [p.numpy() for p in self.params]

    def set_weights(self, weights) -> None:
        if len(weights) != len(self.params):
            raise ValueError(f"expected {len(self.params)} arrays, got {len(weights)}")
        for p, w in zip(self.params, weights, strict=True):
            if tuple(np.shape(w)) != tuple(p.shape):
                raise ValueError(f"weight of shape {np.shape(w)} for a parameter of shape {tuple(p.shape)}")
            p.assign(np.asarray(w, dtype=float))


def _neural_density(n_up, n_down, params):
    return (exchange_polarised(n_up) + exchange_polarised(n_down)) * NeuralXC.enhancement(n_up, n_down, params)


# --------------------------------------------------------------------------------------------- SCF
@dataclass(frozen=True, eq=False)
class DifferentiableResult:
    """A (converged or unrolled) Kohn-Sham result; tensor fields are float64 TensorFlow tensors.

    Attributes
    ----------
    system : System
    energy : tensor ()
        Total electronic energy (Ha; no nucleus-nucleus repulsion), of the output density.
    xc_energy : tensor ()
    eigenvalues_up, eigenvalues_down : tensor (m,)
        Lowest Kohn-Sham eigenvalues (Ha).
    orbitals_up, orbitals_down : tensor (N, m)
        Orbitals normalised as ``sum phi^2 dx = 1``.
    density_up, density_down : tensor (N,)
        Output densities (1/bohr).
    v_up, v_down : tensor (N,)
        Kohn-Sham potentials that produced them (Ha).
    energy_history : list of tensors
        The energy after each iteration (for the unrolled derivatives).
    gap_history : list of tensors
        The HOMO-LUMO gap after each iteration.
    residual_history : list of float
        ``integral |n_out - n_in| dx`` after each iteration (electrons).
    iterations : int
    residual : float
        ``integral |n_out - n_in| dx`` of the last iteration.
    v_ext : tensor (N,)
    xc : LocalXC
    """

    system: System
    energy: object
    xc_energy: object
    eigenvalues_up: object
    eigenvalues_down: object
    orbitals_up: object
    orbitals_down: object
    density_up: object
    density_down: object
    v_up: object
    v_down: object
    energy_history: list
    gap_history: list
    residual_history: list
    iterations: int
    residual: float
    v_ext: object
    xc: LocalXC

    @property
    def density(self):
        return self.density_up + self.density_down

    @property
    def gap(self):
        """HOMO-LUMO gap (Ha, tensor)."""
        return _gap(self.system, self.eigenvalues_up, self.eigenvalues_down)


def homo_lumo(system: System, eigenvalues_up, eigenvalues_down) -> tuple[tuple[str, int], tuple[str, int]]:
    """``(("up"|"down", index), ...)`` of the highest occupied and lowest unoccupied levels."""
    eu, ed = np.asarray(eigenvalues_up), np.asarray(eigenvalues_down)
    occupied = [("up", system.n_up - 1, eu[system.n_up - 1])] if system.n_up else []
    if system.n_down:
        occupied.append(("down", system.n_down - 1, ed[system.n_down - 1]))
    empty = [("up", system.n_up, eu[system.n_up]), ("down", system.n_down, ed[system.n_down])]
    homo = max(occupied, key=lambda item: item[2])
    lumo = min(empty, key=lambda item: item[2])
    return homo[:2], lumo[:2]


def _gap(system, eigenvalues_up, eigenvalues_down):
    (hs, hi), (ls, li) = homo_lumo(system, eigenvalues_up, eigenvalues_down)
    pick = {"up": eigenvalues_up, "down": eigenvalues_down}
    return pick[ls][li] - pick[hs][hi]


def solve(system: System, xc: LocalXC | None = None, *, v_ext=None, mixing: float = 0.5, method: str = "pulay",
          tol: float = 1e-9, energy_tol: float = 1e-11, max_iterations: int = 200, iterations: int | None = None,
          history: int = 8, n_extra: int = 2, initial_density=None) -> DifferentiableResult:
    """Self-consistent Kohn-Sham ground state in TensorFlow (differentiable with a ``tf.GradientTape``).

    Parameters
    ----------
    system : System
        Grid, kinetic stencil, interaction and electrons (``system.v_ext`` unless ``v_ext`` is given).
    xc : LocalXC, optional
        Exchange-correlation functional; default :func:`scaled_lda` ``(1, 1)`` (the soft-Coulomb LSDA).
    v_ext : tensor (N,), optional
        External potential (Ha) as a tensor, to differentiate with respect to its parameters.
    mixing, method, history
        Density mixing as in :func:`course_utils.onedim.kohn_sham.solve` (``"pulay"`` or ``"linear"``).
    tol, energy_tol, max_iterations
        Convergence: ``integral |n_out - n_in| dx < tol`` and energy change ``< energy_tol`` (Ha).
    iterations : int, optional
        Run exactly this many iterations without testing convergence (the unrolled derivative of ``k`` steps).
    n_extra : int
        Unoccupied levels kept per spin.
    initial_density : array (N,), optional
        Starting total density; default the non-interacting density of ``v_ext``.

    Returns
    -------
    DifferentiableResult
    """
    tf = _tf()
    if not isinstance(system, System):
        raise TypeError(f"system must be a course_utils.onedim.System, got {type(system).__name__}")
    if xc is None:
        xc = scaled_lda()
    if not isinstance(xc, LocalXC):
        raise TypeError(f"xc must be a differentiable.LocalXC (e.g. scaled_lda()), got {type(xc).__name__}")
    mixing = as_number(mixing, "mixing", minimum=0.0, maximum=1.0, strict_minimum=True)
    one_of(method, "method", ("pulay", "linear"))
    tol = as_number(tol, "tol", minimum=0.0, strict_minimum=True)
    energy_tol = as_number(energy_tol, "energy_tol", minimum=0.0, strict_minimum=True)
    max_iterations = as_int(max_iterations, "max_iterations", minimum=1)
    if iterations is not None:
        iterations = as_int(iterations, "iterations", minimum=1)
    history = as_int(history, "history", minimum=1)
    n_extra = as_int(n_extra, "n_extra", minimum=1)
    dx, npts = system.dx, system.n_points
    if v_ext is None:
        v_ext = _f64(system.v_ext)
    else:
        v_ext = _f64(v_ext)
        if tuple(v_ext.shape) != (npts,):
            raise ValueError(f"v_ext must have shape ({npts},), got {tuple(v_ext.shape)}")
    kinetic = _f64(system.kinetic_matrix())
    interaction = _f64(system.interaction * dx)
    n_up_e, n_down_e = system.n_up, system.n_down
    m = min(max(n_up_e, n_down_e) + n_extra, npts)
    same_spin = n_up_e == n_down_e

    def orbitals(v):
        eps, vec = tf.linalg.eigh(kinetic + tf.linalg.diag(v))
        return eps[:m], vec[:, :m] / np.sqrt(dx)

    def densities(v_u, v_d):
        eps_u, phi_u = orbitals(v_u)
        eps_d, phi_d = (eps_u, phi_u) if same_spin and v_d is v_u else orbitals(v_d)
        n_u = tf.reduce_sum(phi_u[:, :n_up_e] ** 2, axis=1)
        n_d = tf.reduce_sum(phi_d[:, :n_down_e] ** 2, axis=1)
        return eps_u, phi_u, eps_d, phi_d, n_u, n_d

    if initial_density is None:
        *_, n_up, n_down = densities(v_ext, v_ext)
    else:
        total = _f64(as_real_array(initial_density, "initial_density", shape=(npts,)))
        n_up, n_down = total * (n_up_e / system.count), total * (n_down_e / system.count)

    def renormalise(n, electrons):
        n = tf.maximum(n, 0.0)
        return n * (electrons / (tf.reduce_sum(n) * dx)) if electrons else n

    inputs, outputs = [], []
    energies, gaps, residuals = [], [], []
    energy_prev, residual = np.inf, np.inf
    limit = iterations if iterations is not None else max_iterations
    step = _compiled("step")
    for it in range(1, limit + 1):
        eps_u, phi_u, eps_d, phi_d, new_u, new_d, v_u, v_d, energy, e_xc = step(
            xc.energy_density, n_up, n_down, v_ext, xc.params, kinetic, interaction, dx, m, n_up_e, n_down_e,
            same_spin)
        residual = float(tf.reduce_sum(tf.abs(new_u - n_up) + tf.abs(new_d - n_down))) * dx
        energies.append(energy)
        residuals.append(residual)
        gaps.append(_gap(system, eps_u, eps_d))
        change = abs(float(energy) - energy_prev)
        energy_prev = float(energy)
        done = it == limit if iterations is not None else (residual < tol and change < energy_tol)
        if done:
            return DifferentiableResult(system, energy, e_xc, eps_u, eps_d, phi_u, phi_d, new_u, new_d, v_u, v_d,
                                        energies, gaps, residuals, it, residual, v_ext, xc)
        current, output = tf.concat([n_up, n_down], 0), tf.concat([new_u, new_d], 0)
        if method == "linear":
            mixed = current + mixing * (output - current)
        else:
            inputs.append(current)
            outputs.append(output)
            del inputs[:-history], outputs[:-history]
            mixed = _pulay(inputs, outputs, mixing)
        n_up, n_down = renormalise(mixed[:npts], n_up_e), renormalise(mixed[npts:], n_down_e)
    raise ConvergenceError(f"differentiable Kohn-Sham SCF ({xc.name}) did not converge in {max_iterations} "
                           f"iterations: density residual {residual:.3e} (tol {tol:g}); try a smaller mixing",
                           iterations=max_iterations, residual=float(residual))


def _pulay(inputs, outputs, mixing):
    tf = _tf()
    residuals = [o - i for i, o in zip(inputs, outputs, strict=True)]
    k = len(residuals)
    if k == 1:
        return inputs[0] + mixing * residuals[0]
    r = tf.stack(residuals)
    gram = r @ tf.transpose(r)
    gram = gram / tf.maximum(tf.reduce_max(tf.abs(gram)), 1e-300)
    gram = gram + 1e-13 * tf.eye(k, dtype=tf.float64)  # keeps the DIIS system solvable once residuals align
    ones = tf.ones((k, 1), dtype=tf.float64)
    top = tf.concat([gram, ones], axis=1)
    bottom = tf.concat([tf.transpose(ones), tf.zeros((1, 1), dtype=tf.float64)], axis=1)
    rhs = tf.concat([tf.zeros((k, 1), dtype=tf.float64), tf.ones((1, 1), dtype=tf.float64)], axis=0)
    c = tf.linalg.solve(tf.concat([top, bottom], axis=0), rhs)[:k, 0]
    x = tf.tensordot(c, tf.stack(inputs), axes=1)
    return x + mixing * tf.tensordot(c, r, axes=1)


# --------------------------------------------------------------------------------------------- response
class Response:
    """Static linear response at a converged Kohn-Sham fixed point (NumPy, matrix-free operators).

    Densities and potentials are spin-stacked arrays of shape ``(2, N)`` (up, down); the inner product is
    ``<a, b> = sum a b dx``, in which ``chi0`` and ``K`` are symmetric, so the adjoint of ``1 - chi0 K`` is
    ``1 - K chi0``.

    Parameters
    ----------
    result : DifferentiableResult
        A converged result of :func:`solve`.
    """

    def __init__(self, result: DifferentiableResult):
        if not isinstance(result, DifferentiableResult):
            raise TypeError(f"result must be a DifferentiableResult, got {type(result).__name__}")
        system = result.system
        self.system, self.result, self.dx = system, result, system.dx
        kinetic = system.kinetic_matrix()
        self.occupied = (system.n_up, system.n_down)
        self.eps, self.phi = [], []
        for v in (result.v_up.numpy(), result.v_down.numpy()):
            eps, vec = np.linalg.eigh(kinetic + np.diag(v))
            self.eps.append(eps)
            self.phi.append(vec / np.sqrt(self.dx))
        self.interaction = system.interaction
        self.f_xc = result.xc.kernel_diagonal(result.density_up, result.density_down)
        self.matvecs = 0

    def chi0(self, dv: np.ndarray) -> np.ndarray:
        """``dn = chi0 dv``: first-order density change of non-interacting electrons, shape ``(2, N)``."""
        dv = np.asarray(dv, float).reshape(2, -1)
        out = np.zeros_like(dv)
        for s in range(2):
            k = self.occupied[s]
            if k == 0:
                continue
            phi, eps = self.phi[s], self.eps[s]
            occ, emp = phi[:, :k], phi[:, k:]
            coupling = occ.T @ (dv[s][:, None] * emp) * self.dx  # <phi_i|dv|phi_a>, (k, N - k)
            coupling = coupling / (eps[:k, None] - eps[None, k:])
            out[s] = 2.0 * np.sum(occ * (emp @ coupling.T), axis=1)
        return out

    def kernel(self, dn: np.ndarray) -> np.ndarray:
        """``dv = K dn = v_H[dn_up + dn_down] + f_xc dn``, shape ``(2, N)``."""
        dn = np.asarray(dn, float).reshape(2, -1)
        hartree = self.interaction @ (dn[0] + dn[1]) * self.dx
        f = self.f_xc
        return np.stack([hartree + f[0, 0] * dn[0] + f[0, 1] * dn[1], hartree + f[1, 0] * dn[0] + f[1, 1] * dn[1]])

    def _gmres(self, apply, rhs, tol):
        from scipy.sparse.linalg import LinearOperator, gmres

        size = rhs.size

        def matvec(x):
            self.matvecs += 1
            return x - apply(x.reshape(2, -1)).reshape(-1)

        operator = LinearOperator((size, size), matvec=matvec, dtype=float)
        solution, info = gmres(operator, rhs.reshape(-1), rtol=tol, atol=0.0, restart=60, maxiter=20)
        if info != 0:
            raise ConvergenceError(f"GMRES for the Dyson equation did not converge (info={info})", iterations=info)
        return solution.reshape(2, -1)

    def forward(self, dv: np.ndarray, tol: float = 1e-12) -> np.ndarray:
        """Self-consistent ``dn`` for an explicit potential change ``dv``: ``(1 - chi0 K) dn = chi0 dv``."""
        dv = as_real_array(np.asarray(dv, float).reshape(2, -1), "dv", shape=(2, self.system.n_points))
        return self._gmres(lambda x: self.chi0(self.kernel(x)), self.chi0(dv), tol)

    def adjoint(self, eigen_weight=None, density_weight=None, tol: float = 1e-12) -> np.ndarray:
        """Cotangent ``c`` with ``d output = <c, dv>`` for every explicit potential change ``dv`` at once.

        The output's first-order change is ``<w, dv + K dn> + <g, dn>`` (``w``: eigenvalue weights such as
        :func:`gap_weights`; ``g``: its direct sensitivity to the density); then ``c = w + chi0 lam`` with
        ``(1 - K chi0) lam = K w + g`` -- one solve per output, whatever the number of parameters.
        """
        npts = self.system.n_points
        w = np.zeros((2, npts)) if eigen_weight is None else np.asarray(eigen_weight, float).reshape(2, npts)
        g = np.zeros((2, npts)) if density_weight is None else np.asarray(density_weight, float).reshape(2, npts)
        lam = self._gmres(lambda x: self.kernel(self.chi0(x)), self.kernel(w) + g, tol)
        return w + self.chi0(lam)


def gap_weights(result: DifferentiableResult) -> np.ndarray:
    """``w = |phi_LUMO|^2 - |phi_HOMO|^2`` in their spin channels, shape ``(2, N)``: ``d gap = <w, dv_KS>``."""
    system = result.system
    (hs, hi), (ls, li) = homo_lumo(system, result.eigenvalues_up.numpy(), result.eigenvalues_down.numpy())
    orbitals = {"up": result.orbitals_up.numpy(), "down": result.orbitals_down.numpy()}
    w = np.zeros((2, system.n_points))
    w[0 if ls == "up" else 1] += orbitals[ls][:, li] ** 2
    w[0 if hs == "up" else 1] -= orbitals[hs][:, hi] ** 2
    return w


def xc_potential_jacobian(result: DifferentiableResult) -> np.ndarray:
    """``d v_xc / d theta`` at the fixed density, shape ``(P, 2, N)`` for the flattened parameters of ``result.xc``.

    One reverse pass per parameter (mixed second derivatives): meant for a handful of parameters (use
    :func:`xc_vjp` for many)."""
    tf = _tf()
    xc = result.xc
    n_up, n_down = tf.constant(result.density_up.numpy()), tf.constant(result.density_down.numpy())
    return _compiled("mixed")(xc.energy_density, n_up, n_down, xc.params).numpy()


def xc_energy_gradient(result: DifferentiableResult) -> np.ndarray:
    """Hellmann-Feynman ``dE/dtheta = dE_xc/dtheta`` at the fixed density (Ha), flattened parameters."""
    tf = _tf()
    xc = result.xc
    n_up, n_down = tf.constant(result.density_up.numpy()), tf.constant(result.density_down.numpy())
    with tf.GradientTape() as tape:
        e = xc.energy(n_up, n_down, result.system.dx)
    return np.concatenate([g.numpy().reshape(-1) for g in tape.gradient(e, xc.params)])


def xc_vjp(result: DifferentiableResult, cotangent) -> np.ndarray:
    """``sum_s <c_s, d v_xc,s / d theta>`` for all parameters with one backward pass (the adjoint's last step)."""
    tf = _tf()
    xc = result.xc
    c = np.asarray(cotangent, float).reshape(2, -1) * result.system.dx
    n_up, n_down = tf.constant(result.density_up.numpy()), tf.constant(result.density_down.numpy())
    grads = _compiled("vjp")(xc.energy_density, n_up, n_down, xc.params, tf.constant(c[0]), tf.constant(c[1]))
    return np.concatenate([g.numpy().reshape(-1) for g in grads])


def scaled_lda_numpy(system: System, theta_x: float = 1.0, theta_c: float = 1.0):
    """The spin-unpolarised :func:`scaled_lda` as a NumPy callable ``density -> (v_xc, E_xc)`` for
    :func:`course_utils.onedim.kohn_sham.solve` (closed shells only; no TensorFlow)."""
    if not isinstance(system, System):
        raise TypeError(f"system must be a course_utils.onedim.System, got {type(system).__name__}")
    if system.n_up != system.n_down:
        raise ValueError(f"scaled_lda_numpy is spin-unpolarised: it needs n_up == n_down, got {system.electrons!r}")
    theta_x, theta_c = as_number(theta_x, "theta_x"), as_number(theta_c, "theta_c")
    lda = SoftCoulombLDA()
    dx = system.dx

    def xc(density):
        half = 0.5 * np.asarray(density, dtype=float)
        from .lda import uniform_gas_exchange

        e_x, v_x = uniform_gas_exchange(half, lda.interaction)
        eps_c, v_c, _ = lda.correlation_per_electron(half, half)
        v = theta_x * v_x + theta_c * v_c
        return v, float(np.sum(theta_x * 2.0 * e_x + theta_c * 2.0 * half * eps_c) * dx)

    xc.__name__ = f"scaled LDA ({theta_x:g}, {theta_c:g})"
    return xc
