"""pytest plugin: measure every notebook that nbval executes, and fail it when it breaks the course budget.

For each notebook (an nbval ``IPyNbFile``) it records the wall time from the kernel's start to the end of the
last cell -- what a student waits for after "Restart & Run All" -- and the kernel's peak resident memory
(``VmHWM`` from ``/proc``, the high-water mark of the kernel process; on systems without ``/proc`` the
largest of periodic ``psutil`` samples). A notebook over budget fails with a message giving the figures.
The measured table is written to ``build/reports/notebooks.md`` (and printed at the end of the session), so a test
run never modifies tracked files; ``make report`` copies it to the tracked ``reports/notebooks.md`` and into the
notebooks' headers (``scripts/update_report.py``).

Budgets: 120 s and 1.5 GB per notebook (the course's promise for Binder and 2-core laptops). They can be
lowered with ``--notebook-time-budget``/``--notebook-memory-budget`` (used by the harness's own test).
"""

from __future__ import annotations

import os
import platform
import threading
import time
from pathlib import Path

import pytest

TIME_BUDGET_S = 120.0
MEMORY_BUDGET_GB = 1.5
REPORT = Path(__file__).resolve().parents[2] / "build" / "reports" / "notebooks.md"


def pytest_addoption(parser):
    group = parser.getgroup("notebook budget")
    group.addoption("--notebook-time-budget", type=float, default=TIME_BUDGET_S,
                    help="seconds a notebook may take from kernel start to its last cell (default 120)")
    group.addoption("--notebook-memory-budget", type=float, default=MEMORY_BUDGET_GB,
                    help="peak resident memory of a notebook's kernel in GB (default 1.5)")
    group.addoption("--notebook-report", default=str(REPORT),
                    help="where to write the measured table (markdown); '' to skip")


def _kernel_pid(nbfile) -> int | None:
    kernel = getattr(nbfile, "kernel", None)
    km = getattr(kernel, "km", None)
    provisioner = getattr(km, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    if pid is None:
        process = getattr(provisioner, "process", None)
        pid = getattr(process, "pid", None)
    return pid


def _peak_rss_bytes(pid: int) -> int | None:
    """High-water mark of the resident set of ``pid`` (Linux), else ``None``."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class _Sampler(threading.Thread):
    """Fallback where /proc is missing: sample the kernel's RSS every 0.2 s."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._stop = pid, 0, threading.Event()

    def run(self):
        import psutil

        try:
            process = psutil.Process(self.pid)
            while not self._stop.is_set():
                self.peak = max(self.peak, process.memory_info().rss)
                time.sleep(0.2)
        except psutil.Error:
            pass

    def stop(self) -> int:
        self._stop.set()
        self.join(timeout=1)
        return self.peak


class NotebookBudget:
    def __init__(self, config):
        self.config = config
        self.time_budget = config.getoption("--notebook-time-budget")
        self.memory_budget = config.getoption("--notebook-memory-budget")
        self.started: dict[str, float] = {}
        self.samplers: dict[str, _Sampler] = {}
        self.rows: list[tuple[str, float, float | None, str]] = []

    @staticmethod
    def _nbfile(item):
        parent = item.parent
        return parent if type(parent).__name__ == "IPyNbFile" else None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        nbfile = self._nbfile(item)
        if nbfile is None or nbfile.nodeid in self.started:
            return
        # The kernel starts in the file's setup, which runs right after this hook for the first cell.
        self.started[nbfile.nodeid] = time.perf_counter()

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_call(self, item):
        nbfile = self._nbfile(item)
        if nbfile is None or nbfile.nodeid in self.samplers or Path("/proc/self/status").exists():
            return
        pid = _kernel_pid(nbfile)
        if pid is not None:
            self.samplers[nbfile.nodeid] = sampler = _Sampler(pid)
            sampler.start()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        nbfile = self._nbfile(item)
        if nbfile is None or (nextitem is not None and nextitem.parent is nbfile):
            return (yield)
        # Last cell of this notebook: the kernel is still alive (nbval stops it in the file's teardown).
        seconds = time.perf_counter() - self.started[nbfile.nodeid]
        pid = _kernel_pid(nbfile)
        peak = _peak_rss_bytes(pid) if pid is not None else None
        if nbfile.nodeid in self.samplers:
            peak = self.samplers.pop(nbfile.nodeid).stop() or peak
        gigabytes = None if peak is None else peak / 1e9
        problems = []
        if seconds > self.time_budget:
            problems.append(f"took {seconds:.1f} s, over the budget of {self.time_budget:g} s")
        if gigabytes is not None and gigabytes > self.memory_budget:
            problems.append(f"peaked at {gigabytes:.2f} GB, over the budget of {self.memory_budget:g} GB")
        name = Path(str(nbfile.fspath)).name
        self.rows.append((name, seconds, gigabytes, "; ".join(problems) or "ok"))
        result = yield  # nbval stops the kernel here
        if problems:
            pytest.fail(f"notebook {name} " + " and ".join(problems), pytrace=False)
        return result

    def pytest_terminal_summary(self, terminalreporter):
        if not self.rows:
            return
        lines = self.table()
        terminalreporter.write_sep("-", "notebook run time and peak memory")
        for line in lines[2:]:
            terminalreporter.write_line(line)
        target = self.config.getoption("--notebook-report")
        if target:
            self.write_report(Path(target), lines)

    def table(self) -> list[str]:
        return table(self.rows)

    def write_report(self, path: Path, lines: list[str]):
        write_report(path, lines)


def table(rows) -> list[str]:
    """The measured table, markdown: one row per ``(name, seconds, gigabytes or None, status)``."""
    lines = ["| notebook | wall time (s) | peak memory (GB) | budget |", "|---|---:|---:|---|"]
    for name, seconds, gigabytes, status in sorted(rows):
        memory = "n/a" if gigabytes is None else f"{gigabytes:.2f}"
        lines.append(f"| {name} | {seconds:.1f} | {memory} | {status} |")
    return lines


def write_report(path: Path, lines: list[str], how: str | None = None, extra: list[str] = ()):
    """Write the table ``lines`` to ``path``, keeping the rows of notebooks not run this time (a single notebook
    was tested). ``how`` says what measured it; ``extra`` lines go below the table."""
    previous = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("| ") and line.endswith("|") and ".ipynb" in line:
                previous[line.split("|")[1].strip()] = line
    for line in lines[2:]:
        previous[line.split("|")[1].strip()] = line
    path.parent.mkdir(parents=True, exist_ok=True)
    how = how or ("Measured by `make test` (tests/plugins/notebook_budget.py, nbval) and copied here by `make "
                  "report`: wall time from kernel start to the end of the last cell, and the kernel's peak resident "
                  "memory.")
    header = [
        "# Notebook run time and peak memory",
        "",
        how + f" Budgets: {TIME_BUDGET_S:g} s and {MEMORY_BUDGET_GB:g} GB per notebook.",
        "",
        f"Last run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}.",
        "",
        *lines[:2],
        *[previous[key] for key in sorted(previous)],
        "",
        *extra,
    ]
    path.write_text("\n".join(header).rstrip("\n") + "\n")


def pytest_configure(config):
    config.pluginmanager.register(NotebookBudget(config), "notebook-budget-instance")
