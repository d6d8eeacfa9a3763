"""Calls from the trusted grader into a sandboxed kernel (autograder.remote, in_kernel.serve).

One kernel serves the whole module: while a test calls the student's functions,
the kernel runs ``in_kernel.serve``; ``Remote.stop`` ends it before the next cell.
"""

import numpy as np
import pytest

from autograder.core import StudentError, call_each
from autograder.kernel import SandboxedKernel
from autograder.remote import Remote, RemoteFunction, StudentTimeout
from autograder.sandbox import Limits, scratch

STUDENT = """
import time
import numpy as np

def double(x):
    return 2 * x

def picky(x):
    if x < 0:
        raise ValueError("negative")
    return x

def stuck(seconds):
    time.sleep(seconds)
    return seconds

def interrupts():
    raise KeyboardInterrupt("the student's own")

def asks():
    return input("your name?")

def uses(objective, x):
    return objective(x) + 1
"""


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    base = tmp_path_factory.mktemp("remote")
    limits = Limits()
    with scratch(base, limits.tmp_size):
        kernel = SandboxedKernel(base, None, limits, {})
        kernel.start()
        assert kernel.execute(STUDENT, timeout=60).error is None
        yield kernel
        kernel.close()


@pytest.fixture
def remote(kernel):
    remote = Remote(kernel, timeout=2.0)
    yield remote
    remote.stop()


def test_calls_are_served_one_after_another_and_the_kernel_runs_cells_after_stop(kernel, remote):
    double = RemoteFunction(remote, "double")
    assert double(np.arange(3)).tolist() == [0, 2, 4]
    assert double(21) == 42 and remote.serving is not None
    remote.stop()
    assert remote.serving is None
    assert kernel.execute("print(double(5))", timeout=10).outputs[0]["text"] == "10\n"


def test_call_each_runs_a_batch_in_one_round_trip_and_stops_at_the_first_error(remote):
    picky = RemoteFunction(remote, "picky")
    assert call_each(picky, [((x,), {}) for x in (1, 2, 3)]) == [1, 2, 3]
    with pytest.raises(StudentError, match="ValueError: negative"):
        call_each(picky, [((1,), {}), ((-1,), {}), ((2,), {})])
    assert picky(4) == 4  # the kernel still serves


def test_a_call_past_its_time_limit_is_interrupted_and_the_next_call_is_served(kernel, remote):
    with pytest.raises(StudentTimeout, match="timed out after 2 s and was interrupted"):
        RemoteFunction(remote, "stuck")(30)
    assert kernel.alive and remote.serving is None
    assert RemoteFunction(remote, "stuck")(0) == 0


def test_the_students_own_keyboard_interrupt_is_their_error(remote):
    with pytest.raises(Exception, match="the student's own") as caught:
        RemoteFunction(remote, "interrupts")()
    assert type(caught.value).__name__ == "KeyboardInterrupt"
    assert RemoteFunction(remote, "double")(1) == 2


def test_input_asked_by_the_student_gets_an_empty_answer_and_callbacks_still_work(remote):
    assert RemoteFunction(remote, "asks")() == ""
    assert RemoteFunction(remote, "uses")(lambda x: x * 10, 4) == 41


def test_names_are_described_through_the_same_loop(remote):
    assert remote.describe("double") == ("function", None)
    assert remote.describe("nothing_here") == ("missing", None)
    with pytest.raises(ValueError, match="not a Python name"):
        remote.describe("double; import os")


def test_a_grading_kernel_shows_figures_as_text_without_drawing_them(kernel):
    execution = kernel.execute("%matplotlib inline\nimport matplotlib.pyplot as plt\n"
                               "plt.plot([1, 2])\nplt.show()", timeout=60)
    assert execution.error is None
    shown = [o for o in execution.outputs if o.get("output_type") == "display_data"]
    assert shown and all(set(o["data"]) == {"text/plain"} for o in shown)
    assert "<Figure size" in shown[0]["data"]["text/plain"]
