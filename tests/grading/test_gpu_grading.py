"""`DLCORE_DEVICE=gpu dlgrade autograde`: a solution graded on the GPU scores full marks.

CI has no GPU, so the grader and its sandboxed kernel play one with the stand-in
(DLCORE_GPU_STANDIN=1, passed on to the kernel like DLCORE_DEVICE). Notebook 08's
student trains a dlcore model, which then lives on the device, and the checks build
their references on the CPU.
"""

import json

import nbformat
import pytest

from autograder import course, sample_class
from autograder.autograde import RESULT, autograde

NAME = "08_softmax"


@pytest.mark.slow
def test_a_solution_graded_on_the_gpu_standin_scores_full_marks(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCORE_DEVICE", "gpu")
    monkeypatch.setenv("DLCORE_GPU_STANDIN", "1")
    copy = sample_class.copy_course(course.find_root(), tmp_path / "course")
    folder = copy / "submitted" / "ada" / NAME
    folder.mkdir(parents=True)
    nbformat.write(sample_class.solved(copy, NAME), str(folder / f"{NAME}.ipynb"))
    autograde(copy, only=[NAME], jobs=1, seed=3, progress=False)
    result = json.loads((course.layout(copy).autograded / "ada" / NAME / RESULT).read_text())
    assert result["status"] == "graded"
    assert not result["errors"] and not result["events"], (result["errors"], result["events"])
    cells = result["cells"]
    assert sum(c["score"] for c in cells) == sum(c["max_points"] for c in cells) > 0
