"""After remediation: every injected condition is gone from the host itself, nothing was lost,
nothing weakened, nothing upgraded. Each check fails on the injected host (negative control)
except the ones marked `preserved`."""
import hashlib
import json
import os

import pytest

from se_testinfra import (BASELINE_LOGIN_DEFS, SCAN, STATE_DIR, ampcli_status, baseline, beside, fault_ids,
                          is_ellike, journal_entries, login_defs_value, package_version, service_state)

HERE = os.path.dirname(os.path.abspath(__file__))
SHIPPED = os.path.join(HERE, "..", "..", "..", "..", "tests", "unit", "data", "clamav")
QUARANTINE = STATE_DIR + "/quarantine"


def test_check_mode_changed_nothing(host):
    verdict = host.file("/var/tmp/se-checksums/verdict")
    assert verdict.exists, "the --check run was not compared"
    diff = host.file("/var/tmp/se-checksums/diff").content_string
    assert verdict.content_string.strip() == "unchanged", diff[:3000]


def test_connector_reports_no_fault(host):
    assert fault_ids(ampcli_status(host)) == []


def test_fault5_user_and_its_own_group(host):
    assert host.group(SCAN).exists
    assert host.user(SCAN).exists and host.user(SCAN).group == SCAN


def test_fault5_directory_modes(host):
    for d in ["/opt/cisco", "/opt/cisco/amp", "/opt/cisco/amp/etc", "/opt/cisco/amp/bin"]:
        f = host.file(d)
        assert f.is_directory and not f.is_symlink
        assert f.mode == 0o755, "%s is %o" % (d, f.mode)


def test_fault7_quarantined_bytes_are_the_injected_ones(host):
    assert not host.file("/opt/cisco/amp/clamav/daily.cvd").exists
    manifest = host.file(QUARANTINE + "/manifest.jsonl")
    assert manifest.exists, "no manifest"
    records = [json.loads(line) for line in manifest.content_string.splitlines() if line.strip()]
    mine = [r for r in records if r["path"] == "/opt/cisco/amp/clamav/daily.cvd"]
    assert len(mine) == 1, records
    injected = host.file("/var/tmp/se-injected-daily.sha256").content_string.strip()
    kept = host.file(mine[0]["quarantined_as"])
    assert kept.exists and kept.user == "root" and kept.mode == 0o600
    assert mine[0]["sha256"] == injected == kept.sha256sum
    assert mine[0]["reason"] and mine[0]["size"] == kept.size
    qdir = host.file(QUARANTINE)
    assert qdir.user == "root" and qdir.mode == 0o700


@pytest.mark.preserved
def test_fault7_valid_definitions_untouched(host):
    for name in sorted(os.listdir(SHIPPED)):
        if not name.endswith(".cvd"):
            continue
        with open(os.path.join(SHIPPED, name), "rb") as fh:
            want = hashlib.sha256(fh.read()).hexdigest()
        assert host.file("/opt/cisco/amp/clamav/" + name).sha256sum == want


def test_fault11_headers_package_of_the_running_kernel(host):
    release = host.run("uname -r").stdout.strip()
    if is_ellike(host):
        assert host.run("rpm -q kernel-devel-%s" % release).rc == 0
        assert host.file("/usr/src/kernels/" + release).is_directory
    else:
        assert host.run("dpkg-query -W -f '${Status}' linux-headers-%s" % release).stdout == "install ok installed"
        assert host.file("/usr/src/linux-headers-" + release).is_directory


def _store(host):
    rows = [ln.split() for ln in host.run("semodule --list-modules=full").stdout.splitlines()]
    return [r for r in rows if len(r) >= 3 and r[1].lower() == "cisco-secure-bpf"]


def test_fault19_module_enabled_by_its_exact_name(host):
    rows = _store(host)
    assert rows and all("disabled" not in r for r in rows), rows
    if is_ellike(host):
        # The installer's spelling was enabled as it is, not shadowed by a second module of ours.
        assert [r[1] for r in rows] == ["Cisco-Secure-BPF"], rows
    else:
        assert [r[1] for r in rows] == ["cisco-secure-bpf"], rows


@pytest.mark.preserved
def test_selinux_not_weakened(host):
    config = host.file("/etc/selinux/config").content_string
    assert "SELINUX=enforcing" in config.splitlines()


@pytest.mark.preserved
def test_login_defs_byte_identical_and_no_backup_in_etc(host):
    assert host.file("/etc/login.defs").sha256sum == host.file(BASELINE_LOGIN_DEFS).sha256sum
    assert login_defs_value(host, "USERGROUPS_ENAB") == "no"
    assert beside(host, "/etc/login.defs") == [], "backups belong in the state directory"


@pytest.mark.preserved
def test_connector_not_upgraded_and_running(host):
    # A newer stand-in (1.24.4) is in the repositories: the reinstall must keep the installed one.
    assert package_version(host) == baseline(host)["version"] == "1.24.3"
    if is_ellike(host):
        offered = host.run("dnf -q repoquery --qf '%{version}' ciscoampconnector").stdout.split()
    else:
        offered = host.run("apt-cache madison ciscoampconnector").stdout
    assert "1.24.4" in offered, "the test bed must offer a newer version for this check to mean anything"
    assert service_state(host) == "active"


def test_state_dir_private_and_journal_empty(host):
    state = host.file(STATE_DIR)
    assert state.is_directory and state.user == "root" and state.mode == 0o700
    assert host.file(STATE_DIR + "/journal").mode == 0o700
    assert journal_entries(host) == []
    assert host.run("find %s/backups -type f" % STATE_DIR).stdout.strip() == ""
