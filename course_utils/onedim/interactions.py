"""Electron-electron interactions in 1D, as functions of the separation ``u = x - x'`` (bohr -> Ha).

The true Coulomb interaction ``1/|u|`` is not integrable in 1D, so 1D model systems soften it. The common choices:

* :func:`soft_coulomb` ``s / sqrt(u**2 + a**2)`` -- the usual "soft-Coulomb" interaction (e.g. Helbig et al.,
  PRA 83, 032503 (2011)); its Fourier transform is ``2 s K0(a |q|)``.
* :func:`idea_softened` ``s / (|u| + a)`` -- the interaction of the iDEA code (Hodgson et al.) and of the LDAs of
  Entwistle et al. (PRB 94, 205134 (2016); PRB 97, 235143 (2018)).
* :func:`exponential` ``A exp(-kappa |u|)`` -- the exponential interaction of Wagner et al., PCCP 14, 8581 (2012)
  (they use ``A = 1.071295``, ``kappa = 1/2.385345``).
* :func:`harmonic` ``k u**2 / 2`` -- the Moshinsky (Hooke-type) model, exactly solvable with a harmonic trap.

Each returns an :class:`Interaction`: a callable of the separation that also knows its name and parameters (the
Kohn-Sham code uses them to choose a matching LDA). Any other even function of ``u`` can be passed to
:class:`~course_utils.onedim.System` directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import as_number


@dataclass(frozen=True)
class Interaction:
    """An even pair interaction ``w(u)`` (Ha) of the separation ``u`` (bohr).

    Attributes
    ----------
    kind : str
        One of ``"soft_coulomb"``, ``"idea_softened"``, ``"exponential"``, ``"harmonic"``.
    parameters : dict
        The parameters of ``kind`` (e.g. ``{"softening": 1.0, "strength": 1.0}``).
    """

    kind: str
    parameters: dict = field(default_factory=dict)

    def __call__(self, u) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        p = self.parameters
        if self.kind == "soft_coulomb":
            return p["strength"] / np.sqrt(u**2 + p["softening"] ** 2)
        if self.kind == "idea_softened":
            return p["strength"] / (np.abs(u) + p["softening"])
        if self.kind == "exponential":
            return p["amplitude"] * np.exp(-p["decay"] * np.abs(u))
        if self.kind == "harmonic":
            return 0.5 * p["spring"] * u**2
        raise ValueError(f"unknown interaction kind {self.kind!r}")

    def matrix(self, x) -> np.ndarray:
        """The interaction ``w(x_i - x_j)`` on a grid, shape ``(N, N)`` (Ha)."""
        x = np.asarray(x, dtype=float)
        return self(x[:, None] - x[None, :])

    def fourier(self, q) -> np.ndarray:
        """Fourier transform ``w(q) = integral w(u) exp(-i q u) du`` (Ha bohr); not defined for ``harmonic``."""
        from scipy import special

        q = np.abs(np.asarray(q, dtype=float))
        p = self.parameters
        if self.kind == "soft_coulomb":
            return 2.0 * p["strength"] * special.k0(p["softening"] * q)
        if self.kind == "exponential":
            kappa = p["decay"]
            return 2.0 * p["amplitude"] * kappa / (kappa**2 + q**2)
        if self.kind == "idea_softened":
            # 2 * integral_0^inf cos(q u) / (u + a) du = -2 [cos(aq) Ci(aq) + sin(aq) (Si(aq) - pi/2)]
            a = p["softening"]
            si, ci = special.sici(a * q)
            return -2.0 * p["strength"] * (np.cos(a * q) * ci + np.sin(a * q) * (si - 0.5 * np.pi))
        raise ValueError(f"the {self.kind} interaction has no Fourier transform")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self.parameters.items())
        return f"{self.kind}({args})"


def soft_coulomb(softening: float = 1.0, strength: float = 1.0) -> Interaction:
    """Soft-Coulomb interaction ``strength / sqrt(u**2 + softening**2)`` (Ha); ``softening`` in bohr."""
    a = as_number(softening, "softening", minimum=0.0, strict_minimum=True)
    s = as_number(strength, "strength")
    return Interaction("soft_coulomb", {"softening": a, "strength": s})


def idea_softened(softening: float = 1.0, strength: float = 1.0) -> Interaction:
    """iDEA's softened interaction ``strength / (|u| + softening)`` (Ha); ``softening`` in bohr."""
    a = as_number(softening, "softening", minimum=0.0, strict_minimum=True)
    s = as_number(strength, "strength")
    return Interaction("idea_softened", {"softening": a, "strength": s})


def exponential(amplitude: float = 1.071295, decay: float = 1.0 / 2.385345) -> Interaction:
    """Exponential interaction ``amplitude * exp(-decay |u|)`` (Ha); defaults of Wagner et al. (2012)."""
    a = as_number(amplitude, "amplitude")
    k = as_number(decay, "decay", minimum=0.0, strict_minimum=True)
    return Interaction("exponential", {"amplitude": a, "decay": k})


def harmonic(spring: float = 1.0) -> Interaction:
    """Harmonic interaction ``spring * u**2 / 2`` (Ha); ``spring`` in Ha/bohr^2 (negative = attractive)."""
    return Interaction("harmonic", {"spring": as_number(spring, "spring")})
