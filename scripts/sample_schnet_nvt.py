"""NVT sampling of ethanol with the shipped SchNet (1,000 training frames), against the GFN2-xTB reference.

    python scripts/sample_schnet_nvt.py            # writes course_utils/datasets/schnet_ethanol_nvt.{npz,json}
    python scripts/sample_schnet_nvt.py --check    # re-runs a short sample and compares it with the shipped one

Protocol (``SETTINGS`` below): the protocol of the data set ``ethanol_md`` (whose xTB trajectories are the
reference): Langevin dynamics at 500 K, friction 0.01/fs, 0.5 fs steps, starting from the GFN2-xTB minimum of
ethanol with Maxwell-Boltzmann velocities, 1 ps of equilibration discarded, a frame every 10 fs afterwards. The
``n_replicas`` replicas run together (:func:`course_utils.atoms.md.langevin_replicas`, BAOAB): one call of the
network per step evaluates all of them. Each replica has its own seed (``SeedSequence(seed).spawn``).

Reference: every frame of the six xTB trajectories of ``ethanol_md`` (``ethanol_md_trajectories.npz``, 30 ps
recorded with the same protocol; ASE's Langevin integrator instead of BAOAB, which samples the same
distribution).

Written: per-replica histograms (counts) of the C-O bond length and the H-O-C-C dihedral for SchNet and for each
xTB trajectory, with the bin edges and per-replica means (``schnet_ethanol_nvt.npz``, a few kB) and a json with
the settings, the atom indices, the run time and summary numbers. ``--check`` re-runs a few replicas for a fraction
of a ps (``CHECK``) and tests that their C-O mean and width agree with the shipped SchNet sample within the
statistical tolerance of so short a run (from the spread of the shipped replicas).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETTINGS = {"model": "schnet_ethanol_1000", "temperature_K": 500.0, "timestep_fs": 0.5, "friction_per_fs": 0.01,
            "equilibration_fs": 1000.0, "production_fs": 4000.0, "stride_fs": 10.0, "n_replicas": 16, "seed": 7,
            "bond_edges_A": [1.20, 1.70, 50], "dihedral_edges_deg": [-180.0, 180.0, 36]}
CHECK = {"n_replicas": 4, "equilibration_fs": 400.0, "production_fs": 600.0}
"""The short re-run of ``--check`` (about 20 s): the C-O bond vibrates with a period of about 30 fs and the
thermostat relaxes the temperature in about 100 fs, so 0.4 ps equilibrate the bond-length distribution."""
OUT = "schnet_ethanol_nvt"


def ethanol_indices(numbers, positions) -> dict:
    """Atom indices of the C-O bond and the H-O-C-C dihedral, from bonding in a geometry (nearest neighbours)."""
    numbers = np.asarray(numbers)
    d = np.linalg.norm(positions[:, None] - positions[None], axis=-1)
    oxygen = int(np.flatnonzero(numbers == 8)[0])
    carbons, hydrogens = np.flatnonzero(numbers == 6), np.flatnonzero(numbers == 1)
    c_o = int(carbons[np.argmin(d[oxygen, carbons])])
    c_other = int(carbons[carbons != c_o][0])
    h_o = int(hydrogens[np.argmin(d[oxygen, hydrogens])])
    return {"bond": [c_o, oxygen], "dihedral": [h_o, oxygen, c_o, c_other]}


def edges(settings):
    lo, hi, n = settings["bond_edges_A"]
    a, b, m = settings["dihedral_edges_deg"]
    return np.linspace(lo, hi, int(n) + 1), np.linspace(a, b, int(m) + 1)


def observables(positions, indices):
    from course_utils.atoms.md import bond_lengths, dihedral_angles

    return (bond_lengths(positions, tuple(indices["bond"])),
            dihedral_angles(positions, tuple(indices["dihedral"])))


def histograms(bond, dihedral, settings):
    """Counts per replica: ``bond`` and ``dihedral`` (frames, replicas)."""
    bond_edges, dihedral_edges = edges(settings)
    hb = np.array([np.histogram(bond[:, k], bond_edges)[0] for k in range(bond.shape[1])])
    hd = np.array([np.histogram(dihedral[:, k], dihedral_edges)[0] for k in range(dihedral.shape[1])])
    return hb, hd


def start_geometry():
    from course_utils.atoms.molecule_datasets import ethanol_params
    from course_utils.atoms.molecules import lowest_conformer
    from course_utils.threads import one_blas_thread

    with one_blas_thread():
        return lowest_conformer(ethanol_params()["smiles"], n_conformers=3, seed=0).atoms  # as ethanol_md


def sample(settings, n_replicas: int, production_fs: float, equilibration_fs: float | None = None):
    """Run SchNet replicas; return the recorded production frames (frames, replicas, 9, 3), indices, seconds."""
    from threadpoolctl import threadpool_limits

    from course_utils.atoms.md import langevin_replicas
    from course_utils.learn import schnet

    atoms = start_geometry()
    indices = ethanol_indices(atoms.numbers, atoms.positions)
    model, _ = schnet.load_pretrained(int(settings["model"].rsplit("_", 1)[1]))
    numbers = np.repeat(atoms.numbers[None].astype(np.int32), n_replicas, axis=0)
    every = int(round(settings["stride_fs"] / settings["timestep_fs"]))
    equilibration_fs = settings["equilibration_fs"] if equilibration_fs is None else equilibration_fs
    skip = int(round(equilibration_fs / settings["stride_fs"]))
    frames = int(round(production_fs / settings["stride_fs"]))
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="openmp"):
        run = langevin_replicas(lambda r: schnet.predict(model, numbers, r), atoms.get_masses(),
                                np.repeat(atoms.positions[None], n_replicas, axis=0),
                                temperature_K=settings["temperature_K"], timestep_fs=settings["timestep_fs"],
                                n_steps=every * (skip + frames), sample_every=every,
                                friction_per_fs=settings["friction_per_fs"], seed=settings["seed"])
    seconds = time.perf_counter() - start
    keep = slice(skip + 1, skip + 1 + frames)
    return run.positions[keep], run.temperature[keep], run.potential_energy[keep], indices, seconds


def build(settings=SETTINGS) -> tuple[dict, dict]:
    from course_utils.atoms.molecule_datasets import TRAJECTORY_FILE, ethanol_trajectories
    from course_utils.data import DATA_DIR

    positions, temperature, _, indices, seconds = sample(settings, settings["n_replicas"], settings["production_fs"])
    bond, dihedral = observables(positions, indices)
    hb, hd = histograms(bond, dihedral, settings)
    traj = ethanol_trajectories()
    xb, xd = observables(traj["positions"], indices)
    keys = [(s, r) for s in ("train", "heldout") for r in np.unique(traj["replica"][traj["split"] == s])]
    xtb_hb, xtb_hd = [], []
    for s, r in keys:
        rows = (traj["split"] == s) & (traj["replica"] == r)
        b, d = histograms(xb[rows][:, None], xd[rows][:, None], settings)
        xtb_hb.append(b[0])
        xtb_hd.append(d[0])
    bond_edges, dihedral_edges = edges(settings)
    arrays = {"bond_edges": bond_edges, "dihedral_edges": dihedral_edges,
              "schnet_bond_counts": hb, "schnet_dihedral_counts": hd,
              "schnet_bond_mean": bond.mean(axis=0), "schnet_bond_std": bond.std(axis=0),
              "schnet_trans_fraction": (np.abs(dihedral) > 120.0).mean(axis=0),
              "schnet_temperature_mean": temperature.mean(axis=0),
              "xtb_bond_counts": np.array(xtb_hb), "xtb_dihedral_counts": np.array(xtb_hd),
              "xtb_replica": np.array([f"{s}{r}" for s, r in keys])}
    import keras
    import tensorflow as tf

    record = {"command": "python scripts/sample_schnet_nvt.py", "settings": settings, "indices": indices,
              "versions": {"python": platform.python_version(), "tensorflow": tf.__version__,
                           "keras": keras.__version__, "numpy": np.__version__},
              "reference": {"file": TRAJECTORY_FILE.name,
                            "sha256": hashlib.sha256(TRAJECTORY_FILE.read_bytes()).hexdigest(),
                            "frames": int(len(xb)), "trajectories": len(keys)},
              "schnet_frames": int(bond.size), "md_seconds": round(seconds, 1),
              "summary": {"schnet_bond_mean_A": float(bond.mean()), "schnet_bond_std_A": float(bond.std()),
                          "xtb_bond_mean_A": float(xb.mean()), "xtb_bond_std_A": float(xb.std()),
                          "schnet_trans_fraction": float((np.abs(dihedral) > 120).mean()),
                          "xtb_trans_fraction": float((np.abs(xd) > 120).mean()),
                          "schnet_mean_temperature_K": float(temperature.mean())}}
    np.savez_compressed(DATA_DIR / f"{OUT}.npz", **arrays)
    (DATA_DIR / f"{OUT}.json").write_text(json.dumps(record, indent=1) + "\n")
    return arrays, record


def load() -> tuple[dict, dict]:
    """The shipped arrays and record."""
    from course_utils.learn.schnet import load_nvt_distributions

    return load_nvt_distributions()


def check(n_replicas: int = CHECK["n_replicas"], equilibration_fs: float = CHECK["equilibration_fs"],
          production_fs: float = CHECK["production_fs"]) -> list[str]:
    """Re-run a short sample and compare its C-O bond mean and width with the shipped SchNet sample.

    The tolerance is four standard errors of the short run, estimated from the spread of the shipped replicas'
    means and widths scaled to the shorter length and the number of replicas re-run."""
    arrays, record = load()
    settings = record["settings"]
    positions, temperature, _, indices, _ = sample(settings, n_replicas, production_fs, equilibration_fs)
    if indices != record["indices"]:
        return [f"atom indices {indices} differ from the recorded {record['indices']}"]
    bond, _ = observables(positions, indices)
    scale = np.sqrt(settings["production_fs"] / production_fs / n_replicas)
    problems = []
    for name, new, shipped in (("mean", bond.mean(axis=0), arrays["schnet_bond_mean"]),
                               ("width", bond.std(axis=0), arrays["schnet_bond_std"])):
        tolerance = 4.0 * shipped.std(ddof=1) * scale
        if abs(new.mean() - shipped.mean()) > tolerance:
            problems.append(f"C-O {name} {new.mean():.4f} A vs shipped {shipped.mean():.4f} A (tolerance "
                            f"{tolerance:.4f} A)")
    if abs(temperature.mean() - settings["temperature_K"]) > 0.1 * settings["temperature_K"]:
        problems.append(f"mean temperature {temperature.mean():.0f} K, thermostat {settings['temperature_K']} K")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="re-run a short sample and compare")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    if args.check:
        problems = check()
        print("\n".join(problems) if problems else "the short re-run agrees with the shipped sample")
        return 1 if problems else 0
    _, record = build()
    print(json.dumps({k: record[k] for k in ("md_seconds", "schnet_frames", "summary")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
