# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import stat

import pytest
import yaml

from ansible.errors import AnsibleActionFail, AnsibleError

from ansible_collections.secure_endpoint.linux.plugins.action import write_report
from ansible_collections.secure_endpoint.linux.plugins.module_utils import fault_rules
from ansible_collections.secure_endpoint.linux.plugins.modules import write_report as docs
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import report_document
from ansible_collections.secure_endpoint.linux.tests.unit.plugins.plugin_utils.report_fixtures import RawHostvars

CONTEXT = {"install_dir": "/opt/cisco/amp", "log_dir": "/var/log/cisco", "service": "cisco-amp"}
TOP = [{"pid": 42, "comm": "backup", "cpu_percent": 93.0, "cmdline": "/usr/bin/backup --password hunter2 /srv"}]


def facts(reported=None, top=None):
    faults = fault_rules.build_faults({"installed": True, "reported": reported or {}, "context": CONTEXT,
                                       "top_processes": top or []})
    return {"installed": True, "version": "1.24.3", "service": {"state": "running"}, "faults": faults,
            "errors": [], "top_processes": top or []}


def hostvars():
    healthy = facts()
    overloaded = facts({18: "Major"}, TOP)
    return RawHostvars({
        "web1": {"ansible_facts": {"secure_endpoint": healthy},
                 "secure_endpoint_remediation": rs.host_result(healthy["faults"])},
        "web2": {"ansible_facts": {"secure_endpoint": overloaded},
                 "secure_endpoint_remediation": rs.host_result(overloaded["faults"], overloaded["faults"], ["18"],
                                                               ["18"])},
        "ghost": {"ansible_facts": {}, "secure_endpoint_remediation": rs.unreachable_result("timed out")},
    })


def run(make_action, args, hostvars_=None, check_mode=False, **task_vars):
    hv = hostvars() if hostvars_ is None else hostvars_
    action = make_action(write_report.ActionModule, args, check_mode)
    variables = {"hostvars": hv, "ansible_play_hosts_all": sorted(hv), "ansible_play_hosts": sorted(hv),
                 "ansible_check_mode": check_mode, "playbook_dir": "/nonexistent/playbooks"}
    variables.update(task_vars)
    return action.run(task_vars=variables), hv


def test_writes_the_document_0600_in_a_0700_directory(make_action, tmp_path):
    out = tmp_path / "reports"
    result, hv = run(make_action, {"kind": "remediation", "dir": str(out)})
    assert sorted(hv.reads) == ["ghost", "web1", "web2"]  # each host's variables read once
    assert stat.S_IMODE(os.stat(str(out)).st_mode) == 0o700
    assert result["files"] == dict((key, str(out / ("secure_endpoint_remediation" + suffix)))
                                   for key, suffix in (("json", ".json"), ("md", ".md"), ("html", ".html"),
                                                       ("junit", ".junit.xml")))
    for path in result["files"].values():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(result["files"]["json"]) as handle:
        document = json.load(handle)
    assert document["schema"] == 2 and document["kind"] == "remediation" and document["check_mode"] is False
    assert document["summary"] == result["summary"] and result["summary"]["statuses"] == {
        "no_active_fault": 1, "needs_person": 1, "unreachable": 1}
    assert document["generated_at"] == result["generated_at"] and result["changed"] is False
    # the document of the one builder (less the time stamp), through JSON as it is
    plain = dict((h, dict.__getitem__(hv, h)) for h in hv)
    expected = report_document.document(report_document.read_hosts(plain, sorted(plain), None, "secure_endpoint_remediation"),
                                        sorted(plain), sorted(plain), document["generated_at"], "remediation")
    assert document == json.loads(json.dumps(expected))
    assert "hunter2" not in open(result["files"]["json"]).read()
    assert "| web2 | needs a person | 18: needs a person | 18 (needs a person) | - |" in open(result["files"]["md"]).read()
    assert result["lines"] == ["ghost: unreachable - error in connection", "web1: no active fault",
                               "web2: needs a person - 18: needs a person"]
    assert result["hosts_failed"] == {"ghost": "Remediation could not reach the host: connection: timed out"}


def test_journal_kept_and_a_busy_host_fail_the_run_with_why(make_action, tmp_path):
    hv = hostvars()
    healthy = dict.__getitem__(hv, "web1")
    healthy["secure_endpoint_remediation"] = rs.host_result(
        healthy["ansible_facts"]["secure_endpoint"]["faults"],
        journal_kept=[{"entry": "journal/1.json", "reason": "not ours", "backup": "/b/1", "manual_steps": ["look"]}])
    dict.__getitem__(hv, "ghost")["secure_endpoint_remediation"] = rs.lock_busy_result("pid 7 holds the host")
    result, _hv = run(make_action, {"kind": "remediation", "dir": str(tmp_path)}, hostvars_=hv)
    assert result["hosts_failed"] == {
        "ghost": "Not remediated, another run holds the host: pid 7 holds the host",
        "web1": "Journal entries kept for a person: journal/1.json (not ours; backup /b/1). Steps: 1. look"}
    assert result["summary"]["statuses"] == {"lock_busy": 1, "needs_person": 2}
    assert result["summary"]["hosts_with_journal_kept"] == 1
    for key in ("md", "html", "junit"):
        with open(result["files"][key]) as handle:
            text = handle.read()
        assert "journal/1.json" in text and "pid 7 holds the host" in text, key


def test_command_lines_kept_when_asked_and_check_mode_recorded(make_action, tmp_path):
    result, _hv = run(make_action, {"kind": "facts", "dir": str(tmp_path), "command_lines": True}, check_mode=True)
    with open(result["files"]["json"]) as handle:
        document = json.load(handle)
    assert document["check_mode"] is True and document["kind"] == "facts" and "remediation" not in document
    assert "hunter2" in document["hosts"]["web2"]["top_processes"][0]["cmdline"]
    assert result["lines"] == [] and os.path.basename(result["files"]["json"]) == "secure_endpoint_facts.json"
    assert result["hosts_failed"] == {}


def test_relative_dir_is_under_the_playbook_directory(make_action, tmp_path):
    result, _hv = run(make_action, {"dir": "out/reports"}, playbook_dir=str(tmp_path))
    assert result["dir"] == str(tmp_path / "out" / "reports") and os.path.isfile(result["files"]["md"])


def test_relative_dir_inside_an_installed_collection_is_refused(make_action, tmp_path):
    collection = tmp_path / "ansible_collections" / "secure_endpoint" / "linux"
    (collection / "playbooks").mkdir(parents=True)
    (collection / "MANIFEST.json").write_text(u"{}")
    with pytest.raises(AnsibleError, match="secure_endpoint_report_dir is relative .* installed collection "
                                           "secure_endpoint.linux"):
        run(make_action, {"dir": "secure_endpoint_reports"}, playbook_dir=str(collection / "playbooks"))
    assert not (collection / "playbooks" / "secure_endpoint_reports").exists()
    # not written: nothing to check
    result, _hv = run(make_action, {"dir": "secure_endpoint_reports", "write": False},
                      playbook_dir=str(collection / "playbooks"))
    assert result["dir"] is None and result["files"] == {} and result["msg"].endswith("report not written")


def test_a_fifo_in_place_of_a_report_file_is_an_error_and_left_alone(make_action, tmp_path):
    fifo = tmp_path / "secure_endpoint_facts.md"
    os.mkfifo(str(fifo))
    with pytest.raises(AnsibleError, match="is a FIFO, not a regular file"):
        run(make_action, {"dir": str(tmp_path)})
    assert stat.S_ISFIFO(os.lstat(str(fifo)).st_mode)
    link = tmp_path / "link"
    os.symlink(str(tmp_path), str(link))
    with pytest.raises(AnsibleError, match="cannot be used"):
        run(make_action, {"dir": str(link)})


def test_a_report_replaces_the_previous_one(make_action, tmp_path):
    first, _hv = run(make_action, {"dir": str(tmp_path)})
    os.chmod(first["files"]["json"], 0o644)
    second, _hv = run(make_action, {"dir": str(tmp_path)}, hostvars_=RawHostvars({"solo": {"ansible_facts": {}}}))
    with open(second["files"]["json"]) as handle:
        assert json.load(handle)["summary"]["hosts"] == 1
    assert stat.S_IMODE(os.stat(second["files"]["json"]).st_mode) == 0o600
    assert sorted(os.listdir(str(tmp_path))) == ["secure_endpoint_facts.html", "secure_endpoint_facts.json",
                                                 "secure_endpoint_facts.junit.xml", "secure_endpoint_facts.md"]


def test_formats_chosen_and_unknown_ones_fail(make_action, tmp_path):
    result, _hv = run(make_action, {"dir": str(tmp_path), "formats": ["json"]})
    assert result["files"]["md"] is None and json.load(open(result["files"]["json"]))["schema"] == 2
    assert os.listdir(str(tmp_path)) == ["secure_endpoint_facts.json"]
    with pytest.raises(AnsibleActionFail, match="formats"):
        run(make_action, {"dir": str(tmp_path), "formats": ["pdf"]})
    with pytest.raises(AnsibleActionFail):
        run(make_action, {"dir": str(tmp_path), "write": "maybe"})


def test_the_json_file_is_the_document_and_stays_valid_with_odd_values(make_action, tmp_path):
    hv = hostvars()
    facts = dict.__getitem__(hv, "web1")["ansible_facts"]["secure_endpoint"]
    facts["errors"] = [u"undecodable \udcff byte", (1, 2), {3}]
    result, _hv = run(make_action, {"dir": str(tmp_path), "formats": ["json"]}, hostvars_=hv)
    raw = open(result["files"]["json"], "rb").read()
    raw.decode("ascii")  # \udcff and the rest escaped
    assert json.loads(raw.decode())["hosts"]["web1"]["errors"] == [u"undecodable \udcff byte", [1, 2], [3]]
    assert raw.startswith(b'{\n    "check_mode": false,\n')


def test_documentation_matches_the_argument_spec():
    doc = yaml.safe_load(docs.DOCUMENTATION)
    assert doc["module"] == "write_report"
    assert sorted(doc["options"]) == sorted(write_report.ARGUMENT_SPEC)
    for name, option in write_report.ARGUMENT_SPEC.items():
        assert doc["options"][name]["type"] == option["type"], name
        assert doc["options"][name].get("default") == option.get("default"), name
        assert doc["options"][name].get("choices") == option.get("choices"), name
    assert yaml.safe_load(docs.EXAMPLES) and yaml.safe_load(docs.RETURN)
