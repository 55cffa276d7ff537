"""Every notebook in a real browser: JupyterLab on loopback, the notebook opened in headless Chromium, Run All
Cells, every cell finished, no error, every widget rendered, and each widget control moved once with the widget's
output changing. This is the one execution of each notebook in the full ``make test`` run:

* it measures what a student waits for (from "Run All" to the last cell's end) and the kernel's peak resident
  memory (``VmHWM``), fails a notebook over the course budget (120 s, 1.5 GB) and writes the table to
  ``build/reports/notebooks.md`` (``make report`` copies it into reports/ and the notebooks' headers);
* it saves the executed notebook (outputs and widget state) to ``build/executed/``, which the checks below read
  (error outputs, unexecuted cells) and from which ``make html`` builds the site without running anything again;
* it writes a full-page screenshot per notebook to ``build/browser/`` and a table (notebook, seconds, widget
  controls driven, tracebacks) to ``build/browser/report.md``.

Chromium comes from the system (Debian's ``chromium``; ``make test`` installs it when it can). Playwright's own
browser downloads are impossible offline, so they are never used. Without Chromium the tests skip loudly.
Run one notebook with ``pytest tests/test_browser.py -k 05_``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.plugins.notebook_budget import MEMORY_BUDGET_GB, TIME_BUDGET_S, table, write_report

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "browser"
EXECUTED = ROOT / "build" / "executed"
REPORT = ROOT / "build" / "reports" / "notebooks.md"
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RUN_TIMEOUT_S = 300  # a notebook that has not finished by then has failed anyway (budget 120 s)
WIDGET_TIMEOUT_S = 60  # a control's effect must show within this
# Text that each notebook must print (beyond running without error): a check that the run did real work.
EXPECTED_TEXT = {"00_welcome.ipynb": "units agree with ASE"}
pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Results of this session, written out at the end of the module.
_ROWS: list[tuple[str, float, float | None, str]] = []
_BROWSER_ROWS: list[str] = []
_SERVER: dict[str, float] = {}


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vm_hwm_bytes(pid: int) -> int | None:
    """Peak resident memory of process ``pid`` (Linux ``/proc``), else ``None``."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _kernel_pid(server_pid: int, kernel_id: str) -> int | None:
    """The process of kernel ``kernel_id``: a child of the server whose command line names its connection file."""
    import psutil

    for child in psutil.Process(server_pid).children(recursive=True):
        try:
            if any(kernel_id in part for part in child.cmdline()):
                return child.pid
        except psutil.Error:
            continue
    return None


class Lab:
    """A JupyterLab server on loopback serving a scratch copy of the notebooks (autosave must not touch ours)."""

    def __init__(self, work: Path):
        self.work = work
        shutil.copytree(ROOT / "notebooks", work / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        # Notebook 10 loads a script of the repository (../scripts from the notebooks folder), which finds the
        # shipped data from its own resolved path: a link, not a copy.
        (work / "scripts").symlink_to(ROOT / "scripts", target_is_directory=True)
        settings = work / "settings" / "@jupyterlab"
        self._setting(settings / "apputils-extension" / "notification.jupyterlab-settings",
                      {"fetchNews": "false", "checkForUpdates": False})
        # Render every cell (JupyterLab 4 virtualises long notebooks, which would hide prompts from the test), and
        # no autosave: the test saves once, when every cell has run.
        self._setting(settings / "notebook-extension" / "tracker.jupyterlab-settings", {"windowingMode": "none"})
        self._setting(settings / "docmanager-extension" / "plugin.jupyterlab-settings", {"autosave": False})
        # Save the widgets' state in the notebook, so the executed copy (and the static site) keeps them.
        self._setting(work / "settings" / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings",
                      {"saveState": True})
        self.port, self.token = _free_port(), uuid.uuid4().hex
        env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(work / "settings"),
               "JUPYTERLAB_WORKSPACES_DIR": str(work / "ws"), "JUPYTER_RUNTIME_DIR": str(work / "runtime")}
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={work / 'notebooks'}",
                   "--ServerApp.open_browser=False", "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=True"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.log_path = work / "lab.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=work)
        self.url = f"http://127.0.0.1:{self.port}"

    @staticmethod
    def _setting(path: Path, value: dict):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}?token={self.token}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def wait_ready(self, seconds: float = 60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                pytest.fail("JupyterLab exited:\n" + self.log_path.read_text()[-3000:])
            try:
                self.api("status")
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        pytest.fail(f"JupyterLab did not start within {seconds:g} s:\n" + self.log_path.read_text()[-3000:])

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = Lab(tmp_path_factory.mktemp("lab"))
    server.wait_ready()
    assert server.api("sessions") == [], "a fresh server has no kernel sessions"
    yield server
    peak = _vm_hwm_bytes(server.process.pid)
    if peak is not None:
        _SERVER["peak_gb"] = peak / 1e9
    server.stop()
    _write_reports()


@pytest.fixture(scope="module")
def lab_page(lab):
    """One JupyterLab page for the whole run: each notebook is opened from the file browser (loading JupyterLab
    once instead of once per notebook saves several seconds per notebook)."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("NO CHROMIUM FOUND: the browser tests did not run. Install Debian's chromium "
                    "(apt-get install chromium) and run make test again.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(20_000)
        page.goto(f"{lab.url}/lab?reset&token={lab.token}")
        page.locator(".jp-DirListing-item").first.wait_for(timeout=60_000)
        yield page
        browser.close()


def _write_reports():
    if not _ROWS:
        return
    how = ("Measured by `make test` (tests/test_browser.py: each notebook opened in JupyterLab in headless "
           "Chromium, Run All Cells) and copied here by `make report`: wall time from Run All to the end of the "
           "last cell, and the kernel's peak resident memory.")
    extra = []
    if "peak_gb" in _SERVER:
        extra = [f"JupyterLab server peak memory over the whole run: {_SERVER['peak_gb']:.2f} GB.", ""]
    write_report(REPORT, table(_ROWS), how=how, extra=extra)
    BUILD.mkdir(parents=True, exist_ok=True)
    lines = ["# Every notebook in JupyterLab (tests/test_browser.py)", "",
             "Seconds: Run All to the last cell's end. Around it (seconds): opening the notebook and starting its "
             "kernel / moving the widget controls / saving / the full-page screenshot.", "",
             "| notebook | seconds | open / widgets / save / screenshot | widget controls driven | tracebacks |",
             "|---|---:|---|---|---:|", *_BROWSER_ROWS,
             "", *extra]
    previous = BUILD / "report.md"
    if previous.exists():  # keep the rows of notebooks not run this time
        ours = {row.split("|")[1] for row in _BROWSER_ROWS}
        old = [line for line in previous.read_text().splitlines()
               if line.startswith("| ") and ".ipynb" in line and line.split("|")[1] not in ours]
        lines[6:6 + len(_BROWSER_ROWS)] = sorted(_BROWSER_ROWS + old)
    previous.write_text("\n".join(lines) + "\n")


def _prompts(panel) -> list[str]:
    return [p.strip() for p in panel.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()]


def _run_all(page, panel, lab: Lab, kernel_id: str, name: str) -> float:
    """Run All Cells and wait until every code cell has its execution count; the seconds it took."""
    n_cells = panel.locator(".jp-CodeCell").count()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    start = time.perf_counter()
    deadline = start + RUN_TIMEOUT_S
    while time.perf_counter() < deadline:
        prompts = _prompts(panel)
        done = [p for p in prompts if p.startswith("[") and p not in ("[ ]:", "[*]:")]
        if len(done) == n_cells:
            return time.perf_counter() - start
        if "[*]:" not in prompts and lab.api(f"kernels/{kernel_id}")["execution_state"] == "idle" \
                and time.perf_counter() - start > 5:
            # Nothing running and cells left unexecuted: a cell failed and JupyterLab skipped the rest.
            errors = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            text = "\n".join(errors.all_inner_texts())[-3000:]
            page.screenshot(path=str(BUILD / f"{Path(name).stem}_failed.png"))
            pytest.fail(f"{name}: Run All stopped with {n_cells - len(done)} cells not run:\n{text}")
        time.sleep(0.5)
    page.screenshot(path=str(BUILD / f"{Path(name).stem}_timeout.png"))
    pytest.fail(f"{name}: Run All did not finish in {RUN_TIMEOUT_S} s")


def _snapshot(view) -> str:
    """What a widget shows: its text and a digest of its images (figures redrawn by a control)."""
    images = view.locator("img").evaluate_all("els => els.map(e => e.src)")
    return view.inner_text() + "|" + hashlib.sha1("".join(images).encode()).hexdigest()


def _controls(view):
    """The controls inside one rendered widget: (kind, locator) for sliders, dropdowns, toggle buttons, check
    boxes and buttons."""
    found = []
    for kind, selector in (("slider", ".widget-slider .noUi-handle"), ("dropdown", ".widget-dropdown select"),
                           ("toggle", ".widget-toggle-buttons"), ("checkbox", ".widget-checkbox input"),
                           ("button", "button.widget-button")):
        for i in range(view.locator(selector).count()):
            found.append((kind, view.locator(selector).nth(i)))
    return found


def _label(control) -> str:
    box = control.locator("xpath=ancestor::div[contains(@class,'widget-inline-hbox')][1]")
    text = box.locator(".widget-label").first.inner_text() if box.count() and box.locator(".widget-label").count() \
        else ""
    return text.strip() or "(no label)"


def _move(kind: str, control):
    control.scroll_into_view_if_needed()
    if kind == "slider":
        control.focus()
        at_max = control.get_attribute("aria-valuenow") == control.get_attribute("aria-valuemax")
        control.press("ArrowLeft" if at_max else "ArrowRight")
    elif kind == "dropdown":
        options = control.locator("option")
        current = control.input_value()
        values = [options.nth(i).get_attribute("value") for i in range(options.count())]
        other = next(v for v in values if v != current)
        control.select_option(other)
    elif kind == "toggle":
        buttons = control.locator("button")
        target = next(buttons.nth(i) for i in range(buttons.count())
                      if "mod-active" not in (buttons.nth(i).get_attribute("class") or ""))
        target.click()
    else:
        control.click()


def _drive_widgets(page, panel, name: str) -> list[str]:
    """Check every widget rendered, then move each control once and wait for its widget's output to change."""
    views = panel.locator(".jp-OutputArea-output:has(> .jupyter-widgets)")
    text = " ".join(panel.locator(".jp-OutputArea-output").all_inner_texts())
    assert "Error displaying widget" not in text, f"{name}: a widget failed to render"
    driven = []
    for v in range(views.count()):
        view = views.nth(v)
        view.scroll_into_view_if_needed()
        for kind, control in _controls(view):
            label = _label(control) if kind != "button" else control.inner_text().strip()
            before = _snapshot(view)
            _move(kind, control)
            deadline = time.time() + WIDGET_TIMEOUT_S
            while time.time() < deadline:
                time.sleep(0.3)
                if _snapshot(view) != before:
                    break
            else:
                page.screenshot(path=str(BUILD / f"{Path(name).stem}_widget_{v}.png"))
                pytest.fail(f"{name}: moving the {kind} '{label}' of widget {v} changed nothing within "
                            f"{WIDGET_TIMEOUT_S} s")
            driven.append(f"{kind} '{label}'")
    return driven


def _save(page, lab: Lab, name: str) -> Path:
    """Save the notebook from JupyterLab and copy the executed file to build/executed/."""
    path = lab.work / "notebooks" / name
    before = path.stat().st_mtime
    page.keyboard.press("Control+s")
    deadline = time.time() + 30
    while time.time() < deadline and path.stat().st_mtime == before:
        time.sleep(0.2)
    assert path.stat().st_mtime != before, f"{name}: JupyterLab did not save the notebook"
    time.sleep(0.5)
    EXECUTED.mkdir(parents=True, exist_ok=True)
    target = EXECUTED / name
    shutil.copyfile(path, target)
    return target


def _full_screenshot(page, panel, name: str):
    """The whole notebook in one image: the page is made as tall as the notebook (capped) for the shot."""
    scroller = panel.locator(".jp-WindowedPanel-outer").first
    height = scroller.evaluate("el => { el.scrollTop = 0; return el.scrollHeight; }")
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": int(min(height + 200, 20_000))})
    page.wait_for_timeout(300)
    page.screenshot(path=str(BUILD / f"{Path(name).stem}.jpg"), type="jpeg", quality=60)
    page.set_viewport_size({"width": width, "height": 1000})


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_jupyterlab(lab, lab_page, name):
    from playwright.sync_api import expect

    BUILD.mkdir(parents=True, exist_ok=True)
    page = lab_page
    phases = {"open": time.perf_counter()}
    page.locator(".jp-DirListing-item", has_text=name).first.dblclick()
    panel = page.locator(".jp-NotebookPanel:visible").first
    expect(panel).to_be_visible()
    # The kernel must be idle and connected before we run everything.
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)
    expect(panel.locator(".jp-CodeCell").first).to_be_visible()
    session = next(s for s in lab.api("sessions") if s["path"].endswith(name))
    kernel_id = session["kernel"]["id"]
    try:
        phases["run"] = time.perf_counter()
        seconds = _run_all(page, panel, lab, kernel_id, name)
        phases["checks"] = time.perf_counter()
        kernel_pid = _kernel_pid(lab.process.pid, kernel_id)
        peak = _vm_hwm_bytes(kernel_pid) if kernel_pid is not None else None

        outputs = " ".join(panel.locator(".jp-OutputArea-output").all_inner_texts())
        tracebacks = outputs.count("Traceback (most recent call last)")
        if name in EXPECTED_TEXT:
            assert EXPECTED_TEXT[name] in outputs, f"{name}: expected output {EXPECTED_TEXT[name]!r} missing"
        phases["widgets"] = time.perf_counter()
        driven = _drive_widgets(page, panel, name)
        phases["save"] = time.perf_counter()
        executed = _save(page, lab, name)
        phases["screenshot"] = time.perf_counter()
        _full_screenshot(page, panel, name)
        phases["end"] = time.perf_counter()
    finally:
        lab.api(f"sessions/{session['id']}", method="DELETE")  # free the kernel's memory for the next notebook
        page.locator(".lm-DockPanel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon").first.click()
        dialog = page.locator(".jp-Dialog")
        if dialog.count():  # "unsaved changes" after a failure: discard, the scratch copy does not matter
            dialog.get_by_role("button", name="Discard").click()

    marks = list(phases.items())
    spent = {a: t1 - t0 for (a, t0), (_, t1) in zip(marks, marks[1:], strict=False)}
    # The saved outputs: every code cell ran, none raised.
    nb = json.loads(executed.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    not_run = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    gigabytes = None if peak is None else peak / 1e9
    problems = []
    if seconds > TIME_BUDGET_S:
        problems.append(f"took {seconds:.1f} s, over the budget of {TIME_BUDGET_S:g} s")
    if gigabytes is not None and gigabytes > MEMORY_BUDGET_GB:
        problems.append(f"peaked at {gigabytes:.2f} GB, over the budget of {MEMORY_BUDGET_GB:g} GB")
    _ROWS.append((name, seconds, gigabytes, "; ".join(problems) or "ok"))
    _BROWSER_ROWS.append(f"| {name} | {seconds:.1f} | " + " / ".join(
        f"{spent[k]:.1f}" for k in ("open", "widgets", "save", "screenshot")) +
        f" | {len(driven)}: {', '.join(driven) or 'none'} | {tracebacks + len(errors)} |")
    assert not errors, f"{name}: error outputs in the executed notebook: " + "; ".join(
        f"{e.get('ename')}: {e.get('evalue')}" for e in errors)
    assert tracebacks == 0, f"{name}: a traceback is shown in the outputs"
    assert not not_run, f"{name}: code cells {not_run} have no execution count in the saved notebook"
    assert not problems, f"notebook {name} " + " and ".join(problems)
