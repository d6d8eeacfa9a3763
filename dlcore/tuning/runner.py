"""Running trials: in this process or in a pool of worker processes, reproducibly.

Reproducibility whatever ``n_jobs``: configurations are drawn in the main process, in a
fixed order, from a generator derived from the run's seed; each trial gets its own
generator derived from the seed and the trial's ``config_id``
(``SeedSequence(seed, spawn_key=(1, config_id))``), so a trial computes the same score in
any process, in any order. The same configuration evaluated at several budgets (successive
halving) gets the same stream each time: "the same network, trained longer".

Parallel trials use ``concurrent.futures.ProcessPoolExecutor``. On Linux the workers are
started with ``fork``: no interpreter start-up or re-import of NumPy per worker, and an
objective defined in a notebook cell works. Elsewhere the platform's default (``spawn``)
is used, where the objective must be importable from a module. The objective is pickled
once, checked before any worker starts, and handed to each worker when it starts.

``fork`` copies a process that may be running other threads (a Jupyter kernel always is);
Python 3.12+ warns that this can deadlock in rare cases, and a process that has already
used CUDA (CuPy) cannot use it again in a forked child. ``run(..., start_method="spawn")``
avoids both, at the cost of a slower start and an objective defined in an importable
module; objectives that train on the GPU are best run with ``n_jobs=1``.
"""

from __future__ import annotations

import concurrent.futures as futures
import dataclasses
import functools
import multiprocessing
import numbers
import os
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from ..callbacks import progress_enabled
from ._validate import check_choice
from .results import Trial

Objective = Callable[[dict[str, Any], Any, np.random.Generator], float]

_SAMPLER_KEY = 0
_TRIAL_KEY = 1


class TrialError(RuntimeError):
    """The objective raised; the message names the trial, its configuration and budget."""


@dataclasses.dataclass(frozen=True)
class Request:
    """A trial to run: what the objective receives, and where it sits in the search."""

    config: dict[str, Any]
    budget: int | float
    config_id: int
    round: int | None = None
    bracket: int | None = None
    rung: int | None = None


def resolve_seed(where: str, seed: Any, rng: Any) -> int:
    """The run's entropy: ``seed``, or drawn from ``rng``, or fresh from the OS."""
    if seed is not None and rng is not None:
        raise ValueError(f"{where}: pass either seed or rng, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"{where}: rng must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
                f"received {type(rng).__name__}"
            )
        return int(rng.integers(2**63))
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{where}: seed must be an integer >= 0 (or None); received {seed!r}")
    return int(seed)


def sampler_rng(seed: int) -> np.random.Generator:
    """The generator that draws the configurations of a run."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_SAMPLER_KEY,)))


def trial_rng(seed: int, config_id: int) -> np.random.Generator:
    """The generator a trial's objective receives: a function of the seed and config_id."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_TRIAL_KEY, config_id)))


def resolve_n_jobs(where: str, n_jobs: Any) -> int:
    """``n_jobs`` as a number of processes: -1 means every core this process may use."""
    if (
        isinstance(n_jobs, bool)
        or not isinstance(n_jobs, (int, np.integer))
        or not (n_jobs >= 1 or n_jobs == -1)
    ):
        raise ValueError(
            f"{where}: n_jobs must be an integer >= 1, or -1 for every core; received {n_jobs!r}"
        )
    if n_jobs == -1:
        cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        return len(cores) if cores else os.cpu_count() or 1
    return int(n_jobs)


def default_start_method() -> str:
    """``fork`` on Linux (cheap workers), the platform's default elsewhere."""
    if sys.platform.startswith("linux"):
        return "fork"
    return multiprocessing.get_start_method(allow_none=False)


def as_score(value: Any) -> float | None:
    """The objective's return value as a float, or None when it is not one number."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and np.issubdtype(value.dtype, np.number):
        return float(value)
    return None


def evaluate(objective: Objective, request: Request, seed: int) -> tuple[Any, float]:
    """Call the objective once; return what it returned and the seconds it took."""
    rng = trial_rng(seed, request.config_id)
    start = time.perf_counter()
    value = objective(dict(request.config), request.budget, rng)
    return value, time.perf_counter() - start


# Worker processes only: the objective each worker unpickles once when it starts.
_WORKER_STATE: dict[str, Any] = {}


def _init_worker(payload: bytes) -> None:
    try:
        _WORKER_STATE["objective"] = pickle.loads(payload)
    except Exception as error:  # reported by the first trial the worker gets
        _WORKER_STATE["error"] = f"{type(error).__name__}: {error}"


def _evaluate_in_worker(request: Request, seed: int) -> tuple[Any, float]:
    if "error" in _WORKER_STATE:
        raise RuntimeError(
            f"a worker process could not load the objective ({_WORKER_STATE['error']}); "
            "define the objective in an importable module, or use n_jobs=1"
        )
    return evaluate(_WORKER_STATE["objective"], request, seed)


class TrialRunner:
    """Evaluates batches of trials and keeps every trial; use as a context manager.

    Parameters
    ----------
    where : str
        The searcher's name, for messages and the progress bar.
    objective : callable
        ``objective(config, budget, rng) -> score``.
    seed : int
        The run's entropy (see the module docstring).
    mode : "min" or "max"
        Only for the best score shown on the progress bar.
    n_jobs : int
        Worker processes; 1 runs every trial in this process.
    verbose : 0, 1 or 2
        0 silent, 1 a progress bar (for a person, see ``DLCORE_PROGRESS``), 2 a line per trial.
    total : int
        The number of trials planned, for the progress bar.
    start_method : str, optional
        The multiprocessing start method; default :func:`default_start_method`.
    """

    def __init__(
        self,
        where: str,
        objective: Objective,
        *,
        seed: int,
        mode: str,
        n_jobs: int,
        verbose: int,
        total: int,
        start_method: str | None = None,
    ) -> None:
        if not callable(objective):
            raise TypeError(
                f"{where}.run: objective must be a function objective(config, budget, rng) -> "
                f"score; received {type(objective).__name__}"
            )
        self.where, self.objective, self.seed, self.mode = where, objective, seed, mode
        self.n_jobs = resolve_n_jobs(f"{where}.run", n_jobs)
        self.verbose = check_choice(f"{where}.run", "verbose", verbose, (0, 1, 2))
        methods = multiprocessing.get_all_start_methods()
        if start_method is not None:
            check_choice(f"{where}.run", "start_method", start_method, methods)
        self.start_method = start_method or default_start_method()
        self.total = total
        self.trials: list[Trial] = []
        self._pool: futures.ProcessPoolExecutor | None = None
        self._bar: Any = None
        self._best: float | None = None

    def __enter__(self) -> TrialRunner:
        if self.n_jobs > 1 and self.total > 1:
            self._pool = futures.ProcessPoolExecutor(
                max_workers=min(self.n_jobs, self.total),
                mp_context=multiprocessing.get_context(self.start_method),
                initializer=_init_worker,
                initargs=(self._pickled_objective(),),
            )
        if progress_enabled(self.verbose):
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self.total, desc=self.where, unit="trial")
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._bar is not None:
            self._bar.close()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _pickled_objective(self) -> bytes:
        try:
            return pickle.dumps(self.objective)
        except Exception as error:
            name = getattr(self.objective, "__qualname__", type(self.objective).__name__)
            raise TypeError(
                f"{self.where}.run: n_jobs={self.n_jobs} runs trials in worker processes, which "
                f"receive the objective by pickling, but {name!r} cannot be pickled ({error}). "
                "Define the objective with `def` at the top level of a module or notebook cell "
                "(not a lambda, not a function inside another function), or use n_jobs=1."
            ) from error

    def evaluate(self, requests: Sequence[Request]) -> list[Trial]:
        """Run every request (in parallel when there is a pool); return their trials in order."""
        first_id = len(self.trials)
        done: dict[int, Trial] = {}
        if self._pool is None:
            for i, request in enumerate(requests):
                run_here = functools.partial(evaluate, self.objective, request, self.seed)
                done[i] = self._record(first_id + i, request, run_here)
        else:
            pending = {
                self._pool.submit(_evaluate_in_worker, request, self.seed): i
                for i, request in enumerate(requests)
            }
            for future in futures.as_completed(pending):
                i = pending[future]
                done[i] = self._record(first_id + i, requests[i], future.result)
        trials = [done[i] for i in range(len(requests))]
        self.trials.extend(trials)
        return trials

    def _record(self, trial_id: int, request: Request, get: Callable[[], Any]) -> Trial:
        """The trial made of ``get()``'s (value, seconds), with errors that name the trial."""
        value, seconds = self._call(trial_id, request, get)
        score = as_score(value)
        if score is None:
            shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
            raise TypeError(
                f"{self.where}: the objective must return one number, the score (e.g. the dev "
                f"error); trial {trial_id} with config {request.config!r} returned "
                f"{type(value).__name__}{shape}: {value!r}"
            )
        trial = Trial(
            trial_id=trial_id,
            config=dict(request.config),
            budget=request.budget,
            score=score,
            time=seconds,
            config_id=request.config_id,
            round=request.round,
            bracket=request.bracket,
            rung=request.rung,
        )
        self._report(trial)
        return trial

    def _call(self, trial_id: int, request: Request, get: Callable[[], Any]) -> tuple[Any, float]:
        try:
            return get()
        except BrokenProcessPool as error:
            hint = ""
            if self.start_method != "fork":
                hint = (
                    f" With start method {self.start_method!r} each worker starts a new "
                    "interpreter that imports the main script again, which fails for code typed "
                    "into a notebook or stdin: put the objective in a module, or use "
                    "start_method='fork' on Linux."
                )
            raise RuntimeError(
                f"{self.where}: a worker process died before trial {trial_id} finished; the "
                "objective may have crashed the interpreter or run out of memory, or the worker "
                f"could not start.{hint} Try n_jobs=1 to see the error."
            ) from error
        except Exception as error:
            raise TrialError(
                f"{self.where}: the objective raised {type(error).__name__} in trial {trial_id} "
                f"with config {request.config!r} and budget {request.budget!r}: {error}"
            ) from error

    def _report(self, trial: Trial) -> None:
        if self.verbose == 2:
            print(
                f"trial {trial.trial_id}: score={trial.score:.4g} budget={trial.budget} "
                f"time={trial.time:.2f}s config={trial.config}"
            )
        if self._bar is None:
            return
        sign = 1.0 if self.mode == "min" else -1.0
        if trial.finite and (self._best is None or sign * trial.score < sign * self._best):
            self._best = trial.score
            self._bar.set_postfix(best=f"{trial.score:.4g}", refresh=False)
        self._bar.update(1)
