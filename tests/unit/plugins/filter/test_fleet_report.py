# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import yaml

from ansible_collections.secure_endpoint.linux.plugins.filter import fleet_report, fleet_report_markdown
from ansible_collections.secure_endpoint.linux.plugins.module_utils import fault_rules


def facts(reported=None, **extra):
    inputs = {"installed": True, "reported": reported or {}, "context": {"install_dir": "/opt/cisco/amp",
                                                                         "log_dir": "/var/log/cisco"}}
    inputs.update(extra)
    result = {"installed": True, "version": "1.24.3", "service": {"state": "running"},
              "faults": fault_rules.build_faults(inputs), "errors": []}
    return {"ansible_facts": {"secure_endpoint": result}}


HOSTVARS = {
    "web1": facts({18: "Major"}),
    "web2": facts(),
    "db1": facts(accounts={"name": "cisco-amp-scan-svc", "user": False, "group": True}),
    "ghost": {"ansible_facts": {}, "gather": {"unreachable": True, "msg": "ssh: timeout"}},
    "broken": {"ansible_facts": {}, "gather": {"failed": True, "msg": "interpreter not found"}},
    "cached": {"ansible_facts": {}},
}


def test_report_structure():
    hosts = sorted(HOSTVARS)
    report = fleet_report.fleet_report(HOSTVARS, hosts, hosts, "2024-06-19T14:00:00Z", "gather")
    assert report["generated_at"] == "2024-06-19T14:00:00Z"
    assert report["unreachable"] == ["ghost"]
    assert report["failed"] == [{"host": "broken", "msg": "interpreter not found"}]
    assert report["no_facts"] == ["cached"]
    summary = report["summary"]
    assert (summary["hosts"], summary["with_facts"], summary["hosts_with_active_faults"]) == (6, 3, 2)
    assert summary["active_faults"]["18"] == 1 and summary["active_faults"]["5"] == 1
    assert report["hosts"]["ghost"] is None and report["hosts"]["web2"]["installed"]


def test_hosts_that_left_the_play_are_unreachable_without_a_result_var():
    report = fleet_report.fleet_report(HOSTVARS, ["web1", "web2"], ["web1"])
    assert report["unreachable"] == ["web2"] and report["hosts"]["web2"] is None


def test_markdown():
    hosts = sorted(HOSTVARS)
    text = fleet_report_markdown.fleet_report_markdown(
        fleet_report.fleet_report(HOSTVARS, hosts, hosts, None, "gather"))
    assert "Hosts: 6, with facts: 3, unreachable: 1, failed: 1, without facts: 1, with active faults: 2" in text
    assert ("| web1 | 18 | Connector event monitoring overloaded | Major | no | reported_by_connector | no "
            "| secure_endpoint.linux.event_overload |") in text
    assert ("| db1 | 5 | Scan service user unavailable | no | yes | scan_user_missing | yes "
            "| secure_endpoint.linux.scan_user |") in text
    assert "| ghost | unreachable | | | | |" in text
    assert "| broken | failed: interpreter not found | | | | |" in text
    assert "### Fault 18 on web1" in text and "1. Review the most active processes in the evidence." in text
    assert "## Unreachable hosts\n\n- ghost" in text


def test_markdown_escapes_pipes():
    hostvars = {"h|1": facts({18: "Major"})}
    text = fleet_report_markdown.fleet_report_markdown(fleet_report.fleet_report(hostvars, ["h|1"]))
    assert "| h\\|1 | 18 |" in text


def test_empty_fleet():
    text = fleet_report_markdown.fleet_report_markdown(fleet_report.fleet_report({}, []))
    assert "## Active faults\n\nNone." in text


def test_docs_are_yaml():
    for module in (fleet_report, fleet_report_markdown):
        for block in (module.DOCUMENTATION, module.EXAMPLES, module.RETURN):
            assert yaml.safe_load(block)
        assert list(module.FilterModule().filters()) == [yaml.safe_load(module.DOCUMENTATION)["name"]]


class CountingHostvars(dict):
    """hostvars counting how often a host's variables are built (each costs a full variable merge)."""

    def __init__(self, *a, **kw):
        super(CountingHostvars, self).__init__(*a, **kw)
        self.reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return dict.__getitem__(self, key)


def test_each_host_is_read_once_for_the_document():
    from ansible_collections.secure_endpoint.linux.plugins.filter import report_document
    hostvars = CountingHostvars((h, dict(v, secure_endpoint_remediation={"status": "no active fault"}))
                                for h, v in HOSTVARS.items())
    report_document.report_document(hostvars, sorted(hostvars), sorted(hostvars), kind="remediation",
                                    result_var="gather")
    assert hostvars.reads == len(hostvars)


def test_redaction_copies_only_what_it_changes():
    from ansible_collections.secure_endpoint.linux.plugins.module_utils import fleet_report as fr
    top = [{"pid": 1, "cmdline": "/bin/tool --secret s"}, {"pid": 2, "cmdline": "/bin/idle"}]
    source = facts({18: "Major"}, top_processes=top)["ansible_facts"]["secure_endpoint"]
    source["top_processes"] = top
    out = fr.redact_facts(source)
    assert out is not source and out["faults"]["5"] is source["faults"]["5"] and out["service"] is source["service"]
    assert out["faults"]["18"] is not source["faults"]["18"]
    assert [p["cmdline"] for p in out["top_processes"]] == ["/bin/tool <redacted>", "/bin/idle"]
    assert top[0]["cmdline"] == "/bin/tool --secret s"  # the input is not changed
    healthy = facts()["ansible_facts"]["secure_endpoint"]
    assert fr.redact_facts(healthy) is healthy  # nothing to redact: nothing copied
    assert fr.redact_facts(None) is None
