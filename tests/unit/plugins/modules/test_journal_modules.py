# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""remediation_journal, login_defs_key and journaled_service, run as Ansible runs them."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd, journal
from ansible_collections.secure_endpoint.linux.plugins.modules import journaled_service, login_defs_key, remediation_journal
from ansible_collections.secure_endpoint.linux.tests.unit.plugins.module_utils.fake_systemd import FakeSystemd

HARDENED = b"# shadow-utils\nUMASK 022\nUSERGROUPS_ENAB no\nENCRYPT_METHOD SHA512\n"


@pytest.fixture
def host(tmp_path, monkeypatch):
    defs = tmp_path / "etc" / "login.defs"
    defs.parent.mkdir()
    defs.write_bytes(HARDENED)
    systemd = FakeSystemd()
    monkeypatch.setattr(bounded_cmd, "run", systemd)
    return {"defs": str(defs), "state": str(tmp_path / "state"), "systemd": systemd}


def _set(run_module, host, **kw):
    return run_module(login_defs_key, {"path": host["defs"], "state_dir": host["state"], "value": "yes",
                                       "state": "set"}, **kw)


def _restore(run_module, host, **kw):
    return run_module(login_defs_key, {"path": host["defs"], "state_dir": host["state"], "state": "restored"}, **kw)


def test_set_then_restore_is_byte_identical(run_module, host):
    code, out = _set(run_module, host, diff=True)
    assert code == 0 and out["changed"] and out["value_before"] == "no" and out["journal_id"]
    assert "USERGROUPS_ENAB yes" in out["diff"]["after"] and "USERGROUPS_ENAB no" in out["diff"]["before"]
    code, again = _set(run_module, host)
    assert code == 0 and not again["changed"]
    code, out = _restore(run_module, host, diff=True)
    assert code == 0 and out["changed"] and out["diff"]["after"] == HARDENED.decode()
    assert open(host["defs"], "rb").read() == HARDENED
    code, out = _restore(run_module, host)
    assert code == 0 and not out["changed"] and journal.entries(host["state"]) == []


def test_check_mode_writes_nothing(run_module, host):
    code, out = _set(run_module, host, check_mode=True, diff=True)
    assert code == 0 and out["changed"] and "USERGROUPS_ENAB yes" in out["diff"]["after"]
    assert open(host["defs"], "rb").read() == HARDENED and not os.path.exists(host["state"])


def test_set_repairs_a_leftover_first(run_module, host):
    _set(run_module, host)
    with open(host["defs"], "ab") as handle:  # an edit after the kill: the line path, not the backup
        handle.write(b"# note\n")
    code, out = _set(run_module, host)
    assert code == 0 and len(out["restored"]) == 1 and out["value_before"] == "no" and out["changed"]
    assert len(journal.entries(host["state"])) == 1


def test_a_fifo_is_refused_with_a_clear_error(run_module, host):
    os.unlink(host["defs"])
    os.mkfifo(host["defs"])
    code, out = _set(run_module, host)
    assert code == 1 and "FIFO" in out["msg"] and "USERGROUPS_ENAB" in out["msg"]


def test_value_is_required_for_set(run_module, host):
    code, out = run_module(login_defs_key, {"path": host["defs"], "state": "set"})
    assert code == 1 and "value" in out["msg"]


def test_journaled_service_stop_and_start(run_module, host):
    args = {"name": "cisco-amp", "state_dir": host["state"]}
    code, out = run_module(journaled_service, dict(args, state="stopped"), check_mode=True)
    assert code == 0 and out["changed"] and out["actions"] == ["stop"] and host["systemd"].active == "active"
    code, out = run_module(journaled_service, dict(args, state="stopped"))
    assert code == 0 and out["journal_id"] and host["systemd"].active == "inactive"
    code, out = run_module(journaled_service, dict(args, state="started"))
    assert code == 0 and out["changed"] and out["actions"] == ["start"] and out["active"] == "active"
    assert journal.entries(host["state"]) == []


def test_journaled_service_leaves_a_stopped_service_alone(run_module, host):
    host["systemd"].active = "inactive"
    code, out = run_module(journaled_service, {"name": "cisco-amp", "state": "stopped", "state_dir": host["state"]})
    assert code == 0 and not out["changed"] and out["journal_id"] is None


def test_recover_after_a_kill(run_module, host):
    _set(run_module, host)
    run_module(journaled_service, {"name": "cisco-amp", "state": "stopped", "state_dir": host["state"]})
    code, out = run_module(remediation_journal, {"state_dir": host["state"]}, check_mode=True)
    assert code == 0 and out["changed"] and len(out["repaired"]) == 2
    assert host["systemd"].active == "inactive"
    code, out = run_module(remediation_journal, {"state_dir": host["state"], "action": "list"})
    assert code == 0 and sorted(e["kind"] for e in out["entries"]) == ["login_defs_key", "service_stopped"]
    code, out = run_module(remediation_journal, {"state_dir": host["state"]})
    assert code == 0 and out["changed"] and not out["repair_failed"] and "failed" not in out
    assert open(host["defs"], "rb").read() == HARDENED and host["systemd"].active == "active"
    code, out = run_module(remediation_journal, {"state_dir": host["state"]})
    assert code == 0 and not out["changed"] and out["repaired"] == []


def test_recover_fails_loudly_and_keeps_the_entry(run_module, host):
    run_module(journaled_service, {"name": "cisco-amp", "state": "stopped", "state_dir": host["state"]})
    host["systemd"].start_fails = True
    code, out = run_module(remediation_journal, {"state_dir": host["state"]})
    assert code == 1 and "could not repair" in out["msg"] and len(journal.entries(host["state"])) == 1
    code, out = run_module(remediation_journal, {"state_dir": host["state"], "fail_on_error": False})
    assert code == 0 and out["repair_failed"] and "failed" not in out
