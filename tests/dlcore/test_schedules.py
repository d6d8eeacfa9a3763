"""Learning-rate schedules and the callback that applies them."""

import math

import numpy as np
import pytest

from dlcore import Dense, Sequential, schedules
from dlcore.callbacks import LearningRateScheduler


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (schedules.Constant(0.1), {0: 0.1, 7: 0.1, 1000: 0.1}),
        (schedules.InverseTimeDecay(0.2, decay_rate=1.0), {0: 0.2, 1: 0.1, 3: 0.05}),
        (schedules.ExponentialDecay(0.1, rate=0.95), {0: 0.1, 1: 0.095, 10: 0.1 * 0.95**10}),
        (schedules.InverseSqrtDecay(0.3), {0: 0.3, 3: 0.15, 8: 0.1}),
        (schedules.StepDecay(0.4, drop=0.5, every=10), {0: 0.4, 9: 0.4, 10: 0.2, 25: 0.1}),
        (schedules.CosineDecay(1.0, total_steps=100, min_lr=0.1), {0: 1.0, 50: 0.55, 100: 0.1, 150: 0.1}),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, schedules.Schedule) else "",
)
def test_values_at_chosen_steps(schedule, expected):
    for step, lr in expected.items():
        assert schedule(step) == pytest.approx(lr, rel=1e-12), (schedule, step)


def test_the_notes_decay_example():
    # alpha0 = 0.2, decay rate 1: epochs 1, 2, 3, 4 of the notes get 0.1, 0.067, 0.05, 0.04.
    notes = [0.2 / (1 + 1.0 * epoch_num) for epoch_num in (1, 2, 3, 4)]
    schedule = schedules.InverseTimeDecay(0.2, decay_rate=1.0)
    assert [schedule(t) for t in (1, 2, 3, 4)] == pytest.approx(notes)
    assert notes[1] == pytest.approx(0.0667, abs=1e-4)


def test_values_returns_a_list_for_plotting():
    assert schedules.StepDecay(1.0, drop=0.1, every=2).values(5) == pytest.approx([1, 1, 0.1, 0.1, 0.01])


def test_registry_and_errors():
    assert isinstance(schedules.get("exponential", lr0=0.1), schedules.ExponentialDecay)
    assert isinstance(schedules.get("staircase", lr0=0.1), schedules.StepDecay)
    with pytest.raises(ValueError, match="unknown schedule 'cosin'.*Did you mean 'cosine'"):
        schedules.get("cosin")
    with pytest.raises(TypeError, match="CosineDecay:.*total_steps"):
        schedules.get("cosine", lr0=0.1)
    with pytest.raises(ValueError, match="lr0 must be a number > 0"):
        schedules.Constant(0)
    with pytest.raises(ValueError, match="every must be a positive integer"):
        schedules.StepDecay(0.1, every=0)
    with pytest.raises(ValueError, match="min_lr .* must not exceed lr0"):
        schedules.CosineDecay(0.1, 10, min_lr=0.2)
    with pytest.raises(ValueError, match="step must be >= 0; received -1"):
        schedules.Constant(0.1)(-1)
    with pytest.raises(TypeError, match="step must be an integer; received 1.5"):
        schedules.Constant(0.1)(1.5)
    assert schedules.Constant(0.1)(np.int64(3)) == 0.1


def tiny_model():
    model = Sequential([Dense(2, 1, seed=0)])
    model.compile("sgd", "mse")
    return model


def test_scheduler_sets_the_learning_rate_each_epoch_and_history_records_it(rng):
    model = tiny_model()
    X, y = rng.standard_normal((8, 2)), rng.standard_normal((8, 1))
    history = model.fit(X, y, epochs=4, batch_size=4, verbose=0,
                        callbacks=[LearningRateScheduler(schedules.ExponentialDecay(0.1, 0.5))])  # fmt: skip
    assert history.history["lr"] == pytest.approx([0.1, 0.05, 0.025, 0.0125])
    assert model.optimizer.lr == pytest.approx(0.0125)


def test_scheduler_per_batch_counts_optimizer_steps(rng):
    model = tiny_model()
    seen = []

    def schedule(step):
        seen.append(step)
        return 0.1 / (1 + step)

    X, y = rng.standard_normal((8, 2)), rng.standard_normal((8, 1))
    history = model.fit(X, y, epochs=2, batch_size=4, verbose=0,
                        callbacks=[LearningRateScheduler(schedule, per="batch")])  # fmt: skip
    assert seen == [0, 1, 2, 3]
    assert history.history["lr"] == pytest.approx([0.1, 0.1 / 3])


def test_scheduler_refuses_a_bad_learning_rate(rng):
    model = tiny_model()
    X, y = rng.standard_normal((4, 2)), rng.standard_normal((4, 1))
    with pytest.raises(ValueError, match="returned nan at step 0"):
        model.fit(X, y, verbose=0, callbacks=[LearningRateScheduler(lambda t: math.nan)])
    with pytest.raises(TypeError, match="schedule must be callable"):
        LearningRateScheduler(0.1)
    with pytest.raises(ValueError, match="per must be 'epoch' or 'batch'"):
        LearningRateScheduler(schedules.Constant(0.1), per="step")
