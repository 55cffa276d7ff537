"""A longer Green-Kubo run for notebook 10: NVE MD of 108 copper atoms with the notebook's 2+3-body spline potential,
recording the many-body heat flux at every step.

    python scripts/green_kubo_copper.py            # fit, run, write course_utils/datasets/green_kubo_copper.*
    python scripts/green_kubo_copper.py --check    # re-run the first steps and compare with the shipped file

The potential is fitted exactly as in notebook 10 (the same split of ``copper_md``, the same basis and
regularisation, the first 128 training structures); the run starts like the notebook's short one (a 108-atom cell
0.5 % expanded, Maxwell-Boltzmann velocities at 600 K, which equipartition halves). MD is chaotic, so only the
first steps are compared by ``--check`` (and by ``tests/test_green_kubo_copper.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_utils import data, threads  # noqa: E402
from course_utils.atoms import copper_md  # noqa: E402
from course_utils.learn import splines  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "course_utils" / "datasets" / "green_kubo_copper"
PARAMS = {"seed": 0, "n_train": 128, "timestep_fs": 4.0, "n_steps": 2500, "start_temperature_K": 600.0,
          "repeat": 3, "expansion": 1.005, "ridge": 1e-6, "curvature": 1e-4}
CHECK_STEPS = 50


def fit_potential(params=PARAMS):
    """The notebook's 2+3-body spline potential."""
    cu = data.load("copper_md")
    frames = copper_md.frames(cu)
    order = np.random.default_rng(params["seed"]).permutation(len(frames))
    train = order[64:][: params["n_train"]]
    basis = splines.SplineBasis(r_min=1.5, r2_cut=5.5, n2_intervals=16, r3_cut=3.5, n3_intervals=4)
    normal = splines.NormalEquations(basis, energy_scale=0.002, force_scale=0.05)
    for k in train:
        normal.add(frames[k], cu["energy"][k], cu["forces"][k, : cu["n_atoms"][k]])
    return splines.SplinePotential(basis, normal.solve(ridge=params["ridge"], curvature=params["curvature"]))


def run(n_steps, params=PARAMS, potential=None):
    """Heat flux (n_steps + 1, 3) in eV Angstrom/fs, temperatures (n_steps + 1,) K and the cell volume."""
    from ase import units
    from ase.build import bulk
    from ase.md.velocitydistribution import Stationary, thermalize_momenta
    from ase.md.verlet import VelocityVerlet

    potential = fit_potential(params) if potential is None else potential
    a0 = copper_md.equilibrium_lattice_constant()
    cell = bulk("Cu", "fcc", a=a0 * params["expansion"], cubic=True).repeat(params["repeat"])
    cell.calc = potential
    thermalize_momenta(cell, params["start_temperature_K"], rng=np.random.default_rng(params["seed"]))
    Stationary(cell)
    dyn = VelocityVerlet(cell, params["timestep_fs"] * units.fs)
    flux, temps = [], []
    dyn.attach(lambda: (flux.append(potential.heat_flux(cell)), temps.append(cell.get_temperature())), interval=1)
    dyn.run(n_steps)
    return np.array(flux), np.array(temps), cell.get_volume()


def load():
    """The shipped run: ``flux``, ``temperature`` and ``volume`` arrays and the metadata dict."""
    with np.load(OUT.with_suffix(".npz"), allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    return arrays, json.loads(OUT.with_suffix(".json").read_text())


def check() -> float:
    """Largest relative difference of the first ``CHECK_STEPS`` fluxes between a fresh run and the shipped one."""
    arrays, meta = load()
    if meta["params"] != PARAMS:
        raise ValueError("the shipped run was made with other parameters: run scripts/green_kubo_copper.py")
    flux, _, _ = run(CHECK_STEPS)
    scale = np.max(np.abs(arrays["flux"][: CHECK_STEPS + 1]))
    return float(np.max(np.abs(flux - arrays["flux"][: CHECK_STEPS + 1])) / scale)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare the first steps with the shipped run")
    args = parser.parse_args()
    threads.one_blas_thread()
    if args.check:
        difference = check()
        print(f"largest relative difference of the first {CHECK_STEPS} steps: {difference:.2e}")
        return 0 if difference < 1e-6 else 1
    start = time.perf_counter()
    flux, temps, volume = run(PARAMS["n_steps"])
    seconds = time.perf_counter() - start
    np.savez_compressed(OUT.with_suffix(".npz"), flux=flux, temperature=temps, volume=np.array(volume))
    meta = {"params": PARAMS, "seconds": round(seconds, 1), "n_atoms": 4 * PARAMS["repeat"] ** 3,
            "sha256": hashlib.sha256(OUT.with_suffix(".npz").read_bytes()).hexdigest(),
            "description": "heat flux (eV Angstrom/fs) and temperature (K) of an NVE run of 108 Cu atoms with the "
                           "2+3-body spline potential of notebook 10"}
    OUT.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{PARAMS['n_steps']} steps in {seconds:.0f} s; mean temperature {temps.mean():.0f} K -> {OUT}.npz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
