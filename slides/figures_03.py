"""Figures and measured values of deck 03 (energy functionals): dipoles from QEq and kernel QEq.

Part A of the notebook, recomputed with its recipe: the shipped ``molecules_small`` GFN2-xTB data, the same
seeded split (1500 training and 500 held-out molecules), fixed-parameter QEq, kernel QEq with its width scale and
hardness chosen on the same validation molecules, and the kernel-charge baseline. Part B's learned functional
needs TensorFlow, so its held-out error is read from the record of the shipped network
(``course_utils/datasets/xc_molecules_model.json``, written by ``scripts/train_xc_molecules.py``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

SEED = 0
N_TRAIN, N_TEST = 1500, 500
CANDIDATES = [{"width_scale": 1.0, "hardness": 0.0}, {"width_scale": 2.0, "hardness": 0.0},
              {"width_scale": 2.0, "hardness": 5.0}]
BASELINE = "kernel charges\n(baseline)"
RECORD = Path(__file__).resolve().parents[1] / "course_utils" / "datasets" / "xc_molecules_model.json"


@functools.cache
def _dipole_errors() -> dict[str, float]:
    from threadpoolctl import threadpool_limits

    from course_utils import data
    from course_utils.learn import kqeq
    from course_utils.units import DEBYE_TO_E_ANGSTROM

    arrays = data.load("molecules_small")
    main_rows = np.flatnonzero(arrays["ok"] & (arrays["split"] == "main"))
    order = np.random.default_rng(SEED).permutation(main_rows)
    train_rows, test_rows = order[:N_TRAIN], order[N_TRAIN:N_TRAIN + N_TEST]
    mu_train, mu_test = arrays["dipole"][train_rows], arrays["dipole"][test_rows]

    def mae(predicted, reference):
        return float(kqeq.dipole_errors(predicted, reference).mean() / DEBYE_TO_E_ANGSTROM)

    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: one thread is faster
        everything = kqeq.MoleculeSet.from_arrays(arrays, np.concatenate([train_rows, test_rows]))
        train, test = everything.subset(np.arange(N_TRAIN)), everything.subset(np.arange(N_TRAIN, N_TRAIN + N_TEST))
        fit_part, val_part = train.subset(np.arange(1200)), train.subset(np.arange(1200, N_TRAIN))
        validation = [mae(kqeq.KernelQEq(**c).fit(fit_part, mu_train[:1200]).predict(val_part), mu_train[1200:])
                      for c in CANDIDATES]
        models = {"fixed QEq": kqeq.FixedQEq(j_min=-10.0),
                  "kernel QEq": kqeq.KernelQEq(**CANDIDATES[int(np.argmin(validation))]),
                  BASELINE: kqeq.KernelCharges()}
        errors = {name: mae(model.fit(train, mu_train).predict(test), mu_test) for name, model in models.items()}
    errors["predicting zero"] = float(np.linalg.norm(mu_test, axis=1).mean() / DEBYE_TO_E_ANGSTROM)
    return errors


def dipole_errors():
    import matplotlib.pyplot as plt

    errors = _dipole_errors()
    fig, ax = plt.subplots(figsize=(8.5, 4.0))
    names = list(errors)
    ax.barh(range(len(names)), [errors[n] for n in names], color=["C0", "C1", "C2", "0.6"])
    for k, name in enumerate(names):
        ax.text(errors[name], k, f" {errors[name]:.2f} D", va="center", fontsize=14)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.2 * max(errors.values()))
    ax.set_xlabel("dipole MAE on 500 held-out molecules (D)")
    ax.set_ylabel("model")
    ax.set_title("Dipoles of GFN2-xTB, trained on 1500 molecules")
    fig.tight_layout()
    return fig


def _record() -> dict:
    return json.loads(RECORD.read_text(encoding="utf-8"))["model"]


VALUES = {
    "fixed_mae": lambda: f"{_dipole_errors()['fixed QEq']:.2f}",
    "kqeq_mae": lambda: f"{_dipole_errors()['kernel QEq']:.2f}",
    "baseline_mae": lambda: f"{_dipole_errors()[BASELINE]:.2f}",
    "kqeq_gain": lambda: f"{1 - _dipole_errors()['kernel QEq'] / _dipole_errors()['fixed QEq']:.0%}",
    "xc_test_mae": lambda: f"{1000 * _record()['test']['e_mae']:.0f}",
    "xc_parameters": lambda: f"{_record()['parameters']}",
}
FIGURES = {"dipole_errors": dipole_errors}
