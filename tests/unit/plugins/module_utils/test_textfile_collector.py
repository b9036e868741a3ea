# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The textfile writer on a real directory: rename from a same-directory temporary file whose
name node_exporter ignores, nothing lost on failure, never blocked by a FIFO."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import stat
import time

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import textfile_collector as at

OLD = b"# TYPE a gauge\na 1\nsecure_endpoint_last_check_timestamp_seconds 100\n"
NEW = b"# TYPE a gauge\na 2\nsecure_endpoint_last_check_timestamp_seconds 200\n"
VOLATILE = ["secure_endpoint_last_check_timestamp_seconds"]


def put(path, data, mode=0o644):
    with open(str(path), "wb") as handle:
        handle.write(data)
    os.chmod(str(path), mode)


def test_write_renames_a_same_directory_temp_not_named_prom(tmp_path, monkeypatch):
    target = str(tmp_path / "se.prom")
    put(target, OLD)
    keep = str(tmp_path / "old-inode")
    os.link(target, keep)
    renames = []
    real_rename = os.rename

    def spy(src, dst):
        # At the rename, the temporary file already holds all of the new content.
        with open(src, "rb") as handle:
            renames.append((src, dst, handle.read(), stat.S_IMODE(os.stat(src).st_mode)))
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", spy)
    at.write(target, NEW, 0o644)
    (src, dst, data, mode), = renames
    assert dst == target and os.path.dirname(src) == str(tmp_path)
    assert not src.endswith(".prom") and os.path.basename(src).startswith(".se.prom.")
    assert data == NEW and mode == 0o644
    # The name now points to a new inode; the old one still holds the old bytes, whole:
    # the file was replaced, never rewritten in place.
    assert os.stat(target).st_ino != os.stat(keep).st_ino
    with open(keep, "rb") as handle:
        assert handle.read() == OLD
    assert sorted(os.listdir(str(tmp_path))) == ["old-inode", "se.prom"]


def test_failure_before_rename_keeps_the_old_file(tmp_path, monkeypatch):
    target = str(tmp_path / "se.prom")
    put(target, OLD)

    def full_disk(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        at.write(target, NEW, 0o644)
    with open(target, "rb") as handle:
        assert handle.read() == OLD
    assert os.listdir(str(tmp_path)) == ["se.prom"]


def test_over_the_limit_is_refused(tmp_path):
    target = str(tmp_path / "se.prom")
    put(target, b"x" * (at.MAX_BYTES + 1))
    with pytest.raises(at.TextfileError, match="more than"):
        at.plan(target, NEW, 0o644)


def test_plan_volatile_and_mode(tmp_path):
    target = str(tmp_path / "se.prom")
    assert at.plan(target, NEW, 0o644, VOLATILE) == {"changed": True, "write": True, "before": None}
    put(target, NEW)
    assert at.plan(target, NEW, 0o644, VOLATILE)["write"] is False
    refreshed = NEW.replace(b"200", b"300")
    step = at.plan(target, refreshed, 0o644, VOLATILE)
    assert step["changed"] is False and step["write"] is True
    step = at.plan(target, refreshed, 0o644, [])
    assert step["changed"] is True
    assert at.plan(target, NEW, 0o600, VOLATILE)["changed"] is True
    assert at.plan(target, OLD, 0o644, VOLATILE)["changed"] is True
    with pytest.raises(at.TextfileError, match="more than"):
        at.plan(target, b"x" * (at.MAX_BYTES + 1), 0o644)


def test_significant_ignores_only_the_volatile_samples():
    text = ("# HELP secure_endpoint_last_check_timestamp_seconds x\n"
            "secure_endpoint_last_check_timestamp_seconds 5\n"
            "secure_endpoint_last_check_timestamp_seconds_total 5\n"
            "other{a=\"secure_endpoint_last_check_timestamp_seconds 1\"} 2\n")
    kept = at.significant(text, VOLATILE).splitlines()
    assert kept == [text.splitlines()[0]] + text.splitlines()[2:]


@pytest.mark.parametrize("kind", ["fifo", "symlink", "directory"])
def test_refuses_what_is_not_a_regular_file(tmp_path, kind):
    target = str(tmp_path / "se.prom")
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        put(str(tmp_path / "elsewhere"), OLD)
        os.symlink(str(tmp_path / "elsewhere"), target)
    else:
        os.mkdir(target)
    started = time.time()
    with pytest.raises(at.TextfileError, match="not a regular file"):
        at.plan(target, NEW, 0o644)
    with pytest.raises(at.TextfileError, match="not a regular file"):
        at.remove(target)
    assert time.time() - started < 5
    assert os.path.lexists(target)


def test_check_target(tmp_path):
    at.check_target(str(tmp_path / "se.prom"))
    with pytest.raises(at.TextfileError, match="only files named"):
        at.check_target(str(tmp_path / "se.txt"))
    with pytest.raises(at.TextfileError, match="absolute"):
        at.check_target("se.prom")
    with pytest.raises(at.TextfileError, match="textfile directory .*missing.*No such file"):
        at.check_target(str(tmp_path / "missing" / "se.prom"))
    put(str(tmp_path / "file"), b"")
    with pytest.raises(at.TextfileError):
        at.check_target(str(tmp_path / "file" / "se.prom"))


def test_stale_temps(tmp_path):
    target = str(tmp_path / "se.prom")
    old, fresh, other = (str(tmp_path / n) for n in (".se.prom.abc.tmp", ".se.prom.def.tmp", ".other.prom.x.tmp"))
    for path in (old, fresh, other):
        put(path, b"partial")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    os.utime(other, (time.time() - 3600, time.time() - 3600))
    os.mkfifo(str(tmp_path / ".se.prom.fifo.tmp"))
    assert at.stale_temps(target) == [old]
    assert at.remove(old) is True and at.remove(old) is False
