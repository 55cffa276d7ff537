"""Learned exchange-correlation functionals of 1D two-electron systems (notebook 06): the light part.

Data splits and augmentation (:func:`standard_split`, :func:`split_indices`, :func:`reflect`,
:func:`training_arrays`), the training settings shared by the notebook and ``scripts/train_xc_models.py``
(:data:`TRAINING`), the semi-local density features (:func:`derivative_features`), the record of the stored models
(:func:`pretrained_info`), and the evaluation of *any* xc functional: on exact densities
(:func:`potential_errors`) and self-consistently in the Kohn-Sham loop (:func:`self_consistent`,
:func:`scf_errors`, :class:`RecordingXC`, :func:`lda_xc`). numpy only: the Keras models are in
:mod:`course_utils.learn.xc_networks`, the data set ``xc_wells_1d`` in :mod:`course_utils.onedim.datasets`.
Hartree atomic units (Ha, bohr, electrons/bohr).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import data
from .._checks import as_number


def reflect(*arrays):
    """The mirror images ``x -> -x`` of arrays of grid functions (last axis the grid, symmetric about 0).

    ``reflect(density, v_xc)`` returns ``(density[..., ::-1], v_xc[..., ::-1])``; scalars per sample (energies)
    are unchanged by the reflection and need no call. One array in, one array out.
    """
    out = tuple(np.ascontiguousarray(np.asarray(a)[..., ::-1]) for a in arrays)
    return out[0] if len(out) == 1 else out


def split_indices(indices, fractions=(0.7, 0.15, 0.15), seed: int = 0) -> tuple[np.ndarray, ...]:
    """Shuffle ``indices`` (one per *potential*) with a seeded generator and cut them into disjoint parts with
    the given fractions (train, validation, test by default). Split potentials first, augment afterwards: a
    mirror image of a test potential must not be in the training set."""
    indices = np.asarray(indices)
    fractions = np.asarray(fractions, dtype=float)
    if fractions.ndim != 1 or np.any(fractions <= 0) or abs(fractions.sum() - 1.0) > 1e-9:
        raise ValueError(f"fractions must be positive and sum to 1, got {fractions.tolist()}")
    shuffled = np.random.default_rng(seed).permutation(indices)
    cuts = np.round(np.cumsum(fractions)[:-1] * len(shuffled)).astype(int)
    return tuple(np.sort(part) for part in np.split(shuffled, cuts))


def density_error(density, reference_density, dx: float) -> float:
    """``integral |n - n_ref| dx`` (electrons): the density error used throughout the notebook."""
    return float(np.sum(np.abs(np.asarray(density) - np.asarray(reference_density))) * as_number(dx, "dx"))


# --------------------------------------------------------------------------------------------------------------
# Keras models (TensorFlow imported lazily)
# --------------------------------------------------------------------------------------------------------------

FEATURE_KINDS = ("local", "semilocal")


def derivative_features(density, dx: float, scales=(1.0, 1.0)):
    """Semi-local features of densities ``(..., N)``: ``[n, (dn/dx)**2]`` divided by ``scales``, shape
    ``(..., N, 2)``. The slope is a central difference with ``n = 0`` beyond the walls; both features are unchanged
    by the reflection ``x -> -x`` (the slope changes sign, its square does not), so a model built on them is
    reflection-symmetric by construction. Works on numpy arrays and on TensorFlow tensors (through ``keras.ops``)."""
    if isinstance(density, (np.ndarray, list, tuple)) or np.isscalar(density):
        ops, n = np, np.asarray(density, dtype=float)
        padded = np.pad(n, [(0, 0)] * (n.ndim - 1) + [(1, 1)])
    else:
        from keras import ops

        n = density
        padded = ops.pad(n, [[0, 0]] * (len(n.shape) - 1) + [[1, 1]])
    slope = (padded[..., 2:] - padded[..., :-2]) / (2.0 * dx)
    s = [float(v) for v in scales]
    return ops.stack([n / s[0], slope**2 / s[1]], axis=-1)


def feature_scales(densities, dx: float) -> list[float]:
    """Root-mean-square of each semi-local feature over a set of densities ``(M, N)``: pass it to the model so
    that its inputs are of order one (computed on the training set only)."""
    f = derivative_features(np.asarray(densities, dtype=float), dx)
    return [float(np.sqrt(np.mean(f[..., k] ** 2))) for k in range(f.shape[-1])]


TRAINING = {
    "split_seed": 0,  # the split of the "wells" potentials into train / validation / test
    "fractions": [0.7, 0.15, 0.15],
    "augment": True,  # add the mirror images x -> -x of the training samples (after the split)
    "learning_rate": 3e-3,
    "batch_size": 32,
    "max_epochs": 600,
    "patience": 40,  # early stopping: epochs without a better validation loss
    "energy_weight": 1.0,
    "seed": 0,  # weights initialisation and shuffling
}
"""Training settings shared by ``scripts/train_xc_models.py`` and the notebook."""


def standard_split(arrays: Mapping, settings: Mapping | None = None) -> dict[str, np.ndarray]:
    """Indices of the data set for the notebook's experiments: ``train``, ``validation``, ``test`` (the "wells"
    family, split by potential) and the families never trained on, ``double`` and ``shallow``."""
    t = TRAINING if settings is None else settings
    names = [str(n) for n in arrays["family_names"]]
    family = np.asarray(arrays["family"])
    wells = np.flatnonzero(family == names.index("wells"))
    train, validation, test = split_indices(wells, t["fractions"], seed=int(t["split_seed"]))
    return {"train": train, "validation": validation, "test": test,
            "double": np.flatnonzero(family == names.index("double")),
            "shallow": np.flatnonzero(family == names.index("shallow"))}


def training_arrays(arrays: Mapping, indices, *, augment: bool = False):
    """``(densities (M, N), {"v_xc": (M, N), "xc_energy": (M,)})`` of the samples ``indices``, followed by their
    mirror images when ``augment`` (then M is twice the number of indices). Augment *after* splitting."""
    indices = np.asarray(indices)
    density, v_xc = arrays["density"][indices], arrays["v_xc"][indices]
    energy = arrays["xc_energy"][indices]
    if augment:
        mirror_density, mirror_v = reflect(density, v_xc)
        density = np.concatenate([density, mirror_density])
        v_xc = np.concatenate([v_xc, mirror_v])
        energy = np.concatenate([energy, energy])
    return density, {"v_xc": v_xc, "xc_energy": energy}


@dataclass(frozen=True, eq=False)
class PotentialErrors:
    """Errors of a functional on exact densities (:func:`potential_errors`), per sample.

    Attributes
    ----------
    v_rms : array (M,)
        Density-weighted RMS potential error (Ha), up to the best-aligning constant.
    e_error : array (M,)
        ``E_xc - E_xc,exact`` (Ha).
    """

    v_rms: np.ndarray
    e_error: np.ndarray


def potential_errors(model_or_xc, densities, v_xc_exact, xc_energy_exact, dx: float) -> PotentialErrors:
    """Errors of a functional evaluated *on the exact densities* (no self-consistency), per sample:
    ``v_rms`` = sqrt(integral n (v - v_exact - c)^2 dx / integral n dx), the density-weighted RMS potential error
    (Ha) up to the constant c that best aligns them (a constant changes no density), and ``e_error`` =
    E_xc - E_xc,exact (Ha).
    ``model_or_xc`` is an :class:`XCFunctional` (called in one batch) or a callable ``density -> (v, E)``."""
    densities = np.atleast_2d(np.asarray(densities, dtype=float))
    if hasattr(model_or_xc, "energy_per_electron"):
        out = model_or_xc(densities)
        v, e = np.asarray(out["v_xc"]), np.asarray(out["xc_energy"])
    else:
        pairs = [model_or_xc(n) for n in densities]
        v = np.array([p[0] for p in pairs])
        e = np.array([p[1] for p in pairs])
    error = v - np.asarray(v_xc_exact, dtype=float)
    electrons = densities.sum(axis=1) * dx
    error -= (np.sum(densities * error, axis=1) * dx / electrons)[:, None]
    v_rms = np.sqrt(np.sum(densities * error**2, axis=1) * dx / electrons)
    return PotentialErrors(v_rms=v_rms, e_error=e - np.asarray(xc_energy_exact, dtype=float))


PRETRAINED = Path(data.DATA_DIR) / "xc_models"
"""Stem of the stored models: ``xc_models.npz`` (weights) and ``xc_models.json`` (command, settings, metrics,
training histories), written by ``scripts/train_xc_models.py``."""


def pretrained_info() -> dict:
    """The JSON record of the stored models (how they were trained and what they scored)."""
    path = PRETRAINED.with_suffix(".json")
    if not path.exists():
        raise FileNotFoundError(f"no stored models at {path}; run scripts/train_xc_models.py")
    return json.loads(path.read_text())


# --------------------------------------------------------------------------------------------------------------
# The functional of the 1D molecules (notebook 03, part B)
# --------------------------------------------------------------------------------------------------------------

MOLECULE_TRAINING = {
    "kind": "semilocal",  # xc_networks.build_model kind: mirror-symmetric by construction (see bond_length_split)
    "augment": True,  # mirror images: the mirror of molecule (Z_A, Z_B) is the molecule (Z_B, Z_A)
    "learning_rate": 5e-3,
    "batch_size": 16,
    "max_epochs": 200,  # the time budget (about 30 s on 2 cores); the record says whether early stopping ended it
    "patience": 40,
    "energy_weight": 1.0,
    "seed": 0,
}
"""Training settings of the molecules' functional, shared by ``scripts/train_xc_molecules.py`` and notebook 03."""

MOLECULES_PRETRAINED = Path(data.DATA_DIR) / "xc_molecules_model"
"""Stem of the stored molecules' functional: ``.npz`` (weights) and ``.json`` (record), written by
``scripts/train_xc_molecules.py``."""


def bond_length_split(arrays: Mapping) -> dict[str, np.ndarray]:
    """Indices of ``xc_molecules_1d`` split by bond length, the same for every molecule: ``train`` every other
    separation (the 1st, 3rd, ..., 0.4, 0.8, ... 6.0 bohr), ``validation`` (for early stopping) and ``test``
    alternately the separations in between (0.6, 1.4, ... and 1.0, 1.8, ... bohr). Every held-out bond length lies
    between two trained ones: the test measures interpolation along the curve, not extrapolation."""
    separations = np.asarray(arrays["separations"], dtype=float)
    k = np.searchsorted(separations, np.asarray(arrays["separation"], dtype=float))
    if not np.allclose(separations[np.clip(k, 0, separations.size - 1)], arrays["separation"]):
        raise ValueError("arrays['separation'] holds bond lengths that are not in arrays['separations']")
    return {"train": np.flatnonzero(k % 2 == 0), "validation": np.flatnonzero(k % 4 == 1),
            "test": np.flatnonzero(k % 4 == 3)}


def molecule_model_info() -> dict:
    """The JSON record of the stored molecules' functional (how it was trained and what it scored)."""
    path = MOLECULES_PRETRAINED.with_suffix(".json")
    if not path.exists():
        raise FileNotFoundError(f"no stored model at {path}; run scripts/train_xc_molecules.py")
    return json.loads(path.read_text())


# --------------------------------------------------------------------------------------------------------------
# Learned functionals inside the Kohn-Sham loop
# --------------------------------------------------------------------------------------------------------------


def lda_xc(dx: float):
    """The soft-Coulomb LDA (Helbig et al. 2011) as a callable ``density -> (v_xc, E_xc)`` on a grid of spacing
    ``dx`` (bohr), for side-by-side use with learned functionals."""
    from ..onedim import lda

    functional = lda.SoftCoulombLDA()
    dx = as_number(dx, "dx", minimum=0.0, strict_minimum=True)

    def xc(density):
        return functional(density, dx)

    xc.__name__ = "LDA"
    return xc


class RecordingXC:
    """Wrap an xc callable and record every density it is evaluated at, to follow a Kohn-Sham SCF.

    ``onedim.kohn_sham.solve`` evaluates the functional twice per iteration: at the input density ``n_in`` (for
    the potential) and at the output density ``n_out`` (for the energy), so :meth:`residuals` returns
    ``integral |n_out - n_in| dx`` per iteration, the residual the solver tests for convergence.
    """

    def __init__(self, xc, dx: float):
        if not callable(xc):
            raise TypeError(f"xc must be a callable density -> (v_xc, E_xc), got {type(xc).__name__}")
        self.xc, self.dx = xc, as_number(dx, "dx", minimum=0.0, strict_minimum=True)
        self.__name__ = getattr(xc, "__name__", "xc")
        self.densities: list[np.ndarray] = []

    def __call__(self, density):
        self.densities.append(np.array(density, dtype=float))
        return self.xc(density)

    def residuals(self) -> np.ndarray:
        """``integral |n_out - n_in| dx`` (electrons) of each completed iteration."""
        pairs = len(self.densities) // 2
        return np.array([np.sum(np.abs(self.densities[2 * k + 1] - self.densities[2 * k])) * self.dx
                         for k in range(pairs)])


@dataclass(frozen=True)
class SCFRun:
    """One Kohn-Sham run of :func:`self_consistent`.

    Attributes
    ----------
    converged : bool
    result : KohnShamResult or None
        The converged ground state (``None`` when the SCF did not converge).
    iterations : int or None
        Iterations used (for a failed run: those the solver reports it did).
    message : str
        The solver's explanation when it did not converge, empty otherwise.
    """

    converged: bool
    result: object
    iterations: int | None
    message: str


def self_consistent(system, xc, **options) -> SCFRun:
    """Run :func:`course_utils.onedim.kohn_sham.solve` and report a failure to converge instead of raising it.

    Only :class:`course_utils.ConvergenceError` counts as "did not converge"; any other error (a bug, bad input,
    a functional that returns NaN) propagates, so that it can never look like a failed SCF.
    """
    from .._checks import ConvergenceError
    from ..onedim import kohn_sham

    try:
        result = kohn_sham.solve(system, xc=xc, **options)
    except ConvergenceError as error:
        return SCFRun(False, None, error.iterations, f"{type(error).__name__}: {error}")
    return SCFRun(True, result, result.iterations, "")


@dataclass(frozen=True, eq=False)
class SCFErrors:
    """Self-consistent errors of one functional on ``M`` systems (:func:`scf_errors`); read-only arrays.

    Attributes
    ----------
    density_error : array (M,)
        ``integral |n - n_exact| dx`` (electrons); ``nan`` where the SCF failed.
    energy_error : array (M,)
        ``E - E_exact`` (Ha); ``nan`` where the SCF failed.
    iterations : array (M,) of int
        SCF iterations (-1 where the solver did not say).
    converged : array (M,) of bool
    density : array (M, N)
        The self-consistent densities (1/bohr; ``nan`` rows where the SCF failed).
    """

    density_error: np.ndarray
    energy_error: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    density: np.ndarray

    def __post_init__(self):
        for value in vars(self).values():
            value.flags.writeable = False


def scf_errors(systems, exact_densities, exact_energies, functionals: Mapping, *, progress: bool = True,
               **options) -> dict[str, SCFErrors]:
    """Self-consistent density and energy errors of several functionals on several systems.

    Parameters
    ----------
    systems : list of onedim.System
    exact_densities, exact_energies : arrays (M, N) and (M,)
        The exact answers (1/bohr, Ha).
    functionals : mapping name -> xc
        Anything ``kohn_sham.solve`` accepts (``"lda"``, ``"exx"``, callables).
    **options
        Passed to ``kohn_sham.solve`` (``mixing``, ``max_iterations``, ...).

    Returns
    -------
    dict name -> SCFErrors
        Failed runs have ``nan`` errors.
    """
    systems = list(systems)
    exact_densities = np.asarray(exact_densities, dtype=float)
    exact_energies = np.asarray(exact_energies, dtype=float)
    if exact_densities.shape[0] != len(systems) or exact_energies.shape != (len(systems),):
        raise ValueError(f"need one exact density and energy per system: {len(systems)} systems, densities "
                         f"{exact_densities.shape}, energies {exact_energies.shape}")
    m, n = len(systems), exact_densities.shape[1]
    rows = {name: {"density_error": np.full(m, np.nan), "energy_error": np.full(m, np.nan),
                   "iterations": np.full(m, -1, dtype=int), "converged": np.zeros(m, dtype=bool),
                   "density": np.full((m, n), np.nan)} for name in functionals}
    jobs = [(name, i) for name in functionals for i in range(m)]
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="self-consistent runs", unit="run")
    for name, i in jobs:
        run = self_consistent(systems[i], functionals[name], **options)
        row = rows[name]
        row["iterations"][i] = -1 if run.iterations is None else run.iterations
        row["converged"][i] = run.converged
        if run.converged:
            row["density"][i] = run.result.density
            row["density_error"][i] = density_error(run.result.density, exact_densities[i], systems[i].dx)
            row["energy_error"][i] = run.result.energy - exact_energies[i]
    return {name: SCFErrors(**row) for name, row in rows.items()}


