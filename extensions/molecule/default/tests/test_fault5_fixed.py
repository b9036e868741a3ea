"""After remediate.yml: fault 5 is gone on the host itself, and nothing was lost."""
import os
import stat

import pytest

from se_testinfra import (BASELINE_LOGIN_DEFS, SCAN, ampcli_status, baseline, beside, controller_report,
                          fault_ids, host_name, journal_entries, login_defs_value, package_version,
                          report_dir, service_state)


def test_scan_user_and_its_own_group(host):
    assert host.group(SCAN).exists, "group %s missing" % SCAN
    assert host.user(SCAN).exists
    # The installer's useradd gives the user its own group only with USERGROUPS_ENAB yes.
    assert host.user(SCAN).group == SCAN


def test_connector_reports_no_fault(host):
    assert fault_ids(ampcli_status(host)) == []


def test_report_on_the_controller(host):
    report = controller_report()
    assert report is not None, "no remediation report in %s" % report_dir()
    assert report["schema"] == 2 and report["kind"] == "remediation"
    # Verify runs after the idempotence run: this host had nothing left to fix.
    assert report["remediation"][host_name(host)]["status"] == "no_active_fault"
    assert report["hosts"][host_name(host)]["faults"]["5"]["active"] is False
    for path, mode in ((report_dir(), 0o700), (os.path.join(report_dir(), "secure_endpoint_remediation.json"), 0o600)):
        assert stat.S_IMODE(os.stat(path).st_mode) == mode, path


@pytest.mark.preserved
def test_login_defs_kept_byte_for_byte(host):
    assert host.file("/etc/login.defs").sha256sum == host.file(BASELINE_LOGIN_DEFS).sha256sum
    assert login_defs_value(host, "USERGROUPS_ENAB") == "no"
    assert beside(host, "/etc/login.defs") == [], "backups belong in the state directory"


@pytest.mark.preserved
def test_connector_kept(host):
    assert package_version(host) == baseline(host)["version"]
    assert service_state(host) == "active"
    assert journal_entries(host) == []
