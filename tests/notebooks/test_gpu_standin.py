"""Every solution notebook runs whole with DLCORE_DEVICE=gpu, on the GPU stand-in.

CI has no GPU, so the kernel plays one with dlcore.standin (DLCORE_GPU_STANDIN=1):
its arrays refuse to mix with NumPy's and to be converted silently, as CuPy's do.
A cell that feeds a plot with engine arrays, or a NumPy function with device data,
fails here as it would on a real GPU. The same notebooks run on the CPU in nbval.
"""

import nbformat
import pytest

from autograder.course import assignments, find_root
from autograder.notebooks import run_in, score_executed

ROOT = find_root()

PROBE = """\
import dlcore
assert type(dlcore.Dense(1, 1).W.data).__module__ == "dlcore.standin", "not on the stand-in"
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", assignments(ROOT))
def test_solution_notebook_runs_whole_on_the_gpu_standin(name, monkeypatch):
    monkeypatch.setenv("DLCORE_DEVICE", "gpu")
    monkeypatch.setenv("DLCORE_GPU_STANDIN", "1")
    path = ROOT / "solutions" / name / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    seconds, problem = run_in(nb, path.parent)
    run = score_executed(nb, path, seconds)
    assert problem is None, problem
    assert not run.errors, "\n".join(f"cell {i}: {ename}: {evalue}" for i, ename, evalue in run.errors)
    assert run.score == run.max_points > 0
