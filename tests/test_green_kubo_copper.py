"""The shipped Green-Kubo run of notebook 10 (scripts/green_kubo_copper.py): its file matches its record, and a
fresh run of the first steps reproduces it."""

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "green_kubo_copper.py"


def _script():
    spec = importlib.util.spec_from_file_location("green_kubo_copper", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_run_matches_its_record():
    gk = _script()
    arrays, meta = gk.load()
    assert meta["sha256"] == hashlib.sha256(gk.OUT.with_suffix(".npz").read_bytes()).hexdigest()
    assert meta["params"] == gk.PARAMS
    assert arrays["flux"].shape == (gk.PARAMS["n_steps"] + 1, 3)
    assert np.all(np.isfinite(arrays["flux"])) and 200 < arrays["temperature"].mean() < 450


@pytest.mark.slow
def test_first_steps_of_the_shipped_run_are_reproduced():
    assert _script().check() < 1e-6
