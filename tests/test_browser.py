"""A real-browser test: JupyterLab on loopback, 00_welcome opened in headless Chromium, Run All Cells, no
traceback, the widget renders and its output changes when its control moves; a screenshot lands in build/.

Chromium comes from the system (Debian's ``chromium``; ``make test`` installs it when it can). Playwright's own
browser downloads are impossible offline, so they are never used. Without Chromium the test skips loudly.
"""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "browser"
pytestmark = [pytest.mark.browser, pytest.mark.slow]


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


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on loopback serving a scratch copy of the notebooks (autosave must not touch ours)."""
    work = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", work / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = work / "settings"
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Render every cell (JupyterLab 4 virtualises long notebooks, which would hide prompts from the test).
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    port, token = _free_port(), uuid.uuid4().hex
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(work / "ws"),
           "JUPYTER_RUNTIME_DIR": str(work / "runtime")}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work / 'notebooks'}",
               "--ServerApp.open_browser=False", "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(work / "lab.log", "w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail("JupyterLab did not start within 60 s:\n" + (work / "lab.log").read_text()[-3000:])
    if server.poll() is not None:
        pytest.fail("JupyterLab exited:\n" + (work / "lab.log").read_text()[-3000:])
    # No stale kernel sessions: a fresh server has none, check it.
    sessions = json.load(urllib.request.urlopen(f"{url}/api/sessions?token={token}"))
    assert sessions == [], f"stale sessions: {sessions}"
    yield url, token
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def test_welcome_runs_in_jupyterlab(lab):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("NO CHROMIUM FOUND: the browser test did not run. Install Debian's chromium "
                    "(apt-get install chromium) and run make test again.")
    from playwright.sync_api import expect, sync_playwright

    url, token = lab
    BUILD.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(20_000)
        page.goto(f"{url}/lab/tree/00_welcome.ipynb?reset&token={token}")
        panel = page.locator(".jp-NotebookPanel:visible").first
        expect(panel).to_be_visible()
        # The kernel must be idle and connected before we run everything.
        expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)
        expect(panel.locator(".jp-CodeCell").first).to_be_visible()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

        code_cells = panel.locator(".jp-CodeCell")
        n_cells = code_cells.count()
        deadline = time.time() + 120
        while time.time() < deadline:
            prompts = panel.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
            done = [p for p in prompts if p.strip().startswith("[") and p.strip() not in ("[ ]:", "[*]:")]
            if len(done) == n_cells:
                break
            time.sleep(0.5)
        else:
            page.screenshot(path=str(BUILD / "00_welcome_timeout.png"), full_page=True)
            pytest.fail(f"Run All did not finish in 120 s: prompts {prompts}")

        outputs = " ".join(panel.locator(".jp-OutputArea-output").all_inner_texts())
        assert "Traceback" not in outputs, outputs[-2000:]
        assert "units agree with ASE" in outputs

        slider = panel.locator(".widget-slider").first
        slider.scroll_into_view_if_needed()
        expect(slider).to_be_visible()
        readout = panel.locator(".widget-output", has_text="E_2 exact")
        expect(readout).to_have_count(1)
        before = readout.inner_text()
        # Move the "box length L" slider by keyboard: two steps to the right.
        handle = panel.locator(".widget-slider .noUi-handle").first
        handle.focus()
        handle.press("ArrowRight")
        handle.press("ArrowRight")
        expect(panel.locator(".widget-output", has_text="L = 11.0 bohr")).to_have_count(1, timeout=30_000)
        after = panel.locator(".widget-output").first.inner_text()
        assert after != before
        slider.screenshot(path=str(BUILD / "00_welcome_slider.png"))
        panel.locator(".widget-output").first.scroll_into_view_if_needed()
        page.screenshot(path=str(BUILD / "00_welcome.png"))
        browser.close()
