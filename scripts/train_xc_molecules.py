"""Train the xc functional of the 1D two-electron molecules (notebook 03, part B) and store its weights.

    python scripts/train_xc_molecules.py            # train, write course_utils/datasets/xc_molecules_model.*
    python scripts/train_xc_molecules.py --check    # retrain in memory, compare with the stored record (exit 1
                                                    # if a metric differs by more than --tolerance, relative)

Data: ``xc_molecules_1d`` (:mod:`course_utils.onedim.curves`): exact densities, exact Kohn-Sham xc potentials and
xc energies of two molecules, nuclear charges (1, 1) and (1.25, 0.75), at 29 bond lengths. Split by bond length
(:func:`course_utils.learn.xc.bond_length_split`): every other bond length for training, the ones between
alternately for validation (early stopping) and test. The training set is augmented by reflection (the mirror image
of the molecule (Z_A, Z_B) is the molecule (Z_B, Z_A) at the same R). Model and recipe:
:data:`course_utils.learn.xc.MOLECULE_TRAINING` with :func:`course_utils.learn.xc_networks.build_model` and
:func:`~course_utils.learn.xc_networks.fit` (the loss and early stopping of notebook 06). Everything is seeded, so a
rerun on the same machine reproduces the record (``--check``).

Writes ``xc_molecules_model.npz`` (the weights, a few kB) and ``xc_molecules_model.json`` (command, versions, the
data set's checksum, the settings, the training history and the errors on exact densities of each split).
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


def metrics(model, arrays, indices) -> dict:
    from course_utils.learn import xc

    err = xc.potential_errors(model, arrays["density"][indices], arrays["v_xc"][indices],
                              arrays["xc_energy"][indices], arrays["dx"])
    return {"v_rms_mean": float(np.mean(err.v_rms)), "e_mae": float(np.mean(np.abs(err.e_error))),
            "e_max_abs": float(np.max(np.abs(err.e_error)))}


def train(verbose: bool = False):
    """Train the model of ``MOLECULE_TRAINING``; returns ``(model, record)``."""
    import keras
    import tensorflow as tf

    from course_utils import data
    from course_utils.learn import xc, xc_networks
    from course_utils.onedim import curves

    arrays = curves.load_molecules()
    settings = dict(xc.MOLECULE_TRAINING)
    split = xc.bond_length_split(arrays)
    train_set = xc.training_arrays(arrays, split["train"], augment=settings["augment"])
    validation = xc.training_arrays(arrays, split["validation"])
    start = time.perf_counter()
    model = xc_networks.build_model(settings["kind"], arrays["dx"], train_densities=train_set[0],
                                    seed=settings["seed"], energy_weight=settings["energy_weight"])
    history = xc_networks.fit(model, train_set, validation, learning_rate=settings["learning_rate"],
                              batch_size=settings["batch_size"], max_epochs=settings["max_epochs"],
                              patience=settings["patience"], seed=settings["seed"], verbose=int(verbose))
    seconds = time.perf_counter() - start
    best = int(np.argmin(history["val_loss"]))
    record = {
        "command": "python scripts/train_xc_molecules.py",
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "tensorflow": tf.__version__,
                     "keras": keras.__version__},
        "data_set": {"name": curves.XC_MOLECULES.name, "sha256": data.metadata(curves.XC_MOLECULES)["sha256"]},
        "settings": settings,
        "split": {name: [float(r) for r in np.unique(arrays["separation"][idx])] for name, idx in split.items()},
        "model": {"kind": settings["kind"], "dx": arrays["dx"], "n_points": int(arrays["x"].size),
                  "scales": getattr(model, "scales", None) if settings["kind"] == "semilocal" else None,
                  "n_weights": len(model.get_weights()), "parameters": int(model.count_params()),
                  "epochs": len(history["loss"]), "best_epoch": best + 1, "seconds": round(seconds, 1),
                  "history": {k: [float(v) for v in values] for k, values in history.items()},
                  **{part: metrics(model, arrays, split[part]) for part in ("train", "validation", "test")}},
    }
    return model, record


def compare(new: dict, old: dict, relative: float) -> list[str]:
    """Metrics and history that differ by more than ``relative`` between two records."""
    problems = []
    if new["data_set"]["sha256"] != old["data_set"]["sha256"]:
        problems.append("the data set differs from the one the stored model was trained on")
    for part in ("train", "validation", "test"):
        for key, value in new["model"][part].items():
            ref = old["model"][part][key]
            if abs(value - ref) > relative * abs(ref):
                problems.append(f"{part} {key}: {value:.6g} vs recorded {ref:.6g}")
    if new["model"]["epochs"] != old["model"]["epochs"]:
        problems.append(f"epochs: {new['model']['epochs']} vs recorded {old['model']['epochs']}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="retrain in memory and compare with the stored record")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="relative difference allowed by --check")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from course_utils.learn import xc
    from course_utils.learn.training import quiet_tensorflow

    quiet_tensorflow()
    model, record = train(args.verbose)
    m = record["model"]
    print(f"{m['kind']}: {m['epochs']} epochs (best {m['best_epoch']}) in {m['seconds']:.0f} s; test E_xc MAE "
          f"{1000 * m['test']['e_mae']:.2f} mHa, v_xc RMS {1000 * m['test']['v_rms_mean']:.1f} mHa", flush=True)
    if args.check:
        problems = compare(record, xc.molecule_model_info(), args.tolerance)
        print("\n".join(problems) if problems else "retrained metrics agree with the recorded ones")
        return 1 if problems else 0
    path = xc.MOLECULES_PRETRAINED.with_suffix(".npz")
    np.savez_compressed(path, **{f"{i:03d}": np.asarray(w) for i, w in enumerate(model.get_weights())})
    record["weights_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {path} and {path.with_suffix('.json').name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
