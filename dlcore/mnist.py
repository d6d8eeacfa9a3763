"""Readers for MNIST-style IDX files in a local folder (nothing is ever downloaded).

``dlcore.datasets`` re-exports :func:`load_mnist` and :func:`read_idx`.
"""

from __future__ import annotations

import gzip
import math
import os

import numpy as np

_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an array stored in the IDX format of the MNIST files, plain or gzip-compressed.

    Layout: two zero bytes, a dtype code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
    0x0D float32, 0x0E float64), the number of dimensions d, d big-endian uint32 sizes, then
    the data, big-endian, in C order. Compression is recognised from the content.

    Returns
    -------
    ndarray with the stored shape and dtype, in native byte order
    """
    name = os.fspath(path)
    with open(path, "rb") as handle:
        raw = handle.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[:2] != b"\x00\x00":
        raise ValueError(f"{name!r} is not an IDX file: the magic number must start with two "
                         f"zero bytes; received {raw[:4].hex(' ') or 'an empty file'}")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        raise ValueError(f"{name!r}: unknown IDX dtype code 0x{code:02X}; expected one of {known}")
    dtype, header = np.dtype(_IDX_DTYPES[code]), 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{name!r} has {len(raw)} bytes, fewer than its {header}-byte header")
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + math.prod(shape) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(f"{name!r} has {len(raw)} bytes but its header (shape {shape}, "
                         f"{dtype.name}) implies {expected}")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


_MNIST_KINDS = {"train": "train", "t10k": "t10k", "test": "t10k"}


def _find_file(folder: str | os.PathLike, name: str) -> str:
    """Path of ``name`` or ``name.gz`` in ``folder``; FileNotFoundError naming both otherwise."""
    candidates = [os.path.join(folder, name), os.path.join(folder, name + ".gz")]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(f"MNIST file not found: looked for {' and '.join(candidates)}")


def load_mnist(path: str | os.PathLike, kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST (or Fashion-MNIST) from IDX files in a local folder; nothing is downloaded.

    Parameters
    ----------
    path : folder holding ``{kind}-images-idx3-ubyte`` and ``{kind}-labels-idx1-ubyte``, each
        plain or with a ``.gz`` suffix
    kind : {"train", "t10k", "test"}, "test" being an alias of "t10k"

    Returns
    -------
    X : ndarray, shape (N, H*W) (N, 784 for MNIST), float64, pixels divided by 255
    y : ndarray, shape (N,), int64
    """
    if kind not in _MNIST_KINDS:
        raise ValueError(f"kind must be one of {sorted(_MNIST_KINDS)}; received {kind!r}")
    names = [f"{_MNIST_KINDS[kind]}-images-idx3-ubyte", f"{_MNIST_KINDS[kind]}-labels-idx1-ubyte"]
    if not os.path.isdir(path):
        raise FileNotFoundError(f"MNIST folder {os.fspath(path)!r} does not exist; it should "
                                f"hold {names[0]}[.gz] and {names[1]}[.gz]")
    images_path, labels_path = (_find_file(path, name) for name in names)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1:
        raise ValueError(f"expected images (N, H, W) and labels (N,); received {images.shape} "
                         f"from {images_path!r} and {labels.shape} from {labels_path!r}")
    if len(images) != len(labels):
        raise ValueError(f"{images_path!r} holds {len(images)} images but {labels_path!r} "
                         f"holds {len(labels)} labels")
    X = images.reshape(len(images), -1).astype(np.float64) / 255.0
    return X, labels.astype(np.int64)
