# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd


@pytest.fixture(autouse=True, params=["posix_spawn", "subprocess"])
def starter(request, monkeypatch):
    """Every test runs with both ways of starting a command."""
    if request.param == "subprocess":
        monkeypatch.setattr(bounded_cmd, "_start", bounded_cmd._Popen)  # pylint: disable=protected-access
    else:
        real = bounded_cmd._start  # pylint: disable=protected-access

        def spawned(argv, env):
            proc = real(argv, env)
            assert isinstance(proc, bounded_cmd._Spawned)  # pylint: disable=protected-access
            return proc
        monkeypatch.setattr(bounded_cmd, "_start", spawned)
    return request.param


def test_runs_with_c_locale():
    out = bounded_cmd.run(["sh", "-c", "echo $LC_ALL; exit 4"], 5)
    assert out["rc"] == 4 and out["out"] == b"C\n" and not out["timed_out"]


def test_timeout_kills_the_process_group(tmp_path):
    marker = tmp_path / "child.pid"
    start = time.monotonic()
    out = bounded_cmd.run(["sh", "-c", "sleep 300 & echo $! > %s; wait" % marker], 0.5)
    assert out["timed_out"] and out["rc"] is None
    assert time.monotonic() - start < 5
    child = int(marker.read_text())
    for _attempt in range(50):
        try:
            os.kill(child, 0)
        except OSError:
            break
        # A killed child may linger as a zombie of init for a moment.
        with open("/proc/%d/stat" % child) as handle:
            if handle.read().split(")")[-1].split()[0] == "Z":
                break
        time.sleep(0.05)
    else:
        raise AssertionError("background child %d survived" % child)


def test_output_is_bounded():
    out = bounded_cmd.run(["sh", "-c", "yes"], 5, max_bytes=1000)
    assert out["truncated"] and len(out["out"]) == 1000 and out["rc"] is None


def test_missing_program():
    out = bounded_cmd.run(["/nonexistent/ampcli", "status"], 5)
    assert out["rc"] is None and "No such file" in out["error"]


def test_answer_taken_when_the_command_exits_while_a_child_holds_stdout():
    # The child inherits stdout and keeps it open for 30 s: EOF never comes in time.
    start = time.monotonic()
    out = bounded_cmd.run(["sh", "-c", "echo answer; sleep 8 & exit 3"], 10)
    assert time.monotonic() - start < 3
    assert out == {"rc": 3, "out": b"answer\n", "timed_out": False, "truncated": False, "error": None}


def test_output_left_in_the_pipe_at_exit_is_drained(tmp_path):
    # The child has written before the command exits (the flag says so): it is in the answer.
    flag = tmp_path / "written"
    script = "(echo child; touch %s; sleep 8) & while [ ! -e %s ]; do sleep 0.01; done; echo parent" % (flag, flag)
    out = bounded_cmd.run(["sh", "-c", script], 10)
    assert out["rc"] == 0 and out["out"] == b"child\nparent\n"


def test_a_child_that_keeps_writing_after_the_exit_is_not_waited_for(tmp_path):
    start = time.monotonic()
    pid_file = str(tmp_path / "child.pid")
    out = bounded_cmd.run(["sh", "-c", "(while :; do echo more; sleep 0.01; done) & echo $! > %s; echo answer"
                           % pid_file], 10)
    assert time.monotonic() - start < 3
    assert out["rc"] == 0 and b"answer\n" in out["out"] and not out["timed_out"]
    # Left alone, it dies of SIGPIPE at its next write on the closed pipe (it would loop on EPIPE
    # for ever if it had inherited Python's ignored SIGPIPE).
    with open(pid_file) as handle:
        child = int(handle.read())
    deadline = time.monotonic() + 10
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(child), "the child still runs"


def running(pid):
    """Is ``pid`` alive (a zombie, dead but not yet reaped by its parent, is not)?"""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (IOError, OSError):
        return False


def test_commands_start_with_the_default_action_of_sigpipe_and_sigxfsz():
    out = bounded_cmd.run(["cat", "/proc/self/status"], 10)
    ignored = int(re.search(rb"^SigIgn:\s*([0-9a-f]+)$", out["out"], re.MULTILINE).group(1), 16)
    assert not ignored & (1 << (signal.SIGPIPE - 1)) and not ignored & (1 << (signal.SIGXFSZ - 1))


def test_exit_is_noticed_without_pidfd(monkeypatch):
    monkeypatch.delattr(bounded_cmd.os, "pidfd_open", raising=False)
    start = time.monotonic()
    out = bounded_cmd.run(["sh", "-c", "echo answer; sleep 8 & exit 0"], 10)
    assert time.monotonic() - start < 3 and out["rc"] == 0 and out["out"] == b"answer\n"


def test_command_that_closes_stdout_and_keeps_running_times_out():
    start = time.monotonic()
    out = bounded_cmd.run(["sh", "-c", "echo x; exec >&- 2>&-; sleep 30"], 0.5)
    assert time.monotonic() - start < 5
    assert out["timed_out"] and out["rc"] is None and out["out"] == b"x\n"


def test_a_program_found_on_path_and_one_that_is_not():
    assert bounded_cmd.run(["true"], 5)["rc"] == 0
    out = bounded_cmd.run(["no-such-program-secure-endpoint"], 5)
    assert out["rc"] is None and "No such file" in out["error"]


def test_a_command_killed_by_a_signal_has_minus_the_signal_as_rc():
    assert bounded_cmd.run(["sh", "-c", "kill -TERM $$"], 5)["rc"] == -15


def test_descriptors_this_process_inherited_are_not_passed_on():
    read_fd, write_fd = os.pipe()
    try:
        os.set_inheritable(write_fd, True)  # as one inherited from the process that started us
        out = bounded_cmd.run(["sh", "-c", "ls /proc/self/fd"], 5)
        fds = set(int(n) for n in out["out"].split())
        assert out["rc"] == 0 and write_fd not in fds and {0, 1, 2} <= fds
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_stdin_is_empty_and_stderr_is_in_the_answer():
    out = bounded_cmd.run(["sh", "-c", "cat; echo err >&2"], 5)
    assert out["rc"] == 0 and out["out"] == b"err\n"


def test_the_fact_path_does_not_import_subprocess(starter):
    if starter != "posix_spawn":
        pytest.skip("the subprocess fallback imports subprocess by design; this test is about the posix_spawn way")
    code = ("import sys; from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd; "
            "assert bounded_cmd.run(['true'], 5)['rc'] == 0; print('subprocess' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, check=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert out.stdout.strip() == b"False"
