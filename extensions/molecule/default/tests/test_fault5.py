"""After the injection: the scan group is really missing and the stand-in reports fault 5."""
import re

SCAN = "cisco-amp-scan-svc"


def _status(host):
    out = host.run("timeout 10 /opt/cisco/amp/bin/ampcli status")
    assert out.rc == 0, out.stderr
    return out.stdout


def test_os_family_as_built(host):
    release = host.file("/etc/os-release").content_string
    if host.backend.get_hostname().endswith("ellike"):
        assert 'ID="rhel"' in release and host.exists("dnf")
        assert host.run("rpm -q ciscoampconnector").rc == 0
    else:
        assert 'ID=debian' in release
        assert host.run("dpkg -s ciscoampconnector").rc == 0


def test_usergroups_enab_is_no(host):
    lines = [ln.split() for ln in host.file("/etc/login.defs").content_string.splitlines()]
    values = [ln[1] for ln in lines if len(ln) >= 2 and ln[0] == "USERGROUPS_ENAB"]
    assert values == ["no"]


def test_scan_group_missing_user_present(host):
    assert not host.group(SCAN).exists
    assert host.user(SCAN).exists
    # useradd fell back to the default group: the user's primary group is not its own.
    assert host.user(SCAN).group != SCAN


def test_ampcli_reports_fault_5(host):
    out = _status(host)
    assert re.search(r"^Fault IDs: .*\b5\b", out, re.M), out
    assert re.search(r"^ID 5 - (Major|Critical): ", out, re.M), out
    assert "Mode: " in out
