"""Validation scan behind the hyper-parameters of notebook 03's kQEq and charge-baseline models.

Trains on the first 1,200 of notebook 03's 1,500 training molecules and measures the dipole MAE (Debye, vector
error) on the other 300 (never on the test or extrapolation molecules), over the Gaussian width scale, a uniform
hardness J and the regularisation. About two minutes on one core. Usage: python scripts/kqeq_hyperparameters.py
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from course_utils import data
from course_utils.learn import kqeq
from course_utils.units import DEBYE_TO_E_ANGSTROM


def main():
    arrays = data.load("molecules_small")
    main_rows = np.flatnonzero(arrays["ok"] & (arrays["split"] == "main"))
    order = np.random.default_rng(0).permutation(main_rows)
    train = order[:1500]
    molecules = kqeq.MoleculeSet.from_arrays(arrays, train)
    fit, val = molecules.subset(np.arange(1200)), molecules.subset(np.arange(1200, 1500))
    mu_fit, mu_val = arrays["dipole"][train[:1200]], arrays["dipole"][train[1200:]]

    def mae(model):
        return kqeq.dipole_errors(model.predict(val), mu_val).mean() / DEBYE_TO_E_ANGSTROM

    for lam in (1e-4, 1e-3, 1e-2, 1e-1):
        print(f"baseline lambda={lam:g}: {mae(kqeq.KernelCharges(regularization=lam).fit(fit, mu_fit)):.3f} D")
    for ws, j, lam in itertools.product((1.0, 1.5, 2.0, 3.0), (0.0, 2.0, 5.0, 10.0), (1e-4, 1e-3, 1e-2)):
        t = time.perf_counter()
        model = kqeq.KernelQEq(regularization=lam, hardness=j, width_scale=ws).fit(fit, mu_fit)
        print(f"kQEq width_scale={ws:g} J={j:g} lambda={lam:g}: {mae(model):.3f} D "
              f"({time.perf_counter() - t:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
