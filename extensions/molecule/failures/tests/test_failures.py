"""What a failed remediation leaves behind: a clear error, and nothing changed."""
import json


def _outcome(host):
    f = host.file("/var/tmp/se-failures.json")
    assert f.exists, "converge did not record its outcome"
    return json.loads(f.content_string)


def test_reinstall_failure_is_clear(host):
    err = _outcome(host)["reinstall_error"]
    assert err, "the reinstall from a missing package did not fail"
    assert "ciscoampconnector-nosuch" in err


def test_headers_failure_names_the_package(host):
    err = _outcome(host)["headers_error"]
    assert err, "installing a missing headers package did not fail"
    assert "kernel-headers-nosuch-0.0.0" in err


def test_login_defs_and_packages_unchanged(host):
    assert _outcome(host)["state_unchanged"] is True


def test_login_defs_original_line_back(host):
    lines = [ln.split() for ln in host.file("/etc/login.defs").content_string.splitlines()]
    assert [ln[1] for ln in lines if len(ln) >= 2 and ln[0] == "USERGROUPS_ENAB"] == ["no"]


def test_group_still_missing_and_reported(host):
    # Nothing pretended to succeed: the fault is still there for a person to see.
    assert not host.group("cisco-amp-scan-svc").exists
    out = _outcome(host)["ampcli_status"]
    assert "ID 5 - " in out and "ID 11 - " in out


def test_connector_not_coming_back_is_reported(host):
    run = json.loads(host.file("/var/tmp/se-broken-run.json").content_string)
    name = host.backend.get_hostname()
    assert run["rc"] != 0, "a host whose connector does not start must fail the run"
    lines = [ln for ln in run["stdout"].splitlines() if name in ln and "failed" in ln]
    assert lines, run["stdout"][-3000:]
    assert "cisco-amp" in run["stdout"]
