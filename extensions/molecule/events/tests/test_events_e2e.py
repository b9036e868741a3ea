"""End to end: events published to the broker -> the real ansible-rulebook -> remediation on the host.

Fault 11 (headers of the running kernel removed) is injected on both containers by prepare.yml. The
checks read the host's own state (package database, the headers directory) as well as the connector.
The tests run in order and share one broker and one rulebook process.
"""
import json
import os
import re
import signal
import subprocess
import time

import pytest
import testinfra

from broker import Broker  # tests/eda (conftest.py)
from publish import Publisher, fault_event

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
WORK = os.path.join(TOP, ".testbed", "eda", "e2e")
DEBIAN, ELLIKE = "events-debian12", "events-ellike"
QUEUE = "event_stream_e2e"
RUN_WAIT = 420  # one remediation run on a loaded 2-core machine


def host(name):
    return testinfra.get_host("podman://%s" % name)


def fault11_gone(name):
    """The running kernel's headers are installed (package and directory) and the connector agrees."""
    h = host(name)
    release = h.run("uname -r").stdout.strip()
    # The EL-like image is a Debian rootfs (docs/TESTBED.md): ask its rpm database, not dpkg's.
    if not h.file("/etc/redhat-release").exists:
        pkg = h.run("dpkg-query -W -f='${Status}' linux-headers-%s" % release).stdout
        installed = "install ok installed" in pkg and h.file("/usr/src/linux-headers-%s" % release).is_directory
    else:
        installed = (h.run("rpm -q kernel-devel-%s" % release).rc == 0
                     and h.file("/usr/src/kernels/%s" % release).is_directory)
    status = h.run("timeout 10 /opt/cisco/amp/bin/ampcli status")
    return installed and status.rc == 0 and not re.search(r"^ID 11 - ", status.stdout, re.M)


class Rulebook:
    """ansible-rulebook with the collection's rulebook, its output in a log file."""

    def __init__(self, settings):
        os.makedirs(WORK, exist_ok=True)
        self.log_path = os.path.join(WORK, "rulebook.log")
        inventory = {"all": {
            "vars": {"ansible_connection": "containers.podman.podman", "secure_endpoint_become": False,
                     "secure_endpoint_fleet_report": False, "secure_endpoint_selinux_reload": False},
            "hosts": {DEBIAN: {}, ELLIKE: {}}}}
        variables = {"secure_endpoint_amqp_host": settings["host"], "secure_endpoint_amqp_port": settings["port"],
                     "secure_endpoint_amqp_user_name": settings["user_name"],
                     "secure_endpoint_amqp_password": settings["password"],
                     "secure_endpoint_amqp_queue_name": QUEUE, "secure_endpoint_events_ca_path": settings["ca_path"]}
        for name, data in (("inventory.yml", inventory), ("vars.yml", variables)):
            with open(os.path.join(WORK, name), "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.chmod(os.path.join(WORK, name), 0o600)
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "tests", "testbed", "ansible.cfg"),
                   ANSIBLE_FORCE_COLOR="0", NO_COLOR="1", PYTHONUNBUFFERED="1")
        self.log = open(self.log_path, "wb")  # pylint: disable=consider-using-with
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            ["ansible-rulebook", "-i", "inventory.yml", "-r", "secure_endpoint.linux.fault_remediation",
             "--vars", "vars.yml", "-v"], cwd=WORK, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)

    def text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def runs(self, name):
        """Remediation runs on host ``name``: its PLAY RECAP lines."""
        return len(re.findall(r"^%s\s*: ok=" % re.escape(name), self.text(), re.M))

    def wait_for(self, pattern, timeout=120, count=1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "ansible-rulebook exited:\n" + self.text()[-5000:]
            if len(re.findall(pattern, self.text(), re.M)) >= count:
                return
            time.sleep(1)
        raise AssertionError("no %r in the rulebook log after %s s:\n%s" % (pattern, timeout, self.text()[-5000:]))

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


@pytest.fixture(scope="module")
def broker():
    node = Broker(os.path.join(WORK, "broker"))
    node.prepare()
    node.start()
    with Publisher(node.settings) as pub:
        pub.declare(QUEUE)  # the event stream's queue exists before anyone consumes it
    yield node
    node.stop()


@pytest.fixture(scope="module")
def rulebook(broker):
    rb = Rulebook(broker.settings)
    rb.wait_for(r"amqp: consuming amqps://se-stream@127\.0\.0\.1:%d/ queue %s" % (broker.settings["port"], QUEUE))
    yield rb
    rb.stop()


def publish(broker, *bodies):
    with Publisher(broker.settings) as pub:
        for body in bodies:
            pub.publish(QUEUE, body)


def settled(broker, quiet=5, timeout=60):
    """Every message taken and settled, then a few quiet seconds for anything that would follow."""
    deadline = time.monotonic() + timeout
    while broker.queue_counts(QUEUE) != (0, 0):
        assert time.monotonic() < deadline, broker.queue_counts(QUEUE)
        time.sleep(0.5)
    time.sleep(quiet)


def test_negative_control_no_event_no_remediation(rulebook):
    """Without an event nothing runs and the fault stays: the check used below fails on these hosts."""
    time.sleep(10)
    assert rulebook.runs(DEBIAN) == rulebook.runs(ELLIKE) == 0
    assert not fault11_gone(DEBIAN)
    assert not fault11_gone(ELLIKE)


def test_fault_cleared_reports_and_runs_nothing(broker, rulebook):
    publish(broker, fault_event(ELLIKE, "cleared"))
    rulebook.wait_for(r"secure_endpoint: Fault Cleared on %s .*report only, no remediation run" % ELLIKE)
    settled(broker)
    assert rulebook.runs(ELLIKE) == 0
    assert not fault11_gone(ELLIKE)


def test_bad_input_is_logged_and_changes_nothing(broker, rulebook):
    publish(broker, b'{"event_type_id": 1090519107, "computer": {"hostname": "events-ellike"',
            fault_event(ELLIKE, "major", event_type_id=1090519054, event_type="Threat Detected"),
            fault_event("eda-ghost-host", "critical"))
    rulebook.wait_for(r"dropped: message is not JSON")
    rulebook.wait_for(r"dropped: event type 1090519054 \(Threat Detected\) is not a connector fault event type")
    rulebook.wait_for(r"Could not match supplied host pattern, ignoring: eda-ghost-host", timeout=RUN_WAIT)
    settled(broker)
    assert rulebook.runs(ELLIKE) == rulebook.runs(DEBIAN) == 0
    assert not fault11_gone(ELLIKE)


def test_broker_gone_and_back(broker, rulebook):
    broker.stop()
    try:
        rulebook.wait_for(r"amqp: connection to amqps://se-stream@127\.0\.0\.1:\d+/ queue %s lost" % QUEUE)
        rulebook.wait_for(r"amqp: cannot reach the broker at 127\.0\.0\.1:\d+: .*; reconnecting in")
    finally:
        broker.start()
    rulebook.wait_for(r"amqp: connected again to amqps://se-stream@127\.0\.0\.1")
    assert rulebook.proc.poll() is None


def test_storms_of_raised_events_one_run_per_host_faults_gone(broker, rulebook):
    """20 Fault Raised for one host and 5 for the other: one run each (side by side), both fixed."""
    kinds = ["critical", "major", "minor", "major"]
    publish(broker, *[fault_event(DEBIAN, kinds[i % 4]) for i in range(20)],
            *[fault_event(ELLIKE, kinds[i % 4]) for i in range(5)])
    rulebook.wait_for(r"^%s\s*: ok=" % DEBIAN, timeout=RUN_WAIT)
    rulebook.wait_for(r"^%s\s*: ok=" % ELLIKE, timeout=RUN_WAIT)
    settled(broker, quiet=10)
    text = rulebook.text()
    assert (rulebook.runs(DEBIAN), rulebook.runs(ELLIKE)) == (1, 1), text[-5000:]
    assert len(re.findall(r"Fault Raised \(fault_raised\) for host %s " % DEBIAN, text)) == 20
    assert len(re.findall(r"Fault Raised \(fault_raised\) for host %s " % ELLIKE, text)) == 5
    assert fault11_gone(DEBIAN)
    assert fault11_gone(ELLIKE)
    assert rulebook.proc.poll() is None
