"""After the events: fault 11 is gone on the host itself, and the connector was kept.

Runs once on the faulty hosts at the end of prepare.yml, where each check but the preserved ones
must fail (negative control), and in verify after tests/test_events_e2e.py has driven the rulebook.
"""
import pytest

from se_testinfra import ampcli_status, baseline, fault_ids, is_ellike, package_version, service_state


def test_running_kernels_headers_installed(host):
    release = host.run("uname -r").stdout.strip()
    if is_ellike(host):
        assert host.run("rpm -q kernel-devel-%s" % release).rc == 0
        assert host.file("/usr/src/kernels/%s" % release).is_directory
    else:
        assert package_version(host, "linux-headers-%s" % release) is not None
        assert host.file("/usr/src/linux-headers-%s" % release).is_directory


def test_connector_reports_no_fault(host):
    assert fault_ids(ampcli_status(host)) == []


@pytest.mark.preserved
def test_connector_kept(host):
    assert package_version(host) == baseline(host)["version"]
    assert service_state(host) == "active"
