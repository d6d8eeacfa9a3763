"""The check every update-rule exercise of notebook 05 shares.

An update rule is a pure function ``update(w, g, state, **hyperparameters) ->
(new_w, new_state)``: ``state`` is whatever the previous call returned (``{}`` at
the first step), and its contents are the student's to choose. So the check never
looks inside ``state``: it runs the student's rule for several steps on a fixed
sequence of random gradients, feeding each returned state back in, and compares
the parameters after every step with dlcore's rule run the same way
(:mod:`dlcore.optimizers.functional`, the optimizer classes underneath). It also
checks that ``w``, ``g`` and the state received are left unchanged, and names the
mistake from :mod:`autograder.optimizer_mistakes` when a trajectory matches one.

Cases: a matrix parameter and a vector one with hyperparameters drawn at random
(never the defaults, so a hard-coded value shows), tiny gradients with a large
``eps`` for the rules that have one (where eps's place matters), and one call
with no hyperparameters at all (the signature's defaults). Hidden cases: a single
row (batch size 1), a vector, a 3-D array, other hyperparameters and step counts.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .checking import call_watching, diagnoser, matches, record_unchanged, unpack
from .core import CheckResult, StudentError
from .optimizer_mistakes import MISTAKES, MUTATED_STATE, Rule

#: Hyperparameters that the exercises leave out of their signature (dlcore's options).
OPTIONS = ("variant", "eps_inside_sqrt")


@dataclass(frozen=True)
class RuleSpec:
    """One update-rule exercise: its name, dlcore's rule, how a case draws hyperparameters."""

    name: str
    reference: Rule
    draw: Callable[[np.random.Generator], dict[str, float]]

    @property
    def defaults(self) -> dict[str, Any]:
        """The hyperparameters of the reference's signature with their defaults."""
        parameters = inspect.signature(self.reference).parameters.values()
        return {p.name: p.default for p in parameters
                if p.default is not inspect.Parameter.empty and p.name not in OPTIONS}

    @property
    def has_eps(self) -> bool:
        return "eps" in self.defaults


# ------------------------------------------------------------------ running
def _snapshot(state: Any) -> Any:
    try:
        return copy.deepcopy(state)
    except Exception:  # an object that cannot be copied: its changes cannot be seen
        return None


def _same(before: Any, after: Any) -> bool:
    """Whether ``after`` holds what ``before`` held (dicts, sequences, arrays, numbers)."""
    if isinstance(before, dict):
        return (isinstance(after, dict) and before.keys() == after.keys()
                and all(_same(before[k], after[k]) for k in before))
    if isinstance(before, (list, tuple)):
        return (isinstance(after, (list, tuple)) and len(before) == len(after)
                and all(_same(a, b) for a, b in zip(before, after)))
    if isinstance(before, np.ndarray) or isinstance(after, np.ndarray):
        return np.array_equal(np.asarray(before), np.asarray(after), equal_nan=True)
    try:
        return bool(before == after)
    except Exception:
        return True


@dataclass
class Trajectory:
    """The parameters after each step, and what the rule did to its inputs on the way."""

    points: np.ndarray | list[Any]
    changed_inputs: bool = False
    changed_state: bool = False


def student_trajectory(update: Any, name: str, w0, grads, hyper) -> Trajectory:
    """Run the student's rule over ``grads`` from ``w0``, watching its inputs."""
    w, state, points = w0, {}, []
    run = Trajectory(points)
    for g in grads:
        before = _snapshot(state)
        output, changed = call_watching(update, w, g, state, **hyper)
        w, new_state = unpack(output, 2, f"{name} must return a pair (new_w, new_state)")
        run.changed_inputs |= changed
        run.changed_state |= before is not None and not _same(before, state)
        state = new_state
        points.append(w)
    return run


def rule_trajectory(rule: Rule, w0, grads, hyper, defaults=None) -> np.ndarray | None:
    """The points of one of our rules (dlcore's or a known wrong one); None if it fails.

    ``defaults`` fill in the hyperparameters the case leaves out, and each rule gets
    only the hyperparameters it takes (RMSprop's wrong twin, Adagrad, has no ``rho``).
    """
    given = {**(defaults or {}), **hyper}
    try:
        accepted = inspect.signature(rule).parameters
    except (TypeError, ValueError):
        accepted = {}
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values()):
        given = {k: v for k, v in given.items() if k in accepted}
    w, state, points = w0, {}, []
    try:
        with np.errstate(all="ignore"):
            for g in grads:
                w, state = rule(w.copy(), g.copy(), state, **given)
                points.append(np.asarray(w, dtype=float))
    except (ArithmeticError, ValueError, TypeError):
        return None
    return np.array(points)


def _stacked(points: list[Any]) -> Any:
    """The student's points as one array when they stack, else the list (compare explains)."""
    try:
        return np.array([np.asarray(p, dtype=float) for p in points])
    except (TypeError, ValueError):
        return points


# -------------------------------------------------------------------- cases
def _gradients(rng, shape, steps, scale=1.0) -> list[np.ndarray]:
    grads = [scale * rng.standard_normal(shape) for _ in range(steps)]
    grads[-1].flat[0] = 0.0  # a zero entry: no step along it, whatever the memory says
    return grads


def _cases(spec: RuleSpec, hidden: bool, rng) -> list[tuple[str, np.ndarray, list, dict]]:
    """(label, w0, gradients, hyperparameters) of one run of the check."""
    prefix = "hidden: " if hidden else ""
    if hidden:
        shapes = [(1, int(rng.integers(2, 6))), (int(rng.integers(2, 9)),), (2, 3, 2)]
    else:
        shapes = [(3, 4), (5,)]
    labels = [f"{prefix}w of shape {shape}" for shape in shapes]
    cases = []
    for label, shape in zip(labels, shapes):
        steps = int(rng.integers(3, 9)) if hidden else 5
        hyper = spec.draw(rng)
        shown = ", ".join(f"{k} = {v:.3g}" for k, v in hyper.items())
        cases.append((f"{label}, {steps} steps, {shown}", rng.standard_normal(shape),
                      _gradients(rng, shape, steps), hyper))
    if spec.has_eps:
        hyper = {**spec.draw(rng), "eps": float(rng.uniform(0.005, 0.05))}
        steps = int(rng.integers(3, 7)) if hidden else 4
        cases.append((f"{prefix}tiny gradients (about 0.001), eps = {hyper['eps']:.3g}, "
                      f"{steps} steps",
                      rng.standard_normal(4), _gradients(rng, (4,), steps, 1e-3), hyper))
    return cases


# -------------------------------------------------------------------- check
def check_rule(result: CheckResult, update: Any, spec: RuleSpec, *, hidden: bool, rng) -> None:
    """Compare the student's ``update`` with dlcore's rule on every case (see the module)."""
    changed_inputs = changed_state = False
    for label, w0, grads, hyper in _cases(spec, hidden, rng):
        run = _compare(result, update, spec, label, w0, grads, hyper)
        changed_inputs |= run.changed_inputs
        changed_state |= run.changed_state
    if not hidden:
        _check_defaults(result, update, spec, rng)
    label = "hidden: " if hidden else ""
    record_unchanged(result, changed_inputs, spec.name, label=label,
                     hint="w -= ... changes the caller's w; write w = w - ... instead")
    result.add(f"{label}{spec.name} leaves the state it received unchanged",
               passed=not changed_state, weight=0.5)
    if changed_state:
        result.diagnose(f"{spec.name} {MUTATED_STATE}")


def _compare(result, update, spec: RuleSpec, label, w0, grads, hyper) -> Trajectory:
    expected = rule_trajectory(spec.reference, w0, grads, hyper)
    run = student_trajectory(update, spec.name, w0, grads, hyper)
    got = _stacked(run.points)
    wrong = [(phrase, rule_trajectory(rule, w0, grads, hyper, spec.defaults))
             for phrase, rule in MISTAKES[spec.name]]
    wrong = [(phrase, points) for phrase, points in wrong if points is not None]
    # unique: at step 1 several mistakes often give the same point; then none is named
    first = [(phrase, points[0]) for phrase, points in wrong]
    result.add(f"{label}: w after step 1", expected=expected[0],
               got=got[0] if len(got) else None, weight=1,
               diagnose=diagnoser(first, unique=True))
    later = [(phrase, points[1:]) for phrase, points in wrong]
    result.add(f"{label}: w after steps 2 to {len(grads)}", expected=expected[1:],
               got=got[1:], weight=2, diagnose=diagnoser(later, unique=True))
    return run


def _check_defaults(result: CheckResult, update, spec: RuleSpec, rng) -> None:
    """Called with no hyperparameters, the rule must use dlcore's defaults.

    The defaults are named as the mistake only when the same rule, given those
    values explicitly, is right: otherwise the rule itself is wrong, and the other
    sub-checks say how.
    """
    w0, grads = rng.standard_normal(3), _gradients(rng, (3,), 3)
    shown = ", ".join(f"{k} = {v:g}" for k, v in spec.defaults.items())
    expected = rule_trajectory(spec.reference, w0, grads, {})
    try:
        got = _stacked(student_trajectory(update, spec.name, w0, grads, {}).points)
        explicit = _stacked(student_trajectory(update, spec.name, w0, grads,
                                               spec.defaults).points)
    except StudentError as error:
        result.add(f"defaults ({shown})", passed=False, weight=0.5, message=str(error))
        return
    phrase = f"the default hyperparameters in the signature must be {shown}"
    result.add(f"defaults ({shown})", expected=expected, got=got, weight=0.5,
               diagnose=lambda e, g: phrase if matches(expected, explicit) else None)
