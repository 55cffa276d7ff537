"""Kernel charge equilibration (kQEq) and two comparison models, fitted to molecular dipoles in closed form.

kQEq (C. G. Staacke, S. Wengert, C. Kunkel, G. Csanyi, K. Reuter, J. T. Margraf, Mach. Learn.: Sci. Technol. 3,
015032 (2022)) keeps the QEq energy of :mod:`course_utils.atoms.qeq` and makes each atom's electronegativity a
kernel model of its environment::

    chi_i = sum_m w_m k(x_i, x_m) + b_{Z_i},     k(x, x') = delta_{Z Z'} (x . x' / |x| |x'|)^zeta,

``x_i`` a SOAP power spectrum of atom ``i`` (featomic), ``x_m`` a sparse set of representative environments of
each element (farthest-point selection), ``b_Z`` an offset per element. For a neutral molecule in zero field the
charges are ``q = -P chi`` (``P`` from :func:`course_utils.atoms.qeq.charge_response`), so the dipole
``mu = R^T q = sum_i c_i chi_i`` with ``c_i = -(P R)_i`` (3,) is *linear* in ``(w, b)``. Stacking the three
dipole components of every training molecule gives ``mu = X theta`` and the regularised least-squares problem::

    min_theta |X theta - mu_ref|^2 + lambda w^T K_MM w + lambda_b |b|^2
    =>  theta = (X^T X + Lambda)^-1 X^T mu_ref,

solved in one linear solve (:meth:`KernelQEq.fit`). The same machinery fits

* :class:`KernelCharges` -- the baseline: per-atom charges directly from the kernel, ``s_i = sum_m w_m k(x_i,
  x_m) + b_{Z_i}``, neutralised by subtracting the molecule's mean (``c_i = R_i - mean(R)``);
* :class:`FixedQEq` -- one ``chi`` and one ``J`` per element: linear in ``chi`` at fixed ``J``, so ``J`` is
  optimised (scipy ``least_squares``) with ``chi`` solved in closed form at every step (variable projection).

Molecules are held in a :class:`MoleculeSet` (numbers, positions, SOAP features computed once). Units: eV,
Angstrom, e; dipoles in e*Angstrom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_int, as_number, as_real_array, as_rng
from ..atoms import qeq
from ..threads import limited_blas

SPECIES = (1, 6, 7, 8)
"""The elements the descriptors and models know (H, C, N, O: those of ``molecules_small``)."""

SOAP_HYPERS = {
    "cutoff": {"radius": 4.0, "smoothing": {"type": "ShiftedCosine", "width": 0.5}},
    "density": {"type": "Gaussian", "width": 0.4},
    "basis": {"type": "TensorProduct", "max_angular": 3, "radial": {"type": "Gto", "max_radial": 3}},
}
"""Compact SOAP (featomic's hyper-parameters): 4 Angstrom cutoff, 4 radial x 4 angular channels: 64 features per
pair of neighbour elements, 640 per atom for four elements."""

DEFAULT_SPARSE = {1: 200, 6: 200, 7: 150, 8: 150}
"""Representative environments per element (capped by the atoms available)."""

__all__ = ["DEFAULT_SPARSE", "FixedQEq", "KernelCharges", "KernelQEq", "MoleculeSet", "SOAP_HYPERS", "SPECIES",
           "dipole_errors", "farthest_point_indices", "soap_features", "soap_features_and_gradients"]


# ------------------------------------------------------------------------------------------- descriptors
def _pair_columns(species):
    pairs = [(a, b) for i, a in enumerate(species) for b in species[i:]]
    return {pair: k for k, pair in enumerate(pairs)}


def _calculator(hypers):
    from featomic import SoapPowerSpectrum

    return SoapPowerSpectrum(**hypers)


def _block_width(hypers) -> int:
    n = hypers["basis"]["radial"]["max_radial"] + 1
    return (hypers["basis"]["max_angular"] + 1) * n * n


def _check_molecules(molecules, species):
    from ase import Atoms

    if isinstance(molecules, Atoms):
        molecules = [molecules]
    molecules = list(molecules)
    if not molecules or not all(isinstance(m, Atoms) for m in molecules):
        raise TypeError("molecules must be an ase.Atoms or a non-empty list of them")
    unknown = sorted(set(np.concatenate([m.numbers for m in molecules]).tolist()) - set(species))
    if unknown:
        raise ValueError(f"elements {unknown} are not among the descriptor's species {list(species)}")
    return molecules


def _dense(tensor, offsets, n_total, species, hypers, gradients=False, n_atoms=None):
    """featomic's blocks -> one dense (atoms, features) array (and (atoms, atoms, 3, features) gradients)."""
    columns = _pair_columns(species)
    width = _block_width(hypers)
    out = np.zeros((n_total, len(columns) * width))
    grad = np.zeros((n_total, n_atoms, 3, len(columns) * width)) if gradients else None
    for key, block in tensor.items():
        col = columns[(int(key["neighbor_1_type"]), int(key["neighbor_2_type"]))] * width
        if block.values.shape[1] != width:
            raise RuntimeError(f"unexpected SOAP block width {block.values.shape[1]}, expected {width}")
        samples = block.samples.values
        rows = offsets[samples[:, 0]] + samples[:, 1]
        out[rows, col:col + width] = block.values
        if gradients:
            g = block.gradient("positions")
            gs = g.samples.values  # (sample, system, atom): d x_{rows[sample]} / d R_atom
            np.add.at(grad, (rows[gs[:, 0]], gs[:, 2], slice(None), slice(col, col + width)), g.values)
    return out, grad


def soap_features(molecules, *, species=SPECIES, hypers=None, chunk: int = 200) -> np.ndarray:
    """SOAP power spectra of every atom of ``molecules`` (list of ``ase.Atoms``), in order, as float32.

    Returns an array (total atoms, features): columns are 64-wide blocks, one per pair of neighbour elements of
    ``species`` (zeros where a pair is absent); not normalised (the kernel normalises). Computed ``chunk``
    molecules at a time, so that featomic's float64 output never holds more than a chunk.
    """
    hypers = SOAP_HYPERS if hypers is None else hypers
    molecules = _check_molecules(molecules, species)
    chunk = as_int(chunk, "chunk", minimum=1)
    counts = np.array([len(m) for m in molecules])
    offsets = np.concatenate([[0], np.cumsum(counts)])
    calculator = _calculator(hypers)
    out = np.zeros((int(offsets[-1]), len(_pair_columns(tuple(species))) * _block_width(hypers)), dtype=np.float32)
    for start in range(0, len(molecules), chunk):
        part = molecules[start:start + chunk]
        local = offsets[start:start + len(part) + 1] - offsets[start]
        values, _ = _dense(calculator.compute(part), local, int(local[-1]), tuple(species), hypers)
        out[offsets[start]:offsets[start] + local[-1]] = values
    return out


def soap_features_and_gradients(atoms, *, species=SPECIES, hypers=None) -> tuple[np.ndarray, np.ndarray]:
    """SOAP of one molecule and its position gradients (float64): ``x`` (n, D), ``dx`` (n, n, 3, D) with
    ``dx[i, k, a] = d x_i / d R_{k,a}`` (1/Angstrom times the feature's unit)."""
    hypers = SOAP_HYPERS if hypers is None else hypers
    (atoms,) = _check_molecules([atoms], species)
    n = len(atoms)
    tensor = _calculator(hypers).compute([atoms], gradients=["positions"])
    return _dense(tensor, np.array([0, n]), n, tuple(species), hypers, gradients=True, n_atoms=n)


def farthest_point_indices(features, count: int, *, seed=0, pool: int = 2000) -> np.ndarray:
    """``count`` rows of ``features`` chosen by farthest-point sampling in the normalised feature space (the
    distance the kernel sees) among a seeded random ``pool`` of candidate rows (all rows if fewer), starting from a
    random candidate. Returns row indices (count,)."""
    x = as_real_array(features, "features", ndim=2)
    count = as_int(count, "count", minimum=1, maximum=len(x))
    pool = as_int(pool, "pool", minimum=1)
    rng = as_rng(seed)
    candidates = np.sort(rng.choice(len(x), size=min(len(x), max(pool, count)), replace=False))
    x = _normalise(x[candidates].astype(np.float32))
    chosen = [int(rng.integers(len(x)))]
    distance = 2.0 - 2.0 * (x @ x[chosen[0]])
    for _ in range(count - 1):
        nxt = int(np.argmax(distance))
        chosen.append(nxt)
        distance = np.minimum(distance, 2.0 - 2.0 * (x @ x[nxt]))
    return candidates[np.array(chosen)]


def _normalise(x):
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


# ---------------------------------------------------------------------------------------------- molecules
class MoleculeSet:
    """Neutral molecules for the dipole models: atomic numbers, positions (Angstrom) and SOAP features.

    Parameters
    ----------
    numbers, positions : lists of arrays (n_i,) and (n_i, 3)
        One entry per molecule.
    features : array (total atoms, D), optional
        Per-atom descriptors in molecule order (:func:`soap_features` when omitted).
    """

    def __init__(self, numbers, positions, features=None, *, species=SPECIES, hypers=None):
        if len(numbers) != len(positions) or len(numbers) == 0:
            raise ValueError(f"numbers and positions must be non-empty lists of equal length, got {len(numbers)} "
                             f"and {len(positions)}")
        self.numbers = [np.asarray(z, dtype=int) for z in numbers]
        self.positions = [as_real_array(r, "positions", ndim=2) for r in positions]
        for z, r in zip(self.numbers, self.positions, strict=True):
            if r.shape != (len(z), 3):
                raise ValueError(f"positions of shape {r.shape} do not fit {len(z)} atomic numbers")
        self.species = tuple(species)
        self.hypers = SOAP_HYPERS if hypers is None else hypers
        counts = np.array([len(z) for z in self.numbers])
        self.offsets = np.concatenate([[0], np.cumsum(counts)])
        if features is None:
            features = soap_features(self.atoms(), species=self.species, hypers=self.hypers)
        features = np.asarray(features)
        if features.shape[0] != self.offsets[-1]:
            raise ValueError(f"features has {features.shape[0]} rows for {self.offsets[-1]} atoms")
        self.features = features

    @classmethod
    def from_arrays(cls, arrays, indices, **kwargs) -> MoleculeSet:
        """Molecules ``indices`` of a loaded ``molecules_small`` (padded arrays; ``n_atoms`` gives the length)."""
        indices = np.asarray(indices, dtype=int)
        n = np.asarray(arrays["n_atoms"])[indices]
        numbers = [np.asarray(arrays["numbers"][i, :k]) for i, k in zip(indices, n, strict=True)]
        positions = [np.asarray(arrays["positions"][i, :k], dtype=float) for i, k in zip(indices, n, strict=True)]
        return cls(numbers, positions, **kwargs)

    def __len__(self) -> int:
        return len(self.numbers)

    def atoms(self, index=None):
        """The molecules as ``ase.Atoms`` (one if ``index`` is given)."""
        from ase import Atoms

        if index is not None:
            return Atoms(numbers=self.numbers[index], positions=self.positions[index])
        return [Atoms(numbers=z, positions=r) for z, r in zip(self.numbers, self.positions, strict=True)]

    def subset(self, indices) -> MoleculeSet:
        """The molecules ``indices`` (positions in this set), sharing nothing mutable with it."""
        indices = np.asarray(indices, dtype=int)
        rows = np.concatenate([np.arange(self.offsets[i], self.offsets[i + 1]) for i in indices])
        return MoleculeSet([self.numbers[i] for i in indices], [self.positions[i] for i in indices],
                           self.features[rows], species=self.species, hypers=self.hypers)

    @property
    def all_numbers(self) -> np.ndarray:
        return np.concatenate(self.numbers)

    def groups(self):
        """Molecules of equal size, stacked: yields ``(molecule indices (B,), numbers (B, n), positions (B, n, 3)
        centred on each molecule's mean position)``."""
        sizes = np.diff(self.offsets)
        for n in np.unique(sizes):
            idx = np.flatnonzero(sizes == n)
            z = np.stack([self.numbers[i] for i in idx])
            r = np.stack([self.positions[i] for i in idx])
            yield idx, z, r - r.mean(axis=1, keepdims=True)


def _table(values, species, name) -> np.ndarray:
    if isinstance(values, dict):
        missing = [z for z in species if z not in values]
        if missing:
            raise ValueError(f"{name} has no value for elements {missing}")
        return np.array([float(values[z]) for z in species])
    return np.full(len(species), as_number(values, name))


def _lookup(species):
    table = np.full(max(species) + 1, -1)
    table[list(species)] = np.arange(len(species))
    return table


def _widths(numbers, width_scale):
    return qeq.covalent_widths(numbers.ravel(), width_scale).reshape(numbers.shape)


def _coulomb_groups(molecules: MoleculeSet, width_scale):
    """Per group of equal-size molecules: ``(indices, numbers, centred positions, k_e * Gaussian Coulomb matrix)``
    -- the part of the hardness matrix that does not depend on ``J``."""
    out = []
    for idx, z, r in molecules.groups():
        _, _, _, coulomb = qeq._pair_terms(r, _widths(z, width_scale))
        out.append((idx, z, r, qeq.COULOMB_CONSTANT * coulomb))
    return out


def qeq_responses(molecules: MoleculeSet, hardness, width_scale=1.0, *, groups=None) -> np.ndarray:
    """``c_i = d mu / d chi_i = -(P R)_i`` of every atom (total atoms, 3), for per-element ``hardness`` (array
    over ``molecules.species``) and covalent widths times ``width_scale`` (``groups``: a cached
    :func:`_coulomb_groups` of the same molecules and scale)."""
    index = _lookup(molecules.species)
    c = np.zeros((molecules.offsets[-1], 3))
    for idx, z, r, coulomb in (_coulomb_groups(molecules, width_scale) if groups is None else groups):
        n = z.shape[1]
        bordered = qeq._bordered(coulomb + hardness[index[z]][..., None] * np.eye(n))
        # P R is the upper block of the bordered system solved for right-hand sides [R; 0]
        rhs = np.concatenate([r, np.zeros((len(idx), 1, 3))], axis=1)
        rows = molecules.offsets[idx][:, None] + np.arange(n)[None, :]
        c[rows.ravel()] = -np.linalg.solve(bordered, rhs)[:, :n].reshape(-1, 3)
    return c


def _molecule_of_atom(offsets):
    return np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))


def _design(c, per_atom, molecule, n_mol):
    """Rows ``3 m + a`` of the dipole design matrix: ``sum_{i in m} c_ia D_i`` for atoms ``i`` with responses
    ``c`` (n, 3), per-atom design rows ``D`` (n, p) and molecule indices ``molecule`` (n,)."""
    from scipy import sparse

    n_atoms = len(c)
    rows = (3 * molecule[:, None] + np.arange(3)[None, :]).ravel()
    cols = np.repeat(np.arange(n_atoms), 3)
    weights = sparse.csr_matrix((c.ravel(), (rows, cols)), shape=(3 * n_mol, n_atoms))
    return weights @ np.asarray(per_atom, dtype=float)


def dipole_errors(predicted, reference) -> np.ndarray:
    """Length of the vector error ``|mu_pred - mu_ref|`` per molecule (same unit as the inputs)."""
    predicted = as_real_array(predicted, "predicted", ndim=2)
    reference = as_real_array(reference, "reference", shape=predicted.shape)
    return np.linalg.norm(predicted - reference, axis=1)


def _check_dipoles(dipoles, molecules):
    if not isinstance(molecules, MoleculeSet):
        raise TypeError(f"molecules must be a MoleculeSet, got {type(molecules).__name__}")
    return as_real_array(dipoles, "dipoles", shape=(len(molecules), 3))


# ---------------------------------------------------------------------------------------------- models
class _KernelDipoleModel:
    """Shared part of kQEq and the charge baseline: the sparse kernel and the closed-form ridge fit."""

    def __init__(self, *, n_sparse=None, zeta: int = 2, regularization: float = 1e-3,
                 offset_regularization: float = 1e-6, seed=0):
        self.n_sparse = dict(DEFAULT_SPARSE if n_sparse is None else n_sparse)
        for z, m in self.n_sparse.items():
            as_int(m, f"n_sparse[{z}]", minimum=1)
        self.zeta = as_int(zeta, "zeta", minimum=1)
        self.regularization = as_number(regularization, "regularization", minimum=0.0, strict_minimum=True)
        self.offset_regularization = as_number(offset_regularization, "offset_regularization", minimum=0.0,
                                               strict_minimum=True)
        self.seed = seed
        self.sparse_ = None

    # the per-atom design: kernel columns per element, then one offset column per element
    def _select_sparse(self, molecules):
        numbers = molecules.all_numbers
        rng = as_rng(self.seed)
        self.species_ = molecules.species
        self.sparse_ = {}
        for z in self.species_:
            rows = np.flatnonzero(numbers == z)
            if len(rows) == 0:
                continue
            count = min(int(self.n_sparse.get(z, 0)), len(rows))
            if count == 0:
                continue
            chosen = rows[farthest_point_indices(molecules.features[rows], count, seed=rng)]
            self.sparse_[z] = _normalise(molecules.features[chosen].astype(np.float32))
        starts = np.cumsum([0] + [len(self.sparse_[z]) for z in self.sparse_])
        self.columns_ = {z: slice(int(s), int(e)) for z, s, e in zip(self.sparse_, starts[:-1], starts[1:],
                                                                      strict=True)}
        self.n_kernel_ = int(starts[-1])

    def _kernel(self, x, z):
        s = x @ self.sparse_[z].T
        return s * s if self.zeta == 2 else s**self.zeta

    def _per_atom_blocks(self, molecules):
        """Yield ``(atom rows, columns, block)`` of the per-atom design (kernel columns of the atom's element and
        its offset column), so that the dense per-atom matrix is never formed."""
        numbers = molecules.all_numbers
        unknown = sorted(set(numbers.tolist()) - set(self.species_))
        if unknown:
            raise ValueError(f"elements {unknown} were not in the model's species {list(self.species_)}")
        for k, z in enumerate(self.species_):
            rows = np.flatnonzero(numbers == z)
            if len(rows) == 0:
                continue
            offset = np.ones((len(rows), 1), dtype=np.float32)
            if z in self.sparse_:
                block = np.hstack([self._kernel(_normalise(molecules.features[rows].astype(np.float32)), z), offset])
                cols = np.r_[np.arange(self.n_kernel_)[self.columns_[z]], self.n_kernel_ + k]
            else:
                block, cols = offset, np.array([self.n_kernel_ + k])
            yield rows, cols, block

    def _design_matrix(self, molecules, c):
        x = np.zeros((3 * len(molecules), self.n_kernel_ + len(self.species_)))
        molecule = _molecule_of_atom(molecules.offsets)
        for rows, cols, block in self._per_atom_blocks(molecules):
            x[:, cols] = _design(c[rows], block, molecule[rows], len(molecules))
        return x

    def _regulariser(self):
        reg = np.zeros((self.n_kernel_ + len(self.species_),) * 2)
        for z, cols in self.columns_.items():
            s = self.sparse_[z].astype(float)
            reg[cols, cols] = self.regularization * (s @ s.T) ** self.zeta
        reg[np.diag_indices_from(reg)] += 1e-8 * self.regularization  # jitter: K_MM is only semi-definite
        k = self.n_kernel_
        reg[k:, k:] += self.offset_regularization * np.eye(len(self.species_))
        return reg

    @limited_blas
    def fit(self, molecules: MoleculeSet, dipoles):
        """Fit to reference dipoles (N, 3) e*Angstrom of ``molecules`` (neutral): one linear solve."""
        dipoles = _check_dipoles(dipoles, molecules)
        self._select_sparse(molecules)
        x = self._design_matrix(molecules, self._responses(molecules))
        lhs = x.T @ x + self._regulariser()
        self.coef_ = np.linalg.solve(lhs, x.T @ dipoles.ravel())
        self.n_train_ = len(molecules)
        return self

    def _check_fitted(self):
        if self.sparse_ is None:
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet: call fit(molecules, dipoles)")

    @limited_blas
    def atomic_values(self, molecules: MoleculeSet) -> np.ndarray:
        """The per-atom output of the kernel model (total atoms,): electronegativity (eV/e) for kQEq, raw
        charge (e) for the charge baseline."""
        self._check_fitted()
        if not isinstance(molecules, MoleculeSet):
            raise TypeError(f"molecules must be a MoleculeSet, got {type(molecules).__name__}")
        out = np.zeros(molecules.offsets[-1])
        for rows, cols, block in self._per_atom_blocks(molecules):
            out[rows] = block.astype(float) @ self.coef_[cols]
        return out

    @limited_blas
    def predict(self, molecules: MoleculeSet) -> np.ndarray:
        """Dipoles (N, 3) e*Angstrom."""
        s = self.atomic_values(molecules)
        c = self._responses(molecules)
        out = np.zeros((len(molecules), 3))
        np.add.at(out, _molecule_of_atom(molecules.offsets), c * s[:, None])
        return out


class KernelQEq(_KernelDipoleModel):
    """Kernel charge equilibration: QEq with ``chi_i`` from a sparse SOAP kernel (see the module docstring).

    Parameters
    ----------
    n_sparse : dict {Z: count}
        Representative environments per element (farthest-point sampling from the training atoms).
    zeta : int
        Kernel exponent.
    regularization, offset_regularization : float
        ``lambda`` (on ``w^T K_MM w``) and ``lambda_b`` (on the element offsets), (e*Angstrom / (eV/e))^2.
    hardness : float or dict {Z: J}
        ``J`` (eV/e^2) on top of the Gaussian self-energy; 0, as in Staacke et al.
    width_scale : float
        Gaussian widths are ``width_scale`` times the covalent radii.
    seed : int
        Seeds the farthest-point selection.
    """

    def __init__(self, *, n_sparse=None, zeta: int = 2, regularization: float = 1e-3,
                 offset_regularization: float = 1e-6, hardness=0.0, width_scale: float = 1.0, seed=0):
        super().__init__(n_sparse=n_sparse, zeta=zeta, regularization=regularization,
                         offset_regularization=offset_regularization, seed=seed)
        self.hardness = hardness
        self.width_scale = as_number(width_scale, "width_scale", minimum=0.0, strict_minimum=True)

    def _hardness(self, species):
        return _table(self.hardness, species, "hardness")

    def _responses(self, molecules):
        return qeq_responses(molecules, self._hardness(molecules.species), self.width_scale)

    def electronegativity(self, molecules: MoleculeSet) -> np.ndarray:
        """``chi_i`` (eV/e) of every atom of ``molecules`` (total atoms,)."""
        return self.atomic_values(molecules)

    def charges(self, molecules: MoleculeSet) -> list[np.ndarray]:
        """QEq charges (e) of each molecule (neutral, zero field)."""
        chi = self.electronegativity(molecules)
        hardness = self._hardness(molecules.species)
        index = _lookup(molecules.species)
        out = []
        for m, (z, r) in enumerate(zip(molecules.numbers, molecules.positions, strict=True)):
            s = slice(molecules.offsets[m], molecules.offsets[m + 1])
            out.append(qeq.solve(r, chi[s], hardness[index[z]], _widths(z, self.width_scale)).charges)
        return out

    def parameters_of(self, numbers):
        """Per-atom ``(hardness, widths)`` of atoms with atomic ``numbers`` (for :mod:`course_utils.atoms.qeq`)."""
        numbers = np.asarray(numbers, dtype=int)
        hardness = self._hardness(self.species_ if self.sparse_ is not None else SPECIES)
        species = self.species_ if self.sparse_ is not None else SPECIES
        return hardness[_lookup(species)[numbers]], _widths(numbers, self.width_scale)

    def electronegativity_and_gradient(self, atoms) -> tuple[np.ndarray, np.ndarray]:
        """``chi`` (n,) and ``d chi_i / d R_{k,a}`` (n, n, 3) of one molecule (``ase.Atoms``) from the SOAP
        position gradients, through the normalisation and the polynomial kernel."""
        self._check_fitted()
        x, dx = soap_features_and_gradients(atoms, species=self.species_, hypers=SOAP_HYPERS)
        norm = np.linalg.norm(x, axis=1)
        xhat = x / norm[:, None]
        # d xhat = (dx - xhat (xhat . dx)) / |x|
        dxhat = (dx - xhat[:, None, None, :] * np.einsum("id,ikad->ika", xhat, dx)[..., None]) \
            / norm[:, None, None, None]
        chi = np.zeros(len(atoms))
        grad = np.zeros((len(atoms), len(atoms), 3))
        for k, z in enumerate(self.species_):
            rows = np.flatnonzero(atoms.numbers == z)
            if len(rows) == 0:
                continue
            chi[rows] = self.coef_[self.n_kernel_ + k]
            if z not in self.sparse_:
                continue
            w = self.coef_[self.columns_[z]]
            sparse = self.sparse_[z].astype(float)
            s = xhat[rows] @ sparse.T  # (r, M)
            chi[rows] += (s**self.zeta) @ w
            direction = (self.zeta * s ** (self.zeta - 1) * w[None, :]) @ sparse  # (r, D)
            grad[rows] = np.einsum("rd,rkad->rka", direction, dxhat[rows])
        return chi, grad

    def energy_and_forces(self, atoms, *, field=None):
        """QEq minimum (:class:`course_utils.atoms.qeq.QEqResult`) and forces (n, 3) eV/Angstrom of one neutral
        molecule with the learned electronegativities, including ``d chi / d R``."""
        chi, grad = self.electronegativity_and_gradient(atoms)
        hardness, widths = self.parameters_of(atoms.numbers)
        return qeq.energy_and_forces(atoms.positions, chi, grad, hardness, widths, field=field)

    def polarizability(self, numbers, positions) -> np.ndarray:
        """``d mu / d F`` (e*Angstrom^2/V) of one molecule: QEq's, which does not depend on ``chi``."""
        hardness, widths = self.parameters_of(numbers)
        return qeq.polarizability(positions, hardness, widths)


class KernelCharges(_KernelDipoleModel):
    """Baseline: per-atom charges ``s_i`` straight from the kernel, neutralised per molecule (``q_i = s_i -
    mean(s)``), fitted to dipoles like :class:`KernelQEq`; no electrostatics, no hardness."""

    def _responses(self, molecules):
        c = np.zeros((molecules.offsets[-1], 3))
        for idx, z, r in molecules.groups():  # r is centred: c_i = R_i - mean(R)
            rows = molecules.offsets[idx][:, None] + np.arange(z.shape[1])[None, :]
            c[rows.ravel()] = r.reshape(-1, 3)
        return c

    def charges(self, molecules: MoleculeSet) -> list[np.ndarray]:
        s = self.atomic_values(molecules)
        return [s[a:b] - s[a:b].mean() for a, b in zip(molecules.offsets[:-1], molecules.offsets[1:], strict=True)]


@dataclass
class FixedQEq:
    """QEq with one electronegativity ``chi_Z`` and one hardness ``J_Z`` per element, fitted to dipoles.

    At fixed ``J`` the dipoles are linear in ``chi`` (only differences of ``chi`` matter: ``chi_H = 0`` is
    fixed), so ``J`` is optimised by ``scipy.optimize.least_squares`` (bounds ``J >= j_min``) with ``chi`` solved
    in closed form at every step. ``width_scale``: widths are covalent radii times it.
    """

    width_scale: float = 1.0
    j_min: float = -2.0
    species: tuple = SPECIES

    @limited_blas
    def fit(self, molecules: MoleculeSet, dipoles):
        from scipy.optimize import least_squares

        dipoles = _check_dipoles(dipoles, molecules)
        one_hot = (molecules.all_numbers[:, None] == np.array(self.species)[None, :]).astype(float)
        molecule = _molecule_of_atom(molecules.offsets)

        groups = _coulomb_groups(molecules, self.width_scale)

        def chi_for(hardness):
            c = qeq_responses(molecules, hardness, self.width_scale, groups=groups)
            x = _design(c, one_hot, molecule, len(molecules))[:, 1:]  # chi_H = 0
            chi = np.linalg.lstsq(x, dipoles.ravel(), rcond=None)[0]
            return np.concatenate([[0.0], chi]), x @ chi - dipoles.ravel()

        fit = least_squares(lambda j: chi_for(j)[1], x0=np.ones(len(self.species)), bounds=(self.j_min, np.inf),
                            x_scale=1.0, diff_step=1e-4)
        self.hardness_ = fit.x
        self.n_evaluations_ = int(fit.nfev)
        self.electronegativity_ = chi_for(fit.x)[0]
        self.n_train_ = len(molecules)
        return self

    def parameters_of(self, numbers):
        """Per-atom ``(chi, J, widths)`` for atoms with atomic ``numbers``."""
        numbers = np.asarray(numbers, dtype=int)
        k = _lookup(self.species)[numbers]
        return self.electronegativity_[k], self.hardness_[k], _widths(numbers, self.width_scale)

    def predict(self, molecules: MoleculeSet) -> np.ndarray:
        c = qeq_responses(molecules, self.hardness_, self.width_scale)
        chi = self.electronegativity_[_lookup(self.species)[molecules.all_numbers]]
        out = np.zeros((len(molecules), 3))
        np.add.at(out, _molecule_of_atom(molecules.offsets), c * chi[:, None])
        return out

    def charges(self, molecules: MoleculeSet) -> list[np.ndarray]:
        out = []
        for z, r in zip(molecules.numbers, molecules.positions, strict=True):
            chi, j, w = self.parameters_of(z)
            out.append(qeq.solve(r, chi, j, w).charges)
        return out

    def polarizability(self, numbers, positions) -> np.ndarray:
        _, j, w = self.parameters_of(numbers)
        return qeq.polarizability(positions, j, w)
