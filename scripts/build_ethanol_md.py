"""Build the ``ethanol_md`` data set: GFN2-xTB Langevin MD of ethanol at 500 K, then single points of the frames.

    python scripts/build_ethanol_md.py --workers 1   # trajectories -> ethanol_md_trajectories.npz, then the data set

Each replica is an independent, seeded trajectory (``course_utils.atoms.molecule_datasets.run_ethanol_replica``);
re-running one on another machine diverges chaotically, so the trajectories are shipped and the data set's
samples are single points of stored frames (which the tests regenerate exactly).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_utils import data  # noqa: E402
from course_utils.atoms import molecule_datasets as md  # noqa: E402


def _replica(task):
    split, replica = task
    start = time.perf_counter()
    out = md.run_ethanol_replica(md.ethanol_params(), split, replica)
    out["seconds"] = time.perf_counter() - start
    return split, replica, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="worker processes for the replicas (default 1)")
    parser.add_argument("--reuse-trajectories", action="store_true", help="keep an existing trajectory file")
    args = parser.parse_args()
    from tqdm.auto import tqdm

    params = md.ethanol_params()
    if not (args.reuse_trajectories and md.TRAJECTORY_FILE.exists()):
        tasks = [(s, r) for s in ("train", "heldout") for r in range(params["replicas"][s])]
        results = {}
        with tqdm(total=len(tasks), desc="ethanol MD replicas (GFN2-xTB, 500 K)", unit="replica") as bar:
            if args.workers > 1:
                with multiprocessing.get_context("fork").Pool(args.workers) as pool:
                    for split, replica, out in pool.imap_unordered(_replica, tasks):
                        results[(split, replica)] = out
                        bar.update()
            else:
                for task in tasks:
                    split, replica, out = _replica(task)
                    results[(split, replica)] = out
                    bar.update()
        ordered = [results[t] for t in tasks]
        arrays = {
            "positions": np.concatenate([o["positions"] for o in ordered]),
            "numbers": ordered[0]["numbers"],
            "split": np.concatenate([[s] * len(o["time_fs"]) for (s, _), o in zip(tasks, ordered, strict=True)]),
            "replica": np.concatenate([[r] * len(o["time_fs"]) for (_, r), o in zip(tasks, ordered, strict=True)]),
            "time_fs": np.concatenate([o["time_fs"] for o in ordered]),
            "md_energy": np.concatenate([o["md_energy"] for o in ordered]),
            "md_temperature": np.concatenate([o["md_temperature"] for o in ordered]),
            "md_seconds": np.array([o["seconds"] for o in ordered]),
        }
        arrays["split"] = arrays["split"].astype("<U7")
        np.savez_compressed(md.TRAJECTORY_FILE, **arrays)
        simulated = len(tasks) and sum(params["equilibration_fs"] + o["time_fs"][-1] + params["stride_fs"]
                                       for o in ordered)
        print(f"trajectories: {len(tasks)} replicas, {simulated / 1000:.1f} ps simulated in "
              f"{arrays['md_seconds'].sum():.0f} s of compute; <T> = {arrays['md_temperature'].mean():.0f} K")
    spec = md._make_ethanol_spec()
    start = time.perf_counter()
    arrays = data.build(spec, progress=True, chunk=50)
    seconds = time.perf_counter() - start
    path = data.save(spec, arrays, build_seconds=seconds)
    e = arrays["energy"]
    print(f"ethanol_md: {spec.n_samples} frames, single points in {seconds:.0f} s; "
          f"energy range {e.max() - e.min():.3f} "
          f"eV ({e.min():.3f} to {e.max():.3f}); {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
