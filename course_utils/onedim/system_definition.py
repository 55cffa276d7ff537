"""The model-system object: grid, external potential, interaction and electrons (as in iDEA)."""

from __future__ import annotations

import numpy as np

from .._checks import as_number, as_real_array
from .grid import BOUNDARIES, STENCILS, check_uniform_grid, kinetic_banded, kinetic_matrix
from .interactions import Interaction


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float, copy=True)
    array.flags.writeable = False
    return array


def check_electrons(electrons) -> str:
    """Validate a spin string such as ``"ud"`` or ``"uud"`` (one letter per electron, ``u`` up, ``d`` down)."""
    if not isinstance(electrons, str):
        raise TypeError(f"electrons must be a string of 'u' and 'd' (one letter per electron, e.g. 'ud'), "
                        f"got {type(electrons).__name__}")
    if len(electrons) == 0:
        raise ValueError("electrons must contain at least one electron, e.g. 'u' or 'ud'; got ''")
    bad = sorted(set(electrons) - {"u", "d"})
    if bad:
        raise ValueError(f"electrons may only contain 'u' (spin up) and 'd' (spin down), got {electrons!r} "
                         f"with {', '.join(repr(b) for b in bad)}")
    return electrons


class System:
    """A 1D system of electrons on a uniform grid, in Hartree atomic units.

    Parameters
    ----------
    x : array_like, shape (N,)
        Grid points (bohr), uniform and increasing. Hard walls sit one spacing outside.
    v_ext : array_like, shape (N,)
        External potential on the grid (Ha).
    interaction : None, Interaction, callable or array_like, shape (N, N)
        The electron-electron interaction. One of: ``None`` (non-interacting); an
        :class:`~course_utils.onedim.interactions.Interaction`; any callable ``w(u)`` of the separation
        ``u = x - x'`` (bohr -> Ha, vectorised, even); or a symmetric matrix ``w[i, j]`` of shape ``(N, N)``.
    electrons : str
        Spin string, one letter per electron: ``"u"``, ``"ud"``, ``"uud"``, ...
    stencil : int
        Number of points of the kinetic-energy finite difference (3, 5, ..., 13).
    boundary : str
        How a wide stencil is closed at the walls: ``"reflect"`` (odd reflection, exact box modes; default) or
        ``"truncate"`` (as iDEA); see :mod:`course_utils.onedim.grid`.
    name : str, optional
        Optional label used in ``repr``.
    nuclear_repulsion : float
        Nucleus-nucleus energy (Ha) of a molecule, kept for binding curves; it is *not* included in the
        electronic energies the solvers return.

    Attributes
    ----------
    x, dx, v_ext, electrons, stencil, boundary, name, nuclear_repulsion
        As given (arrays are read-only).
    interaction : ndarray, shape (N, N)
        The interaction matrix ``w(x_i - x_j)`` (Ha).
    interaction_model : Interaction, callable or None
        The :class:`Interaction` (or callable) it came from, ``None`` for a raw matrix.
    n_up, n_down, count : int
        Numbers of up, down and all electrons.
    """

    def __init__(self, x, v_ext, interaction=None, electrons: str = "ud", *, stencil: int = 13,
                 boundary: str = "reflect", name: str | None = None, nuclear_repulsion: float = 0.0):
        x, dx = check_uniform_grid(x, "x")
        n = x.size
        if isinstance(stencil, bool) or stencil not in STENCILS:
            raise ValueError(f"stencil must be one of {STENCILS}, got {stencil!r}")
        if n <= stencil:
            raise ValueError(f"x must have more points than the stencil ({stencil}), got {n} points")
        if boundary not in BOUNDARIES:
            raise ValueError(f"boundary must be one of {BOUNDARIES}, got {boundary!r}")
        v_ext = as_real_array(v_ext, "v_ext", ndim=1)
        if v_ext.shape != x.shape:
            raise ValueError(f"v_ext must have the same shape as x {x.shape}, got {v_ext.shape}")
        electrons = check_electrons(electrons)
        n_up, n_down = electrons.count("u"), electrons.count("d")
        if max(n_up, n_down) > n:
            raise ValueError(f"{max(n_up, n_down)} electrons of one spin cannot fit on a grid of {n} points "
                             f"(at most one electron per spin per grid point); use a finer grid")
        self._x = _read_only(x)
        self._dx = dx
        self._v_ext = _read_only(v_ext)
        self._interaction_model, self._interaction = _interaction_matrix(interaction, x)
        self._electrons = electrons
        self._n_up, self._n_down = n_up, n_down
        self._stencil = int(stencil)
        self._boundary = boundary
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None, got {type(name).__name__}")
        self._name = name
        self._nuclear_repulsion = as_number(nuclear_repulsion, "nuclear_repulsion")
        self._kinetic = None

    # Read-only attributes: a System is a value, results refer to it.
    x = property(lambda self: self._x, doc="Grid points (bohr), shape (N,).")
    dx = property(lambda self: self._dx, doc="Grid spacing (bohr).")
    v_ext = property(lambda self: self._v_ext, doc="External potential (Ha), shape (N,).")
    interaction = property(lambda self: self._interaction, doc="Interaction matrix w(x_i - x_j) (Ha), shape (N, N).")
    interaction_model = property(lambda self: self._interaction_model,
                                 doc="The Interaction or callable the matrix came from (None for a raw matrix).")
    electrons = property(lambda self: self._electrons, doc="Spin string, e.g. 'ud'.")
    n_up = property(lambda self: self._n_up, doc="Number of spin-up electrons.")
    n_down = property(lambda self: self._n_down, doc="Number of spin-down electrons.")
    count = property(lambda self: self._n_up + self._n_down, doc="Number of electrons.")
    stencil = property(lambda self: self._stencil, doc="Points of the kinetic finite-difference stencil.")
    boundary = property(lambda self: self._boundary, doc="Closure of the stencil at the walls.")
    name = property(lambda self: self._name, doc="Optional label.")
    nuclear_repulsion = property(lambda self: self._nuclear_repulsion,
                                 doc="Nucleus-nucleus repulsion (Ha), not included in electronic energies.")

    @property
    def n_points(self) -> int:
        """Number of grid points ``N``."""
        return self._x.size

    @property
    def is_interacting(self) -> bool:
        """Whether the interaction matrix has any non-zero element."""
        return bool(np.any(self._interaction != 0.0))

    def kinetic_matrix(self) -> np.ndarray:
        """Kinetic operator ``-1/2 d^2/dx^2`` (Ha), dense, shape ``(N, N)`` (a new array each call)."""
        if self._kinetic is None:
            self._kinetic = _read_only(kinetic_matrix(self.n_points, self.dx, self.stencil, self.boundary))
        return np.array(self._kinetic)

    def one_body_solver(self):
        """The cached fast eigensolver of ``T + diag(v)`` on this grid (see :mod:`course_utils.onedim._onebody`)."""
        from ._onebody import BandedHamiltonian

        return BandedHamiltonian.cached(self.n_points, self.dx, self.stencil, self.boundary)

    def kinetic_banded(self) -> np.ndarray:
        """Kinetic operator in LAPACK upper banded storage, shape ``(stencil // 2 + 1, N)``."""
        return kinetic_banded(self.n_points, self.dx, self.stencil, self.boundary)

    def with_potential(self, v_ext) -> System:
        """A copy with another external potential (shape ``(N,)``, Ha)."""
        return self._copy(v_ext=v_ext)

    def with_electrons(self, electrons: str) -> System:
        """A copy with another spin string (e.g. the ion ``"u"`` of ``"ud"``)."""
        return self._copy(electrons=electrons)

    def _copy(self, **changes) -> System:
        args = dict(x=self._x, v_ext=self._v_ext, electrons=self._electrons, stencil=self._stencil,
                    boundary=self._boundary, name=self._name, nuclear_repulsion=self._nuclear_repulsion)
        args.update(changes)
        new = System(args.pop("x"), args.pop("v_ext"), None, args.pop("electrons"), **args)
        new._interaction_model, new._interaction = self._interaction_model, self._interaction
        return new

    def __repr__(self) -> str:
        label = f"{self._name!r}, " if self._name else ""
        model = self._interaction_model if self._interaction_model is not None else (
            "matrix" if self.is_interacting else "none")
        return (f"System({label}x=[{self._x[0]:.3f}..{self._x[-1]:.3f}] ({self.n_points} points, dx={self.dx:.4g}), "
                f"electrons={self._electrons!r}, interaction={model}, stencil={self._stencil}"
                + (f", boundary={self._boundary!r})" if self._boundary != "reflect" else ")"))


def _interaction_matrix(interaction, x: np.ndarray) -> tuple[object, np.ndarray]:
    n = x.size
    if interaction is None:
        return None, _read_only(np.zeros((n, n)))
    if callable(interaction) and not isinstance(interaction, np.ndarray):
        u = x[:, None] - x[None, :]
        try:
            w = np.asarray(interaction(u), dtype=float)
        except Exception as error:  # the user's function failed: say what it was given
            raise TypeError(f"interaction must accept an array of separations u = x - x' of shape {u.shape} and "
                            f"return an array of the same shape; calling it raised {error!r}") from error
        if w.shape != u.shape:
            raise ValueError(f"interaction(u) must return an array of the shape of u {u.shape}, got {w.shape}")
        if not np.all(np.isfinite(w)):
            raise ValueError("interaction(u) returned NaN or infinite values on the grid separations")
        scale = max(float(np.max(np.abs(w))), 1e-300)
        if not np.allclose(w, w.T, rtol=0.0, atol=1e-12 * scale):
            raise ValueError("interaction must be an even function of the separation, w(u) == w(-u); "
                             "the values on the grid are not symmetric")
        return interaction, _read_only(0.5 * (w + w.T))
    if isinstance(interaction, Interaction):  # pragma: no cover - Interaction is callable, handled above
        return interaction, _read_only(interaction.matrix(x))
    w = as_real_array(interaction, "interaction", ndim=2)
    if w.shape != (n, n):
        raise ValueError(f"interaction matrix must have shape ({n}, {n}) to match x, got {w.shape}")
    scale = max(float(np.max(np.abs(w))), 1e-300)
    if not np.allclose(w, w.T, rtol=0.0, atol=1e-12 * scale):
        worst = float(np.max(np.abs(w - w.T)))
        raise ValueError(f"interaction matrix must be symmetric, w[i, j] == w[j, i]; largest asymmetry {worst:.3g}")
    return None, _read_only(0.5 * (w + w.T))


def check_density(density, system: System, name: str = "target_density") -> np.ndarray:
    """Validate a density on the grid of ``system``: shape ``(N,)``, finite, non-negative, integrating to the
    number of electrons (relative tolerance 1e-6). Returns it as a float array (tiny negative noise set to 0)."""
    density = as_real_array(density, name)
    if density.shape != (system.n_points,):
        raise ValueError(f"{name} must have shape ({system.n_points},) to match the grid, got {density.shape}")
    scale = float(np.max(np.abs(density))) if density.size else 0.0
    if np.min(density) < -1e-10 * max(scale, 1e-300):
        raise ValueError(f"{name} must be non-negative, its minimum is {np.min(density):.3g} "
                         f"at x = {system.x[np.argmin(density)]:.3f}")
    electrons = float(np.sum(density) * system.dx)
    if abs(electrons - system.count) > 1e-6 * system.count:
        raise ValueError(f"{name} must integrate to the number of electrons {system.count} "
                         f"(sum(n) * dx), it integrates to {electrons:.8g}")
    return np.clip(density, 0.0, None)
