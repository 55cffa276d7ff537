"""Long GFN2-xTB Langevin runs of ethanol: a converged reference for the H-O-C-C torsion (notebook 07, section 6).

    python scripts/sample_xtb_torsion.py --workers 2   # writes course_utils/datasets/ethanol_xtb_nvt.{npz,json}
    python scripts/sample_xtb_torsion.py --check       # re-runs the start of replica 0 and re-evaluates frames

Why: the six trajectories of ``ethanol_md`` (36 ps in all) sample the C-O bond well but not the torsion. The
hydroxyl crosses between its *trans* and *gauche* wells rarely at 500 K, so their trans fractions disagree by more
than 0.3 and single trajectories populate the two mirror-image gauche wells unequally. This script runs the same
protocol (``ethanol_md``'s start geometry, thermostat, temperature, time step; ASE's Langevin integrator through
:func:`course_utils.atoms.md.run_md`) for ``replicas`` independent replicas of ``production_fs`` each, with their own
seeds ``(seed, replica)``, and records every ``stride_fs``:

* ``bond`` (replicas, frames) the C-O bond length (Angstrom) and ``dihedral`` (replicas, frames) the H-O-C-C
  dihedral (degrees, IUPAC sign), float32: the distributions notebook 07 compares;
* ``coarse_positions`` (replicas, K, 9, 3) Angstrom and ``coarse_energy`` (replicas, K) eV every ``coarse_stride_fs``,
  for the sample test (single points of stored frames);
* ``early_positions`` (replicas, E, 9, 3): the first ``early_frames`` frames of each run from its start (inside the
  equilibration), which a short re-run reproduces;
* ``temperature_mean`` (replicas,) K and ``seconds`` (replicas,) wall time.

The json records the settings, atom indices, versions, run times and summary numbers (trans fraction per replica,
their mean and standard error, and the gauche+/gauche- balance).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# One thread per replica. tblite loads its OpenMP runtime lazily, so threadpool limits set later do not reach it;
# the environment variable does (and the spawned workers inherit it).
os.environ.setdefault("OMP_NUM_THREADS", "1")

SETTINGS = {"smiles": "CCO", "method": "GFN2-xTB", "temperature_K": 500.0, "timestep_fs": 0.5,
            "friction_per_fs": 0.01, "equilibration_fs": 1000.0, "stride_fs": 10.0, "replicas": 8,
            "production_fs": 60000.0, "seed": 1500, "coarse_stride_fs": 1000.0, "early_frames": 20}
"""The shipped run: eight replicas of 60 ps after 1 ps of equilibration (the protocol of ``ethanol_md``)."""
OUT = "ethanol_xtb_nvt"
TRANS_DEG = 120.0
"""A frame is *trans* when the H-O-C-C dihedral exceeds this in absolute value (as in notebook 07)."""


def start_atoms():
    """The start geometry of ``ethanol_md`` (its xTB-optimised lowest conformer) with an xTB calculator."""
    from course_utils.atoms.molecules import lowest_conformer, xtb_calculator
    from course_utils.threads import one_blas_thread

    with one_blas_thread():
        atoms = lowest_conformer(SETTINGS["smiles"], n_conformers=3, seed=0).atoms
    atoms.calc = xtb_calculator(atoms)
    return atoms


def run_replica(settings: dict, replica: int, production_fs: float | None = None) -> dict:
    """One seeded Langevin run of ``settings``; returns the recorded arrays of that replica."""
    from sample_schnet_nvt import ethanol_indices, observables

    from course_utils.atoms.md import run_md
    from course_utils.threads import one_blas_thread

    production_fs = settings["production_fs"] if production_fs is None else production_fs
    dt, stride = float(settings["timestep_fs"]), float(settings["stride_fs"])
    every = int(round(stride / dt))
    skip = int(round(settings["equilibration_fs"] / stride))
    frames = int(round(production_fs / stride))
    coarse = int(round(settings["coarse_stride_fs"] / stride))
    atoms = start_atoms()
    indices = ethanol_indices(atoms.numbers, atoms.positions)
    start = time.perf_counter()
    with one_blas_thread():
        run = run_md(atoms, temperature_K=settings["temperature_K"], timestep_fs=dt, n_steps=every * (skip + frames),
                     sample_every=every, ensemble="langevin", friction_per_fs=settings["friction_per_fs"],
                     seed=np.random.default_rng([int(settings["seed"]), int(replica)]))
    seconds = time.perf_counter() - start
    keep = slice(skip + 1, skip + 1 + frames)
    bond, dihedral = observables(run.positions[keep], indices)
    return {"bond": bond.astype(np.float32), "dihedral": dihedral.astype(np.float32),
            "coarse_positions": run.positions[keep][::coarse], "coarse_energy": run.potential_energy[keep][::coarse],
            "early_positions": run.positions[:settings["early_frames"]],
            "temperature_mean": float(np.mean(run.temperature[keep])), "seconds": seconds, "indices": indices}


def _worker(args):
    settings, replica = args
    return run_replica(settings, replica)


def summary(bond, dihedral) -> dict:
    """Trans fraction per replica, its mean and standard error, gauche balance, and the C-O bond statistics."""
    trans = (np.abs(dihedral) > TRANS_DEG).mean(axis=1)
    gauche_plus = ((dihedral > 0) & (dihedral <= TRANS_DEG)).mean(axis=1)
    gauche_minus = ((dihedral < 0) & (dihedral >= -TRANS_DEG)).mean(axis=1)
    return {"trans_fraction_per_replica": [float(t) for t in trans],
            "trans_fraction": float(trans.mean()),
            "trans_fraction_standard_error": float(trans.std(ddof=1) / np.sqrt(len(trans))),
            "gauche_plus_fraction": float(gauche_plus.mean()), "gauche_minus_fraction": float(gauche_minus.mean()),
            "gauche_imbalance_per_replica_max": float(np.max(np.abs(gauche_plus - gauche_minus))),
            "bond_mean_A": float(bond.mean()), "bond_std_A": float(bond.std())}


def build(workers: int = 1, settings=SETTINGS) -> dict:
    from course_utils.data import DATA_DIR

    jobs = [(settings, r) for r in range(settings["replicas"])]
    start = time.perf_counter()
    if workers > 1:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            results = []
            for k, result in enumerate(pool.imap(_worker, jobs), start=1):
                results.append(result)
                print(f"replica {k}/{len(jobs)} done in {result['seconds']:.0f} s", flush=True)
    else:
        results = []
        for k, job in enumerate(jobs, start=1):
            results.append(_worker(job))
            print(f"replica {k}/{len(jobs)} done in {results[-1]['seconds']:.0f} s", flush=True)
    arrays = {key: np.stack([r[key] for r in results]) for key in
              ("bond", "dihedral", "coarse_positions", "coarse_energy", "early_positions")}
    arrays["temperature_mean"] = np.array([r["temperature_mean"] for r in results])
    arrays["seconds"] = np.array([r["seconds"] for r in results])
    npz = DATA_DIR / f"{OUT}.npz"
    np.savez_compressed(npz, **arrays)
    import tblite

    record = {"command": f"python scripts/sample_xtb_torsion.py --workers {workers}", "settings": settings,
              "indices": results[0]["indices"], "trans_deg": TRANS_DEG,
              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "versions": {"python": platform.python_version(), "numpy": np.__version__,
                           "tblite": getattr(tblite, "__version__", "unknown")},
              "machine": platform.processor() or platform.machine(), "workers": workers,
              "wall_seconds": round(time.perf_counter() - start, 1),
              "cpu_seconds": round(float(arrays["seconds"].sum()), 1),
              "simulated_ps": settings["replicas"] * (settings["production_fs"] + settings["equilibration_fs"]) / 1000,
              "sha256": hashlib.sha256(npz.read_bytes()).hexdigest(),
              "summary": summary(arrays["bond"], arrays["dihedral"])}
    (DATA_DIR / f"{OUT}.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def load() -> tuple[dict, dict]:
    """The shipped arrays and record (:func:`course_utils.atoms.molecule_datasets.ethanol_torsion_reference`)."""
    from course_utils.atoms.molecule_datasets import ethanol_torsion_reference

    return ethanol_torsion_reference()


def check(n_single_points: int = 4) -> list[str]:
    """The sample test: (1) a re-run of replica 0's first frames matches the stored early positions; (2) GFN2-xTB
    single points of stored coarse frames give the stored energies; (3) the stored bond and dihedral series agree
    with those frames' geometry."""
    from sample_schnet_nvt import observables

    arrays, record = load()
    settings = record["settings"]
    problems = []
    early = settings["early_frames"]
    short = {**settings, "equilibration_fs": 0.0}
    # the same seed and integrator: the first frames of a short run are those of the long one
    rerun = run_replica(short, 0, production_fs=settings["stride_fs"] * (early - 1))
    atoms = start_atoms()
    if not np.allclose(atoms.positions, arrays["early_positions"][0, 0], atol=1e-6):
        problems.append("the start geometry differs from the stored one")
    deviation = float(np.max(np.abs(rerun["early_positions"] - arrays["early_positions"][0])))
    if deviation > 1e-4:
        problems.append(f"re-run of replica 0's first {early} frames deviates by {deviation:.1e} A (tolerance 1e-4)")
    rng = np.random.default_rng(int(record["sha256"][:8], 16))
    picks = [(int(rng.integers(settings["replicas"])), int(rng.integers(arrays["coarse_energy"].shape[1])))
             for _ in range(n_single_points)]
    coarse = int(round(settings["coarse_stride_fs"] / settings["stride_fs"]))
    for r, k in picks:
        atoms.positions = arrays["coarse_positions"][r, k]
        energy = atoms.get_potential_energy()
        if abs(energy - arrays["coarse_energy"][r, k]) > 1e-5:
            problems.append(f"replica {r} frame {k}: xTB energy {energy:.6f} eV vs stored "
                            f"{arrays['coarse_energy'][r, k]:.6f} eV")
        bond, dihedral = observables(arrays["coarse_positions"][r, k][None], record["indices"])
        if abs(bond[0] - arrays["bond"][r, k * coarse]) > 1e-5 or \
                abs(dihedral[0] - arrays["dihedral"][r, k * coarse]) > 1e-3:
            problems.append(f"replica {r} frame {k}: stored bond/dihedral do not match the stored geometry")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="re-run the start of a replica and re-evaluate frames")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (one replica each at a time)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    if args.check:
        problems = check()
        print("\n".join(problems) if problems else "re-run and single points agree with the shipped run")
        return 1 if problems else 0
    record = build(args.workers)
    print(json.dumps({k: record[k] for k in ("wall_seconds", "cpu_seconds", "simulated_ps", "summary")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
