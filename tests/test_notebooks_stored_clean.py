"""Notebooks are stored without outputs or execution counts, with a kernelspec, and follow the skeleton."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_has_kernelspec_and_skeleton(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", "a missing kernelspec makes JupyterLab ask"
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    number = path.name[:2]
    assert text.lstrip().startswith(f"# {number} ·"), f"{path.name}: title must start with '# {number} ·'"
    for heading in ("Learning objectives", "Key points", "References"):
        assert heading in text, f"{path.name}: missing '{heading}'"
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "ipywidgets" in code, f"{path.name}: needs at least one ipywidgets explorer"
    assert "exercises.check_" in code and "%load solutions/" in code, f"{path.name}: needs a checked exercise"
