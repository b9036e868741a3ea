"""After two killed runs, a check run and a last run: the host is as before, byte for byte, and
each kill happened where it had to. Each check fails on the injected hosts (negative control)
except the ones marked `preserved`."""
import json
import os

import pytest

from se_testinfra import (BASELINE_LOGIN_DEFS, SCAN, STATE_DIR, ampcli_status, baseline, beside, fault_ids,
                          host_name, journal_entries, package_version, service_state)


def _run(name):
    path = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "killed", name + ".json")
    assert os.path.exists(path), "run %s was not recorded" % name
    with open(path) as handle:
        run = json.load(handle)
    # Ansible's YAML output wraps long messages: compare words, not line breaks.
    run["output"] = " ".join(run["output"].split())
    return run


def test_first_run_killed_while_usergroups_enab_was_yes(host):
    run = _run("1-login_defs")
    state = run["states"][host_name(host)]
    assert run["killed"] and not run["group_left"], (run.get("group_members_left"), run["output"][-2000:])
    assert state["usergroups_enab"] == "yes" and state["service"] == "active"
    assert any("login_defs_key" in e for e in state["journal"])


def test_second_run_repaired_then_killed_while_the_connector_was_stopped(host):
    first = set(_run("1-login_defs")["after"][host_name(host)]["journal"])
    run = _run("2-stopped")
    state = run["states"][host_name(host)]
    assert run["killed"] and not run["group_left"], (run.get("group_members_left"), run["output"][-2000:])
    assert state["service"] != "active" and any("service_stopped" in e for e in state["journal"])
    # Run 2 repaired and forgot run 1's entry first, then made (and journaled) the change again.
    assert first and not first & set(state["journal"]), (first, state["journal"])
    assert any("login_defs_key" in e for e in state["journal"])


def test_check_run_says_what_it_would_repair_and_changes_nothing(host):
    run = _run("3-check")
    before = _run("2-stopped")["after"][host_name(host)]
    after = run["after"][host_name(host)]
    assert run["rc"] == 0, run["output"][-3000:]
    assert "would repair: " in run["output"]
    assert after == before, "the --check run changed the host: %r -> %r" % (before, after)


def test_last_run_repaired_and_fixed(host):
    run = _run("4-complete")
    assert run["rc"] == 0, run["output"][-3000:]
    assert "started (it was stopped by an interrupted run)" in run["output"]
    assert fault_ids(ampcli_status(host)) == []


def test_accounts_byte_identical_to_the_healthy_host(host):
    for name in ("passwd", "group"):
        assert host.file("/etc/" + name).sha256sum == host.file("/var/tmp/se-healthy/" + name).sha256sum, name
    assert host.group(SCAN).exists and host.user(SCAN).group == SCAN


@pytest.mark.preserved
def test_login_defs_byte_identical_to_before_the_first_run(host):
    assert host.file("/etc/login.defs").sha256sum == host.file(BASELINE_LOGIN_DEFS).sha256sum
    assert beside(host, "/etc/login.defs") == []
    assert host.run("find /etc -maxdepth 1 -name '.login.defs*'").stdout.strip() == ""


@pytest.mark.preserved
def test_connector_version_kept_and_running(host):
    assert package_version(host) == baseline(host)["version"] == "1.24.3"
    assert service_state(host) == "active"


def test_nothing_left_in_the_journal(host):
    assert host.file(STATE_DIR + "/journal").is_directory
    assert journal_entries(host) == []
    assert host.run("find %s/backups -type f" % STATE_DIR).stdout.strip() == ""
