"""Build (or rebuild) the cached data sets of the course, with a progress bar.

    python scripts/build_datasets.py            # list the data sets and the state of their caches
    python scripts/build_datasets.py NAME ...   # build these and write course_utils/datasets/NAME.{npz,json}
    python scripts/build_datasets.py --all
"""

from __future__ import annotations

import argparse
import sys
import time

from course_utils import data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="data sets to build")
    parser.add_argument("--all", action="store_true", help="build every registered data set")
    args = parser.parse_args()
    names = sorted(data.DATASETS) if args.all else args.names
    if not names:
        for name in sorted(data.DATASETS):
            problem = data.cache_problem(name)
            print(f"{name:20s} {'ok' if problem is None else problem}")
        return 0
    for name in names:
        spec = data.get_spec(name)
        start = time.perf_counter()
        arrays = data.build(spec, progress=True)
        seconds = time.perf_counter() - start
        path = data.save(spec, arrays, build_seconds=seconds)
        print(f"{name}: {spec.n_samples} samples in {seconds:.1f} s -> {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
