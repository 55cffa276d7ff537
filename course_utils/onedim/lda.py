"""Local density approximations for 1D electrons with softened interactions (Hartree atomic units).

Three functionals, each an :class:`LDA` object that the Kohn-Sham solver evaluates spin-resolved:

* :class:`SoftCoulombLDA` -- for ``w(u) = 1/sqrt(u**2 + 1)``. Exchange is the *exact* exchange energy of the
  uniform gas with this interaction (closed form below, valid for any softening ``a``); correlation is the
  parameterisation of Helbig, Fuks, Casula, Verstraete, Marques, Tokatly and Rubio, Phys. Rev. A 83, 032503
  (2011), Table I (the Casula-Sorella-Senatore form, fitted to their 1D diffusion Monte Carlo energies, for
  ``a = 1`` only), paramagnetic and ferromagnetic, interpolated in the spin polarisation ``zeta`` as
  ``e_c(zeta) = e_c(0) + [e_c(1) - e_c(0)] zeta**2`` (the choice made in libxc's ``LDA_C_1D_CSC``).
* :class:`EntwistleLDA` -- for ``w(u) = 1/(|u| + 1)``: the homogeneous-electron-gas LDA of Entwistle, Casula and
  Godby, Phys. Rev. B 97, 235143 (2018), with the parameters distributed in the iDEA code (the LDAs built from
  finite systems are the earlier Entwistle, Hodgson, Wetherell, Longstaff, Ramsden and Godby, Phys. Rev. B 94,
  205134 (2016)). It is fitted to the
  *spin-polarised* gas and, as iDEA does, is applied to the total density whatever the spins (so results match
  iDEA's ``lda`` method).
* :class:`ExchangeLDA` -- exact uniform-gas exchange only, for any :func:`soft_coulomb`,
  :func:`exponential` or :func:`idea_softened` interaction (no correlation).

Uniform-gas exchange. A fully polarised 1D gas of density ``n`` fills ``|k| < k_F = pi n``; with the interaction's
Fourier transform ``w(q)`` its exchange energy per length is

    e_x = -(1 / 4 pi^2) integral_0^Q (Q - q) w(q) dq,    Q = 2 k_F = 2 pi n,

and the potential ``d e_x / d n = -(1 / 2 pi) integral_0^Q w(q) dq``. For the soft-Coulomb interaction
``w(q) = 2 K0(a q)`` both integrals have closed forms in modified Bessel and Struve functions; for the
exponential one in elementary functions; for ``1/(|u| + a)`` they are done by Gauss-Legendre quadrature. The
unpolarised gas follows by spin scaling, ``E_x[n_up, n_down] = E_x^pol[n_up] + E_x^pol[n_down]``. The tests check
the closed forms against direct numerical integration (in Fourier and in real space), and the Entwistle et al.
exchange fit against this exact exchange.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .interactions import Interaction, idea_softened, soft_coulomb

_TINY = 1e-30


def uniform_gas_exchange(density, interaction: Interaction) -> tuple[np.ndarray, np.ndarray]:
    """Exchange of the fully spin-polarised uniform gas of density ``n`` (1/bohr).

    Returns
    -------
    e_x : ndarray
        Exchange energy per *length* ``n * eps_x(n)`` (Ha/bohr), of the shape of ``density``.
    v_x : ndarray
        Its derivative ``v_x = d e_x / d n`` (Ha), of the shape of ``density``.
    """
    n = np.clip(np.asarray(density, dtype=float), 0.0, None)
    q = 2.0 * np.pi * n
    f0, f1 = _fourier_moments(q, interaction)
    e_x = -(q * f0 - f1) / (4.0 * np.pi**2)
    v_x = -f0 / (2.0 * np.pi)
    return e_x, v_x


def _fourier_moments(q: np.ndarray, interaction: Interaction) -> tuple[np.ndarray, np.ndarray]:
    """``F0(Q) = integral_0^Q w(q) dq`` and ``F1(Q) = integral_0^Q q w(q) dq``."""
    if not isinstance(interaction, Interaction):
        raise TypeError(f"interaction must be an onedim.interactions.Interaction, got {type(interaction).__name__}")
    p = interaction.parameters
    if interaction.kind == "soft_coulomb":
        s, a = p["strength"], p["softening"]
        x = a * q
        small = (x < 50.0) & (x > 0.0)  # beyond 50, K0, K1 underflow and the integrals have reached their limits
        xs = np.where(small, x, 1.0)
        k0, k1 = special.k0(xs), special.k1(xs)
        struve_m1 = special.modstruve(1, xs) + 2.0 / np.pi  # L_{-1} = L_1 + 2/pi
        int_k0 = np.where(small, 0.5 * np.pi * xs * (k0 * struve_m1 + k1 * special.modstruve(0, xs)), 0.5 * np.pi)
        int_xk0 = np.where(small, 1.0 - xs * k1, 1.0)
        int_k0 = np.where(x > 0.0, int_k0, 0.0)
        int_xk0 = np.where(x > 0.0, int_xk0, 0.0)
        return 2.0 * s / a * int_k0, 2.0 * s / a**2 * int_xk0
    if interaction.kind == "exponential":
        amp, kappa = p["amplitude"], p["decay"]
        return 2.0 * amp * np.arctan(q / kappa), amp * kappa * np.log1p((q / kappa) ** 2)
    if interaction.kind == "idea_softened":
        # Substitute q = Q t^2 to remove the logarithmic singularity of w(q) at q = 0, then Gauss-Legendre.
        t, weights = np.polynomial.legendre.leggauss(200)
        t, weights = 0.5 * (t + 1.0), 0.5 * weights
        qq = q[..., None] * t**2
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(qq > 0, interaction.fourier(np.where(qq > 0, qq, 1.0)), 0.0)
        jac = 2.0 * q[..., None] * t
        return np.sum(weights * w * jac, axis=-1), np.sum(weights * w * qq * jac, axis=-1)
    raise ValueError(f"no uniform-gas exchange for the {interaction.kind} interaction")


def _css_correlation(rs: np.ndarray, par: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Casula-Sorella-Senatore form (Ha) and its derivative with respect to rs.

    ``eps_c = -(rs + E rs^2) ln(1 + alpha rs + beta rs^m) / (2 (A + B rs + C rs^n1 + D rs^n2))``.
    """
    a, b, c, d, e, n1, n2, alpha, beta, m = par
    top = rs + e * rs**2
    dtop = 1.0 + 2.0 * e * rs
    arg = 1.0 + alpha * rs + beta * rs**m
    log = np.log(arg)
    dlog = (alpha + m * beta * rs ** (m - 1)) / arg
    bottom = 2.0 * (a + b * rs + c * rs**n1 + d * rs**n2)
    dbottom = 2.0 * (b + n1 * c * rs ** (n1 - 1) + n2 * d * rs ** (n2 - 1))
    eps = -top * log / bottom
    deps = -(dtop * log + top * dlog) / bottom + top * log * dbottom / bottom**2
    return eps, deps


class LDA:
    """Base class: a local (spin-)density approximation ``E_xc = integral e_xc(n_up(x), n_down(x)) dx``.

    Subclasses implement :meth:`energy_density`. Use :meth:`evaluate` for the potentials and the energy on a
    grid, or call the object as ``lda(density, dx)`` for a spin-unpolarised density.

    Attributes
    ----------
    name : str
        Short label.
    interaction : Interaction or None
        The interaction the functional is built for (the Kohn-Sham solver checks it matches).
    """

    name = "lda"
    interaction: Interaction | None = None

    def energy_density(self, n_up, n_down) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(e_xc, v_xc_up, v_xc_down)``: xc energy per length (Ha/bohr) and potentials (Ha), shapes of n."""
        raise NotImplementedError

    def evaluate(self, n_up, n_down, dx: float) -> tuple[np.ndarray, np.ndarray, float]:
        """``(v_xc_up, v_xc_down, E_xc)`` on a grid of spacing ``dx`` (densities in 1/bohr, shape ``(N,)``)."""
        e_xc, v_up, v_down = self.energy_density(np.asarray(n_up, float), np.asarray(n_down, float))
        return v_up, v_down, float(np.sum(e_xc) * dx)

    def __call__(self, density, dx: float) -> tuple[np.ndarray, float]:
        """``(v_xc, E_xc)`` of a spin-unpolarised density (``n_up = n_down = n / 2``) on a grid of spacing dx."""
        n = np.asarray(density, dtype=float)
        v_up, _, energy = self.evaluate(0.5 * n, 0.5 * n, dx)
        return v_up, energy

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SoftCoulombLDA(LDA):
    """LSDA for the soft-Coulomb interaction ``1/sqrt(u**2 + 1)``: exact uniform-gas exchange plus the
    correlation of Helbig et al., PRA 83, 032503 (2011) (see the module docstring)."""

    name = "lda_soft_coulomb"
    # Helbig et al. (2011), Table I, soft-Coulomb b = 1: A, B, C, D, E, n1, n2, alpha, beta, m
    PARAMAGNETIC = (18.40, 0.0, 7.501, 0.10185, 0.012827, 2.0, 3.0, 1.511, 0.258, 4.424)
    FERROMAGNETIC = (5.24, 0.0, 1.568, 0.12856, 0.003201, 2.0, 3.0, 0.0538, 1.56e-5, 2.958)

    def __init__(self, correlation: bool = True):
        self.interaction = soft_coulomb(1.0)
        self.correlation = bool(correlation)

    def correlation_per_electron(self, n_up, n_down) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(eps_c, v_c_up, v_c_down)``: correlation energy per electron and potentials (Ha)."""
        n_up, n_down = np.clip(n_up, 0.0, None), np.clip(n_down, 0.0, None)
        n = n_up + n_down
        safe = n > _TINY
        ns = np.where(safe, n, 1.0)
        rs = 0.5 / ns
        zeta = np.where(safe, (n_up - n_down) / ns, 0.0)
        e0, d0 = _css_correlation(rs, self.PARAMAGNETIC)
        e1, d1 = _css_correlation(rs, self.FERROMAGNETIC)
        eps = e0 + (e1 - e0) * zeta**2
        deps_drs = d0 + (d1 - d0) * zeta**2
        deps_dzeta = 2.0 * zeta * (e1 - e0)
        base = eps - rs * deps_drs  # d(n eps)/dn at fixed zeta, since n d/dn = -rs d/drs
        v_up = base + deps_dzeta * (1.0 - zeta)
        v_down = base - deps_dzeta * (1.0 + zeta)
        return (np.where(safe, eps, 0.0), np.where(safe, v_up, 0.0), np.where(safe, v_down, 0.0))

    def energy_density(self, n_up, n_down):
        ex_up, vx_up = uniform_gas_exchange(n_up, self.interaction)
        if np.array_equal(n_up, n_down):  # closed shell: the special functions are the costly part, reuse them
            ex_down, vx_down = ex_up, vx_up.copy()
        else:
            ex_down, vx_down = uniform_gas_exchange(n_down, self.interaction)
        e_xc, v_up, v_down = ex_up + ex_down, vx_up, vx_down
        if self.correlation:
            eps_c, vc_up, vc_down = self.correlation_per_electron(n_up, n_down)
            e_xc = e_xc + (np.clip(n_up, 0, None) + np.clip(n_down, 0, None)) * eps_c
            v_up, v_down = v_up + vc_up, v_down + vc_down
        return e_xc, v_up, v_down


class ExchangeLDA(LDA):
    """Exchange-only LSDA from the exact uniform-gas exchange of a given interaction (no correlation)."""

    name = "lda_exchange"

    def __init__(self, interaction: Interaction):
        if not isinstance(interaction, Interaction) or interaction.kind == "harmonic":
            raise TypeError("ExchangeLDA needs a soft_coulomb, exponential or idea_softened Interaction, "
                            f"got {interaction!r}")
        self.interaction = interaction

    def energy_density(self, n_up, n_down):
        ex_up, vx_up = uniform_gas_exchange(n_up, self.interaction)
        if np.array_equal(n_up, n_down):
            return 2.0 * ex_up, vx_up, vx_up.copy()
        ex_down, vx_down = uniform_gas_exchange(n_down, self.interaction)
        return ex_up + ex_down, vx_up, vx_down

    def __repr__(self) -> str:
        return f"ExchangeLDA({self.interaction!r})"


class EntwistleLDA(LDA):
    """HEG LDA of Entwistle, Casula and Godby (2018) for ``1/(|u| + 1)``, applied to the total density as in iDEA.

    ``eps_x(n) = (a + b n + c n^2 + d n^3 + e n^4 + f n^5) n^g`` and
    ``eps_c(r_s) = -(A r_s + E r_s^2) / (1 + B r_s + C r_s^2 + D r_s^3) ln(1 + F r_s + G r_s^2) / F``,
    ``r_s = 1 / (2 n)``, with the parameters below (spin-polarised gas).
    """

    name = "lda_entwistle"
    EXCHANGE = (-1.1511, 3.3440, -9.7079, 19.088, -20.896, 9.4861, 0.73586)  # a..f, g
    CORRELATION = (0.0009415195, 0.2601, 0.06404, 0.000248, 0.00000261, 1.254, 28.8)  # A, B, C, D, E, F, G

    def __init__(self, correlation: bool = True):
        self.interaction = idea_softened(1.0)
        self.correlation = bool(correlation)

    def per_electron(self, density) -> tuple[np.ndarray, np.ndarray]:
        """``(eps_xc, v_xc)`` of the spin-polarised gas of density ``n`` (Ha)."""
        n = np.clip(np.asarray(density, dtype=float), 0.0, None)
        *poly, g = self.EXCHANGE
        powers = np.stack([n**k for k in range(6)])
        eps_x = np.tensordot(poly, powers, axes=1) * n**g
        v_x = np.tensordot([(g + 1 + k) * c for k, c in enumerate(poly)], powers, axes=1) * n**g
        if not self.correlation:
            return eps_x, v_x
        big_a, big_b, big_c, big_d, big_e, big_f, big_g = self.CORRELATION
        safe = n > _TINY
        rs = 0.5 / np.where(safe, n, 1.0)
        top = big_a * rs + big_e * rs**2
        dtop = big_a + 2.0 * big_e * rs
        bottom = 1.0 + big_b * rs + big_c * rs**2 + big_d * rs**3
        dbottom = big_b + 2.0 * big_c * rs + 3.0 * big_d * rs**2
        arg = 1.0 + big_f * rs + big_g * rs**2
        log, dlog = np.log(arg), (big_f + 2.0 * big_g * rs) / arg
        eps_c = -top / bottom * log / big_f
        deps = -((dtop * bottom - top * dbottom) / bottom**2 * log + top / bottom * dlog) / big_f
        v_c = eps_c - rs * deps
        return eps_x + np.where(safe, eps_c, 0.0), v_x + np.where(safe, v_c, 0.0)

    def energy_density(self, n_up, n_down):
        n = np.asarray(n_up, float) + np.asarray(n_down, float)
        eps, v = self.per_electron(n)
        return n * eps, v, v.copy()

    def __call__(self, density, dx: float):
        eps, v = self.per_electron(density)
        return v, float(np.sum(np.asarray(density, float) * eps) * dx)


def default_for(interaction) -> LDA:
    """The LDA of this module that matches ``interaction`` (raises ``ValueError`` when none does)."""
    if isinstance(interaction, Interaction):
        p = interaction.parameters
        if interaction.kind == "soft_coulomb" and p["softening"] == 1.0 and p["strength"] == 1.0:
            return SoftCoulombLDA()
        if interaction.kind == "idea_softened" and p["softening"] == 1.0 and p["strength"] == 1.0:
            return EntwistleLDA()
    raise ValueError(f"no LDA parameterisation matches the interaction {interaction!r}: the built-in LDAs are for "
                     "soft_coulomb(1.0) (SoftCoulombLDA) and idea_softened(1.0) (EntwistleLDA); pass "
                     "xc=lda.ExchangeLDA(interaction) for exchange only, or your own xc callable")
