"""Binder's pip route, built here from ``binder/`` alone, runs the welcome notebook and the heaviest one.

What repo2docker does with this repository (read in jupyterhub/repo2docker, ``repo2docker/app.py``,
``repo2docker/buildpacks/base.py``, ``buildpacks/conda/__init__.py`` and ``buildpacks/python/__init__.py`` at commit
808ae6bb888511b5464d9405abcef8f26e38bd1b, and its docs ``docs/source/use/repository.md`` and
``docs/source/configuration/{development,system,actions}.md``):

1. A ``binder/`` folder exists, so only the files in it are read; the top-level ``environment.yml`` (the conda
   route) and ``pyproject.toml`` are ignored (``BuildPack.binder_dir``; the ``pyproject.toml`` checks and the
   automatic ``pip install .`` of ``PythonBuildPack`` are skipped when ``binder_dir`` is set).
2. Buildpacks are tried in the order Dockerfile, Julia, Nix, R, conda, Pipfile, Python (``Repo2Docker.buildpacks``).
   ``CondaBuildPack.detect`` is true whenever ``binder/environment.yml`` exists, which is why that file must not;
   ``PythonBuildPack.detect`` is true for ``binder/runtime.txt`` naming ``python`` (tests/test_environment_files.py
   checks that binder/ holds only the three generated files).
3. ``runtime.txt`` is parsed whole as ``name-version`` (``BuildPack.runtime``): ``python-3.11`` gives Python 3.11 in
   a conda environment ``${NB_PYTHON_PREFIX}`` (``/srv/conda/envs/notebook``) built from repo2docker's frozen base
   (JupyterLab, notebook, ipywidgets, jupyterhub-singleuser); kernel and server share it (``KERNEL_PYTHON_PREFIX =
   NB_PYTHON_PREFIX``), and its ``bin`` comes first on ``PATH``.
4. Before the repository is copied in (the "preassemble" step, since ``requirements.txt`` has no local reference
   such as ``-e .`` or ``-r``), only ``binder/requirements.txt`` is copied to ``${REPO_DIR}`` (= ``$HOME``) and, as
   the notebook user with ``WORKDIR ${REPO_DIR}``, ``${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r
   "binder/requirements.txt"`` runs (``PythonBuildPack._get_pip_scripts``).
5. The whole repository is copied to ``${REPO_DIR}``; then, as the notebook user, still in ``${REPO_DIR}``,
   ``chmod +x binder/postBuild`` and ``./binder/postBuild`` (the Dockerfile template in ``buildpacks/base.py``): our
   postBuild's ``pip`` is the environment's (first on ``PATH``), and it installs the course editable from the
   repository root.

This test mirrors that on this machine: a venv from the Python that ``runtime.txt`` names (found by
scripts/find_python.sh; skipped loudly when absent) stands for the environment; pip is first upgraded, as ``make
setup`` does, so that it shares pip's cache with the course's venvs (pip 23.3 moved the cache to ``http-v2``); ``pip
install -r binder/requirements.txt`` runs from a folder that holds only that file; postBuild runs from a copy of the
tracked files (``git ls-files``), so nothing of the developer's venvs, build/ or caches can help. Unlike repo2docker
it uses pip's cache (no ``--no-cache-dir``), so that on a machine that just installed the same pins it is quick, and
it skips byte-compilation (``--no-compile``, half the install time). Both notebooks then run in that venv's kernel
(nbclient from the venv, ``$HOME`` the repository copy as in the image), and any error output fails the test.
repo2docker's frozen base (its own JupyterLab and jupyterhub-singleuser, which pip then upgrades to our pins) is not
reproduced: no conda here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# nbclient in the venv executes each notebook with the kernel the notebook names (python3: the venv's ipykernel),
# from the notebook's folder, and reports the first error; a last cell added in memory says which Python and
# which course_utils the kernel used.
RUNNER = textwrap.dedent('''
    import json, sys, time
    from pathlib import Path
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    results = []
    for path in map(Path, sys.argv[1:]):
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(
            "import sys, course_utils\\nprint(sys.executable)\\nprint(course_utils.__file__)"))
        client = NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        try:
            client.execute()
            error = None
        except CellExecutionError as exc:
            error = str(exc)[-4000:]
        errors = [f"{out.get('ename')}: {out.get('evalue')}" for cell in nb.cells if cell.cell_type == "code"
                  for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        probe = "".join(out.get("text", "") for out in nb.cells[-1].get("outputs", [])).split()
        results.append({"notebook": path.name, "seconds": round(time.perf_counter() - start, 1),
                        "error": error, "error_outputs": errors, "probe": probe})
    print("RESULTS " + json.dumps(results))
''')


def heaviest_notebook(report: Path = ROOT / "reports" / "notebooks.md") -> str:
    """The notebook with the largest peak memory in the tracked report (the last make report)."""
    rows = re.findall(r"^\|\s*(\d\d_\w+\.ipynb)\s*\|\s*[\d.]+\s*\|\s*([\d.]+)\s*\|", report.read_text(), re.M)
    assert rows, f"no notebook rows in {report}"
    return max(rows, key=lambda row: float(row[1]))[0]


def _run(command, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _copy_tracked_files(destination: Path) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("the Binder test copies the tracked files with git ls-files: run it in a git checkout")
    listed = _run(["git", "ls-files", "-z"], cwd=ROOT).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if not source.is_file():  # deleted in the work tree, not yet committed
            continue
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


@pytest.mark.slow
def test_binder_pip_route_runs_welcome_and_heaviest_notebook(tmp_path):
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"binder/runtime.txt is {runtime!r}, expected python-X.Y"
    version = match.group(1)
    found = subprocess.run(["bash", str(ROOT / "scripts" / "find_python.sh"), version], capture_output=True,
                           text=True)
    if found.returncode != 0:
        pytest.skip(f"!!!!!!!! PYTHON {version} (binder/runtime.txt) NOT FOUND on this machine: the Binder route "
                    "was NOT tested. Install it (pyenv install, apt, ...) and run again. !!!!!!!!")
    python = found.stdout.strip()
    notebooks = ["00_welcome.ipynb"]
    if heaviest_notebook() not in notebooks:
        notebooks.append(heaviest_notebook())

    # Nothing from the developer's set-up: no PYTHONPATH (the worktree), no active venv, no Jupyter paths.
    base_env = {key: value for key, value in os.environ.items()
                if key not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "CONDA_PREFIX")
                and not key.startswith("JUPYTER")}
    venv = tmp_path / "venv"
    repo = tmp_path / "repo"
    stage = tmp_path / "preassemble"
    times = {}
    try:
        start = time.perf_counter()
        _run([python, "-m", "venv", str(venv)], env=base_env)
        env = {**base_env, "PATH": f"{venv / 'bin'}{os.pathsep}{base_env.get('PATH', '')}",
               "VIRTUAL_ENV": str(venv)}
        pip = [str(venv / "bin" / "python"), "-m", "pip"]
        _run([*pip, "install", "--quiet", "--upgrade", "pip"], env=env)
        # The preassemble step sees binder/requirements.txt and nothing else of the repository.
        (stage / "binder").mkdir(parents=True)
        shutil.copy2(ROOT / "binder" / "requirements.txt", stage / "binder" / "requirements.txt")
        # --no-compile: byte-compiling every installed module (TensorFlow's thousands) took 80 of this step's
        # 150 s here; the kernel compiles what the notebooks import when they import it.
        _run([*pip, "install", "--quiet", "--no-compile", "-r", "binder/requirements.txt"], cwd=stage, env=env)
        times["venv and requirements"] = time.perf_counter() - start

        start = time.perf_counter()
        _copy_tracked_files(repo)
        post_build = repo / "binder" / "postBuild"
        post_build.chmod(0o755)
        _run(["./binder/postBuild"], cwd=repo, env=env)
        times["copy and postBuild"] = time.perf_counter() - start

        # The kernel as a Binder user gets it: $HOME is the repository (repo2docker's REPO_DIR), fresh caches.
        kernel_env = {key: value for key, value in env.items() if not key.startswith("XDG_")}
        kernel_env["HOME"] = str(repo)
        runner = tmp_path / "run_notebooks.py"
        runner.write_text(RUNNER)
        start = time.perf_counter()
        result = _run([str(venv / "bin" / "python"), str(runner),
                       *(str(repo / "notebooks" / name) for name in notebooks)], cwd=repo, env=kernel_env)
        times["notebooks"] = time.perf_counter() - start
        line = next(line for line in result.stdout.splitlines() if line.startswith("RESULTS "))
        results = json.loads(line.removeprefix("RESULTS "))
    finally:
        shutil.rmtree(venv, ignore_errors=True)  # about 3 GB
    print("Binder route: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in times.items()) + "; " +
          ", ".join(f"{r['notebook']} {r['seconds']} s" for r in results))
    assert [r["notebook"] for r in results] == notebooks
    for r in results:
        assert r["error"] is None and not r["error_outputs"], f"{r['notebook']} failed in the Binder venv:\n" \
            f"{r['error_outputs']}\n{r['error']}"
        executable, module = r["probe"]
        assert Path(executable).parent == venv / "bin", f"{r['notebook']} ran in {executable}, not the Binder venv"
        assert Path(module).is_relative_to(repo), f"{r['notebook']} imported course_utils from {module}"


def test_heaviest_notebook_is_read_from_the_report(tmp_path):
    report = tmp_path / "notebooks.md"
    report.write_text("| notebook | wall time (s) | peak memory (GB) | budget |\n|---|---:|---:|---|\n"
                      "| 00_welcome.ipynb | 4.0 | 0.14 | ok |\n| 07_schnet.ipynb | 65.9 | 1.09 | ok |\n"
                      "| 08_spectroscopy.ipynb | 30.6 | 1.03 | ok |\n")
    assert heaviest_notebook(report) == "07_schnet.ipynb"
    assert heaviest_notebook() in {path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
