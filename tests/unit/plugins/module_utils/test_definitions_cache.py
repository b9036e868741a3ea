# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import shutil
import time
import types

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import cvd, definitions_cache as dc

CLAMAV = os.path.join(os.path.dirname(__file__), "..", "..", "data", "clamav")


class Counting(object):
    """Wraps the real validator and counts the files it really reads."""

    def __init__(self):
        self.calls = []

    def __call__(self, path):
        self.calls.append(path)
        return cvd.validate_file(path)


def settle(*paths):
    """Make files look written long ago (mtime); ctime stays recent, so wait past the racy window.

    Tests that only need verdicts cached set RACY_SECONDS to 0 (fixture ``no_racy_wait``)."""
    old = time.time() - 3600
    for path in paths:
        os.utime(path, (old, old))
    time.sleep(dc.RACY_SECONDS + 0.1 if dc.RACY_SECONDS else 0)


@pytest.fixture
def no_racy_wait(monkeypatch):
    monkeypatch.setattr(dc, "RACY_SECONDS", 0.0)


@pytest.fixture
def install(tmp_path):
    amp = tmp_path / "amp"
    (amp / "clamav").mkdir(parents=True)
    (amp / "bin").mkdir()
    for name in ("test-1.cvd", "test-2.cvd"):
        shutil.copy(os.path.join(CLAMAV, name), str(amp / "clamav" / name))
    (amp / "clamav" / "daily.cld").write_bytes(b"not a database")
    (amp / "clamav" / "notes.txt").write_text("x")
    (amp / "bin" / "ampfsm.ko").write_bytes(b"")
    return amp


def judge(install, cache, counting):
    return dc.judge_definitions(str(install), counting, cache)


def test_find_files(install):
    found = dc.find_files(str(install))
    assert [os.path.basename(p) for p in found] == ["daily.cld", "test-1.cvd", "test-2.cvd"]
    assert [os.path.basename(p) for p in dc.find_files(str(install), ("ko",))] == ["ampfsm.ko"]


def test_find_files_does_not_follow_directory_links(install, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(os.path.join(CLAMAV, "test-3.cvd"), str(outside / "test-3.cvd"))
    os.symlink(str(outside), str(install / "link"))
    assert "test-3.cvd" not in [os.path.basename(p) for p in dc.find_files(str(install))]


def test_warm_run_reads_nothing(no_racy_wait, install, tmp_path):
    settle(*dc.find_files(str(install)))
    cache_path = str(tmp_path / "cache" / "definitions.json")
    vid = dc.validator_id(cvd)
    first = Counting()
    cache = dc.DefinitionsCache(cache_path, vid)
    results, stats = judge(install, cache, first)
    assert cache.save() is None
    assert stats == {"files": 3, "cached": 0, "validated": 3, "read_bytes": sum(
        os.path.getsize(p) for p in dc.find_files(str(install)))}
    assert [r["valid"] for r in results] == [False, True, True]
    second = Counting()
    again, stats = judge(install, dc.DefinitionsCache(cache_path, vid), second)
    assert second.calls == [] and stats["cached"] == 3
    assert again == results


def test_changed_file_is_judged_again_same_size_same_mtime(install, tmp_path):
    target = str(install / "clamav" / "test-2.cvd")
    settle(target, *dc.find_files(str(install)))
    cache_path = str(tmp_path / "definitions.json")
    vid = dc.validator_id(cvd)
    cache = dc.DefinitionsCache(cache_path, vid)
    judge(install, cache, Counting())
    cache.save()
    # Corrupt one body byte in place, then put the old mtime back: only ctime tells.
    st = os.stat(target)
    with open(target, "r+b") as handle:
        handle.seek(st.st_size - 10)
        byte = handle.read(1)
        handle.seek(st.st_size - 10)
        handle.write(bytes(bytearray([byte[0] ^ 0xFF])))
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(target).st_size == st.st_size and os.stat(target).st_mtime_ns == st.st_mtime_ns
    counting = Counting()
    results = judge(install, dc.DefinitionsCache(cache_path, vid), counting)[0]
    assert counting.calls == [target]
    verdict = [r for r in results if r["path"] == target][0]
    assert verdict["valid"] is False and verdict["reason"]


def test_replaced_file_is_judged_again(no_racy_wait, install, tmp_path):
    settle(*dc.find_files(str(install)))
    cache_path = str(tmp_path / "definitions.json")
    cache = dc.DefinitionsCache(cache_path, "v1")
    judge(install, cache, Counting())
    cache.save()
    shutil.copy(os.path.join(CLAMAV, "test-3.cvd"), str(install / "clamav" / "test-1.cvd"))
    counting = Counting()
    judge(install, dc.DefinitionsCache(cache_path, "v1"), counting)
    assert counting.calls == [str(install / "clamav" / "test-1.cvd")]


def test_recent_files_are_not_cached(install, tmp_path):
    cache = dc.DefinitionsCache(str(tmp_path / "definitions.json"), "v1")
    judge(install, cache, Counting())
    assert cache.entries == {}


def test_other_validator_ignores_the_cache(no_racy_wait, install, tmp_path):
    settle(*dc.find_files(str(install)))
    cache_path = str(tmp_path / "definitions.json")
    cache = dc.DefinitionsCache(cache_path, "v1")
    judge(install, cache, Counting())
    cache.save()
    counting = Counting()
    judge(install, dc.DefinitionsCache(cache_path, "v2"), counting)
    assert len(counting.calls) == 3


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"[]", b'{"format": 1, "validator": "v1", "entries": []}',
                                     b'{"format": 1, "validator": "v1", "entries": {"x": 1}}'])
def test_corrupt_cache_is_ignored(no_racy_wait, install, tmp_path, content):
    settle(*dc.find_files(str(install)))
    cache_path = tmp_path / "definitions.json"
    cache_path.write_bytes(content)
    counting = Counting()
    cache = dc.DefinitionsCache(str(cache_path), "v1")
    results = judge(install, cache, counting)[0]
    assert len(counting.calls) == 3 and len(results) == 3
    assert cache.save() is None
    assert json.loads(cache_path.read_text())["validator"] == "v1"


def test_forged_cache_entry_for_other_stat_is_not_used(no_racy_wait, install, tmp_path):
    settle(*dc.find_files(str(install)))
    target = str(install / "clamav" / "daily.cld")
    forged = {"format": 1, "validator": "v1", "entries": {
        target: {"stat": [0, 0, 14, 0, 0], "result": {"path": target, "valid": True, "reason": None}}}}
    (tmp_path / "definitions.json").write_text(json.dumps(forged))
    results = judge(install, dc.DefinitionsCache(str(tmp_path / "definitions.json"), "v1"), Counting())[0]
    assert [r for r in results if r["path"] == target][0]["valid"] is False


def test_no_cache_path_disables(no_racy_wait, install):
    settle(*dc.find_files(str(install)))
    cache = dc.DefinitionsCache(None, "v1")
    judge(install, cache, Counting())
    assert cache.save() is None
    counting = Counting()
    judge(install, dc.DefinitionsCache(None, "v1"), counting)
    assert len(counting.calls) == 3


def test_save_is_atomic_and_reports_errors(tmp_path):
    cache = dc.DefinitionsCache(str(tmp_path / "dir" / "definitions.json"), "v1")
    cache.entries["a"] = {"stat": [1, 2, 3, 4, 5], "result": {"valid": True}}
    cache.dirty = True
    assert cache.save() is None
    assert os.listdir(str(tmp_path / "dir")) == ["definitions.json"]  # no temporary file left
    blocked = dc.DefinitionsCache(str(tmp_path / "file" / "definitions.json"), "v1")
    (tmp_path / "file").write_text("a file where a directory should be")
    blocked.dirty = True
    assert blocked.save().startswith("cannot write definitions cache")


def test_validator_id_covers_imported_helpers():
    base = dc.validator_id(cvd)
    fake = types.ModuleType(cvd.__name__)
    fake.validate_file = lambda path: {}
    assert dc.validator_id(fake) != base
    assert dc.validator_id(cvd) == base
