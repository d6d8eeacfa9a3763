"""What every check is made of: sub-checks with points, a result, a diagnosis.

A check is a function of the student's implementation. It runs public cases
(fixed seed, the same the student sees) or, with ``hidden=True``, the public
cases plus hidden ones (other shapes, a seed chosen at grading time), and
returns a :class:`CheckResult` whose ``score`` is a plain Python float on the
exercise's points. Writing one::

    @exercise("step", points=1)
    def check_step(result, step, *, hidden=False, rng):
        z = rng.standard_normal(5)
        got = call(step, z)
        result.add("values", expected=reference.step(z), got=got)

The decorator turns a student's ``NotImplementedError`` into "not implemented
yet" (score 0), any other exception into a one-line message, silences
warnings so that nothing reaches stderr (nbgrader scores stderr as a failure),
and scales the points so that public and hidden cases share the exercise's total.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dlcore.backend import default_device_is

#: The environment variable that holds the secret grading seed during autograding.
SEED_VARIABLE = "DLGRADE_SEED"


class NotImplementedYet(Exception):
    """Raised inside a check when the student's function is still blank."""


class StudentError(Exception):
    """Raised inside a check when the student's function raised; carries a short message."""


@dataclass
class SubCheck:
    """One thing checked: its name, its points, and what the student should read."""

    name: str
    points: float
    passed: bool
    message: str = ""

    @property
    def earned(self) -> float:
        return self.points if self.passed else 0.0


@dataclass
class CheckResult:
    """The outcome of one exercise's check.

    ``score`` and ``max_points`` are plain Python floats. ``diagnosis`` names the
    likely mistake when one was recognised (for example "missing or extra 1/N").
    """

    exercise: str
    max_points: float
    subchecks: list[SubCheck] = field(default_factory=list)
    diagnoses: list[str] = field(default_factory=list)
    status: str = "checked"  # or "not implemented", "error"

    def add(
        self,
        name: str,
        passed: bool | None = None,
        *,
        expected: Any = None,
        got: Any = None,
        rtol: float = 1e-6,
        atol: float = 1e-8,
        weight: float = 1.0,
        message: str = "",
        diagnose: Callable[[Any, Any], str | None] | None = None,
    ) -> bool:
        """Record a sub-check; with ``expected``/``got``, compare them as arrays.

        Points are relative weights; the decorator scales them to the exercise's points.
        ``diagnose(expected, got)`` may name the mistake when the comparison fails.
        """
        if passed is None:
            passed, detail = compare(expected, got, rtol=rtol, atol=atol)
            if not passed:
                message = f"{message} {detail}".strip()
                if diagnose is not None:
                    self._run_diagnosis(diagnose, expected, got)
        self.subchecks.append(SubCheck(name, float(weight), bool(passed), message))
        return bool(passed)

    def _run_diagnosis(
        self, diagnose: Callable[[Any, Any], str | None], expected: Any, got: Any
    ) -> None:
        try:
            with np.errstate(all="ignore"):
                diagnosis = diagnose(expected, np.asarray(got, dtype=float))
        except Exception:  # a diagnosis that does not apply (other shape, not numbers)
            return
        if diagnosis:
            self.diagnose(diagnosis)

    def diagnose(self, text: str) -> None:
        """Record a likely mistake (shown to the student once)."""
        if text not in self.diagnoses:
            self.diagnoses.append(text)

    @property
    def score(self) -> float:
        total = sum(s.points for s in self.subchecks)
        if total == 0 or self.status != "checked":
            return 0.0
        earned = sum(s.earned for s in self.subchecks)
        return float(round(self.max_points * earned / total, 6))

    @property
    def passed(self) -> bool:
        return self.status == "checked" and all(s.passed for s in self.subchecks)

    def report(self) -> str:
        """A readable report: one line per sub-check, the diagnosis, the score."""
        lines = [f"{self.exercise}: {self.score:g} / {self.max_points:g} points"]
        if self.status == "not implemented":
            lines.append("  not implemented yet: fill in the function above and run it again")
        for s in self.subchecks:
            mark = "ok  " if s.passed else "FAIL"
            lines.append(f"  {mark} {s.name}" + (f": {s.message}" if s.message else ""))
        for d in self.diagnoses:
            lines.append(f"  likely mistake: {d}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-serialisable) for reports and feedback."""
        return {
            "exercise": self.exercise,
            "score": self.score,
            "max_points": float(self.max_points),
            "status": self.status,
            "subchecks": [vars(s) | {"earned": s.earned} for s in self.subchecks],
            "diagnoses": list(self.diagnoses),
        }

    def __str__(self) -> str:
        return self.report()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.report())


def compare(expected: Any, got: Any, *, rtol: float = 1e-6, atol: float = 1e-8) -> tuple[bool, str]:
    """Whether ``got`` matches ``expected`` (shape and values), and why not.

    Only NumPy's own functions on plain ``ndarray`` copies are used, so a student's
    array subclass cannot change the answer.
    """
    try:
        want = np.array(expected, dtype=float)
    except (TypeError, ValueError):
        return (got == expected) is True, f"expected {expected!r}, got {got!r}"
    if got is None:
        return False, "the function returned None (did you forget `return`?)"
    try:
        have = np.array(got, dtype=float)
    except (TypeError, ValueError):
        return False, f"expected a number or an array, got {type(got).__name__}"
    have = np.asarray(have).view(np.ndarray)
    if have.shape != want.shape:
        return False, f"expected shape {want.shape}, got shape {have.shape}"
    if not np.isfinite(have).all() and np.isfinite(want).all():
        return False, "the result contains NaN or inf (overflow?)"
    close = np.isclose(have, want, rtol=rtol, atol=atol) | (np.isnan(have) & np.isnan(want))
    if close.all():
        return True, ""
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    where = f" at index {index}" if have.ndim else ""
    return False, (
        f"{int((~close).sum())} of {close.size} values differ; "
        f"first{where}: expected {want[index]:.6g}, got {have[index]:.6g}"
    )


# ------------------------------------------------------------------ calling
def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the student's function on copies of the inputs.

    Raises :class:`NotImplementedYet` for a blank exercise and :class:`StudentError`
    (one line, pointing at the student's line) for any other exception.
    """
    if not callable(function):
        raise StudentError(f"expected a function, got {type(function).__name__}")
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        return function(*copies, **kwargs)
    except NotImplementedError:
        raise NotImplementedYet from None
    except Exception as error:
        raise StudentError(_one_line(error)) from None


def call_each(function: Callable[..., Any], calls: Sequence[tuple[tuple, dict]]) -> list:
    """``[call(function, *args, **kwargs) for args, kwargs in calls]``, stopping at the first error.

    In the trusted grader the student's function lives in a sandboxed kernel
    (:class:`autograder.remote.RemoteFunction`), which runs the whole list in one
    round trip; the arguments travel as copies, as with :func:`call`.
    """
    batched = getattr(function, "call_each", None)
    if batched is None:
        return [call(function, *args, **kwargs) for args, kwargs in calls]
    try:
        return batched(calls)
    except NotImplementedError:
        raise NotImplementedYet from None
    except Exception as error:
        raise StudentError(_one_line(error)) from None


def _one_line(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = getattr(error, "where", None)  # a student's error rebuilt by the trusted grader
    if where is not None:
        return f"{type(error).__name__}: {error}{where}"
    where = ""
    if frames:
        last = frames[-1]
        where = f" (line {last.lineno}: {(last.line or '').strip()})"
    return f"{type(error).__name__}: {error}{where}"


# ------------------------------------------------------------------- seeds
def grading_seed(exercise: str, hidden: bool) -> int:
    """The seed of an exercise's cases: fixed for public cases, secret for hidden ones.

    Hidden cases take ``DLGRADE_SEED`` (set by ``dlgrade autograde`` from the
    instructor's secret) mixed with the exercise name; without it, fresh entropy,
    so hidden cases can never be memorised.
    """
    if not hidden:
        return _mix(0, exercise)
    secret = os.environ.get(SEED_VARIABLE)
    base = int(secret) if secret and secret.strip().isdigit() else int.from_bytes(os.urandom(8))
    return _mix(base, exercise)


def _mix(base: int, name: str) -> int:
    digest = hashlib.sha256(f"{base}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No warnings and no NumPy floating-point messages: nothing on stderr."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        with contextlib.redirect_stderr(io.StringIO()):
            yield


# ----------------------------------------------------------------- decorator
def exercise(
    name: str, points: float
) -> Callable[[Callable[..., None]], Callable[..., CheckResult]]:
    """Turn ``f(result, *student_functions, hidden, rng)`` into a safe check.

    The decorated check takes the student's function(s) and ``hidden=False``; it
    returns a :class:`CheckResult` worth ``points``. Hidden mode runs the public
    cases and then the hidden ones with a new generator.
    """

    def decorate(body: Callable[..., None]) -> Callable[..., CheckResult]:
        @functools.wraps(body)
        def check(*functions: Any, hidden: bool = False) -> CheckResult:
            result = CheckResult(name, float(points))
            modes = (False, True) if hidden else (False,)
            with quiet(), default_device_is("cpu"):  # references next to NumPy answers
                try:
                    for mode in modes:
                        rng = np.random.default_rng(grading_seed(name, mode))
                        body(result, *functions, hidden=mode, rng=rng)
                except NotImplementedYet:
                    result.status = "not implemented"
                    result.subchecks.clear()
                except StudentError as error:
                    result.subchecks.append(SubCheck("runs without error", 1.0, False, str(error)))
            return result

        check.exercise = name  # type: ignore[attr-defined]
        check.points = float(points)  # type: ignore[attr-defined]
        return check

    return decorate


def student_or_reference(
    student: Callable[..., Any], reference: Callable[..., Any], *probe: Any, name: str = ""
) -> Callable[..., Any]:
    """The student's function when it runs on ``probe``, else dlcore's reference.

    Used by notebook cells that need an exercise's result downstream, so that a
    student who skipped it can still run the rest of the notebook. Says so on stdout.
    """
    label = name or getattr(student, "__name__", "this exercise")
    try:
        with quiet():
            student(*probe)
    except NotImplementedError:
        print(f"{label} is not implemented yet: using dlcore's reference version below.")
        return reference
    except Exception as error:
        print(f"{label} raised {type(error).__name__}: using dlcore's reference version below.")
        return reference
    return student
