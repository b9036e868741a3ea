"""End to end: events published to the broker -> the real ansible-rulebook -> remediation on the host.

Fault 11 (headers of the running kernel removed) is injected on both containers by prepare.yml. The
checks read the host's own state (package database, the headers directory) as well as the connector;
tests/test_hosts_fixed.py checks the hosts again afterwards. The tests run in order and share one broker
and one rulebook process.
"""
import base64
import json
import os
import re
import time
import urllib.request

import pytest
import se_negative_control
import testinfra

from broker import Broker  # tests/eda (conftest.py)
from publish import Publisher, fault_event
from rulebook_process import Rulebook
from se_testinfra import ampcli_status, fault_ids, is_ellike, package_version
from secure_endpoint_api import DEFAULT_CREDENTIALS, FakeSecureEndpointAPI  # tests/fake_api

# The negative control (end of prepare.yml) runs only the host checks, on the faulty hosts.
pytestmark = pytest.mark.skipif(se_negative_control.active(), reason="drives the rulebook: not a host check")

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
WORK = os.path.join(TOP, ".testbed", "eda", "e2e")
DEBIAN, ELLIKE = "events-debian12", "events-ellike"
FAULT_TYPES = [2164260931, 1090519107, 553648195, 553648196]
RUN_WAIT = 420  # one remediation run on a loaded 2-core machine


def fault11_gone(name):
    """The running kernel's headers are installed (package and directory) and the connector agrees."""
    h = testinfra.get_host("podman://%s" % name)
    release = h.run("uname -r").stdout.strip()
    if is_ellike(h):
        installed = (h.run("rpm -q kernel-devel-%s" % release).rc == 0
                     and h.file("/usr/src/kernels/%s" % release).is_directory)
    else:
        installed = (package_version(h, "linux-headers-%s" % release) is not None
                     and h.file("/usr/src/linux-headers-%s" % release).is_directory)
    return installed and 11 not in fault_ids(ampcli_status(h))


def create_event_stream(settings):
    """amqp_credentials from POST /v1/event_streams (the fake API hands out our broker's)."""
    amqp = {k: settings[k] for k in ("host", "user_name", "password")}
    amqp.update(port=str(settings["port"]), queue_name="event_stream_{id}")
    client_id = next(iter(DEFAULT_CREDENTIALS))
    auth = base64.b64encode(("%s:%s" % (client_id, DEFAULT_CREDENTIALS[client_id]["api_key"])).encode()).decode()
    with FakeSecureEndpointAPI(amqp=amqp) as api:
        request = urllib.request.Request(
            api.url + "/v1/event_streams", method="POST",
            data=json.dumps({"name": "ansible-fault-remediation", "event_type": FAULT_TYPES}).encode(),
            headers={"Authorization": "Basic " + auth, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 201
            return json.load(answer)["data"]["amqp_credentials"]


@pytest.fixture(scope="module")
def broker():
    node = Broker(os.path.join(WORK, "broker"))
    node.prepare()
    try:
        node.start()
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="module")
def stream(broker):
    """The event stream's credentials; its queue exists before anyone consumes it, as the console's does."""
    credentials = create_event_stream(broker.settings)
    with Publisher(broker.settings) as pub:
        pub.declare(credentials["queue_name"])
    return credentials


@pytest.fixture(scope="module")
def rulebook(broker, stream):
    inventory = {"all": {
        "vars": {"ansible_connection": "containers.podman.podman", "secure_endpoint_become": False,
                 "secure_endpoint_write_report": False, "secure_endpoint_selinux_reload": False},
        "hosts": {DEBIAN: {}, ELLIKE: {}}}}
    variables = {"secure_endpoint_amqp_%s" % key: stream[key]
                 for key in ("host", "port", "user_name", "password", "queue_name")}
    variables["secure_endpoint_events_ca_path"] = broker.settings["ca_path"]
    rb = Rulebook(WORK, inventory, variables)
    try:
        # "connected again": a first attempt may fail while a loaded machine still starts the broker.
        rb.wait_for(r"amqp: (consuming|connected again to) amqps://se-stream@127\.0\.0\.1:%s/ queue %s"
                    % (stream["port"], stream["queue_name"]))
        yield rb
    finally:
        rb.stop()  # also when it never got ready: no ansible-rulebook is left behind


def publish(broker, stream, *bodies):
    with Publisher(broker.settings) as pub:
        for body in bodies:
            pub.publish(stream["queue_name"], body)


def settled(broker, stream, quiet=5, timeout=60):
    """Every message taken and settled, then a few quiet seconds for anything that would follow."""
    deadline = time.monotonic() + timeout
    while broker.queue_counts(stream["queue_name"]) != (0, 0):
        assert time.monotonic() < deadline, broker.queue_counts(stream["queue_name"])
        time.sleep(0.5)
    time.sleep(quiet)


def test_negative_control_no_event_no_remediation(rulebook):
    """Without an event nothing runs and the fault stays: the check used below fails on these hosts."""
    time.sleep(5)
    assert rulebook.runs(DEBIAN) == rulebook.runs(ELLIKE) == 0
    assert not fault11_gone(DEBIAN)
    assert not fault11_gone(ELLIKE)


def test_fault_cleared_reports_and_runs_nothing(broker, stream, rulebook):
    publish(broker, stream, fault_event(ELLIKE, "cleared"))
    rulebook.wait_for(r"secure_endpoint: Fault Cleared on %s .*report only, no remediation run" % ELLIKE)
    settled(broker, stream)
    assert rulebook.runs(ELLIKE) == 0
    assert not fault11_gone(ELLIKE)


def test_bad_input_is_logged_and_changes_nothing(broker, stream, rulebook):
    publish(broker, stream, b'{"event_type_id": 1090519107, "computer": {"hostname": "events-ellike"',
            fault_event(ELLIKE, "major", event_type_id=1090519054, event_type="Threat Detected"),
            fault_event("eda-ghost-host", "critical"))
    rulebook.wait_for(r"dropped: message is not JSON")
    rulebook.wait_for(r"dropped: event type 1090519054 \(Threat Detected\) is not a connector fault event type")
    rulebook.wait_for(r"Could not match supplied host pattern, ignoring: eda-ghost-host", timeout=RUN_WAIT)
    settled(broker, stream)
    assert rulebook.runs(ELLIKE) == rulebook.runs(DEBIAN) == 0
    assert not fault11_gone(ELLIKE)


def test_broker_gone_and_back(broker, rulebook):
    broker.stop()
    try:
        rulebook.wait_for(r"amqp: connection to amqps://se-stream@127\.0\.0\.1:\d+/ queue event_stream_\d+ lost")
        rulebook.wait_for(r"amqp: cannot reach the broker at 127\.0\.0\.1:\d+: .*; reconnecting in")
    finally:
        broker.start()
    rulebook.wait_for(r"amqp: connected again to amqps://se-stream@127\.0\.0\.1")
    assert rulebook.proc.poll() is None


def test_storms_of_raised_events_one_run_per_host_faults_gone(broker, stream, rulebook):
    """20 Fault Raised for one host and 5 for the other: one run each (side by side), both fixed."""
    kinds = ["critical", "major", "minor", "major"]
    publish(broker, stream, *[fault_event(DEBIAN, kinds[i % 4]) for i in range(20)],
            *[fault_event(ELLIKE, kinds[i % 4]) for i in range(5)])
    rulebook.wait_for(r"^%s\s*: ok=" % DEBIAN, timeout=RUN_WAIT)
    rulebook.wait_for(r"^%s\s*: ok=" % ELLIKE, timeout=RUN_WAIT)
    settled(broker, stream, quiet=10)
    text = rulebook.text()
    assert (rulebook.runs(DEBIAN), rulebook.runs(ELLIKE)) == (1, 1), text[-5000:]
    assert len(re.findall(r"Fault Raised \(fault_raised\) for host %s " % DEBIAN, text)) == 20
    assert len(re.findall(r"Fault Raised \(fault_raised\) for host %s " % ELLIKE, text)) == 5
    assert fault11_gone(DEBIAN)
    assert fault11_gone(ELLIKE)
    assert rulebook.proc.poll() is None
