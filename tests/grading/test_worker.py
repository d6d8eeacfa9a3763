"""The worker server: one forked process per job, in its own session, killed with the server.

A job whose file is a FIFO nobody writes to blocks its worker at the first read:
a worker that never ends, without grading anything.
"""

import os
import signal
import time

import pytest

from autograder.worker import WorkerServer


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def workers():
    with WorkerServer() as server:
        yield server


def test_a_failing_job_ends_with_its_exit_code_and_its_traceback_in_the_log(workers, tmp_path):
    log = tmp_path / "worker.log"
    pid = workers.start(str(tmp_path / "no-such-job.json"), str(log))
    assert pid > 0 and workers.wait(pid, 60) == 1
    assert "FileNotFoundError" in log.read_text()


def test_a_stuck_worker_is_reported_running_and_its_session_can_be_killed(workers, tmp_path):
    fifo = tmp_path / "job.json"
    os.mkfifo(fifo)
    pid = workers.start(str(fifo), str(tmp_path / "worker.log"))
    assert workers.wait(pid, 1.0) is None  # still running at the time limit
    assert os.getpgid(pid) == pid != os.getpgid(0)  # a session of its own
    os.killpg(pid, signal.SIGKILL)
    assert workers.wait(pid, 10) == -signal.SIGKILL


def test_workers_still_running_when_the_grader_goes_away_are_killed(tmp_path):
    fifo = tmp_path / "job.json"
    os.mkfifo(fifo)
    server = WorkerServer()
    pid = server.start(str(fifo), str(tmp_path / "worker.log"))
    assert running(pid)
    server.close()
    deadline = time.monotonic() + 10
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(pid)
