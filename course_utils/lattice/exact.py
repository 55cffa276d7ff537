"""Exact diagonalisation of a Hubbard chain at fixed N and S_z: energies, occupations and 1-RDMs.

The state vector is stored as a matrix psi[a, b] over (up configuration a, down configuration b); the flat index
of basis state (a, b) is ``a * dim_down + b``. Because the two spins only meet in the diagonal U term, the
Hamiltonian is a Kronecker sum,

    H = T_up (x) 1 + 1 (x) T_down + diag(D),   D[a, b] = U sum_i n_i(a) n_i(b) + sum_i v_i (n_i(a) + n_i(b)),

so H psi = T_up psi + psi T_down^T + D * psi needs only the two small per-spin sparse hopping matrices (924 x 924
with 5,544 non-zeros for 6 electrons of a spin on a 12-site chain) and never the full 853,776-dimensional
sparse matrix. Small problems are diagonalised densely; the ground state of a large one by two-pass Lanczos on
that product, excited states of a large one by ``scipy.sparse.linalg.eigsh``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .._checks import ConvergenceError, _describe, as_int, as_number
from .hubbard import Hubbard, hops, occupation_table, one_body_operator, spin_basis

DENSE_LIMIT = 1000
"""Hilbert-space dimensions up to this are diagonalised densely (exact, and faster than iterating there)."""

MAX_DIMENSION = 4_000_000
"""Default refusal threshold: eigsh keeps about 20 vectors, 20 * 8 bytes * 4e6 = 0.64 GB (Lanczos about 8)."""

MAX_LANCZOS_STEPS = 3000
"""Lanczos steps (each one application of H, plus one more in the second pass) before ConvergenceError."""

MAX_ITERATIVE_STATE = 50
"""Highest k that ``solve`` computes iteratively (eigsh's cost grows with the number of states)."""


class _Pieces(NamedTuple):
    hop_up: sp.csr_matrix
    hop_down: sp.csr_matrix
    diagonal: np.ndarray
    occ_up: np.ndarray
    occ_down: np.ndarray

    def apply(self, psi: np.ndarray) -> np.ndarray:
        """H psi for psi of shape (dim_up, dim_down)."""
        out = self.diagonal * psi
        out += self.hop_up @ psi
        out += (self.hop_down @ psi.T).T
        return out


def _check_model(model) -> Hubbard:
    if not isinstance(model, Hubbard):
        raise TypeError(f"model must be a course_utils.lattice.Hubbard, got {_describe(model)}")
    return model


def basis(model: Hubbard) -> tuple[np.ndarray, np.ndarray]:
    """The up and down configuration lists (sorted int64 bit strings, read-only) spanning the model's space.

    Basis state (a, b) has flat index ``a * len(down) + b`` in ``hamiltonian(model)`` and is entry [a, b] of
    ``HubbardResult.wavefunction``.
    """
    model = _check_model(model)
    return spin_basis(model.sites, model.n_up), spin_basis(model.sites, model.n_down)


def _pieces(model: Hubbard) -> _Pieces:
    configs_up, configs_down = basis(model)
    h = model.one_body_hamiltonian()
    occ_up = occupation_table(configs_up, model.sites)
    occ_down = occupation_table(configs_down, model.sites)
    diagonal = model.U * (occ_up @ occ_down.T) + (occ_up @ model.v)[:, None] + (occ_down @ model.v)[None, :]
    return _Pieces(one_body_operator(configs_up, h), one_body_operator(configs_down, h), diagonal, occ_up, occ_down)


def hamiltonian(model: Hubbard) -> sp.csr_matrix:
    """The model's Hamiltonian as a sparse matrix of shape (dimension, dimension), basis order of ``basis``.

    Meant for inspection and small systems; ``solve`` never builds it for large ones.
    """
    return _sparse_hamiltonian(_pieces(_check_model(model)))


def _sparse_hamiltonian(pieces: _Pieces) -> sp.csr_matrix:
    eye_up = sp.identity(pieces.hop_up.shape[0], format="csr")
    eye_down = sp.identity(pieces.hop_down.shape[0], format="csr")
    matrix = sp.kron(pieces.hop_up, eye_down) + sp.kron(eye_up, pieces.hop_down) + sp.diags(pieces.diagonal.ravel())
    return matrix.tocsr()


@dataclass(frozen=True, eq=False)
class HubbardResult:
    """One eigenstate of a Hubbard model and its one-body observables (arrays are read-only).

    Energies are in the model's energy unit (that of t, U, v). Site indices run over 0 .. sites - 1.

    Attributes
    ----------
    model : Hubbard
    state : int
        k: 0 for the ground state, 1 for the next state of the same (N, S_z) sector, ... States of every total
        spin S compatible with S_z are counted, each multiplet member once.
    energy : float
    energies : ndarray, shape (state + 1,)
        The lowest state + 1 energies of the sector, ascending.
    degenerate : bool or None
        Whether another eigenvalue lies within 1e-8 (relative to the energy scale t + |U| + max|v|) of
        ``energy``; then the state is one arbitrary member of a degenerate level and its density matrix is not
        unique (e.g. rings at U = 0 with an open shell). Known only from a dense diagonalisation
        (dimension <= ``DENSE_LIMIT``); ``None`` for iterative solutions, whose Krylov spaces cannot see an exact
        degeneracy.
    residual : float
        ||H psi - E psi|| of the returned vector (energy unit).
    occupations, occupations_up, occupations_down : ndarray, shape (sites,)
        <n_i>, <n_{i up}>, <n_{i down}>; the diagonals of the corresponding 1-RDMs.
    double_occupations : ndarray, shape (sites,)
        <n_{i up} n_{i down}>.
    rdm1, rdm1_up, rdm1_down : ndarray, shape (sites, sites)
        One-body reduced density matrices gamma^sigma_ij = <c+_{i sigma} c_{j sigma}> (real symmetric, since the
        Hamiltonian is real), and the spin-summed gamma = gamma^up + gamma^down (trace N).
    natural_occupations : ndarray, shape (sites,)
        Eigenvalues of rdm1, descending, in [0, 2].
    natural_occupations_up, natural_occupations_down : ndarray, shape (sites,)
        Eigenvalues of rdm1_up and rdm1_down, descending, in [0, 1] (Pauli principle: N-representability of a
        spin-resolved 1-RDM).
    natural_orbitals : ndarray, shape (sites, sites)
        Columns are the eigenvectors of rdm1, in the order of ``natural_occupations``.
    kinetic_energy, potential_energy, interaction_energy : float
        sum_{i != j} h_ij gamma_ji (hopping), sum_i v_i n_i, and U sum_i <n_{i up} n_{i down}>; they add up to
        ``energy``.
    wavefunction : ndarray, shape (dim_up, dim_down)
        Normalised coefficients psi[a, b] in the basis of ``basis(model)``; sign fixed so that the largest
        component is positive.
    """

    model: Hubbard
    state: int
    energy: float
    energies: np.ndarray
    degenerate: bool | None
    residual: float
    occupations: np.ndarray
    occupations_up: np.ndarray
    occupations_down: np.ndarray
    double_occupations: np.ndarray
    rdm1: np.ndarray
    rdm1_up: np.ndarray
    rdm1_down: np.ndarray
    natural_occupations: np.ndarray
    natural_occupations_up: np.ndarray
    natural_occupations_down: np.ndarray
    natural_orbitals: np.ndarray
    kinetic_energy: float
    potential_energy: float
    interaction_energy: float
    wavefunction: np.ndarray


def _dot(x: np.ndarray, y: np.ndarray) -> float:
    # einsum rather than BLAS ddot: a threaded ddot on a busy 2-core machine can be 20x slower than one core.
    return float(np.einsum("ij,ij->", x, y))


def _spin_rdm1(configs: np.ndarray, sites: int, psi: np.ndarray) -> np.ndarray:
    """gamma_ij = <c+_i c_j> for the spin whose configurations label the rows of psi (shape (len(configs), m))."""
    gamma = np.zeros((sites, sites))
    gamma[np.diag_indices(sites)] = occupation_table(configs, sites).T @ np.einsum("ab,ab->a", psi, psi)
    for i in range(sites):
        for j in range(i + 1, sites):
            source, target, sign = hops(configs, i, j)
            gamma[i, j] = gamma[j, i] = np.einsum("a,ab,ab->", sign.astype(float), psi[target], psi[source])
    return gamma


def _frozen(array) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.flags.writeable = False
    return array


def _lanczos_ground_state(apply, start: np.ndarray, *, tol: float, max_steps: int):
    """Lowest eigenpair of the symmetric operator ``apply`` by two-pass Lanczos (no stored Krylov basis).

    Pass one runs the three-term recurrence, keeping only the tridiagonal matrix, until the residual estimate
    beta_m |s_m| of the lowest Ritz pair is below ``tol`` (absolute); pass two regenerates the same Lanczos
    vectors from the stored coefficients and sums the Ritz vector. Memory is a handful of vectors. ARPACK, by
    contrast, keeps ~20 vectors and, on a 12-site chain, spends more time re-orthogonalising and restarting them
    than applying H. Stopping at convergence, before orthogonality is lost, keeps ghost copies out.
    """
    start = start / np.sqrt(_dot(start, start))
    alphas, betas = [], []
    previous, vector, beta = None, start, 0.0
    for step in range(max_steps):
        w = apply(vector)
        alpha = _dot(vector, w)
        w -= alpha * vector
        if previous is not None:
            w -= beta * previous
        beta = np.sqrt(_dot(w, w))
        alphas.append(alpha)
        betas.append(beta)
        values, vectors = scipy.linalg.eigh_tridiagonal(np.array(alphas), np.array(betas[:-1]),
                                                        select="i", select_range=(0, 0))
        coefficients = vectors[:, 0]
        estimate = beta * abs(coefficients[-1])
        # beta ~ 0: the Krylov space is invariant and the Ritz pair exact.
        if (step >= 4 and estimate <= tol) or beta <= 1e-14 * max(1.0, abs(values[0])):
            break
        previous, vector = vector, w / beta
    else:
        raise ConvergenceError(f"Lanczos did not converge in {max_steps} steps: residual estimate {estimate:.2e} "
                               f"> {tol:.2e}")

    result = coefficients[0] * start
    previous, vector = None, start
    for step in range(len(alphas) - 1):
        w = apply(vector)
        w -= alphas[step] * vector
        if previous is not None:
            w -= betas[step - 1] * previous
        previous, vector = vector, w / betas[step]
        result += coefficients[step + 1] * vector
    return float(values[0]), result / np.sqrt(_dot(result, result))


def _lowest_eigenpairs(model: Hubbard, pieces: _Pieces, count: int, tol: float):
    """The ``count`` lowest eigenvalues (ascending) and eigenvectors (each of shape (dim_up, dim_down)).

    Returns ``(values, vectors, exhaustive)``. When ``exhaustive`` (dense diagonalisation) one more value than
    asked is returned where it exists, so that degeneracy with the next level can be judged.
    """
    shape = pieces.diagonal.shape
    dimension = shape[0] * shape[1]
    if dimension <= DENSE_LIMIT:
        number = min(count + 1, dimension)
        dense = np.kron(pieces.hop_up.toarray(), np.eye(shape[1]))
        dense += np.kron(np.eye(shape[0]), pieces.hop_down.toarray())
        dense[np.diag_indices(dimension)] += pieces.diagonal.ravel()
        values, vectors = scipy.linalg.eigh(dense, subset_by_index=[0, number - 1])
        return values, [np.reshape(vectors[:, n], shape) for n in range(number)], True

    # A fixed start vector makes results reproducible without touching any global random state.
    start = np.random.default_rng(20151014).uniform(0.5, 1.5, shape)
    scale = model.t + abs(model.U) + float(np.max(np.abs(model.v)))
    if count == 1:
        value, vector = _lanczos_ground_state(pieces.apply, start, tol=tol * scale, max_steps=MAX_LANCZOS_STEPS)
        return np.array([value]), [vector], False

    operator = spla.LinearOperator((dimension, dimension), dtype=float,
                                   matvec=lambda x: pieces.apply(np.reshape(x, shape)).ravel())
    try:
        values, vectors = spla.eigsh(operator, k=count, which="SA", v0=start.ravel(), tol=tol)
    except spla.ArpackNoConvergence as error:
        raise ConvergenceError(f"eigsh converged only {len(error.eigenvalues)} of the {count} lowest states") from None
    order = np.argsort(values)
    return values[order], [np.reshape(vectors[:, n], shape) for n in order], False


def solve(model: Hubbard, k: int = 0, *, tol: float = 1e-10, max_dimension: int = MAX_DIMENSION) -> HubbardResult:
    """Exact k-th eigenstate (k = 0: ground state) of ``model`` in its (N, S_z) sector, with its 1-RDMs.

    Parameters
    ----------
    model : Hubbard
    k : int
        Which state: 0 is the ground state; k counts states of all total spins S compatible with S_z.
    tol : float
        Iterative solvers stop when ||H psi - E psi|| is about tol * (t + |U| + max|v|); a dense diagonalisation
        is exact to rounding.
    max_dimension : int
        Refuse larger Hilbert spaces (memory guard).

    Returns
    -------
    HubbardResult
        Energies in the unit of t, U, v; see ``HubbardResult`` for fields and shapes.

    Notes
    -----
    Dimension <= ``DENSE_LIMIT`` (1000): dense ``scipy.linalg.eigh``. Larger: the ground state by two-pass
    Lanczos, excited states by ``scipy.sparse.linalg.eigsh``, both on the Kronecker-sum product of the module
    docstring. An iterative solver finds one member of an exactly degenerate level (its Krylov space holds one
    vector of each eigenspace), so for k >= 1 in a symmetric model (uniform ring, ...) a degenerate partner may
    be skipped in the counting; break the symmetry slightly or use a smaller system if that matters.

    Cost, measured on a shared 2-core machine: the ground state of a 12-site half-filled chain (S_z = 0,
    dimension 853,776) at U = 4t takes 3-4 s and about 70 MB above the interpreter (at U = 8t about 6 s: the
    smaller spin gap needs more Lanczos steps); an excited state of it (eigsh) 15-20 s and about 210 MB.
    """
    model = _check_model(model)
    tol = as_number(tol, "tol", minimum=0.0, strict_minimum=True)
    max_dimension = as_int(max_dimension, "max_dimension", minimum=1)
    dimension = model.dimension
    if dimension > max_dimension:
        raise ValueError(f"the Hilbert space of this model has dimension {dimension:,}, above max_dimension = "
                         f"{max_dimension:,} (the iterative solvers keep 8-20 vectors of {8 * dimension / 1e6:.0f} MB "
                         f"each); use fewer sites or electrons, or raise max_dimension if you have the memory")
    k = as_int(k, "k", minimum=0, maximum=dimension - 1)
    if dimension > DENSE_LIMIT and k > MAX_ITERATIVE_STATE:
        raise ValueError(f"k = {k} is too high for the iterative solver used above dimension {DENSE_LIMIT} (this "
                         f"model has {dimension:,}); k may be at most {MAX_ITERATIVE_STATE} there")

    pieces = _pieces(model)
    values, vectors, exhaustive = _lowest_eigenpairs(model, pieces, k + 1, tol)
    energy = float(values[k])
    degenerate = None
    scale = model.t + abs(model.U) + float(np.max(np.abs(model.v)))
    if exhaustive:
        neighbours = [values[n] for n in (k - 1, k + 1) if 0 <= n < len(values)]
        degenerate = any(abs(value - energy) <= 1e-8 * scale for value in neighbours)

    psi = vectors[k] / np.sqrt(_dot(vectors[k], vectors[k]))
    largest = np.unravel_index(np.argmax(np.abs(psi)), psi.shape)
    psi = psi * np.sign(psi[largest])
    mismatch = pieces.apply(psi) - energy * psi
    residual = float(np.sqrt(_dot(mismatch, mismatch)))
    if not exhaustive and residual > 1e3 * tol * max(scale, abs(energy)):
        raise ConvergenceError(f"the iterative eigenvector of state {k} has residual ||H psi - E psi|| = "
                               f"{residual:.2e}, far above the requested {tol * scale:.1e}")

    configs_up, configs_down = basis(model)
    rdm1_up = _spin_rdm1(configs_up, model.sites, psi)
    rdm1_down = _spin_rdm1(configs_down, model.sites, np.ascontiguousarray(psi.T))
    rdm1 = rdm1_up + rdm1_down
    double = np.einsum("ai,ab,bi->i", pieces.occ_up, psi**2, pieces.occ_down, optimize=True)
    natural, orbitals = np.linalg.eigh(rdm1)
    h = model.one_body_hamiltonian()
    return HubbardResult(
        model=model,
        state=k,
        energy=energy,
        energies=_frozen(values[: k + 1]),
        degenerate=degenerate,
        residual=residual,
        occupations=_frozen(np.diag(rdm1)),
        occupations_up=_frozen(np.diag(rdm1_up)),
        occupations_down=_frozen(np.diag(rdm1_down)),
        double_occupations=_frozen(double),
        rdm1=_frozen(rdm1),
        rdm1_up=_frozen(rdm1_up),
        rdm1_down=_frozen(rdm1_down),
        natural_occupations=_frozen(natural[::-1]),
        natural_occupations_up=_frozen(np.linalg.eigvalsh(rdm1_up)[::-1]),
        natural_occupations_down=_frozen(np.linalg.eigvalsh(rdm1_down)[::-1]),
        natural_orbitals=_frozen(orbitals[:, ::-1]),
        kinetic_energy=float(np.sum((h - np.diag(np.diag(h))) * rdm1.T)),
        potential_energy=float(model.v @ np.diag(rdm1)),
        interaction_energy=float(model.U * np.sum(double)),
        wavefunction=_frozen(psi),
    )
