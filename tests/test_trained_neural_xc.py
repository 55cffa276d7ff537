"""The shipped neural xc networks of notebook 09: checksum, consistency of the record, and a short re-run of
scripts/train_neural_xc.py (first training steps and evaluation of the shipped weights) against the record."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from course_utils.onedim import ks_regularizer as ksr

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_file_matches_its_record():
    arrays, record = ksr.load_shipped()
    names = [str(n) for n in arrays["names"]]
    assert names == list(ksr.TRAIN + ksr.HELDOUT)
    for label in ("lda", "scf", "direct"):
        recorded = np.array([record["errors"][label]["energy_error_mha"][n] for n in names])
        np.testing.assert_allclose(recorded, 1000 * arrays[f"energy_error_{label}"], rtol=1e-12)
    assert len(arrays["loss_scf"]) == record["scf"]["steps"]
    with pytest.raises(ValueError, match="label"):
        ksr.network_from(arrays, record, "other")
    with pytest.raises(ValueError, match="name"):
        ksr.references_from(arrays, ["H9"])


@pytest.mark.slow
def test_training_script_check_reproduces_the_record():
    pytest.importorskip("tensorflow")
    spec = importlib.util.spec_from_file_location("train_neural_xc", ROOT / "scripts" / "train_neural_xc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.run(check=True) == 0
