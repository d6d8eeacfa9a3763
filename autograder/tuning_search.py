"""Checks of notebook 09's two searches: random search and successive halving.

Both checks hand the student's search an objective that records every call, so
that they can see how the search spent its budget (how many trials, which
configurations, at which budgets) and not only what it returned. The objectives
are synthetic and deterministic, with learning curves that cross, so that
keeping the worst, ranking on the training loss or forgetting to raise the budget
all change the answer. Expected answers come from the references of
:mod:`autograder.tuning_reference`, run on the same objective at grading time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from dlcore.tuning import Choice, IntUniform, LogUniform, OneMinusLogUniform, Space
from dlcore.tuning.searchers import sample_config

from . import tuning_reference as reference
from .checking import describe, unpack
from .core import CheckResult, StudentError, call, exercise

__all__ = ["Recorder", "check_random_search", "check_successive_halving", "curve"]

# ------------------------------------------------------------- the phrases
BUDGET_UNUSED = "the search does not spend its budget: call the objective exactly n_trials times"
SAME_CONFIG = "the same configuration is tried in every trial: draw a new one inside the loop"
LARGEST = "kept the largest dev error: the best trial has the smallest (min, not max)"
TRAINING_LOSS = (
    "chose on the training loss: pick the trial with the smallest dev error, the training "
    "loss rewards the models that overfit"
)
LAST_TRIAL = "returned the last trial, not the best one"
CONFIG_OF_ANOTHER = "best_config is not the configuration that gave best_dev_error"
KEEPS_WORST = "kept the worst configurations: sort the scores in increasing order (lower is better)"
KEEPS_HALF = "kept half of the configurations: keep n // eta of them (a third when eta = 3)"
KEEPS_CEIL = "kept ceil(n / eta) configurations: keep n // eta (at least one)"
FLAT_BUDGET = "the budget never grows: multiply it by eta after every rung"
ADDED_BUDGET = "the budget grows by adding eta: multiply it by eta after every rung"
FIRST_RUNG_RANKING = (
    "the survivors are ranked on the first rung's scores: rank each rung on the scores at "
    "its own budget"
)
NOT_TO_ONE = "the halving stops too early or too late: repeat until one configuration is left"


def curve(config: dict[str, Any], budget: float) -> tuple[float, float]:
    """(dev error, training loss) of an imaginary network after ``budget`` epochs.

    The dev error falls from 0.9 towards a floor that is lowest near lr = 3e-3 and
    units = 96; large learning rates start fast and end high, so the curves cross.
    The training loss keeps falling with more units and a larger lr (it overfits).
    """
    lr, units = float(config["lr"]), float(config.get("units", 96))
    floor = 0.04 + 0.03 * (math.log10(lr) + 2.5) ** 2 + 0.05 * math.log2(units / 96) ** 2
    floor += 0.02 * (math.log10(1 - float(config.get("beta", 0.9))) + 1.5) ** 2
    speed = 0.15 * min(4.0, math.sqrt(lr / 3e-3))
    dev_error = floor + (0.9 - floor) * math.exp(-speed * budget)
    train_loss = 0.5 * math.exp(-speed * budget) + 2.0 / units + 0.01 / lr**0.2
    return dev_error, train_loss


class Recorder:
    """An objective that answers with :func:`curve` and remembers every call.

    ``as_objective`` is random search's ``objective(config) -> dict``; ``as_evaluate``
    is successive halving's ``evaluate(config, budget) -> dev error``. After
    ``limit`` calls it stops the student's search (an endless loop).
    """

    def __init__(self, limit: int, budget: float = 10) -> None:
        self.calls: list[tuple[dict[str, Any], Any, float, float]] = []
        self.limit, self.budget = limit, budget

    def _record(self, config: Any, budget: Any) -> tuple[float, float]:
        if len(self.calls) >= self.limit:
            raise RuntimeError(
                f"the objective was called more than {self.limit} times: does the loop end?"
            )
        if not isinstance(config, dict):
            raise TypeError(f"a configuration must be a dict; received {describe(config)}")
        dev_error, train_loss = curve(config, budget)
        self.calls.append((dict(config), budget, dev_error, train_loss))
        return dev_error, train_loss

    def as_objective(self, config: dict[str, Any]) -> dict[str, float]:
        dev_error, train_loss = self._record(config, self.budget)
        return {"train_loss": train_loss, "dev_error": dev_error}

    def as_evaluate(self, config: dict[str, Any], budget: Any) -> float:
        return self._record(config, budget)[0]


def _key(config: dict[str, Any]) -> tuple:
    return tuple(sorted((name, float(value)) for name, value in config.items()))


def _same_config(a: Any, b: Any) -> bool:
    return isinstance(a, dict) and isinstance(b, dict) and _key(a) == _key(b)


def _number(value: Any, what: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise StudentError(f"{what} must be a number; it is {describe(value)}") from None


# -------------------------------------------------------------- random search
def _search_cases(hidden: bool, rng: np.random.Generator) -> list[tuple[dict[str, Space], int]]:
    space: dict[str, Space] = {"lr": LogUniform(1e-4, 1.0), "units": IntUniform(8, 512)}
    if not hidden:
        return [(space, 20)]
    wider = {"lr": LogUniform(1e-5, 0.3), "units": Choice([16, 32, 64, 128, 256]),
             "beta": OneMinusLogUniform(0.8, 0.999)}  # fmt: skip
    return [(wider, int(rng.integers(5, 40))), (space, 1)]


def _random_search_case(result, random_search, space, n_trials, seed, label) -> None:
    recorder = Recorder(limit=10 * n_trials + 10)
    output = call(random_search, recorder.as_objective, space, n_trials,
                  np.random.default_rng(seed))  # fmt: skip
    best_config, best_error, history = unpack(
        output, 3, "random_search must return (best_config, best_dev_error, dev_errors)"
    )
    name = f"{label}n_trials={n_trials}"
    calls = recorder.calls
    result.add(f"{name}: calls the objective n_trials times", passed=len(calls) == n_trials)
    if len(calls) != n_trials:
        result.diagnose(BUDGET_UNUSED)
    distinct = len({_key(c[0]) for c in calls})
    result.add(f"{name}: a new configuration in every trial", passed=distinct == len(calls),
               weight=0.5)  # fmt: skip
    if calls and distinct == 1 and len(calls) > 1:
        result.diagnose(SAME_CONFIG)
    inside = all(set(c[0]) == set(space) and all(space[k].contains(v) for k, v in c[0].items())
                 for c in calls)  # fmt: skip
    result.add(f"{name}: every configuration lies in the space", passed=inside, weight=0.5)
    drawn = np.random.default_rng(seed)
    like_dlcore = len(calls) == n_trials and all(
        _same_config(sample_config(space, drawn), c[0]) for c in calls
    )
    result.add(
        f"{name}: configurations drawn like dlcore's sample_config with the rng given",
        passed=like_dlcore,
        weight=0.5,
    )
    errors = [c[2] for c in calls]
    result.add(
        f"{name}: dev_errors lists the dev error of every trial in order",
        expected=errors,
        got=history,
        weight=0.5,
    )
    if not calls:
        return
    best = int(np.argmin(errors))
    best_error = _number(best_error, "best_dev_error")
    right = math.isclose(best_error, errors[best], rel_tol=1e-9)
    result.add(
        f"{name}: best_dev_error is the smallest dev error",
        passed=right,
        message="" if right else f"expected {errors[best]:.6g}, got {best_error:.6g}",
    )
    if not right:
        by_training = errors[int(np.argmin([c[3] for c in calls]))]
        for phrase, wrong in ((TRAINING_LOSS, by_training), (LARGEST, max(errors)),
                              (LAST_TRIAL, errors[-1])):  # fmt: skip
            if math.isclose(best_error, wrong, rel_tol=1e-9):
                result.diagnose(phrase)
                break
    same = _same_config(best_config, calls[best][0])
    result.add(f"{name}: best_config is the configuration of that trial", passed=same)
    if right and not same:
        result.diagnose(CONFIG_OF_ANOTHER)


@exercise("random_search", points=2)
def check_random_search(result: CheckResult, random_search, *, hidden, rng):
    """n_trials configurations from the space, each evaluated once; the lowest dev error wins."""
    label = "hidden: " if hidden else ""
    for space, n_trials in _search_cases(hidden, rng):
        seed = int(rng.integers(2**31))
        _random_search_case(result, random_search, space, n_trials, seed, label)


# ---------------------------------------------------------- successive halving
def _configs(n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """``n`` distinct configurations of lr and units, as a student would draw them."""
    lrs = 10.0 ** rng.uniform(-4, -0.5, n)
    units = rng.choice([16, 32, 64, 96, 128, 256, 512], n)
    return [{"lr": float(lr), "units": int(u)} for lr, u in zip(lrs, units)]


def rungs_of(calls: Sequence[tuple[dict[str, Any], Any, float, float]]) -> list[list[tuple]]:
    """The calls grouped into rungs: a rung ends when the budget changes or a configuration
    comes back."""
    rungs: list[list[tuple]] = []
    for call_ in calls:
        current = rungs[-1] if rungs else None
        if (current is None or call_[1] != current[0][1]
                or any(_same_config(call_[0], c[0]) for c in current)):  # fmt: skip
            rungs.append([call_])
        else:
            current.append(call_)
    return rungs


def _halving_case(result, successive_halving, n, min_budget, eta, rng, label) -> None:
    configs = _configs(n, rng)
    recorder = Recorder(limit=10 * n + 10)
    output = call(successive_halving, configs, recorder.as_evaluate, min_budget, eta)
    best_config, _ = unpack(output, 2, "successive_halving must return (best_config, score)")
    twin = Recorder(limit=10 * n + 10)
    want_config, _ = reference.successive_halving(configs, twin.as_evaluate, min_budget, eta)
    plan = reference.halving_plan(n, min_budget, eta)
    got, want = rungs_of(recorder.calls), rungs_of(twin.calls)
    name = f"{label}{n} configurations, min_budget={min_budget:g}, eta={eta}"
    sizes = [len(r) for r in got]
    budgets = [float(r[0][1]) for r in got]
    result.add(
        f"{name}: configurations per rung {[s for s, _ in plan]}",
        passed=sizes == [s for s, _ in plan],
        message="" if sizes == [s for s, _ in plan] else f"got {sizes}",
    )
    right_budgets = budgets == [float(b) for _, b in plan]
    result.add(
        f"{name}: budgets per rung {[b for _, b in plan]}",
        passed=right_budgets,
        message="" if right_budgets else f"got {budgets}",
    )
    kept_best = all(_survivors_are(got[i], got[i + 1], best=True) for i in range(len(got) - 1))
    result.add(f"{name}: each rung keeps the best of the rung before", passed=kept_best)
    result.add(
        f"{name}: returns the last survivor",
        weight=1.5,
        passed=_same_config(best_config, want_config),
    )
    _diagnose_halving(result, got, want, plan, n, eta, min_budget)


def _survivors_are(rung: list[tuple], following: list[tuple], *, best: bool) -> bool:
    """Whether the configurations of ``following`` are the best (or worst) of ``rung``."""
    ranked = sorted(rung, key=lambda c: c[2], reverse=not best)
    chosen = {_key(c[0]) for c in ranked[: len(following)]}
    return chosen == {_key(c[0]) for c in following}


def _diagnose_halving(result, got, want, plan, n, eta, min_budget) -> None:
    if got == want or not got:
        return
    sizes = [len(r) for r in got]
    budgets = [float(r[0][1]) for r in got]
    if len(got) > 1 and len(set(budgets)) == 1:
        result.diagnose(FLAT_BUDGET)
    elif len(got) > 2 and budgets[1] == min_budget + eta and budgets[2] == min_budget + 2 * eta:
        result.diagnose(ADDED_BUDGET)
    if len(got) > 1 and sizes[1] != plan[1][0] and sizes[0] == n:
        if eta != 2 and sizes[1] == max(1, n // 2):
            result.diagnose(KEEPS_HALF)
        elif sizes[1] == math.ceil(n / eta):
            result.diagnose(KEEPS_CEIL)
    pairs = range(len(got) - 1)
    if len(got) > 1 and all(_survivors_are(got[i], got[i + 1], best=False) for i in pairs):
        result.diagnose(KEEPS_WORST)
    elif len(got) > 2 and all(_survivors_are(got[0], got[i + 1], best=True) for i in pairs):
        if not all(_survivors_are(got[i], got[i + 1], best=True) for i in pairs):
            result.diagnose(FIRST_RUNG_RANKING)
    if sizes[: len(plan)] == [s for s, _ in plan][: len(sizes)] and len(sizes) != len(plan):
        result.diagnose(NOT_TO_ONE)


def _halving_cases(hidden: bool, rng: np.random.Generator) -> list[tuple[int, float, int]]:
    if not hidden:
        return [(27, 1, 3), (10, 1, 3)]
    return [
        (int(rng.integers(11, 40)), float(rng.choice([0.5, 1, 2])), 3),
        (int(rng.integers(5, 20)), 1, 2),
        (int(rng.integers(20, 60)), 1, 4),
        (1, 3, 3),
    ]


@exercise("successive_halving", points=3)
def check_successive_halving(result: CheckResult, successive_halving, *, hidden, rng):
    """Keep the best n // eta, multiply the budget by eta, until one configuration is left."""
    label = "hidden: " if hidden else ""
    for n, min_budget, eta in _halving_cases(hidden, rng):
        _halving_case(result, successive_halving, n, min_budget, eta, rng, label)
