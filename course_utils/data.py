"""Every cached data set of the course, in one place: build -> save -> load.

A data set is described by a :class:`DatasetSpec`: a builder that computes any subset of the samples
(each sample independently and deterministically, so a test can regenerate a random few and compare them
with the cache), the generator's parameters and a version number. The cache is two small files in
``course_utils/datasets/``:

* ``<name>.npz``: the arrays, written and read with ``allow_pickle=False``;
* ``<name>.json``: metadata -- the parameters, version, number of samples, generator, build time and the
  SHA-256 checksum of the ``.npz`` file.

:func:`load` returns the cached arrays. A missing, corrupt (checksum mismatch, unreadable) or stale
(parameters or version changed) cache is rebuilt, with a warning that says why.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import platform
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._checks import as_int

DATA_DIR = Path(__file__).resolve().parent / "datasets"
"""Where the cached files live (shipped with the package)."""
USER_DATA_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "course_utils" / "datasets"
"""Where :func:`load` writes a cache it had to rebuild: never into the package folder, whose shipped files are
what the tests compare against (and which may be read-only, e.g. a system-wide install)."""

DATASETS: dict[str, str] = {
    # name -> "module:attribute" of its DatasetSpec; imported only when the data set is asked for.
    "alloys": "course_utils.atoms.datasets:ALLOYS",
    "copper_md": "course_utils.atoms.copper_md:COPPER_MD",
    "ethanol_md": "course_utils.atoms.molecule_datasets:ETHANOL_MD",
    "ethanol_response": "course_utils.atoms.molecule_datasets:ETHANOL_RESPONSE",
    "molecules_small": "course_utils.atoms.molecule_datasets:MOLECULES_SMALL",
    "rdm1_wells_1d": "course_utils.onedim.datasets:RDM1_WELLS",
    "tddft_h2_1d": "course_utils.onedim.tddft:TDDFT_H2",
    "wells_1d": "course_utils.onedim.datasets:WELLS",
    "xc_molecules_1d": "course_utils.onedim.curves:XC_MOLECULES",
    "xc_wells_1d": "course_utils.onedim.datasets:XC_WELLS",
    "xtb_vs_dft": "course_utils.atoms.xtb_vs_dft:XTB_VS_DFT",
}


class CacheProblem(UserWarning):
    """Warned when a cached data set is missing, corrupt or stale and is being rebuilt."""


@dataclass(frozen=True)
class DatasetSpec:
    """How to make one data set.

    Parameters
    ----------
    name
        File stem in :data:`DATA_DIR`; letters, digits, ``_`` and ``-``.
    build
        ``build(params, indices) -> dict[str, ndarray]``; every array has leading axis ``len(indices)`` and
        sample ``i`` depends only on ``params`` and ``i``.
    params
        JSON-serialisable parameters of the generator; a change makes the cache stale.
    n_samples
        Number of samples in the full data set.
    version
        Bump when the builder's code changes in a way that changes its output.
    description
        One line on what the data are and where they come from.
    finalize
        Optional ``finalize(arrays, params) -> dict`` adding whole-data-set arrays (computed after all
        samples, e.g. a convex hull); it may add keys but must not change the per-sample arrays.
    """

    name: str
    build: Callable[[Mapping[str, Any], np.ndarray], dict[str, np.ndarray]]
    params: Mapping[str, Any]
    n_samples: int
    version: int = 1
    description: str = ""
    finalize: Callable[[dict[str, np.ndarray], Mapping[str, Any]], dict[str, np.ndarray]] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or not all(c.isalnum() or c in "_-" for c in self.name):
            raise ValueError(f"DatasetSpec.name must be a non-empty string of letters, digits, '_' or '-'; "
                             f"got {self.name!r}")
        if not callable(self.build):
            raise TypeError(f"DatasetSpec.build must be callable, got {type(self.build).__name__}")
        if self.finalize is not None and not callable(self.finalize):
            raise TypeError(f"DatasetSpec.finalize must be callable or None, got {type(self.finalize).__name__}")
        as_int(self.n_samples, "DatasetSpec.n_samples", minimum=1)
        as_int(self.version, "DatasetSpec.version", minimum=1)
        try:
            json.dumps(dict(self.params), sort_keys=True)
        except TypeError as error:
            raise TypeError(f"DatasetSpec.params must be JSON-serialisable: {error}") from None


def get_spec(name_or_spec: str | DatasetSpec) -> DatasetSpec:
    """Return the :class:`DatasetSpec` for a registered name (or the spec itself)."""
    if isinstance(name_or_spec, DatasetSpec):
        return name_or_spec
    if not isinstance(name_or_spec, str):
        raise TypeError(f"expected a data set name or a DatasetSpec, got {type(name_or_spec).__name__}")
    if name_or_spec not in DATASETS:
        known = ", ".join(sorted(DATASETS))
        raise ValueError(f"unknown data set {name_or_spec!r}; the registered data sets are: {known}")
    module_name, attribute = DATASETS[name_or_spec].split(":")
    return getattr(importlib.import_module(module_name), attribute)


def paths(spec: DatasetSpec, directory: str | Path | None = None) -> tuple[Path, Path]:
    """The ``(.npz, .json)`` paths of a data set's cache."""
    folder = Path(directory) if directory is not None else DATA_DIR
    return folder / f"{spec.name}.npz", folder / f"{spec.name}.json"


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _normalised_params(params: Mapping[str, Any]) -> Any:
    # Round-trip through JSON so tuples and lists compare equal to what was stored.
    return json.loads(json.dumps(dict(params), sort_keys=True))


def build(spec: DatasetSpec | str, indices=None, *, progress: bool = True, chunk: int = 1) -> dict[str, np.ndarray]:
    """Compute samples ``indices`` (all when ``None``) of a data set; no caching.

    With all samples, ``spec.finalize`` is applied. ``chunk`` samples are built per call of the builder.
    """
    spec = get_spec(spec)
    full = indices is None
    idx = np.arange(spec.n_samples) if full else np.atleast_1d(np.asarray(indices))
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"indices must be a 1D sequence of integers, got {idx!r}")
    if idx.size and (idx.min() < 0 or idx.max() >= spec.n_samples):
        raise ValueError(f"indices must lie in [0, {spec.n_samples - 1}] for data set {spec.name!r}")
    chunk = as_int(chunk, "chunk", minimum=1)
    parts = []
    starts = range(0, len(idx), chunk)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc=f"building {spec.name}", unit=f"×{chunk} samples" if chunk > 1 else "sample")
    for start in starts:
        parts.append(spec.build(spec.params, idx[start:start + chunk]))
    arrays = {key: np.concatenate([np.asarray(p[key]) for p in parts]) for key in parts[0]} if parts else {}
    for key, value in arrays.items():
        if value.shape[0] != len(idx):
            raise ValueError(f"builder of {spec.name!r} returned {key!r} with leading axis {value.shape[0]}, "
                             f"expected {len(idx)} (one row per sample)")
    if full and spec.finalize is not None:
        extra = spec.finalize(dict(arrays), spec.params)
        clash = set(extra) & set(arrays)
        if clash:
            raise ValueError(f"finalize of {spec.name!r} may only add arrays, but it returned existing keys {clash}")
        arrays.update(extra)
    return arrays


def save(spec: DatasetSpec | str, arrays: Mapping[str, np.ndarray], *, directory: str | Path | None = None,
         build_seconds: float | None = None) -> Path:
    """Write ``arrays`` and their metadata; returns the ``.npz`` path."""
    spec = get_spec(spec)
    npz_path, json_path = paths(spec, directory)
    npz_path.parent.mkdir(parents=True, exist_ok=True)
    for key, value in arrays.items():
        if np.asarray(value).dtype == object:
            raise TypeError(f"array {key!r} has dtype object, which cannot be stored without pickles; "
                            "use numeric or fixed-width string arrays")
    # Atomic: write beside the target, then rename, so an interrupted build never leaves a half-written cache.
    tmp_npz = npz_path.with_name(f".{npz_path.stem}.{os.getpid()}.tmp.npz")
    tmp_json = json_path.with_name(f".{json_path.stem}.{os.getpid()}.tmp.json")
    try:
        np.savez_compressed(tmp_npz, **{k: np.asarray(v) for k, v in arrays.items()})
        meta = {
            "name": spec.name,
            "description": spec.description,
            "version": spec.version,
            "params": _normalised_params(spec.params),
            "n_samples": spec.n_samples,
            "generator": f"{spec.build.__module__}.{spec.build.__qualname__}",
            "arrays": {k: list(np.asarray(v).shape) for k, v in arrays.items()},
            "sha256": _checksum(tmp_npz),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": None if build_seconds is None else round(float(build_seconds), 1),
            "python": platform.python_version(),
            "numpy": np.__version__,
        }
        tmp_json.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
        os.replace(tmp_npz, npz_path)
        os.replace(tmp_json, json_path)
    finally:
        for leftover in (tmp_npz, tmp_json):
            leftover.unlink(missing_ok=True)
    return npz_path


def cache_problem(spec: DatasetSpec | str, directory: str | Path | None = None) -> str | None:
    """Why the cache of ``spec`` cannot be used (missing, corrupt, stale), or ``None`` when it is good."""
    spec = get_spec(spec)
    npz_path, json_path = paths(spec, directory)
    if not npz_path.exists() or not json_path.exists():
        return f"no cached file {npz_path.name} / {json_path.name} in {npz_path.parent}"
    try:
        meta = json.loads(json_path.read_text())
    except (OSError, ValueError) as error:
        return f"metadata {json_path.name} is unreadable ({error})"
    if meta.get("sha256") != _checksum(npz_path):
        return f"{npz_path.name} does not match the checksum in {json_path.name} (corrupt or edited)"
    if meta.get("version") != spec.version:
        return f"cache has version {meta.get('version')}, the generator is at version {spec.version}"
    if meta.get("params") != _normalised_params(spec.params) or meta.get("n_samples") != spec.n_samples:
        return "cache was made with other generator parameters"
    return None


def _usable_directory(spec: DatasetSpec) -> Path:
    """Where :func:`load` reads (and, when it must rebuild, writes) ``spec``: the shipped cache when it is good,
    otherwise the user cache."""
    if cache_problem(spec, DATA_DIR) is None:
        return DATA_DIR
    return USER_DATA_DIR


def metadata(spec: DatasetSpec | str, directory: str | Path | None = None) -> dict:
    """The JSON metadata of a cached data set (of the cache :func:`load` uses, unless ``directory`` is given)."""
    spec = get_spec(spec)
    return json.loads(paths(spec, _usable_directory(spec) if directory is None else directory)[1].read_text())


def verify_trained(weights_path: str | Path, weights_sha256: str, data_name: str, data_sha256: str,
                   script: str) -> None:
    """Check that shipped weights are the file that was trained, on the data set that is loaded now.

    Raises ``ValueError`` naming ``script`` (the command that re-creates the weights) when the weights file's
    SHA-256 differs from ``weights_sha256``, or the cached data set ``data_name`` differs from the one the
    weights were trained on (``data_sha256``, e.g. after the data set was rebuilt with other parameters).
    """
    weights_path = Path(weights_path)
    if not weights_path.exists():
        raise FileNotFoundError(f"{weights_path.name} is missing in {weights_path.parent}: run `{script}`")
    found = _checksum(weights_path)
    if found != weights_sha256:
        raise ValueError(f"{weights_path.name} does not match the checksum recorded when it was trained "
                         f"({found[:12]}... instead of {weights_sha256[:12]}...): the file is corrupt or was edited; "
                         f"re-create it with `{script}`")
    current = metadata(data_name).get("sha256")
    if current != data_sha256:
        raise ValueError(f"{weights_path.name} was trained on another version of the data set {data_name!r} "
                         f"(checksum {data_sha256[:12]}..., the cache now has {str(current)[:12]}...); re-train "
                         f"with `{script}`")


def load(spec: DatasetSpec | str, *, directory: str | Path | None = None, rebuild: bool = True,
         progress: bool = True) -> dict[str, np.ndarray]:
    """Return the arrays of a data set from its cache, rebuilding the cache when it is missing, corrupt or stale.

    With ``rebuild=False`` a bad cache raises ``FileNotFoundError``/``ValueError`` instead.
    """
    spec = get_spec(spec)
    if directory is None:
        directory = _usable_directory(spec)
    problem = cache_problem(spec, directory)
    if problem is not None:
        if not rebuild:
            raise (FileNotFoundError if problem.startswith("no cached file") else ValueError)(
                f"data set {spec.name!r}: {problem}")
        warnings.warn(f"data set {spec.name!r}: {problem}; rebuilding it now ({spec.n_samples} samples) into "
                      f"{directory}.", CacheProblem, stacklevel=2)
        start = time.perf_counter()
        arrays = build(spec, progress=progress)
        save(spec, arrays, directory=directory, build_seconds=time.perf_counter() - start)
    with np.load(paths(spec, directory)[0], allow_pickle=False) as stored:
        return {key: stored[key] for key in stored.files}
