# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import journal, service_ctl

from ansible_collections.secure_endpoint.linux.tests.unit.plugins.module_utils.fake_systemd import FakeSystemd


def test_stop_records_before_stopping(tmp_path):
    state = str(tmp_path)
    seen = []
    systemd = FakeSystemd()

    def run(argv, timeout):
        if argv[1] == "stop":
            seen.append([i["entry"]["service"] for i in journal.entries(state)])
        return systemd(argv, timeout)

    plan = service_ctl.stop(state, run, "cisco-amp")
    assert seen == [["cisco-amp"]], "the entry must exist before systemctl stop"
    assert plan["entry"]["was_enabled"] is True and systemd.active == "inactive"


def test_a_stopped_service_is_the_administrators_choice(tmp_path):
    systemd = FakeSystemd(active="inactive")
    plan = service_ctl.stop(str(tmp_path), systemd, "cisco-amp")
    assert plan["entry"] is None and systemd.verbs() == [] and journal.entries(str(tmp_path)) == []


def test_unknown_state_is_not_stopped(tmp_path):
    with pytest.raises(service_ctl.ServiceError) as err:
        service_ctl.stop(str(tmp_path), FakeSystemd(hang=True), "cisco-amp")
    assert "did not answer" in str(err.value)


def test_repair_starts_and_reenables():
    systemd = FakeSystemd(active="inactive", enabled="disabled")
    result = service_ctl.repair({"service": "cisco-amp", "was_enabled": True}, systemd)
    assert result["changed"] and systemd.verbs() == ["enable", "start"]
    assert "started and re-enabled" in result["message"]


def test_repair_in_check_mode_touches_nothing():
    systemd = FakeSystemd(active="inactive")
    result = service_ctl.repair({"service": "cisco-amp", "was_enabled": True}, systemd, check_mode=True)
    assert result["changed"] and systemd.verbs() == []


def test_repair_of_a_running_service_is_a_no_op():
    systemd = FakeSystemd()
    result = service_ctl.repair({"service": "cisco-amp", "was_enabled": True}, systemd)
    assert not result["changed"] and systemd.verbs() == [] and "already running" in result["message"]


def test_a_service_that_does_not_start_is_an_error():
    with pytest.raises(service_ctl.ServiceError) as err:
        service_ctl.ensure_running(FakeSystemd(active="inactive", start_fails=True), "cisco-amp")
    assert "systemctl start cisco-amp failed" in str(err.value)


def test_missing_systemctl_is_an_error(tmp_path):
    with pytest.raises(service_ctl.ServiceError):
        service_ctl.stop(str(tmp_path), FakeSystemd(missing=True), "cisco-amp")
