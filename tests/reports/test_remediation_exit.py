# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end, without containers: the summary play of playbooks/remediate.yml, as it is, over
hosts whose remediation entries are the fixture's (as role remediate leaves them). The run exits
non-zero and fails exactly the hosts that are not done (failed, unreachable, held by another run)
or kept journal entries for a person, each with why; a run whose hosts are fixed, partly fixed or
need a person for a fault exits 0. What the report files say of those hosts is the same."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml
from junitparser import Error, Failure, JUnitXml

from conftest import TOP

FIXTURE = os.path.join(TOP, "tests", "unit", "data", "reports", "remediation.json")
RECAP = re.compile(r"^(\S+)\s+: ok=\d+\s+changed=\d+\s+unreachable=\d+\s+failed=(\d+)", re.M)


def summary_play(hosts, work):
    """Run the last play of remediate.yml over ``hosts`` (name -> remediation entry); ``(rc, output, dir)``."""
    with open(os.path.join(TOP, "playbooks", "remediate.yml")) as handle:
        plays = yaml.safe_load(handle)
    play = os.path.join(work, "summary.yml")
    with open(play, "w") as handle:
        json.dump(plays[-1:], handle)  # JSON is YAML
    inventory = os.path.join(work, "inventory.json")
    with open(inventory, "w") as handle:
        json.dump({"all": {"hosts": dict((h, {"secure_endpoint_remediation": e}) for h, e in hosts.items()),
                           "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}},
                  handle)
    reports = os.path.join(work, "reports")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".build", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="false")
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, play,
                          "-e", "secure_endpoint_report_dir=" + reports], cwd=work, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=300, check=False)
    return out.returncode, out.stdout.decode("utf-8", "replace"), reports


@pytest.fixture
def work():
    path = tempfile.mkdtemp(prefix="rep-remediation-exit-")
    yield path
    shutil.rmtree(path)


def fixture_hosts(names=None):
    with open(FIXTURE) as handle:
        remediation = json.load(handle)["remediation"]
    # the hostile name is no inventory name; the renderers' own tests cover it
    return dict((h, e) for h, e in remediation.items() if not h.startswith("evil") and (names is None or h in names))


def test_the_run_fails_the_hosts_not_done_or_with_journal_kept(work):
    hosts = fixture_hosts()
    rc, output, reports = summary_play(hosts, work)
    assert rc == 2, output[-4000:]
    failed = set(h for h, n in RECAP.findall(output) if int(n))
    assert failed == {"app1", "app2", "ghost", "busy1", "kept1"}, output[-4000:]
    assert "Not remediated, another run holds the host: another run holds the host: pid 4711" in output
    assert "Journal entries kept for a person: journal/1764000000-login_defs_key.json" in output
    assert "Remediation could not reach the host: connection: ssh: connect to host ghost" in output
    assert "part1: partly fixed - 7: not attempted; 11: fixed" in output
    # every file says the same of the hosts the run failed
    with open(os.path.join(reports, "secure_endpoint_remediation.json")) as handle:
        doc = json.load(handle)
    assert doc["remediation"]["kept1"]["status"] == "needs_person" and doc["remediation"]["busy1"]["status"] == "lock_busy"
    assert doc["summary"]["hosts_with_journal_kept"] == 1
    with open(os.path.join(reports, "secure_endpoint_remediation.md")) as handle:
        md = handle.read()
    assert "| busy1 | not done: another run holds the host |" in md and "- kept1: journal/1764000000" in md
    xml = JUnitXml.fromfile(os.path.join(reports, "secure_endpoint_remediation.junit.xml"))
    bad = set(case.classname for suite in xml for case in suite
              if any(isinstance(r, (Failure, Error)) for r in case.result))
    assert failed <= bad and "part1" in bad and "web1" not in bad
    with open(os.path.join(reports, "secure_endpoint_remediation.html")) as handle:
        assert "Journal kept for a person" in handle.read()


def test_fixed_partly_fixed_and_a_fault_needing_a_person_exit_zero(work):
    rc, output, _reports = summary_play(fixture_hosts(["web1", "part1", "db1", "late1"]), work)
    assert rc == 0, output[-4000:]
    assert not [h for h, n in RECAP.findall(output) if int(n)]
