"""Figures and measured values of deck 02 (thermodynamic stability): hulls of EMT alloys and the model comparison.

The composition-only forests are retrained now exactly as in the notebook (same split, descriptors and seeds);
the two graph-attention networks are too costly to load for a slide (TensorFlow), so their held-out errors are
read from the record that ``scripts/train_stability_gnn.py`` wrote beside the shipped weights
(``course_utils/datasets/stability_gnn.json``), which the notebook reproduces from the weights in a visible check.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

SEED = 0
MEV = 1000.0
RECORD = Path(__file__).resolve().parents[1] / "course_utils" / "datasets" / "stability_gnn.json"


@functools.cache
def _alloys():
    from course_utils import data

    return data.load("alloys")


def _record() -> dict:
    return json.loads(RECORD.read_text(encoding="utf-8"))


@functools.cache
def _results() -> dict[str, dict]:
    from sklearn.ensemble import RandomForestRegressor

    from course_utils.atoms import descriptors
    from course_utils.learn import stability

    alloys = _alloys()
    y = alloys["formation_energy"]
    split = stability.standard_split(alloys["elements"], stability.HELDOUT_PAIRS, validation_fraction=0.15,
                                     seed=SEED)
    train, test = split["train"], split["test"]
    known = np.ones(len(y), dtype=bool)
    known[test] = False
    X_comp = descriptors.composition_descriptors(alloys["fractions"])
    names = sorted(set(alloys["prototype"]))
    X_label = np.hstack([X_comp, (alloys["prototype"][:, None] == np.array(names)[None, :]).astype(float)])
    results = {}
    for name, X in (("random forest\n(composition)", X_comp), ("random forest\n(composition +\nprototype name)",
                                                               X_label)):
        predicted = RandomForestRegressor(n_estimators=100, random_state=SEED, n_jobs=2).fit(X[train],
                                                                                           y[train]).predict(X)
        e_hull_pred = stability.predicted_energy_above_hull(alloys["fractions"], y, predicted, known)[test]
        scores = stability.stability_scores(alloys["energy_above_hull"][test], e_hull_pred, stability.STABILITY_TOL)
        results[name] = {"mae": np.abs(predicted - y)[test].mean() * MEV, "precision": scores["precision"],
                         "recall": scores["recall"]}
    record = _record()
    for kind, name in (("shell", "graph attention\n(prototype shells)"),
                       ("distance", "graph attention\n(relaxed distances)")):
        model = record["models"][kind]
        results[name] = {"mae": model["test_mae_mev"], "precision": model["test_precision"],
                         "recall": model["test_recall"]}
    results["_n_test"] = {"mae": len(test), "precision": 0.0, "recall": 0.0}
    return results


def model_errors():
    import matplotlib.pyplot as plt

    results = {k: v for k, v in _results().items() if not k.startswith("_")}
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(8.8, 4.6), gridspec_kw={"width_ratios": [1.25, 1]})
    names = list(results)
    colours = ["C0", "C0", "C1", "C2"]
    ax0.barh(range(len(names)), [results[n]["mae"] for n in names], color=colours)
    ax0.set_yticks(range(len(names)), names, fontsize=13)
    ax0.invert_yaxis()
    ax0.set_xlabel("test MAE of $E_f$ (meV/atom)")
    ax0.set_ylabel("model")
    ax0.set_title("Formation energy")
    width = 0.38
    positions = np.arange(len(names))
    ax1.barh(positions - width / 2, [results[n]["precision"] for n in names], width, color="C3", label="precision")
    ax1.barh(positions + width / 2, [results[n]["recall"] for n in names], width, color="C5", label="recall")
    ax1.set_yticks(positions, [""] * len(names))
    ax1.invert_yaxis()
    ax1.set_xlim(0, 1)
    ax1.set_xlabel("fraction")
    ax1.set_ylabel("model (as on the left)")
    ax1.set_title("Stable within 5 meV/atom")
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=13)
    fig.tight_layout()
    return fig


def cu_au_hull():
    import matplotlib.pyplot as plt

    from course_utils.atoms.elements import ELEMENTS
    from course_utils.learn import stability

    alloys = _alloys()
    systems = stability.chemical_systems(alloys["elements"])
    rows = np.flatnonzero((systems == "Au-Cu") | (systems == "Au") | (systems == "Cu"))
    x_au = alloys["fractions"][rows, ELEMENTS.index("Au")]
    e_f = alloys["formation_energy"][rows] * MEV
    on = alloys["on_hull"][rows]
    fig, ax = plt.subplots(figsize=(8.8, 4.0))
    for parent, marker in (("fcc", "o"), ("bcc", "s"), ("hcp", "^")):
        pick = alloys["parent"][rows] == parent
        ax.scatter(x_au[pick], e_f[pick], marker=marker, s=36, alpha=0.7, label=f"{parent}-derived prototypes")
    order = np.argsort(x_au[on])
    ax.plot(x_au[on][order], e_f[on][order], "k-", lw=1.5, label="convex hull")
    ax.set_xlabel("fraction of Au, $x_\\mathrm{Au}$")
    ax.set_ylabel("formation energy $E_f$ (meV/atom)")
    ax.set_title("Au–Cu compounds relaxed with EMT")
    ax.legend(fontsize=13, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def _value(name: str, key: str, fmt: str) -> str:
    return format(_results()[name][key], fmt)


VALUES = {
    "n_compounds": lambda: f"{len(_alloys()['formation_energy'])}",
    "n_test": lambda: f"{_results()['_n_test']['mae']:.0f}",
    "rf_mae": lambda: _value("random forest\n(composition)", "mae", ".0f"),
    "rf_precision": lambda: _value("random forest\n(composition)", "precision", ".2f"),
    "proto_mae": lambda: _value("graph attention\n(prototype shells)", "mae", ".0f"),
    "proto_precision": lambda: _value("graph attention\n(prototype shells)", "precision", ".2f"),
    "proto_recall": lambda: _value("graph attention\n(prototype shells)", "recall", ".2f"),
    "proto_val_mae": lambda: f"{_record()['models']['shell']['validation_mae_mev']:.0f}",
    "relaxed_mae": lambda: _value("graph attention\n(relaxed distances)", "mae", ".0f"),
}
FIGURES = {"model_errors": model_errors, "cu_au_hull": cu_au_hull}
