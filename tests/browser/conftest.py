"""A real JupyterLab and a real Chromium, for the explorers as students meet them.

The server runs on 127.0.0.1, on a free port, with a token, on a temporary copy
of the course: each notebook solved with the reference solutions
(autograder.sample_class.solved), so the browser never writes into the
repository. Its settings switch off news and update checks and autosave, and
make JupyterLab render every cell (no windowing), so that every explorer is in
the page. Chromium is Debian's (/usr/bin/chromium), driven by Playwright.

On a failure, a screenshot and the server's log are saved under
``$DLCORE_BROWSER_ARTIFACTS`` (default: a temporary folder whose path is printed).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from autograder import sample_class
from autograder.course import assignments, find_root

ROOT = find_root()
CHROMIUM = os.environ.get("DLCORE_CHROMIUM", "/usr/bin/chromium")
INSTALL_HINT = (
    "the browser tests need Debian's chromium and the Playwright package: "
    "`sudo apt-get install -y chromium` and `pip install -e '.[dev]'` (CI installs both)"
)
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("DLCORE_BROWSER_ARTIFACTS") or tempfile.gettempdir())
    folder = folder / "dlcore-browser-artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def playwright_chromium():
    """A headless Chromium (Debian's binary), or a skip that says how to get one."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(f"Playwright is not installed: {INSTALL_HINT}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory, playwright_chromium):
    """A running JupyterLab on solved copies of every notebook: (base url, token, log path)."""
    home = tmp_path_factory.mktemp("lab")
    course = home / "course"
    for name in assignments(ROOT):
        target = course / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(sample_class.solved(ROOT, name), str(target))
    settings = home / "settings"
    for plugin, values in SETTINGS.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "DLCORE_PROGRESS": "0"}
    log_path = home / "server.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={course}", f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}", "--LabApp.expose_app_in_browser=True",
        "--ServerApp.port_retries=0",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/api/status?token={token}", server, log_path)
        yield base, token, log_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_for(url: str, server: subprocess.Popen, log_path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited early:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"jupyter lab did not answer within {seconds} s:\n{log_path.read_text()}")


@pytest.fixture
def page(playwright_chromium, lab, request):
    """A fresh browser page; on failure its screenshot and the server log are kept."""
    context = playwright_chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = artifacts_dir()
        name = request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        shutil.copy2(lab[2], folder / f"{name}-server.log")
        print(f"\nbrowser artifacts of {request.node.name}: {folder}")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
