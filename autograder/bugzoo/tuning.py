"""Bug zoo of notebook 09, tuning: the wrong samplers and searches students write."""

from __future__ import annotations

import math

import numpy as np

from dlcore.tuning.searchers import sample_config

from .. import tuning as checks
from . import Bug


# -------------------------------------------------------------- log-uniform
def log_uniform_linear(low, high, size, rng):
    return rng.uniform(low, high, size)


def log_uniform_exponents(low, high, size, rng):
    return rng.uniform(np.log10(low), np.log10(high), size)


def log_uniform_natural_log_then_pow10(low, high, size, rng):
    return 10.0 ** rng.uniform(np.log(low), np.log(high), size)


def log_uniform_log10_then_exp(low, high, size, rng):
    return np.exp(rng.uniform(np.log10(low), np.log10(high), size))


def log_uniform_fixed_range(low, high, size, rng):
    return 10.0 ** rng.uniform(-4, 0, size)


def log_uniform_global_random(low, high, size, rng):
    return 10.0 ** np.random.uniform(np.log10(low), np.log10(high), size)  # noqa: NPY002 (the bug)


# --------------------------------------------------------------------- beta
def beta_linear(low, high, size, rng):
    return rng.uniform(low, high, size)


def beta_log_uniform_itself(low, high, size, rng):
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size)


def beta_returns_the_gap(low, high, size, rng):
    return 10.0 ** rng.uniform(np.log10(1 - high), np.log10(1 - low), size)


def beta_log10_then_exp(low, high, size, rng):
    return 1 - np.exp(rng.uniform(np.log10(1 - high), np.log10(1 - low), size))


def beta_natural_log_then_pow10(low, high, size, rng):
    return 1 - 10.0 ** rng.uniform(np.log(1 - high), np.log(1 - low), size)


# ------------------------------------------------------------ random search
def _search(objective, space, n_trials, rng, *, key="dev_error", better=min, trials=None):
    configs = [sample_config(space, rng) for _ in range(n_trials if trials is None else trials)]
    results = [objective(config) for config in configs]
    errors = [r["dev_error"] for r in results]
    best = configs.index(better(configs, key=lambda c: results[configs.index(c)][key]))
    return configs[best], errors[best], errors


def random_search_on_training_loss(objective, space, n_trials, rng):
    return _search(objective, space, n_trials, rng, key="train_loss")


def random_search_keeping_the_largest(objective, space, n_trials, rng):
    return _search(objective, space, n_trials, rng, better=max)


def random_search_one_trial_short(objective, space, n_trials, rng):
    return _search(objective, space, n_trials, rng, trials=max(0, n_trials - 1))


def random_search_one_config(objective, space, n_trials, rng):
    config = sample_config(space, rng)
    errors = [objective(config)["dev_error"] for _ in range(n_trials)]
    return config, min(errors), errors


def random_search_returning_the_last(objective, space, n_trials, rng):
    configs = [sample_config(space, rng) for _ in range(n_trials)]
    errors = [objective(config)["dev_error"] for config in configs]
    return configs[-1], errors[-1], errors


# ------------------------------------------------------- successive halving
def _halving(configs, evaluate, min_budget, eta, *, keep, grow, reverse=False):
    alive, budget = list(configs), min_budget
    while True:
        scores = [evaluate(config, budget) for config in alive]
        order = sorted(range(len(alive)), key=lambda i: scores[i], reverse=reverse)
        alive = [alive[i] for i in order]
        if len(alive) == 1:
            return alive[0], scores[order[0]]
        alive, budget = alive[: keep(len(alive), eta)], grow(budget, eta)


def _floor(n, eta):
    return max(1, n // eta)


def _times(budget, eta):
    return budget * eta


def halving_keeps_the_worst(configs, evaluate, min_budget, eta):
    return _halving(configs, evaluate, min_budget, eta, keep=_floor, grow=_times, reverse=True)


def _half(n, eta):
    return max(1, n // 2)


def halving_keeps_half(configs, evaluate, min_budget, eta):
    return _halving(configs, evaluate, min_budget, eta, keep=_half, grow=_times)


def _ceil(n, eta):
    return math.ceil(n / eta)


def halving_keeps_ceil(configs, evaluate, min_budget, eta):
    return _halving(configs, evaluate, min_budget, eta, keep=_ceil, grow=_times)


def _same(budget, eta):
    return budget


def halving_flat_budget(configs, evaluate, min_budget, eta):
    return _halving(configs, evaluate, min_budget, eta, keep=_floor, grow=_same)


def _plus(budget, eta):
    return budget + eta


def halving_adds_eta(configs, evaluate, min_budget, eta):
    return _halving(configs, evaluate, min_budget, eta, keep=_floor, grow=_plus)


def halving_ranked_on_first_rung(configs, evaluate, min_budget, eta):
    first = [evaluate(config, min_budget) for config in configs]
    ranked = [configs[i] for i in np.argsort(first, kind="stable")]
    n, budget, score = len(configs), min_budget, min(first)
    while n > 1:
        n, budget = max(1, n // eta), budget * eta
        scores = [evaluate(config, budget) for config in ranked[:n]]
        score = scores[0]
    return ranked[0], score


_LOG = checks.check_log_uniform
_BETA = checks.check_sample_beta
_SEARCH = checks.check_random_search
_HALVING = checks.check_successive_halving

BUGS = [
    Bug(_LOG, "uniform instead of log-uniform", (log_uniform_linear,), "drawn uniformly"),
    Bug(_LOG, "returns the exponents", (log_uniform_exponents,), "exponents r"),
    Bug(_LOG, "np.log with 10**", (log_uniform_natural_log_then_pow10,), "natural logarithms"),
    Bug(_LOG, "np.log10 with np.exp", (log_uniform_log10_then_exp,), "passed to np.exp"),
    Bug(_LOG, "range -4 to 0 written in", (log_uniform_fixed_range,), "written in"),
    Bug(_LOG, "np.random instead of rng", (log_uniform_global_random,), "use the rng argument"),
    Bug(_BETA, "beta uniform", (beta_linear,), "beta drawn uniformly"),
    Bug(_BETA, "beta itself log-uniform", (beta_log_uniform_itself,), "beta itself"),
    Bug(_BETA, "returns 1 - beta", (beta_returns_the_gap,), "returned 1 - beta"),
    Bug(_BETA, "np.log10 with np.exp", (beta_log10_then_exp,), "passed to np.exp"),
    Bug(_BETA, "np.log with 10**", (beta_natural_log_then_pow10,), "natural logarithms"),
    Bug(_SEARCH, "chooses on the training loss", (random_search_on_training_loss,),
        "chose on the training loss"),
    Bug(_SEARCH, "keeps the largest dev error", (random_search_keeping_the_largest,),
        "smallest (min, not max)"),
    Bug(_SEARCH, "one trial short", (random_search_one_trial_short,), "spend its budget"),
    Bug(_SEARCH, "one configuration for every trial", (random_search_one_config,),
        "draw a new one inside the loop"),
    Bug(_SEARCH, "returns the last trial", (random_search_returning_the_last,), "last trial"),
    Bug(_HALVING, "keeps the worst", (halving_keeps_the_worst,), "kept the worst"),
    Bug(_HALVING, "keeps half whatever eta", (halving_keeps_half,), "kept half"),
    Bug(_HALVING, "keeps ceil(n / eta)", (halving_keeps_ceil,), "ceil(n / eta)"),
    Bug(_HALVING, "budget never increased", (halving_flat_budget,), "never grows"),
    Bug(_HALVING, "budget increased by adding eta", (halving_adds_eta,), "adding eta"),
    Bug(_HALVING, "ranked on the first rung's scores", (halving_ranked_on_first_rung,),
        "first rung's scores"),
]  # fmt: skip
