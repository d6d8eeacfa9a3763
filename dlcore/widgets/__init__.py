"""Interactive explorers for the notebooks (ipywidgets), one module per notebook topic.

Every explorer is an :class:`Explorer`: named controls, a ``result`` dict that a
test can read after setting a control, a text readout and a PNG figure that also
serves as the static fallback.
"""

from .base import Explorer, rebuild, rebuildable

__all__ = ["Explorer", "rebuild", "rebuildable"]
