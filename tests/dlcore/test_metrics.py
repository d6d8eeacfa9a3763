"""Tests for dlcore.metrics: hand-worked examples, properties, and error messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlcore import metrics
from dlcore.metrics import (
    accuracy,
    classification_report,
    confusion_matrix,
    f1_score,
    precision,
    recall,
    roc_auc,
)

# A 3-class example worked out by hand.
#   true 0 (samples 0-2) predicted 0, 1, 0    -> row [2, 1, 0]
#   true 1 (samples 3-5) predicted 1, 1, 2    -> row [0, 2, 1]
#   true 2 (samples 6-9) predicted 2, 2, 0, 1 -> row [1, 1, 2]
# Column sums (predicted): [3, 4, 3]; row sums (support): [3, 3, 4]; diagonal (TP): [2, 2, 2].
# precision = TP / column = [2/3, 1/2, 2/3]
# recall    = TP / row    = [2/3, 2/3, 1/2]
# F1 = 2 TP / (column + row) = [4/6, 4/7, 4/7]
# macro P = macro R = (2/3 + 1/2 + 2/3) / 3 = 11/18;  macro F1 = (2/3 + 4/7 + 4/7) / 3 = 38/63
# accuracy = 6 / 10
Y3_TRUE = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
Y3_PRED = np.array([0, 1, 0, 1, 1, 2, 2, 2, 0, 1])
CM3 = np.array([[2, 1, 0], [0, 2, 1], [1, 1, 2]])

# A binary example worked out by hand.
#   positive class 1: TP = 2 (samples 0, 2), FP = 1 (sample 3), FN = 2 (samples 1, 7), TN = 3
#     precision = 2/3, recall = 2/4, F1 = 2*2 / (2*2 + 1 + 2) = 4/7
#   positive class 0: TP = 3 (samples 4-6), FP = 2 (samples 1, 7), FN = 1 (sample 3)
#     precision = 3/5, recall = 3/4, F1 = 2*3 / (2*3 + 2 + 1) = 2/3
YB_TRUE = np.array([1, 1, 1, 0, 0, 0, 0, 1])
YB_PRED = np.array([1, 0, 1, 1, 0, 0, 0, 0])


def test_confusion_matrix_of_three_classes_matches_hand_count():
    cm = confusion_matrix(Y3_TRUE, Y3_PRED)
    assert type(cm) is np.ndarray and cm.dtype == np.int64
    np.testing.assert_array_equal(cm, CM3)


def test_confusion_matrix_pads_to_num_classes():
    # Labels 0 and 1 only, but four classes asked for: rows/columns 2 and 3 are zero.
    cm = confusion_matrix([0, 1, 1], [0, 1, 0], num_classes=4)
    expected = np.zeros((4, 4), dtype=np.int64)
    expected[0, 0], expected[1, 1], expected[1, 0] = 1, 1, 1
    np.testing.assert_array_equal(cm, expected)


def test_per_class_precision_recall_f1_match_hand_values():
    assert precision(Y3_TRUE, Y3_PRED, average=None) == pytest.approx([2 / 3, 1 / 2, 2 / 3])
    assert recall(Y3_TRUE, Y3_PRED, average=None) == pytest.approx([2 / 3, 2 / 3, 1 / 2])
    assert f1_score(Y3_TRUE, Y3_PRED, average=None) == pytest.approx([4 / 6, 4 / 7, 4 / 7])


def test_macro_averages_match_hand_values():
    assert precision(Y3_TRUE, Y3_PRED, average="macro") == pytest.approx(11 / 18)
    assert recall(Y3_TRUE, Y3_PRED, average="macro") == pytest.approx(11 / 18)
    # The mean of per-class F1 (38/63 = 0.6032), not the harmonic mean of macro P and R (0.6111).
    assert f1_score(Y3_TRUE, Y3_PRED, average="macro") == pytest.approx(38 / 63)


def test_binary_scores_for_either_positive_label():
    assert precision(YB_TRUE, YB_PRED) == pytest.approx(2 / 3)
    assert recall(YB_TRUE, YB_PRED) == pytest.approx(1 / 2)
    assert f1_score(YB_TRUE, YB_PRED) == pytest.approx(4 / 7)
    assert precision(YB_TRUE, YB_PRED, pos_label=0) == pytest.approx(3 / 5)
    assert recall(YB_TRUE, YB_PRED, pos_label=0) == pytest.approx(3 / 4)
    assert f1_score(YB_TRUE, YB_PRED, pos_label=0) == pytest.approx(2 / 3)


def test_zero_division_gives_zero_without_warning():
    # No sample is predicted positive: precision is 0/0, recall 0/2, F1 0/2; all read 0.0.
    # (pyproject turns any RuntimeWarning into an error, so a warning would fail this test.)
    y_true, y_pred = [0, 1, 0, 1], [0, 0, 0, 0]
    assert precision(y_true, y_pred) == 0.0
    assert recall(y_true, y_pred) == 0.0
    assert f1_score(y_true, y_pred) == 0.0
    # The positive class occurs nowhere at all: every ratio is 0/0.
    assert precision([0, 0], [0, 0]) == 0.0
    assert recall([0, 0], [0, 0]) == 0.0
    assert f1_score([0, 0], [0, 0]) == 0.0


def test_macro_average_skips_classes_absent_from_both_arrays():
    # Precision per class with num_classes=4: class 0 -> 1/1, class 1 -> 2/3, classes 2, 3 -> 0/0.
    # Classes 2 and 3 occur in neither array, so macro = (1 + 2/3) / 2 = 5/6.
    y_true, y_pred = [0, 0, 1, 1], [0, 1, 1, 1]
    per_class = precision(y_true, y_pred, average=None, num_classes=4)
    assert per_class == pytest.approx([1.0, 2 / 3, 0.0, 0.0])
    assert precision(y_true, y_pred, average="macro", num_classes=4) == pytest.approx(5 / 6)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([0.1, 0.2, 0.8, 0.9], 1.0),  # every positive above every negative
        ([0.9, 0.8, 0.2, 0.1], 0.0),  # every positive below every negative
        ([0.5, 0.5, 0.5, 0.5], 0.5),  # all four pairs tied: 4 * 1/2 / 4
    ],
)
def test_roc_auc_of_perfect_reversed_and_tied_rankings(scores, expected):
    assert roc_auc([0, 0, 1, 1], scores) == pytest.approx(expected)


def test_roc_auc_of_mixed_ranking_matches_pair_count():
    # Positives score 0.35, 0.8, 0.9; negatives 0.1, 0.4, 0.5.
    # 0.35 beats 0.1 only (1 pair); 0.8 and 0.9 beat all three (3 + 3): AUC = 7/9.
    y = [0, 0, 1, 1, 0, 1]
    assert roc_auc(y, [0.1, 0.4, 0.35, 0.8, 0.5, 0.9]) == pytest.approx(7 / 9)


def test_roc_auc_counts_ties_as_half():
    # Positives 0.2, 0.7; negatives 0.2, 0.5. Pairs: (0.2, 0.2) tie -> 1/2, (0.2, 0.5) -> 0,
    # (0.7, 0.2) -> 1, (0.7, 0.5) -> 1. AUC = 2.5 / 4 = 0.625.
    assert roc_auc([0, 1, 0, 1], [0.2, 0.2, 0.5, 0.7]) == pytest.approx(0.625)
    # Integer scores are fine, and labels may be booleans.
    assert roc_auc(np.array([False, True, False, True]), [2, 2, 5, 7]) == pytest.approx(0.625)


def test_accuracy_with_labels_scores_and_one_hot():
    y_true = np.array([0, 1, 2, 1])
    y_pred = np.array([0, 2, 2, 1])  # 3 of 4 right
    scores = np.array(
        [[0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.3, 0.6, 0.1]]
    )  # argmax per row: 0, 2, 2, 1
    one_hot = np.eye(3)[y_true]
    assert accuracy(y_true, y_pred) == pytest.approx(0.75)
    assert accuracy(y_true, scores) == pytest.approx(0.75)
    assert accuracy(one_hot, scores) == pytest.approx(0.75)
    assert accuracy(one_hot, y_pred) == pytest.approx(0.75)
    assert accuracy(Y3_TRUE, Y3_PRED) == pytest.approx(0.6)


def test_whole_number_float_labels_are_accepted():
    assert accuracy([0.0, 1.0, 2.0], np.array([0, 1, 1])) == pytest.approx(2 / 3)
    np.testing.assert_array_equal(confusion_matrix([1.0, 0.0], [1, 1]), [[0, 1], [0, 1]])


def test_every_score_is_a_plain_python_float():
    results = [
        accuracy(Y3_TRUE, Y3_PRED),
        precision(YB_TRUE, YB_PRED),
        recall(Y3_TRUE, Y3_PRED, average="macro"),
        f1_score(YB_TRUE, YB_PRED, pos_label=0),
        roc_auc([0, 1], [0.3, 0.7]),
        *f1_score(Y3_TRUE, Y3_PRED, average=None),
    ]
    assert all(type(r) is float for r in results), [type(r) for r in results]
    assert type(precision(Y3_TRUE, Y3_PRED, average=None)) is list


def test_classification_report_lists_classes_accuracy_and_macro():
    report = classification_report(Y3_TRUE, Y3_PRED)
    rows = {line.split()[0]: line.split()[1:] for line in report.splitlines() if line.strip()}
    assert rows["0"] == ["0.667", "0.667", "0.667", "3"]
    assert rows["1"] == ["0.500", "0.667", "0.571", "3"]
    assert rows["2"] == ["0.667", "0.500", "0.571", "4"]
    assert rows["accuracy"] == ["0.600", "10"]
    assert rows["macro"] == ["avg", "0.611", "0.611", "0.603", "10"]
    assert report.splitlines()[0].split() == ["precision", "recall", "f1-score", "support"]


def test_metrics_accept_arrays_of_the_backend(xp):
    # The same hand-worked example, held by NumPy or (when a GPU exists) by CuPy.
    y_true, y_pred = xp.asarray(Y3_TRUE), xp.asarray(Y3_PRED)
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), CM3)
    assert accuracy(y_true, y_pred) == pytest.approx(0.6)
    assert accuracy(xp.eye(3)[y_true], xp.eye(3)[y_pred]) == pytest.approx(0.6)
    assert f1_score(y_true, y_pred, average="macro") == pytest.approx(38 / 63)
    assert precision(xp.asarray(YB_TRUE), xp.asarray(YB_PRED)) == pytest.approx(2 / 3)
    auc = roc_auc(xp.asarray([0, 0, 1, 1, 0, 1]), xp.asarray([0.1, 0.4, 0.35, 0.8, 0.5, 0.9]))
    assert type(auc) is float and auc == pytest.approx(7 / 9)
    assert "macro avg" in classification_report(y_true, y_pred)


# ---------------------------------------------------------------- properties


@st.composite
def label_pairs(draw, max_classes: int = 5, max_size: int = 30):
    """Two equal-length lists of labels in 0..K-1."""
    k = draw(st.integers(1, max_classes))
    n = draw(st.integers(1, max_size))
    labels = st.lists(st.integers(0, k - 1), min_size=n, max_size=n)
    return np.array(draw(labels)), np.array(draw(labels))


@settings(max_examples=60, deadline=None)
@given(label_pairs())
def test_f1_is_harmonic_mean_of_precision_and_recall(pair):
    y_true, y_pred = pair
    p = precision(y_true, y_pred, average=None)
    r = recall(y_true, y_pred, average=None)
    f = f1_score(y_true, y_pred, average=None)
    for pc, rc, fc in zip(p, r, f, strict=True):
        expected = 0.0 if pc + rc == 0 else 2 * pc * rc / (pc + rc)
        assert fc == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(label_pairs())
def test_confusion_matrix_sums_to_n_and_rows_count_true_labels(pair):
    y_true, y_pred = pair
    cm = confusion_matrix(y_true, y_pred)
    assert cm.sum() == len(y_true)
    k = cm.shape[0]
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y_true, minlength=k))
    np.testing.assert_array_equal(cm.sum(axis=0), np.bincount(y_pred, minlength=k))
    assert accuracy(y_true, y_pred) == pytest.approx(np.trace(cm) / len(y_true))


@st.composite
def binary_with_scores(draw):
    """Labels holding both classes, and scores drawn from a few values so that ties occur."""
    n = draw(st.integers(2, 25))
    labels = draw(
        st.lists(st.integers(0, 1), min_size=n, max_size=n).filter(lambda v: 0 < sum(v) < n)
    )
    scores = draw(st.lists(st.integers(-4, 4).map(lambda s: s / 2), min_size=n, max_size=n))
    return np.array(labels), np.array(scores)


@settings(max_examples=60, deadline=None)
@given(binary_with_scores())
def test_roc_auc_matches_pair_count_and_flips_with_negated_scores(case):
    labels, scores = case
    positives, negatives = scores[labels == 1], scores[labels == 0]
    wins = (positives[:, None] > negatives[None, :]).sum()
    ties = (positives[:, None] == negatives[None, :]).sum()
    auc = roc_auc(labels, scores)
    assert auc == pytest.approx((wins + ties / 2) / (len(positives) * len(negatives)))
    # Holds with ties too: a tie counts 1/2 in both directions.
    assert roc_auc(labels, -scores) == pytest.approx(1 - auc)


# ---------------------------------------------------------------- errors


def test_lengths_that_differ_are_named_in_the_error():
    with pytest.raises(ValueError, match=r"len\(y_true\) = 3 and len\(y_pred\) = 2"):
        confusion_matrix([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match=r"len\(y_true\) = 2 and len\(scores\) = 3"):
        roc_auc([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"len\(y_true\) = 2 and len\(y_pred\) = 3"):
        accuracy(np.eye(2), np.eye(3)[:, :2])


@pytest.mark.parametrize(
    ("y_true", "y_pred", "pattern"),
    [
        ([0, 1], [0, -1], r"y_pred must hold labels >= 0; received the label -1"),
        ([0, 0.3], [0, 1], r"y_true must hold integer class labels; received the value 0\.3"),
        ([0, np.nan], [0, 1], r"y_true must hold integer class labels; received the value nan"),
        ([[0, 1]], [0, 1], r"y_true must be a 1-D array .* received shape \(1, 2\)"),
        ([], [], r"y_true must not be empty"),
    ],
)
def test_bad_labels_raise_value_error_naming_the_argument(y_true, y_pred, pattern):
    with pytest.raises(ValueError, match=pattern):
        confusion_matrix(y_true, y_pred)


def test_labels_of_a_non_numeric_dtype_raise_type_error():
    with pytest.raises(TypeError, match=r"y_true must hold integer class labels.*dtype <U"):
        precision(["cat", "dog"], [0, 1])


def test_num_classes_too_small_or_invalid_is_rejected():
    with pytest.raises(ValueError, match=r"y_true holds the label 2, but num_classes = 2"):
        confusion_matrix([0, 2], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match=r"num_classes must be an integer >= 1 or None"):
        confusion_matrix([0, 1], [0, 1], num_classes=0)


def test_bad_average_and_pos_label_are_rejected():
    with pytest.raises(ValueError, match=r"average must be 'binary', 'macro' or None"):
        precision(YB_TRUE, YB_PRED, average="micro")
    with pytest.raises(ValueError, match=r"average='binary' needs at most two classes"):
        recall(Y3_TRUE, Y3_PRED)
    with pytest.raises(ValueError, match=r"pos_label must be one of the labels present"):
        f1_score(YB_TRUE, YB_PRED, pos_label=2)
    with pytest.raises(ValueError, match=r"pos_label must be an integer label >= 0"):
        f1_score(YB_TRUE, YB_PRED, pos_label=True)


def test_accuracy_rejects_a_single_column_of_probabilities():
    with pytest.raises(ValueError, match=r"y_pred of shape \(3, 1\) has one column.*threshold"):
        accuracy([0, 1, 1], np.array([[0.2], [0.7], [0.9]]))
    with pytest.raises(ValueError, match=r"same number of columns"):
        accuracy(np.eye(3), np.eye(4)[:3])


def test_roc_auc_rejects_one_class_non_binary_labels_and_bad_scores():
    with pytest.raises(ValueError, match=r"needs both classes in y_true; received only class 1"):
        roc_auc([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"binary labels 0 and 1; received the label 2"):
        roc_auc([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"scores must be finite"):
        roc_auc([0, 1], [0.1, np.nan])
    with pytest.raises(ValueError, match=r"scores must be a 1-D array .* shape \(2, 1\)"):
        roc_auc([0, 1], [[0.1], [0.2]])


def test_module_exports_exactly_the_public_metrics():
    assert sorted(metrics.__all__) == sorted(
        [
            "accuracy",
            "classification_report",
            "confusion_matrix",
            "f1_score",
            "precision",
            "recall",
            "roc_auc",
        ]
    )
