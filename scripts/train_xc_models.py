"""Train the three learned xc functionals of notebook 06 and store their weights and metrics.

    python scripts/train_xc_models.py                 # all three: local, semilocal, nonlocal
    python scripts/train_xc_models.py --check         # retrain and compare with the stored metrics (no writing)

Writes ``course_utils/datasets/xc_models.npz`` (the weights, a few tens of kB) and ``xc_models.json`` (the command,
package versions, the data set's checksum, the settings of ``course_utils.learn.xc.TRAINING``, and for each model
its training history and its errors on the validation and test potentials). Training uses the data set
``xc_wells_1d`` (built on first use), the split of ``xc.standard_split`` and ``model.fit`` with early stopping; it
takes a few minutes on 2 cores, mostly for the convolutional network. Everything is seeded: a rerun on the same
machine reproduces the metrics (``--check`` verifies this to 1e-6 relative).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time

import numpy as np

from course_utils.learn import xc_networks
from course_utils.onedim import datasets


def metrics(model, arrays, indices, dx):
    from course_utils.learn import xc

    err = xc.potential_errors(model, arrays["density"][indices], arrays["v_xc"][indices],
                              arrays["xc_energy"][indices], dx)
    return {"v_rms_mean": float(np.mean(err.v_rms)), "v_rms_median": float(np.median(err.v_rms)),
            "e_mae": float(np.mean(np.abs(err.e_error))),
            "e_median_abs": float(np.median(np.abs(err.e_error)))}


def train_all(kinds):
    import keras
    import tensorflow as tf

    from course_utils import data
    from course_utils.learn import xc

    arrays = datasets.load_xc_data(progress=True)
    dx, settings = arrays["dx"], dict(xc.TRAINING)
    split = xc.standard_split(arrays, settings)
    train = xc.training_arrays(arrays, split["train"], augment=settings["augment"])
    validation = xc.training_arrays(arrays, split["validation"])
    record = {"command": "python " + " ".join(sys.argv), "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "versions": {"python": platform.python_version(), "numpy": np.__version__,
                           "tensorflow": tf.__version__, "keras": keras.__version__},
              "data_set": {"name": datasets.XC_WELLS.name, "sha256": data.metadata(datasets.XC_WELLS)["sha256"]},
              "settings": settings, "split_sizes": {k: int(len(v)) for k, v in split.items()}, "models": {}}
    weights = {}
    for kind in kinds:
        start = time.perf_counter()
        model = xc_networks.build_model(kind, dx, train_densities=train[0], seed=settings["seed"],
                               energy_weight=settings["energy_weight"])
        history = xc_networks.fit(model, train, validation, learning_rate=settings["learning_rate"],
                         batch_size=settings["batch_size"], max_epochs=settings["max_epochs"],
                         patience=settings["patience"], seed=settings["seed"])
        seconds = time.perf_counter() - start
        best = int(np.argmin(history["val_loss"]))
        values = model.get_weights()
        for i, w in enumerate(values):
            weights[f"{kind}/{i:03d}"] = np.asarray(w)
        record["models"][kind] = {
            "dx": dx, "n_points": int(arrays["x"].size), "scales": getattr(model, "scales", None)
            if kind == "semilocal" else None, "n_weights": len(values), "parameters": int(model.count_params()),
            "epochs": len(history["loss"]), "best_epoch": best + 1, "seconds": round(seconds, 1),
            "history": {k: [float(x) for x in v] for k, v in history.items()},
            "validation": metrics(model, arrays, split["validation"], dx),
            "test": metrics(model, arrays, split["test"], dx)}
        m = record["models"][kind]
        print(f"{kind:10s} {m['epochs']} epochs (best {m['best_epoch']}) in {seconds:.0f} s: test v_xc "
              f"{1000 * m['test']['v_rms_mean']:.1f} mHa, E_xc {1000 * m['test']['e_mae']:.1f} mHa", flush=True)
    return record, weights


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", default=["local", "semilocal", "nonlocal"])
    parser.add_argument("--check", action="store_true", help="retrain and compare with the stored metrics")
    args = parser.parse_args()
    from course_utils.learn import xc

    record, weights = train_all(args.kinds)
    if args.check:
        stored = xc.pretrained_info()["models"]
        worst = 0.0
        for kind, m in record["models"].items():
            for part in ("validation", "test"):
                for key, value in m[part].items():
                    old = stored[kind][part][key]
                    worst = max(worst, abs(value - old) / max(abs(old), 1e-12))
        print(f"largest relative difference from the stored metrics: {worst:.2e}")
        return 0 if worst < 1e-6 else 1
    if set(args.kinds) != set(xc_networks.MODEL_KINDS):
        parser.error("store all three kinds together (run without arguments)")
    np.savez_compressed(xc.PRETRAINED.with_suffix(".npz"), **weights)
    # the checksum ties the record to this weights file; load_pretrained refuses a file that does not match
    record["weights_sha256"] = hashlib.sha256(xc.PRETRAINED.with_suffix(".npz").read_bytes()).hexdigest()
    xc.PRETRAINED.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {xc.PRETRAINED.with_suffix('.npz')} and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
