"""Build the ``ethanol_response`` data set: GFN2-xTB dipoles and finite-field polarizabilities of ethanol frames.

    python scripts/build_ethanol_response.py   # writes course_utils/datasets/ethanol_response.{npz,json}

Needs the shipped ``ethanol_md`` trajectories. 800 frames x 13 single points take about half a minute on one core
(xTB on nine atoms is a few milliseconds per call when OpenMP runs one thread, seconds when it oversubscribes a
busy machine). Prints the linearity check: the polarizabilities from the two field steps.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_utils import data  # noqa: E402
from course_utils.atoms.molecule_datasets import COULOMB_EV_ANGSTROM  # noqa: E402


def main() -> int:
    spec = data.get_spec("ethanol_response")
    start = time.perf_counter()
    arrays = data.build(spec, progress=True)
    seconds = time.perf_counter() - start
    path = data.save(spec, arrays, build_seconds=seconds)
    a1, a2 = arrays["polarizability"] * COULOMB_EV_ANGSTROM, arrays["polarizability_step2"] * COULOMB_EV_ANGSTROM
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB) in {seconds:.0f} s")
    print(f"isotropic polarizability {np.trace(a1, axis1=1, axis2=2).mean() / 3:.3f} A^3 (mean); largest difference "
          f"between the steps {spec.params['field_steps']} V/A: {np.abs(a1 - a2).max():.2e} A^3")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
