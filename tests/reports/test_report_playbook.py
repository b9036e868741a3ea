# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End to end, without containers: playbooks/report.yml writes the report of facts held in a
fact cache (jsonfile, filled by Ansible from the fixture's facts) through the collection's report
tasks, run from a directory that is not the checkout and without PWD; the HTML page in the
browser shows what the JSON written by the same run says, the JUnit file reads in junitparser,
every file is 0600 in a 0700 directory."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

import pytest
from junitparser import JUnitXml

from conftest import TOP
from test_html_browser import PWNED, READ, screenshot

FIXTURE = os.path.join(TOP, "tests", "unit", "data", "reports", "facts.json")
NAMES = ("json", "md", "html", "junit.xml")


# Ansible itself fills the fact cache (set_fact cacheable, no connection): its file format is
# its own business.
CACHE_PLAY = """
- name: Put each host's facts in the fact cache
  hosts: all
  gather_facts: false
  tasks:
    - name: Cache the facts
      ansible.builtin.set_fact:
        secure_endpoint: "{{ lookup('ansible.builtin.file', facts_dir ~ '/' ~ inventory_hostname ~ '.json') | from_json }}"
        cacheable: true
      when: inventory_hostname in with_facts
"""


def playbook(args, cwd, env):
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook")] + args,
                         cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300, check=False)
    assert out.returncode == 0, out.stdout.decode()[-4000:]


@pytest.fixture(scope="module")
def run():
    with open(FIXTURE) as handle:
        fixture = json.load(handle)
    work = tempfile.mkdtemp(prefix="rep-report-playbook-")
    cache, facts_dir, reports, cwd = (os.path.join(work, d) for d in ("cache", "facts", "reports", "cwd"))
    for d in (cache, facts_dir, cwd):
        os.makedirs(d)
    hosts = {}
    for host, facts in fixture["hosts"].items():
        name = "host%d" % len(hosts) if host.startswith("evil") else host  # a name an inventory takes
        if facts is not None:
            # Ansible refuses undecodable text in JSON it reads: the fixture's lone surrogate goes.
            facts = json.loads(json.dumps(facts).replace("\\udcff", "?"))
            with open(os.path.join(facts_dir, name + ".json"), "w") as handle:
                json.dump(facts, handle)
        hosts[name] = facts
    inventory = os.path.join(work, "inventory.json")
    with open(inventory, "w") as handle:
        json.dump({"all": {"hosts": dict((h, {"ansible_connection": "local"}) for h in hosts)}}, handle)
    with open(os.path.join(work, "cache.yml"), "w") as handle:
        handle.write(CACHE_PLAY)
    env = dict(os.environ, ANSIBLE_CACHE_PLUGIN="jsonfile", ANSIBLE_CACHE_PLUGIN_CONNECTION=cache,
               ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".build", "collections"), ANSIBLE_NOCOLOR="1")
    env.pop("PWD", None)
    playbook(["-i", inventory, os.path.join(work, "cache.yml"), "-e", "facts_dir=" + facts_dir,
              "-e", json.dumps({"with_facts": [h for h, f in hosts.items() if f is not None]})], cwd, env)
    playbook(["-i", inventory, os.path.join(TOP, "playbooks", "report.yml"),
              "-e", "secure_endpoint_report_dir=" + reports], cwd, env)
    yield {"hosts": hosts, "reports": reports, "cwd": cwd}
    shutil.rmtree(work)


def path(run, ext):
    return os.path.join(run["reports"], "secure_endpoint_facts." + ext)


def test_files_private_and_nothing_in_the_working_directory(run):
    assert stat.S_IMODE(os.stat(run["reports"]).st_mode) == 0o700
    assert sorted(os.listdir(run["reports"])) == sorted("secure_endpoint_facts." + n for n in NAMES)
    for name in NAMES:
        assert stat.S_IMODE(os.stat(path(run, name)).st_mode) == 0o600, name
    assert os.listdir(run["cwd"]) == []


def test_html_shows_the_json_of_the_same_run(run, browser, artifacts):
    with open(path(run, "json")) as handle:
        doc = json.load(handle)
    assert doc["schema"] == 2 and doc["kind"] == "facts"
    assert sorted(doc["no_facts"]) == sorted(h for h, f in run["hosts"].items() if f is None)
    browser.get("file://" + path(run, "html"))
    page = browser.execute_script(READ, list(PWNED))
    screenshot(browser, artifacts, "report-playbook")
    summary = doc["summary"]
    assert page["counts"]["hosts"] == str(summary["hosts"]) == str(len(run["hosts"]))
    assert page["counts"]["with_facts"] == str(summary["with_facts"])
    assert page["counts"]["hosts_with_active_faults"] == str(summary["hosts_with_active_faults"])
    assert page["faults"] == dict((k, str(v)) for k, v in summary["active_faults"].items())
    assert sorted(r["host"] for r in page["rows"]) == sorted(run["hosts"])
    assert page["pwned"] == dict((k, "undefined") for k in PWNED) and page["scripts"] == 1


def test_junit_of_the_same_run(run):
    with open(path(run, "json")) as handle:
        doc = json.load(handle)
    xml = JUnitXml.fromfile(path(run, "junit.xml"))
    xml.update_statistics()
    assert xml.tests == 9 * len(run["hosts"])
    assert xml.failures == sum(doc["summary"]["active_faults"].values())
    assert xml.skipped == 9 * doc["summary"]["no_facts"] and xml.errors == 0
