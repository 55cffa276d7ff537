"""The 1D data sets of the course and the physics that makes them (Hartree atomic units: Ha, bohr).

Each data set is a :class:`course_utils.data.DatasetSpec` beside the code that computes it, registered in
:data:`course_utils.data.DATASETS`; every sample depends only on the parameters and its index (potentials by
:func:`~course_utils.onedim.potentials.random_wells` or a generator seeded with ``[seed, index]``), so any
subset can be regenerated and compared with the cache.

``wells_1d`` (:data:`WELLS`, notebook 01)
    two non-interacting electrons ("ud") in sums of three Gaussian wells, 64 points in a 12-bohr box: energies,
    kinetic energies, the two lowest levels and densities. :func:`load_wells` adds the grid and the potentials.
``xc_wells_1d`` (:data:`XC_WELLS`, notebook 06)
    two soft-Coulomb electrons (singlet) in three families of potentials (:data:`XC_FAMILIES`), 100 points in
    [-8, 8] bohr: exact energies and densities, exact Kohn-Sham xc potentials (:func:`xc_reference`).
``rdm1_wells_1d`` (:data:`RDM1_WELLS`, notebook 04)
    two soft-Coulomb electrons in 1-3 Gaussian wells on 40 points: exact densities and 1-RDMs.
The Snyder et al. (2012) box (:data:`SNYDER2012`, :func:`box_data`, notebook 05)
    N = 1..4 spinless fermions in three Gaussian dips; solved on the fly (a second), not cached.

The TDDFT data set ``tddft_h2_1d`` lives with its set-up in :mod:`course_utils.onedim.tddft`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import data
from .._checks import as_int, one_of
from . import exact, kohn_sham, noninteracting, reverse
from .grid import box_grid
from .interactions import soft_coulomb
from .observables import natural_occupations
from .potentials import draw_wells, gaussian_dips, gaussian_wells, random_wells
from .system_definition import System

# --------------------------------------------------------------------------------------------------------------
# wells_1d: two non-interacting electrons in random wells (notebook 01)
# --------------------------------------------------------------------------------------------------------------

WELLS_PARAMS = {
    "box": [-6.0, 6.0],  # bohr: hard walls at the box ends
    "n_points": 64,  # interior grid points
    "stencil": 13,  # kinetic finite-difference stencil (converged to ~1e-6 Ha on this grid)
    "electrons": "ud",
    "n_wells": 3,
    "depth": [0.5, 1.5],  # Ha
    "width": [0.7, 1.4],  # bohr
    "centre": [-2.0, 2.0],  # bohr
    "seed": 2024,
}
"""Generator parameters of the ``wells_1d`` data set."""


def wells_grid(params: Mapping | None = None) -> np.ndarray:
    """The grid of ``wells_1d`` (bohr), shape ``(n_points,)``: interior points of the box, walls one spacing
    outside."""
    p = WELLS_PARAMS if params is None else params
    return box_grid(float(p["box"][0]), float(p["box"][1]), int(p["n_points"]))


def wells_parameters(indices, *, seed: int | None = None, **ranges) -> np.ndarray:
    """Wells of the ``wells_1d`` distribution, shape ``(len(indices), n_wells, 3)``: depth (Ha), width (bohr),
    centre (bohr); :func:`~course_utils.onedim.potentials.random_wells` with the data set's ranges and seed.

    Pass another ``seed`` for an independent set and other ranges (``depth=(1.5, 2.5)``, ``width``, ``centre``,
    ``n_wells``) for samples outside the training distribution.
    """
    unknown = set(ranges) - {"n_wells", "depth", "width", "centre"}
    if unknown:
        raise TypeError(f"unknown options {sorted(unknown)}; expected n_wells, depth, width or centre")
    options = {key: WELLS_PARAMS[key] for key in ("n_wells", "depth", "width", "centre")} | ranges
    return random_wells(indices, seed=WELLS_PARAMS["seed"] if seed is None else seed, **options)


def solve_wells(x, potentials, params: Mapping | None = None):
    """Exact non-interacting ground states of ``potentials`` (Ha, shape ``(M, N)``) with the data set's electrons
    and stencil: a :class:`~course_utils.onedim.results.NonInteractingBatch`."""
    p = WELLS_PARAMS if params is None else params
    return noninteracting.solve_many(x, potentials, p["electrons"], stencil=int(p["stencil"]), n_extra=1)


def _build_wells(params: Mapping, indices: np.ndarray) -> dict[str, np.ndarray]:
    x = wells_grid(params)
    wells = random_wells(indices, seed=params["seed"], n_wells=params["n_wells"], depth=params["depth"],
                         width=params["width"], centre=params["centre"])
    result = solve_wells(x, gaussian_wells(x, wells), params)
    return {"wells": wells, "energy": result.energy, "kinetic_energy": result.kinetic_energy,
            "eigenvalues": result.eigenvalues[:, :2], "density": result.density.astype(np.float32)}


WELLS = data.DatasetSpec(
    name="wells_1d",
    build=_build_wells,
    params=WELLS_PARAMS,
    n_samples=3000,
    version=1,
    description="two non-interacting electrons ('ud') in random sums of three Gaussian wells in a 12 bohr "
                "hard-wall box, 64 grid points, exact ground-state energies (Ha) and densities",
)
"""The :class:`course_utils.data.DatasetSpec` of ``wells_1d`` (3000 samples, about 5 s to build)."""


def load_wells(*, progress: bool = False) -> dict[str, np.ndarray]:
    """The ``wells_1d`` data set from its cache (built on first use), plus ``x`` (N,) and ``potential`` (M, N).

    See the module docstring for the arrays and their units.
    """
    arrays = dict(data.load(WELLS, progress=progress))
    x = wells_grid(WELLS.params)
    arrays["x"] = x
    arrays["potential"] = gaussian_wells(x, arrays["wells"])
    return arrays


def interacting_energies(x, potentials, *, softening: float = 1.0, progress: bool = False):
    """Exact ground states of two electrons (``"ud"``, singlet) with the soft-Coulomb interaction
    ``1 / sqrt(u**2 + softening**2)`` in each potential (Ha, shape ``(M, N)``), by
    :func:`course_utils.onedim.exact.solve`.

    Returns ``(energy, density)``: energies (Ha) shape ``(M,)`` and densities (1/bohr) shape ``(M, N)``.
    """
    potentials = np.atleast_2d(np.asarray(potentials, dtype=float))
    interaction = soft_coulomb(softening=softening)
    energy = np.empty(potentials.shape[0])
    density = np.empty(potentials.shape)
    rows = range(potentials.shape[0])
    if progress:
        from tqdm.auto import tqdm

        rows = tqdm(rows, desc="exact two-electron solves", unit="system")
    for i in rows:
        result = exact.solve(System(x, potentials[i], interaction, "ud", stencil=int(WELLS_PARAMS["stencil"])))
        energy[i] = result.energy
        density[i] = result.density
    return energy, density

# --------------------------------------------------------------------------------------------------------------
# xc_wells_1d: exact Kohn-Sham xc potentials of two electrons in three families of potentials (notebook 06)
# --------------------------------------------------------------------------------------------------------------

FAMILIES: dict[str, dict] = {
    # the training family: 1-3 Gaussian wells (onedim.systems.random_wells)
    "wells": {"kind": "wells", "n_wells": [1, 3], "depth": [1.0, 4.0], "width": [0.5, 1.5], "centre_spread": 3.0},
    # two wells far apart: a stretched two-electron "molecule" (strong correlation), never trained on
    "double": {"kind": "double", "separation": [3.5, 5.5], "depth": [1.5, 3.0], "asymmetry": [-0.4, 0.4],
               "width": [0.6, 1.0], "offset": 0.5},
    # one wide, shallow well: diffuse densities below the training range, never trained on
    "shallow": {"kind": "wells", "n_wells": [1, 1], "depth": [0.4, 0.9], "width": [1.5, 2.5], "centre_spread": 1.0},
}
"""Generators of the three families of potentials (Ha, bohr)."""

XC_PARAMS = {
    "n_points": 100,  # grid points on [-half_width, half_width]; hard walls one spacing outside
    "half_width": 8.0,  # bohr
    "stencil": 13,  # kinetic finite differences
    "softening": 1.0,  # soft-Coulomb 1/sqrt(u^2 + a^2): the interaction the 1D LDA is parameterised for
    "exact_tol": 1e-10,  # residual of the exact eigensolver (Ha)
    "counts": {"wells": 300, "double": 40, "shallow": 40},  # samples per family, in this order
    "families": FAMILIES,
    "seed": 606,
}
"""Generator parameters of the ``xc_wells_1d`` data set."""

XC_FAMILY_NAMES = tuple(XC_PARAMS["counts"])
"""Family names in the order of the data set's samples (``family`` array holds their index)."""


def xc_grid(params: Mapping | None = None) -> np.ndarray:
    """The grid ``linspace(-half_width, half_width, n_points)`` (bohr), shape ``(N,)``; symmetric about 0, so
    ``array[::-1]`` is the reflection ``x -> -x``."""
    p = XC_PARAMS if params is None else params
    return np.linspace(-float(p["half_width"]), float(p["half_width"]), int(p["n_points"]))


def family_potential(family: str, rng, x=None, params: Mapping | None = None) -> np.ndarray:
    """One random potential (Ha), shape ``(N,)``, of a family of :data:`FAMILIES`, drawn with ``rng`` (a numpy
    ``Generator`` or an int seed)."""
    p = XC_PARAMS if params is None else params
    families = p["families"]
    one_of(family, "family", tuple(families))
    spec = families[family]
    x = xc_grid(p) if x is None else np.asarray(x, dtype=float)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(as_int(rng, "rng", minimum=0))
    if spec["kind"] == "wells":
        spread = float(spec["centre_spread"])
        wells = draw_wells(rng, n_wells=tuple(spec["n_wells"]), depth=tuple(spec["depth"]),
                           width=tuple(spec["width"]), centre=(-spread, spread))
        return gaussian_wells(x, wells[None])[0]
    separation = rng.uniform(*spec["separation"])
    depth = rng.uniform(*spec["depth"]) + np.array([-0.5, 0.5]) * rng.uniform(*spec["asymmetry"])
    width = rng.uniform(*spec["width"], size=2)
    centre = rng.uniform(-spec["offset"], spec["offset"]) + np.array([-0.5, 0.5]) * separation
    return gaussian_wells(x, depth, width, centre)


def make_system(v_ext, params: Mapping | None = None):
    """The two-electron singlet ``System`` of the data set's grid and interaction in the potential ``v_ext``."""
    p = XC_PARAMS if params is None else params
    return System(xc_grid(p), v_ext, soft_coulomb(float(p["softening"])), "ud", stencil=int(p["stencil"]))


def xc_reference(system, *, exact_tol: float = 1e-10) -> dict:
    """Exact ground state and exact Kohn-Sham quantities of a two-electron system.

    Returns a dict: ``energy`` E (Ha), ``density`` n (1/bohr, (N,)), ``ionisation_energy`` I = E(1e) - E(2e) (Ha),
    ``v_ks``, ``v_hartree``, ``v_xc`` (Ha, (N,)) with the constant fixed by ``eps_HOMO = -I``, ``kinetic_energy_ks``
    T_s, ``hartree_energy`` E_H, ``external_energy`` integral v_ext n, ``xc_energy``
    E_xc = E - T_s - E_H - integral v_ext n (all Ha), and ``inversion_error`` integral |n_KS - n| dx (electrons).
    """
    ground = exact.solve(system, tol=exact_tol)
    ion = exact.solve(system.with_electrons("u"), tol=exact_tol)
    ionisation = ion.energy - ground.energy
    ks = reverse.solve(system, ground.density, ionisation_energy=ionisation)
    phi = ks.orbitals[:, 0]  # normalised: sum(phi**2) dx = 1; both electrons occupy it
    kinetic_ks = 2.0 * float(phi @ system.kinetic_matrix() @ phi) * system.dx
    e_h = kohn_sham.hartree_energy(system, ground.density)
    e_ext = float(system.v_ext @ ground.density) * system.dx
    return {"energy": ground.energy, "density": ground.density, "ionisation_energy": ionisation, "v_ks": ks.v_ks,
            "v_hartree": ks.v_hartree, "v_xc": ks.v_xc, "kinetic_energy_ks": kinetic_ks, "hartree_energy": e_h,
            "external_energy": e_ext, "xc_energy": ground.energy - kinetic_ks - e_h - e_ext,
            "inversion_error": ks.density_error}


def sample_family(index: int, params: Mapping | None = None) -> str:
    """The family of sample ``index`` of the data set (families follow each other in :data:`XC_FAMILY_NAMES`)."""
    p = XC_PARAMS if params is None else params
    index = as_int(index, "index", minimum=0)
    start = 0
    for name, count in p["counts"].items():
        if index < start + int(count):
            return name
        start += int(count)
    raise ValueError(f"index {index} is beyond the {start} samples of the data set")


def sample_potential(index: int, params: Mapping | None = None) -> np.ndarray:
    """The external potential (Ha), shape ``(N,)``, of sample ``index``: drawn by
    ``numpy.random.default_rng([seed, index])``, so it depends on nothing but the parameters and the index."""
    p = XC_PARAMS if params is None else params
    rng = np.random.default_rng([int(p["seed"]), int(index)])
    return family_potential(sample_family(index, p), rng, params=p)


_FIELDS = ("energy", "ionisation_energy", "kinetic_energy_ks", "hartree_energy", "external_energy", "xc_energy",
           "inversion_error")


def _build_xc(params: Mapping, indices) -> dict[str, np.ndarray]:
    names = list(params["counts"])
    rows = {key: [] for key in ("family", "v_ext", "density", "v_xc", *_FIELDS)}
    for index in np.atleast_1d(indices):
        v_ext = sample_potential(int(index), params)
        ref = xc_reference(make_system(v_ext, params), exact_tol=float(params["exact_tol"]))
        rows["family"].append(names.index(sample_family(int(index), params)))
        rows["v_ext"].append(v_ext)
        for key in ("density", "v_xc", *_FIELDS):
            rows[key].append(ref[key])
    out = {key: np.array(value, dtype=float) for key, value in rows.items()}
    out["family"] = np.array(rows["family"], dtype=np.int64)
    return out


XC_WELLS = data.DatasetSpec(
    name="xc_wells_1d",
    build=_build_xc,
    params=XC_PARAMS,
    n_samples=int(sum(XC_PARAMS["counts"].values())),
    version=1,
    description="Two soft-Coulomb electrons (singlet) in random 1D potentials of three families (wells: 1-3 "
                "Gaussian wells; double: two wells 3.5-5.5 bohr apart (centre to centre); shallow: one wide "
                "shallow well) on 100 points in [-8, 8] bohr: exact energies and densities, exact Kohn-Sham xc "
                "potentials by reverse engineering (eps_HOMO = -I) and exact xc energies (Ha).",
)
"""The data set of notebook 06 (registered in :data:`course_utils.data.DATASETS`)."""


def load_xc_data(*, progress: bool = True) -> dict[str, np.ndarray]:
    """The ``xc_wells_1d`` data set (built and cached on first use, about a minute), plus ``x`` (N,), ``dx`` and
    ``family_names``. Arrays (M samples): ``family`` (M,) index into ``family_names``; ``v_ext``, ``density``,
    ``v_xc`` (M, N); ``energy``, ``ionisation_energy``, ``kinetic_energy_ks``, ``hartree_energy``,
    ``external_energy``, ``xc_energy``, ``inversion_error`` (M,)."""
    arrays = dict(data.load(XC_WELLS, progress=progress))
    arrays["x"] = xc_grid(XC_WELLS.params)
    arrays["dx"] = float(arrays["x"][1] - arrays["x"][0])
    arrays["family_names"] = np.array(list(XC_WELLS.params["counts"]))
    return arrays

# --------------------------------------------------------------------------------------------------------------
# rdm1_wells_1d: exact 1-RDMs of two electrons in random wells (notebook 04)
# --------------------------------------------------------------------------------------------------------------

RDM1_PARAMS = {
    "n_points": 40,  # grid points on [-half_width, half_width]; hard walls one spacing outside
    "half_width": 8.0,  # bohr
    "n_wells": [1, 3],
    "depth": [1.0, 3.0],  # Ha
    "width": [0.5, 1.5],  # bohr
    "centre_spread": 4.0,  # bohr
    "softening": 1.0,  # soft-Coulomb 1 / sqrt(u^2 + a^2) between the electrons
    "stencil": 13,
    "seed": 404,
}
"""Generator parameters of the ``rdm1_wells_1d`` data set (Hartree atomic units)."""


def rdm1_system(index: int, params: Mapping | None = None) -> System:
    """The two-electron singlet ``System`` of sample ``index`` of ``rdm1_wells_1d`` (wells drawn by
    :func:`~course_utils.onedim.potentials.random_wells` with the data set's seed)."""
    p = RDM1_PARAMS if params is None else params
    half_width, spread = float(p["half_width"]), float(p["centre_spread"])
    x = np.linspace(-half_width, half_width, int(p["n_points"]))
    wells = random_wells([int(index)], seed=int(p["seed"]), n_wells=tuple(p["n_wells"]), depth=tuple(p["depth"]),
                         width=tuple(p["width"]), centre=(-spread, spread))
    return System(x, gaussian_wells(x, wells)[0], soft_coulomb(float(p["softening"])), "ud",
                  stencil=int(p["stencil"]), name=f"rdm1_wells_1d[{int(index)}]")


def _build_rdm1(params: Mapping, indices) -> dict[str, np.ndarray]:
    n = int(params["n_points"])
    upper = np.triu_indices(n)
    out = {"v_ext": [], "density": [], "rdm1_upper": [], "energy": [], "kinetic_energy": []}
    for index in indices:
        system = rdm1_system(int(index), params)
        result = exact.solve(system, spin="singlet")
        out["v_ext"].append(system.v_ext)
        out["density"].append(result.density)
        out["rdm1_upper"].append(result.rdm1[upper])
        out["energy"].append(result.energy)
        out["kinetic_energy"].append(result.kinetic_energy)
    return {"v_ext": np.array(out["v_ext"], np.float32), "density": np.array(out["density"], np.float32),
            "rdm1_upper": np.array(out["rdm1_upper"], np.float32), "energy": np.array(out["energy"]),
            "kinetic_energy": np.array(out["kinetic_energy"])}


RDM1_WELLS = data.DatasetSpec(
    name="rdm1_wells_1d",
    build=_build_rdm1,
    params=RDM1_PARAMS,
    n_samples=600,
    version=1,
    description="Two electrons (singlet, soft-Coulomb) in random 1-3 Gaussian wells on 40 points: exact densities "
                "and 1-RDMs (upper triangle, float32), energies and kinetic energies (Ha).",
)
"""The continuum data of notebook 04 (registered in :data:`course_utils.data.DATASETS`)."""


def load_rdm1_wells(*, progress: bool = False) -> dict[str, np.ndarray]:
    """The ``rdm1_wells_1d`` data set, unpacked: ``x`` (N,), ``dx``, ``kinetic_matrix`` (N, N) (Ha), ``v_ext``
    (M, N) (Ha), ``density`` (M, N) (1/bohr), ``rdm1`` (M, N, N) (1/bohr, full symmetric, float64),
    ``energy`` and ``kinetic_energy`` (M,) (Ha), ``natural_occupations`` (M, N), spin-summed, decreasing.

    Loads through :func:`course_utils.data.load` (building and caching it on first use, about 10 s).
    """
    arrays = data.load(RDM1_WELLS, progress=progress)
    params = RDM1_WELLS.params
    system = rdm1_system(0, params)
    n = int(params["n_points"])
    upper = arrays["rdm1_upper"].astype(float)
    rdm1 = np.zeros((len(upper), n, n))
    i, j = np.triu_indices(n)
    rdm1[:, i, j] = upper
    rdm1[:, j, i] = upper
    return {"x": np.array(system.x), "dx": float(system.dx), "kinetic_matrix": system.kinetic_matrix(),
            "v_ext": arrays["v_ext"].astype(float), "density": arrays["density"].astype(float), "rdm1": rdm1,
            "energy": arrays["energy"], "kinetic_energy": arrays["kinetic_energy"],
            "natural_occupations": natural_occupations(rdm1, float(system.dx))}

# --------------------------------------------------------------------------------------------------------------
# The box of Snyder, Rupp, Hansen, Mueller and Burke (2012) (notebook 05)
# --------------------------------------------------------------------------------------------------------------

SNYDER2012 = {
    "doi": "10.1103/PhysRevLett.108.253002",
    "box": (0.0, 1.0),
    "n_points": 500,
    "a_range": (1.0, 10.0),
    "b_range": (0.4, 0.6),
    "c_range": (0.03, 0.1),
    "electrons": (1, 2, 3, 4),
}
"""The setup of the paper as implemented in :func:`~course_utils.onedim.potentials.gaussian_dips`: hard-wall box
[0, 1] bohr, three Gaussian dips ``-a exp(-(x - b)^2 / (2 c^2))`` with ``a, b, c`` uniform in the ranges, densities
on 500 points."""


def solve_box(a, b, c, *, max_electrons: int = 4, n_points: int = 500, walls_on_grid: bool = False) -> dict:
    """Exact densities and kinetic energies of N = 1 .. ``max_electrons`` spinless fermions in the box [0, 1] with
    the dips ``v(x) = -sum_i a_i exp(-(x - b_i)^2 / (2 c_i^2))`` (the paper's letters: depth, centre, width).

    One solve per potential gives all N at once: the density of N fermions is the sum of the N lowest orbital
    densities, and ``T = sum_{i<=N} eps_i - integral v n dx``.

    Parameters
    ----------
    a, b, c : arrays (M, K)
        Depths (Ha), centres and widths (bohr) of K dips in each of M potentials.
    max_electrons : int
    n_points : int
        Length of each density vector.
    walls_on_grid : bool
        ``False`` (the course's convention): the ``n_points`` points are the interior of [0, 1], spacing
        ``1/(n_points + 1)``. ``True`` (the paper's grid): ``linspace(0, 1, n_points)``, whose two end points are the
        walls, where the density is zero; the solve then uses the ``n_points - 2`` interior points.

    Returns
    -------
    dict
        ``x`` (G,) bohr; ``dx``; ``v_ext`` (M, G) Ha; ``a``, ``b``, ``c`` (M, K); ``density`` (max_electrons, M,
        G) 1/bohr (index N - 1); ``kinetic`` (max_electrons, M) Ha; ``energy`` (max_electrons, M) Ha (sum of the
        occupied eigenvalues); ``eigenvalues`` (M, max_electrons) Ha.
    """
    max_electrons = as_int(max_electrons, "max_electrons", minimum=1, maximum=10)
    n_points = as_int(n_points, "n_points", minimum=16)
    a, b, c = (np.atleast_2d(np.asarray(p, dtype=float)) for p in (a, b, c))
    x = np.linspace(0.0, 1.0, n_points) if walls_on_grid else box_grid(0.0, 1.0, n_points)
    inner = slice(1, -1) if walls_on_grid else slice(None)
    v = gaussian_wells(x, a, c, b)
    result = noninteracting.solve_many(x[inner], v[:, inner], "u" * max_electrons, return_orbitals=True)
    dx = float(x[1] - x[0])
    density = np.zeros((max_electrons, len(v), n_points))
    density[:, :, inner] = np.cumsum(result.orbitals**2, axis=2).transpose(2, 0, 1)  # (N, M, G)
    energy = np.cumsum(result.eigenvalues, axis=1).T  # (N, M)
    kinetic = energy - np.einsum("mg,nmg->nm", v, density) * dx
    return {"x": x, "dx": dx, "v_ext": v, "a": a, "b": b, "c": c, "density": density, "kinetic": kinetic,
            "energy": energy, "eigenvalues": result.eigenvalues}


def box_data(n_samples: int, *, seed, max_electrons: int = 4, n_points: int = 500,
             walls_on_grid: bool = False) -> dict[str, np.ndarray]:
    """:func:`solve_box` for ``n_samples`` random potentials of the paper's distribution
    (:func:`~course_utils.onedim.potentials.gaussian_dips`, seeded by ``seed``); same keys."""
    n_samples = as_int(n_samples, "n_samples", minimum=1)
    potentials = gaussian_dips(n_samples, n_points=n_points, seed=seed, a_range=SNYDER2012["a_range"],
                               b_range=SNYDER2012["b_range"], c_range=SNYDER2012["c_range"])
    p = potentials.parameters
    return solve_box(p["a"], p["b"], p["c"], max_electrons=max_electrons, n_points=n_points,
                     walls_on_grid=walls_on_grid)


SNYDER2012_SI = data.DATA_DIR / "snyder2012_si_potentials.txt"
"""The paper's Supplemental Material table: its 100 training potentials and the weights alpha_j of its N = 1,
M = 100 functional (a plain-text transcription; in it the column headed ``b`` holds the widths and ``c`` the
centres, the reverse of the paper's equation)."""


def snyder2012_published() -> dict[str, np.ndarray]:
    """The published N = 1, M = 100 functional of Snyder et al. (2012) from its Supplemental Material.

    Returns ``a``, ``b``, ``c`` (100, 3): depths, centres and widths in the paper's letters (columns un-swapped),
    and ``alpha`` (100,), the published weights. The functional is ``T(n) = sum_j 1e7 alpha_j k(n_j, n)`` (Ha)
    with the Gaussian kernel of width ``sigma = 43`` over densities on ``linspace(0, 1, 500)`` (walls included),
    ``n_j`` the densities of the 100 potentials; fitted with ``lambda = 1.2e-13``.
    """
    table = np.loadtxt(SNYDER2012_SI, skiprows=1)
    if table.shape != (100, 11):
        raise ValueError(f"{SNYDER2012_SI.name} should have 100 rows of 11 columns, got shape {table.shape}")
    return {"alpha": table[:, 1], "a": table[:, [2, 5, 8]], "b": table[:, [4, 7, 10]], "c": table[:, [3, 6, 9]]}


SNYDER2012_PUBLISHED = {"sigma": 43.0, "lambda": 1.2e-13, "weight_scale": 1e7, "n_points": 500}
"""Hyperparameters of the published functional (from the Supplemental Material's table and its caption)."""
