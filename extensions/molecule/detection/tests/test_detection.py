"""The facts snapshots taken after each injection, read back on each host."""
import json

import pytest

NINE = ["5", "6", "7", "8", "9", "11", "16", "18", "19"]
# case -> (fault, must our own probes see it, not only the connector's report?)
CASES = {
    "5-usergroups": ("5", True),
    "5-mode": ("5", True),
    "6": ("6", False),
    "7-definitions": ("7", True),
    "7-low_memory": ("7", True),
    "8": ("8", False),
    "9": ("9", False),
    "11": ("11", True),
    "16": ("16", False),
    "18": ("18", False),
    # A missing cisco-secure-bpf module is a condition of its own only where the base policy
    # lacks the rule (EL 7); on these EL 9 / Debian images only the connector's report says it.
    "19": ("19", False),
}


def _snapshot(host, case):
    f = host.file("/var/tmp/se-facts-%s.json" % case)
    assert f.exists, "no facts snapshot for case %s" % case
    return json.loads(f.content_string)


@pytest.mark.parametrize("case", sorted(CASES))
def test_exactly_the_injected_fault(host, case):
    fault, probed = CASES[case]
    facts = _snapshot(host, case)
    assert sorted(facts["faults"], key=int) == NINE
    active = [k for k, v in facts["faults"].items() if v["active"]]
    assert active == [fault]
    entry = facts["faults"][fault]
    assert entry["id"] == int(fault)
    assert entry["reported"] is True, "the stand-in's ampcli status reports it"
    if probed:
        assert entry["detected"] is True, "our own probes see the condition"
    assert entry["remediation"]["role"].startswith("secure_endpoint.linux.")
    assert facts["installed"] is True
    assert facts["version"] == "1.24.3"


def test_corrupt_definitions_named_with_reason(host):
    facts = _snapshot(host, "7-definitions")
    by_name = {d["path"].rsplit("/", 1)[-1]: d for d in facts["definitions"]}
    assert by_name["daily.cvd"]["valid"] is False
    assert by_name["daily.cvd"]["reason"]
    real = [d for n, d in by_name.items() if n.startswith("test-")]
    assert len(real) == 6 and all(d["valid"] for d in real)


def test_scan_group_cause_evidence(host):
    entry = _snapshot(host, "5-usergroups")["faults"]["5"]
    assert {"scan_group_missing", "usergroups_enab_no"} <= set(entry["causes"])
    assert "scan_user_missing" not in entry["causes"]
    assert len(entry["evidence"]) <= 20


def test_baseline_after_all_cases_is_clean(host):
    out = host.run("timeout 10 /opt/cisco/amp/bin/ampcli status")
    assert out.rc == 0 and "Faults: None" in out.stdout


def test_hostile_host_named_every_odd_path_and_blamed_nothing_else(host):
    facts = _snapshot(host, "hostile")
    for path in ("/etc/login.defs", "/etc/os-release", "/var/tmp/se-hostile/amp/etc/global.xml"):
        assert "cannot read %s: FIFO, not a regular file" % path in facts["errors"]
    assert [k for k, v in facts["faults"].items() if v["active"]] == ["7"]
    invalid = {d["path"].rsplit("/", 1)[-1]: d for d in facts["definitions"] if d["verdict"] == "invalid"}
    assert sorted(invalid) == ["pipe.cvd", "zero.cvd"]
    assert invalid["zero.cvd"]["link"] == "/dev/zero"
    assert invalid["zero.cvd"]["reason"] == "not a regular file (character device): the engine cannot load it"
    assert facts["login_defs"]["usergroups_enabled"] is None
    assert facts["definitions_unknown"] == []
    assert all(d["valid"] is (d["verdict"] == "valid") for d in facts["definitions"])
    assert facts["definitions_summary"]["invalid"] == 2 and facts["definitions_summary"]["complete"] is True


def test_hostile_case_left_the_host_as_it_was(host):
    # The host's own files are back, regular, with their content; no FIFO was left behind.
    login_defs = host.file("/etc/login.defs")
    assert login_defs.is_file and not login_defs.is_pipe
    assert "USERGROUPS_ENAB" in login_defs.content_string
    assert host.file("/etc/os-release").exists and not host.file("/etc/os-release").is_pipe
    assert "ID=" in host.file("/etc/os-release").content_string
    assert not host.file("/var/tmp/se-hostile").exists
    assert host.run("find /etc /opt /var/tmp /var/cache -xdev -type p").stdout.strip() == ""
