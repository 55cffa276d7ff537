"""Train notebook 10's periodic SchNet on EMT copper (``copper_md``) and save its weights.

    python scripts/train_copper_schnet.py              # every size in SIZES, writes course_utils/datasets/
    python scripts/train_copper_schnet.py --check      # retrain the smallest size in a temporary folder and
                                                       # compare its metrics with the shipped record (exit 1 if
                                                       # they differ)
    python scripts/train_copper_schnet.py --sizes 32   # only some sizes (the others keep their record)

Data and split, as notebook 10 uses them for the spline and kernel potentials: the 320 snapshots of ``copper_md``
(32-site fcc cells, EMT energies and forces) in the seeded permutation of
:func:`course_utils.learn.periodic_schnet.copper_split`: the first 64 are the test set, the other 256 the
training pool in order, a training set of size ``n`` being its first ``n``. Early stopping needs data the network
does not train on: the last ``N_VALIDATION`` snapshots of the pool (never among the first ``max(SIZES)``).

Model and recipe: ``MODEL`` and ``FIT`` below (32 features, 2 interactions, a 5 Angstrom cutoff), trained with
:func:`course_utils.learn.periodic_schnet.fit` (energies and forces, Adam, learning-rate halving on plateaus,
early stopping with the best weights restored), at most ``EPOCHS[n]`` epochs per size: the whole script runs in
a few minutes on two shared CPU cores, far from a converged SchNet; the record says how far (the validation curve,
the best epoch, and the relative fall of the validation force error over the last fifth of the epochs).
TensorFlow's deterministic ops are switched on so that ``--check`` reproduces the numbers.

Written next to the weights (``schnet_copper_<n>.weights.npz``): ``schnet_copper.json`` with the command, the
package versions, the data set's checksum, the split (the test indices themselves, so that the notebook can check
it uses the same ones), the architecture, the recipe, the per-epoch validation curve, the training time, and the
validation and test errors (meV/atom for energies, meV/Angstrom for forces).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = 0
N_TEST = 64
N_VALIDATION = 32
SIZES = (8, 32, 64, 128)
MODEL = {"n_features": 32, "n_interactions": 2, "n_rbf": 20, "cutoff": 5.0, "max_z": 29}
FIT = {"force_weight": 0.9, "learning_rate": 3e-3, "batch_size": 8, "patience": 30, "decay_patience": 10,
       "min_learning_rate": 1e-5}
EPOCHS = {8: 150, 32: 400, 64: 400, 128: 400}
"""Most epochs per training-set size (the time budget; early stopping may end sooner)."""


def errors(model, part) -> dict:
    from course_utils.learn import periodic_schnet

    result = periodic_schnet.evaluate(model, *part)
    return {key + suffix: round(result[key] * 1000, 4) for key, suffix in
            (("energy_mae", "_mev_per_atom"), ("energy_rmse", "_mev_per_atom"), ("force_mae", "_mev_per_a"),
             ("force_rmse", "_mev_per_a"))}


def convergence(history) -> dict:
    curve = np.asarray(history["val_force_mae"])
    tail = max(len(curve) // 5, 2)
    early = curve[-2 * tail:-tail].mean() if len(curve) >= 2 * tail else curve[0]
    late = curve[-tail:].mean()
    return {"epochs_run": int(len(curve)), "best_epoch": int(history["best_epoch"]), "stopped": history["stopped"],
            "val_force_mae_relative_drop_last_fifth": round(float((early - late) / early), 4),
            "final_learning_rate": float(history["learning_rate"][-1])}


def train_all(out_dir: Path, sizes=SIZES) -> dict:
    import keras
    import tensorflow as tf

    from course_utils import data
    from course_utils.atoms import copper_md
    from course_utils.learn import periodic_schnet

    tf.config.experimental.enable_op_determinism()
    arrays = data.load("copper_md")
    frames = copper_md.frames(arrays)
    forces = [arrays["forces"][k, : arrays["n_atoms"][k]] for k in range(len(frames))]

    def part(indices):
        return [frames[k] for k in indices], arrays["energy"][indices], [forces[k] for k in indices]

    test_idx, train_idx = periodic_schnet.copper_split(len(frames), seed=SEED, n_test=N_TEST)
    val_idx = train_idx[-N_VALIDATION:]
    assert max(SIZES) <= len(train_idx) - N_VALIDATION
    validation, test = part(val_idx), part(test_idx)
    record = {
        "command": "python scripts/train_copper_schnet.py",
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
                     "numpy": np.__version__},
        "data": {"name": "copper_md", "sha256": data.metadata("copper_md").get("sha256")},
        "split": {"seed": SEED, "n_test": N_TEST, "n_validation": N_VALIDATION,
                  "test_indices": [int(k) for k in test_idx], "validation": "the last 32 of the training pool",
                  "train": "the first n of the training pool (copper_split)"},
        "fit": {**FIT, "max_epochs": {str(k): v for k, v in EPOCHS.items()}, "seed": SEED},
        "models": {},
    }
    for n in sizes:
        train = part(train_idx[:n])
        model = periodic_schnet.build_model(*train, seed=SEED, **MODEL)
        start = time.perf_counter()
        history = periodic_schnet.fit(model, train, validation, max_epochs=EPOCHS[n], seed=SEED, **FIT)
        seconds = time.perf_counter() - start
        weights, _ = periodic_schnet.pretrained_paths(n)
        path = out_dir / weights.name
        periodic_schnet.save_weights(model, path)
        record["models"][str(n)] = {
            "n_train": n, "config": model.get_config(), "n_weights": int(model.count_params()),
            "train_seconds": round(seconds, 1), "steps": int(history["steps"]),
            "convergence": convergence(history),
            "weights_file": path.name, "weights_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "history": {"val_energy_mae_mev_per_atom": [round(v * 1000, 3) for v in history["val_energy_mae"]],
                        "val_force_mae_mev_per_a": [round(v * 1000, 2) for v in history["val_force_mae"]],
                        "learning_rate": [float(f"{v:.3g}") for v in history["learning_rate"]]},
            "validation": errors(model, validation), "test": errors(model, test),
        }
        summary = {k: v for k, v in record["models"][str(n)].items() if k not in ("config", "history")}
        print(n, json.dumps(summary, indent=1), flush=True)
    path = out_dir / "schnet_copper.json"
    if path.exists():  # keep the record of a size that was not retrained this time
        previous = json.loads(path.read_text()).get("models", {})
        record["models"] = {**{k: v for k, v in previous.items() if int(k) not in sizes}, **record["models"]}
        record["models"] = dict(sorted(record["models"].items(), key=lambda item: int(item[0])))
    path.write_text(json.dumps(record, indent=1) + "\n")
    return record


def compare(new: dict, old: dict, relative: float) -> list[str]:
    """Differences of the validation and test errors beyond ``relative`` (a fraction) between two records."""
    problems = []
    for size, reference in old["models"].items():
        if size not in new["models"]:
            problems.append(f"n={size}: not retrained")
            continue
        for part in ("validation", "test"):
            for key in ("energy_mae_mev_per_atom", "force_rmse_mev_per_a"):
                a, b = new["models"][size][part][key], reference[part][key]
                if abs(a - b) > relative * b:
                    problems.append(f"n={size} {part} {key}: {a:.4g} vs recorded {b:.4g}")
    if new["data"]["sha256"] != old["data"]["sha256"]:
        problems.append("the data set differs from the one the shipped models were trained on")
    if new["split"]["test_indices"] != old["split"]["test_indices"]:
        problems.append("the test split differs from the recorded one")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="retrain the smallest size (or --sizes) in a "
                        "temporary folder and compare its metrics with the shipped record")
    parser.add_argument("--sizes", default=None, help="comma-separated training-set sizes (default: all of SIZES; "
                        "with --check: the smallest)")
    parser.add_argument("--tolerance", type=float, default=0.05, help="relative difference allowed in --check")
    args = parser.parse_args(argv)
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # oneDNN's reordered sums would differ run to run
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else (SIZES[:1] if args.check else SIZES)
    unknown = [s for s in sizes if s not in EPOCHS]
    if unknown:
        parser.error(f"sizes must be among {sorted(EPOCHS)}, got {unknown}")
    if args.check:
        from course_utils.learn.periodic_schnet import pretrained_paths

        old = json.loads(pretrained_paths()[1].read_text())
        with tempfile.TemporaryDirectory() as folder:
            new = train_all(Path(folder), sizes)
        old["models"] = {k: v for k, v in old["models"].items() if int(k) in sizes}
        problems = compare(new, old, args.tolerance)
        print("\n".join(problems) if problems else "retrained metrics agree with the recorded ones")
        return 1 if problems else 0
    from course_utils.data import DATA_DIR

    train_all(DATA_DIR, sizes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
