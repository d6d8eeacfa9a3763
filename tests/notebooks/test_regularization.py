"""Notebook 06 (regularization): its checks, its bug zoo, its explorers and its exercise cells."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import regularization as checks
from autograder import regularization_reference as reference
from autograder.bugzoo.regularization import BUGS
from autograder.core import SEED_VARIABLE
from autograder.regularization_helpers import call_on_arrays, flatten_like, specific_first
from dlcore import Dense, Dropout, ReLU, Sequential, activations
from dlcore import functional as F
from dlcore.callbacks import EarlyStopping
from dlcore.losses import BinaryCrossEntropy
from dlcore.optimizers import Adam
from dlcore.regularizers import L2
from dlcore.widgets.regularization import (
    INITS,
    LAMBDAS,
    initialization_explorer,
    layer_statistics,
    make_network,
    moons_splits,
    regularization_explorer,
    train_network,
)

NOTEBOOK = (Path(__file__).resolve().parents[2]
            / "solutions/06_regularization/06_regularization.ipynb")  # fmt: skip
GRADE_IDS = sorted(checks.CHECKS)
PAIRS = [g for g in GRADE_IDS if len(checks.CHECKS[g][1]) == 2]
SEEDS = ["1", "20261121", "987654321"]


def blank(*args, **kwargs):
    raise NotImplementedError()


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, "20261121")


# ----------------------------------------------------------------- the checks
@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("hidden", [False, True])
def test_reference_scores_full_marks_as_a_plain_float_and_prints_nothing(
    grade_id, hidden, secret, capfd
):
    check, references = checks.CHECKS[grade_id]
    result = check(*references, hidden=hidden)
    assert type(result.score) is float and result.score == check.points, result.report()
    assert result.passed and result.diagnoses == []
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("grade_id", GRADE_IDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_reference_scores_full_marks_for_other_secret_seeds(grade_id, seed, monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, seed)
    check, references = checks.CHECKS[grade_id]
    assert check(*references, hidden=True).score == check.points


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_a_blank_exercise_scores_zero_as_not_implemented(grade_id, secret):
    check, references = checks.CHECKS[grade_id]
    for hidden in (False, True):
        result = check(*[blank] * len(references), hidden=hidden)
        assert type(result.score) is float and result.score == 0.0
        assert result.status == "not implemented"
        assert "not implemented yet" in result.report()


@pytest.mark.parametrize("grade_id", PAIRS)
def test_a_blank_second_function_keeps_the_first_ones_points(grade_id):
    check, (first, _) = checks.CHECKS[grade_id]
    result = check(first, blank, hidden=True)
    assert 0.0 < result.score < check.points
    assert "not implemented yet" in result.report()


def test_check_names_and_points_match_the_table():
    points = {"test_l2": 2, "test_dropout": 3, "test_initializers": 2,
              "test_early_stopping": 2, "test_clipping": 2}  # fmt: skip
    assert {g: c.points for g, (c, _) in checks.CHECKS.items()} == points
    for grade_id, (check, _) in checks.CHECKS.items():
        assert grade_id == f"test_{check.exercise}"


# --------------------------------------------------------------- the bug zoo
def test_the_bug_zoo_has_three_bugs_or_more_per_exercise():
    counts = collections.Counter(bug.check.exercise for bug in BUGS)
    assert all(counts[check.exercise] >= 3 for check, _ in checks.CHECKS.values()), counts


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bug", BUGS, ids=lambda bug: f"{bug.check.exercise}: {bug.name}")
def test_every_bug_loses_points_and_is_named(bug, seed, monkeypatch, capfd):
    monkeypatch.setenv(SEED_VARIABLE, seed)
    result = bug.check(*bug.implementation, hidden=True)
    assert type(result.score) is float and result.score < bug.check.points, result.report()
    if bug.diagnosis:
        assert any(bug.diagnosis in d for d in result.diagnoses), result.report()
    assert capfd.readouterr().err == ""


def _dropout_with_uniform(A, rate, rng, training=True):
    if not training:
        return A, None
    keep = 1 - rate
    kept = rng.uniform(0.0, 1.0, size=A.shape) < keep  # the same numbers as rng.random
    return np.where(kept, A / keep, 0.0), (kept, keep)


def _dropout_backward_with_where(dout, cache):
    if cache is None:
        return dout
    kept, keep = cache
    return np.where(kept, dout / keep, 0.0)


def _he_with_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2 / fan_in), size=(fan_in, fan_out))


def _early_stopping_with_numpy_ints(val_losses, patience, min_delta=0.0):
    stop, best = reference.early_stopping(val_losses, patience, min_delta)
    return (None if stop is None else np.int64(stop)), np.int64(best)


def _clip_by_norm_concatenated(grads, max_norm):
    norm = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    return tuple(g * min(1.0, max_norm / norm) for g in grads), np.float64(norm)


@pytest.mark.parametrize(
    ("check", "implementation"),
    [
        (checks.check_dropout, (_dropout_with_uniform, _dropout_backward_with_where)),
        (checks.check_initializers, (reference.xavier_init, _he_with_normal)),
        (checks.check_early_stopping, (_early_stopping_with_numpy_ints,)),
        (checks.check_clipping, (reference.clip_by_value, _clip_by_norm_concatenated)),
        (checks.check_l2, (lambda weights, lam, m: np.float64(reference.l2_penalty(weights, lam, m)),
                           lambda weights, lam, m: tuple(reference.l2_gradient(weights, lam, m)))),
    ],
)
def test_other_correct_implementations_score_full_marks(check, implementation, secret):
    result = check(*implementation, hidden=True)
    assert result.score == check.points, result.report()


def test_wrong_return_types_are_explained_in_one_line():
    result = checks.check_dropout(lambda A, rate, rng, training=True: A, F.dropout_backward)
    assert result.score == 0.0
    assert "dropout_forward must return a pair (out, cache)" in result.report()
    result = checks.check_early_stopping(lambda losses, patience, min_delta=0.0: 3)
    assert "early_stopping must return a pair (stop_epoch, best_epoch); it returned int" in (
        result.report())
    result = checks.check_l2(lambda weights, lam, m: [0.0, 1.0], reference.l2_gradient)
    assert "l2_penalty must return one number; it returned list of 2" in result.report()


def test_list_helpers_copy_the_arrays_and_explain_shapes():
    arrays = [np.ones(3), np.zeros((2, 2))]

    def scale_in_place(grads):
        grads[0] *= 2
        return grads

    output, changed = call_on_arrays(scale_in_place, arrays)
    assert changed and arrays[0].tolist() == [1.0, 1.0, 1.0] and output[0].tolist() == [2.0] * 3
    flat, problem = flatten_like([np.ones(3), np.zeros((2, 2))], arrays)
    assert problem == "" and flat.shape == (7,)
    assert flatten_like([np.ones(3), np.zeros(4)], arrays)[1] == (
        "item 1: expected shape (2, 2), got shape (4,)")
    named = specific_first([("mistake one", np.ones(2)), ("mistake two", np.ones(2))])
    assert named(np.zeros(2) + 0.5, np.ones(2)) is None  # two known mistakes coincide
    assert named(np.array([0.5, 2.0]), -np.array([0.5, 2.0])).startswith("sign error")


# ------------------------------------------------------------ data and network
def test_moons_splits_are_seeded_disjoint_and_sized_80_160_160():
    splits = moons_splits()
    assert [len(splits[k][0]) for k in ("train", "dev", "test")] == [80, 160, 160]
    assert all(y.shape == (len(X), 1) for X, y in splits.values())
    rows = {tuple(row) for X, _ in splits.values() for row in X}
    assert len(rows) == 400
    assert np.array_equal(moons_splits()["dev"][0], splits["dev"][0])


def test_make_network_penalises_only_weights_and_adds_dropout_when_asked():
    plain = make_network()
    assert not any(isinstance(layer, Dropout) for layer in plain.layers)
    assert all(p.regularizer is None for p in plain.parameters())
    model = make_network(l2=0.01, rate=0.3)
    assert sum(isinstance(layer, Dropout) for layer in model.layers) == 2
    penalised = {name for name, p in model.named_parameters() if p.regularizer is not None}
    assert penalised == {name for name, _ in model.named_parameters() if name.endswith(".W")}
    with pytest.raises(ValueError, match="l2 must be >= 0 and rate in"):
        make_network(l2=-0.1)
    with pytest.raises(ValueError, match="either a model or l2 and rate"):
        train_network(l2=0.1, model=plain)


def test_train_network_records_clean_curves_and_lets_early_stopping_watch_them():
    stopper = EarlyStopping(monitor="dev_loss", patience=3)
    _, curves = train_network(rate=0.5, epochs=40, callbacks=[stopper])
    keys = {"loss", "accuracy", "train_loss", "dev_loss", "train_accuracy", "dev_accuracy"}
    assert keys <= set(curves)
    assert stopper.stopped_epoch is not None and len(curves["dev_loss"]) == stopper.stopped_epoch + 1


# --------------------------------------------------------------- the explorers
EPOCHS = 40


def _dlcore_run(lam, rate, epochs=EPOCHS):
    """The explorer's training, rebuilt from dlcore's pieces: (train accuracy, dev accuracy, dev loss)."""
    splits = moons_splits()
    (X, y), (X_dev, y_dev) = splits["train"], splits["dev"]
    penalty = L2(lam / len(X)) if lam > 0 else None
    layers = [Dense(2, 64, init="he_normal", seed=0, regularizer=penalty), ReLU()]
    layers += [Dropout(rate, seed=10)] if rate > 0 else []
    layers += [Dense(64, 64, init="he_normal", seed=1, regularizer=penalty), ReLU()]
    layers += [Dropout(rate, seed=11)] if rate > 0 else []
    model = Sequential([*layers, Dense(64, 1, seed=2, regularizer=penalty)])
    model.compile(optimizer=Adam(lr=0.01), loss=BinaryCrossEntropy(from_logits=True))
    model.fit(X, y, epochs=epochs, batch_size=None, seed=0, verbose=0)
    train_acc = float(np.mean((model.predict(X)[:, 0] > 0) == (y[:, 0] > 0)))
    logits = model.predict(X_dev)
    dev_acc = float(np.mean((logits[:, 0] > 0) == (y_dev[:, 0] > 0)))
    return train_acc, dev_acc, BinaryCrossEntropy(from_logits=True).forward(logits, y_dev)


def test_regularization_explorer_follows_each_control_like_dlcore():
    explorer = regularization_explorer(epochs=EPOCHS)
    plain_norm = explorer.result["weight_norm"]
    for name, value in [("lam", 1.0), ("rate", 0.3)]:
        explorer.controls[name].value = value
        lam, rate = explorer.values["lam"], explorer.values["rate"]
        train_acc, dev_acc, dev_loss = _dlcore_run(lam, rate)
        result = explorer.result
        assert (result["train_accuracy"], result["dev_accuracy"]) == pytest.approx((train_acc,
                                                                                     dev_acc))
        assert result["dev_loss"] == pytest.approx(dev_loss)
        assert result["lambda"] == lam and result["l2 = lambda / m"] == pytest.approx(lam / 80)
        assert result["dropout_rate"] == pytest.approx(rate)
        assert len(result["curves"]["dev_loss"]) == EPOCHS
    assert result["weight_norm"] < plain_norm  # the penalty shrinks the weights
    before = explorer.updates
    explorer.set(lam=LAMBDAS[-1], rate=0.0)
    assert explorer.updates == before + 1 and explorer.result["lambda"] == LAMBDAS[-1]
    png = explorer.png()
    assert png.startswith(b"\x89PNG") and len(png) > 1000
    assert 'data-key="dev_accuracy"' in explorer.readout_html()
    with pytest.raises(ValueError, match="lam must be one of"):
        regularization_explorer(lam=0.5)


def _dlcore_statistics(init, activation, depth):
    rng = np.random.default_rng(0)
    h = rng.standard_normal((200, 64))
    layers = [(Dense(64, 64, init=INITS[init], seed=i), activations.get(activation))
              for i in range(depth)]  # fmt: skip
    for dense, act in layers:
        h = act.forward(dense.forward(h))
    dout = rng.standard_normal(h.shape) / 200
    for dense, act in reversed(layers):
        dout = dense.backward(act.backward(dout))
    return float(h.std()), float(np.linalg.norm(layers[0][0].W.grad))


def test_initialization_explorer_follows_each_control_like_dlcore():
    explorer = initialization_explorer()
    for name, value in [("init", "he"), ("activation", "relu"), ("depth", 6)]:
        explorer.controls[name].value = value
        values = explorer.values
        last_std, first_grad = _dlcore_statistics(values["init"], values["activation"],
                                                  values["depth"])  # fmt: skip
        assert explorer.result["std, last layer"] == pytest.approx(last_std)
        assert explorer.result["||dW||, layer 1"] == pytest.approx(first_grad)
        assert len(explorer.result["stats"]["activation_std"]) == values["depth"]
    assert explorer.png().startswith(b"\x89PNG")


def test_layer_statistics_show_what_each_bad_start_does():
    zeros = layer_statistics("zeros", "tanh", depth=5)
    assert max(zeros["activation_std"]) == 0.0 and max(zeros["gradient_norm"]) == 0.0
    assert layer_statistics("large N(0, 1)", "relu")["activation_std"][-1] > 1e5
    assert layer_statistics("small N(0, 0.01^2)", "relu")["activation_std"][-1] < 1e-8
    he = layer_statistics("he", "relu")["activation_std"]
    assert 0.5 < he[-1] / he[0] < 2
    with pytest.raises(ValueError, match="unknown initialisation"):
        initialization_explorer(init="ones")
    with pytest.raises(ValueError, match="must be >= 1"):
        layer_statistics("he", depth=0)


# --------------------------------------------------------------- the notebook
def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def test_every_solution_cell_defines_the_checked_functions_and_is_followed_by_its_test_cell():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    ids = [_nbgrader(c)["grade_id"] for c in nb.cells if _nbgrader(c)]
    assert len(ids) == len(set(ids)) and all(c.get("id") for c in nb.cells)
    seen = []
    for index, cell in enumerate(nb.cells):
        meta = _nbgrader(cell)
        if not meta.get("solution"):
            continue
        name = meta["grade_id"]
        check, references = checks.CHECKS[f"test_{name}"]
        assert meta == {"grade": False, "grade_id": name, "locked": False, "schema_version": 3,
                        "solution": True}  # fmt: skip
        defined = [node.name for node in ast.parse(cell.source).body
                   if isinstance(node, ast.FunctionDef)]  # fmt: skip
        assert len(defined) == len(references) and "### BEGIN SOLUTION" in cell.source
        test = nb.cells[index + 1]
        assert _nbgrader(test) == {
            "grade": True, "solution": False, "locked": True, "points": check.points,
            "grade_id": f"test_{name}", "schema_version": 3,
        }  # fmt: skip
        args = ", ".join(defined)
        assert test.source == (
            f"result = regularization.check_{name}({args})\n"
            "### BEGIN HIDDEN TESTS\n"
            f"result = regularization.check_{name}({args}, hidden=True)\n"
            "### END HIDDEN TESTS\n"
            "print(result.report())\n"
            "result.score"
        )
        seen.append(f"test_{name}")
    assert sorted(seen) == GRADE_IDS


def test_the_committed_notebook_has_no_outputs():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"
