"""Run a student's kernel in a sandbox, with the operating system's own means.

``python -m autograder.sandbox SPEC.json -- COMMAND...`` runs COMMAND (the
kernel) under the limits and the isolation that SPEC describes. Two levels:

``isolated`` (the grader runs as root on Linux): new mount, PID, network, IPC and
UTS namespaces. The kernel sees a root file system made of read-only binds of the
system (``/usr``, ``/etc``...), of the Python installation and of the course's
packages, plus its own working folder: not the course folder, its solutions, the
gradebook, other submissions or the grader's temporary files. It has no network
(an empty network namespace), runs as an unprivileged uid of its own with no
capabilities, and is the child of an init process; when that init ends, the
kernel ends, and the kernel kills every process it started.

``limited`` (no root, or no namespaces): the kernel runs as the grader's own user
in a session of its own, in its own folder, with the resource limits below. It can
read what that user can read; ``docs/instructor.md`` says what this leaves open.

Both levels set the resource limits: address space, CPU seconds, processes (per
uid: isolated mode gives each sandbox its own uid), open files, file size.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

GIB = 2**30
MIB = 2**20

#: What a sandbox's kernel sees of the machine, read-only, when it is isolated.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
#: Device files a Python kernel needs.
DEVICES = ("null", "zero", "full", "random", "urandom")
def gpu_devices() -> tuple[str, ...]:
    """NVIDIA's device files (nvidiactl, nvidia0, nvidia-uvm...), for a kernel that uses CuPy."""
    return tuple(sorted(p.name for p in Path("/dev").glob("nvidia*") if not p.is_dir()))


#: Sandbox uids are FIRST_UID + slot, one per sandbox running at a time.
FIRST_UID = 61000

# The Linux interfaces used (from <sched.h>, <sys/mount.h>, <sys/prctl.h>).
_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 1, 2, 4, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
MNT_DETACH = 2


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed kernel (bytes, seconds, counts)."""

    memory: int = 4 * GIB  # address space of each process
    cpu_seconds: int = 1800  # CPU time of each process
    processes: int = 128  # processes and threads of the sandbox's uid (isolated mode)
    open_files: int = 512
    file_size: int = 256 * MIB  # the largest file it may write
    tmp_size: int = 512 * MIB  # its private /tmp (isolated mode)

    def check(self) -> None:
        for name, value in asdict(self).items():
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"sandbox limit {name} must be a positive integer, got {value!r}")


@dataclass
class Spec:
    """What the launcher needs: where, as whom, under which limits, seeing what."""

    workdir: str  # the kernel's working folder (read-write)
    shared: list[str] = field(default_factory=list)  # other read-write folders (sockets)
    readonly: list[str] = field(default_factory=list)  # folders beside SYSTEM_PATHS
    uid: int | None = None  # None: limited mode
    limits: Limits = field(default_factory=Limits)
    env: dict[str, str] = field(default_factory=dict)
    gpu: bool = False  # bind NVIDIA's device files (DLCORE_DEVICE=gpu)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def read(cls, path: str) -> Spec:
        data = json.loads(Path(path).read_text())
        data["limits"] = Limits(**data["limits"])
        return cls(**data)


def isolation_available() -> tuple[bool, str]:
    """Whether isolated mode can work here, and if not, why."""
    if sys.platform != "linux":
        return False, f"namespaces are a Linux feature (this is {sys.platform})"
    if os.geteuid() != 0:
        return False, "the grader does not run as root"
    return True, ""


@contextlib.contextmanager
def scratch(folder: Path, size: int) -> Iterator[None]:
    """Make ``folder`` a tmpfs of ``size`` bytes while the block runs (when isolated).

    The mount is made in a mount namespace of the calling thread's own, so it is
    invisible to the rest of the machine and vanishes with the process; what a
    student's kernel writes into its working folder can then not fill the disk.
    """
    if not isolation_available()[0]:
        yield
        return
    _check(_libc.unshare(CLONE_NEWNS), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", str(folder), "tmpfs", MS_NOSUID | MS_NODEV, f"mode=0700,size={size}")
    try:
        yield
    finally:
        for path in folder.iterdir():  # leave the folder as empty as it was
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
        _libc.umount2(str(folder).encode(), MNT_DETACH)


def readonly_paths() -> list[str]:
    """The Python installation and the course's packages, as the kernel needs them."""
    import autograder
    import dlcore

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    for package in (dlcore, autograder):
        paths.add(str(Path(package.__file__).resolve().parent))
    return sorted(p for p in {str(Path(p).resolve()) for p in paths} if not _under_system(p))


def _under_system(path: str) -> bool:
    return any(path == s or path.startswith(s + "/") for s in SYSTEM_PATHS if os.path.isdir(s))


# ----------------------------------------------------------------- the launcher


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = ""):
    encode = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(
        _libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)),
        f"mount {source} on {target}",
    )


def _set_limits(limits: Limits, *, processes: bool) -> None:
    pairs = [
        (resource.RLIMIT_AS, limits.memory),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_FSIZE, limits.file_size),
        (resource.RLIMIT_CORE, 0),
    ]
    if processes:
        pairs.append((resource.RLIMIT_NPROC, limits.processes))
    for which, value in pairs:
        resource.setrlimit(which, (value, value))


def _build_root(spec: Spec, new_root: str) -> None:
    """Mount the kernel's file system under ``new_root`` (in a private mount namespace)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", new_root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m")
    os.makedirs(new_root + "/tmp")  # first: the binds below may lie under /tmp
    _mount("tmpfs", new_root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"mode=1777,size={spec.limits.tmp_size}")  # fmt: skip
    for path in SYSTEM_PATHS:
        if os.path.islink(path):
            os.symlink(os.readlink(path), new_root + path)
        elif os.path.isdir(path):
            _bind(path, new_root + path, readonly=True)
    for path in spec.readonly:
        _bind(path, new_root + path, readonly=True)
    for path in [spec.workdir, *spec.shared]:
        _bind(path, new_root + path, readonly=False)
    os.makedirs(new_root + "/dev/shm")
    _mount("tmpfs", new_root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m")
    for name in DEVICES + (gpu_devices() if spec.gpu else ()):
        Path(new_root + "/dev/" + name).touch()
        _mount("/dev/" + name, new_root + "/dev/" + name, None, MS_BIND)
    os.makedirs(new_root + "/proc")
    _mount("proc", new_root + "/proc", "proc", MS_NOSUID | MS_NODEV)


def _bind(source: str, target: str, *, readonly: bool) -> None:
    os.makedirs(target, exist_ok=True)
    _mount(source, target, None, MS_BIND | MS_REC)
    if readonly:
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)


def _become_kernel(spec: Spec, command: list[str], new_root: str | None) -> None:
    """In the process that becomes the kernel: enter the new root, drop privileges, exec."""
    if new_root is not None:
        os.chroot(new_root)
    os.chdir(spec.workdir)
    _set_limits(spec.limits, processes=spec.uid is not None)
    if spec.uid is not None:
        os.setgroups([])
        os.setgid(spec.uid)
        os.setuid(spec.uid)
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.execve(command[0], command, spec.env)


def _init(spec: Spec, command: list[str], new_root: str) -> int:
    """PID 1 of the sandbox: build the root, start the kernel, end when it ends."""
    _build_root(spec, new_root)
    kernel = os.fork()
    if kernel == 0:
        try:
            _become_kernel(spec, command, new_root)
        finally:
            os._exit(127)
    signal.signal(signal.SIGINT, lambda *_: _forward(kernel, signal.SIGINT))
    signal.signal(signal.SIGTERM, lambda *_: _forward(kernel, signal.SIGKILL))
    while True:  # reap orphans until the kernel itself ends
        pid, status = os.wait()
        if pid == kernel:
            return _shell_code(os.waitstatus_to_exitcode(status))


def _shell_code(code: int) -> int:
    """An exit code as a shell reports it: 128 + N for a process ended by signal N."""
    return 128 - code if code < 0 else code


def _forward(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def launch(spec: Spec, command: list[str]) -> int:
    """The launcher's body; returns the kernel's exit code."""
    if spec.uid is None:
        _become_kernel(spec, command, None)
    parent = os.getppid()
    new_root = os.path.join(os.path.dirname(spec.workdir), "root")
    os.makedirs(new_root, exist_ok=True)
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    _check(_libc.unshare(flags), "unshare")
    init = os.fork()
    if init == 0:  # PID 1 of the new namespace; it dies with the launcher
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        try:
            os._exit(_init(spec, command, new_root))
        except BaseException as error:  # report it and end, whatever it was
            print(f"dlgrade sandbox: {error}", file=sys.stderr, flush=True)
            os._exit(126)
    signal.signal(signal.SIGINT, lambda *_: _forward(init, signal.SIGINT))
    signal.signal(signal.SIGTERM, lambda *_: _forward(init, signal.SIGKILL))
    while True:
        pid, status = os.waitpid(init, os.WNOHANG)
        if pid == init:
            return _shell_code(os.waitstatus_to_exitcode(status))
        if os.getppid() != parent:  # the grader is gone: so is the sandbox
            _forward(init, signal.SIGKILL)
        time.sleep(0.2)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m autograder.sandbox SPEC.json -- COMMAND...", file=sys.stderr)
        return 2
    return launch(Spec.read(argv[0]), argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
