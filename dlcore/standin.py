"""A stand-in for CuPy, backed by NumPy, for testing the GPU code paths without a GPU.

dlcore's generic code writes ``xp = get_array_module(x)`` and then ``xp.exp``,
``xp.zeros_like``... A forgotten ``np.`` in such code goes unnoticed on the CPU
and breaks on a GPU. This module is a second array library that refuses what
CuPy refuses, so the engine's tests can run on it on any machine:

- its arrays (:class:`ndarray`) wrap a NumPy array but are not one: turning one
  into a NumPy array implicitly (``np.asarray(x)``, ``np.array(x)``) raises
  ``TypeError``, as CuPy does; ``x.get()`` or ``to_numpy(x)`` is the way out;
- mixing them with NumPy arrays in an operation or a function raises
  ``TypeError``; only ``asarray``/``array`` take NumPy data in (a transfer);
- NumPy's functions and ufuncs applied to them give stand-in arrays back (CuPy
  implements the same protocols).

``dlcore.backend.use_standin()`` makes the backend treat it as the GPU library.
"""

from __future__ import annotations

import operator
import types
from typing import Any

import numpy as np

#: Functions that move host (NumPy) data onto the stand-in "device".
TRANSFERS = {"asarray", "array", "asanyarray", "ascontiguousarray"}


class ndarray:
    """An array of the stand-in library: a NumPy array that will not pass for one."""

    __slots__ = ("_data",)
    __array_priority__ = 100

    def __init__(self, data: np.ndarray):
        self._data = data

    # ------------------------------------------------------------- leaving
    def get(self) -> np.ndarray:
        """A NumPy copy (CuPy's way to the host)."""
        return self._data.copy()

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed (stand-in GPU array); "
            "use .get() or dlcore.backend.to_numpy()"
        )

    # ---------------------------------------------------- NumPy's protocols
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        args = _unwrap(inputs, ufunc.__name__)
        if "out" in kwargs:
            kwargs["out"] = _unwrap(kwargs["out"], ufunc.__name__)
        return _wrap(getattr(ufunc, method)(*args, **kwargs))

    def __array_function__(self, func, types_, args, kwargs):
        return _wrap(func(*_unwrap(args, func.__name__), **_unwrap(kwargs, func.__name__)))

    # ---------------------------------------------------------- attributes
    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)
    nbytes = property(lambda self: self._data.nbytes)
    itemsize = property(lambda self: self._data.itemsize)
    T = property(lambda self: ndarray(self._data.T))
    flags = property(lambda self: self._data.flags)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # NumPy's __array_interface__ and the like: not for NumPy
            raise AttributeError(name)
        attribute = getattr(self._data, name)
        if not callable(attribute):
            return _wrap(attribute)

        def method(*args, **kwargs):
            return _wrap(attribute(*_unwrap(args, name), **_unwrap(kwargs, name)))

        return method

    def __getitem__(self, index):
        return _wrap(self._data[_unwrap(index, "indexing", hosts=True)])

    def __setitem__(self, index, value):
        self._data[_unwrap(index, "indexing", hosts=True)] = _unwrap(value, "assignment", True)

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self):
        return (_wrap(row) for row in self._data)

    def __float__(self) -> float:
        return float(self._data)

    def __int__(self) -> int:
        return int(self._data)

    def __bool__(self) -> bool:
        return bool(self._data)

    def __index__(self) -> int:
        return operator.index(self._data)

    def __repr__(self) -> str:
        return "standin." + repr(self._data)

    __hash__ = None  # type: ignore[assignment]


def _binary(ufunc: np.ufunc, reflected: bool = False):
    def operate(self, other):
        pair = (other, self) if reflected else (self, other)
        return self.__array_ufunc__(ufunc, "__call__", *pair)

    return operate


def _in_place(ufunc: np.ufunc):
    def operate(self, other):
        ufunc(self._data, _unwrap(other, ufunc.__name__), out=self._data)
        return self

    return operate


for _name, _ufunc in {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power,
    "matmul": np.matmul, "and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor,
}.items():  # fmt: skip
    setattr(ndarray, f"__{_name}__", _binary(_ufunc))
    setattr(ndarray, f"__r{_name}__", _binary(_ufunc, reflected=True))
    setattr(ndarray, f"__i{_name}__", _in_place(_ufunc))
_COMPARISONS = {"lt": np.less, "le": np.less_equal, "gt": np.greater,
                "ge": np.greater_equal, "eq": np.equal, "ne": np.not_equal}  # fmt: skip
for _name, _ufunc in _COMPARISONS.items():
    setattr(ndarray, f"__{_name}__", _binary(_ufunc))
ndarray.__neg__ = lambda self: ndarray(-self._data)
ndarray.__pos__ = lambda self: ndarray(+self._data)
ndarray.__abs__ = lambda self: ndarray(abs(self._data))
ndarray.__invert__ = lambda self: ndarray(~self._data)


def _wrap(value: Any) -> Any:
    """Results back as stand-in arrays; NumPy scalars stay scalars."""
    if isinstance(value, np.ndarray):
        return ndarray(value)
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _unwrap(value: Any, where: str, hosts: bool = False) -> Any:
    """Arguments for NumPy: stand-in arrays unwrapped; NumPy arrays refused unless ``hosts``."""
    if isinstance(value, ndarray):
        return value._data
    if isinstance(value, np.ndarray) and not hosts and value.ndim > 0:
        raise TypeError(
            f"{where}: a NumPy array was mixed with stand-in GPU arrays; "
            "move it with xp.asarray(...) or dlcore.backend.to_device(...)"
        )
    if isinstance(value, tuple):
        return tuple(_unwrap(v, where, hosts) for v in value)
    if isinstance(value, list):
        return [_unwrap(v, where, hosts) for v in value]
    if isinstance(value, dict):
        return {k: _unwrap(v, where, hosts) for k, v in value.items()}
    return value


class _Ufunc:
    """A NumPy ufunc seen through the stand-in: its call and its methods (at, reduce...)."""

    def __init__(self, ufunc: np.ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        return _wrap(self._ufunc(*_unwrap(args, self.__name__), **_unwrap(kwargs, self.__name__)))

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._ufunc, name)
        if not callable(method):
            return method
        name = self.__name__
        return lambda *a, **k: _wrap(method(*_unwrap(a, name), **_unwrap(k, name)))


class _Namespace(types.ModuleType):
    """A module whose functions are NumPy's (or a NumPy submodule's), seen through the stand-in."""

    def __init__(self, name: str, source: types.ModuleType):
        super().__init__(name)
        self._source = source

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        found = getattr(self._source, name)
        if isinstance(found, types.ModuleType):
            return _Namespace(f"{self.__name__}.{name}", found)
        if isinstance(found, np.ufunc):
            return _Ufunc(found)
        if isinstance(found, type) or not callable(found):
            return found  # dtypes, constants
        hosts = name in TRANSFERS

        def function(*args, **kwargs):
            result = found(*_unwrap(args, name, hosts), **_unwrap(kwargs, name, hosts))
            return _wrap(np.asarray(result) if hosts else result)

        function.__name__ = name
        return function


def _random_generator(seed: Any = None) -> Any:
    """The stand-in's generator: NumPy's, with stand-in arrays out (like cupy.random)."""
    return _Generator(np.random.default_rng(seed))


class _Generator:
    def __init__(self, generator: np.random.Generator):
        self._generator = generator

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._generator, name)
        return lambda *a, **k: _wrap(np.asarray(method(*_unwrap(a, name), **_unwrap(k, name))))


def _asnumpy(x: Any) -> np.ndarray:
    return x.get() if isinstance(x, ndarray) else np.asarray(x)


#: The stand-in library itself: ``standin.xp.exp(...)``, ``standin.xp.ndarray``...
xp = _Namespace("dlcore.standin.xp", np)
xp.ndarray = ndarray
xp.asnumpy = _asnumpy
xp.random = _Namespace("dlcore.standin.xp.random", np.random)
xp.random.default_rng = _random_generator
