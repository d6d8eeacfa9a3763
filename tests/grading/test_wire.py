"""What may cross the sandbox's wall (autograder.wire), and how results are taken back."""

from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np
import pytest

from autograder import wire
from autograder.remote import _student_error, _write_back, finite_score
from dlcore.tuning.spaces import Choice, LogUniform


def round_trip(tmp_path, value, **kwargs):
    wire.save(tmp_path / "v.npz", value)
    return wire.load(tmp_path / "v.npz", **kwargs)


def test_plain_data_and_arrays_round_trip_with_their_types(tmp_path):
    value = {"a": (1, 2.5, None, "x", True), "b": [np.arange(3), np.float32(2.5)], 7: {"c": []}}
    back = round_trip(tmp_path, value)
    assert back["a"] == (1, 2.5, None, "x", True) and type(back["a"][0]) is int
    assert np.array_equal(back["b"][0], np.arange(3)) and back["b"][0].dtype == np.int64
    assert type(back["b"][1]) is np.float32 and back[7] == {"c": []}
    assert math.isnan(round_trip(tmp_path, float("nan")))
    assert round_trip(tmp_path, 10**30) == 10**30


def test_a_generator_crosses_as_its_state(tmp_path):
    rng = np.random.default_rng(5)
    copy = round_trip(tmp_path, rng)
    assert copy.random() == np.random.default_rng(5).random()


def test_search_spaces_are_rebuilt_only_where_objects_are_allowed(tmp_path):
    spaces = [LogUniform(1e-4, 1.0), Choice([16, 32])]
    assert round_trip(tmp_path, spaces, objects=True) == spaces
    with pytest.raises(wire.WireError, match="not accepted"):
        round_trip(tmp_path, spaces)


class Sneaky(list):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value", [object(), np.array([object()], dtype=object), print])
def test_what_is_not_plain_data_cannot_be_sent(tmp_path, value):
    with pytest.raises(wire.WireError):
        wire.save(tmp_path / "v.npz", value)


def test_a_list_subclass_arrives_as_a_plain_list(tmp_path):
    back = round_trip(tmp_path, Sneaky([1, 2]))
    assert type(back) is list and back != [1, 3]


def archive(tmp_path, manifest, **arrays):
    raw = json.dumps(manifest).encode()
    np.savez(tmp_path / "x.npz", manifest=np.frombuffer(raw, dtype=np.uint8), **arrays)
    return tmp_path / "x.npz"


def test_a_hostile_file_is_refused_with_a_reason(tmp_path):
    objects = archive(tmp_path, {"t": "array", "ref": "a0"}, a0=np.array([{}], dtype=object))
    with pytest.raises(wire.WireError, match="dtype object"):
        wire.load(objects)
    deep = {"t": "list", "v": []}
    for _ in range(wire.MAX_DEPTH + 2):
        deep = {"t": "list", "v": [deep]}
    with pytest.raises(wire.WireError, match="nested too deeply"):
        wire.load(archive(tmp_path, deep))
    with pytest.raises(wire.WireError, match="malformed"):
        wire.load(archive(tmp_path, {"t": "array", "ref": "manifest"}))
    with pytest.raises(wire.WireError, match="kind 'callback'"):
        wire.load(archive(tmp_path, {"t": "callback", "v": 0}))
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(wire.WireError, match="unreadable"):
        wire.load(tmp_path / "junk.npz")
    with pytest.raises(wire.WireError, match="no value"):
        wire.load(tmp_path / "missing.npz")


def test_an_array_claiming_too_many_elements_is_refused_before_it_is_read(tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    with zipfile.ZipFile(tmp_path / "big.npz", "w") as zf:
        zf.writestr("a0.npy", np.lib.format.MAGIC_PREFIX + b"\x01\x00" + header.getvalue()[8:])
    with pytest.raises(wire.WireError, match="more than"):
        wire.load(tmp_path / "big.npz")


def test_changes_made_in_the_kernel_are_written_back_into_the_arguments():
    w, state, rng = np.zeros(3), {"m": np.zeros(2), "step": 0}, np.random.default_rng(1)
    history = [1.0]
    after = [np.ones(3), {"m": np.ones(2), "step": 1, "v": np.ones(2)}, rng, [1.0, 2.0]]
    advanced = np.random.default_rng(1)
    advanced.random()
    after[2] = advanced
    _write_back([w, state, rng, history], after)
    assert w.tolist() == [1, 1, 1] and state["step"] == 1 and "v" in state
    assert history == [1.0, 2.0]
    assert rng.random() == advanced.random()


def test_the_students_exception_comes_back_as_one_the_checks_understand():
    blank = _student_error({"type": "NotImplementedError", "message": "", "where": ""})
    assert isinstance(blank, NotImplementedError)
    odd = _student_error({"type": "My Error!", "message": "boom", "where": "line 3: x = 1"})
    assert type(odd).__name__ == "MyError" and odd.where == " (line 3: x = 1)"
    exit_ = _student_error({"type": "SystemExit", "message": "3"})
    assert isinstance(exit_, Exception)  # never a BaseException that would stop the grader


@pytest.mark.parametrize(
    ("value", "score"),
    [(1.5, 1.5), (5, 2.0), (-1.0, 0.0), (float("nan"), 0.0), (True, 0.0), ("2", 0.0), (None, 0.0)],
)
def test_a_test_cells_value_becomes_a_score_within_its_points(value, score):
    assert finite_score(value, 2.0) == score


def test_a_gpu_array_crosses_as_its_host_copy(tmp_path):
    from dlcore import backend

    with backend.use_standin() as sx:
        back = round_trip(tmp_path, (sx.asarray([1.0, 2.0]), 3))
    assert type(back[0]) is np.ndarray and back[0].tolist() == [1.0, 2.0] and back[1] == 3
