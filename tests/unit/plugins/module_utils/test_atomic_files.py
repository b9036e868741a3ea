# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import socket
import stat

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import atomic_files


def test_read_regular_missing_is_none(tmp_path):
    assert atomic_files.read_regular(str(tmp_path / "nope"), 10) is None


def test_read_regular_returns_bytes_and_stat(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    data, info = atomic_files.read_regular(str(path), 10)
    assert data == b"abc" and info.st_size == 3


@pytest.mark.parametrize("kind", ["symlink", "fifo", "dir", "socket", "chardev"])
def test_read_regular_refuses_what_is_not_a_file(tmp_path, kind):
    path = str(tmp_path / "x")
    if kind == "symlink":
        (tmp_path / "target").write_text("secret")
        os.symlink(str(tmp_path / "target"), path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dir":
        os.mkdir(path)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(path)
    else:
        path = "/dev/zero"
    with pytest.raises(atomic_files.FileKindError) as err:
        atomic_files.read_regular(path, 100)
    assert "not a regular file" in str(err.value) or "not touched" in str(err.value)


def test_read_regular_size_limit(tmp_path):
    path = tmp_path / "big"
    path.write_bytes(b"x" * 101)
    with pytest.raises(atomic_files.FileKindError) as err:
        atomic_files.read_regular(str(path), 100)
    assert "101 bytes" in str(err.value)


def test_write_atomic_keeps_mode_owner_and_leaves_no_temp(tmp_path):
    path = tmp_path / "login.defs"
    path.write_bytes(b"old\n")
    os.chmod(str(path), 0o640)
    atomic_files.write_atomic(str(path), b"new\n", like=str(path), tmp_path=str(tmp_path / ".login.defs.t.tmp"))
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o640
    assert sorted(os.listdir(str(tmp_path))) == ["login.defs"]


def test_write_atomic_replaces_a_stale_temp(tmp_path):
    stale = tmp_path / ".f.tmp"
    stale.write_bytes(b"half")
    atomic_files.write_atomic(str(tmp_path / "f"), b"whole", mode=0o600)
    assert (tmp_path / "f").read_bytes() == b"whole" and not stale.exists()
    assert stat.S_IMODE(os.stat(str(tmp_path / "f")).st_mode) == 0o600


def test_write_atomic_never_writes_through_a_planted_link(tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    os.symlink(str(victim), str(tmp_path / ".f.tmp"))
    atomic_files.write_atomic(str(tmp_path / "f"), b"data")
    assert victim.read_bytes() == b"keep" and (tmp_path / "f").read_bytes() == b"data"


def test_private_dir_creates_and_tightens(tmp_path):
    path = str(tmp_path / "state" / "journal")
    assert atomic_files.private_dir(path) is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    os.chmod(path, 0o755)
    assert atomic_files.private_dir(path) is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    assert atomic_files.private_dir(path) is False


def test_private_dir_refuses_a_link_or_a_foreign_owner(tmp_path):
    os.mkdir(str(tmp_path / "real"))
    os.symlink(str(tmp_path / "real"), str(tmp_path / "link"))
    with pytest.raises(atomic_files.FileKindError):
        atomic_files.private_dir(str(tmp_path / "link"))
    with pytest.raises(atomic_files.FileKindError) as err:
        atomic_files.private_dir(str(tmp_path / "real"), uid=os.geteuid() + 1)
    assert "cannot be trusted" in str(err.value)


def test_sha256_fd_streams(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"a" * (atomic_files.CHUNK + 5))
    fd = os.open(str(path), os.O_RDONLY)
    try:
        assert atomic_files.sha256_fd(fd) == atomic_files.sha256_bytes(path.read_bytes())
    finally:
        os.close(fd)


def test_unlink_durably(tmp_path):
    (tmp_path / "f").write_text("x")
    assert atomic_files.unlink_durably(str(tmp_path / "f")) is True
    assert atomic_files.unlink_durably(str(tmp_path / "f")) is False
