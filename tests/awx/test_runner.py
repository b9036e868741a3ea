# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's playbooks run through ansible-runner, the process AWX / AAP runs jobs with.

A fleet of three hosts over SSH (tests/testbed/fleet.sh up 3 --ssh --prefix awx-runner-):
awx-runner-01 (Debian) gets fault 5 injected for real, awx-runner-02 (EL-like) and
awx-runner-03 (Debian) stay healthy. A private data dir laid out as AWX lays it out: project/
with playbooks that import the collection's playbooks by FQCN, inventory/, env/ssh_key (the
machine credential, loaded by runner into an ssh-agent), env/envvars naming the installed
collection artifact (.build/installed, as an execution environment would hold it).
Every run is `env -u PWD ansible-runner run ...` from an empty directory.

  1. gather_facts: successful, rc 0; each host's job events; the report reachable from the
     stats' artifact_data (set_stats), 0700/0600, where env/extravars put it; fault 5 active on
     01 only, in the report and in runner's fact cache; the host itself lacks the scan group.
  2. remediate with awx-runner-03 frozen (podman pause: it accepts TCP, never answers):
     failed, rc != 0 (AWX marks the job failed); an unreachable event for 03; the report still
     published, 01 fixed, 02 without fault, 03 unreachable; 01 now has the group and the
     connector itself reports no fault.
  3. gather_facts again with 03 back: successful, no active fault anywhere.
"""

from __future__ import (absolute_import, division, print_function)

import glob
import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BED = os.path.join(REPO, ".testbed")
PREFIX = "awx-runner-"
FLEET = os.path.join(BED, "fleets", PREFIX.rstrip("-"))
HOSTS = ["awx-runner-01", "awx-runner-02", "awx-runner-03"]
FAULTY, HEALTHY, FROZEN = HOSTS
INSTALLED = os.path.join(REPO, ".build", "installed")
SCAN_GROUP = "cisco-amp-scan-svc"
ENV = dict(os.environ, CONTAINERS_CONF=os.path.join(REPO, "tests", "testbed", "containers.conf"))
BIN = os.path.dirname(sys.executable)


def podman(*args, check=True):
    return subprocess.run(["podman"] + list(args), env=ENV, capture_output=True, text=True, timeout=120, check=check)


def host_has_group(host, group=SCAN_GROUP):
    return podman("exec", host, "getent", "group", group, check=False).returncode == 0


@pytest.fixture(scope="module")
def fleet():
    if not os.path.isdir(os.path.join(INSTALLED, "ansible_collections", "secure_endpoint", "linux")):
        pytest.fail("no installed collection artifact in %s: run 'make build'" % INSTALLED)
    subprocess.run(["bash", os.path.join(REPO, "tests", "testbed", "fleet.sh"), "up", str(len(HOSTS)), "--ssh",
                    "--prefix", PREFIX], env=ENV, check=True, timeout=900)
    inject = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "-i", os.path.join(FLEET, "inventory.podman.yml"), "-l", FAULTY,
         os.path.join(REPO, "tests", "testbed", "inject", "fault_5.yml")],
        env=dict(ENV, ANSIBLE_CONFIG=os.path.join(REPO, "tests", "testbed", "ansible.cfg"),
                 ANSIBLE_COLLECTIONS_PATH=INSTALLED),
        capture_output=True, text=True, timeout=600, check=False)
    assert inject.returncode == 0, inject.stdout[-3000:] + inject.stderr[-2000:]
    yield FLEET
    podman("unpause", FROZEN, check=False)
    if not os.environ.get("SE_KEEP_FLEET"):
        subprocess.run(["bash", os.path.join(REPO, "tests", "testbed", "fleet.sh"), "down", "--prefix", PREFIX],
                       env=ENV, check=False, timeout=300)


@pytest.fixture(scope="module")
def private_data_dir(fleet, tmp_path_factory):
    """A private data dir as AWX writes it for a job: project, inventory, credential, env."""
    pdd = tmp_path_factory.mktemp("runner")
    (pdd / "project").mkdir()
    for name in ("gather_facts", "remediate"):
        (pdd / "project" / ("%s.yml" % name)).write_text(
            "---\n- name: %s\n  ansible.builtin.import_playbook: secure_endpoint.linux.%s\n" % (name, name))
    with open(os.path.join(fleet, "inventory.yml")) as handle:
        inventory = yaml.safe_load(handle)
    # The credential comes from env/ssh_key (runner's ssh-agent), as AWX passes a machine credential.
    inventory["fleet"]["vars"].pop("ansible_ssh_private_key_file")
    (pdd / "inventory").mkdir()
    (pdd / "inventory" / "hosts.yml").write_text(yaml.safe_dump(inventory))
    (pdd / "env").mkdir()
    shutil.copy(os.path.join(fleet, "id_ed25519"), str(pdd / "env" / "ssh_key"))
    (pdd / "env" / "envvars").write_text(yaml.safe_dump({
        "ANSIBLE_COLLECTIONS_PATH": INSTALLED,
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_NOCOWS": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
    }))
    (pdd / "env" / "cmdline").write_text("--forks 8")
    # As docs/AWX.md tells job templates to: reports and evidence go where the job is told,
    # never into the installed collection (read-only in an EE) nor the current directory.
    (pdd / "env" / "extravars").write_text(yaml.safe_dump({
        "secure_endpoint_report_dir": str(pdd / "reports"),
        "secure_endpoint_evidence_dir": str(pdd / "evidence"),
    }))
    return pdd


class Job(object):
    """One finished ansible-runner job and its artifacts."""

    def __init__(self, pdd, ident):
        self.dir = os.path.join(str(pdd), "artifacts", ident)
        with open(os.path.join(self.dir, "status")) as handle:
            self.status = handle.read().strip()
        with open(os.path.join(self.dir, "rc")) as handle:
            self.rc = int(handle.read().strip())
        self.events = []
        for path in glob.glob(os.path.join(self.dir, "job_events", "*.json")):
            with open(path) as handle:
                self.events.append(json.load(handle))
        self.events.sort(key=lambda e: e["counter"])
        with open(os.path.join(self.dir, "stdout")) as handle:
            self.stdout = handle.read()

    def host_events(self, host, event):
        return [e for e in self.events if e["event"] == event and e.get("event_data", {}).get("host") == host]

    def stats(self):
        found = [e for e in self.events if e["event"] == "playbook_on_stats"]
        assert len(found) == 1, "no playbook_on_stats event"
        return found[0]["event_data"]

    def report(self):
        """The report AWX workflows read: set_stats -> artifact_data.secure_endpoint_report."""
        artifact = self.stats().get("artifact_data", {})
        assert "secure_endpoint_report" in artifact, "set_stats published no secure_endpoint_report: %s" % artifact
        return artifact["secure_endpoint_report"]

    def fact_cache(self, host):
        """A host's facts in runner's jsonfile fact cache (what AWX stores as the host's facts).

        ansible-core 2.19 names the file with a schema prefix (s1_<host>) and wraps the facts
        in a JSON string under __payload__; older releases wrote <host> with the facts as is.
        """
        names = [n for n in os.listdir(os.path.join(self.dir, "fact_cache")) if n == host or n.endswith("_" + host)]
        assert len(names) == 1, "no single fact cache entry for %s: %s" % (host, names)
        with open(os.path.join(self.dir, "fact_cache", names[0])) as handle:
            data = json.load(handle)
        return json.loads(data["__payload__"]) if "__payload__" in data else data


def run_job(pdd, playbook, ident):
    # AWX starts the job with no PWD of interest: unset it, and run from an empty directory that
    # must stay empty (nothing may depend on or be written to the current directory).
    cwd = os.path.join(str(pdd), "..", "%s-cwd-%s" % (os.path.basename(str(pdd)), ident))
    os.makedirs(cwd)
    proc = subprocess.run(["env", "-u", "PWD", os.path.join(BIN, "ansible-runner"), "run", str(pdd),
                           "-p", playbook, "--ident", ident],
                          cwd=cwd, env=ENV, capture_output=True, text=True, timeout=900, check=False)
    job = Job(pdd, ident)
    assert os.listdir(cwd) == [], "the job wrote into the current directory: %s" % os.listdir(cwd)
    assert proc.returncode == job.rc, (proc.returncode, job.rc)
    return job


def check_report_files(report, pdd, kind):
    assert report["kind"] == kind
    report_dir = os.path.realpath(report["dir"])
    assert report_dir == os.path.realpath(str(pdd / "reports")), "report not where the job said: %s" % report_dir
    assert stat.S_IMODE(os.stat(report_dir).st_mode) == 0o700
    files = dict((k, v) for k, v in report["files"].items() if v)
    assert "json" in files
    for path in files.values():
        assert os.path.dirname(os.path.realpath(path)) == report_dir
        assert stat.S_ISREG(os.lstat(path).st_mode)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    with open(files["json"]) as handle:
        document = json.load(handle)
    assert document["schema"] == 2 and document["kind"] == kind
    assert document["summary"] == report["summary"]
    return document


def active_faults(facts):
    return sorted(k for k, v in facts["faults"].items() if v["active"])


@pytest.fixture(scope="module")
def gather_job(private_data_dir):
    assert not host_has_group(FAULTY), "negative control: fault 5 was not injected on %s" % FAULTY
    return run_job(private_data_dir, "gather_facts.yml", "gather")


def test_gather_succeeds(gather_job):
    assert (gather_job.status, gather_job.rc) == ("successful", 0), gather_job.stdout[-3000:]


def test_gather_events_per_host(gather_job):
    for host in HOSTS:
        oks = gather_job.host_events(host, "runner_on_ok")
        assert any(e["event_data"].get("resolved_action") == "secure_endpoint.linux.connector_facts"
                   or e["event_data"].get("task_action") == "secure_endpoint.linux.connector_facts" for e in oks), \
            "no connector_facts result for %s in the job events" % host
        assert not gather_job.host_events(host, "runner_on_failed")
        assert not gather_job.host_events(host, "runner_on_unreachable")
    assert sorted(gather_job.stats()["ok"]) == HOSTS


def test_gather_report_from_set_stats(gather_job, private_data_dir):
    report = gather_job.report()
    document = check_report_files(report, private_data_dir, "facts")
    assert report["summary"]["hosts"] == len(HOSTS)
    assert report["summary"]["active_faults"].get("5") == 1
    assert active_faults(document["hosts"][FAULTY]) == ["5"]
    assert active_faults(document["hosts"][HEALTHY]) == []
    assert active_faults(document["hosts"][FROZEN]) == []


def test_gather_fact_cache(gather_job):
    facts = gather_job.fact_cache(FAULTY)
    se = facts.get("secure_endpoint") or facts.get("ansible_secure_endpoint")
    assert se and se["faults"]["5"]["active"]
    assert "scan_group_missing" in se["faults"]["5"]["causes"]


@pytest.fixture(scope="module")
def remediate_job(gather_job, private_data_dir):
    podman("pause", FROZEN)
    try:
        return run_job(private_data_dir, "remediate.yml", "remediate")
    finally:
        podman("unpause", FROZEN)


def test_remediate_fails_the_job_for_an_unreachable_host(remediate_job):
    assert remediate_job.status == "failed" and remediate_job.rc != 0, remediate_job.stdout[-3000:]
    assert remediate_job.host_events(FROZEN, "runner_on_unreachable")
    # The role keeps an unreachable host in the run (to report it) and fails it at the end.
    assert remediate_job.stats()["failures"].get(FROZEN)
    assert not any(remediate_job.stats()["failures"].get(h) for h in (FAULTY, HEALTHY))
    for host in (FAULTY, HEALTHY):
        assert remediate_job.host_events(host, "runner_on_ok")
        assert not remediate_job.host_events(host, "runner_on_unreachable")


def test_remediate_report_from_set_stats(remediate_job, private_data_dir):
    report = remediate_job.report()
    document = check_report_files(report, private_data_dir, "remediation")
    remediation = document["remediation"]
    assert remediation[FAULTY]["status"] == "fixed", remediation[FAULTY]
    assert [(f["fault"], f["status"]) for f in remediation[FAULTY]["faults"]] == [(5, "fixed")]
    assert remediation[HEALTHY]["status"] == "no_active_fault"
    assert remediation[FROZEN]["status"] == "unreachable"
    assert FROZEN in document["unreachable"]
    assert report["summary"]["unreachable"] == 1


def test_remediate_fixed_the_host_itself(remediate_job):
    assert host_has_group(FAULTY)
    status = podman("exec", FAULTY, "timeout", "10", "/opt/cisco/amp/bin/ampcli", "status").stdout
    assert "Faults: None" in status, status


def test_gather_after_remediation_is_clean(remediate_job, private_data_dir):
    job = run_job(private_data_dir, "gather_facts.yml", "gather-after")
    assert (job.status, job.rc) == ("successful", 0), job.stdout[-3000:]
    document = check_report_files(job.report(), private_data_dir, "facts")
    assert dict((h, active_faults(document["hosts"][h])) for h in HOSTS) == dict((h, []) for h in HOSTS)
