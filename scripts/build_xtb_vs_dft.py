"""Build the ``xtb_vs_dft`` comparison (GFN2-xTB against PySCF PBE0/def2-TZVP) and measure the cost per call.

    python scripts/build_xtb_vs_dft.py                 # every sample (about 20 min on 2 cores), then the summary
    python scripts/build_xtb_vs_dft.py --only 3 7      # just these samples, kept in build/xtb_vs_dft_parts/
    python scripts/build_xtb_vs_dft.py --cost          # one energy+forces call of each method on ethanol, timed

Samples are built one at a time and kept as parts, so an interrupted build resumes; the assembled arrays go
through ``course_utils.data.save`` like every data set (``course_utils/datasets/xtb_vs_dft.{npz,json}``). The
summary lines printed at the end are the ones the module docstring of ``course_utils.atoms.xtb_vs_dft`` quotes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_utils import data  # noqa: E402
from course_utils.atoms import xtb_vs_dft  # noqa: E402

PARTS = ROOT / "build" / "xtb_vs_dft_parts"


def _part(index: int) -> Path:
    return PARTS / f"{index:03d}.npz"


def build_part(spec, index: int) -> tuple[dict[str, np.ndarray], float]:
    """Sample ``index`` and the seconds its build took (read back from its part file when one exists)."""
    path = _part(index)
    if path.exists():
        with np.load(path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        return arrays, float(arrays.pop("_seconds"))
    start = time.perf_counter()
    arrays = data.build(spec, [index], progress=False)
    seconds = time.perf_counter() - start
    PARTS.mkdir(parents=True, exist_ok=True)
    np.savez(path, _seconds=seconds, **arrays)
    print(f"sample {index} ({arrays['kind'][0]} {arrays['name'][0]}): {seconds:.1f} s", flush=True)
    return arrays, seconds


def cost() -> None:
    """Seconds per energy+forces call for ethanol (its xTB minimum), each method in this process, each as it runs
    fastest here: xTB on one OpenMP thread (its threads only fight each other on a molecule this small; with two
    it was 30 times slower on a busy machine), PySCF on all cores."""
    from threadpoolctl import threadpool_limits

    from course_utils.atoms.calculators import pyscf_dft
    from course_utils.atoms.molecules import lowest_conformer, single_point

    ethanol = lowest_conformer("CCO").atoms
    with threadpool_limits(limits=1, user_api="openmp"):
        single_point(ethanol)  # warm-up (library loading)
        start = time.perf_counter()
        for _ in range(20):
            single_point(ethanol)
        xtb = (time.perf_counter() - start) / 20
    params = xtb_vs_dft.default_params()
    calc = pyscf_dft(xc=params["xc"], basis=params["basis"], density_fit=params["density_fit"],
                     grid_level=params["grid_level"], conv_tol=params["conv_tol"])
    start = time.perf_counter()
    calc.calculate(ethanol, ["energy", "forces"])
    dft = time.perf_counter() - start
    print(f"ethanol, energy + forces: GFN2-xTB {xtb * 1e3:.1f} ms per call; "
          f"{params['xc']}/{params['basis']} (density fitting) {dft:.1f} s; ratio {dft / xtb:.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, nargs="+", help="build only these samples (kept as parts)")
    parser.add_argument("--cost", action="store_true", help="time one call of each method on ethanol")
    args = parser.parse_args()
    if args.cost:
        cost()
        return 0
    spec = data.get_spec("xtb_vs_dft")
    indices = args.only if args.only else range(spec.n_samples)
    built = [build_part(spec, int(i)) for i in indices]
    if args.only:
        return 0
    parts = [arrays for arrays, _ in built]
    arrays = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    seconds = sum(s for _, s in built)
    print(f"compute: {seconds:.0f} s in total")
    path = data.save(spec, arrays, build_seconds=seconds)
    print(f"xtb_vs_dft: {spec.n_samples} samples -> {path} ({path.stat().st_size / 1e6:.2f} MB)")
    for line in xtb_vs_dft.summary_lines(xtb_vs_dft.summary(arrays)):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
