"""An ultra-fast potential: two- and three-body terms in cubic B-splines, fitted by linear least squares.

After Xie, Rupp and Hennig, npj Comput. Mater. 9, 162 (2023) ("UF3"). The energy of a single-element system is

    E = N e_1 + sum_{i<j} V2(r_ij) + sum_i sum_{j<k in N3(i)} V3(r_ij, r_ik, r_jk),

with V2 a cubic B-spline on ``[r_min, r2_cut]`` and V3 a tensor product of cubic B-splines in the three
distances of a triplet centred on atom ``i`` (``r_ij, r_ik <= r3_cut``, ``r_jk <= 2 r3_cut``), symmetric under
``j <-> k``. The last three coefficients of V2 and of V3 along ``r_ij`` and ``r_ik`` are fixed to zero, which makes
the potential and its first two derivatives vanish at the cut-offs (UF3's "trailing zeros"). The energy is
*linear* in the free coefficients ``c``: ``E = x . c`` and ``F = X_F c``, where the design rows ``x`` and ``X_F``
depend only on the geometry. Fitting is regularised linear least squares; the normal equations
``(X^T W X + R) c = X^T W y`` are accumulated frame by frame (:class:`NormalEquations`), so the design matrix of a
whole data set is never stored.

This is a vectorised NumPy implementation written for the course (not UF3's code); UF3 itself is meant to be
evaluated through LAMMPS. Units: eV, Angstrom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ase.calculators.calculator import Calculator, all_changes

from .._checks import _describe, as_int, as_number


# ---------------------------------------------------------------------------------------------------------------
# uniform cubic B-splines
@dataclass(frozen=True)
class CubicBSpline:
    """``n_intervals + 3`` uniform cubic B-splines whose sum of coefficients times basis is a spline on
    ``[r_min, r_max]`` (Angstrom). Basis ``k`` is supported on ``[r_min + (k-3) h, r_min + (k+1) h]``."""

    r_min: float
    r_max: float
    n_intervals: int

    def __post_init__(self):
        as_number(self.r_min, "r_min", minimum=0.0)
        as_number(self.r_max, "r_max")
        as_int(self.n_intervals, "n_intervals", minimum=1)
        if not self.r_max > self.r_min:
            raise ValueError(f"r_max must exceed r_min, got r_min={self.r_min}, r_max={self.r_max}")

    @property
    def n_basis(self) -> int:
        return self.n_intervals + 3

    @property
    def spacing(self) -> float:
        return (self.r_max - self.r_min) / self.n_intervals

    @property
    def knots(self) -> np.ndarray:
        """The ``n_intervals + 7`` knots (Angstrom), three beyond each end."""
        return self.r_min + self.spacing * np.arange(-3, self.n_intervals + 4)

    def evaluate(self, r) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For distances ``r`` (P,): the indices (P, 4) of the four non-zero basis functions, their values and
        their derivatives (1/Angstrom). Below ``r_min`` the first cubic piece is continued (extrapolation)."""
        r = np.asarray(r, dtype=float)
        t = (r - self.r_min) / self.spacing
        m = np.clip(np.floor(t), 0, self.n_intervals - 1).astype(np.int64)
        u = t - m
        u2, u3 = u * u, u * u * u
        w = 1.0 - u
        values = np.stack([w * w * w, 3 * u3 - 6 * u2 + 4, -3 * u3 + 3 * u2 + 3 * u + 1, u3], axis=-1) / 6.0
        derivs = np.stack([-3 * w * w, 9 * u2 - 12 * u, -9 * u2 + 6 * u + 3, 3 * u2], axis=-1) / (6.0 * self.spacing)
        return m[:, None] + np.arange(4), values, derivs

    def __call__(self, r, coefficients) -> np.ndarray:
        """The spline with ``coefficients`` (n_basis,) at ``r``."""
        idx, val, _ = self.evaluate(np.atleast_1d(r))
        return np.sum(np.asarray(coefficients)[idx] * val, axis=-1)


# ---------------------------------------------------------------------------------------------------------------
# geometry: pairs and triplets under periodic boundary conditions
def _images(cell, pbc, cutoff):
    """Integer lattice translations that can bring an atom within ``cutoff`` of another."""
    cell = np.asarray(cell, dtype=float)
    volume = abs(np.linalg.det(cell))
    heights = volume / np.linalg.norm(np.cross(cell[[1, 2, 0]], cell[[2, 0, 1]]), axis=1)
    reach = [int(np.ceil(cutoff / h)) if periodic else 0 for h, periodic in zip(heights, pbc, strict=True)]
    grid = np.meshgrid(*[np.arange(-n, n + 1) for n in reach], indexing="ij")
    return np.stack([g.ravel() for g in grid], axis=1)


def neighbour_pairs(positions, cell, pbc, cutoff):
    """Full list of pairs closer than ``cutoff`` (Angstrom) under periodic boundary conditions, sorted by ``i``:
    ``i, j`` (P,) and the Cartesian image shift ``S`` (P, 3) with ``R_j + S - R_i`` the pair vector.

    Brute force over the periodic images, one image at a time (memory ``N^2``): fast in NumPy for the few hundred
    atoms of the course's cells."""
    positions = np.asarray(positions, dtype=float)
    cell = np.asarray(cell, dtype=float)
    if np.any(pbc) and abs(np.linalg.det(cell)) < 1e-12:
        raise ValueError("a periodic structure needs a cell with non-zero volume")
    diff = positions[None, :, :] - positions[:, None, :]  # R_j - R_i
    out_i, out_j, out_s = [], [], []
    for image in _images(cell, pbc, cutoff) if np.any(pbc) else np.zeros((1, 3), dtype=int):
        shift = image @ cell
        d2 = np.sum((diff + shift) ** 2, axis=-1)
        close = d2 < cutoff * cutoff
        if not np.any(image):
            np.fill_diagonal(close, False)
        i, j = np.nonzero(close)
        out_i.append(i)
        out_j.append(j)
        out_s.append(np.broadcast_to(shift, (len(i), 3)))
    i, j, shifts = np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s)
    order = np.argsort(i, kind="stable")
    return i[order], j[order], shifts[order]


class VerletList:
    """Pairs within ``cutoff + skin``, rebuilt only when an atom has moved by more than ``skin / 2`` or the cell,
    periodicity or number of atoms changed (as MD codes do); :meth:`pairs` returns those within ``cutoff``."""

    def __init__(self, cutoff: float, skin: float = 0.3):
        self.cutoff = as_number(cutoff, "cutoff", minimum=0.0, strict_minimum=True)
        self.skin = as_number(skin, "skin", minimum=0.0)
        self._key = None
        self.n_builds = 0

    def pairs(self, atoms):
        positions = atoms.positions
        key = (len(atoms), atoms.cell.array.tobytes(), tuple(atoms.pbc))
        if (self._key != key or np.max(np.sum((positions - self._positions) ** 2, axis=1)) > (self.skin / 2) ** 2):
            self._i, self._j, self._s = neighbour_pairs(positions, atoms.cell.array, atoms.pbc,
                                                        self.cutoff + self.skin)
            self._key, self._positions = key, positions.copy()
            self.n_builds += 1
        d_vec = positions[self._j] + self._s - positions[self._i]
        close = np.einsum("pa,pa->p", d_vec, d_vec) < self.cutoff * self.cutoff
        return self._i[close], self._j[close], d_vec[close]


def _pairs(atoms, cutoff, verlet=None):
    if verlet is not None:
        return verlet.pairs(atoms)
    i, j, shifts = neighbour_pairs(atoms.positions, atoms.cell.array, atoms.pbc, cutoff)
    return i, j, atoms.positions[j] + shifts - atoms.positions[i]


def _triplets(i, j, d_vec, n_atoms):
    """Unordered neighbour pairs (j, k) of each centre i from a full pair list sorted by i: index arrays into it."""
    counts = np.bincount(i, minlength=n_atoms)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    position = np.arange(len(i)) - starts[i]
    after = counts[i] - position - 1  # partners q > p in the same centre's block
    p = np.repeat(np.arange(len(i)), after)
    offsets = np.arange(len(p)) - np.repeat(np.cumsum(after) - after, after)
    return p, p + 1 + offsets


@dataclass
class _Geometry:
    n_atoms: int
    pi: np.ndarray
    pj: np.ndarray
    pd: np.ndarray
    pr: np.ndarray
    ti: np.ndarray
    tj: np.ndarray
    tk: np.ndarray
    dij: np.ndarray
    dik: np.ndarray
    djk: np.ndarray
    rij: np.ndarray
    rik: np.ndarray
    rjk: np.ndarray


class SplineBasis:
    """The features of a two- (and three-) body cubic B-spline potential for one element.

    Parameters
    ----------
    r_min : float
        Inner end of every spline (Angstrom); shorter distances are extrapolated.
    r2_cut, n2_intervals : float, int
        Cut-off (Angstrom) and number of knot intervals of the pair term.
    r3_cut, n3_intervals : float, int
        Cut-off (Angstrom) of the bonds ``ij`` and ``ik`` of a triplet and the number of knot intervals along each;
        ``r_jk`` runs to ``2 r3_cut`` with ``2 n3_intervals`` intervals. ``n3_intervals=0`` switches the
        three-body term off.
    """

    def __init__(self, *, r_min=1.5, r2_cut=5.5, n2_intervals=16, r3_cut=3.2, n3_intervals=4):
        self.r_min = as_number(r_min, "r_min", minimum=0.0)
        self.r2_cut = as_number(r2_cut, "r2_cut", minimum=self.r_min, strict_minimum=True)
        self.n2_intervals = as_int(n2_intervals, "n2_intervals", minimum=1)
        self.n3_intervals = as_int(n3_intervals, "n3_intervals", minimum=0)
        self.r3_cut = as_number(r3_cut, "r3_cut", minimum=self.r_min, strict_minimum=True)
        if self.r3_cut > self.r2_cut:
            raise ValueError(f"r3_cut ({self.r3_cut}) must not exceed r2_cut ({self.r2_cut})")
        self.pair = CubicBSpline(self.r_min, self.r2_cut, self.n2_intervals)
        self.n2 = self.pair.n_basis - 3  # free pair coefficients
        if self.n3_intervals:
            self.bond = CubicBSpline(self.r_min, self.r3_cut, self.n3_intervals)
            self.third = CubicBSpline(self.r_min, 2 * self.r3_cut, 2 * self.n3_intervals)
            nb = self.bond.n_basis - 3
            symmetric = np.full((self.bond.n_basis, self.bond.n_basis), -1, dtype=np.int64)
            a, b = np.triu_indices(nb)
            symmetric[a, b] = symmetric[b, a] = np.arange(len(a))
            self._symmetric = symmetric
            self.n3 = len(a) * self.third.n_basis
        else:
            self.n3 = 0
        self.n_features = 1 + self.n2 + self.n3

    def __repr__(self):
        return (f"SplineBasis(r_min={self.r_min}, r2_cut={self.r2_cut}, n2_intervals={self.n2_intervals}, "
                f"r3_cut={self.r3_cut}, n3_intervals={self.n3_intervals}; {self.n_features} features)")

    @property
    def slices(self) -> dict[str, slice]:
        """Where the one-, two- and three-body coefficients sit in the feature vector."""
        return {"1": slice(0, 1), "2": slice(1, 1 + self.n2), "3": slice(1 + self.n2, self.n_features)}

    def geometry(self, atoms, verlet=None) -> _Geometry:
        pi, pj, pd = _pairs(atoms, self.r2_cut, verlet)
        pr = np.linalg.norm(pd, axis=1)
        if self.n3_intervals:
            near = pr < self.r3_cut
            qi, qj, qd = pi[near], pj[near], pd[near]
            p, q = _triplets(qi, qj, qd, len(atoms))
            dij, dik = qd[p], qd[q]
            djk = dik - dij
            tri = (qi[p], qj[p], qj[q], dij, dik, djk, np.linalg.norm(dij, axis=1), np.linalg.norm(dik, axis=1),
                   np.linalg.norm(djk, axis=1))
        else:
            empty = np.zeros(0, dtype=np.int64)
            tri = (empty, empty, empty, np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 3)),
                   np.zeros(0), np.zeros(0), np.zeros(0))
        return _Geometry(len(atoms), pi, pj, pd, pr, *tri)

    def _triplet_terms(self, g):
        ia, va, da = self.bond.evaluate(g.rij)
        ib, vb, db = self.bond.evaluate(g.rik)
        ic, vc, dc = self.third.evaluate(g.rjk)
        ab = self._symmetric[ia[:, :, None], ib[:, None, :]]  # (T, 4, 4), -1 where a coefficient is fixed at 0
        feature = np.where(ab[:, :, :, None] >= 0, ab[:, :, :, None] * self.third.n_basis + ic[:, None, None, :],
                           -1).reshape(len(ia), 64)
        value = (va[:, :, None, None] * vb[:, None, :, None] * vc[:, None, None, :]).reshape(-1, 64)
        g_ij = (da[:, :, None, None] * vb[:, None, :, None] * vc[:, None, None, :]).reshape(-1, 64)
        g_ik = (va[:, :, None, None] * db[:, None, :, None] * vc[:, None, None, :]).reshape(-1, 64)
        g_jk = (va[:, :, None, None] * vb[:, None, :, None] * dc[:, None, None, :]).reshape(-1, 64)
        return feature, value, g_ij, g_ik, g_jk

    def design(self, atoms, *, stress: bool = False):
        """The design rows of one structure: ``x`` (n_features,) with ``E = x . c``, ``X_F`` (3N, n_features)
        with ``F.ravel() = X_F c`` and, with ``stress=True``, ``X_S`` (6, n_features) with the Voigt stress
        (eV/Angstrom^3) ``= X_S c``."""
        g = self.geometry(atoms)
        n, nf = g.n_atoms, self.n_features
        x = np.zeros(nf)
        x[0] = n
        grad = np.zeros((n, 3, nf))  # dE/dR per feature
        vir = np.zeros((3, 3, nf))
        off2 = 1
        idx, val, der = self.pair.evaluate(g.pr)
        keep = idx < self.n2
        feat = np.where(keep, idx + off2, 0)
        x += np.bincount(feat.ravel(), (0.5 * val * keep).ravel(), minlength=nf)
        unit = g.pd / g.pr[:, None]
        # full pair list: each pair twice, so each entry carries half of dV/dr on each atom
        contrib = 0.5 * (der * keep)[:, :, None] * unit[:, None, :]  # (P, 4, 3) = d(half term)/dR_j
        _scatter(grad, g.pj, feat, contrib)
        _scatter(grad, g.pi, feat, -contrib)
        if stress:
            vir += _virial(feat, 0.5 * der * keep, g.pd, g.pr, nf)
        if self.n3 and len(g.ti):
            feature, value, g_ij, g_ik, g_jk = self._triplet_terms(g)
            keep3 = feature >= 0
            feat3 = np.where(keep3, feature + 1 + self.n2, 0)
            value, g_ij, g_ik, g_jk = value * keep3, g_ij * keep3, g_ik * keep3, g_jk * keep3
            x += np.bincount(feat3.ravel(), value.ravel(), minlength=nf)
            from scipy.sparse import csr_matrix

            t = len(g.ti)
            flat = (np.arange(t)[:, None] * nf + feat3).ravel()
            ones, rows = np.ones(t), np.arange(t)
            # per distance of each triplet, the derivative of every feature (T, nf); then onto the two atoms that
            # the distance joins, with a sparse (N, T) incidence matrix of -1 (start) and +1 (end)
            for gg, start, end, d, r in ((g_ij, g.ti, g.tj, g.dij, g.rij), (g_ik, g.ti, g.tk, g.dik, g.rik),
                                         (g_jk, g.tj, g.tk, g.djk, g.rjk)):
                per_distance = np.bincount(flat, gg.ravel(), minlength=t * nf).reshape(t, nf)
                incidence = csr_matrix((np.concatenate([-ones, ones]), (np.concatenate([start, end]),
                                                                        np.concatenate([rows, rows]))), shape=(n, t))
                unit = d / r[:, None]
                for axis in range(3):
                    grad[:, axis, :] += incidence @ (per_distance * unit[:, axis, None])
                if stress:
                    outer = (d[:, :, None] * d[:, None, :] / r[:, None, None]).reshape(t, 9)
                    vir += (outer.T @ per_distance).reshape(3, 3, nf)
        forces = -grad.reshape(3 * n, nf)
        if not stress:
            return x, forces
        volume = atoms.get_volume()
        voigt = vir[[0, 1, 2, 1, 0, 0], [0, 1, 2, 2, 2, 1]] / volume
        return x, forces, voigt


def _scatter(grad, atom, feat, values):
    """grad[atom[t], :, feat[t, m]] += values[t, m, :]."""
    n, _, nf = grad.shape
    flat = (np.repeat(atom, feat.shape[1]).reshape(feat.shape) * nf + feat)  # (T, M) index into (n, nf)
    for axis in range(3):
        grad[:, axis, :] += np.bincount(flat.ravel(), values[:, :, axis].ravel(), minlength=n * nf).reshape(n, nf)


def _virial(feat, der, d, r, nf):
    """sum over distances of dE/dr * d_a d_b / r per feature: (3, 3, nf)."""
    outer = d[:, :, None] * d[:, None, :] / r[:, None, None]  # (P, 3, 3)
    out = np.zeros((3, 3, nf))
    for a in range(3):
        for b in range(a, 3):
            out[a, b] = out[b, a] = np.bincount(feat.ravel(), (der * outer[:, a, b][:, None]).ravel(), minlength=nf)
    return out


# ---------------------------------------------------------------------------------------------------------------
# fitting
@dataclass
class NormalEquations:
    """Accumulated ``A = X^T W X`` and ``b = X^T W y`` of weighted energy-per-atom and force residuals.

    Residuals are measured in units of ``energy_scale`` (eV/atom) and ``force_scale`` (eV/Angstrom), so that the
    loss is ``sum (dE/N / energy_scale)^2 + sum (dF / force_scale)^2``.
    """

    basis: SplineBasis
    energy_scale: float = 0.002
    force_scale: float = 0.05

    def __post_init__(self):
        as_number(self.energy_scale, "energy_scale", minimum=0.0, strict_minimum=True)
        as_number(self.force_scale, "force_scale", minimum=0.0, strict_minimum=True)
        nf = self.basis.n_features
        self.A = np.zeros((nf, nf))
        self.b = np.zeros(nf)
        self.n_frames = 0

    def add(self, atoms, energy, forces=None):
        """Add one structure with its reference ``energy`` (eV) and ``forces`` (N, 3) or ``None``."""
        x, xf = self.basis.design(atoms)
        n = len(atoms)
        xe = x / (n * self.energy_scale)
        self.A += np.outer(xe, xe)
        self.b += xe * (float(energy) / (n * self.energy_scale))
        if forces is not None:
            forces = np.asarray(forces, dtype=float)
            if forces.shape != (n, 3):
                raise ValueError(f"forces must have shape ({n}, 3), got {forces.shape}")
            xf = xf / self.force_scale
            self.A += xf.T @ xf
            self.b += xf.T @ (forces.ravel() / self.force_scale)
        self.n_frames += 1
        return self

    def solve(self, *, ridge: float = 1e-6, curvature: float = 1e-4) -> np.ndarray:
        """The coefficients minimising loss + ridge |c_2,3|^2 + curvature |second differences of c_2|^2."""
        ridge = as_number(ridge, "ridge", minimum=0.0)
        curvature = as_number(curvature, "curvature", minimum=0.0)
        if self.n_frames == 0:
            raise ValueError("no structures added: call add(atoms, energy, forces) first")
        s = self.basis.slices
        penalty = np.zeros_like(self.A)
        idx = np.arange(s["2"].start, s["3"].stop)
        penalty[idx, idx] += ridge
        n2 = self.basis.n2
        d2 = np.diff(np.eye(n2 + 3), 2, axis=0)[:, :n2]  # second differences with the three trailing zeros
        penalty[s["2"], s["2"]] += curvature * d2.T @ d2
        return np.linalg.solve(self.A + penalty, self.b)


def fit_spline_potential(basis, frames, energies, forces=None, *, energy_scale=0.002, force_scale=0.05,
                         ridge=1e-6, curvature=1e-4):
    """Fit ``basis`` to structures ``frames`` (list of ``ase.Atoms``), ``energies`` (eV) and ``forces`` (list of
    (N, 3) arrays or ``None``); returns a :class:`SplinePotential`."""
    if not isinstance(basis, SplineBasis):
        raise TypeError(f"basis must be a SplineBasis, got {_describe(basis)}")
    if len(frames) != len(energies) or (forces is not None and len(forces) != len(frames)):
        raise ValueError(f"frames, energies and forces must have the same length, got {len(frames)}, "
                         f"{len(energies)}, {None if forces is None else len(forces)}")
    normal = NormalEquations(basis, energy_scale, force_scale)
    for k, atoms in enumerate(frames):
        normal.add(atoms, energies[k], None if forces is None else forces[k])
    return SplinePotential(basis, normal.solve(ridge=ridge, curvature=curvature))


# ---------------------------------------------------------------------------------------------------------------
# the potential as an ASE calculator
class SplinePotential(Calculator):
    """A fitted spline potential as an ASE calculator: ``energy``, ``free_energy``, ``energies`` (per atom),
    ``forces`` and (periodic cells) ``stress``, all vectorised over pairs and triplets."""

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress"]

    def __init__(self, basis: SplineBasis, coefficients, *, skin: float = 0.3, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(basis, SplineBasis):
            raise TypeError(f"basis must be a SplineBasis, got {_describe(basis)}")
        c = np.asarray(coefficients, dtype=float)
        if c.shape != (basis.n_features,):
            raise ValueError(f"coefficients must have shape ({basis.n_features},), got {c.shape}")
        self.basis, self.coefficients = basis, c
        s = basis.slices
        self.e1 = float(c[0])
        self.c2 = np.concatenate([c[s["2"]], np.zeros(3)])
        if basis.n3:
            nb, nc = basis.bond.n_basis, basis.third.n_basis
            sym = basis._symmetric
            c3 = c[s["3"]].reshape(-1, nc)
            self.c3 = np.where((sym >= 0)[:, :, None], c3[np.maximum(sym, 0)], 0.0).reshape(nb, nb, nc)
            self._c3_matrix = np.ascontiguousarray(self.c3.reshape(nb * nb, nc).T)  # (nc, nb*nb)
        self._verlet = VerletList(basis.r2_cut, skin)

    def pair_energy(self, r) -> np.ndarray:
        """V2(r) in eV at distances ``r`` (Angstrom)."""
        return self.basis.pair(r, self.c2)

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        atoms = self.atoms
        b = self.basis
        g = b.geometry(atoms, self._verlet)
        n = g.n_atoms
        energies = np.full(n, self.e1)
        grad = np.zeros((n, 3))
        virial = np.zeros((3, 3))
        idx, val, der = b.pair.evaluate(g.pr)
        e_pair = np.sum(self.c2[idx] * val, axis=1)
        de = 0.5 * np.sum(self.c2[idx] * der, axis=1)  # half per full-list entry
        energies += 0.5 * np.bincount(g.pi, e_pair, minlength=n)
        vec = de[:, None] * g.pd / g.pr[:, None]
        grad += _sum_rows(g.pj, vec, n) - _sum_rows(g.pi, vec, n)
        virial += vec.T @ g.pd
        if b.n3 and len(g.ti):
            va, da = _dense(b.bond, g.rij)
            vb, db = _dense(b.bond, g.rik)
            vc, dc = _dense(b.third, g.rjk)
            e3, gij, gik, gjk = _triplet_values(self._c3_matrix, va, da, vb, db, vc, dc)
            energies += np.bincount(g.ti, e3, minlength=n)
            vij = gij[:, None] * g.dij / g.rij[:, None]
            vik = gik[:, None] * g.dik / g.rik[:, None]
            vjk = gjk[:, None] * g.djk / g.rjk[:, None]
            grad += _sum_rows(g.ti, -vij - vik, n) + _sum_rows(g.tj, vij - vjk, n) + _sum_rows(g.tk, vik + vjk, n)
            virial += vij.T @ g.dij + vik.T @ g.dik + vjk.T @ g.djk
        energy = float(np.sum(energies))
        self.results = {"energy": energy, "free_energy": energy, "energies": energies, "forces": -grad}
        if np.all(atoms.pbc):
            s = virial / atoms.get_volume()
            self.results["stress"] = s[[0, 1, 2, 1, 0, 0], [0, 1, 2, 2, 2, 1]]


    def heat_flux(self, atoms, *, kinetic: bool = True) -> np.ndarray:
        """The heat flux ``J = sum_i v_i E_i + sum_i sum_j (r_i - r_j) (v_j . grad_j U_i)`` (3,) of ``atoms`` with
        their velocities, in eV Angstrom/fs (multiply by 1/V for a flux density).

        ``U_i`` is atom ``i``'s share of the potential energy (half of each pair term, the whole of each triplet
        centred on ``i``) and ``E_i = U_i + m_i v_i^2/2`` (without the kinetic part if ``kinetic=False``). This is
        the many-body form (Fan et al., Phys. Rev. B 92, 094301 (2015)); for three-body terms it differs from the
        pair-potential formula built on per-atom virials of pair forces. ``r_i - r_j`` is the minimum-image vector
        the potential uses, so the formula holds under periodic boundary conditions.
        """
        from ase import units

        b = self.basis
        g = b.geometry(atoms)
        n = g.n_atoms
        v = atoms.get_velocities() * units.fs  # Angstrom/fs
        u_atom = np.full(n, self.e1)
        flux = np.zeros(3)
        idx, val, der = b.pair.evaluate(g.pr)
        u_atom += 0.5 * np.bincount(g.pi, np.sum(self.c2[idx] * val, axis=1), minlength=n)
        grad_j = (0.5 * np.sum(self.c2[idx] * der, axis=1) / g.pr)[:, None] * g.pd  # grad_j U_i of entry (i, j)
        flux -= np.einsum("pa,p->a", g.pd, np.einsum("pa,pa->p", grad_j, v[g.pj]))
        if b.n3 and len(g.ti):
            va, da = _dense(b.bond, g.rij)
            vb, db = _dense(b.bond, g.rik)
            vc, dc = _dense(b.third, g.rjk)
            e3, gij, gik, gjk = _triplet_values(self._c3_matrix, va, da, vb, db, vc, dc)
            u_atom += np.bincount(g.ti, e3, minlength=n)
            uij, uik, ujk = g.dij / g.rij[:, None], g.dik / g.rik[:, None], g.djk / g.rjk[:, None]
            grad_tj = gij[:, None] * uij - gjk[:, None] * ujk
            grad_tk = gik[:, None] * uik + gjk[:, None] * ujk
            flux -= np.einsum("ta,t->a", g.dij, np.einsum("ta,ta->t", grad_tj, v[g.tj]))
            flux -= np.einsum("ta,t->a", g.dik, np.einsum("ta,ta->t", grad_tk, v[g.tk]))
        energy = u_atom
        if kinetic:
            energy = energy + 0.5 * atoms.get_masses() * np.sum(atoms.get_velocities() ** 2, axis=1)
        return flux + energy @ v


def _triplet_values(c3_matrix, va, da, vb, db, vc, dc):
    """V3 and its derivatives along r_ij, r_ik, r_jk for every triplet, from dense basis rows: the coefficient
    tensor is contracted with the r_jk rows by one matrix product, then with outer products of the bond rows."""
    t = len(va)
    m = vc @ c3_matrix  # (T, nb*nb): sum_c C_abc B_c(r_jk)
    m_d = dc @ c3_matrix
    outer = (va[:, :, None] * vb[:, None, :]).reshape(t, -1)
    e3 = np.einsum("tk,tk->t", m, outer)
    gij = np.einsum("tk,tk->t", m, (da[:, :, None] * vb[:, None, :]).reshape(t, -1))
    gik = np.einsum("tk,tk->t", m, (va[:, :, None] * db[:, None, :]).reshape(t, -1))
    gjk = np.einsum("tk,tk->t", m_d, outer)
    return e3, gij, gik, gjk


def _dense(spline, r):
    """Values and derivatives of all basis functions of ``spline`` at ``r``: two (P, n_basis) arrays."""
    idx, val, der = spline.evaluate(r)
    rows = np.repeat(np.arange(len(r)), 4)
    dense_v = np.zeros((len(r), spline.n_basis))
    dense_d = np.zeros((len(r), spline.n_basis))
    dense_v[rows, idx.ravel()] = val.ravel()
    dense_d[rows, idx.ravel()] = der.ravel()
    return dense_v, dense_d


def _sum_rows(index, values, n):
    return np.stack([np.bincount(index, values[:, a], minlength=n) for a in range(3)], axis=1)
