"""Machinery of the exact solver: symmetry-adapted spaces, the Hamiltonian in the orbital basis, Davidson.

The many-electron spatial wavefunction ``Psi(x_1, ..., x_n)`` (n <= 3) is expanded in products of the
eigenfunctions ``phi_a`` of the one-body Hamiltonian ``h = T + v_ext`` on the same grid (all N of them, so nothing
is truncated: this is a change of basis, the eigenvalues are those of the grid Hamiltonian). In that basis

    H = sum_i h_i + W   has   sum_i h_i   diagonal (eps_a + eps_b + ...),

and ``W`` (the interaction, diagonal on the grid) is applied by transforming to the grid and back with dense
matrix products (``n`` of them each way, O(n N^(n+1)) flops). The diagonal part is an excellent preconditioner,
so a Davidson eigensolver converges in ~10 iterations from the non-interacting product state.

Permutation symmetry: electrons of equal spin are antisymmetric under exchange, and for two electrons of opposite
spin the spatial part is symmetric (singlet) or antisymmetric (triplet). The solver works in the packed space of
one coefficient per orbit of the permutation group (e.g. ``a <= b`` for a singlet), with an orthonormal basis, so
the operator is exactly the Hamiltonian restricted to the symmetry sector and no state of another sector can
appear. For "uud" this halves the problem; for a singlet/triplet pair it halves it too.
"""

from __future__ import annotations

import itertools

import numpy as np

from .._checks import ConvergenceError


def permutation_parity(perm: tuple[int, ...]) -> int:
    """+1 for an even permutation, -1 for an odd one."""
    perm = list(perm)
    parity = 1
    for i in range(len(perm)):
        while perm[i] != i:
            j = perm[i]
            perm[i], perm[j] = perm[j], perm[i]
            parity = -parity
    return parity


def symmetry_group(n_up: int, n_down: int, spatial: str | None = None) -> list[tuple[tuple[int, ...], int]]:
    """Permutations (and the sign the spatial wavefunction takes under them) for a spin configuration.

    Coordinates are ordered up electrons first. Equal-spin electrons are antisymmetric. For one up and one down
    electron, ``spatial="symmetric"`` (singlet) or ``"antisymmetric"`` (triplet, M_s = 0) adds the exchange of the
    two.
    """
    n = n_up + n_down
    group = []
    for perm in itertools.permutations(range(n)):
        keeps_spins = all((perm[i] < n_up) == (i < n_up) for i in range(n))
        if keeps_spins:
            group.append((perm, permutation_parity(perm)))
    if spatial is not None:
        if n != 2 or n_up != 1:
            raise ValueError("a spatial symmetry can only be imposed for one up and one down electron")
        sign = 1 if spatial == "symmetric" else -1
        group.append(((1, 0), sign))
    return group


class SymmetricSpace:
    """Orthonormal packed basis of the functions on ``N**n`` grid points with a given permutation symmetry.

    ``unpack`` maps packed coefficients ``(b, dim)`` to full arrays ``(b, N**n)``; ``pack`` is its adjoint
    (and inverse on the symmetric subspace).
    """

    def __init__(self, n_points: int, n_particles: int, group):
        self.n_points = n_points
        self.n_particles = n_particles
        self.group = group
        shape = (n_points,) * n_particles
        size = n_points**n_particles
        flat = np.arange(size, dtype=np.int64)
        coords = np.unravel_index(flat, shape)
        images = []
        is_rep = np.ones(size, dtype=bool)
        stabiliser = np.zeros(size, dtype=np.int64)
        for perm, sign in group:
            image = np.ravel_multi_index(tuple(coords[perm[i]] for i in range(n_particles)), shape)
            fixed = image == flat
            stabiliser += fixed
            if sign < 0:
                is_rep &= ~fixed  # an odd permutation that fixes the point forces the amplitude to zero
            is_rep &= flat <= image
            images.append(image)
        del coords
        self.reps = flat[is_rep]
        self.images = np.stack([image[is_rep] for image in images])  # (|G|, dim)
        self.signs = np.array([sign for _, sign in group], dtype=float)
        orbit = len(group) / stabiliser[is_rep]
        self.sqrt_orbit = np.sqrt(orbit)
        self.dim = self.reps.size
        self.coords = np.stack(np.unravel_index(self.reps, shape))  # (n, dim) orbital/grid indices of each rep
        # Fast path when the group only exchanges the first two coordinates (singlet, triplet, "uu", "uud"):
        # whole rows of the trailing axes are copied at once instead of element by element.
        self._pair_sign = None
        if len(group) == 2 and n_particles >= 2 and group[1][0][:2] == (1, 0) and \
                tuple(group[1][0][2:]) == tuple(range(2, n_particles)):
            self._pair_sign = group[1][1]
            self._pair_i, self._pair_j = np.triu_indices(n_points, 0 if self._pair_sign > 0 else 1)
            self._pair_scale = np.where(self._pair_i == self._pair_j, 0.5, np.sqrt(0.5))

    def unpack(self, packed: np.ndarray) -> np.ndarray:
        packed = np.atleast_2d(packed)
        if self._pair_sign is not None:
            npts, rest = self.n_points, self.n_points ** (self.n_particles - 2)
            upper = np.zeros((packed.shape[0], npts, npts, rest), dtype=packed.dtype)
            upper[:, self._pair_i, self._pair_j, :] = (packed.reshape(packed.shape[0], -1, rest)
                                                       * self._pair_scale[None, :, None])
            full = upper + self._pair_sign * upper.transpose(0, 2, 1, 3)
            return full.reshape(packed.shape[0], -1)
        full = np.zeros((packed.shape[0], self.n_points**self.n_particles), dtype=packed.dtype)
        scaled = packed / self.sqrt_orbit
        for image, sign in zip(self.images, self.signs, strict=True):
            full[:, image] = sign * scaled
        return full

    def pack(self, full: np.ndarray) -> np.ndarray:
        if self._pair_sign is not None:
            npts, rest = self.n_points, self.n_points ** (self.n_particles - 2)
            full = full.reshape(full.shape[0], npts, npts, rest)
            both = full[:, self._pair_i, self._pair_j, :] + self._pair_sign * full[:, self._pair_j, self._pair_i, :]
            scale = np.where(self._pair_i == self._pair_j, 0.5, np.sqrt(0.5))
            return (both * scale[None, :, None]).reshape(full.shape[0], -1)
        full = full.reshape(full.shape[0], -1)
        total = np.zeros((full.shape[0], self.dim), dtype=full.dtype)
        for image, sign in zip(self.images, self.signs, strict=True):
            total += sign * full[:, image]
        return total * (self.sqrt_orbit / len(self.group))


def mode_product(tensors: np.ndarray, matrix: np.ndarray, n_particles: int) -> np.ndarray:
    """Apply ``matrix`` (N, N) along every particle axis of a batch of tensors ``(b, N, ..., N)`` (real matrix)."""
    if np.iscomplexobj(tensors):
        return mode_product(tensors.real, matrix, n_particles) + 1j * mode_product(tensors.imag, matrix, n_particles)
    n = matrix.shape[0]
    if n_particles == 1:
        return tensors @ matrix.T
    if n_particles == 2:
        return np.matmul(np.matmul(matrix, tensors), matrix.T)
    out = np.empty_like(tensors)
    for k in range(tensors.shape[0]):
        a = (tensors[k].reshape(n * n, n) @ matrix.T).reshape(n, n, n)
        a = np.matmul(matrix, a)
        out[k] = (matrix @ a.reshape(n, n * n)).reshape(n, n, n)
    return out


class OrbitalBasisHamiltonian:
    """The n-electron Hamiltonian (n <= 3) restricted to a symmetry sector, in the one-body eigenbasis.

    Parameters
    ----------
    eps : ndarray, shape (N,)
        One-body eigenvalues (Ha).
    orbitals : ndarray, shape (N, N)
        One-body eigenvectors as columns, orthonormal in the discrete l2 sense.
    interaction : ndarray, shape (N, N)
        Interaction matrix on the grid (Ha).
    space : SymmetricSpace
        The :class:`SymmetricSpace`.
    """

    def __init__(self, eps: np.ndarray, orbitals: np.ndarray, interaction: np.ndarray, space: SymmetricSpace):
        self.space = space
        self.orbitals = orbitals
        n = space.n_particles
        self.n_particles = n
        self.diagonal = eps[space.coords].sum(axis=0)  # packed eps_a + eps_b + ...
        self.grid_potential = pair_potential(interaction, n)
        # Preconditioner: add the direct (Hartree) interaction of each orbital pair, J_ab = <ab|w|ab>. Without it
        # the non-interacting diagonal lies far below the interacting energy for many configurations, the
        # Davidson denominators change sign and convergence stalls (badly so for three electrons).
        squared = orbitals**2
        coulomb = squared.T @ interaction @ squared
        self.preconditioner = self.diagonal.copy()
        for i, j in itertools.combinations(range(n), 2):
            self.preconditioner += coulomb[space.coords[i], space.coords[j]]

    def to_grid(self, packed: np.ndarray) -> np.ndarray:
        """Grid-basis coefficient tensors ``(b, N, ..., N)`` of packed orbital-basis vectors ``(b, dim)``."""
        n, npts = self.n_particles, self.space.n_points
        full = self.space.unpack(packed).reshape((-1,) + (npts,) * n)
        return mode_product(full, self.orbitals, n)

    def from_grid(self, tensors: np.ndarray) -> np.ndarray:
        """Packed orbital-basis coefficients of grid-basis tensors (the adjoint of :meth:`to_grid`)."""
        return self.space.pack(mode_product(tensors, self.orbitals.T, self.n_particles))

    def apply(self, packed: np.ndarray, extra_potential: np.ndarray | None = None) -> np.ndarray:
        """``H @ v`` for a block of packed vectors ``(b, dim)``; ``extra_potential`` (grid, shape ``(N,)*n``) is
        added to the interaction (a time-dependent one-body perturbation summed over electrons)."""
        grid = self.to_grid(packed)
        potential = self.grid_potential if extra_potential is None else self.grid_potential + extra_potential
        grid *= potential
        return self.from_grid(grid) + self.diagonal * packed


def pair_potential(interaction: np.ndarray, n_particles: int) -> np.ndarray:
    """Sum of the pair interactions on the n-particle grid, shape ``(N,) * n`` (Ha)."""
    npts = interaction.shape[0]
    if n_particles == 1:
        return np.zeros(npts)
    if n_particles == 2:
        return interaction.copy()
    return interaction[:, :, None] + interaction[:, None, :] + interaction[None, :, :]


def one_body_sum(potential: np.ndarray, n_particles: int) -> np.ndarray:
    """``v(x_1) + ... + v(x_n)`` on the n-particle grid, shape ``(N,) * n``."""
    if n_particles == 1:
        return potential.copy()
    if n_particles == 2:
        return potential[:, None] + potential[None, :]
    return potential[:, None, None] + potential[None, :, None] + potential[None, None, :]


def davidson(apply, diagonal: np.ndarray, n_states: int, *, block: int | None = None, tol: float = 1e-8,
             max_iterations: int = 300, max_subspace: int = 40, guess: np.ndarray | None = None):
    """Lowest eigenpairs of a real symmetric operator by block Davidson with the diagonal preconditioner.

    Parameters
    ----------
    apply : callable
        Function mapping a block of row vectors ``(b, dim)`` to ``H @ v`` for each row.
    diagonal : ndarray, shape (dim,)
        The diagonal of ``H`` (or of a good approximation of it).
    n_states : int
        How many of the lowest eigenpairs to converge.
    block : int, optional
        Vectors iterated together (``>= n_states``; a few more speeds up clustered spectra).
    tol : float
        Residual norm ``|H v - theta v|`` (same units as ``H``) at which an eigenpair is converged.
    max_subspace : int
        Largest search space before a thick restart on the current Ritz vectors.
    guess : ndarray, shape (b0, dim), optional
        Starting vectors; by default unit vectors on the lowest diagonal elements.

    Returns
    -------
    eigenvalues : ndarray, shape (n_states,)
    eigenvectors : ndarray, shape (n_states, dim)
    residual_norms : ndarray, shape (n_states,)
        Residual norms.
    iterations : int

    Raises
    ------
    ConvergenceError
        If ``max_iterations`` pass without all residuals below ``tol``.
    """
    dim = diagonal.size
    block = min(max(block or n_states, n_states), dim)
    max_subspace = min(max(max_subspace, 2 * block + 1), dim)
    if guess is None:
        start = np.argsort(diagonal, kind="stable")[:block]
        first = np.zeros((block, dim))
        first[np.arange(block), start] = 1.0
    else:
        first = _orthonormal_rows(np.atleast_2d(np.asarray(guess, dtype=float)), None)
    # Preallocated search space and its image; the projected matrix is updated incrementally.
    basis = np.empty((max_subspace, dim))
    applied = np.empty((max_subspace, dim))
    small = np.empty((max_subspace, max_subspace))
    size = 0

    def extend(rows: np.ndarray, images: np.ndarray):
        nonlocal size
        k = rows.shape[0]
        basis[size:size + k] = rows
        applied[size:size + k] = images
        block_rows = rows @ applied[:size + k].T
        small[size:size + k, :size + k] = block_rows
        small[:size + k, size:size + k] = block_rows.T
        size += k

    extend(first, apply(first))
    residual_norms = np.full(block, np.inf)
    tiny = 1e-8 * max(1.0, float(np.max(np.abs(diagonal))))
    for iteration in range(1, max_iterations + 1):
        projected = small[:size, :size]
        theta, vectors = np.linalg.eigh(0.5 * (projected + projected.T))
        nb = min(block, theta.size)
        ritz = vectors[:, :nb].T @ basis[:size]
        ritz_applied = vectors[:, :nb].T @ applied[:size]
        residuals = ritz_applied - theta[:nb, None] * ritz
        residual_norms = np.linalg.norm(residuals, axis=1)
        if np.all(residual_norms[:n_states] < tol):
            return theta[:n_states], ritz[:n_states], residual_norms[:n_states], iteration
        active = np.flatnonzero(residual_norms >= tol)
        denominators = diagonal[None, :] - theta[active, None]
        # Keep the correction finite where the preconditioner is (nearly) singular.
        denominators = np.where(np.abs(denominators) < tiny, np.copysign(tiny, denominators), denominators)
        corrections = residuals[active] / denominators
        if size + corrections.shape[0] > max_subspace:
            size = 0  # thick restart on the current Ritz vectors
            extend(ritz, ritz_applied)
        corrections = _orthonormal_rows(corrections, basis[:size])
        if corrections.shape[0] == 0:
            # The corrections lie in the search space: restart from the Ritz vectors and the raw residuals.
            size = 0
            extend(ritz, ritz_applied)
            corrections = _orthonormal_rows(residuals[active], basis[:size])
            if corrections.shape[0] == 0:
                break
        extend(corrections, apply(corrections))
    reached = ", ".join(f"{r:.2e}" for r in residual_norms[:n_states])
    raise ConvergenceError(f"Davidson eigensolver did not converge in {max_iterations} iterations: residual norms "
                           f"[{reached}] Ha, tolerance {tol:g} Ha")


def _orthonormal_rows(rows: np.ndarray, against: np.ndarray | None, drop: float = 1e-10) -> np.ndarray:
    """Orthonormalise ``rows`` (and make them orthogonal to the orthonormal rows of ``against``)."""
    kept = []
    for row in rows:
        v = row.copy()
        norm0 = np.linalg.norm(v)
        if norm0 == 0.0:
            continue
        for _ in range(2):  # twice is enough (Kahan-Parlett)
            if against is not None and against.shape[0]:
                v -= (against @ v) @ against
            for k in kept:
                v -= (k @ v) * k
        norm = np.linalg.norm(v)
        if norm > drop * norm0 and norm > 1e-300:
            kept.append(v / norm)
    if not kept:
        return np.zeros((0, rows.shape[1]))
    return np.array(kept)
