"""Ready-made 1D systems: boxes, oscillators, atoms and molecules (Hartree atomic units).

Systems: :func:`particle_in_box`, :func:`harmonic_oscillator`, :func:`atom` (:func:`hydrogen`, :func:`helium`,
:func:`lithium`), :func:`molecule` (:func:`hydrogen_molecule`). Nuclei attract with the same softened form as the
electron-electron interaction, ``v_ext(x) = -sum_A Z_A w(x - X_A)`` (the usual choice for 1D model atoms), with
the soft-Coulomb ``w(u) = 1/sqrt(u**2 + 1)`` by default. Any ``onedim.interactions`` interaction can be passed.

Random potentials for machine-learning data sets are in :mod:`course_utils.onedim.potentials`; the data sets
themselves in :mod:`course_utils.onedim.datasets`.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_int, as_number, as_real_array
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

    Parameters
    ----------
    positions, charges
        nuclear positions (bohr) and charges, shape ``(K,)`` each.
    electrons
        spin string.
    interaction
        electron-electron (and, with the opposite sign, electron-nucleus) interaction; default
        ``soft_coulomb(1.0)``.
    n_points, half_width
        the grid ``linspace(-half_width, half_width, n_points)``; ``half_width`` defaults to
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
