"""All faults at once (5 by both causes, 7, 11, 19): --check, the real run, a second run."""
import json
import os
import re

import pytest

from se_testinfra import (BASELINE_LOGIN_DEFS, INSTALL_DIR, SCAN, ampcli_status, baseline, beside, connector_starts,
                          fault_ids, host_name, is_ellike, journal_entries, login_defs_value, package_version,
                          report_dir, service_state)

INJECTED = [5, 7, 11, 19]
QUARANTINE = "/var/lib/secure_endpoint/quarantine"


def _kept_report(kind):
    path = os.path.join(report_dir(), "first-%s.json" % kind)
    assert os.path.exists(path), "no %s report kept in %s" % (kind, report_dir())
    with open(path) as handle:
        return json.load(handle)


def test_check_run_changed_no_byte(host):
    verdict = host.file("/var/tmp/se-checksums/verdict")
    assert verdict.exists, "the --check run was not compared"
    assert verdict.content_string.strip() == "unchanged", host.file("/var/tmp/se-checksums/diff").content_string[:3000]


def test_check_run_said_what_the_real_run_did(host):
    check = _kept_report("check")["remediation"][host_name(host)]
    real = _kept_report("run")["remediation"][host_name(host)]
    assert check["status"] == "would_be_fixed" and not check["restarted"]
    assert [f["fault"] for f in check["faults"]] == INJECTED
    assert set(f["status"] for f in check["faults"]) == {"would_be_fixed"}
    assert real["status"] == "fixed", real
    assert [(f["fault"], f["status"]) for f in real["faults"]] == [(f, "fixed") for f in INJECTED]
    assert real["restarted"] is True and real["new_faults"] == [] and real["errors"] == {}


def test_exactly_one_restart(host):
    # The stand-in's daemon logs one line per start: the run restarted it once, the --check run
    # and the second run not at all.
    assert connector_starts(host) - baseline(host)["starts"] == 1
    assert service_state(host) == "active"


def test_connector_reports_no_fault(host):
    assert fault_ids(ampcli_status(host)) == []


def test_fault5_scan_user_with_its_group_and_modes(host):
    assert host.group(SCAN).exists and host.user(SCAN).group == SCAN
    for path in ["/opt/cisco", INSTALL_DIR, INSTALL_DIR + "/etc", INSTALL_DIR + "/bin"]:
        entry = host.file(path)
        assert entry.is_directory and not entry.is_symlink and entry.mode == 0o755, "%s %o" % (path, entry.mode)


def test_fault7_invalid_file_quarantined_with_its_bytes(host):
    assert not host.file(INSTALL_DIR + "/clamav/daily.cvd").exists
    manifests = host.run("find %s -name 'manifest*.jsonl' -type f" % QUARANTINE).stdout.split()
    records = [json.loads(line) for m in manifests for line in host.file(m).content_string.splitlines() if line.strip()]
    mine = [r for r in records if r.get("path", "").endswith("/daily.cvd")]
    assert mine, records
    kept = mine[-1]
    assert host.file(kept["quarantined_as"]).sha256sum == kept["sha256"]
    quarantine = host.file(QUARANTINE)
    assert quarantine.user == "root" and quarantine.mode & 0o077 == 0


def test_fault11_headers_of_the_running_kernel(host):
    release = host.run("uname -r").stdout.strip()
    path = ("/usr/src/kernels/" if is_ellike(host) else "/usr/src/linux-headers-") + release
    assert host.file(path).is_directory


def test_fault19_module_in_the_store_and_enabled(host):
    rows = [ln.split() for ln in host.run("semodule --list-modules=full").stdout.splitlines()]
    mine = [r for r in rows if len(r) >= 2 and r[1].lower() == "cisco-secure-bpf"]
    assert mine and "disabled" not in mine[0], rows
    assert "SELINUX=enforcing" in host.file("/etc/selinux/config").content_string.splitlines()


@pytest.mark.preserved
def test_login_defs_byte_for_byte_nothing_left_over(host):
    assert host.file("/etc/login.defs").sha256sum == host.file(BASELINE_LOGIN_DEFS).sha256sum
    assert login_defs_value(host, "USERGROUPS_ENAB") == "no"
    assert beside(host, "/etc/login.defs") == [], "backups belong in the state directory"
    assert journal_entries(host) == []


def _versions_in_repo(host):
    pattern = (r"ciscoampconnector-([0-9][0-9.]*)-[^-]+\.noarch\.rpm$" if is_ellike(host)
               else r"ciscoampconnector_([0-9][0-9.]*)_all\.deb$")
    names = host.run("find /srv/se-repo -name 'ciscoampconnector*'").stdout.split()
    return sorted((tuple(int(x) for x in m.group(1).split(".")) for m in
                   (re.search(pattern, n) for n in names) if m), reverse=True)


@pytest.mark.preserved
def test_connector_version_kept_though_a_newer_one_is_offered(host):
    installed = package_version(host)
    assert installed == baseline(host)["version"]
    offered = _versions_in_repo(host)
    assert offered and offered[0] > tuple(int(x) for x in installed.split(".")), (installed, offered)
