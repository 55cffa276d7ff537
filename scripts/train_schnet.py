"""Train the SchNet models of notebook 07 on ethanol (GFN2-xTB energies and forces) and save their weights.

    python scripts/train_schnet.py                  # every size in SIZES, writes course_utils/datasets/
    python scripts/train_schnet.py --check          # retrain the smallest size in a temporary folder and compare
                                                    # its metrics with the shipped record (exit 1 if they differ)
    python scripts/train_schnet.py --sizes 100      # only some training-set sizes (others keep their record)

Data: ``ethanol_md`` (:mod:`course_utils.atoms.molecule_datasets`): 2,400 frames of four GFN2-xTB Langevin
trajectories at 500 K (split ``"train"``) and 600 frames of two further, independent trajectories (``"heldout"``).
Split (seeded, :func:`course_utils.learn.schnet.ethanol_split`): ``N_VALIDATION`` random frames of the training
trajectories for early stopping; the training sets are the first ``n`` frames of a seeded permutation of the
remaining ones (so the smaller set is part of the larger); the test set is the whole held-out split. Frames 10 fs
apart on one trajectory are correlated, so the validation error (frames from the same trajectories as the
training frames) is optimistic; the held-out trajectories are the honest test.

Model and recipe: ``MODEL`` and ``FIT`` below, with :func:`course_utils.learn.schnet.fit` (energies and forces
together, Adam, learning-rate halving on plateaus, early stopping with the best weights restored) and a budget of
epochs per size (``EPOCHS``) chosen so that all sizes train in about ten minutes on two shared CPU cores. That is
far short of the ~1e5 steps a converged SchNet takes; the record says how far: the validation curve per epoch,
the epoch of the best validation loss, and the relative change of the validation force error over the last
fifth of the epochs.

Written next to the weights (``schnet_ethanol_<n>.weights.npz``): ``schnet_ethanol.json`` with the command,
package versions, data checksum, split, architecture, recipe, the per-epoch validation curve, training time and
throughput, and the validation and test errors (eV, eV/Angstrom and kcal/mol, kcal/mol/Angstrom).
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
N_VALIDATION = 200
SIZES = (100, 1000)
MODEL = {"n_features": 64, "n_interactions": 3, "n_rbf": 25, "cutoff": 5.0}
FIT = {"force_weight": 0.99, "learning_rate": 2e-3, "batch_size": 32, "patience": 20, "decay_patience": 6,
       "min_learning_rate": 1e-5}
EPOCHS = {100: 300, 1000: 180}
"""Most epochs per training-set size (the time budget; early stopping may end sooner)."""


def errors(model, data) -> dict:
    from course_utils.learn import schnet

    result = schnet.evaluate(model, data)
    k = schnet.EV_TO_KCAL_PER_MOL
    return {"energy_mae_ev": result["energy_mae"], "force_mae_ev_per_a": result["force_mae"],
            "energy_rmse_ev": result["energy_rmse"], "force_rmse_ev_per_a": result["force_rmse"],
            "energy_mae_kcal_mol": result["energy_mae"] * k, "force_mae_kcal_mol_a": result["force_mae"] * k}


def convergence(history) -> dict:
    """How far from converged: where the best epoch was, and how much the validation force error still fell over
    the last fifth of the epochs (relative; 0 means flat)."""
    curve = np.asarray(history["val_force_mae"])
    tail = max(len(curve) // 5, 2)
    early, late = curve[-2 * tail:-tail].mean() if len(curve) >= 2 * tail else curve[0], curve[-tail:].mean()
    return {"epochs_run": int(len(curve)), "best_epoch": int(history["best_epoch"]), "stopped": history["stopped"],
            "val_force_mae_relative_drop_last_fifth": round(float((early - late) / early), 4),
            "final_learning_rate": float(history["learning_rate"][-1])}


def train_all(out_dir: Path, sizes=SIZES, verbose: bool = False) -> dict:
    import keras
    import tensorflow as tf

    from course_utils import data
    from course_utils.learn import schnet

    arrays = data.load("ethanol_md")
    parts = schnet.ethanol_split(arrays, seed=SEED, n_validation=N_VALIDATION)
    validation, test = schnet.frames(arrays, parts["validation"]), schnet.frames(arrays, parts["test"])
    record = {
        "command": "python scripts/train_schnet.py",
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
                     "numpy": np.__version__},
        "data": {"name": "ethanol_md", "sha256": data.metadata("ethanol_md").get("sha256")},
        "split": {"seed": SEED, "n_validation": N_VALIDATION, "n_pool": int(len(parts["pool"])),
                  "n_test": int(len(parts["test"])), "validation": "random frames of the training trajectories",
                  "test": "the held-out trajectories (split 'heldout')"},
        "fit": {**FIT, "max_epochs": {str(k): v for k, v in EPOCHS.items()}, "seed": SEED},
        "models": {},
    }
    for n in sizes:
        train = schnet.frames(arrays, parts["pool"][:n])
        model = schnet.build_model(train["numbers"], train["energy"], train["forces"], seed=SEED, **MODEL)
        start = time.perf_counter()
        history = schnet.fit(model, train, validation, max_epochs=EPOCHS[n], seed=SEED, progress=verbose, **FIT)
        seconds = time.perf_counter() - start
        weights, _ = schnet.pretrained_paths(n)
        path = out_dir / weights.name
        schnet.save_weights(model, path)
        record["models"][str(n)] = {
            "n_train": n, "config": model.get_config(), "n_weights": int(model.count_params()),
            "train_seconds": round(seconds, 1), "steps": int(history["steps"]),
            "structures_per_second": round(history["structures_per_second"], 1),
            "convergence": convergence(history),
            "weights_file": path.name, "weights_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "history": {"val_energy_mae_mev": [round(v * 1000, 3) for v in history["val_energy_mae"]],
                        "val_force_mae_mev_per_a": [round(v * 1000, 3) for v in history["val_force_mae"]],
                        "loss": [float(f"{v:.5g}") for v in history["loss"]],
                        "learning_rate": [float(f"{v:.3g}") for v in history["learning_rate"]]},
            "validation": errors(model, validation), "test": errors(model, test),
        }
        summary = {k: v for k, v in record["models"][str(n)].items() if k not in ("config", "history")}
        print(n, json.dumps(summary, indent=1), flush=True)
    path = out_dir / "schnet_ethanol.json"
    if path.exists():  # keep the record of a size that was not retrained this time
        previous = json.loads(path.read_text()).get("models", {})
        record["models"] = {**{k: v for k, v in previous.items() if int(k) not in sizes}, **record["models"]}
        record["models"] = dict(sorted(record["models"].items(), key=lambda item: int(item[0])))
    path.write_text(json.dumps(record, indent=1) + "\n")
    return record


def compare(new: dict, old: dict, relative: float) -> list[str]:
    """Differences of the validation and test MAEs beyond ``relative`` (a fraction) between two records."""
    problems = []
    for size, reference in old["models"].items():
        if size not in new["models"]:
            problems.append(f"n={size}: not retrained")
            continue
        for part in ("validation", "test"):
            for key in ("energy_mae_ev", "force_mae_ev_per_a"):
                a, b = new["models"][size][part][key], reference[part][key]
                if abs(a - b) > relative * b:
                    problems.append(f"n={size} {part} {key}: {a:.4g} vs recorded {b:.4g}")
    if new["data"]["sha256"] != old["data"]["sha256"]:
        problems.append("the data set differs from the one the shipped models were trained on")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="retrain the smallest size (or --sizes) in a "
                        "temporary folder and compare its metrics with the shipped record")
    parser.add_argument("--sizes", default=None, help="comma-separated training-set sizes (default: all of SIZES; "
                        "with --check: the smallest)")
    parser.add_argument("--tolerance", type=float, default=0.05, help="relative difference allowed in --check")
    parser.add_argument("--verbose", action="store_true", help="progress bar over the epochs")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else (SIZES[:1] if args.check else SIZES)
    unknown = [s for s in sizes if s not in EPOCHS]
    if unknown:
        parser.error(f"sizes must be among {sorted(EPOCHS)}, got {unknown}")
    if args.check:
        from course_utils.learn.schnet import pretrained_paths

        old = json.loads(pretrained_paths()[1].read_text())
        with tempfile.TemporaryDirectory() as folder:
            new = train_all(Path(folder), sizes, args.verbose)
        old["models"] = {k: v for k, v in old["models"].items() if int(k) in sizes}
        problems = compare(new, old, args.tolerance)
        print("\n".join(problems) if problems else "retrained metrics agree with the recorded ones")
        return 1 if problems else 0
    from course_utils.data import DATA_DIR

    train_all(DATA_DIR, sizes, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
