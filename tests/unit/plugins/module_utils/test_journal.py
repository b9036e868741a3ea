# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import stat

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import journal


def test_record_writes_a_private_entry_before_anything_else(tmp_path):
    state = str(tmp_path / "state")
    entry = journal.record(state, "service_stopped", {"service": "cisco-amp", "was_active": True})
    path = os.path.join(state, "journal", entry["id"] + ".json")
    assert json.loads(open(path).read()) == entry
    assert entry["kind"] == "service_stopped" and entry["schema"] == 1
    for directory in (state, os.path.join(state, "journal"), os.path.join(state, "backups")):
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(os.listdir(os.path.join(state, "journal"))) == [entry["id"] + ".json"]


def test_entries_oldest_first_and_remove(tmp_path):
    state = str(tmp_path)
    first = journal.record(state, "a_kind", {}, now=1000)
    second = journal.record(state, "a_kind", {}, now=2000)
    assert [i["id"] for i in journal.entries(state)] == [first["id"], second["id"]]
    assert journal.remove(state, first["id"]) is True
    assert [i["id"] for i in journal.entries(state)] == [second["id"]]


def test_missing_journal_is_empty(tmp_path):
    assert journal.entries(str(tmp_path / "none")) == []


def test_unreadable_entries_are_reported_not_deleted(tmp_path):
    state = str(tmp_path)
    journal.prepare(state)
    jdir = os.path.join(state, "journal")
    with open(os.path.join(jdir, "20260101T000000Z-x-00000000.json"), "w") as handle:
        handle.write("{not json")
    os.mkfifo(os.path.join(jdir, "20260101T000001Z-x-00000001.json"))
    with open(os.path.join(jdir, "20260101T000002Z-x-00000002.json"), "w") as handle:
        handle.write(json.dumps({"kind": "x", "id": "other"}))
    items = journal.entries(state)
    assert [i["entry"] for i in items] == [None, None, None]
    assert "unreadable" in items[0]["error"] and "FIFO" in items[1]["error"] and "does not match" in items[2]["error"]
    assert len(os.listdir(jdir)) == 3


def test_interrupted_write_leftover_is_cleaned_only_when_allowed(tmp_path):
    state = str(tmp_path)
    journal.prepare(state)
    tmp = os.path.join(state, "journal", ".20260101T000000Z-x-00000000.tmp")
    open(tmp, "w").close()
    assert journal.entries(state, clean=False) == [] and os.path.exists(tmp)
    assert journal.entries(state) == [] and not os.path.exists(tmp)


def test_remove_refuses_a_path(tmp_path):
    with pytest.raises(journal.JournalError):
        journal.remove(str(tmp_path), "../../etc/passwd")


def test_prepare_refuses_a_state_dir_that_is_a_link(tmp_path):
    os.mkdir(str(tmp_path / "elsewhere"))
    os.symlink(str(tmp_path / "elsewhere"), str(tmp_path / "state"))
    with pytest.raises(journal.JournalError) as err:
        journal.record(str(tmp_path / "state"), "x", {})
    assert "symbolic link" in str(err.value)


def test_orphan_backups(tmp_path):
    state = str(tmp_path)
    kept = journal.record(state, "x", {})
    for name in (kept["id"] + ".login.defs", "20260101T000000Z-x-0000abcd.login.defs", "notes.txt"):
        open(os.path.join(state, "backups", name), "w").close()
    os.mkdir(os.path.join(state, "backups", "selinux-20260101T000000Z"))
    assert journal.orphan_backups(state, {kept["id"]}) == [
        os.path.join(state, "backups", "20260101T000000Z-x-0000abcd.login.defs")]
