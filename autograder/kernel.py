"""A student's kernel in a sandbox, driven by the trusted grader.

:class:`SandboxedKernel` starts an IPython kernel through :mod:`autograder.sandbox`
(its sockets are Unix sockets in a folder it shares with the grader, since it has
no network), runs code in it with a time limit and an output limit, answers its
callbacks, and kills it, with every process it started, when asked or when it
misbehaves. Outputs come back as nbformat outputs, their text made safe to store.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .sandbox import FIRST_UID, Limits, Spec, isolation_available, readonly_paths

#: The grader's environment variables a student's kernel receives: which device to use
#: (DLCORE_GPU_STANDIN: the test suite's stand-in for a GPU, see dlcore.standin).
PASSED_ON = ("DLCORE_DEVICE", "CUDA_VISIBLE_DEVICES", "DLCORE_GPU_STANDIN")
#: Bytes of output a cell may show; the rest is dropped, with a note.
OUTPUT_LIMIT = 1_000_000
#: Grading kernels do not draw figures: plots score nothing, and drawing them took a
#: third of the cells' time. A figure shows as its text, "<Figure size ... with 1 Axes>".
NO_FIGURES = "--IPKernelApp.exec_lines=%config InlineBackend.figure_formats = set()"
#: Seconds a kernel may take to start, and an interrupted cell to stop.
START_TIMEOUT = 60
INTERRUPT_GRACE = 5
#: How many sandboxes (and so sandbox uids) may run at the same time on one machine.
SLOTS = 256


#: What the signals that end a sandboxed kernel usually mean.
SIGNAL_CAUSES = {
    "SIGXCPU": ": the CPU time limit",
    "SIGXFSZ": ": the file size limit",
    "SIGKILL": ": killed (out of memory, or by the grader)",
    "SIGSEGV": ": a crash",
}


class KernelDied(Exception):
    """The kernel ended while running code (os._exit, a crash, a memory or CPU limit)."""


class KernelTimeout(Exception):
    """Code ran past its time limit; ``killed`` says whether the kernel had to be killed."""

    def __init__(self, message: str, killed: bool):
        super().__init__(message)
        self.killed = killed


@dataclass
class Execution:
    """What running one piece of code gave: its outputs and its error, if any."""

    outputs: list = field(default_factory=list)
    error: tuple[str, str] | None = None  # (ename, evalue)
    dropped: int = 0  # bytes of output dropped over OUTPUT_LIMIT


def safe_text(text: str) -> str:
    """``text`` with what cannot be stored as UTF-8 (lone surrogates) replaced."""
    return text.encode("utf-8", "replace").decode("utf-8")


class SandboxedKernel:
    """One kernel, in a sandbox made in ``base`` (a fresh folder owned by the grader)."""

    def __init__(self, base: Path, files: Path | None, limits: Limits, env: dict[str, str]):
        self.base, self.files, self.limits, self.extra_env = base, files, limits, env
        self.workdir, self.io = base / "work", base / "io"
        self.events: list[str] = []
        self.process: subprocess.Popen | None = None
        self.client = None
        self.isolated, why = isolation_available()
        self.mode_note = "" if self.isolated else f"sandbox limited: {why}"
        self._slot_lock = None
        self.uid = self._take_uid() if self.isolated else None
        self._log = bytearray()

    # ------------------------------------------------------------- life cycle
    def start(self) -> None:
        """Start a fresh kernel in a fresh working folder (the shipped files copied in)."""
        from jupyter_client import BlockingKernelClient
        from jupyter_client.connect import write_connection_file

        for folder in (self.workdir, self.io):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        if self.files is not None:
            for path in self.files.iterdir():
                if path.is_file() and path.suffix != ".ipynb":
                    shutil.copy2(path, self.workdir / path.name)
        if self.uid is not None:
            for path in [self.workdir, self.io, *self.workdir.rglob("*")]:
                os.chown(path, self.uid, self.uid)
        connection, _ = write_connection_file(
            str(self.io / "kernel.json"), transport="ipc", ip=str(self.io / "kernel"),
            key=secrets.token_hex(16).encode(), kernel_name="python3",
        )  # fmt: skip
        if self.uid is not None:
            os.chown(connection, self.uid, self.uid)
        env = self._kernel_env()
        spec = Spec(workdir=str(self.workdir), shared=[str(self.io)], readonly=readonly_paths(),
                    uid=self.uid, limits=self.limits, env=env,
                    gpu=env.get("DLCORE_DEVICE", "").lower() == "gpu")  # fmt: skip
        spec.write(self.base / "spec.json")
        python = str(Path(sys.prefix) / "bin" / "python")
        command = [python, "-m", "ipykernel_launcher", "-f", connection, NO_FIGURES]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.sandbox", str(self.base / "spec.json"), "--",
             *command],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        threading.Thread(target=self._drain, args=(self.process,), daemon=True).start()
        client = BlockingKernelClient(connection_file=connection)
        client.load_connection_file()
        client.start_channels()
        self.client = client
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if not self.alive:
                raise KernelDied(f"the kernel did not start: {self.log_tail()}")
            try:
                client.wait_for_ready(timeout=2)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    self.kill()
                    raise KernelDied(f"the kernel did not start in {START_TIMEOUT} s") from None

    def _kernel_env(self) -> dict[str, str]:
        venv_bin = str(Path(sys.prefix) / "bin")
        env = {
            "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "VIRTUAL_ENV": sys.prefix,
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
        }  # fmt: skip
        if not self.isolated:
            env["HOME"] = str(self.workdir)
        for name in PASSED_ON:  # the device choice, never anything secret
            if name in os.environ:
                env[name] = os.environ[name]
        return {**env, **self.extra_env}

    def _drain(self, process: subprocess.Popen) -> None:
        """Keep the first 64 kB of what the kernel writes to its own stdout and stderr."""
        for chunk in iter(lambda: process.stdout.read1(65536), b""):
            if len(self._log) < 65536:
                self._log += chunk[: 65536 - len(self._log)]

    def log_tail(self) -> str:
        return safe_text(self._log[-2000:].decode("utf-8", "replace")).strip()

    def why_dead(self) -> str:
        """What the kernel's exit code says about its end."""
        code = self.process.returncode if self.process is not None else None
        if code is None:
            return "it is still running"
        if code < 0 or code > 128:
            signum = -code if code < 0 else code - 128
            try:
                name = signal.Signals(signum).name
            except ValueError:
                name = f"signal {signum}"
            return f"ended by {name}{SIGNAL_CAUSES.get(name, '')}"
        return f"exit code {code}: os._exit, sys.exit in a thread, or a crash"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """Kill the kernel and everything it started."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.stop_channels()
            self.client = None
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        if self.uid is not None:
            sweep(self.uid)

    def restart(self, why: str) -> None:
        self.kill()
        self.events.append(f"kernel restarted: {why}")
        self.start()

    def close(self) -> None:
        self.kill()
        if self._slot_lock is not None:
            self._slot_lock.close()
            self._slot_lock = None

    def _take_uid(self) -> int:
        """A uid no other running sandbox uses (a lock per slot, held until close)."""
        for slot in range(SLOTS):
            handle = open(f"/tmp/dlgrade-sandbox-{slot}.lock", "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            self._slot_lock = handle
            sweep(FIRST_UID + slot)  # leftovers of a grader that was killed
            return FIRST_UID + slot
        raise RuntimeError(f"more than {SLOTS} sandboxes are running on this machine")

    # -------------------------------------------------------------- running
    def execute(
        self,
        code: str,
        *,
        timeout: float,
        on_input: Callable[[str], str] | None = None,
        quiet: bool = False,
    ) -> Execution:
        """Run ``code``; its outputs and error. Raises KernelDied or KernelTimeout.

        ``on_input`` answers each ``input(prompt)`` the code makes (by default: "").
        """
        running = Running(self, code, quiet=quiet)
        deadline = time.monotonic() + timeout
        while (prompt := running.next_prompt(deadline, timeout)) is not None:
            running.answer(on_input(prompt) if on_input else "")
        return running.result

    def _add(self, result: Execution, output, size: int) -> int:
        cleaned = _clean(output)
        length = len(str(cleaned))
        if size + length > OUTPUT_LIMIT:
            result.dropped += length
            return size
        if cleaned.get("output_type") == "stream" and result.outputs and \
                result.outputs[-1].get("output_type") == "stream" and \
                result.outputs[-1].get("name") == cleaned.get("name"):  # fmt: skip
            result.outputs[-1]["text"] += cleaned["text"]
        else:
            result.outputs.append(cleaned)
        return size + length

    def _stop_running(self, timeout: float) -> None:
        """Interrupt the running code; kill the kernel if it will not stop. Always raises."""
        client = self.client
        with contextlib.suppress(Exception):
            client.control_channel.send(client.session.msg("interrupt_request", content={}))
        end = time.monotonic() + INTERRUPT_GRACE
        while time.monotonic() < end and self.alive:
            with contextlib.suppress(Exception):  # code that asks for input now is told ""
                while client.stdin_channel.msg_ready():
                    client.stdin_channel.get_msg(timeout=0)
                    client.input("")
            try:
                msg = client.get_shell_msg(timeout=0.2)
            except Exception:  # queue.Empty, or a closed socket
                continue
            if msg["msg_type"] == "execute_reply":
                self._flush_iopub()
                raise KernelTimeout(f"timed out after {timeout:g} s and was interrupted", False)
        self.kill()
        raise KernelTimeout(f"timed out after {timeout:g} s and would not stop: killed", True)

    def _flush_iopub(self) -> None:
        with contextlib.suppress(Exception):
            while self.client.iopub_channel.msg_ready():
                self.client.iopub_channel.get_msg(timeout=0)


class Running:
    """One piece of code running in a kernel: its outputs so far, and the input it asks for.

    :meth:`SandboxedKernel.execute` runs code to its end. The trusted grader also keeps
    one running while a test calls the student's functions (``in_kernel.serve``):
    each call is a question and answer through the code's ``input()``, so that it
    costs one message each way instead of a whole execution.
    """

    def __init__(self, kernel: SandboxedKernel, code: str, *, quiet: bool = False):
        import zmq

        self.kernel, client = kernel, kernel.client
        self.msg_id = client.execute(code, silent=quiet, store_history=not quiet,
                                     allow_stdin=True)  # fmt: skip
        self.poller = zmq.Poller()
        self.channels = {client.iopub_channel.socket: client.iopub_channel,
                         client.shell_channel.socket: client.shell_channel,
                         client.stdin_channel.socket: client.stdin_channel}  # fmt: skip
        for socket in self.channels:
            self.poller.register(socket, zmq.POLLIN)
        self.result, self.size = Execution(), 0
        self.idle = self.replied = self.noted = False

    @property
    def done(self) -> bool:
        return self.idle and self.replied

    def next_prompt(self, deadline: float, timeout: float) -> str | None:
        """Read the kernel's messages until the code asks for input (its prompt) or ends (None).

        Past ``deadline`` (time.monotonic()) the code is interrupted, or the kernel
        killed, and KernelTimeout names ``timeout``; a dead kernel raises KernelDied.
        """
        from nbformat.v4 import output_from_msg

        kernel = self.kernel
        while not self.done:
            if time.monotonic() > deadline:
                kernel._stop_running(timeout)
            ready = dict(self.poller.poll(200))
            if not ready and not kernel.alive:
                raise KernelDied(f"the kernel died ({kernel.why_dead()})")
            for socket in ready:
                msg = self.channels[socket].get_msg(timeout=0)
                if msg.get("parent_header", {}).get("msg_id") != self.msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "input_request":
                    return str(content.get("prompt", ""))
                if kind == "execute_reply":
                    self.replied = True
                elif kind == "status":
                    self.idle = content.get("execution_state") == "idle"
                elif kind == "error":
                    self.result.error = (safe_text(content["ename"]), safe_text(content["evalue"]))
                    self.size = kernel._add(self.result, output_from_msg(msg), self.size)
                elif kind in ("stream", "display_data", "execute_result"):
                    self.size = kernel._add(self.result, output_from_msg(msg), self.size)
                elif kind == "clear_output":
                    self.result.outputs.clear()
        if self.result.dropped and not self.noted:
            self.result.outputs.append(_note(f"[{self.result.dropped} bytes of output dropped]\n"))
        self.noted = True
        return None

    def answer(self, text: str) -> None:
        """Answer the code's pending ``input()``."""
        self.kernel.client.input(text)


def _clean(output):
    """An output whose strings are all storable (lone surrogates replaced)."""
    if isinstance(output, str):
        return safe_text(output)
    if isinstance(output, list):
        return [_clean(x) for x in output]
    if isinstance(output, dict):
        return type(output)({safe_text(k): _clean(v) for k, v in output.items()})
    return output


def _note(text: str):
    from nbformat.v4 import new_output

    return new_output("stream", name="stderr", text=text)


def sweep(uid: int, seconds: float = 5.0) -> int:
    """Kill every process of ``uid`` (a sandbox's), until none is left; how many were killed."""
    killed, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        found = [pid for pid in _pids() if _owner(pid) == uid and not _zombie(pid)]
        if not found:
            break
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        time.sleep(0.05)
    return killed


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def _owner(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None
