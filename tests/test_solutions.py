"""Every exercise solution in notebooks/solutions runs and passes its check, the way a student uses it.

Each solution file names its check in its first line: ``# ... (check: exercises.check_x(answer))``. The test runs,
in the notebooks folder (where ``%load`` runs it): the notebook's setup (its first code cell, with its imports and
constants, and in a notebook in parts each part's code cell that starts with ``# Setup``), then the solution, then
*the notebook's own check cell* for that exercise (the code cell before the ``%load`` cell), in one namespace --
what ``%load`` followed by the check cell does in the notebook.
"""

import ast
import json
import os
import re
from pathlib import Path

import pytest

SOLUTIONS = sorted((Path(__file__).resolve().parents[1] / "notebooks" / "solutions").glob("*.py"))
# These train Keras networks (about 20 s, 10 s and 3 s): run by make test, not by make test-fast.
SLOW = {"01_ml_concepts_ex4.py", "04_one_body_rdm_ex3.py", "06_deep_learning_functionals_ex4.py"}
SOLUTION_PARAMS = [pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW else p for p in SOLUTIONS]
CHECK = re.compile(r"\(check: (exercises\.check_\w+\(.*\))\)\s*$")


def test_there_are_solutions():
    assert SOLUTIONS, "no solution files found in notebooks/solutions"


def _notebook_of(path: Path) -> Path:
    return path.parents[1] / (path.stem.rsplit("_ex", 1)[0] + ".ipynb")


def _code_cells(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def _check_cell(notebook: Path, solution: str) -> str:
    """The notebook's check cell for ``solution``: the last code cell with a check before its %load cell."""
    code = _code_cells(notebook)
    load = next(i for i, src in enumerate(code) if f"%load solutions/{solution}" in src)
    return next(code[i] for i in range(load - 1, -1, -1) if "exercises.check_" in code[i])


def _setup_cells(code: list[str], before: int) -> list[int]:
    """The setup cells a check may rely on: the first code cell, and (in a notebook in parts) every later code cell
    before the check whose first line starts with ``# Setup``."""
    return [0] + [i for i in range(1, before) if code[i].lstrip().startswith("# Setup")]


def _run_cell(source: str, namespace: dict, filename: str):
    """Run a cell like IPython does: every statement, then return the value of a final expression."""
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)
    if last is not None:
        return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
    return None


@pytest.mark.parametrize("path", SOLUTION_PARAMS, ids=[p.name for p in SOLUTIONS])
def test_solution_passes_the_notebooks_own_check(path, monkeypatch, capsys):
    first_line = path.read_text().splitlines()[0]
    match = CHECK.search(first_line)
    assert match, f"{path.name}: the first line must name its check as '(check: exercises.check_...(...))'"
    notebook = _notebook_of(path)
    check = _check_cell(notebook, path.name)
    assert match.group(1).split("(")[0] in check, f"{path.name}: its first line names another check than {check!r}"
    monkeypatch.chdir(path.parents[1])
    namespace = {"__name__": "__main__"}
    code = _code_cells(notebook)
    for index in _setup_cells(code, code.index(check)):
        _run_cell(code[index], namespace, f"{notebook.name} (setup cell {index})")
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    # The notebook imports `exercises` in an earlier cell (its first check cell or its setup): do the same.
    assert any(re.search(r"from course_utils import .*\bexercises\b", src) for src in code[:code.index(check) + 1]), (
        f"{notebook.name} uses `exercises` before importing it")
    from course_utils import exercises

    namespace.setdefault("exercises", exercises)
    feedback = _run_cell(check, namespace, f"{notebook.name} (check cell)")
    assert feedback is not None and feedback.passed, f"{path.name} through the notebook's check cell: {feedback}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_solution_is_loaded_by_its_notebook(path):
    notebook = _notebook_of(path)
    assert notebook.exists(), f"{path.name}: no notebook {notebook.name}"
    assert f"%load solutions/{path.name}" in notebook.read_text(), f"{notebook.name} does not %load {path.name}"
    assert os.sep not in path.stem
