"""Train the spectrum models of notebook 08 on molecules_small and save the weights of the largest training set.

    python scripts/train_spectra.py                       # every model and size, writes course_utils/datasets/
    python scripts/train_spectra.py --models schnet       # some models only (the others keep their record)
    python scripts/train_spectra.py --check               # retrain the smallest size of every model in a temporary
                                                          # folder and compare its test errors with the record

Data: ``molecules_small`` (:mod:`course_utils.atoms.molecule_datasets`), split by
:func:`course_utils.learn.spectra.split` (seed ``SEED``): the nitriles are kept out (the screening pool of the
notebook), 400 other molecules are the test set, 200 the validation set for early stopping, and the training sets
are the first ``n`` of the remaining ones (each smaller set part of the larger). Targets: the occupied GFN2-xTB
levels broadened on the grid of :mod:`course_utils.atoms.spectra` (whole-spectrum models), or the levels themselves
(``cm_levels``). Inputs: the xTB minima.

Models and recipe: ``OPTIONS`` and ``FIT`` below, with :func:`course_utils.learn.training.fit` (Adam, mean squared
error, learning-rate halving on plateaus, early stopping with the best weights restored). For every model and every
size in ``SIZES`` the record ``spectra_models.json`` holds the validation and test errors (the learning curve),
the epochs run and the training time; the weights of the largest size are saved as
``spectra_<model>.weights.npz``.
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
SIZES = (125, 250, 500, 1000, 2000)
OPTIONS = {"cm_mlp": {"hidden": [128, 128]}, "cm_conv": {"hidden": 128, "channels": [8, 8]},
           "cm_levels": {"hidden": [128, 128]},
           "schnet": {"n_features": 32, "n_interactions": 2, "n_rbf": 20, "cutoff": 5.0, "n_hidden": 64}}
FIT = {"cm_mlp": {"learning_rate": 1e-3, "batch_size": 32, "epochs": 300, "patience": 30, "halve_on_plateau": 10},
       "cm_conv": {"learning_rate": 1e-3, "batch_size": 32, "epochs": 300, "patience": 30, "halve_on_plateau": 10},
       "cm_levels": {"learning_rate": 1e-3, "batch_size": 32, "epochs": 300, "patience": 30, "halve_on_plateau": 10},
       "schnet": {"learning_rate": 2e-3, "batch_size": 32, "epochs": 60, "patience": 12, "halve_on_plateau": 5}}
SCHNET_EPOCHS = {125: 80, 250: 60, 500: 50, 1000: 40, 2000: 30}
"""SchNet's budget of epochs per training-set size (its epochs cost about 100 times a Coulomb-matrix MLP's)."""
METRICS = ("mean_rmse", "mean_relative", "mean_first_peak")


def errors(name, model, arrays, rows) -> dict:
    from course_utils.atoms import spectra as physics
    from course_utils.learn import spectra

    predicted, levels = spectra.predict_spectra(name, model, spectra.inputs(name, arrays, rows),
                                                np.asarray(arrays["numbers"])[rows])
    reference = spectra.targets("cm_mlp", arrays, rows)
    result = physics.spectral_errors(predicted, reference)
    out = {key: round(float(result[key]), 5) for key in METRICS}
    out["missing_peaks"] = result["missing_peaks"]
    if levels is not None:
        true = physics.occupied_levels(np.asarray(arrays["orbital_energies"])[rows],
                                       np.asarray(arrays["occupations"])[rows], max_levels=spectra.N_LEVELS)
        out["homo_mae"] = round(float(np.abs(levels[:, 0] - true[:, 0]).mean()), 5)
        out["level_rmse"] = round(float(np.sqrt(np.nanmean((levels - true) ** 2))), 5)
    return out


def train_one(name, arrays, parts, n, verbose=False):
    from course_utils.learn import spectra, training

    rows = parts["train"][:n]
    x, y = spectra.inputs(name, arrays, rows), spectra.targets(name, arrays, rows)
    validation = (spectra.inputs(name, arrays, parts["validation"]), spectra.targets(name, arrays,
                                                                                      parts["validation"]))
    model = spectra.build(name, seed=SEED, **OPTIONS[name])
    spectra.adapt(model, x)
    recipe = {**FIT[name], **({"epochs": SCHNET_EPOCHS[n]} if name == "schnet" else {})}
    start = time.perf_counter()
    history = training.fit(model, x, y, validation, loss=spectra.masked_mse if name == "cm_levels" else "mse",
                           steps_per_execution="epoch", seed=SEED, verbose=2 if verbose else 0, **recipe)
    seconds = time.perf_counter() - start
    best = int(np.argmin(history["val_loss"])) + 1
    return model, {"n_train": n, "epochs_run": int(len(history["loss"])), "best_epoch": best,
                   "train_seconds": round(seconds, 1), "val_loss": [float(f"{v:.5g}") for v in history["val_loss"]],
                   "validation": errors(name, model, arrays, parts["validation"]),
                   "test": errors(name, model, arrays, parts["test"])}


def train_all(out_dir: Path, names, sizes=SIZES, verbose=False) -> dict:
    import keras
    import tensorflow as tf

    from course_utils import data
    from course_utils.learn import spectra

    arrays = data.load("molecules_small")
    parts = spectra.split(arrays, seed=SEED)
    record = {
        "command": "python scripts/train_spectra.py",
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
                     "numpy": np.__version__},
        "data": {"name": "molecules_small", "sha256": data.metadata("molecules_small").get("sha256")},
        "split": {"seed": SEED, "held_out_group": spectra.HELD_OUT_GROUP,
                  **{f"n_{k}": int(len(v)) for k, v in parts.items()}},
        "models": {},
    }
    for name in names:
        curve = {}
        for n in sizes:
            model, result = train_one(name, arrays, parts, n, verbose)
            curve[str(n)] = result
            print(name, n, json.dumps({k: v for k, v in result.items() if k != "val_loss"}), flush=True)
        largest = str(max(sizes))
        weights, _ = spectra.pretrained_paths(name)
        path = out_dir / weights.name
        spectra.save_weights(model, path)  # the model of the last (largest) size
        record["models"][name] = {
            "options": OPTIONS[name], "fit": FIT[name],
            **({"max_epochs": {str(k): v for k, v in SCHNET_EPOCHS.items()}} if name == "schnet" else {}),
            "n_weights": int(model.count_params()),
            "n_train": int(largest), "weights_file": path.name,
            "weights_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "test": curve[largest]["test"], "validation": curve[largest]["validation"], "learning_curve": curve}
    path = out_dir / "spectra_models.json"
    if path.exists():  # keep the record of models not retrained this time
        previous = json.loads(path.read_text()).get("models", {})
        record["models"] = {**{k: v for k, v in previous.items() if k not in names}, **record["models"]}
        record["models"] = {k: record["models"][k] for k in spectra.MODEL_NAMES if k in record["models"]}
    path.write_text(json.dumps(record, indent=1) + "\n")
    return record


def compare(new: dict, old: dict, relative: float) -> list[str]:
    """Differences beyond ``relative`` between the test errors of the retrained and the recorded learning curves."""
    problems = []
    for name, model in new["models"].items():
        for size, result in model["learning_curve"].items():
            reference = old["models"][name]["learning_curve"].get(size)
            if reference is None:
                problems.append(f"{name} n={size}: not in the record")
                continue
            for key in METRICS:
                a, b = result["test"][key], reference["test"][key]
                if abs(a - b) > relative * abs(b):
                    problems.append(f"{name} n={size} test {key}: {a:.4g} vs recorded {b:.4g}")
    if new["data"]["sha256"] != old["data"]["sha256"]:
        problems.append("the data set differs from the one the shipped models were trained on")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="retrain the smallest size of every model (or "
                        "--models) in a temporary folder and compare its test errors with the shipped record")
    parser.add_argument("--models", default=None, help="comma-separated model names (default: all)")
    parser.add_argument("--tolerance", type=float, default=0.05, help="relative difference allowed in --check")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    from course_utils.learn import spectra

    names = tuple(args.models.split(",")) if args.models else spectra.MODEL_NAMES
    unknown = [n for n in names if n not in spectra.MODEL_NAMES]
    if unknown:
        parser.error(f"models must be among {spectra.MODEL_NAMES}, got {unknown}")
    if args.check:
        old = json.loads(spectra.pretrained_paths()[1].read_text())
        with tempfile.TemporaryDirectory() as folder:
            new = train_all(Path(folder), names, sizes=SIZES[:1], verbose=args.verbose)
        problems = compare(new, old, args.tolerance)
        print("\n".join(problems) if problems else "retrained errors agree with the recorded ones")
        return 1 if problems else 0
    from course_utils.data import DATA_DIR

    train_all(DATA_DIR, names, verbose=args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
