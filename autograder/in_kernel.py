"""The harness's half that runs inside the student's (sandboxed) kernel.

The trusted grader asks the kernel two things: what a name is (:func:`describe`),
and the result of calling one of the student's functions (:func:`call`). While a
test runs, the kernel runs :func:`serve`, which asks the grader for its next
request through ``input()`` (the kernel's stdin channel), so a call costs one
message each way. Arguments and answers travel as files in the
format of :mod:`autograder.wire`. Nothing here is trusted: a student may replace
any of it, and the grader reads its answers as plain data all the same, so the
most a student gains by tampering is to break their own answers.

While a call runs, a callable argument (a function of the grader's, such as the
objective a random search must evaluate) is a *callback*: calling it writes its
arguments to a file and asks for input (the kernel's stdin channel); the grader
answers by computing it and writing the result.
"""

from __future__ import annotations

import traceback
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from . import wire

#: The prompt with which a callback asks the grader to compute it.
CALLBACK_PROMPT = "dlgrade-callback"
#: The prompt with which :func:`serve` says the last answer is written and asks for the next.
READY_PROMPT = "dlgrade-ready"


def serve(folder: str) -> None:
    """Answer the grader's requests ("call NAME", "call_each NAME", "describe NAME") until it
    says anything else."""
    while True:
        what, _, name = input(READY_PROMPT).partition(" ")
        if what == "call":
            call(name, folder)
        elif what == "call_each":
            call_each(name, folder)
        elif what == "describe":
            describe(name, folder)
        else:
            return


def _namespace() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


def describe(name: str, folder: str) -> None:
    """Write what ``name`` is in the student's namespace: a function, a value, or missing."""
    namespace = _namespace()
    if name not in namespace:
        answer: dict[str, Any] = {"kind": "missing"}
    elif callable(namespace[name]):
        answer = {"kind": "function"}
    else:
        answer = {"kind": "value", "value": namespace[name]}
    try:
        wire.save(Path(folder) / "reply.npz", answer)
    except wire.WireError as error:
        wire.save(Path(folder) / "reply.npz", {"kind": "unsendable", "why": str(error)})


def call(name: str, folder: str) -> None:
    """Call the student's ``name`` on the arguments in ``folder``; write the reply there."""
    folder_path = Path(folder)
    args, kwargs, errstate = wire.load(
        folder_path / "call.npz", lambda i: _callback(i, folder_path), objects=True
    )
    reply: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught, np.errstate(**errstate):
        warnings.simplefilter("always")
        try:
            reply["ok"] = _namespace()[name](*args, **kwargs)
        except KeyboardInterrupt:  # the grader's interrupt (a time limit): stop serving
            raise
        except BaseException as error:  # every other failure is the student's answer
            reply["error"] = _describe_error(error)
    reply["warnings"] = [[w.category.__name__, str(w.message)[:500]] for w in caught[:50]]
    reply["after"] = _without_functions([list(args), kwargs])
    try:
        wire.save(folder_path / "reply.npz", reply)
    except wire.WireError as error:
        reply.pop("ok", None)
        reply["error"] = {"type": "TypeError", "message": f"the result cannot be graded: {error}",
                          "where": ""}  # fmt: skip
        reply["after"] = None
        wire.save(folder_path / "reply.npz", reply)


def call_each(name: str, folder: str) -> None:
    """Call ``name`` on each (args, kwargs) in ``folder``, stopping at the first error.

    The reply holds the results so far ("ok"), the error if there was one, and the
    warnings; the arguments are the grader's copies, so none come back.
    """
    folder_path = Path(folder)
    calls, errstate = wire.load(folder_path / "call.npz", objects=True)
    reply: dict[str, Any] = {"ok": []}
    with warnings.catch_warnings(record=True) as caught, np.errstate(**errstate):
        warnings.simplefilter("always")
        try:
            function = _namespace()[name]
            for args, kwargs in calls:
                reply["ok"].append(function(*args, **kwargs))
        except KeyboardInterrupt:  # the grader's interrupt (a time limit): stop serving
            raise
        except BaseException as error:  # every other failure is the student's answer
            reply["error"] = _describe_error(error)
    reply["warnings"] = [[w.category.__name__, str(w.message)[:500]] for w in caught[:50]]
    try:
        wire.save(folder_path / "reply.npz", reply)
    except wire.WireError as error:
        wire.save(folder_path / "reply.npz", {"ok": [], "warnings": [], "error": {
            "type": "TypeError", "message": f"the result cannot be graded: {error}", "where": ""}})


def _without_functions(value: Any) -> Any:
    """``value`` with callables (the grader's callbacks) replaced by None, to send back."""
    if isinstance(value, (list, tuple)):
        return type(value)(_without_functions(v) for v in value)
    if isinstance(value, dict):
        return {k: _without_functions(v) for k, v in value.items()}
    return None if callable(value) else value


def _describe_error(error: BaseException) -> dict[str, str]:
    frames = traceback.extract_tb(error.__traceback__)[1:]  # drop this module's frame
    where = ""
    if frames:
        last = frames[-1]
        where = f"line {last.lineno}: {(last.line or '').strip()}"
    return {"type": type(error).__name__, "message": str(error)[:1000], "where": where[:300]}


def _callback(number: int, folder: Path):
    """A stand-in for the grader's callable number ``number``."""

    def callback(*args: Any, **kwargs: Any) -> Any:
        wire.save(folder / "callback.npz", [number, list(args), kwargs])
        input(f"{CALLBACK_PROMPT} {number}")
        reply = wire.load(folder / "callback-reply.npz", objects=True)
        if "error" in reply:
            raise RuntimeError(f"the grader's function raised {reply['error']}")
        return reply["ok"]

    return callback
