"""Every explorer of every notebook, driven in JupyterLab in Chromium.

For each notebook: open it, run all cells (reference solutions in place), wait
for the kernel, then for each explorer found in the page (``.dlcore-explorer``)
rebuild the same explorer in this process from the recipe its header carries,
change each control the way a student does (a slider by keyboard, a log slider
by typing into its readout, a dropdown by selecting), and wait until the page's readout shows what this process computes
for the final control state; check the figure is a decoded, non-blank image.
Notebooks that land later are picked up by themselves.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import time
from pathlib import Path

import pytest

from autograder.course import assignments, find_root
from dlcore.widgets import rebuild

pytestmark = pytest.mark.browser
ROOT = find_root()
#: `make screenshots` sets this: a folder for a picture of each explorer after its changes.
SCREENSHOTS = (
    Path(os.environ["DLCORE_SCREENSHOTS"]) if os.environ.get("DLCORE_SCREENSHOTS") else None
)

KERNEL_IDLE = """() => {
  const panel = window.jupyterapp?.shell.currentWidget;
  return panel?.sessionContext?.session?.kernel?.status === 'idle';
}"""
ALL_CELLS_RAN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (panel.sessionContext.session.kernel.status !== 'idle') return false;
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type === 'code' && cell.executionCount === null && cell.sharedModel.source.trim())
      return false;
  }
  return true;
}"""
ERRORS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells, found = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    for (const out of cell.toJSON().outputs)
      if (out.output_type === 'error') found.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
  }
  return found;
}"""
READOUT = """box => Object.fromEntries([...box.querySelectorAll('.dlcore-readout span[data-key]')]
  .map(span => [span.dataset.key, span.textContent]))"""
IMAGE_STATS = """img => {
  if (!img.complete || img.naturalWidth === 0) return null;
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4 * 97) colours.add(data[i] << 16 | data[i+1] << 8 | data[i+2]);
  return {width: img.naturalWidth, colours: colours.size};
}"""
SPAN = re.compile(r'<span data-key="([^"]*)">(.*?)</span>')


def expected_readout(explorer) -> dict[str, str]:
    return {html.unescape(k): html.unescape(v) for k, v in SPAN.findall(explorer.readout.value)}


def open_and_run(page, lab, name: str) -> None:
    base, token, _ = lab
    # A workspace of its own: JupyterLab would otherwise reopen the notebooks of earlier tests.
    page.goto(f"{base}/lab/workspaces/{name}/tree/{name}/{name}.ipynb?reset&token={token}")
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(500)
    page.wait_for_function(ALL_CELLS_RAN, timeout=180_000, polling=250)
    assert page.evaluate(ERRORS) == [], "the solved notebook raised in JupyterLab"


def change(element, control) -> object:
    """Change one control in the page as a student would; return its new value."""
    kind = type(control).__name__
    if kind in ("Dropdown", "RadioButtons", "Select"):
        labels, values = control._options_labels, control._options_values
        index = (values.index(control.value) + 1) % len(values)
        element.locator("select").select_option(label=labels[index])
        return values[index]
    if kind == "SelectionSlider":  # each key press moves to the next option
        values, index = control._options_values, control.index
        step = 1 if index + 2 < len(values) else -1
        handle = element.locator(".noUi-handle")
        handle.focus()
        for _ in range(2):
            handle.press("ArrowRight" if step > 0 else "ArrowLeft")
        return values[index + 2 * step]
    if kind == "FloatLogSlider":  # keys move on a grid of exponents: type a value instead
        exponent = math.log(control.value, control.base) + 2 * control.step
        if exponent > control.max:
            exponent -= 4 * control.step
        target = float(f"{control.base**exponent:.3g}")
        readout = element.locator(".widget-readout")
        readout.click()
        readout.press("Control+a")
        readout.type(str(target))
        readout.press("Enter")
        return target
    if kind in ("IntSlider", "FloatSlider"):  # three key presses, each one a new value
        presses = 3
        up = control.value + presses * control.step <= control.max
        target = control.value + (1 if up else -1) * presses * control.step
        handle = element.locator(".noUi-handle")
        handle.focus()
        for _ in range(presses):
            handle.press("ArrowRight" if up else "ArrowLeft")
        return int(target) if kind == "IntSlider" else round(target, 10)
    raise AssertionError(f"the browser test does not know how to change a {kind} yet")


def wait_for_readout(box, want: dict[str, str], seconds: float = 60) -> dict[str, str]:
    deadline, shown = time.monotonic() + seconds, {}
    while time.monotonic() < deadline:
        shown = box.evaluate(READOUT)
        if shown == want:
            time.sleep(0.5)  # a later key press must not change it again
            return box.evaluate(READOUT)
        time.sleep(0.2)
    return shown


def assert_figure_drawn(box, what: str) -> None:
    stats = box.locator("img").first.evaluate(IMAGE_STATS)
    assert stats is not None, f"{what}: the figure did not decode"
    assert stats["width"] > 100 and stats["colours"] > 3, f"{what}: the figure is blank ({stats})"


@pytest.mark.parametrize("name", assignments(ROOT))
def test_every_explorer_answers_its_controls_in_jupyterlab(page, lab, name):
    open_and_run(page, lab, name)
    try:
        check_explorers(page, name)
    finally:  # the kernel is not needed by the next notebook's test
        page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")


def check_explorers(page, name: str) -> None:
    panel = page.evaluate("window.jupyterapp.shell.currentWidget.id")
    assert page.evaluate("window.jupyterapp.shell.currentWidget.context.path") == (
        f"{name}/{name}.ipynb"
    )
    boxes = page.locator(f"[id='{panel}'] .dlcore-explorer")
    assert boxes.count() >= 1, f"{name} shows no explorer"
    for index in range(boxes.count()):
        box = boxes.nth(index)
        box.scroll_into_view_if_needed()
        recipe_holder = box.locator(".dlcore-recipe")
        assert recipe_holder.count() == 1, (
            f"{name}: explorer {index} has no recipe: decorate its factory with "
            "dlcore.widgets.rebuildable"
        )
        recipe = json.loads(recipe_holder.get_attribute("data-recipe"))
        mine = rebuild(recipe)
        what = f"{name}, {recipe['factory']}"
        assert wait_for_readout(box, expected_readout(mine)) == expected_readout(mine), what
        assert_figure_drawn(box, what)
        elements = box.locator("xpath=./div[contains(@class, 'widget-hbox')][1]/div")
        assert elements.count() == len(recipe["controls"]), what
        for position, control_name in enumerate(recipe["controls"]):
            target = change(elements.nth(position), mine.controls[control_name])
            mine.set(**{control_name: target})
            want = expected_readout(mine)
            shown = wait_for_readout(box, want)
            assert shown == want, f"{what}: after changing {control_name} to {target!r}"
            assert_figure_drawn(box, f"{what}, {control_name}")
        if SCREENSHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            box.screenshot(path=str(SCREENSHOTS / f"{name}-explorer-{index + 1}.png"))
