"""The Hubbard chain (open or periodic) with on-site potentials, and its fixed-(N, Sz) many-electron basis.

The Hamiltonian is

    H = -t sum_{<ij>, sigma} (c+_{i sigma} c_{j sigma} + c+_{j sigma} c_{i sigma})
        + U sum_i n_{i up} n_{i down} + sum_i v_i (n_{i up} + n_{i down}),

with <ij> the nearest-neighbour bonds of a chain, plus the bond (sites - 1, 0) when ``periodic``.

Units: t, U, v and every energy are in one and the same energy unit, whichever the caller chooses; the model is
scale-free (multiplying t, U and v by a factor multiplies every energy by it and leaves occupations and density
matrices unchanged). Where the course needs a named unit it takes t, U, v in Hartree, as the rest of
``course_utils`` does.

Basis: for each spin a configuration is a bit string (an integer); bit i set means site i (0-based) is occupied.
A configuration ``a`` stands for c+_{i1} c+_{i2} ... |0> with i1 < i2 < ... (Jordan-Wigner ordering along the
chain), and a two-spin basis state ``(a, b)`` for (up creators of a)(down creators of b)|0>. With this ordering
a spin-conserving hop c+_{i sigma} c_{j sigma} never sees the other spin's electrons and picks up the sign
(-1)^(number of sigma electrons on the sites strictly between i and j). The periodic bond (sites - 1, 0) is no
exception: the hopping electron passes the other n_sigma - 1 electrons of its spin, so that hop carries
(-1)^(n_sigma - 1), i.e. -1 when n_sigma is even. Dropping that sign would silently turn periodic boundary
conditions into antiperiodic ones for an even number of electrons of a spin.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from .._checks import _describe, as_int, as_number, as_real_array

MAX_SITES = 62
"""Largest chain: each spin's configuration is stored as the bits of a 64-bit integer."""


def _parse_electrons(electrons, sites: int) -> tuple[int, int]:
    """Turn ``(n_up, n_down)`` or a spin string such as ``"uudd"`` into ``(n_up, n_down)``, checked."""
    if isinstance(electrons, str):
        unknown = sorted(set(electrons) - {"u", "d"})
        if unknown:
            raise ValueError(f"electrons as a string may contain only 'u' (spin up) and 'd' (spin down), "
                             f"got {electrons!r} with {unknown}")
        n_up, n_down = electrons.count("u"), electrons.count("d")
    elif isinstance(electrons, (tuple, list, np.ndarray)) and len(electrons) == 2:
        n_up = as_int(electrons[0], "electrons[0] (n_up)", minimum=0)
        n_down = as_int(electrons[1], "electrons[1] (n_down)", minimum=0)
    else:
        raise TypeError(f"electrons must be a pair (n_up, n_down) of integers or a spin string such as 'ud', "
                        f"got {_describe(electrons)}")
    if n_up + n_down == 0:
        raise ValueError(f"electrons must contain at least one electron, got {electrons!r}")
    for count, spin in ((n_up, "up"), (n_down, "down")):
        if count > sites:
            raise ValueError(f"too many spin-{spin} electrons: {count} on {sites} sites (at most one electron "
                             f"of each spin per site, so at most {sites})")
    return n_up, n_down


@dataclass(frozen=True, eq=False)
class Hubbard:
    """A Hubbard chain with ``sites`` sites, hopping ``t``, on-site repulsion ``U`` and on-site potentials ``v``.

    Parameters
    ----------
    sites : int
        Number of sites L, at least 2 (at most 62).
    t : float
        Nearest-neighbour hopping, > 0 (energy unit of the model). The Hamiltonian carries -t, so the bonding
        combination is lowest. A negative t is refused rather than silently accepted: on a bipartite chain it is
        the same physics after c_i -> (-1)^i c_i (which flips the sign of every nearest-neighbour 1-RDM element),
        on an odd ring it is not; write that transformation explicitly if you need it. t = 0 is refused because
        its ground state is degenerate and its density matrix not unique.
    U : float
        On-site interaction (energy unit of the model). Any finite value: U > 0 is the repulsive Hubbard model,
        U < 0 the attractive one (electrons pair on sites), U = 0 is non-interacting tight binding.
    v : array_like, shape (sites,)
        On-site potentials v_i (energy unit of the model), coupled to n_i = n_{i up} + n_{i down}.
    electrons : (int, int) or str
        ``(n_up, n_down)``, or a spin string with one letter per electron, e.g. ``"ud"`` for (1, 1).
        N = n_up + n_down and S_z = (n_up - n_down) / 2 are conserved; each is at most ``sites``.
    periodic : bool
        Add the bond between the last and the first site (a ring). A ring of two sites has two bonds between the
        same pair of sites, so its effective hopping is 2t.
    """

    sites: int
    t: float
    U: float
    v: np.ndarray
    electrons: tuple[int, int]
    periodic: bool = False

    def __post_init__(self):
        sites = as_int(self.sites, "sites", minimum=2, maximum=MAX_SITES)
        t = as_number(self.t, "t", minimum=0.0, strict_minimum=True)
        U = as_number(self.U, "U")
        v = as_real_array(self.v, "v", ndim=1)
        if v.shape != (sites,):
            raise ValueError(f"v must hold one on-site potential per site, i.e. have shape ({sites},), "
                             f"got shape {v.shape}")
        v = v.copy()
        v.flags.writeable = False
        if not isinstance(self.periodic, (bool, np.bool_)):
            raise TypeError(f"periodic must be True or False, got {_describe(self.periodic)}")
        electrons = _parse_electrons(self.electrons, sites)
        for name, value in (("sites", sites), ("t", t), ("U", U), ("v", v), ("electrons", electrons),
                            ("periodic", bool(self.periodic))):
            object.__setattr__(self, name, value)

    @classmethod
    def dimer(cls, U: float, t: float = 1.0, delta_v: float = 0.0) -> Hubbard:
        """The two-site model with two electrons (S_z = 0) and v = (-delta_v / 2, +delta_v / 2).

        The model of Carrascal, Ferrer, Smith and Burke, J. Phys.: Condens. Matter 27, 393001 (2015), and of the
        closed forms in ``course_utils.lattice.dimer``; delta_v = v_2 - v_1 with sites called 1, 2 there and
        0, 1 here.
        """
        delta_v = as_number(delta_v, "delta_v")
        return cls(2, t, U, np.array([-0.5 * delta_v, 0.5 * delta_v]), (1, 1))

    @property
    def n_up(self) -> int:
        return self.electrons[0]

    @property
    def n_down(self) -> int:
        return self.electrons[1]

    @property
    def n_electrons(self) -> int:
        return self.electrons[0] + self.electrons[1]

    @property
    def dimension(self) -> int:
        """Size of the fixed-(N, S_z) Hilbert space, C(L, n_up) * C(L, n_down)."""
        return math.comb(self.sites, self.n_up) * math.comb(self.sites, self.n_down)

    @property
    def bonds(self) -> list[tuple[int, int]]:
        """Nearest-neighbour bonds (i, j), 0-based; a two-site ring lists its pair twice."""
        bonds = [(i, i + 1) for i in range(self.sites - 1)]
        if self.periodic:
            bonds.append((self.sites - 1, 0))
        return bonds

    def one_body_hamiltonian(self) -> np.ndarray:
        """The single-particle matrix h (shape (sites, sites)): -t on bonds, v_i on the diagonal.

        H = sum_{ij sigma} h_ij c+_{i sigma} c_{j sigma} + U sum_i n_{i up} n_{i down}; at U = 0 its eigenvectors
        are the tight-binding orbitals. The kinetic (hopping) energy is sum_{i != j} h_ij gamma_ji.
        """
        h = np.diag(np.array(self.v, dtype=float))
        for i, j in self.bonds:
            h[i, j] -= self.t
            h[j, i] -= self.t
        return h


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values).astype(np.int64)


@lru_cache(maxsize=32)
def _spin_configurations(sites: int, n: int) -> np.ndarray:
    if sites <= 20:
        everything = np.arange(1 << sites, dtype=np.int64)
        configs = everything[_popcount(everything) == n]
    else:
        configs = np.array(sorted(sum(1 << i for i in chosen) for chosen in itertools.combinations(range(sites), n)),
                           dtype=np.int64)
    configs.flags.writeable = False
    return configs


def spin_basis(sites: int, n: int) -> np.ndarray:
    """Sorted bit strings (int64, shape (C(sites, n),)) of the configurations of n same-spin electrons.

    Bit i of an entry is set when site i is occupied. The array is read-only (it is cached).
    """
    sites = as_int(sites, "sites", minimum=1, maximum=MAX_SITES)
    n = as_int(n, "n", minimum=0, maximum=sites)
    return _spin_configurations(sites, n)


def occupation_table(configs: np.ndarray, sites: int) -> np.ndarray:
    """0/1 table (shape (len(configs), sites)): entry [a, i] is the occupation of site i in configuration a."""
    return ((configs[:, None] >> np.arange(sites, dtype=np.int64)[None, :]) & 1).astype(float)


def hops(configs: np.ndarray, i: int, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Action of c+_i c_j (i != j, one spin) on a sorted configuration list.

    Returns ``(source, target, sign)``, integer arrays of equal length: for each configuration index ``source``
    with site j occupied and site i empty, c+_i c_j |configs[source]> = sign |configs[target]>.
    """
    bit_i, bit_j = 1 << i, 1 << j
    source = np.flatnonzero(((configs & bit_j) != 0) & ((configs & bit_i) == 0))
    moved = configs[source] ^ (bit_i | bit_j)
    target = np.searchsorted(configs, moved)
    low, high = min(i, j), max(i, j)
    between = ((1 << high) - 1) ^ ((1 << (low + 1)) - 1)
    sign = 1 - 2 * (_popcount(configs[source] & between) & 1)
    return source, target, sign


def one_body_operator(configs: np.ndarray, matrix: np.ndarray) -> sp.csr_matrix:
    """Sparse matrix of sum_{i != j} matrix[i, j] c+_i c_j for one spin, in the basis ``configs``.

    The diagonal of ``matrix`` is ignored (the solver adds on-site terms to its diagonal separately).
    """
    size = len(configs)
    rows, cols, values = [], [], []
    for i, j in zip(*np.nonzero(matrix), strict=True):
        if i == j:
            continue
        source, target, sign = hops(configs, int(i), int(j))
        rows.append(target)
        cols.append(source)
        values.append(matrix[i, j] * sign)
    if not rows:
        return sp.csr_matrix((size, size))
    operator = sp.coo_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(size, size))
    return operator.tocsr()
