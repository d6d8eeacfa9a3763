"""What the checks of every notebook share: comparing, naming the mistake, calling the student.

:mod:`autograder.core` says what a check *is* (sub-checks, results, the
``@exercise`` decorator, ``call``, ``compare``); this module holds the helpers
that the per-notebook check modules (``autograder.perceptron``, ``.backprop``,
``.activations``...) would otherwise each write again:

- :func:`matches`, the yes/no view of :func:`core.compare <autograder.core.compare>`,
  so that "is this the known wrong answer?" uses the same tolerance and the
  same shape rule as "is this the right answer?";
- :func:`diagnose` (and :func:`diagnoser`, the form ``CheckResult.add`` takes),
  which names the mistake that turned the expected result into the student's:
  first the exercise's own known wrong answers, then the slips any array can
  suffer (a sign, a transpose, a factor N, a factor 2, an axis of length 1,
  an overflow), phrased by the constants below;
- :func:`unpack`, :func:`call_watching`, :func:`call_second` and
  :func:`record_unchanged`, which call the student's functions and say when a
  tuple has the wrong length, an input was changed in place, or the second
  function of a pair is still blank.

Argument order everywhere: ``expected`` (or a known wrong answer) before ``got``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from dlcore.gradcheck import DEFAULT_H

from .core import CheckResult, NotImplementedYet, StudentError, call, call_each, compare

# ------------------------------------------------------------- the phrases
#: The diagnoses of the slips that any array-valued answer can make, in one place.
SIGN = "sign error: the result is minus the expected one"
TRANSPOSED = (
    "transposed: the result is the transpose of the expected one "
    "(in dlcore a gradient has the shape of what it is the gradient of)"
)
ONE_OVER_N = "missing or extra 1/N (the division of a mean: in dlcore only the loss divides by N)"
FACTOR_2 = "off by a factor of 2"
KEEPDIMS = "an extra or missing axis of length 1 (keepdims?)"
KEEPDIMS_BROADCAST = (
    "shapes (N, K) and (N,) do not broadcast: keep the summed axis with keepdims=True "
    "(e.g. z.max(axis=1, keepdims=True))"
)
NON_FINITE = "NaN or inf in the result: overflow (exp of a large number?)"
MUTATES = "changes its input arrays in place (work on new arrays, or copy first)"

#: Known wrong answers of one case: (diagnosis, the wrong value that mistake gives) pairs,
#: or a mapping from diagnosis to wrong value.
Candidates = Mapping[str, Any] | Iterable[tuple[str, Any]]
#: The ``diagnose`` argument of :meth:`CheckResult.add`: (expected, got) -> a phrase or None.
Diagnose = Callable[[Any, Any], "str | None"]


# --------------------------------------------------------------- comparing
def matches(expected: Any, got: Any, *, rtol: float = 1e-6, atol: float = 1e-8) -> bool:
    """Whether ``got`` has the shape and (within tolerance) the values of ``expected``.

    The rule is :func:`autograder.core.compare`'s, the one every sub-check uses;
    ``expected`` may be a known wrong answer. None is never matched.
    """
    if expected is None or got is None:
        return False
    return compare(expected, got, rtol=rtol, atol=atol)[0]


def has_nonfinite(got: Any) -> bool:
    """Whether ``got`` is numeric and holds NaN or inf."""
    array = _float_array(got)
    return array is not None and not bool(np.isfinite(array).all())


def _float_array(value: Any) -> np.ndarray | None:
    """``value`` as a plain float64 ndarray, or None when it is not numbers."""
    try:
        return np.asarray(np.array(value, dtype=float)).view(np.ndarray)
    except (TypeError, ValueError):
        return None


# -------------------------------------------------------------- diagnosing
def diagnose(
    expected: Any,
    got: Any,
    *,
    candidates: Candidates = (),
    batch_size: int | None = None,
    unique: bool = False,
) -> str | None:
    """Name the mistake that most likely turned ``expected`` into ``got``, or None.

    ``candidates`` are the exercise's known wrong answers for this case; after
    them come the generic slips: a transposed result, an extra or missing axis
    of length 1, minus the answer, a factor ``batch_size`` too many or too few
    (1/N), a factor 2; and, when nothing else explains it, NaN or inf.

    By default the first slip that ``got`` matches is named (list the most
    specific candidates first). With ``unique=True`` a slip is named only when
    every slip that ``got`` matches names the same mistake: on some cases two
    mistakes give the same result, naming either would be a guess, and a wrong
    diagnosis is worse than none (another case will tell them apart).
    """
    pairs = list(candidates.items() if isinstance(candidates, Mapping) else candidates)
    want, have = _float_array(expected), _float_array(got)
    if want is not None and have is not None:
        pairs += generic_slips(want, have.shape, batch_size)
    named = [phrase for phrase, wrong in pairs if matches(wrong, got)]
    if unique and len(set(named)) > 1:
        return None
    if named:
        return named[0]
    if have is not None and want is not None and have.shape == want.shape:
        if not np.isfinite(have).all() and np.isfinite(want).all():
            return NON_FINITE
    return None


def generic_slips(
    expected: np.ndarray, shape: tuple[int, ...], batch_size: int | None = None
) -> list[tuple[str, np.ndarray]]:
    """The wrong results, of the given ``shape``, that any array-valued answer can have.

    (diagnosis, wrong value) pairs: for another shape, ``expected`` transposed or
    with an axis of length 1 more or less; for its own shape, minus ``expected``,
    ``expected`` times or over ``batch_size`` (1/N), its transpose, twice or half it.
    """
    want = np.asarray(expected, dtype=float)
    if shape != want.shape:
        slips = []
        if want.ndim == 2 and shape == want.shape[::-1]:
            slips.append((TRANSPOSED, want.T))
        if _squeezed(shape) == _squeezed(want.shape):
            slips.append((KEEPDIMS, want.reshape(shape)))
        return slips
    if np.allclose(want, 0):
        return []  # minus, times N or times 2: all still zero
    slips = [(SIGN, -want)]
    if batch_size and batch_size > 1:
        slips += [(ONE_OVER_N, want / batch_size), (ONE_OVER_N, want * batch_size)]
    if want.ndim == 2 and not matches(want, want.T):
        slips.append((TRANSPOSED, want.T))
    return [*slips, (FACTOR_2, 2 * want), (FACTOR_2, want / 2)]


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def diagnoser(
    candidates: Candidates = (), batch_size: int | None = None, *, unique: bool = False
) -> Diagnose:
    """:func:`diagnose` with its candidates bound: the ``diagnose`` of :meth:`CheckResult.add`."""
    return lambda expected, got: diagnose(
        expected, got, candidates=candidates, batch_size=batch_size, unique=unique
    )


# ----------------------------------------------------------------- calling
def describe(value: Any) -> str:
    """What a value is, in a few words: "float", "tuple of 3", "ndarray of shape (4, 2)"."""
    if value is None:
        return "None (did you forget `return`?)"
    name = type(value).__name__
    if isinstance(value, (tuple, list)):
        return f"{name} of {len(value)}"
    shape = getattr(value, "shape", None)
    return f"{name} of shape {shape}" if isinstance(shape, tuple) else name


def unpack(value: Any, count: int, what: str) -> tuple[Any, ...]:
    """``value`` as a tuple of ``count`` items, or a :class:`StudentError` saying what was due.

    ``what`` states the contract, e.g. "dense_forward must return a pair (Z, cache)";
    the message adds what the function returned instead.
    """
    if isinstance(value, (tuple, list)) and len(value) == count:
        return tuple(value)
    raise StudentError(f"{what}; it returned {describe(value)}")


def call_watching(function: Any, *args: Any, **kwargs: Any) -> tuple[Any, bool]:
    """``call(function, *args, **kwargs)``, and whether it changed an array argument in place.

    The student's function gets copies (as with :func:`autograder.core.call`);
    the copies are compared with the originals afterwards.
    """
    if not callable(function):
        raise StudentError(f"expected a function, got {type(function).__name__}")
    received: list[Any] = []

    def spy(*copies: Any, **options: Any) -> Any:
        received.extend(copies)
        return function(*copies, **options)

    output = call(spy, *args, **kwargs)
    changed = any(
        isinstance(original, np.ndarray)
        and not (
            isinstance(copy, np.ndarray)
            and copy.shape == original.shape
            and np.array_equal(copy, original, equal_nan=True)
        )
        for original, copy in zip(args, received)
    )
    return output, changed


def call_second(
    result: CheckResult, name: str, weight: float, function: Any, *args: Any
) -> tuple[Any, bool] | None:
    """:func:`call_watching` for the second function of a pair (a backward, a gradient).

    When only this one is still blank, the first keeps its points: a failed
    sub-check "<name>: not implemented yet" worth ``weight`` (the sub-checks
    skipped) says so, and None is returned.
    """
    try:
        return call_watching(function, *args)
    except NotImplementedYet:
        result.add(f"{name}: not implemented yet", passed=False, weight=weight)
        return None


def record_unchanged(
    result: CheckResult,
    changed: bool,
    function: str,
    *,
    label: str = "",
    weight: float = 0.5,
    hint: str = "",
) -> None:
    """The sub-check "<function> leaves its inputs unchanged", and the diagnosis when not.

    ``label`` prefixes the sub-check's name (the case); ``hint`` adds the
    exercise's usual culprit to the diagnosis ("z[z < 0] = 0 changes z").
    """
    result.add(f"{label}{function} leaves its inputs unchanged", passed=not changed, weight=weight)
    if changed:
        result.diagnose(f"{function} {MUTATES}" + (f": {hint}" if hint else ""))


def recording_warnings(thunk: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Run ``thunk``; return its value and the RuntimeWarnings NumPy raised (overflow...).

    The warnings are caught, not shown: a check reports them as a sub-check, and
    nothing reaches stderr.
    """
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("always")
        value = thunk()
    return value, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def numerical_gradient_of(function: Callable[..., Any], x: np.ndarray,
                          arguments: Callable[[np.ndarray], tuple],
                          value: Callable[[Any], float], *, keywords: Mapping | None = None,
                          h: float = DEFAULT_H) -> np.ndarray:  # fmt: skip
    """dL/dx by centred differences, for L(p) = value(function(*arguments(p), **keywords)).

    The same numbers as ``dlcore.gradcheck.numerical_gradient`` of that L, entry by
    entry, but the student's function is called on all 2 x.size perturbed inputs
    with one :func:`~autograder.core.call_each`: one round trip to the sandbox in
    the trusted grader, instead of one per evaluation.
    """
    x = np.asarray(x, dtype=float)
    points = []
    for index in np.ndindex(*x.shape):
        for step in (h, -h):
            point = x.copy()
            point[index] = x[index] + step
            points.append(point)
    outputs = call_each(function, [(arguments(p), dict(keywords or {})) for p in points])
    values = [value(output) for output in outputs]
    grad = np.empty(x.shape)
    for k, index in enumerate(np.ndindex(*x.shape)):
        grad[index] = (values[2 * k] - values[2 * k + 1]) / (2 * h)
    return grad
