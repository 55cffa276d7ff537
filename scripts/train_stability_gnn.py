"""Train the two crystal-graph attention networks of notebook 02 and save their weights.

    python scripts/train_stability_gnn.py                 # both models, writes course_utils/datasets/
    python scripts/train_stability_gnn.py --check         # retrain into a temporary folder and compare the
                                                          # metrics with the shipped record (exit 1 if they differ)

The models (``course_utils.learn.graph_attention.StabilityGNN``, about 3.4 thousand weights each) predict the formation
energy per atom of the ``alloys`` data set from crystal graphs: ``shell`` sees the unrelaxed prototype and the
neighbour-shell index of each edge, ``distance`` the relaxed bond lengths. Both use the notebook's split
(``course_utils.learn.stability.standard_split``: the Au-Cu, Al-Pd and Ni-Pt systems and every ternary that
contains one of these pairs are held out as the test set) and the recipe ``graph_attention.DEFAULT_FIT`` (Adam, MAE
loss,
early stopping on a random 15% validation part of the training systems). Training takes a few minutes on two
CPU cores, longer than a notebook may, so the notebook loads these weights and shows a short live run instead.

Written next to the weights: ``stability_gnn.json`` with the command, package versions, split, architecture,
recipe, epochs run, training time, and the validation and test metrics (MAE in meV/atom; precision and recall of
"within 5 meV/atom of the hull" on the held-out compounds, hulls built from the known compounds plus the
model's predictions), so a test can check that retraining reproduces them.
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

from course_utils.atoms import crystal_graphs
from course_utils.learn import graph_attention

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = 0


def evaluate(model, inputs, arrays, split) -> dict:
    """Validation and test MAE (meV/atom) and the stability scores of the held-out compounds."""
    from course_utils.learn import stability

    y = arrays["formation_energy"]
    predicted = model.predict(inputs, verbose=0, batch_size=512).astype(float)
    test = split["test"]
    known = np.ones(len(y), dtype=bool)
    known[test] = False
    mixed = y.copy()
    mixed[test] = predicted[test]
    e_hull = stability.predicted_energy_above_hull(arrays["fractions"], y, mixed, known)
    scores = stability.stability_scores(arrays["energy_above_hull"][test], e_hull[test])
    return {"validation_mae_mev": float(np.abs(predicted - y)[split["validation"]].mean() * 1000),
            "train_mae_mev": float(np.abs(predicted - y)[split["train"]].mean() * 1000),
            "test_mae_mev": float(np.abs(predicted - y)[test].mean() * 1000),
            "test_e_hull_mae_mev": float(np.abs(e_hull - arrays["energy_above_hull"])[test].mean() * 1000),
            "test_precision": scores["precision"], "test_recall": scores["recall"],
            "test_counts": {key: scores[key] for key in ("tp", "fp", "fn", "tn")}}


def train_all(out_dir: Path, kinds=("shell", "distance"), verbose: int = 0) -> dict:
    import keras
    import tensorflow as tf

    from course_utils import data
    from course_utils.learn import stability

    arrays = data.load("alloys")
    graph_arrays = crystal_graphs.alloy_graphs(arrays)
    split = stability.standard_split(arrays["elements"], seed=SEED)
    y = arrays["formation_energy"]
    record = {
        "command": "python scripts/train_stability_gnn.py",
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
                     "numpy": np.__version__},
        "data": {"name": "alloys", "sha256": data.metadata("alloys").get("sha256")},
        "split": {"heldout_pairs": [list(p) for p in stability.HELDOUT_PAIRS], "validation_fraction": 0.15,
                  "seed": SEED, "n_train": int(len(split["train"])), "n_validation": int(len(split["validation"])),
                  "n_test": int(len(split["test"]))},
        "graphs": {"k": 12, "node_kind": "onehot", "merge": True},
        "fit": {**graph_attention.DEFAULT_FIT, "seed": SEED},
        "models": {},
    }
    for kind in kinds:
        inputs = graph_attention.model_inputs(graph_arrays, kind)
        train = {key: value[split["train"]] for key, value in inputs.items()}
        val = {key: value[split["validation"]] for key, value in inputs.items()}
        model = graph_attention.build_model(kind, targets=y[split["train"]], seed=SEED, example_inputs=train)
        start = time.perf_counter()
        history = graph_attention.fit(model, train, y[split["train"]], val, y[split["validation"]], seed=SEED,
                             verbose=verbose, **graph_attention.DEFAULT_FIT)
        seconds = time.perf_counter() - start
        weights, _ = graph_attention.pretrained_paths(kind)
        path = out_dir / weights.name
        graph_attention.save_weights(model, path)
        losses = np.array(history["val_loss"])
        record["models"][kind] = {
            "config": model.get_config(), "n_weights": int(model.count_params()),
            "epochs_run": int(len(losses)), "best_epoch": int(losses.argmin() + 1),
            "train_seconds": round(seconds, 1),
            "weights_file": path.name, "weights_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "history": {"loss_mev": [round(v * 1000, 3) for v in history["loss"]],
                        "val_loss_mev": [round(v * 1000, 3) for v in history["val_loss"]]},
            **evaluate(model, inputs, arrays, split),
        }
        summary = {k: v for k, v in record["models"][kind].items() if k not in ("config", "history")}
        print(kind, json.dumps(summary, indent=1), flush=True)
    path = out_dir / "stability_gnn.json"
    if path.exists():  # keep the record of a model that was not retrained this time
        previous = json.loads(path.read_text()).get("models", {})
        record["models"] = {**{k: v for k, v in previous.items() if k not in kinds}, **record["models"]}
    path.write_text(json.dumps(record, indent=1) + "\n")
    return record


COUNT_TOLERANCE = 4
"""Test materials by which each confusion count (tp, fp, fn, tn) may differ in ``--check``."""


def compare(new: dict, old: dict, tolerance_mev: float) -> list[str]:
    """Differences between two records beyond ``tolerance_mev`` (MAEs) or ``COUNT_TOLERANCE`` (confusion counts).

    Precision and recall rest on about twenty predicted-stable test materials, so one material more or less moves
    them by 0.05. A retraining on another CPU takes another round-off path (oneDNN) and ends a few epochs elsewhere;
    materials within a few meV/atom of the tolerance then change side. The check therefore compares the four
    confusion counts, each to within ``COUNT_TOLERANCE`` materials of the 336, next to the MAEs to 1 meV/atom."""
    problems = []
    for kind, reference in old["models"].items():
        if kind not in new["models"]:
            problems.append(f"{kind}: not retrained")
            continue
        for key in ("validation_mae_mev", "test_mae_mev", "test_e_hull_mae_mev"):
            if abs(new["models"][kind][key] - reference[key]) > tolerance_mev:
                problems.append(f"{kind} {key}: {new['models'][kind][key]:.2f} vs recorded {reference[key]:.2f}")
        for key, count in reference["test_counts"].items():
            if abs(new["models"][kind]["test_counts"][key] - count) > COUNT_TOLERANCE:
                problems.append(f"{kind} test count {key}: {new['models'][kind]['test_counts'][key]} vs recorded "
                                f"{count}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="retrain in a temporary folder and compare metrics")
    parser.add_argument("--tolerance", type=float, default=1.0, help="meV/atom allowed between MAEs in --check")
    parser.add_argument("--kinds", default="shell,distance", help="comma-separated edge kinds to train")
    parser.add_argument("--verbose", type=int, default=0, help="Keras verbosity (0, 1 or 2)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    kinds = tuple(args.kinds.split(","))
    if args.check:
        from course_utils.learn.graph_attention import pretrained_paths

        old = json.loads(pretrained_paths("shell")[1].read_text())
        with tempfile.TemporaryDirectory() as folder:
            new = train_all(Path(folder), kinds, args.verbose)
        old["models"] = {k: v for k, v in old["models"].items() if k in kinds}
        problems = compare(new, old, args.tolerance)
        print("\n".join(problems) if problems else "retrained metrics agree with the recorded ones")
        return 1 if problems else 0
    from course_utils.data import DATA_DIR

    train_all(DATA_DIR, kinds, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
