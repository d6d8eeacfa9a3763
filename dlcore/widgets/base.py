"""The Explorer: controls, a computation, a readout and a figure, testable without a browser.

An explorer is built from

- ``controls``: named ipywidgets (sliders, dropdowns...) whose ``value`` is read;
- ``compute(**values) -> dict``: the numbers the explorer shows (plain Python values);
- ``draw(fig, result, **values)``: draws the figure for those numbers.

Whenever a control changes, ``compute`` runs, ``result`` holds its dict, the readout
shows it as text, and the figure is redrawn into an ``Image`` widget as PNG. A test
sets ``explorer.controls["w1"].value = 0.5`` (or calls :meth:`Explorer.set`) and reads
``explorer.result``. Displayed in a notebook, an explorer is the live widget, with a
PNG of its current figure as the fallback that static renderers (nbviewer, GitHub,
an exported HTML page) show.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import importlib
import inspect
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as widgets

Compute = Callable[..., dict[str, Any]]
Draw = Callable[..., None]


class Explorer:
    """An interactive explorer (see the module docstring).

    Parameters
    ----------
    title : str
        Shown above the controls.
    controls : dict of name -> ipywidgets ValueWidget
    compute : callable ``(**values) -> dict``
    draw : callable ``(fig, result, **values) -> None``
    figsize : (width, height) in inches
    """

    def __init__(
        self,
        title: str,
        controls: dict[str, widgets.ValueWidget],
        compute: Compute,
        draw: Draw,
        *,
        figsize: tuple[float, float] = (6.0, 4.0),
    ) -> None:
        if not controls:
            raise ValueError(f"{title}: an explorer needs at least one control")
        self.title = title
        self.controls = dict(controls)
        self._compute, self._draw, self.figsize = compute, draw, figsize
        self.result: dict[str, Any] = {}
        self.updates = 0
        self.readout = widgets.HTML()
        self.readout.add_class("dlcore-readout")
        self.image = widgets.Image(format="png")
        self.image.add_class("dlcore-figure")
        for control in self.controls.values():
            if hasattr(control, "continuous_update"):
                control.continuous_update = False  # update on release, not on every pixel
            control.observe(self._on_change, names="value")
        self.recipe: dict[str, Any] | None = None  # set by @rebuildable
        self.header = widgets.HTML(f"<b>{html.escape(title)}</b>")
        self.widget = widgets.VBox(
            [self.header, widgets.HBox(list(self.controls.values())), self.readout, self.image]
        )
        self.widget.add_class("dlcore-explorer")
        self.update()

    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values: Any) -> dict[str, Any]:
        """Set several controls at once (one update), and return the new result."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise KeyError(f"{self.title}: no control {unknown}; controls: {sorted(self.controls)}")
        with self._held():
            for name, value in values.items():
                self.controls[name].value = value
        self.update()
        return self.result

    @contextlib.contextmanager
    def _held(self) -> Iterator[None]:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    _holding = False

    def _on_change(self, change: dict[str, Any]) -> None:
        if not self._holding:
            self.update()

    def update(self) -> None:
        """Recompute, refresh the readout and redraw the figure from the controls' values."""
        values = self.values
        self.result = self._compute(**values)
        self.readout.value = self.readout_html()
        self.image.value = self.png()
        self.updates += 1

    def readout_html(self) -> str:
        """The result as ``name = value`` pairs (what the browser test reads)."""
        parts = []
        for key, value in self.result.items():
            if isinstance(value, float):
                text = f"{value:.4g}"
            elif isinstance(value, (int, str, bool)):
                text = str(value)
            else:
                continue  # arrays and curves are drawn, not printed
            parts.append(f'<span data-key="{html.escape(key)}">{html.escape(key)} = {text}</span>')
        return " &nbsp; ".join(parts)

    def figure(self) -> Any:
        """A new matplotlib Figure of the current state (not attached to pyplot)."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=self.figsize, layout="constrained")
        self._draw(fig, self.result, **self.values)
        return fig

    def png(self) -> bytes:
        """The current figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png", dpi=80)
        return buffer.getvalue()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        bundle["text/plain"] = f"{self.title}: " + ", ".join(
            f"{k}={v}" for k, v in self.values.items()
        )
        return bundle

    def __repr__(self) -> str:
        return f"Explorer({self.title!r}, controls={sorted(self.controls)})"


def rebuildable(factory: Callable[..., Explorer]) -> Callable[..., Explorer]:
    """Mark a function that builds an Explorer, so that a test can build it again elsewhere.

    The explorer keeps ``recipe``: the factory's import path, all its arguments by
    name, and the names of its controls in display order. The header carries it as
    a hidden JSON attribute, which is how the browser tests, seeing an explorer in
    JupyterLab, rebuild the same one in the test process and compute what the page
    must show. A factory's arguments are plain values (numbers, strings).
    """
    signature = inspect.signature(factory)

    @functools.wraps(factory)
    def build(*args: Any, **kwargs: Any) -> Explorer:
        arguments = signature.bind(*args, **kwargs)
        arguments.apply_defaults()
        made = factory(*args, **kwargs)
        made.recipe = {
            "factory": f"{factory.__module__}:{factory.__qualname__}",
            "kwargs": dict(arguments.arguments),
            "controls": list(made.controls),
        }
        data = html.escape(json.dumps(made.recipe), quote=True)
        made.header.value += f'<span class="dlcore-recipe" hidden data-recipe="{data}"></span>'
        return made

    return build


def rebuild(recipe: dict[str, Any]) -> Explorer:
    """The explorer a recipe (see :func:`rebuildable`) describes, built anew."""
    module, name = recipe["factory"].split(":")
    factory = getattr(importlib.import_module(module), name)
    return factory(**recipe["kwargs"])
