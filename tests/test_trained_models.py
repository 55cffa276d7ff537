"""Shipped trained weights are reproduced by their training scripts (same data, same seeds, same metrics).

``make test`` checks a sample of each record, to keep CI inside its time: the xc models without the non-local
one (its 80 s of training are half of the script's time) and the stability GNN's shell graphs (the distance graphs
take 90 s more). Each script with ``--check`` and no selection retrains and compares every model it ships:
``python scripts/train_xc_models.py --check`` and ``python scripts/train_stability_gnn.py --check``.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("command", [["scripts/train_xc_models.py", "local", "semilocal"],
                                     ["scripts/train_xc_molecules.py"],
                                     ["scripts/train_stability_gnn.py", "--kinds", "shell"],
                                     ["scripts/train_schnet.py"],
                                     ["scripts/train_copper_schnet.py"],
                                     ["scripts/train_spectra.py"],
                                     ["scripts/train_field_schnet.py"]], ids=lambda c: Path(c[0]).stem)
def test_training_script_reproduces_shipped_metrics(command):
    script, *selection = command
    result = subprocess.run([sys.executable, script, "--check", *selection], cwd=ROOT, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"{script} --check failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


def test_stability_check_compares_maes_and_confusion_counts():
    import importlib.util

    spec = importlib.util.spec_from_file_location("train_stability_gnn", ROOT / "scripts" / "train_stability_gnn.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    model = {"validation_mae_mev": 8.0, "test_mae_mev": 29.0, "test_e_hull_mae_mev": 16.0,
             "test_counts": {"tp": 16, "fp": 5, "fn": 16, "tn": 299}}
    old = {"models": {"shell": model}}
    near = {**model, "test_mae_mev": 29.5, "test_counts": {"tp": 16, "fp": 2, "fn": 16, "tn": 302}}
    assert script.compare({"models": {"shell": near}}, old, 1.0) == []
    far = {**model, "test_counts": {"tp": 6, "fp": 5, "fn": 26, "tn": 299}}
    assert [p.split(":")[0] for p in script.compare({"models": {"shell": far}}, old, 1.0)] == \
        ["shell test count tp", "shell test count fn"]
    worse = {**model, "validation_mae_mev": 9.5}
    assert script.compare({"models": {"shell": worse}}, old, 1.0) == ["shell validation_mae_mev: 9.50 vs recorded 8.00"]
    assert script.compare({"models": {}}, old, 1.0) == ["shell: not retrained"]
