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


def test_walk_says_when_it_stops(install, monkeypatch):
    assert dc.walk(str(install)) == {"files": dc.find_files(str(install)), "complete": True, "notes": []}
    walked = dc.walk(str(install), max_entries=2)
    assert walked["complete"] is False
    assert walked["notes"][0].startswith("search stopped after") and "(limit 2)" in walked["notes"][0]
    deep = install / "a" / "b"
    deep.mkdir(parents=True)
    (deep / "x.cvd").write_bytes(b"x")
    walked = dc.walk(str(install), max_depth=1)
    assert walked["notes"] == ["%s: 1 subdirectories deeper than 1 levels not searched" % (install / "a")]
    assert "x.cvd" not in [os.path.basename(p) for p in walked["files"]]


def test_walk_says_what_it_could_not_list(install, monkeypatch):
    real_scandir = os.scandir

    def denied(path):
        if str(path).endswith("clamav"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    walked = dc.walk(str(install))
    assert walked["notes"] == ["cannot list %s: Permission denied" % (install / "clamav")]
    assert walked["complete"] is False


def test_non_regular_and_unknown_verdicts(install, no_racy_wait, tmp_path):
    clamav = install / "clamav"
    big = clamav / "big.cld"
    big.write_bytes(b"x" * 20000)
    settle(*dc.find_files(str(install)))
    os.mkfifo(str(clamav / "fifo.cvd"))
    os.symlink("/dev/urandom", str(clamav / "random.cvd"))
    os.symlink("gone.cvd", str(clamav / "dangling.cvd"))
    cache = dc.DefinitionsCache(str(tmp_path / "c.json"), "v1")
    counting = Counting()
    results, stats = dc.judge_definitions(str(install), counting, cache, max_file_bytes=16384)
    by_name = dict((os.path.basename(r["path"]), r) for r in results)
    assert (by_name["fifo.cvd"]["verdict"], by_name["fifo.cvd"]["file_kind"]) == ("invalid", "FIFO")
    assert by_name["random.cvd"]["reason"] == "not a regular file (character device): the engine cannot load it"
    assert by_name["random.cvd"]["link"] == "/dev/urandom"
    assert by_name["dangling.cvd"]["verdict"] == "invalid" and by_name["dangling.cvd"]["valid"] is False
    assert by_name["big.cld"]["verdict"] == "unknown" and by_name["big.cld"]["valid"] is None
    assert by_name["big.cld"]["reason"] == "too large to judge: 20000 bytes (limit 16384)"
    # Neither the non-regular files nor the oversized one reached the validator or the cache.
    assert sorted(os.path.basename(p) for p in counting.calls) == ["daily.cld", "test-1.cvd", "test-2.cvd"]
    assert sorted(os.path.basename(p) for p in cache.entries) == ["daily.cld", "test-1.cvd", "test-2.cvd"]


def test_unknown_verdicts_are_never_cached(install, no_racy_wait, tmp_path):
    settle(*dc.find_files(str(install)))
    cache_path = str(tmp_path / "c.json")
    cache = dc.DefinitionsCache(cache_path, "v1")
    dc.judge_definitions(str(install), lambda p: {"path": p, "verdict": "unknown", "valid": None,
                                                  "reason": "cannot be read: Permission denied"}, cache)
    assert cache.entries == {} and cache.save() is None and not os.path.exists(cache_path)
    # A verdict given only as valid=None (custom validators) is unknown too.
    dc.judge_definitions(str(install), lambda p: {"path": p, "valid": None, "reason": "?"}, cache)
    assert cache.entries == {}


def test_old_format_cache_with_unreadable_verdicts_is_ignored(install, no_racy_wait, tmp_path):
    settle(*dc.find_files(str(install)))
    target = str(install / "clamav" / "test-1.cvd")
    old = {"format": 1, "validator": "v1", "entries": {target: {
        "stat": dc.stat_key(os.stat(target)), "result": {"path": target, "valid": False,
                                                         "reason": "unreadable: Permission denied"}}}}
    (tmp_path / "c.json").write_text(json.dumps(old))
    counting = Counting()
    dc.judge_definitions(str(install), counting, dc.DefinitionsCache(str(tmp_path / "c.json"), "v1"))
    assert target in counting.calls


def test_cache_that_is_a_fifo_is_reported_and_never_blocks(tmp_path):
    os.mkfifo(str(tmp_path / "c.json"))
    cache = dc.DefinitionsCache(str(tmp_path / "c.json"), "v1", shown="/var/cache/x.json")
    assert cache.error == "definitions cache ignored: cannot read /var/cache/x.json: FIFO, not a regular file"
    assert cache.entries == {}


def test_run_budget(install, no_racy_wait, tmp_path):
    settle(*dc.find_files(str(install)))
    counting = Counting()
    first = os.path.getsize(str(install / "clamav" / "daily.cld"))
    results, stats = dc.judge_definitions(str(install), counting, None, max_total_bytes=first + 1)
    assert [r["verdict"] for r in results] == ["invalid", "unknown", "unknown"]
    assert results[1]["reason"].startswith("not judged in this run: %d bytes already read" % first)
    assert stats["validated"] == 1 and stats["read_bytes"] == first


def test_validator_id_from_sources_equals_the_imported_one():
    assert dc.validator_id_of(cvd.__name__) == dc.validator_id(cvd)
    assert dc.validator_id_of(cvd.__name__ + "_nope") is None
