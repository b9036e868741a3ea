# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

from ansible_collections.secure_endpoint.linux.plugins.module_utils import (
    journal, journal_recovery, login_defs_edit, service_ctl)

from ansible_collections.secure_endpoint.linux.tests.unit.plugins.module_utils.fake_systemd import FakeSystemd


def _killed_run(tmp_path):
    """What a run killed while the connector was stopped and USERGROUPS_ENAB was yes leaves."""
    state = str(tmp_path / "state")
    defs = tmp_path / "login.defs"
    defs.write_bytes(b"UMASK 022\nUSERGROUPS_ENAB no\n")
    login_defs_edit.set_key(state, str(defs), "USERGROUPS_ENAB", "yes")
    systemd = FakeSystemd()
    service_ctl.stop(state, systemd, "cisco-amp")
    return state, defs, systemd


def test_recover_repairs_everything_and_forgets_it(tmp_path):
    state, defs, systemd = _killed_run(tmp_path)
    out = journal_recovery.recover(state, systemd)
    assert out["changed"] and not out["failed"] and not out["kept"]
    assert defs.read_bytes() == b"UMASK 022\nUSERGROUPS_ENAB no\n"
    assert systemd.active == "active"
    assert len(out["repaired"]) == 2 and journal.entries(state) == []
    assert os.listdir(os.path.join(state, "backups")) == []
    again = journal_recovery.recover(state, systemd)
    assert not again["changed"] and again["repaired"] == []


def test_recover_in_check_mode_says_and_touches_nothing(tmp_path):
    state, defs, systemd = _killed_run(tmp_path)
    written = defs.read_bytes()
    out = journal_recovery.recover(state, systemd, check_mode=True)
    assert out["changed"] and all(m.startswith("would repair: ") for m in out["repaired"])
    assert out["diffs"][0]["after"] == "UMASK 022\nUSERGROUPS_ENAB no\n"
    assert defs.read_bytes() == written and systemd.active == "inactive"
    assert len(journal.entries(state)) == 2


def test_unknown_and_broken_entries_are_kept(tmp_path):
    state = str(tmp_path)
    entry = journal.record(state, "future_kind", {"x": 1})
    with open(os.path.join(state, "journal", "20260101T000000Z-y-00000000.json"), "w") as handle:
        handle.write(json.dumps([1, 2]))
    out = journal_recovery.recover(state, FakeSystemd())
    assert len(out["kept"]) == 2 and not out["changed"]
    assert any("unknown kind 'future_kind'" in m for m in out["kept"])
    assert len(journal.entries(state)) == 2 and entry["id"] in [i["id"] for i in journal.entries(state)]


def test_a_failed_repair_keeps_the_entry(tmp_path):
    state = str(tmp_path)
    service_ctl.stop(state, FakeSystemd(), "cisco-amp")
    out = journal_recovery.recover(state, FakeSystemd(active="inactive", start_fails=True))
    assert out["failed"] and "systemctl start cisco-amp failed" in out["failed"][0]
    assert len(journal.entries(state)) == 1


def test_filters_by_kind_and_match(tmp_path):
    state, defs, systemd = _killed_run(tmp_path)
    out = journal_recovery.recover(state, systemd, kinds=(login_defs_edit.KIND,),
                                   match=lambda e: e["path"] == str(defs))
    assert len(out["repaired"]) == 1 and systemd.active == "inactive"
    assert [i["entry"]["kind"] for i in journal.entries(state)] == ["service_stopped"]


def test_orphan_backup_of_a_run_killed_before_its_entry_is_removed(tmp_path):
    state = str(tmp_path)
    journal.prepare(state)
    orphan = os.path.join(state, "backups", "20260101T000000Z-login_defs_key-0000abcd.login.defs")
    open(orphan, "w").close()
    journal_recovery.recover(state, FakeSystemd(), check_mode=True)
    assert os.path.exists(orphan)
    journal_recovery.recover(state, FakeSystemd())
    assert not os.path.exists(orphan)
