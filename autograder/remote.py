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
import contextlib
import math
import os
import re
import time
import warnings
from typing import Any

import numpy as np

from . import wire
from .in_kernel import CALLBACK_PROMPT, READY_PROMPT
from .kernel import KernelDied, KernelTimeout, Running, SandboxedKernel


class StudentTimeout(Exception):
    """The student's function ran past its time limit."""


class KernelLost(Exception):
    """The kernel died (or had died) while the student's function was called."""


class Remote:
    """Calls into one sandboxed kernel, each with a time limit.

    The first request of a test starts ``in_kernel.serve`` in the kernel; it stays
    running, answering one request after another, until :meth:`stop` (the grader
    calls it before the kernel runs the next cell).
    """

    def __init__(self, kernel: SandboxedKernel, timeout: float):
        self.kernel, self.timeout = kernel, timeout
        self.serving: Running | None = None

    def _request(self, what: str, name: str, on_callback=None):
        """Send ``what`` ("call", "call_each" or "describe") about ``name``; read the answer."""
        if not name.isidentifier():
            raise ValueError(f"not a Python name: {name!r}")
        if not self.kernel.alive or self.kernel.client is None:
            raise KernelLost("the kernel is not running (it died earlier)")
        (self.kernel.io / "reply.npz").unlink(missing_ok=True)
        deadline = time.monotonic() + self.timeout
        try:
            serving = self._serving(deadline)
            serving.answer(f"{what} {name}")
            while (prompt := serving.next_prompt(deadline, self.timeout)) != READY_PROMPT:
                if prompt is None:  # serve() ended: the student's code got in its way
                    self.serving = None
                    raise _not_served(serving)
                serving.answer(on_callback(prompt) if on_callback else "")
        except KernelTimeout as error:
            self.serving = None
            raise StudentTimeout(f"the function {error}") from None
        except KernelDied as error:
            self.serving = None
            raise KernelLost(str(error)) from None
        return wire.load(self.kernel.io / "reply.npz", objects=True)

    def _serving(self, deadline: float) -> Running:
        """The kernel's serve loop, started if it is not running, waiting for a request."""
        if self.serving is None:
            code = f"__import__('autograder.in_kernel').in_kernel.serve({str(self.kernel.io)!r})"
            serving = Running(self.kernel, code, quiet=True)
            while (prompt := serving.next_prompt(deadline, self.timeout)) != READY_PROMPT:
                if prompt is None:
                    raise _not_served(serving)
                serving.answer("")
            self.serving = serving
        return self.serving

    def stop(self) -> None:
        """End the serve loop, so that the kernel can run cells again."""
        serving, self.serving = self.serving, None
        if serving is None or not self.kernel.alive:
            return
        deadline = time.monotonic() + self.timeout
        with contextlib.suppress(KernelTimeout, KernelDied):
            serving.answer("stop")
            while serving.next_prompt(deadline, self.timeout) is not None:
                serving.answer("stop")

    def describe(self, name: str) -> tuple[str, Any]:
        """("function" | "value" | "missing", the value when it is one)."""
        reply = self._request("describe", name)
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
        reply = self._request("call", name, lambda prompt: self._callback(prompt, callbacks))
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

    def call_each(self, name: str, calls: list[tuple[tuple, dict]]) -> list:
        """``name`` called on each (args, kwargs) in one round trip; the first error raised."""
        batch = [[list(args), dict(kwargs)] for args, kwargs in calls]
        wire.save(self.kernel.io / "call.npz", [batch, np.geterr()])
        self._hand_over(self.kernel.io / "call.npz")
        reply = self._request("call_each", name)
        results = reply.get("ok") if isinstance(reply, dict) else None
        if not isinstance(results, list) or len(results) > len(calls) or \
                (len(results) < len(calls) and "error" not in reply):  # fmt: skip
            raise RuntimeError(f"the kernel's answer from {name} is malformed")
        for category, message in reply.get("warnings") or []:
            warnings.warn(str(message), _warning_class(category), stacklevel=2)
        if "error" in reply:
            raise _student_error(reply["error"])
        return results

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


def _not_served(serving: Running) -> Exception:
    """Why the kernel's serve loop ended without answering: the student's error, or ours."""
    ename, evalue = serving.result.error or ("Exception", "the serve loop ended")
    if ename == "KeyboardInterrupt":  # raised by the student's function itself
        return _student_error({"type": ename, "message": evalue})
    return RuntimeError(f"the grader could not reach the function ({ename}: {evalue})")


class RemoteFunction:
    """Stands for the student's function ``name``; calling it calls it in the kernel."""

    def __init__(self, remote: Remote, name: str):
        self.remote, self.__name__, self.__qualname__ = remote, name, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.remote.call(self.__name__, args, kwargs)

    def call_each(self, calls: list[tuple[tuple, dict]]) -> list:
        """One call per (args, kwargs), all in one round trip (see ``core.call_each``)."""
        return self.remote.call_each(self.__name__, calls)

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
