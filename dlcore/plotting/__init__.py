"""Plot helpers for the notebooks.

Each takes an optional matplotlib ``Axes`` and returns the one it drew on; none
changes rcParams or other global matplotlib state. One module per topic.
"""

from .core import decision_grid, new_axes, plot_decision_regions, plot_history
from .trials import plot_trials

__all__ = ["decision_grid", "new_axes", "plot_decision_regions", "plot_history", "plot_trials"]
