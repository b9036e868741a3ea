"""After remediation: every injected condition is gone, nothing was lost or weakened."""
import hashlib
import os

SCAN = "cisco-amp-scan-svc"
HERE = os.path.dirname(os.path.abspath(__file__))
SHIPPED = os.path.join(HERE, "..", "..", "..", "..", "tests", "unit", "data", "clamav")


def test_check_mode_changed_no_file(host):
    verdict = host.file("/var/tmp/se-checkmode.verdict")
    assert verdict.exists, "the --check run was not compared"
    diff = host.file("/var/tmp/se-checksums.diff").content_string
    assert verdict.content_string.strip() == "unchanged", diff[:2000]


def test_connector_reports_no_fault(host):
    out = host.run("timeout 10 /opt/cisco/amp/bin/ampcli status")
    assert out.rc == 0
    assert "Faults: None" in out.stdout, out.stdout


def test_fault5_user_group_and_login_defs_restored(host):
    assert host.group(SCAN).exists
    assert host.user(SCAN).exists and host.user(SCAN).group == SCAN
    # The original line is back (the injected "no"): the fix changed it only for the install.
    lines = [ln.split() for ln in host.file("/etc/login.defs").content_string.splitlines()]
    assert [ln[1] for ln in lines if len(ln) >= 2 and ln[0] == "USERGROUPS_ENAB"] == ["no"]


def test_fault5_directory_modes(host):
    for d in ["/opt/cisco", "/opt/cisco/amp", "/opt/cisco/amp/etc", "/opt/cisco/amp/bin"]:
        f = host.file(d)
        assert f.is_directory and not f.is_symlink
        assert f.mode == 0o755, "%s is %o" % (d, f.mode)


def test_fault7_quarantined_not_deleted(host):
    assert not host.file("/opt/cisco/amp/clamav/daily.cvd").exists
    found = host.run("find /var/lib/secure_endpoint/quarantine -name '*daily.cvd' -type f")
    assert found.rc == 0 and found.stdout.strip(), "the invalid file was not kept in quarantine"
    qdir = host.file("/var/lib/secure_endpoint/quarantine")
    assert qdir.user == "root" and qdir.mode & 0o077 == 0
    manifests = host.run("find /var/lib/secure_endpoint/quarantine -name 'manifest*' -type f").stdout.split()
    assert manifests
    text = "".join(host.file(m).content_string for m in manifests)
    assert "daily.cvd" in text and "sha256" in text and "reason" in text


def test_fault7_valid_definitions_untouched(host):
    for name in sorted(os.listdir(SHIPPED)):
        if not name.endswith(".cvd"):
            continue
        with open(os.path.join(SHIPPED, name), "rb") as fh:
            want = hashlib.sha256(fh.read()).hexdigest()
        assert host.file("/opt/cisco/amp/clamav/" + name).sha256sum == want


def test_fault11_headers_of_running_kernel(host):
    release = host.run("uname -r").stdout.strip()
    if host.exists("rpm") and host.file("/etc/redhat-release").exists:
        assert host.file("/usr/src/kernels/" + release).is_directory
    else:
        assert host.file("/usr/src/linux-headers-" + release).is_directory


def test_fault19_module_installed_and_selinux_not_weakened(host):
    listing = host.run("semodule --list-modules=full").stdout
    rows = [ln.split() for ln in listing.splitlines()]
    mine = [r for r in rows if len(r) >= 2 and r[1].lower() == "cisco-secure-bpf"]
    assert mine and "disabled" not in mine[0], listing
    config = host.file("/etc/selinux/config").content_string
    assert "SELINUX=enforcing" in config.splitlines()
