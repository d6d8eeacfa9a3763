"""Grading workers: one process per submission, forked from a server that imported the grader.

Each submission is graded in a process of its own, in its own session, so that its
time limit can kill it with everything it started. Starting Python and importing
the grader (nbformat, nbgrader's preprocessors, jupyter_client, every notebook's
checks) takes about a second, so ``dlgrade autograde`` starts one
``python -m autograder.worker --serve`` per batch: it makes those imports once, then
forks a worker for each job it is sent. The server is single-threaded, so a fork
copies nothing half-done.

The protocol, one JSON object per line: the grader sends ``{"job", "log", "env",
"cwd"}``; the server answers ``{"pid"}`` for each job, in order, and ``{"exited",
"code"}`` when a worker ends. When the grader goes away (its end of the pipe
closes), the server kills the workers still running and stops.

jsonschema (loaded by nbformat) imports the optional ``rfc3987_syntax`` when it is
installed, which compiles a grammar (about 1 s) for a URI format that notebooks
never use; workers go without it.

``python -m autograder.worker JOB.json`` grades one job in a fresh process (for debugging).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import traceback

#: How often (seconds) the server looks for ended workers while no job arrives.
REAP_INTERVAL = 0.02


class WorkerServer:
    """The grader's side: start the server, fork a worker per job, wait for it."""

    def __init__(self) -> None:
        self.server = subprocess.Popen(
            [sys.executable, "-m", "autograder.worker", "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )  # fmt: skip
        self.lock = threading.Lock()  # one request (and its pid answer) at a time
        self.pids: list[int] = []
        self.exits: dict[int, int] = {}
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.server.stdout:
            message = json.loads(line)
            with self.changed:
                if "pid" in message:
                    self.pids.append(message["pid"])
                else:
                    self.exits[message["exited"]] = message["code"]
                self.changed.notify_all()
        with self.changed:  # the server is gone: so are its workers
            self.pids.append(-1)
            self.changed.notify_all()

    def start(self, job_path: str, log_path: str) -> int:
        """Fork a worker for ``job_path`` (its output goes to ``log_path``); its pid."""
        request = {"job": job_path, "log": log_path, "env": dict(os.environ), "cwd": os.getcwd()}
        with self.lock, self.changed:
            count = len(self.pids)
            try:
                self.server.stdin.write(json.dumps(request) + "\n")
            except (BrokenPipeError, ValueError):
                return -1
            self.changed.wait_for(lambda: len(self.pids) > count)
            return self.pids[count]

    def wait(self, pid: int, timeout: float) -> int | None:
        """The worker's exit code, or None when it is still running after ``timeout`` s."""
        with self.changed:
            self.changed.wait_for(lambda: pid in self.exits or self.pids[-1:] == [-1], timeout)
            return self.exits.get(pid)

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.server.stdin.close()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()

    def __enter__(self) -> WorkerServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


# ------------------------------------------------------------------ the server
def serve() -> None:
    """Answer job requests on stdin by forking workers, until stdin closes.

    A request is read only when select() sees the pipe readable, which is safe because
    the grader sends one at a time: it waits for each pid before the next request.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for dlgrade, which closes stdin
    running: set[int] = set()
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], REAP_INTERVAL)
        if ready:
            line = sys.stdin.readline()
            if not line:
                break
            request = json.loads(line)
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                _work(request)  # never returns
            running.add(pid)
            _say({"pid": pid})
        while running:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            running.discard(pid)
            _say({"exited": pid, "code": os.waitstatus_to_exitcode(status)})
    for pid in running:  # the grader is gone: nobody waits for these
        for kill in (os.killpg, os.kill):  # its session; itself, if it has none yet
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill(pid, signal.SIGKILL)


def _say(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _work(request: dict) -> None:
    """A forked worker: a session, output, environment and folder of its own; then grade."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        code = autograder.autograde.worker_main(request["job"])
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    sys.modules.setdefault("rfc3987_syntax", None)  # an ImportError for jsonschema: skipped

    import autograder.autograde
    import autograder.remote
    from autograder.trusted import check_modules

    if sys.argv[1:] == ["--serve"]:
        check_modules()  # every notebook's checks, imported once for all the workers
        serve()
    else:
        sys.exit(autograder.autograde.worker_main(sys.argv[1]))
