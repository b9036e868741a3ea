# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command that may hang or spew output: hard timeout, bounded output, never raises."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import errno
import os
import select
import signal
import subprocess
import time

DEFAULT_MAX_BYTES = 64 * 1024


def _kill_group(proc):
    # The command ran in its own session: kill every process it started, not only the leader.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.kill()
    except OSError:
        pass


def run(argv, timeout, max_bytes=DEFAULT_MAX_BYTES, env_extra=None):
    """Run ``argv`` (a list) with LC_ALL=C, no stdin, stdout+stderr merged.

    Returns ``{rc, out (bytes, at most max_bytes), timed_out, truncated, error}``; ``rc`` is
    None when the command did not finish. A missing or unrunnable program is an ``error``.
    """
    result = {"rc": None, "out": b"", "timed_out": False, "truncated": False, "error": None}
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "LANG": "C"})
    if env_extra:
        env.update(env_extra)
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=env, close_fds=True,
                                start_new_session=True)
    except OSError as exc:
        result["error"] = "cannot run %s: %s" % (argv[0], os.strerror(exc.errno) if exc.errno else exc)
        return result
    chunks = []
    size = 0
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                result["timed_out"] = True
                break
            try:
                ready = select.select([fd], [], [], left)[0]
            except (OSError, ValueError) as exc:  # pragma: no cover - EINTR is retried by Python 3.5+
                if getattr(exc, "errno", None) == errno.EINTR:
                    continue
                raise
            if not ready:
                continue
            data = os.read(fd, 65536)
            if not data:
                break
            chunks.append(data)
            size += len(data)
            if size >= max_bytes:
                result["truncated"] = True
                break
        if result["timed_out"] or result["truncated"]:
            _kill_group(proc)
        # The pipe is at EOF (or the group was killed): reap without blocking for long.
        try:
            result["rc"] = proc.wait(timeout=max(0.1, min(1.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            result["timed_out"] = True
            try:
                proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
        if result["timed_out"] or result["truncated"]:
            result["rc"] = None
    finally:
        proc.stdout.close()
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
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "LANG": "C"})
    if env_extra:
        env.update(env_extra)
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=env, close_fds=True,
                                start_new_session=True, cwd=cwd)
    except OSError as exc:
        result["error"] = "cannot run %s: %s" % (argv[0], os.strerror(exc.errno) if exc.errno else exc)
        return result
    kept = b""
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
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
        try:
            result["rc"] = proc.wait(timeout=max(0.1, min(5.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            result["timed_out"] = True
            try:
                proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
        if result["timed_out"]:
            result["rc"] = None
    finally:
        proc.stdout.close()
    result["out"] = kept
    return result
