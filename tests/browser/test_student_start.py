"""The way a student starts: `make lab` in a fresh copy of the course, the URL it prints, a notebook.

The copy holds what a clone holds (the files git tracks or would add). `make lab`
runs with this suite's virtual environment (``VENV=...``): creating one is the
install step that `make test` already runs on a fresh clone in CI. The server's
runtime, settings and workspaces live in the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.course import find_root

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the fixture skips these tests without Playwright
    PlaywrightTimeout = TimeoutError

pytestmark = pytest.mark.browser
ROOT = find_root()


def course_files() -> list[str]:
    """What a clone of the repository holds: tracked files, and new ones git would add."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    return [name for name in listed if (ROOT / name).is_file()]


def fresh_copy(target: Path) -> Path:
    for name in course_files():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    # This suite's environment is up to date: make must not reinstall it from the copy.
    stamp = Path(sys.prefix) / ".installed"
    if stamp.exists():
        old = stamp.stat().st_mtime - 60
        os.utime(target / "pyproject.toml", (old, old))
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def printed_url(server: subprocess.Popen, log: Path, port: int, seconds: float = 90) -> str:
    pattern = re.compile(rf"http://127\.0\.0\.1:{port}/lab\?token=\w+")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = pattern.search(log.read_text(errors="replace"))
        if found:
            return found.group(0)
        if server.poll() is not None:
            break
        time.sleep(0.3)
    raise AssertionError(f"make lab printed no URL:\n{log.read_text(errors='replace')[-3000:]}")


def test_make_lab_serves_the_course_and_a_notebook_runs(playwright_chromium, tmp_path):
    if shutil.which("make") is None or not (Path(sys.prefix) / "bin" / "jupyter").exists():
        pytest.skip("needs make and the suite's virtual environment with jupyter")
    course = fresh_copy(tmp_path / "course")
    port = free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"), "DLCORE_PROGRESS": "0"}  # fmt: skip
    log = tmp_path / "make-lab.log"
    command = ["make", "lab", f"VENV={sys.prefix}", f"LAB_ARGS=--port={port} --no-browser"]
    with open(log, "wb") as output:
        server = subprocess.Popen(command, cwd=course, env=env, stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    context = playwright_chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        url = printed_url(server, log, port)
        page.goto(url)
        listing = page.locator(".jp-DirListing-content")
        listing.get_by_text("01_perceptron", exact=True).dblclick(timeout=60_000)
        listing.get_by_text("01_perceptron.ipynb", exact=True).dblclick(timeout=30_000)
        first_code = page.locator(".jp-NotebookPanel .jp-CodeCell").first
        first_code.wait_for(timeout=60_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                               timeout=120_000)  # fmt: skip
        prompt = first_code.locator(".jp-InputPrompt")
        for _ in range(6):  # the first key press may come before the kernel is connected
            prompt.click()
            page.keyboard.press("Shift+Enter")
            try:
                page.wait_for_function("p => /\\[1\\]/.test(p.textContent)",
                                       arg=prompt.element_handle(), timeout=15_000)  # fmt: skip
                break
            except PlaywrightTimeout:
                continue
        assert "[1]" in prompt.text_content(), "the first code cell did not run"
        assert first_code.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
    except Exception:
        page.screenshot(path=str(tmp_path / "student-start.png"), full_page=True)
        print(f"\nstudent-start artifacts: {tmp_path}")
        raise
    finally:
        context.close()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
