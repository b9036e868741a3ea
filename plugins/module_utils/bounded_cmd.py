# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command that may hang or spew output: hard timeout, bounded output, never raises.

The answer is taken when the command's own process exits, not when its output pipe closes: a
child it leaves behind (a helper, a daemon it starts) may hold the pipe open for ever. After the
exit, what is already written is drained for at most ``DRAIN_SECONDS`` and reading stops; such
children are left alone (they may be the connector's). On a timeout the whole process group the
command started is killed.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import os
import select
import sys
import time

try:
    # The C module: ``signal`` turns its numbers into an enum, and importing enum costs every
    # fact run milliseconds.
    from _signal import SIGKILL, SIGPIPE, SIGXFSZ
except ImportError:  # pragma: no cover - not CPython
    from signal import SIGKILL, SIGPIPE, SIGXFSZ

# Python ignores these two; a command must start with their default action, as subprocess's
# restore_signals gives it: a helper that writes on after the pipe is closed then dies of
# SIGPIPE instead of looping on EPIPE for ever.
_RESTORED_SIGNALS = (SIGPIPE, SIGXFSZ)

DEFAULT_MAX_BYTES = 64 * 1024
DRAIN_SECONDS = 0.2
# Without pidfd (Python < 3.9, Linux < 5.3) the exit is noticed by polling at this interval.
POLL_SECONDS = 0.05


def _kill_group(proc):
    # The command ran in its own session: kill every process it started, not only the leader.
    try:
        os.killpg(proc.pid, SIGKILL)
    except OSError:
        pass
    proc.kill()


def _exit_code(status):
    # As subprocess reports it: the exit status, or minus the signal that ended the process.
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


class _Spawned(object):
    """A command started with ``os.posix_spawn``, with what ``run`` needs of ``subprocess.Popen``:
    importing ``subprocess`` costs every fact run more (about 3 ms) than running ``ampcli``.
    Same start as ``run``'s Popen: stdin from /dev/null, stdout and stderr into one pipe, a new
    session, and no descriptor this process inherited (close_fds)."""

    def __init__(self, argv, env):
        read_fd, write_fd = os.pipe()
        try:
            actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                       (os.POSIX_SPAWN_DUP2, write_fd, 1), (os.POSIX_SPAWN_DUP2, write_fd, 2)]
            actions.extend((os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited_fds() if fd not in (0, 1, 2))
            spawn = os.posix_spawn if os.sep in argv[0] else os.posix_spawnp
            self.pid = spawn(argv[0], list(argv), env, file_actions=actions, setsid=True,
                             setsigdef=_RESTORED_SIGNALS)
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        self.fd = read_fd
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except OSError as exc:
                if exc.errno != errno.ECHILD:
                    raise
                self.returncode = 0  # reaped elsewhere (SIGCHLD ignored): as subprocess says
            else:
                if pid:
                    self.returncode = _exit_code(status)
        return self.returncode

    def wait(self, timeout):
        """The exit code, or None if the command still runs after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        delay = 0.0005
        while self.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(delay, left))
            delay = min(delay * 2, POLL_SECONDS)
        return self.returncode

    def kill(self):
        if self.poll() is None:
            try:
                os.kill(self.pid, SIGKILL)
            except OSError:
                pass

    def close(self):
        os.close(self.fd)


class _Popen(object):
    """The same interface over ``subprocess.Popen``, where ``os.posix_spawn`` cannot be used."""

    def __init__(self, argv, env, cwd=None):
        import subprocess  # only here: see _Spawned
        self._subprocess = subprocess
        self._proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, env=env, close_fds=True,
                                      start_new_session=True, cwd=cwd)
        self.pid = self._proc.pid
        self.fd = self._proc.stdout.fileno()

    def poll(self):
        return self._proc.poll()

    def wait(self, timeout):
        try:
            return self._proc.wait(timeout=timeout)
        except self._subprocess.TimeoutExpired:
            return None

    def kill(self):
        try:
            self._proc.kill()
        except OSError:
            pass

    def close(self):
        self._proc.stdout.close()


def _inherited_fds():
    """Descriptors of this process that a command would inherit (those Python opened are not)."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return []
    found = []
    for name in names:
        try:
            if os.get_inheritable(int(name)):
                found.append(int(name))
        except (OSError, ValueError):
            pass  # the listing's own descriptor, closed since
    return found


def _environment(env_extra):
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "LANG": "C"})
    if env_extra:
        env.update(env_extra)
    return env


def _start(argv, env):
    # posix_spawn with setsid needs Python 3.8; the pipe must not take descriptor 0, 1 or 2
    # (closed in this process), which the child's dup2 onto them would leave close-on-exec.
    if sys.version_info >= (3, 8) and hasattr(os, "posix_spawn") and _std_fds_open():
        return _Spawned(argv, env)
    return _Popen(argv, env)


def _std_fds_open():
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            return False
    return True


def _pidfd(proc):
    """A descriptor that becomes readable when ``proc`` exits, or None where there is none."""
    opener = getattr(os, "pidfd_open", None)
    if opener is None:
        return None
    try:
        return opener(proc.pid)
    except OSError:
        return None


def _select(fds, timeout):
    try:
        return select.select(fds, [], [], max(0.0, timeout))[0]
    except (OSError, ValueError) as exc:  # pragma: no cover - EINTR is retried by Python 3.5+
        if getattr(exc, "errno", None) == errno.EINTR:
            return []
        raise


def _drain(fd, chunks, size, max_bytes, seconds):
    """Read what the exited command left in the pipe, for at most ``seconds``: (size, truncated)."""
    deadline = time.monotonic() + seconds
    while size < max_bytes:
        left = deadline - time.monotonic()
        if left <= 0 or not _select([fd], left):
            break
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
        size += len(data)
    return size, size >= max_bytes


def run(argv, timeout, max_bytes=DEFAULT_MAX_BYTES, env_extra=None):
    """Run ``argv`` (a list) with LC_ALL=C, no stdin, stdout+stderr merged.

    Returns ``{rc, out (bytes, at most max_bytes), timed_out, truncated, error}``; ``rc`` is
    None when the command did not finish. A missing or unrunnable program is an ``error``.
    """
    result = {"rc": None, "out": b"", "timed_out": False, "truncated": False, "error": None}
    env = _environment(env_extra)
    try:
        proc = _start(argv, env)
    except OSError as exc:
        result["error"] = "cannot run %s: %s" % (argv[0], os.strerror(exc.errno) if exc.errno else exc)
        return result
    chunks = []
    size = 0
    deadline = time.monotonic() + timeout
    fd = proc.fd
    exit_fd = _pidfd(proc)
    exited = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                result["timed_out"] = True
                break
            watched = [fd] if exit_fd is None else [fd, exit_fd]
            ready = _select(watched, left if exit_fd is not None else min(left, POLL_SECONDS))
            if fd in ready:
                data = os.read(fd, 65536)
                if not data:
                    break  # EOF: every writer is gone
                chunks.append(data)
                size += len(data)
                if size >= max_bytes:
                    result["truncated"] = True
                    break
            if (exit_fd is not None and exit_fd in ready) or (exit_fd is None and proc.poll() is not None):
                exited = True
                size, result["truncated"] = _drain(fd, chunks, size, max_bytes, DRAIN_SECONDS)
                break
        if result["timed_out"] or (result["truncated"] and not exited):
            _kill_group(proc)
        # The command exited, or the pipe is at EOF (it may still run: it gets what is left of
        # the timeout), or the group was killed.
        result["rc"] = proc.wait(max(0.1, deadline - time.monotonic()))
        if result["rc"] is None:
            _kill_group(proc)
            result["timed_out"] = True
            proc.wait(1.0)
        if result["timed_out"] or (result["truncated"] and not exited):
            result["rc"] = None
    finally:
        proc.close()
        if exit_fd is not None:
            os.close(exit_fd)
    result["out"] = b"".join(chunks)[:max_bytes]
    return result


def decode(data):
    """Bytes from a command or a log as text; undecodable bytes never raise."""
    return data.decode("utf-8", "replace")


def run_to_end(argv, timeout, max_bytes=DEFAULT_MAX_BYTES, env_extra=None, cwd=None):
    """Like ``run`` for commands that change the host (a package install, a build, semodule):
    the output is drained to the end, never a reason to kill the command half-way; only the
    last ``max_bytes`` are kept (where the error is). Killed (whole group) only on timeout.

    Returns ``{rc, out, timed_out, truncated, error}`` like ``run``.
    """
    result = {"rc": None, "out": b"", "timed_out": False, "truncated": False, "error": None}
    try:
        # subprocess, for its cwd; these commands are not on the fact runs' path (see _Spawned)
        proc = _Popen(argv, _environment(env_extra), cwd=cwd)
    except OSError as exc:
        result["error"] = "cannot run %s: %s" % (argv[0], os.strerror(exc.errno) if exc.errno else exc)
        return result
    kept = b""
    deadline = time.monotonic() + timeout
    fd = proc.fd
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                result["timed_out"] = True
                break
            if not select.select([fd], [], [], left)[0]:
                continue
            data = os.read(fd, 65536)
            if not data:
                break
            kept += data
            if len(kept) > max_bytes:
                kept = kept[-max_bytes:]
                result["truncated"] = True
        if result["timed_out"]:
            _kill_group(proc)
        result["rc"] = proc.wait(max(0.1, min(5.0, deadline - time.monotonic())))
        if result["rc"] is None:
            _kill_group(proc)
            result["timed_out"] = True
            proc.wait(1.0)
        if result["timed_out"]:
            result["rc"] = None
    finally:
        proc.close()
    result["out"] = kept
    return result
