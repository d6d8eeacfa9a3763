"""The student's functions, called from the trusted grader across the sandbox's wall.

A check is an ordinary function of the student's implementation (see
:mod:`autograder.core`). In trusted mode the check runs in the grader's process
and receives a :class:`RemoteFunction` instead of the student's function: calling
it sends the arguments to the kernel as arrays, runs the student's code there,
and reads back the result as plain data (:mod:`autograder.wire`). Exceptions,
warnings, changes made to array arguments and the state of a random generator
come back too, so that a check sees what it would see in-process.
"""

from __future__ import annotations

import builtins
import math
import os
import re
import warnings
from typing import Any

import numpy as np

from . import wire
from .in_kernel import CALLBACK_PROMPT
from .kernel import KernelDied, KernelTimeout, SandboxedKernel


class StudentTimeout(Exception):
    """The student's function ran past its time limit."""


class KernelLost(Exception):
    """The kernel died (or had died) while the student's function was called."""


class Remote:
    """Calls into one sandboxed kernel, each with a time limit."""

    def __init__(self, kernel: SandboxedKernel, timeout: float):
        self.kernel, self.timeout = kernel, timeout

    def _run(self, code: str, on_input=None):
        if not self.kernel.alive or self.kernel.client is None:
            raise KernelLost("the kernel is not running (it died earlier)")
        (self.kernel.io / "reply.npz").unlink(missing_ok=True)
        try:
            execution = self.kernel.execute(code, timeout=self.timeout, on_input=on_input,
                                            quiet=True)  # fmt: skip
        except KernelTimeout as error:
            raise StudentTimeout(f"the function {error}") from None
        except KernelDied as error:
            raise KernelLost(str(error)) from None
        if execution.error is not None:
            ename, evalue = execution.error
            raise RuntimeError(f"the grader could not reach the function ({ename}: {evalue})")
        return wire.load(self.kernel.io / "reply.npz", objects=True)

    def describe(self, name: str) -> tuple[str, Any]:
        """("function" | "value" | "missing", the value when it is one)."""
        reply = self._run(_kernel_code("describe", name, self.kernel.io))
        kind = reply.get("kind") if isinstance(reply, dict) else None
        if kind == "unsendable":
            raise TypeError(f"{name} holds a value the grader cannot read: {reply.get('why')}")
        if kind not in ("function", "value", "missing"):
            raise RuntimeError(f"the kernel's answer about {name} is malformed")
        return kind, reply.get("value")

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        callbacks: list = []

        def number(function) -> int:
            callbacks.append(function)
            return len(callbacks) - 1

        call = [list(args), dict(kwargs), np.geterr()]  # the caller's floating-point rules
        wire.save(self.kernel.io / "call.npz", call, callback=number)
        self._hand_over(self.kernel.io / "call.npz")
        reply = self._run(_kernel_code("call", name, self.kernel.io),
                          on_input=lambda prompt: self._callback(prompt, callbacks))  # fmt: skip
        if not isinstance(reply, dict) or not ({"ok", "error"} & set(reply)):
            raise RuntimeError(f"the kernel's answer from {name} is malformed")
        for category, message in reply.get("warnings") or []:
            warnings.warn(str(message), _warning_class(category), stacklevel=2)
        after = reply.get("after")
        if isinstance(after, list) and len(after) == 2:
            _write_back(list(args), after[0])
            _write_back(kwargs, after[1])
        if "error" in reply:
            raise _student_error(reply["error"])
        return reply["ok"]

    def _callback(self, prompt: str, callbacks: list) -> str:
        """Compute one of the grader's callables for the kernel; the reply goes in a file."""
        folder = self.kernel.io
        head, _, number = prompt.partition(" ")
        if head != CALLBACK_PROMPT or not number.isdigit() or int(number) >= len(callbacks):
            return ""
        try:
            request = wire.load(folder / "callback.npz")
            _, args, kwargs = request
            answer = {"ok": callbacks[int(number)](*args, **kwargs)}
        except Exception as error:  # the kernel receives it as an error
            answer = {"error": f"{type(error).__name__}: {error}"}
        wire.save(folder / "callback-reply.npz", answer)
        self._hand_over(folder / "callback-reply.npz")
        return ""

    def _hand_over(self, path) -> None:
        """Give a file the grader wrote to the sandbox's uid, so the kernel may replace it."""
        if self.kernel.uid is not None:
            os.chown(path, self.kernel.uid, self.kernel.uid)


def _kernel_code(what: str, name: str, folder) -> str:
    if not name.isidentifier():
        raise ValueError(f"not a Python name: {name!r}")
    return f"__import__('autograder.in_kernel').in_kernel.{what}({name!r}, {str(folder)!r})"


class RemoteFunction:
    """Stands for the student's function ``name``; calling it calls it in the kernel."""

    def __init__(self, remote: Remote, name: str):
        self.remote, self.__name__, self.__qualname__ = remote, name, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.remote.call(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<the student's {self.__name__}>"


def _warning_class(name: Any) -> type[Warning]:
    found = getattr(builtins, str(name), None)
    return found if isinstance(found, type) and issubclass(found, Warning) else UserWarning


def _student_error(info: Any) -> Exception:
    """The exception the student's function raised, rebuilt as one the checks understand."""
    info = info if isinstance(info, dict) else {}
    name, message = str(info.get("type", "Exception")), str(info.get("message", ""))
    found = getattr(builtins, name, None)
    error: Exception | None = None
    if isinstance(found, type) and issubclass(found, Exception):
        try:
            error = found(message)
        except TypeError:  # an exception class with other arguments
            error = None
    if error is None:  # not a built-in exception (or a BaseException): same name, plain class
        clean = re.sub(r"\W", "", name) or "Exception"
        error = type(clean if clean[0].isalpha() else "E" + clean, (Exception,), {})(message)
    where = str(info.get("where", ""))
    error.where = f" ({where})" if where else ""  # read by core.call's one-line message
    return error


def _write_back(original: Any, after: Any) -> bool:
    """Give ``original`` (an argument) the changes the student's code made to its copy.

    True when done in place; False when ``original`` cannot change in place (a
    number, or an array that now has another shape): its holder takes ``after``.
    """
    if callable(original):  # one of the grader's callables: it stayed here
        return True
    if isinstance(original, np.ndarray):
        same = isinstance(after, np.ndarray) and after.shape == original.shape
        if same and original.flags.writeable:
            np.copyto(original, after, casting="unsafe")
        return same
    if isinstance(original, np.random.Generator):
        if isinstance(after, np.random.Generator):
            original.bit_generator.state = after.bit_generator.state
        return True
    if isinstance(original, list) and isinstance(after, list):
        if len(original) != len(after):
            original[:] = after
        for index, (old, new) in enumerate(zip(original, after)):
            if not _write_back(old, new):
                original[index] = new
        return True
    if isinstance(original, dict) and isinstance(after, dict):
        for key in [k for k in original if k not in after]:
            del original[key]
        for key, value in after.items():
            if key not in original or not _write_back(original[key], value):
                original[key] = value
        return True
    if isinstance(original, tuple) and isinstance(after, (tuple, list)):
        for old, new in zip(original, after):  # a tuple's mutable items may have changed
            _write_back(old, new)
        return True
    return False


def finite_score(value: Any, points: float) -> float:
    """A test cell's value as a score in [0, points]; anything else scores 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    value = float(value)
    return min(max(value, 0.0), points) if math.isfinite(value) else 0.0
