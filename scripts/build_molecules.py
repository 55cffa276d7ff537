"""Build the ``molecules_small`` data set (GFN2-xTB minima of enumerated small organic molecules).

    python scripts/build_molecules.py --catalogue-only   # enumerate + subsample -> molecules_small_catalogue.json
    python scripts/build_molecules.py --workers 2        # compute every molecule, write molecules_small.{npz,json}

The catalogue (enumeration, seeded sample, 8-9 heavy-atom extrapolation molecules) is written first if missing.
Molecules are computed in chunks by worker processes; each finished chunk is saved under ``build/`` so an
interrupted build resumes where it stopped. Every sample is computed independently by
``course_utils.atoms.molecule_datasets.build_molecules_small``, so the parallel build equals the serial one.
"""

from __future__ import annotations

import os

# One OpenMP thread per process: tblite's threads fight each other (and other users) on a small machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_utils import data  # noqa: E402
from course_utils.atoms import molecule_datasets as md  # noqa: E402


def _build_chunk(task):
    path, indices = task
    spec = md.MOLECULES_SMALL
    start = time.perf_counter()
    arrays = spec.build(spec.params, indices)
    arrays["_seconds"] = np.full(len(indices), (time.perf_counter() - start) / len(indices))
    np.savez(path, **arrays)
    return len(indices)


def _reuse(npz: Path, tasks, spec) -> int:
    """Write the chunks of ``tasks`` that an earlier build already holds (same SMILES and split at each position;
    the main split is a prefix of a fixed permutation and the extrapolation split does not depend on n_main).
    Per-sample compute time: the earlier build's average."""
    import json

    with np.load(npz, allow_pickle=False) as stored:
        old = {key: stored[key] for key in stored.files}
    meta = json.loads(npz.with_suffix(".json").read_text())
    old_main = int(meta["params"]["n_main"])
    per_sample = float(meta.get("build_seconds", 0.0)) / len(old["smiles"])
    entries = md.molecule_list(spec.params)
    n_main, written = spec.params["n_main"], 0
    for path, indices in tasks:
        if path.exists():
            continue
        split = "main" if indices[0] < n_main else "extrapolation"
        rows = indices if split == "main" else indices - n_main + old_main
        if rows.max() >= len(old["smiles"]) or (split == "main" and rows.max() >= old_main):
            continue
        same = (old["smiles"][r] == entries[i][0] and old["split"][r] == split
                for r, i in zip(rows, indices, strict=True))
        if not all(same):
            continue
        part = {key: value[rows] for key, value in old.items()}
        part["_seconds"] = np.full(len(indices), per_sample)
        np.savez(path, **part)
        written += 1
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--chunk", type=int, default=10, help="molecules per task (default 10)")
    parser.add_argument("--catalogue-only", action="store_true", help="only (re)write the catalogue")
    parser.add_argument("--parts", type=Path, default=ROOT / "build" / "molecules_small_parts",
                        help="folder for finished chunks (resumable)")
    parser.add_argument("--reuse", type=Path, metavar="NPZ",
                        help="a previous molecules_small.npz (e.g. the shipped one before n_main was raised): its "
                             "samples become finished chunks wherever the same molecule sits at the same position")
    args = parser.parse_args()
    from tqdm.auto import tqdm

    if args.catalogue_only or not md.CATALOGUE_FILE.exists():
        start = time.perf_counter()
        catalogue = md.make_catalogue()
        digest = md.write_catalogue(catalogue)
        print(f"catalogue: {catalogue['counts']} enumerated; {len(catalogue['main'])} sampled, "
              f"{len(catalogue['extrapolation'])} extrapolation; {time.perf_counter() - start:.1f} s; sha256 {digest}")
        if args.catalogue_only:
            return 0
    spec = md._make_spec()
    md.MOLECULES_SMALL = spec
    folder = args.parts / spec.params["catalogue_sha256"][:12]
    folder.mkdir(parents=True, exist_ok=True)
    n_main = spec.params["n_main"]
    # extrapolation first (the slowest molecules), then the main split in order; chunks are named by split and
    # position so that a smaller n_main reuses the finished ones.
    tasks = []
    for split, first, stop in (("extrapolation", n_main, spec.n_samples), ("main", 0, n_main)):
        for lo in range(first, stop, args.chunk):
            hi = min(lo + args.chunk, stop)
            tasks.append((folder / f"{split}_{lo - first:05d}_{hi - first:05d}.npz", np.arange(lo, hi)))
    if args.reuse:
        print(f"reused {_reuse(args.reuse, tasks, spec)} finished chunks from {args.reuse}")
    todo = [t for t in tasks if not t[0].exists()]
    start = time.perf_counter()
    with tqdm(total=spec.n_samples, initial=spec.n_samples - sum(len(t[1]) for t in todo),
              desc="GFN2-xTB minima", unit="molecule") as bar:
        if args.workers > 1:
            with multiprocessing.get_context("fork").Pool(args.workers) as pool:
                for done in pool.imap_unordered(_build_chunk, todo):
                    bar.update(done)
        else:
            for task in todo:
                bar.update(_build_chunk(task))
    parts = {}
    for path, indices in tasks:
        with np.load(path, allow_pickle=False) as part:
            parts[int(indices[0])] = {key: part[key] for key in part.files}
    ordered = [parts[k] for k in sorted(parts)]
    arrays = {key: np.concatenate([p[key] for p in ordered]) for key in ordered[0]}
    seconds_per_molecule = arrays.pop("_seconds")
    path = data.save(spec, arrays, build_seconds=float(seconds_per_molecule.sum()))
    heavy = np.bincount(arrays["n_heavy"])
    print(f"molecules_small: {spec.n_samples} molecules, {float(seconds_per_molecule.sum()):.0f} s of compute "
          f"({time.perf_counter() - start:.0f} s wall this run, {args.workers} worker(s)); heavy atoms "
          f"{ {k: int(v) for k, v in enumerate(heavy) if v} }; {int((arrays['n_conformers'] > 0).sum())} with "
          f"{int(arrays['n_conformers'].sum())} conformers; {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
