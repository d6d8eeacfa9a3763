"""Tests for dlcore.datasets: generators, digits, IDX/MNIST reading, mini-batches and splits."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from dlcore.backend import to_numpy
from dlcore.datasets import (
    load_digits,
    load_mnist,
    make_and,
    make_blobs,
    make_circles,
    make_moons,
    make_or,
    make_regression_outliers,
    make_spirals,
    make_xor,
    minibatches,
    read_idx,
    train_test_split,
    train_val_test_split,
)

CORNERS = [[0, 0], [0, 1], [1, 0], [1, 1]]

# Every random generator with a small non-default call and the shape of X it must return.
GENERATORS = [
    (make_xor, {"n_samples": 40, "noise": 0.1}, (40, 2)),
    (make_blobs, {"n_samples": 50, "centers": 4, "n_features": 3}, (50, 3)),
    (make_moons, {"n_samples": 51}, (51, 2)),
    (make_circles, {"n_samples": 51}, (51, 2)),
    (make_spirals, {"n_samples": 61, "n_classes": 4}, (61, 2)),
    (make_regression_outliers, {"n_samples": 30}, (30, 1)),
]
GENERATOR_IDS = [g[0].__name__ for g in GENERATORS]


# --------------------------------------------------------------------------- logic gates


@pytest.mark.parametrize(
    ("make", "labels"),
    [(make_and, [0, 0, 0, 1]), (make_or, [0, 1, 1, 1]), (make_xor, [0, 1, 1, 0])],
)
def test_logic_gate_defaults_are_the_exact_truth_table(make, labels):
    X, y = make()
    assert X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X, CORNERS)
    np.testing.assert_array_equal(y, labels)


def test_logic_gate_with_more_samples_repeats_corners_adds_noise_and_shuffles():
    X, y = make_xor(400, noise=0.1, seed=3)
    corner = np.round(X).astype(int)  # noise of std 0.1 never reaches 0.5 in 400 draws here
    np.testing.assert_array_equal(y, corner[:, 0] ^ corner[:, 1])
    counts = np.unique(corner[:, 0] * 2 + corner[:, 1], return_counts=True)[1]
    np.testing.assert_array_equal(counts, [100, 100, 100, 100])
    assert 0.08 < np.std(X - corner) < 0.12
    assert not np.array_equal(corner[:8], np.array(CORNERS * 2)), "rows were not shuffled"


def test_logic_gate_without_noise_keeps_exact_corners():
    X, y = make_and(10, seed=0)
    assert set(map(tuple, X.tolist())) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    np.testing.assert_array_equal(y, (X[:, 0] == 1) & (X[:, 1] == 1))


# --------------------------------------------------------------------------- common contract


@pytest.mark.parametrize(("make", "kwargs", "shape"), GENERATORS, ids=GENERATOR_IDS)
def test_generator_shapes_and_dtypes(make, kwargs, shape):
    X, y = make(**kwargs, seed=0)
    assert X.shape == shape and X.dtype == np.float64
    assert y.shape == (shape[0],)
    assert y.dtype == (np.float64 if make is make_regression_outliers else np.int64)
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize(("make", "kwargs", "shape"), GENERATORS, ids=GENERATOR_IDS)
def test_generator_is_reproducible_with_seed_and_with_rng(make, kwargs, shape):
    X1, y1 = make(**kwargs, seed=7)
    X2, y2 = make(**kwargs, seed=7)
    X3, y3 = make(**kwargs, rng=np.random.default_rng(7))
    for X, y in ((X2, y2), (X3, y3)):
        np.testing.assert_array_equal(X, X1)
        np.testing.assert_array_equal(y, y1)
    X4, _ = make(**kwargs, seed=8)
    assert not np.array_equal(X4, X1)


def test_generator_advances_a_shared_rng(rng):
    first, _ = make_moons(20, rng=rng)
    second, _ = make_moons(20, rng=rng)
    assert not np.array_equal(first, second)


def test_rng_and_seed_together_are_rejected(rng):
    with pytest.raises(ValueError, match="either rng or seed"):
        make_blobs(rng=rng, seed=1)


@pytest.mark.parametrize(
    ("make", "kwargs", "name"),
    [
        (make_xor, {"n_samples": 0}, "n_samples"),
        (make_and, {"noise": -0.1}, "noise"),
        (make_blobs, {"n_samples": 2.5}, "n_samples"),
        (make_blobs, {"centers": 0}, "centers"),
        (make_blobs, {"center_box": (1, -1)}, "center_box"),
        (make_blobs, {"centers": np.zeros(3)}, "centers"),
        (make_moons, {"noise": -1.0}, "noise"),
        (make_circles, {"factor": 1.0}, "factor"),
        (make_circles, {"factor": 0}, "factor"),
        (make_spirals, {"n_classes": 1}, "n_classes"),
        (make_spirals, {"n_samples": 2, "n_classes": 3}, "n_samples"),
        (make_spirals, {"turns": 0}, "turns"),
        (make_regression_outliers, {"outlier_fraction": 1.0}, "outlier_fraction"),
        (make_regression_outliers, {"outlier_scale": -2}, "outlier_scale"),
    ],
)
def test_bad_generator_arguments_name_the_argument_and_value(make, kwargs, name):
    with pytest.raises(ValueError, match=name) as info:
        make(**kwargs, seed=0)
    received = str(info.value).split("received", 1)[1]
    value = kwargs[name]
    assert (str(value.shape) if isinstance(value, np.ndarray) else repr(value)) in received


# --------------------------------------------------------------------------- 2-D shapes


def test_blobs_are_balanced_around_the_given_centers():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X, y = make_blobs(301, centers=centers, cluster_std=0.5, seed=1)
    np.testing.assert_array_equal(np.bincount(y), [101, 100, 100])
    for k, center in enumerate(centers):
        np.testing.assert_allclose(X[y == k].mean(axis=0), center, atol=0.2)
        spread = X[y == k].std(axis=0)
        assert np.all((spread > 0.4) & (spread < 0.6))


def test_blob_centers_drawn_in_the_box():
    X, y = make_blobs(40, centers=5, n_features=4, cluster_std=0.0, center_box=(2, 3), seed=2)
    assert np.all((X >= 2) & (X <= 3))
    for k in range(5):  # with no spread, every point of a class sits on its center
        assert np.ptp(X[y == k], axis=0).max() == 0


def test_moons_lie_on_two_interleaving_unit_half_circles():
    X, y = make_moons(201, noise=0.0, seed=0)
    np.testing.assert_array_equal(np.bincount(y), [101, 100])
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12
    # interleaving: each moon reaches into the other's horizontal range and height band
    assert upper[:, 0].max() > lower[:, 0].min() and lower[:, 1].max() > upper[:, 1].min()


def test_moons_noise_spreads_points_off_the_arcs():
    X, y = make_moons(400, noise=0.1, seed=0)
    spread = np.hypot(*X[y == 0].T) - 1.0
    assert 0.05 < spread.std() < 0.15


def test_circles_have_radius_one_and_factor():
    X, y = make_circles(100, noise=0.0, factor=0.3, seed=0)
    np.testing.assert_array_equal(np.bincount(y), [50, 50])
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    for k in (0, 1):  # evenly spread around the circle: the centroid is the origin
        np.testing.assert_allclose(X[y == k].mean(axis=0), 0.0, atol=1e-12)


def test_spirals_separate_by_arm_not_by_angle():
    K, turns = 3, 1.0
    X, y = make_spirals(301, n_classes=K, noise=0.0, turns=turns, seed=0)
    np.testing.assert_array_equal(np.bincount(y), [101, 100, 100])
    radius, angle = np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 1], X[:, 0])
    assert radius.min() > 0 and radius.max() == pytest.approx(1.0)
    # every class covers every octant of the plane: the angle alone does not tell the class...
    octant = np.floor((angle + np.pi) / (np.pi / 4)).astype(int) % 8
    for k in range(K):
        assert set(octant[y == k]) == set(range(8))
    # ...but unwinding the spiral (angle minus 2*pi*turns*radius) recovers the arm exactly
    arm = np.round((angle / (2 * np.pi) - turns * radius) * K).astype(int) % K
    np.testing.assert_array_equal(arm, y)


def test_spirals_defeat_a_linear_classifier():
    X, y = make_spirals(seed=0)
    A = np.column_stack([X, np.ones(len(X))])
    W = np.linalg.lstsq(A, np.eye(3)[y], rcond=None)[0]
    assert np.mean(np.argmax(A @ W, axis=1) == y) < 0.6


def test_regression_outliers_are_few_far_and_above_the_line():
    N, slope, intercept, noise, scale = 200, -1.5, 3.0, 0.2, 8.0
    X, y = make_regression_outliers(N, slope, intercept, noise, 0.1, scale, seed=4)
    x = X[:, 0]
    assert np.all((x >= -3) & (x <= 3))
    residual = y - (slope * x + intercept)
    outlier = residual > scale / 2
    assert outlier.sum() == 20
    assert np.abs(residual[~outlier]).max() < 5 * noise
    assert 0.15 < residual[~outlier].std() < 0.25
    assert residual[outlier].min() > scale - 5 * noise


def test_regression_without_outliers_is_a_noisy_line():
    X, y = make_regression_outliers(50, noise=0.0, outlier_fraction=0.0, seed=0)
    np.testing.assert_allclose(y, 2.0 * X[:, 0] + 1.0)


# --------------------------------------------------------------------------- digits


def test_digits_are_the_real_uci_images():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == 10 and counts[0] == 178 and counts.min() >= 174 and counts.max() <= 183
    np.testing.assert_array_equal(y[:10], np.arange(10))
    assert X.min() == 0.0 and X.max() == 1.0
    # the first image is a zero whose top row is well known
    np.testing.assert_array_equal(X[0, :8] * 16, [0, 0, 5, 13, 9, 1, 0, 0])


def test_digits_raw_pixels_are_integers_zero_to_sixteen():
    raw, y_raw = load_digits(normalize=False)
    X, y = load_digits()
    assert raw.min() == 0 and raw.max() == 16
    np.testing.assert_array_equal(raw, np.round(raw))
    np.testing.assert_array_equal(raw / 16, X)
    np.testing.assert_array_equal(y_raw, y)


# --------------------------------------------------------------------------- IDX and MNIST

IDX_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
             np.float32: 0x0D, np.float64: 0x0E}


def write_idx(path, array, code=None, compress=False, extra=b""):
    """Write ``array`` as an IDX file, big-endian, the way the MNIST files are stored."""
    array = np.asarray(array)
    code = IDX_CODES[array.dtype.type] if code is None else code
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, dtype=">u4").tobytes()
    raw = header + array.astype(array.dtype.newbyteorder(">")).tobytes() + extra
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("dtype", list(IDX_CODES), ids=lambda t: t.__name__)
def test_read_idx_round_trips_every_dtype(tmp_path, rng, dtype, compress):
    array = (rng.normal(size=(3, 4, 2)) * 50).astype(dtype)
    path = write_idx(tmp_path / "a.idx", array, compress=compress)
    result = read_idx(path)
    assert result.dtype == np.dtype(dtype) and result.dtype.isnative
    np.testing.assert_array_equal(result, array)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: b"\x01" + raw[1:], "magic number"),
        (lambda raw: raw[:2] + b"\x0a" + raw[3:], "dtype code 0x0A"),
        (lambda raw: raw[:-1], "implies"),
        (lambda raw: raw + b"\x00", "implies"),
        (lambda raw: raw[:6], "header"),
        (lambda raw: b"", "magic number"),
    ],
    ids=["magic", "dtype", "short", "long", "header", "empty"],
)
def test_read_idx_rejects_broken_files_naming_them(tmp_path, mutate, message):
    path = write_idx(tmp_path / "broken-idx1-ubyte", np.arange(5, dtype=np.uint8))
    path.write_bytes(mutate(path.read_bytes()))
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path)
    assert "broken-idx1-ubyte" in str(info.value)


def write_mnist(folder, kind, n_images, n_labels, compress):
    images = (np.arange(n_images * 28 * 28) % 256).astype(np.uint8).reshape(n_images, 28, 28)
    labels = (np.arange(n_labels) % 10).astype(np.uint8)
    suffix = ".gz" if compress else ""
    write_idx(folder / f"{kind}-images-idx3-ubyte{suffix}", images, compress=compress)
    write_idx(folder / f"{kind}-labels-idx1-ubyte{suffix}", labels, compress=compress)
    return images, labels


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_load_mnist_reads_local_idx_files(tmp_path, compress):
    images, labels = write_mnist(tmp_path, "train", 6, 6, compress)
    X, y = load_mnist(tmp_path)
    assert X.shape == (6, 784) and X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(X * 255, images.reshape(6, -1))
    np.testing.assert_array_equal(y, labels)


def test_load_mnist_test_is_an_alias_of_t10k(tmp_path):
    write_mnist(tmp_path, "train", 4, 4, compress=False)
    write_mnist(tmp_path, "t10k", 3, 3, compress=True)
    X_test, y_test = load_mnist(tmp_path, kind="test")
    X_t10k, _ = load_mnist(str(tmp_path), kind="t10k")
    assert len(X_test) == len(y_test) == 3
    np.testing.assert_array_equal(X_test, X_t10k)


def test_load_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"t10k-images-idx3-ubyte.*\.gz"):
        load_mnist(tmp_path, kind="t10k")
    with pytest.raises(ValueError, match=r"kind.*'valid'"):
        load_mnist(tmp_path, kind="valid")
    write_mnist(tmp_path, "train", 5, 4, compress=False)
    with pytest.raises(ValueError, match=r"5 images.*4 labels"):
        load_mnist(tmp_path)


# --------------------------------------------------------------------------- mini-batches


def test_minibatches_cover_every_sample_once(xp):
    X = xp.arange(46, dtype=xp.float64).reshape(23, 2)
    y = xp.arange(23)
    batches = list(minibatches(X, y, 5, seed=0))
    assert [len(yb) for _, yb in batches] == [5, 5, 5, 5, 3]
    assert all(type(Xb) is type(X) and type(yb) is type(y) for Xb, yb in batches)
    seen = np.concatenate([to_numpy(yb) for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), np.arange(23))
    assert not np.array_equal(seen, np.arange(23)), "shuffle=True kept the original order"
    for Xb, yb in batches:  # rows stay paired with their labels
        np.testing.assert_array_equal(to_numpy(Xb[:, 0]), 2 * to_numpy(yb))
    again = np.concatenate([to_numpy(yb) for _, yb in minibatches(X, y, 5, seed=0)])
    np.testing.assert_array_equal(again, seen)


def test_minibatches_in_order_without_shuffle(xp):
    X, y = xp.zeros((7, 3)), xp.arange(7)
    order = [to_numpy(yb).tolist() for _, yb in minibatches(X, y, 3, shuffle=False)]
    assert order == [[0, 1, 2], [3, 4, 5], [6]]
    assert [len(yb) for _, yb in minibatches(X, y, 100)] == [7]


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_minibatches_reject_bad_batch_size_when_called(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        minibatches(np.zeros((4, 2)), np.zeros(4), batch_size)  # no iteration needed


def test_minibatches_reject_mismatched_lengths():
    with pytest.raises(ValueError, match=r"len\(X\)=5, len\(y\)=4"):
        minibatches(np.zeros((5, 2)), np.zeros(4), 2)


# --------------------------------------------------------------------------- splits


def test_train_val_test_split_is_disjoint_complete_and_paired(xp):
    X = xp.arange(400, dtype=xp.float64).reshape(200, 2)
    y = xp.arange(200)
    parts = train_val_test_split(X, y, val_size=0.15, test_size=0.25, seed=1)
    assert [len(part[1]) for part in parts] == [120, 30, 50]
    ids = [to_numpy(yp) for _, yp in parts]
    np.testing.assert_array_equal(np.sort(np.concatenate(ids)), np.arange(200))
    for Xp, yp in parts:
        np.testing.assert_array_equal(to_numpy(Xp[:, 0]), 2 * to_numpy(yp))
    again = train_val_test_split(X, y, val_size=0.15, test_size=0.25, seed=1)
    np.testing.assert_array_equal(to_numpy(again[2][1]), ids[2])


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [600, 300, 100])
    X = np.arange(1000.0)[:, None]
    train, val, test = train_val_test_split(X, y, stratify=True, seed=0)
    np.testing.assert_array_equal(np.bincount(train[1]), [420, 210, 70])
    np.testing.assert_array_equal(np.bincount(val[1]), [90, 45, 15])
    np.testing.assert_array_equal(np.bincount(test[1]), [90, 45, 15])
    np.testing.assert_array_equal(y[train[0][:, 0].astype(int)], train[1])  # rows still paired


def test_train_test_split_matches_the_three_way_split_without_validation():
    X, y = make_blobs(101, seed=0)
    (X_train, y_train), (X_test, y_test) = train_test_split(X, y, test_size=0.2, seed=5)
    assert (len(X_train), len(X_test)) == (81, 20)
    train, val, test = train_val_test_split(X, y, val_size=0.0, test_size=0.2, seed=5)
    assert len(val[0]) == 0
    np.testing.assert_array_equal(test[0], X_test)
    np.testing.assert_array_equal(train[1], y_train)
    (_, y_train), (_, y_test) = train_test_split(X, y, test_size=0.5, stratify=True, seed=0)
    # class sizes 34, 34, 33: each class is halved on its own, rounding half up
    assert np.bincount(y_test).tolist() == [17, 17, 17]
    assert np.bincount(y_train).tolist() == [17, 17, 16]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"val_size": 0.5, "test_size": 0.5}, "val_size \\+ test_size"),
        ({"val_size": -0.1}, "val_size"),
        ({"test_size": 1.0}, "test_size"),
        ({"stratify": True, "y": np.linspace(0, 1, 10)}, "integer class labels"),
        ({"y": np.zeros(9)}, r"len\(X\)=10, len\(y\)=9"),
    ],
)
def test_split_rejects_bad_arguments(kwargs, message):
    kwargs = {"y": np.zeros(10, dtype=int), **kwargs}
    with pytest.raises(ValueError, match=message):
        train_val_test_split(np.zeros((10, 2)), seed=0, **kwargs)


def test_split_refuses_to_leave_no_training_sample():
    with pytest.raises(ValueError, match="no training sample"):
        train_val_test_split(np.zeros((2, 1)), np.zeros(2), val_size=0.3, test_size=0.3)


def test_generators_touch_no_global_random_state():
    _, keys, position, *_ = np.random.get_state()  # noqa: NPY002 (the legacy state is the point)
    make_spirals(seed=1)
    make_moons()
    train_test_split(*make_blobs(), seed=2)
    list(minibatches(*make_xor(), 2))
    _, keys_after, position_after, *_ = np.random.get_state()  # noqa: NPY002
    np.testing.assert_array_equal(keys_after, keys)
    assert position_after == position
