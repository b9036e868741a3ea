"""remediate.yml over a fleet with an unreachable host: the run stops, the others are untouched."""
import json
import os

import pytest

from se_testinfra import ampcli_status, controller_report, fault_ids, host_name, package_version, report_dir


def _run():
    path = os.path.join(report_dir(), "fleet_run.json")
    assert os.path.exists(path), "remediate.yml was not run"
    with open(path) as handle:
        return json.load(handle)


def test_the_run_stopped_after_the_unreachable_host_and_exited_non_zero(host):
    run = _run()
    assert run["rc"] != 0, run["stdout"][-2000:]
    report = controller_report()
    assert report["remediation"]["fleet-down"]["status"] == "unreachable"
    assert "fleet-down" in report["unreachable"]
    assert "1 of 1 hosts of the batch" in (report["run_stopped"] or ""), report["run_stopped"]
    assert report["summary"]["statuses"] == {"no_active_fault": 1, "unreachable": 1, "not_processed": 1}


def test_each_host_untouched(host):
    verdict = host.file("/var/tmp/se-checksums/verdict")
    assert verdict.exists, "not compared after the run"
    assert verdict.content_string.strip() == "unchanged", host.file("/var/tmp/se-checksums/diff").content_string[:3000]


def test_host_status_in_the_report(host):
    entry = controller_report()["remediation"][host_name(host)]
    if host_name(host) == "fleet-debian12":
        # no connector: nothing to fix, and not failed
        assert entry["status"] == "no_active_fault" and entry["errors"] == {}
    else:
        # its batch came after the stop
        assert entry["status"] == "not_processed"


@pytest.mark.preserved
def test_the_hosts_are_as_they_were(host):
    if host_name(host) == "fleet-debian12":
        assert package_version(host) is None
        assert not host.file("/opt/cisco").exists
        assert not host.file("/var/lib/secure_endpoint").exists
    else:
        assert fault_ids(ampcli_status(host)) == [5]
        assert host.file("/opt/cisco/amp/etc").mode == 0o775
