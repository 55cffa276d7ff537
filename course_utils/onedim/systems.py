"""Ready-made 1D systems and seeded random-potential generators (Hartree atomic units).

Systems: :func:`particle_in_box`, :func:`harmonic_oscillator`, :func:`atom` (:func:`hydrogen`, :func:`helium`,
:func:`lithium`), :func:`molecule` (:func:`hydrogen_molecule`). Nuclei attract with the same softened form as the
electron-electron interaction, ``v_ext(x) = -sum_A Z_A w(x - X_A)`` (the usual choice for 1D model atoms), with
the soft-Coulomb ``w(u) = 1/sqrt(u**2 + 1)`` by default. Any ``onedim.interactions`` interaction can be passed.

Random potentials (for machine-learning data sets; always seeded): :func:`gaussian_dips` (Snyder et al. 2012)
and :func:`random_wells`. They return a :class:`PotentialSet` of potentials on one grid; solve them in bulk with
:func:`course_utils.onedim.noninteracting.solve_many`, or one by one with ``potential_set.system(i, "ud")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import as_int, as_number, as_real_array, as_rng
from .grid import box_grid
from .interactions import Interaction, soft_coulomb
from .system_definition import System, check_electrons


def particle_in_box(electrons: str = "u", *, length: float = 1.0, n_points: int = 200, interaction=None,
                    stencil: int = 13) -> System:
    """Electrons in a hard-wall box ``[0, length]`` (bohr) with ``v_ext = 0``; walls at 0 and ``length``.

    Exact non-interacting levels: ``E_k = (k pi / length)**2 / 2`` Ha, ``k = 1, 2, ...``.
    """
    length = as_number(length, "length", minimum=0.0, strict_minimum=True)
    n_points = as_int(n_points, "n_points", minimum=stencil + 1)
    x = box_grid(0.0, length, n_points)
    return System(x, np.zeros(n_points), interaction, electrons, stencil=stencil, name="particle in a box")


def harmonic_oscillator(electrons: str = "u", *, omega: float = 1.0, n_points: int = 200,
                        half_width: float | None = None, interaction=None, stencil: int = 13) -> System:
    """Electrons in ``v_ext = omega**2 x**2 / 2`` (Ha) on ``[-half_width, half_width]`` (bohr).

    Exact non-interacting levels: ``E_k = (k + 1/2) omega``, ``k = 0, 1, ...``. By default ``half_width`` leaves
    the occupied orbitals negligible (< 1e-12) at the walls.
    """
    electrons = check_electrons(electrons)
    omega = as_number(omega, "omega", minimum=0.0, strict_minimum=True)
    n_points = as_int(n_points, "n_points", minimum=stencil + 1)
    if half_width is None:
        top = max(electrons.count("u"), electrons.count("d")) + 2
        half_width = (np.sqrt(2 * top + 1) + 7.5) / np.sqrt(omega)
    half_width = as_number(half_width, "half_width", minimum=0.0, strict_minimum=True)
    x = np.linspace(-half_width, half_width, n_points)
    return System(x, 0.5 * omega**2 * x**2, interaction, electrons, stencil=stencil, name="harmonic oscillator")


def molecule(positions, charges, electrons: str, *, interaction: Interaction | None = None, n_points: int = 200,
             half_width: float | None = None, stencil: int = 13, name: str | None = None) -> System:
    """Electrons attracted by nuclei of charges ``Z_A`` at ``X_A`` (bohr): ``v_ext = -sum_A Z_A w(x - X_A)``.

    Args:
        positions, charges: nuclear positions (bohr) and charges, shape ``(K,)`` each.
        electrons: spin string.
        interaction: electron-electron (and, with the opposite sign, electron-nucleus) interaction; default
            ``soft_coulomb(1.0)``.
        n_points, half_width: the grid ``linspace(-half_width, half_width, n_points)``; ``half_width`` defaults to
            15 bohr beyond the outermost nucleus.
    The nucleus-nucleus repulsion ``sum_{A<B} Z_A Z_B w(X_A - X_B)`` is stored as ``system.nuclear_repulsion``.
    """
    positions = as_real_array(positions, "positions", ndim=1)
    charges = as_real_array(charges, "charges", ndim=1)
    if positions.shape != charges.shape:
        raise ValueError(f"positions and charges must have the same shape, got {positions.shape} and "
                         f"{charges.shape}")
    interaction = soft_coulomb(1.0) if interaction is None else interaction
    if not callable(interaction):
        raise TypeError(f"interaction must be an onedim.interactions.Interaction or a callable w(u), "
                        f"got {type(interaction).__name__}")
    if half_width is None:
        half_width = 15.0 + float(np.max(np.abs(positions)))
    half_width = as_number(half_width, "half_width", minimum=0.0, strict_minimum=True)
    n_points = as_int(n_points, "n_points", minimum=stencil + 1)
    x = np.linspace(-half_width, half_width, n_points)
    v_ext = -sum(z * np.asarray(interaction(x - p), dtype=float) for p, z in zip(positions, charges, strict=True))
    repulsion = sum(charges[a] * charges[b] * float(interaction(positions[a] - positions[b]))
                    for a in range(len(charges)) for b in range(a + 1, len(charges)))
    return System(x, v_ext, interaction, electrons, stencil=stencil, name=name, nuclear_repulsion=repulsion)


def atom(charge: float, electrons: str, **options) -> System:
    """A 1D atom: nucleus of charge ``charge`` at 0 (options as :func:`molecule`)."""
    options.setdefault("name", f"atom Z={charge:g}")
    return molecule([0.0], [charge], electrons, **options)


def hydrogen(**options) -> System:
    """1D hydrogen atom (one electron, soft-Coulomb by default); options as :func:`molecule`."""
    options.setdefault("name", "H")
    return atom(1.0, "u", **options)


def helium(**options) -> System:
    """1D helium atom (two electrons, singlet "ud"); options as :func:`molecule`."""
    options.setdefault("name", "He")
    return atom(2.0, "ud", **options)


def lithium(**options) -> System:
    """1D lithium atom ("uud"); default grid 100 points on [-15, 15] bohr (converged to ~1 microHa with the
    13-point stencil for soft-Coulomb); options as :func:`molecule`."""
    options.setdefault("name", "Li")
    options.setdefault("n_points", 100)
    options.setdefault("half_width", 15.0)
    return atom(3.0, "uud", **options)


def hydrogen_molecule(separation: float, **options) -> System:
    """1D H2 with the protons at ``+-separation/2`` (bohr), two electrons "ud"; options as :func:`molecule`.

    The binding curve is ``E(R) + system.nuclear_repulsion``.
    """
    r = as_number(separation, "separation", minimum=0.0)
    options.setdefault("name", f"H2 R={r:g}")
    return molecule([-0.5 * r, 0.5 * r], [1.0, 1.0], "ud", **options)


@dataclass(frozen=True, eq=False)
class PotentialSet:
    """Many external potentials on one grid.

    Attributes:
        x: grid (bohr), shape ``(N,)``; hard walls one spacing outside.
        v_ext: potentials (Ha), shape ``(M, N)``.
        parameters: the random parameters that generated them, each an array with first axis ``M``.
        name: which generator made them.
    """

    x: np.ndarray
    v_ext: np.ndarray
    parameters: dict = field(default_factory=dict)
    name: str = ""

    def __post_init__(self):
        self.x.flags.writeable = False
        self.v_ext.flags.writeable = False

    def __len__(self) -> int:
        return self.v_ext.shape[0]

    def system(self, index: int, electrons: str = "u", *, interaction=None, stencil: int = 13,
               boundary: str = "reflect") -> System:
        """The ``index``-th potential as a :class:`~course_utils.onedim.System`."""
        index = as_int(index, "index", minimum=-len(self), maximum=len(self) - 1)
        return System(self.x, self.v_ext[index], interaction, electrons, stencil=stencil, boundary=boundary,
                      name=f"{self.name}[{index}]")

    def __repr__(self) -> str:
        return (f"PotentialSet({self.name!r}, {len(self)} potentials on {self.x.size} points "
                f"[{self.x[0]:.3g}, {self.x[-1]:.3g}])")


def gaussian_dips(n_samples: int, *, n_points: int = 500, seed=None, n_dips: int = 3, a_range=(1.0, 10.0),
                  b_range=(0.4, 0.6), c_range=(0.03, 0.1)) -> PotentialSet:
    """Snyder, Rupp, Hansen, Mueller and Burke, Phys. Rev. Lett. 108, 253002 (2012): a hard-wall box [0, 1]
    (bohr) with ``v(x) = -sum_{i=1}^{3} a_i exp(-(x - b_i)**2 / (2 c_i**2))``, ``a_i``, ``b_i``, ``c_i`` drawn
    uniformly from [1, 10], [0.4, 0.6], [0.03, 0.1]. The paper solves for N = 1..4 spinless (same-spin)
    fermions and represents densities on 500 grid points; here the 500 points are the interior points of [0, 1]
    (walls at 0 and 1, spacing 1/501), so use ``electrons="u" * N``.

    Returns:
        a :class:`PotentialSet` with parameters ``a``, ``b``, ``c`` of shape ``(n_samples, n_dips)``.
    """
    n_samples = as_int(n_samples, "n_samples", minimum=1)
    n_points = as_int(n_points, "n_points", minimum=14)
    n_dips = as_int(n_dips, "n_dips", minimum=1)
    rng = as_rng(seed)
    ranges = {}
    for key, value in (("a_range", a_range), ("b_range", b_range), ("c_range", c_range)):
        lo, hi = _range(value, key)
        ranges[key[0]] = (lo, hi)
    if ranges["c"][0] <= 0:
        raise ValueError(f"c_range must be positive (Gaussian widths), got {c_range}")
    a = rng.uniform(*ranges["a"], size=(n_samples, n_dips))
    b = rng.uniform(*ranges["b"], size=(n_samples, n_dips))
    c = rng.uniform(*ranges["c"], size=(n_samples, n_dips))
    x = box_grid(0.0, 1.0, n_points)
    v = -np.einsum("md,mdx->mx", a, np.exp(-((x - b[..., None]) ** 2) / (2.0 * c[..., None] ** 2)))
    return PotentialSet(x=x, v_ext=v, parameters={"a": a, "b": b, "c": c}, name="gaussian_dips")


def random_wells(n_samples: int, *, n_points: int = 100, half_width: float = 8.0, n_wells=(1, 3),
                 depth=(1.0, 4.0), width=(0.5, 1.5), centre_spread: float = 3.0, seed=None) -> PotentialSet:
    """Smooth random potentials: ``v(x) = -sum_k d_k exp(-(x - x_k)**2 / (2 s_k**2))`` in a hard-wall box.

    The number of wells is drawn uniformly from ``n_wells`` (inclusive), depths ``d_k`` (Ha) from ``depth``,
    widths ``s_k`` (bohr) from ``width`` and centres ``x_k`` from ``[-centre_spread, centre_spread]``; the grid is
    ``linspace(-half_width, half_width, n_points)``. Suited to one- and two-electron data sets (exact solves take
    ~10-50 ms each on 100 points).

    Returns:
        a :class:`PotentialSet` with parameters ``count`` (M,), ``depth``, ``width``, ``centre`` (M, max wells;
        zero depth for absent wells).
    """
    n_samples = as_int(n_samples, "n_samples", minimum=1)
    n_points = as_int(n_points, "n_points", minimum=14)
    half_width = as_number(half_width, "half_width", minimum=0.0, strict_minimum=True)
    lo_n, hi_n = _range(n_wells, "n_wells")
    if lo_n != int(lo_n) or hi_n != int(hi_n) or lo_n < 1:
        raise ValueError(f"n_wells must be a pair of positive integers (min, max), got {n_wells}")
    d_lo, d_hi = _range(depth, "depth")
    s_lo, s_hi = _range(width, "width")
    if s_lo <= 0:
        raise ValueError(f"width must be positive, got {width}")
    spread = as_number(centre_spread, "centre_spread", minimum=0.0)
    rng = as_rng(seed)
    count = rng.integers(int(lo_n), int(hi_n) + 1, size=n_samples)
    k = int(hi_n)
    depths = rng.uniform(d_lo, d_hi, size=(n_samples, k)) * (np.arange(k) < count[:, None])
    widths = rng.uniform(s_lo, s_hi, size=(n_samples, k))
    centres = rng.uniform(-spread, spread, size=(n_samples, k))
    x = np.linspace(-half_width, half_width, n_points)
    v = -np.einsum("mk,mkx->mx", depths, np.exp(-((x - centres[..., None]) ** 2) / (2.0 * widths[..., None] ** 2)))
    return PotentialSet(x=x, v_ext=v, parameters={"count": count, "depth": depths, "width": widths,
                                                  "centre": centres}, name="random_wells")


def _range(value, name: str) -> tuple[float, float]:
    pair = as_real_array(value, name, shape=(2,))
    lo, hi = float(pair[0]), float(pair[1])
    if lo > hi:
        raise ValueError(f"{name} must be (min, max) with min <= max, got {tuple(pair)}")
    return lo, hi
