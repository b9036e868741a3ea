"""What a failed remediation leaves behind: a clear error, and the host as it was (bytes of
login.defs, passwd and group, both package databases, the connector's service not restarted,
no journal entry). Each check fails on the injected hosts (negative control) except `preserved`."""
import json

import pytest

from se_testinfra import SCAN, baseline, host_name, package_version


def _outcome(host, case):
    f = host.file("/var/tmp/se-failures-%s.json" % case)
    assert f.exists, "converge did not record the %s case" % case
    return json.loads(f.content_string)


def _unchanged(outcome):
    before, after = outcome["before"].splitlines(), outcome["after"].splitlines()
    assert before == after, "\n".join(sorted(set(before) ^ set(after)))


def test_version_in_no_repository_is_a_clear_error(host):
    out = _outcome(host, "norepo")
    assert out["error"], "the reinstall of a version no repository offers did not fail"
    assert "1.24.3" in out["error"] and "no configured repository offers that version" in out["error"]
    assert "1.24.4" in out["error"], "the message says what the repositories offer"


def test_version_in_no_repository_changed_nothing_and_restarted_nothing(host):
    _unchanged(_outcome(host, "norepo"))


def test_lock_that_stays_is_named(host):
    out = _outcome(host, "lock-stays")
    assert out["error"], "a held package manager lock did not stop the fix"
    assert "se_lock_holder.py" in out["error"] and "pid %d" % out["holder_pid"] in out["error"]
    assert "waited 5 s" in out["error"]
    _unchanged(out)


def test_lock_that_goes_away_is_waited_for(host):
    out = _outcome(host, "lock-goes")
    assert out["error"] is None, out["error"]
    assert out["holders"] and "se_lock_holder.py" in out["holders"][0]["process"]
    assert out["waited"] >= 3, "the fix did not wait for the lock (%s s)" % out["waited"]
    # Reinstalled, same version (apt VERSION or rpm E:V-R), and the package database agrees.
    assert out["version"] and out["version"] == out["version_before"]
    assert package_version(host) == baseline(host)["version"]


def test_fault5_fixed_once_the_lock_was_free(host):
    # (The connector itself cannot answer any more: the last case broke its unit on purpose.)
    assert host.group(SCAN).exists and host.user(SCAN).group == SCAN


def test_headers_failure_names_the_package(host):
    out = _outcome(host, "headers")
    assert out["error"] and "kernel-headers-nosuch-0.0.0" in out["error"]
    _unchanged(out)


@pytest.mark.preserved
def test_connector_never_upgraded(host):
    assert package_version(host) == baseline(host)["version"] == "1.24.3"


def test_connector_not_coming_back_is_reported(host):
    f = host.file("/var/tmp/se-broken-run.json")
    assert f.exists, "the broken-connector run was not recorded"
    run = json.loads(f.content_string)
    name = host_name(host)
    assert run["rc"] != 0, "a host whose connector does not start must fail the run"
    lines = [ln for ln in run["stdout"].splitlines() if name in ln and "failed" in ln]
    assert lines, run["stdout"][-3000:]
    assert "cisco-amp" in run["stdout"]
