"""Build the ``alloys`` data set (EMT relaxations of binary and ternary alloys) and write its cache.

    python scripts/build_alloys.py                # 2 worker processes, writes course_utils/datasets/alloys.*
    python scripts/build_alloys.py --workers 1    # serial (what data.load does when the cache is missing)

Every sample is computed independently by ``course_utils.atoms.datasets.build_alloys``, so the parallel build
gives the same arrays as the serial one; the hull energies are added afterwards by the spec's ``finalize``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_utils import data  # noqa: E402
from course_utils.atoms import datasets  # noqa: E402


def _build_chunk(indices: np.ndarray) -> dict[str, np.ndarray]:
    spec = datasets.ALLOYS
    return spec.build(spec.params, indices)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--chunk", type=int, default=8, help="samples per task (default 8)")
    args = parser.parse_args()
    from tqdm.auto import tqdm

    spec = datasets.ALLOYS
    chunks = np.array_split(np.arange(spec.n_samples), max(1, spec.n_samples // max(1, args.chunk)))
    start = time.perf_counter()
    parts = []
    with tqdm(total=spec.n_samples, desc="relaxing alloys (EMT)", unit="compound") as bar:
        if args.workers > 1:
            with multiprocessing.get_context("fork").Pool(args.workers) as pool:
                for part in pool.imap(_build_chunk, chunks):
                    parts.append(part)
                    bar.update(len(part["prototype"]))
        else:
            for chunk in chunks:
                parts.append(_build_chunk(chunk))
                bar.update(len(chunk))
    arrays = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    arrays.update(spec.finalize(dict(arrays), spec.params))
    seconds = time.perf_counter() - start
    path = data.save(spec, arrays, build_seconds=seconds)
    n_conv = int(arrays["converged"].sum())
    print(f"alloys: {spec.n_samples} compounds in {seconds:.1f} s with {args.workers} worker(s); "
          f"{n_conv} converged; {int(arrays['on_hull'].sum())} on the hull "
          f"({int((arrays['on_hull'] & (arrays['fractions'] > 0).sum(axis=1).__gt__(1)).sum())} of them compounds); "
          f"{path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
