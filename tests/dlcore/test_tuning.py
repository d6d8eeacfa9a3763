"""dlcore.tuning: sampling scales, searchers, multi-fidelity plans, results, parallel runs."""

import math
import os
import pickle
import sys

import numpy as np
import pytest

from dlcore.tuning import (
    Choice,
    CoarseToFine,
    GridSearch,
    Hyperband,
    IntUniform,
    LogUniform,
    OneMinusLogUniform,
    RandomSearch,
    SuccessiveHalving,
    Trial,
    TrialError,
    TuningResults,
    Uniform,
)
from dlcore.tuning.halving import halving_rungs, hyperband_brackets
from dlcore.tuning.objectives import one_parameter_matters, synthetic_dev_error

# Objectives used with n_jobs=2 live at module level: worker processes must load them.


def noisy_bowl(config, budget, rng):
    """A bowl in log10(lr) plus noise from the trial's rng, smaller with more budget."""
    return (math.log10(config["lr"]) + 2.0) ** 2 + float(rng.normal(0, 0.1)) / budget


def diverges_for_large_lr(config, budget, rng):
    return math.nan if config["lr"] > 0.1 else math.log10(config["lr"]) ** 2


def raises_for_large_lr(config, budget, rng):
    if config["lr"] > 0.01:
        raise ValueError("loss exploded")
    return 0.0


def returns_a_vector(config, budget, rng):
    return np.ones(3)


def process_id(config, budget, rng):
    return float(os.getpid())


LR_SPACE = {"lr": LogUniform(1e-4, 1)}
TWO_PARAMETERS = {"important": Uniform(0, 1), "unimportant": Uniform(0, 1)}


# ---------------------------------------------------------------- spaces


def test_log_uniform_puts_a_quarter_of_samples_in_each_decade(rng):
    samples = LogUniform(1e-4, 1).sample(rng, size=10_000)
    shares = np.histogram(np.log10(samples), bins=[-4, -3, -2, -1, 0])[0] / samples.size
    np.testing.assert_allclose(shares, 0.25, atol=0.02)


def test_uniform_on_four_decades_puts_ninety_percent_in_the_top_decade(rng):
    samples = Uniform(1e-4, 1).sample(rng, size=10_000)
    assert np.mean(samples >= 0.1) == pytest.approx(0.9, abs=0.02)


def test_one_minus_log_uniform_splits_evenly_between_0_9_0_99_and_0_999(rng):
    samples = OneMinusLogUniform(0.9, 0.999).sample(rng, size=10_000)
    assert samples.min() >= 0.9 and samples.max() <= 0.999
    assert np.mean(samples < 0.99) == pytest.approx(0.5, abs=0.02)


SPACES = [
    Uniform(-1, 3),
    LogUniform(1e-5, 10),
    IntUniform(2, 9),
    Choice([32, 64, "relu"]),
    OneMinusLogUniform(0.8, 0.999),
]


@pytest.mark.parametrize("space", SPACES, ids=repr)
def test_same_seed_gives_the_same_samples_inside_the_space(space):
    first = space.sample(np.random.default_rng(3), size=50)
    again = space.sample(np.random.default_rng(3), size=50)
    assert list(first) == list(again)
    assert all(space.contains(v) for v in first)
    one = space.sample(np.random.default_rng(3))
    assert space.contains(one) and not isinstance(one, np.generic)


@pytest.mark.parametrize("space", SPACES, ids=repr)
@pytest.mark.parametrize("bad_rng", [None, 0, np.random.RandomState(0)])
def test_sampling_requires_a_numpy_generator(space, bad_rng):
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        space.sample(bad_rng)


def test_grids_are_evenly_spaced_on_each_space_scale():
    assert Uniform(0, 1).grid(3) == [0.0, 0.5, 1.0]
    np.testing.assert_allclose(LogUniform(1e-4, 1).grid(5), [1e-4, 1e-3, 1e-2, 1e-1, 1])
    np.testing.assert_allclose(OneMinusLogUniform(0.9, 0.999).grid(3), [0.9, 0.99, 0.999])
    np.testing.assert_allclose(LogUniform(1e-4, 1).grid(1), [1e-2])
    assert IntUniform(1, 10).grid(4) == [1, 4, 7, 10]
    assert IntUniform(1, 3).grid(10) == [1, 2, 3]
    assert Choice(["a", "b", "c"]).grid(2) == ["a", "b", "c"]


def test_spaces_have_readable_reprs():
    assert repr(LogUniform(1e-4, 1)) == "LogUniform(0.0001, 1.0)"
    assert repr(OneMinusLogUniform(0.9, 0.999)) == "OneMinusLogUniform(0.9, 0.999)"
    assert repr(IntUniform(1, 5)) == "IntUniform(1, 5)"
    assert repr(Choice([32, "relu"])) == "Choice([32, 'relu'])"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Uniform(1, 1), r"Uniform: low must be smaller than high; received low=1, high=1"),
        (lambda: LogUniform(0, 1), r"LogUniform: low must be > 0.*low=0"),
        (lambda: LogUniform(-1, 1), r"LogUniform: low must be > 0"),
        (lambda: OneMinusLogUniform(0.9, 1.0), r"OneMinusLogUniform: high must be < 1.*high=1.0"),
        (lambda: IntUniform(5, 2), r"IntUniform: low must be smaller.*low=5, high=2"),
        (lambda: IntUniform(1.5, 3), r"IntUniform: low must be an integer"),
        (lambda: Uniform(0, math.inf), r"Uniform: high must be a finite number"),
        (lambda: Choice([]), r"Choice: options must not be empty"),
        (lambda: Choice([1, 1]), r"Choice: options must be distinct; 1 appears twice"),
    ],
)
def test_bad_bounds_raise_naming_the_space_and_the_values(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_narrow_takes_the_bounding_box_on_the_space_scale():
    space = LogUniform(1e-4, 1)
    assert space.narrow([1e-3, 1e-2]) == LogUniform(1e-3, 1e-2)
    # A margin of 1.5 widths is a decade and a half on each side, clipped at 1.
    wider = space.narrow([1e-2, 1e-1], margin=1.5)
    assert wider.low == pytest.approx(10**-3.5) and wider.high == 1.0
    assert IntUniform(0, 10).narrow([3, 5, 4]) == IntUniform(3, 5)
    assert Choice(["a", "b", "c"]).narrow(["c", "a", "c"]) == Choice(["a", "c"])
    assert Uniform(0, 1).narrow([0.3, 0.3]) == Choice([0.3])
    with pytest.raises(ValueError, match="outside the space"):
        space.narrow([2.0])


# ------------------------------------------------------- multi-fidelity plans


def test_hyperband_plan_for_81_and_eta_3_matches_li_et_al():
    search = Hyperband(LR_SPACE, max_budget=81, eta=3)
    assert search.brackets == [(81, 1), (34, 3), (15, 9), (8, 27), (5, 81)]
    assert all(type(budget) is int for _, budget in search.brackets)
    assert search.bracket_rungs(1) == [(34, 3), (11, 9), (3, 27), (1, 81)]
    assert search.n_trials == 121 + 49 + 21 + 10 + 5


@pytest.mark.parametrize(
    ("max_budget", "eta", "n_brackets"),
    [(81, 3, 5), (243, 3, 6), (1000, 10, 4), (64, 4, 4), (80, 3, 4), (1, 3, 1)],
)
def test_hyperband_counts_brackets_without_floating_point_log_errors(max_budget, eta, n_brackets):
    # math.log(1000, 10) is 2.9999999999999996: a floor of it would lose a bracket.
    brackets = hyperband_brackets(max_budget, 1, eta)
    assert len(brackets) == n_brackets
    assert brackets[-1] == (n_brackets, max_budget)


def test_hyperband_runs_exactly_its_plan_and_picks_the_best_at_max_budget():
    search = Hyperband(LR_SPACE, max_budget=81, eta=3)
    results = search.run(noisy_bowl, seed=0)
    assert len(results) == search.n_trials == 206
    for bracket, (n, first_budget) in enumerate(search.brackets):
        plan = search.bracket_rungs(bracket)
        trials = [t for t in results if t.bracket == bracket]
        by_rung = [[t for t in trials if t.rung == r] for r in range(len(plan))]
        assert [(len(ts), ts[0].budget) for ts in by_rung] == plan
        assert sum(map(len, by_rung)) == len(trials)
        assert plan[0] == (n, first_budget)
    at_max = [t for t in results if t.budget == 81]
    assert results.best == min(at_max, key=lambda t: t.score)
    assert results.info["brackets"] == search.brackets


def test_successive_halving_keeps_the_best_third_and_triples_the_budget():
    search = SuccessiveHalving(LR_SPACE, n_configs=27, min_budget=1, max_budget=27, eta=3)
    assert search.rungs == [(27, 1), (9, 3), (3, 9), (1, 27)]
    results = search.run(noisy_bowl, seed=1)
    assert len(results) == 40
    for rung, (n, budget) in enumerate(search.rungs[:-1]):
        here = [t for t in results if t.rung == rung]
        promoted = {t.config_id for t in results if t.rung == rung + 1}
        best = {t.config_id for t in sorted(here, key=lambda t: t.score)[: n // 3]}
        assert {t.budget for t in here} == {budget} and promoted == best
    assert results.best.budget == 27 and results.best.rung == 3


def test_successive_halving_ends_at_max_budget_and_keeps_at_least_one():
    assert halving_rungs(4, 1, 10, 3) == [(4, 10 / 9), (1, 10 / 3), (1, 10)]
    assert SuccessiveHalving(LR_SPACE, 5, 2, 2).rungs == [(5, 2)]


# ------------------------------------------------------------------ searchers


def test_random_search_beats_a_grid_of_the_same_size_when_one_parameter_matters():
    grid = GridSearch(TWO_PARAMETERS, points_per_axis=3).run(one_parameter_matters, seed=0)
    rand = RandomSearch(TWO_PARAMETERS, n_trials=9).run(one_parameter_matters, seed=0)
    assert len(grid) == len(rand) == 9
    assert len({t.config["important"] for t in grid}) == 3
    assert len({t.config["important"] for t in rand}) == 9
    assert rand.best.score < grid.best.score


def test_grid_search_takes_explicit_lists_and_lays_out_every_combination():
    search = GridSearch({"lr": LogUniform(1e-3, 1e-1), "act": ["relu", "tanh"]}, 3)
    results = search.run(lambda config, budget, rng: 0.0, seed=0)
    combos = [(t.config["lr"], t.config["act"]) for t in results]
    assert len(set(combos)) == 6 == search.n_trials
    assert results.spaces["act"] == Choice(["relu", "tanh"])


def test_same_seed_gives_the_same_results_with_one_or_two_processes():
    space = {"lr": LogUniform(1e-4, 1), "beta": OneMinusLogUniform(0.9, 0.999)}
    runs = [
        RandomSearch(space, n_trials=8).run(synthetic_dev_error, seed=7, n_jobs=n)
        for n in (1, 2, 1)
    ]
    halving = [
        SuccessiveHalving(LR_SPACE, 9, 1, 9).run(noisy_bowl, seed=3, n_jobs=n) for n in (1, 2)
    ]
    for a, b in [(runs[0], runs[1]), (runs[0], runs[2]), (halving[0], halving[1])]:
        assert [t.config for t in a] == [t.config for t in b]
        assert [t.score for t in a] == [t.score for t in b]
        assert a.best.trial_id == b.best.trial_id
    other = RandomSearch(space, n_trials=8).run(synthetic_dev_error, seed=8)
    assert [t.config for t in other] != [t.config for t in runs[0]]


@pytest.mark.parametrize("n_jobs", [2, -1])
def test_more_than_one_job_runs_trials_in_worker_processes(n_jobs):
    results = RandomSearch(LR_SPACE, n_trials=4).run(process_id, seed=0, n_jobs=n_jobs)
    assert os.getpid() not in {int(t.score) for t in results}
    assert {int(t.score) for t in RandomSearch(LR_SPACE, 2).run(process_id)} == {os.getpid()}


def test_results_seed_repeats_a_run_started_without_one():
    search = RandomSearch(LR_SPACE, n_trials=4)
    first = search.run(noisy_bowl, rng=np.random.default_rng(5))
    again = search.run(noisy_bowl, seed=first.seed)
    assert [t.score for t in first] == [t.score for t in again]


def test_coarse_to_fine_samples_the_second_round_inside_the_box_of_the_best():
    space = {
        "lr": LogUniform(1e-5, 1),
        "beta": OneMinusLogUniform(0.8, 0.999),
        "batch": Choice([16, 32, 64, 128]),
    }
    search = CoarseToFine(space, n_trials=20, rounds=2, keep=5, budget=20)
    results = search.run(synthetic_dev_error, seed=2)
    first = [t for t in results if t.round == 0]
    second = [t for t in results if t.round == 1]
    best = sorted(first, key=lambda t: (not t.finite, t.score))[:5]
    assert all(t.finite for t in best)
    for name in ("lr", "beta"):
        low, high = min(t.config[name] for t in best), max(t.config[name] for t in best)
        assert all(low <= t.config[name] <= high for t in second)
        assert results.info["boxes"][1][name] == type(space[name])(low, high)
    assert {t.config["batch"] for t in second} <= {t.config["batch"] for t in best}
    assert results.best.score <= best[0].score
    # Zooming in pays: the fine round is better on average than the coarse one.
    assert np.mean([t.score for t in second]) < np.mean([t.score for t in first if t.finite])


# --------------------------------------------------------------------- errors


def test_unknown_keyword_arguments_are_rejected_with_the_valid_names():
    with pytest.raises(TypeError, match=r"RandomSearch\(\) got unknown.*'n_trail'.*n_trials"):
        RandomSearch(LR_SPACE, 3, n_trail=4)
    with pytest.raises(TypeError, match=r"Hyperband\(\).*'max_budjet'.*Did you mean 'max_budget'"):
        Hyperband(LR_SPACE, 81, max_budjet=3)
    with pytest.raises(TypeError, match=r"RandomSearch.run\(\).*'n_job'.*n_jobs"):
        RandomSearch(LR_SPACE, 3).run(noisy_bowl, n_job=2)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: RandomSearch({}, 3), ValueError, "search space is empty"),
        (lambda: RandomSearch([LogUniform(1e-4, 1)], 3), TypeError, "must be a dict"),
        (lambda: RandomSearch({"lr": [0.1, 0.01]}, 3), TypeError, r"wrap a list in Choice"),
        (lambda: RandomSearch({"score": Uniform(0, 1)}, 3), ValueError, "'score' cannot name"),
        (lambda: RandomSearch(LR_SPACE, 3, mode="minimize"), ValueError, "mode must be 'min'"),
        (lambda: RandomSearch(LR_SPACE, 0), ValueError, "n_trials must be an integer >= 1"),
        (lambda: CoarseToFine(LR_SPACE, 10, keep=1), ValueError, "keep must be an integer >= 2"),
        (lambda: Hyperband(LR_SPACE, 81, eta=1), ValueError, "eta .* must be an integer >= 2"),
        (lambda: Hyperband(LR_SPACE, 1, min_budget=3), ValueError, "must not exceed max_budget"),
        (lambda: SuccessiveHalving(LR_SPACE, 9, 0, 9), ValueError, "min_budget must be a finite"),
    ],
)
def test_bad_searcher_arguments_raise_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("n_jobs", [0, -2, 1.5])
def test_bad_n_jobs_is_rejected(n_jobs):
    with pytest.raises(ValueError, match="n_jobs must be an integer >= 1, or -1"):
        RandomSearch(LR_SPACE, 2).run(noisy_bowl, n_jobs=n_jobs)


def test_an_objective_that_cannot_be_pickled_is_refused_for_worker_processes():
    def local_objective(config, budget, rng):
        return 0.0

    search = RandomSearch(LR_SPACE, 4)
    for objective in (lambda config, budget, rng: 0.0, local_objective):
        with pytest.raises(TypeError, match=r"cannot be pickled.*top level of a module"):
            search.run(objective, seed=0, n_jobs=2)
    assert len(search.run(local_objective, seed=0, n_jobs=1)) == 4


def test_test_module_objectives_pickle_by_reference():
    # The suite imports test files with --import-mode=importlib; workers still find them.
    assert pickle.loads(pickle.dumps(noisy_bowl)) is noisy_bowl


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_an_objective_that_raises_is_reported_with_its_config(n_jobs):
    search = GridSearch({"lr": [0.001, 0.1]})
    with pytest.raises(
        TrialError, match=r"ValueError in trial 1 with config \{'lr': 0.1\}"
    ) as info:
        search.run(raises_for_large_lr, seed=0, n_jobs=n_jobs)
    assert isinstance(info.value.__cause__, ValueError)


def test_an_objective_must_return_one_number():
    with pytest.raises(
        TypeError, match=r"must return one number.*trial 0 with config .*shape \(3,\)"
    ):
        RandomSearch(LR_SPACE, 2).run(returns_a_vector, seed=0)
    with pytest.raises(TypeError, match="objective must be a function"):
        RandomSearch(LR_SPACE, 2).run("noisy_bowl", seed=0)


# -------------------------------------------------------------------- results


def test_diverged_trials_are_recorded_and_ranked_last():
    search = GridSearch({"lr": LogUniform(1e-3, 1)}, points_per_axis=4)
    results = search.run(diverges_for_large_lr, seed=0)
    scores = [t.score for t in results]
    assert sum(math.isnan(s) for s in scores) == 1 and len(results) == 4
    assert all(t.finite for t in results.ranked()[:3]) and not results.ranked()[-1].finite
    assert results.best.finite and results.best.config["lr"] == pytest.approx(0.1)
    assert "1 trial(s) with a non-finite score" in results.summary()


def test_mode_max_picks_the_highest_score():
    search = GridSearch({"lr": [1e-3, 1e-2, 1e-1]}, mode="max")
    results = search.run(diverges_for_large_lr, seed=0)
    assert results.best.config == {"lr": 1e-3}


def test_results_table_lists_every_trial_as_plain_values():
    results = CoarseToFine({"lr": LogUniform(1e-4, 1), "units": IntUniform(8, 64)}, 4, 2).run(
        noisy_bowl, seed=0
    )
    rows = results.to_list()
    assert len(rows) == 8
    assert list(rows[0]) == [
        "trial_id",
        "config_id",
        "round",
        "lr",
        "units",
        "budget",
        "score",
        "time",
    ]
    assert type(rows[0]["lr"]) is float and type(rows[0]["units"]) is int
    assert all(row["time"] >= 0 for row in rows)
    assert isinstance(results.best, Trial) and isinstance(results, TuningResults)
    text = repr(results)
    assert text.startswith("TuningResults(8 trials, mode='min', best score=")
    assert "CoarseToFine(" in results.summary() and "top 5:" in results.summary()


def test_to_dataframe_returns_a_pandas_frame():
    pandas = pytest.importorskip("pandas")
    frame = RandomSearch(LR_SPACE, 3).run(noisy_bowl, seed=0).to_dataframe()
    assert isinstance(frame, pandas.DataFrame) and list(frame["trial_id"]) == [0, 1, 2]


def test_to_dataframe_without_pandas_says_how_to_get_it(monkeypatch):
    results = RandomSearch(LR_SPACE, 3).run(noisy_bowl, seed=0)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"needs pandas.*pip install pandas.*to_list"):
        results.to_dataframe()


def test_progress_bar_and_printed_lines(monkeypatch, capsys):
    monkeypatch.setenv("DLCORE_PROGRESS", "1")
    RandomSearch(LR_SPACE, 3).run(noisy_bowl, seed=0)
    assert "3/3" in capsys.readouterr().err
    monkeypatch.setenv("DLCORE_PROGRESS", "0")
    RandomSearch(LR_SPACE, 3).run(noisy_bowl, seed=0, verbose=2)
    captured = capsys.readouterr()
    assert captured.out.count("trial ") == 3 and captured.err == ""


# ----------------------------------------------------------------------- plots


def test_plot_draws_score_against_a_parameter_on_its_scale():
    from matplotlib.figure import Figure

    space = {
        "lr": LogUniform(1e-4, 1),
        "beta": OneMinusLogUniform(0.9, 0.999),
        "act": Choice(["relu", "tanh"]),
        "units": IntUniform(8, 64),
    }
    results = RandomSearch(space, 6).run(synthetic_dev_error, seed=0)
    axes = Figure().subplots(1, 5)
    assert results.plot("lr", ax=axes[0]) is axes[0] and axes[0].get_xscale() == "log"
    assert results.plot("beta", ax=axes[1]).get_xscale() == "logit"
    assert [t.get_text() for t in results.plot("act", ax=axes[2]).get_xticklabels()] == [
        "relu",
        "tanh",
    ]
    assert results.plot("lr", ax=axes[3], log_x=False).get_xscale() == "linear"
    assert results.plot(ax=axes[4]).get_xlabel() == "trial"
    with pytest.raises(ValueError, match=r"unknown hyperparameter 'LR'.*lr, beta, act, units"):
        results.plot("LR", ax=axes[0])


def test_plot_without_axes_makes_a_figure_and_leaves_rcparams_alone():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    results = Hyperband(LR_SPACE, max_budget=9).run(diverges_for_large_lr, seed=0)
    ax = results.plot("lr")
    try:
        assert isinstance(ax, matplotlib.axes.Axes)
        assert len(ax.collections) >= 3  # one colour per budget, and the best trial
        assert dict(matplotlib.rcParams) == before
    finally:
        plt.close(ax.figure)
