"""The one format in which values cross the sandbox's wall: arrays and plain data.

A value is written as an ``.npz`` file: its arrays as ``a0``, ``a1``... and its
structure as JSON (in the array ``manifest``, bytes). Reading uses ``np.load``
with ``allow_pickle=False`` and accepts only what a check can need: arrays of
numbers or booleans, Python and NumPy scalars, strings, None, and tuples, lists
and dicts of those, with limits on size and depth. Nothing the student's kernel
sends can run code, override ``==``, or be anything but plain data.

The grader's side may also send what only it sends: a NumPy ``Generator`` (as its
state, synchronised back after the call), a callable (a *callback* that the
kernel calls through the harness), and dlcore's search spaces, rebuilt in the
kernel from their parameters.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from dlcore.backend import is_gpu_array, to_numpy
from dlcore.tuning import spaces
from dlcore.tuning.spaces import Space

#: Largest file read back from a kernel, and largest total number of array elements.
MAX_BYTES = 512 * 2**20
MAX_ELEMENTS = 50_000_000
MAX_DEPTH = 32
MAX_ITEMS = 100_000
MAX_STRING = 100_000
#: Array kinds that may cross: booleans, integers, unsigned, floats, complex.
ARRAY_KINDS = "biufc"


class WireError(ValueError):
    """A value that cannot cross the wall (of a kind, a size or a shape not allowed)."""


# ------------------------------------------------------------------- writing
class Writer:
    """Turns a value into (manifest, arrays). ``callback`` maps a callable to an id."""

    def __init__(self, callback: Callable[[Callable], int] | None = None):
        self.arrays: dict[str, np.ndarray] = {}
        self.callback = callback

    def node(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("the value is nested too deeply")
        if value is None:
            return {"t": "none"}
        if isinstance(value, (bool, str)):
            return {"t": type(value).__name__, "v": value}
        if isinstance(value, int):
            return {"t": "int", "v": str(int(value))}
        if isinstance(value, float):
            return {"t": "float", "v": repr(float(value))}
        if is_gpu_array(value):  # a CuPy array (DLCORE_DEVICE=gpu) crosses as its host copy
            value = to_numpy(value)
        if isinstance(value, np.generic) and value.dtype.kind in ARRAY_KINDS:
            return {"t": "scalar", "ref": self._array(np.asarray(value))}
        if isinstance(value, np.ndarray):
            return {"t": "array", "ref": self._array(value)}
        if isinstance(value, (tuple, list)):
            kind = "tuple" if isinstance(value, tuple) else "list"
            return {"t": kind, "v": [self.node(v, depth + 1) for v in value]}
        if isinstance(value, dict):
            return {"t": "dict", "v": [[self.node(k, depth + 1), self.node(v, depth + 1)]
                                      for k, v in value.items()]}  # fmt: skip
        if isinstance(value, np.random.Generator):
            return {"t": "rng", "v": _plain_state(value.bit_generator.state)}
        if isinstance(value, Space):
            params = [self.node(p, depth + 1) for p in value._params()]
            return {"t": "space", "class": type(value).__name__, "v": params}
        if callable(value) and self.callback is not None:
            return {"t": "callback", "v": self.callback(value)}
        raise WireError(f"a value of type {type(value).__name__} cannot be sent or returned")

    def _array(self, array: np.ndarray) -> str:
        plain = np.array(array, copy=True).view(np.ndarray)
        if plain.dtype.kind not in ARRAY_KINDS:
            raise WireError(f"arrays of dtype {plain.dtype} cannot be sent or returned")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = plain
        return key


def _plain_state(state: Any) -> Any:
    """A bit generator's state as JSON: ints as strings, nested dicts."""
    if isinstance(state, dict):
        return {str(k): _plain_state(v) for k, v in state.items()}
    if isinstance(state, (int, np.integer)):
        return {"int": str(int(state))}
    if isinstance(state, str):
        return state
    if isinstance(state, np.ndarray) and state.dtype.kind in "iu":
        return {"ints": [str(int(x)) for x in state.ravel()], "dtype": str(state.dtype)}
    raise WireError(f"cannot send a generator state holding {type(state).__name__}")


def save(path: Path | str, value: Any, callback: Callable[[Callable], int] | None = None) -> None:
    """Write ``value`` to ``path`` (an .npz file), or raise WireError."""
    writer = Writer(callback)
    manifest = json.dumps(writer.node(value)).encode()
    buffer = io.BytesIO()
    np.savez(buffer, manifest=np.frombuffer(manifest, dtype=np.uint8), **writer.arrays)
    Path(path).write_bytes(buffer.getvalue())


# ------------------------------------------------------------------- reading
class Reader:
    """Rebuilds a value from (manifest, arrays), refusing anything out of bounds."""

    def __init__(self, arrays: Any, callback: Callable[[int], Callable] | None = None,
                 objects: bool = False):  # fmt: skip
        self.arrays = arrays
        self.callback = callback
        self.objects = objects
        self.elements = 0
        self.items = 0

    def value(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("the value is nested too deeply")
        self.items += 1
        if self.items > MAX_ITEMS:
            raise WireError(f"the value has more than {MAX_ITEMS} parts")
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise WireError("malformed value")
        kind, v = node["t"], node.get("v")
        if kind == "none":
            return None
        if kind == "bool" and isinstance(v, bool):
            return v
        if kind == "str" and isinstance(v, str) and len(v) <= MAX_STRING:
            return v
        if kind == "int" and isinstance(v, str) and len(v) <= 400:
            return int(v)
        if kind == "float" and isinstance(v, str) and len(v) <= 40:
            return float(v)
        if kind in ("array", "scalar"):
            array = self._array(node.get("ref"))
            return array[()] if kind == "scalar" and array.ndim == 0 else array
        if kind in ("tuple", "list") and isinstance(v, list):
            items = [self.value(x, depth + 1) for x in v]
            return tuple(items) if kind == "tuple" else items
        if kind == "dict" and isinstance(v, list):
            out = {}
            for pair in v:
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise WireError("malformed dict")
                key = self.value(pair[0], depth + 1)
                if not isinstance(key, (str, int, float, bool, type(None))):
                    raise WireError("dict keys must be strings or numbers")
                out[key] = self.value(pair[1], depth + 1)
            return out
        if kind == "rng":
            return generator_from(v)
        if kind == "callback" and self.callback is not None and isinstance(v, int):
            return self.callback(v)
        if kind == "space" and self.objects and isinstance(v, list):
            cls = getattr(spaces, str(node.get("class")), None)
            if not (isinstance(cls, type) and issubclass(cls, Space)):
                raise WireError(f"{node.get('class')!r} is not one of dlcore's search spaces")
            try:
                return cls(*[self.value(x, depth + 1) for x in v])
            except (TypeError, ValueError) as error:
                raise WireError(f"cannot rebuild {cls.__name__}: {error}") from None
        raise WireError(f"a value of kind {kind!r} is not accepted here")

    def _array(self, key: Any) -> np.ndarray:
        if not isinstance(key, str) or key == "manifest" or key not in self.arrays:
            raise WireError("malformed array reference")
        array = self.arrays[key]
        if array.dtype.kind not in ARRAY_KINDS:
            raise WireError(f"arrays of dtype {array.dtype} are not accepted")
        self.elements += array.size
        if self.elements > MAX_ELEMENTS:
            raise WireError(f"the value holds more than {MAX_ELEMENTS} numbers")
        return np.array(array, copy=True)


def generator_from(state: Any) -> np.random.Generator:
    """A NumPy Generator in the given (JSON) state."""
    plain = _state_from(state)
    name = plain.get("bit_generator") if isinstance(plain, dict) else None
    if name not in ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937"):
        raise WireError(f"unknown bit generator {name!r}")
    bits = getattr(np.random, name)()
    bits.state = plain
    return np.random.Generator(bits)


def _state_from(node: Any) -> Any:
    if isinstance(node, dict) and set(node) == {"int"}:
        return int(node["int"])
    if isinstance(node, dict) and set(node) == {"ints", "dtype"}:
        return np.array([int(x) for x in node["ints"]], dtype=np.dtype(node["dtype"]))
    if isinstance(node, dict):
        return {k: _state_from(v) for k, v in node.items()}
    if isinstance(node, str):
        return node
    raise WireError("malformed generator state")


def _check_archive(path: Path) -> None:
    """Refuse an archive too large unpacked, or whose arrays claim too many elements."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_ITEMS or sum(m.file_size for m in members) > MAX_BYTES:
            raise WireError(f"the value is larger than {MAX_BYTES // 2**20} MiB")
        claimed = 0
        for member in members:
            with archive.open(member) as handle:
                major, _ = np.lib.format.read_magic(handle)
                read_header = (np.lib.format.read_array_header_1_0 if major == 1
                               else np.lib.format.read_array_header_2_0)  # fmt: skip
                shape, _, dtype = read_header(handle)
            if dtype.kind not in ARRAY_KINDS:
                raise WireError(f"arrays of dtype {dtype} are not accepted")
            claimed += int(np.prod(shape, dtype=object))
            if claimed > MAX_ELEMENTS:
                raise WireError(f"the value holds more than {MAX_ELEMENTS} numbers")


def load(path: Path | str, callback: Callable[[int], Callable] | None = None, *,
         objects: bool = False) -> Any:  # fmt: skip
    """Read a value written by :func:`save`, strictly. Raises WireError."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise WireError("no value was written") from None
    if size > MAX_BYTES:
        raise WireError(f"the value is larger than {MAX_BYTES // 2**20} MiB")
    try:
        _check_archive(path)
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except WireError:
        raise
    except (OSError, ValueError, TypeError, zipfile.BadZipFile, EOFError) as error:
        raise WireError(f"unreadable value ({error})") from None
    manifest = arrays.get("manifest")
    if manifest is None or manifest.dtype != np.uint8 or manifest.ndim != 1:
        raise WireError("the value has no manifest")
    try:
        node = json.loads(manifest.tobytes().decode())
    except (UnicodeDecodeError, ValueError):
        raise WireError("the value's manifest is not JSON") from None
    return Reader(arrays, callback, objects).value(node)
