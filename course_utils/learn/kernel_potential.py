"""A sparse Gaussian-process (kernel) potential: local energies on SOAP, trained on energies and forces.

The energy of a structure is a sum of local energies, ``E = N e_0 + sum_i eps(p_i)``, where ``p_i`` is the SOAP
power spectrum of atom ``i``'s environment (computed by ``featomic``) and ``eps`` is a Gaussian process with the
squared-exponential kernel ``k(p, q) = delta^2 exp(-|p - q|^2 / (2 l^2))`` of the spectra scaled by their mean
norm (SOAP and Gaussian-process potentials: Bartok, Payne, Kondor, Csanyi, Phys. Rev. Lett. 104, 136403 (2010);
Bartok, Kondor, Csanyi, Phys. Rev. B 87, 184115 (2013)). The normalised dot-product kernel ``(p^.q^)^zeta`` usual
for molecules discards the norm of the spectrum, which carries the local density that changes under strain, and is
badly conditioned for one metal, whose environments all have ``p^.q^ > 0.99``. With ``M`` sparse (representative)
environments ``q_m``, ``eps(p) = sum_m alpha_m k(p, q_m)``; energies and forces are linear in ``alpha`` (a force is
minus the derivative of the kernel through the SOAP gradient), so training is a weighted regularised least-squares
problem (the "subset of regressors" / deterministic training conditional approximation). The predictive variance
of a total energy is that of the deterministic training conditional (Quinonero-Candela and Rasmussen, J. Mach.
Learn. Res. 6, 1939 (2005)): large far from the training environments. Units: eV, Angstrom.
"""

from __future__ import annotations

import numpy as np
from ase.calculators.calculator import Calculator, all_changes

from .._checks import _describe, as_int, as_number, as_rng

DEFAULT_SOAP = {
    "cutoff": {"radius": 5.5, "smoothing": {"type": "ShiftedCosine", "width": 0.5}},
    "density": {"type": "Gaussian", "width": 0.5},
    "basis": {"type": "TensorProduct", "max_angular": 4, "radial": {"type": "Gto", "max_radial": 5}},
}
"""SOAP hyper-parameters (featomic's format; Angstrom): 5.5 A cut-off, l <= 4, six radial functions."""


class SoapDescriptor:
    """SOAP power spectra of every atom, and optionally their gradients with respect to the positions."""

    def __init__(self, hypers=None):
        from featomic import SoapPowerSpectrum

        self.hypers = DEFAULT_SOAP if hypers is None else hypers
        self._calculator = SoapPowerSpectrum(**self.hypers)

    def compute(self, atoms, *, gradients: bool = False):
        """``p`` (N, F); with ``gradients=True`` also ``(centre, atom, dp)``: for each non-zero gradient sample,
        the atom whose descriptor moves, the atom that is moved, and ``dp_centre/dR_atom`` (G, 3, F)."""
        tensor = self._calculator.compute(atoms, gradients=["positions"] if gradients else None)
        tensor = tensor.keys_to_properties(["neighbor_1_type", "neighbor_2_type"]).keys_to_samples("center_type")
        block = tensor.block(0)
        order = np.argsort(block.samples.column("atom"), kind="stable")
        p = np.asarray(block.values)[order]
        if not gradients:
            return p
        grad = block.gradient("positions")
        inverse = np.empty_like(order)
        inverse[order] = np.arange(len(order))
        centre = inverse[np.asarray(grad.samples.column("sample"))]
        moved = np.asarray(grad.samples.column("atom"))
        return p, (centre, moved, np.asarray(grad.values))


def _normalise(p):
    norm = np.linalg.norm(p, axis=1)
    return p / norm[:, None], norm


def farthest_point_sampling(features, m: int, *, seed=0) -> np.ndarray:
    """Indices of ``m`` rows of ``features`` chosen greedily, each the farthest (in cosine distance) from those
    already chosen; the first at random."""
    features = np.asarray(features, dtype=float)
    m = as_int(m, "m", minimum=1, maximum=len(features))
    unit, _ = _normalise(features)
    chosen = [int(as_rng(seed).integers(len(unit)))]
    distance = 1.0 - unit @ unit[chosen[0]]
    for _ in range(m - 1):
        nxt = int(np.argmax(distance))
        chosen.append(nxt)
        distance = np.minimum(distance, 1.0 - unit @ unit[nxt])
    return np.array(chosen)


class SoapGPR:
    """Sparse GP regression of local energies on SOAP.

    Parameters
    ----------
    n_sparse : int
        Number of representative environments (chosen by farthest-point sampling of the training atoms).
    length_scale : float or None
        ``l`` of the kernel (dimensionless: spectra are divided by their mean norm over the training atoms);
        ``None`` takes the median distance between training environments and the sparse environments.
    delta : float
        Prior standard deviation of a local energy (eV).
    energy_noise, force_noise : float
        Assumed errors of the reference: eV per sqrt(atom) for total energies, eV/Angstrom per force component.
    """

    def __init__(self, *, n_sparse=200, length_scale=None, delta=0.2, energy_noise=0.002, force_noise=0.03,
                 hypers=None, seed=0):
        self.n_sparse = as_int(n_sparse, "n_sparse", minimum=1)
        self.length_scale = None if length_scale is None else as_number(length_scale, "length_scale", minimum=0.0,
                                                                         strict_minimum=True)
        self.delta = as_number(delta, "delta", minimum=0.0, strict_minimum=True)
        self.energy_noise = as_number(energy_noise, "energy_noise", minimum=0.0, strict_minimum=True)
        self.force_noise = as_number(force_noise, "force_noise", minimum=0.0, strict_minimum=True)
        self.soap = SoapDescriptor(hypers)
        self.seed = seed
        self.alpha = None

    # -- the model is linear in alpha: rows of the design matrix -----------------------------------------------
    def _kernel_rows(self, atoms, *, forces: bool):
        """``k_E`` (M,) = sum_i k(p_i, q_m) / delta^2 and, with ``forces``, ``K_F`` (3N, M) = -d k_E / dR."""
        from ..threads import one_blas_thread

        # featomic runs its own threads; a multi-threaded BLAS competing with them is about three times slower
        with one_blas_thread():
            return self._kernel_rows_unlimited(atoms, forces=forces)

    def _kernel_rows_unlimited(self, atoms, *, forces: bool):
        if forces:
            p, (centre, moved, dp) = self.soap.compute(atoms, gradients=True)
        else:
            p = self.soap.compute(atoms)
        x = p / self._scale
        sq = np.sum(x * x, axis=1)[:, None] + self._sparse_sq[None, :] - 2.0 * x @ self._sparse.T
        kernel = np.exp(-np.maximum(sq, 0.0) / (2.0 * self._ell ** 2))  # (N, M)
        k_energy = np.sum(kernel, axis=0)
        if not forces:
            return k_energy, None
        n = len(atoms)
        # d k(x_i, q_m) / d R_a = k / l^2 (q_m - x_i) . dx_i/dR_a, as matrix products over the gradient samples
        g_count, n_feat = dp.shape[0], dp.shape[2]
        flat = dp.reshape(g_count * 3, n_feat)  # a 2D matrix product is much faster than a batched one
        g_q = (flat @ (self._sparse.T / self._scale)).reshape(g_count, 3, -1)  # (G, 3, M)
        g_x = np.einsum("gzf,gf->gz", dp, x[centre]) / self._scale  # (G, 3)
        contrib = (kernel[centre] / self._ell ** 2)[:, None, :] * (g_q - g_x[:, :, None])  # (G, 3, M)
        # sum over gradient samples per moved atom: a one-hot (N, G) matrix product is much faster than np.add.at
        one_hot = np.zeros((n, len(moved)))
        one_hot[moved, np.arange(len(moved))] = 1.0
        grad = one_hot @ contrib.reshape(len(moved), -1)
        return k_energy, -grad.reshape(3 * n, -1)

    def prepare(self, frames, energies):
        """Choose the sparse environments (farthest-point sampling over the atoms of ``frames``), the length scale
        and the baseline ``e_0`` (mean energy per atom of ``frames``, eV), and reset the accumulated data."""
        if len(frames) != len(energies):
            raise ValueError(f"frames and energies must have the same length, got {len(frames)}, {len(energies)}")
        if len(frames) == 0:
            raise ValueError("need at least one training structure")
        self.e0 = float(np.sum(energies) / sum(len(a) for a in frames))  # the GP models the rest
        environments = np.concatenate([self.soap.compute(a) for a in frames])
        pick = farthest_point_sampling(environments, min(self.n_sparse, len(environments)), seed=self.seed)
        self._scale = float(np.mean(np.linalg.norm(environments, axis=1)))
        x = environments / self._scale
        self._sparse = x[pick]
        self._sparse_sq = np.sum(self._sparse ** 2, axis=1)
        sq = np.maximum(np.sum(x * x, axis=1)[:, None] + self._sparse_sq[None, :] - 2.0 * x @ self._sparse.T, 0.0)
        self._ell = float(np.median(np.sqrt(sq))) if self.length_scale is None else self.length_scale
        sq_mm = np.maximum(self._sparse_sq[:, None] + self._sparse_sq[None, :] - 2.0 * self._sparse @ self._sparse.T,
                           0.0)
        self._k_mm = np.exp(-sq_mm / (2.0 * self._ell ** 2))
        m = len(pick)
        self._k_mm_chol = np.linalg.cholesky(self._k_mm + 1e-8 * m * np.eye(m))
        self._a, self._b, self.n_frames = np.zeros((m, m)), np.zeros(m), 0
        self.alpha = None
        return self

    def design(self, atoms):
        """The model's rows for one structure: ``k_E`` (M,) with ``E = N e_0 + k_E . alpha`` and ``K_F`` (3N, M)
        with ``F.ravel() = K_F alpha`` (call :meth:`prepare` first)."""
        if not hasattr(self, "_sparse"):
            raise ValueError("no sparse environments yet: call prepare(frames, energies) or fit(...) first")
        return self._kernel_rows(atoms, forces=True)

    def add(self, atoms, energy, forces=None, *, rows=None):
        """Add one structure (``forces`` (N, 3) or ``None``); ``rows`` may pass precomputed :meth:`design` rows."""
        k_e, k_f = self.design(atoms) if rows is None else rows
        n = len(atoms)
        w = 1.0 / (self.energy_noise ** 2 * n)
        self._a += w * np.outer(k_e, k_e)
        self._b += w * k_e * (float(energy) - n * self.e0)
        if forces is not None:
            f = np.asarray(forces, dtype=float)
            if f.shape != (n, 3):
                raise ValueError(f"forces must have shape ({n}, 3), got {f.shape}")
            self._a += k_f.T @ k_f / self.force_noise ** 2
            self._b += k_f.T @ f.ravel() / self.force_noise ** 2
        self.n_frames += 1
        return self

    def solve(self):
        """Solve ``(K_MM / delta^2 + K^T Sigma^-1 K) alpha = K^T Sigma^-1 y`` for the data added so far; the inverse
        of the matrix is the posterior covariance of the weights. Returns ``self``."""
        from scipy.linalg import cho_solve

        if not getattr(self, "n_frames", 0):
            raise ValueError("no structures added: call prepare(...) and add(...) first")
        posterior = self._k_mm / self.delta ** 2 + self._a
        posterior[np.diag_indices(len(posterior))] += 1e-12 * np.max(np.diag(posterior))
        self._posterior_chol = np.linalg.cholesky(posterior)
        self.alpha = cho_solve((self._posterior_chol, True), self._b)
        return self

    def fit(self, frames, energies, forces=None):
        """Fit to ``frames`` (list of ``ase.Atoms`` of one element), ``energies`` (eV) and ``forces`` (list of
        (N, 3) arrays, or ``None`` for energies only). Returns ``self``."""
        if len(frames) != len(energies) or (forces is not None and len(forces) != len(frames)):
            raise ValueError(f"frames, energies and forces must have the same length, got {len(frames)}, "
                             f"{len(energies)}, {None if forces is None else len(forces)}")
        self.prepare(frames, energies)
        for k, atoms in enumerate(frames):
            self.add(atoms, energies[k], None if forces is None else forces[k])
        return self.solve()

    def _check_fitted(self):
        if self.alpha is None:
            raise ValueError("the model is not fitted: call fit(frames, energies, forces) first")

    def predict(self, atoms, *, forces: bool = True, std: bool = False):
        """Energy (eV), forces (N, 3) or ``None``, and with ``std=True`` the predictive standard deviation of the
        energy (eV)."""
        self._check_fitted()
        k_e, k_f = self._kernel_rows(atoms, forces=forces)
        energy = len(atoms) * self.e0 + float(k_e @ self.alpha)
        f = None if k_f is None else (k_f @ self.alpha).reshape(-1, 3)
        if not std:
            return energy, f
        from scipy.linalg import solve_triangular

        x = self.soap.compute(atoms) / self._scale
        sq = np.sum(x * x, axis=1)
        k_self = float(np.sum(np.exp(-np.maximum(sq[:, None] + sq[None, :] - 2.0 * x @ x.T, 0.0)
                                     / (2.0 * self._ell ** 2))))
        projected = solve_triangular(self._k_mm_chol, k_e, lower=True)
        posterior = solve_triangular(self._posterior_chol, k_e, lower=True)
        # DTC: what the sparse points cannot represent (prior) plus the uncertainty of the weights
        variance = max(self.delta ** 2 * (k_self - projected @ projected), 0.0) + posterior @ posterior
        return energy, f, float(np.sqrt(variance))

    def calculator(self):
        """The fitted model as an ASE calculator (energy and forces)."""
        self._check_fitted()
        return SoapGPRCalculator(self)


class SoapGPRCalculator(Calculator):
    """A fitted :class:`SoapGPR` as an ASE calculator (``energy``, ``free_energy``, ``forces``)."""

    implemented_properties = ["energy", "free_energy", "forces"]

    def __init__(self, model, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(model, SoapGPR):
            raise TypeError(f"model must be a SoapGPR, got {_describe(model)}")
        self.model = model

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        energy, forces = self.model.predict(self.atoms, forces=True)
        self.results = {"energy": energy, "free_energy": energy, "forces": forces}
