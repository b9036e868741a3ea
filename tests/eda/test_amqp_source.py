# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault_events source against a real RabbitMQ node over TLS (Debian's rabbitmq-server)."""
from __future__ import annotations

import logging
import os
import time

import pytest

from publish import Publisher, fault_event
from source_runner import SourceRunner, wait_until


def args_for(broker, queue_name, **extra):
    s = broker.settings
    args = {"host": s["host"], "port": s["port"], "user_name": s["user_name"], "password": s["password"],
            "queue_name": queue_name, "ca_path": s["ca_path"], "reconnect_delay": 0.2, "reconnect_max_delay": 1,
            "timeout": 10}
    args.update(extra)
    return args


def messages(caplog, text):
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


@pytest.fixture(autouse=True)
def info_logs(caplog):
    caplog.set_level(logging.INFO, logger="secure_endpoint.linux.fault_events")


def test_fault_events_in_order_others_dropped(broker, queue_name, caplog):
    with Publisher(broker.settings) as pub:
        pub.publish(queue_name, fault_event("web1", "critical"))
        pub.publish(queue_name, b'{"event_type_id": 1090519107, "computer": {"hostname": ')  # cut short
        pub.publish(queue_name, fault_event("web1", "major", event_type_id=1090519054, event_type="Threat Detected"))
        pub.publish(queue_name, fault_event("ghost*", "major"))
        pub.publish(queue_name, "plain text, not JSON".encode())
        pub.publish(queue_name, fault_event("db1", "minor"))
        pub.publish(queue_name, fault_event("web1", "cleared"))
    with SourceRunner(args_for(broker, queue_name, hostnames=["hostname"])) as run:
        items = run.wait_for(3)
        wait_until(lambda: broker.queue_counts(queue_name) == (0, 0), what="queue settled")
    got = [(i["meta"]["hosts"], i["secure_endpoint"]["kind"], i["secure_endpoint"]["severity"]) for i in items]
    assert got == [("web1", "fault_raised", "critical"), ("db1", "fault_raised", "minor"),
                   ("web1", "fault_cleared", None)]
    assert len(messages(caplog, "dropped: message is not JSON")) == 2
    assert messages(caplog, "dropped: event type 1090519054 (Threat Detected) is not a connector fault")
    assert messages(caplog, "names no usable host")
    assert broker.settings["password"] not in caplog.text


def test_unacked_message_is_delivered_again(broker, queue_name):
    """The source dies while handing an event over: the broker keeps the message and redelivers it."""
    with Publisher(broker.settings) as pub:
        pub.publish(queue_name, fault_event("web2", "major"))
    with SourceRunner(args_for(broker, queue_name), hold=True):
        wait_until(lambda: broker.queue_counts(queue_name) == (0, 1), what="message delivered, not acked")
    # The source stopped (cancelled mid-put): its connection is gone, the message is ready again.
    assert wait_until(lambda: broker.queue_counts(queue_name) == (1, 0), what="message requeued")
    with SourceRunner(args_for(broker, queue_name)) as run:
        items = run.wait_for(1)
        wait_until(lambda: broker.queue_counts(queue_name) == (0, 0), what="queue settled")
    assert [i["meta"]["hosts"] for i in items] == ["web2"]
    assert items[0]["secure_endpoint"]["redelivered"] is True


def test_broker_going_away_and_coming_back(broker, queue_name, caplog):
    """Clear lines while the broker is gone, reconnection after, and an unacked event handed over again."""
    with Publisher(broker.settings) as pub:
        pub.publish(queue_name, fault_event("web3", "major"))
    with SourceRunner(args_for(broker, queue_name), hold=True) as run:
        wait_until(lambda: broker.queue_counts(queue_name) == (0, 1), what="message delivered, not acked")
        broker.stop()
        try:
            run.release()  # the put completes, the ack cannot: the connection is gone
            wait_until(lambda: messages(caplog, "cannot reach the broker at 127.0.0.1"), what="refused line")
        finally:
            broker.start()
        wait_until(lambda: messages(caplog, "connected again to amqps://se-stream@127.0.0.1"), what="reconnected")
        with Publisher(broker.settings) as pub:
            pub.publish(queue_name, fault_event("web4", "minor"))
        items = run.wait_for(3)
        wait_until(lambda: broker.queue_counts(queue_name) == (0, 0), what="queue settled")
    hosts = [i["meta"]["hosts"] for i in items]
    # At least once: web3 handed over before the broker went away, and again after (its ack was lost).
    assert hosts == ["web3", "web3", "web4"], hosts
    assert items[1]["secure_endpoint"]["redelivered"] is True
    assert messages(caplog, "connection to amqps://se-stream@127.0.0.1:%d/ queue %s lost"
                    % (broker.settings["port"], queue_name))


def test_missing_queue_is_named_then_found(broker, caplog):
    name = "event_stream_not_yet_%d" % os.getpid()
    with SourceRunner(args_for(broker, name)) as run:
        wait_until(lambda: messages(caplog, "queue %s does not exist" % name), what="missing queue line")
        with Publisher(broker.settings) as pub:
            pub.declare(name)
            pub.publish(name, fault_event("web5", "critical"))
        items = run.wait_for(1)
        with Publisher(broker.settings) as pub:
            pub.delete(name)
    assert [i["meta"]["hosts"] for i in items] == ["web5"]


@pytest.mark.parametrize("change, line", [
    ({"password": "wrong-password"}, "the broker refused the login of user se-stream"),
    ({"ca_path": None}, "not trusted"),
])
def test_bad_credentials_and_untrusted_certificate(broker, queue_name, caplog, change, line):
    args = args_for(broker, queue_name)
    args.update(change)
    with Publisher(broker.settings) as pub:
        pub.publish(queue_name, fault_event("web6", "major"))
    with SourceRunner(args) as run:
        wait_until(lambda: messages(caplog, line), what=line)
        time.sleep(0.5)
        assert run.queue.snapshot() == []
    assert broker.queue_counts(queue_name) == (1, 0)  # nothing taken, nothing lost
    assert "wrong-password" not in caplog.text
