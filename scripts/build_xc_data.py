"""Build the cached data set of notebook 06 (exact xc potentials and energies of 1D two-electron systems).

    python scripts/build_xc_data.py           # writes course_utils/datasets/xc_wells_1d.{npz,json}

About a minute on 2 cores: each sample is an exact two-electron solve, a one-electron solve (for the ionisation
energy) and a reverse-engineering step (see course_utils.learn.xc). Once ``"xc_wells_1d"`` is registered in
``course_utils.data.DATASETS``, ``python scripts/build_datasets.py xc_wells_1d`` does the same.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from course_utils import data
from course_utils.onedim import datasets


def main() -> int:
    spec = datasets.XC_WELLS
    start = time.perf_counter()
    arrays = data.build(spec, progress=True)
    seconds = time.perf_counter() - start
    path = data.save(spec, arrays, build_seconds=seconds)
    worst = float(np.max(arrays["inversion_error"]))
    print(f"{spec.name}: {spec.n_samples} samples in {seconds:.1f} s -> {path} ({path.stat().st_size / 1e6:.2f} MB); "
          f"largest inversion error {worst:.2e} electrons")
    return 0


if __name__ == "__main__":
    sys.exit(main())
