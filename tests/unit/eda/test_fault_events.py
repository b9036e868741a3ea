# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault_events source plugin without a broker: arguments, classification, settling messages."""
from __future__ import annotations

import asyncio
import json
import logging
import socket

import pytest

from ansible_collections.secure_endpoint.linux.extensions.eda.plugins.event_source import fault_events as fe

RAISED = {"critical": 2164260931, "major": 1090519107, "minor": 553648195}
CLEARED = 553648196
AMQP = {"host": "127.0.0.1", "port": 5671, "user_name": "se-stream", "password": "s3cret-pw",
        "queue_name": "event_stream_1"}


def computer(hostname="web1.example.com", ips=("10.0.0.11",), external="203.0.113.11"):
    return {"connector_guid": "guid-1", "hostname": hostname, "external_ip": external, "active": True,
            "network_addresses": [{"mac": "52:54:00:00:00:01", "ip": ip} for ip in ips]}


def event(type_id=RAISED["major"], **kwargs):
    payload = {"id": 1001, "timestamp": 1795503600, "date": "2026-11-24T07:00:00+00:00",
               "event_type": "Major Fault Raised", "event_type_id": type_id, "group_guids": ["g-1"],
               "computer": computer()}
    payload.update(kwargs)
    return payload


def cfg(**args):
    return fe.parse_args(dict(AMQP, **args), environ={})


# --- arguments --------------------------------------------------------------------------------

def test_defaults_and_templated_strings():
    c = fe.parse_args(dict(AMQP, port="5671", prefetch="5", validate_certs="false", heartbeat=None, mode=None),
                      environ={})
    assert (c.mode, c.port, c.prefetch, c.validate_certs, c.heartbeat) == ("amqp", 5671, 5, False, 60)
    assert c.hostnames == ["hostname", "internal_ip", "external_ip"]
    assert "s3cret-pw" not in c.describe_broker()


def test_amqp_needs_its_credentials():
    with pytest.raises(fe.SourceConfigError, match="mode amqp needs password, queue_name"):
        fe.parse_args({"host": "h", "user_name": "u"}, environ={})


def test_amqp_password_from_environment():
    c = fe.parse_args({k: v for k, v in AMQP.items() if k != "password"},
                      environ={"SECURE_ENDPOINT_AMQP_PASSWORD": "from-env"})
    assert c.password == "from-env"


@pytest.mark.parametrize("args, message", [
    ({"colour": "blue"}, "unknown argument"),
    ({"port": "seventy"}, "port must be a number"),
    ({"port": 70000}, "port must be between"),
    ({"hostnames": ["hostname", "mac"]}, "hostnames must be a list"),
    ({"mode": "kafka"}, "mode must be amqp or poll"),
    ({"validate_certs": "maybe"}, "validate_certs must be a boolean"),
    ({"ca_path": "/nonexistent/ca.pem"}, "ca_path"),
])
def test_bad_arguments_are_named(args, message):
    with pytest.raises(fe.SourceConfigError, match=message):
        cfg(**args)


def test_poll_arguments():
    env = {"SECURE_ENDPOINT_CLIENT_ID": "cid", "SECURE_ENDPOINT_API_KEY": "key"}
    c = fe.parse_args({"mode": "poll", "region": "eu"}, environ=env)
    assert (c.api_url, c.client_id, c.api_key) == ("https://api.eu.amp.cisco.com", "cid", "key")
    c = fe.parse_args({"mode": "poll", "api_url": "http://127.0.0.1:8080/", "client_id": "a", "api_key": "b"},
                      environ={})
    assert c.api_url == "http://127.0.0.1:8080"
    with pytest.raises(fe.SourceConfigError, match="client_id and api_key"):
        fe.parse_args({"mode": "poll"}, environ={})
    with pytest.raises(fe.SourceConfigError, match="region must be one of"):
        fe.parse_args({"mode": "poll", "region": "mars"}, environ=env)
    with pytest.raises(fe.SourceConfigError, match="api_url must be an http"):
        fe.parse_args({"mode": "poll", "api_url": "ftp://x"}, environ=env)


# --- classification ---------------------------------------------------------------------------

@pytest.mark.parametrize("type_id, kind, severity", [
    (2164260931, "fault_raised", "critical"), (1090519107, "fault_raised", "major"),
    (553648195, "fault_raised", "minor"), (553648196, "fault_cleared", None), ("1090519107", "fault_raised", "major"),
])
def test_fault_types(type_id, kind, severity):
    verdict = fe.classify(event(type_id), cfg(), "amqp")
    se = verdict.event["secure_endpoint"]
    assert (se["kind"], se["severity"], se["event_type_id"]) == (kind, severity, int(type_id))
    assert verdict.event["meta"] == {"hosts": "web1.example.com"}
    assert (se["host"], se["connector_guid"], se["internal_ips"], se["external_ip"]) == (
        "web1.example.com", "guid-1", ["10.0.0.11"], "203.0.113.11")
    assert se["event"] == event(type_id)  # kept as received


@pytest.mark.parametrize("payload, reason", [
    (event(1090519054, event_type="Threat Detected"), "event type 1090519054 (Threat Detected) is not a connector fault"),
    (event(None), "no numeric event_type_id"),
    (event(True), "no numeric event_type_id"),
    ([1, 2], "not a JSON object but list"),
    (event(computer=None), "names no usable host"),
    (event(computer={"hostname": "  ", "network_addresses": [{"ip": "fe80::1"}]}), "names no usable host"),
])
def test_dropped_with_a_reason(payload, reason):
    verdict = fe.classify(payload, cfg(), "amqp")
    assert verdict.event is None and reason in verdict.reason


@pytest.mark.parametrize("hostname", ["web*", "web1,db1", "host:22", "web[1:3]", "~web.*", "!web1", "&db",
                                      "all", "ALL", "ungrouped", "localhost"])
def test_host_patterns_are_never_used(hostname):
    """A name that Ansible would read as a pattern or a built-in group could widen the run."""
    payload = event(computer=computer(hostname=hostname, ips=(), external=None))
    payload["computer"].pop("connector_guid")
    verdict = fe.classify(payload, cfg(hostnames=["hostname", "short_hostname", "connector_guid"]), "amqp")
    assert verdict.event is None, verdict.event
    assert "names no usable host" in verdict.reason


def test_hostname_preferences_and_stray_spaces():
    payload = event(computer=computer(hostname="web 1", ips=(" fe80::1 ", " 10.0.0.12 "), external=" 203.0.113.5"))
    c = cfg(hostnames=["hostname", "internal_ip", "external_ip"])
    verdict = fe.classify(payload, c, "poll")
    assert verdict.event["meta"]["hosts"] == "203.0.113.5"  # IPv6 first address and a spaced name refused
    assert verdict.event["secure_endpoint"]["internal_ips"] == ["fe80::1", "10.0.0.12"]
    short = fe.classify(event(), cfg(hostnames=["short_hostname"]), "amqp")
    assert short.event["meta"]["hosts"] == "web1"
    by_guid = fe.classify(event(computer=computer(hostname=None)), cfg(hostnames=["hostname", "connector_guid"]), "amqp")
    assert by_guid.event["meta"]["hosts"] == "guid-1"
    by_default = fe.classify(event(computer=computer(hostname="")), cfg(), "amqp")
    assert by_default.event["meta"]["hosts"] == "10.0.0.11"


def test_decode_problems():
    c = cfg(max_message_bytes=1024)
    assert fe.decode(b'{"a": 1}', c) == ({"a": 1}, None)
    assert "not JSON" in fe.decode(b"{not json", c)[1]
    assert "not UTF-8" in fe.decode(b"\xff\xfe{}", c)[1]
    assert "larger than max_message_bytes" in fe.decode(b"x" * 2048, c)[1]


# --- settling AMQP messages ----------------------------------------------------------------------

class FakeChannel:
    def __init__(self, log):
        self.log = log

    async def basic_ack(self, tag):
        self.log.append(("ack", tag))

    async def basic_reject(self, tag, requeue=True):
        self.log.append(("reject", tag, requeue))


class ListQueue:
    def __init__(self, log, fail=None):
        self.log, self.fail, self.items = log, fail, []

    async def put(self, item):
        if self.fail:
            raise self.fail
        self.items.append(item)
        self.log.append(("put", item["secure_endpoint"]["host"]))


class Delivery:
    def __init__(self, tag, redelivered=False):
        self.delivery_tag, self.redelivered = tag, redelivered


class Message:
    def __init__(self, body, tag, channel, redelivered=False):
        self.body, self.delivery, self.channel = body, Delivery(tag, redelivered), channel


def settle(body, fail=None, redelivered=False):
    log = []
    queue = ListQueue(log, fail)
    message = Message(body if isinstance(body, bytes) else json.dumps(body).encode(), 7, FakeChannel(log),
                      redelivered)
    asyncio.run(fe.deliver(queue, message, cfg()))
    return log, queue.items


def test_fault_event_acked_after_put(caplog):
    caplog.set_level(logging.INFO, logger="secure_endpoint.linux.fault_events")
    log, items = settle(event(), redelivered=True)
    assert log == [("put", "web1.example.com"), ("ack", 7)]
    assert items[0]["secure_endpoint"]["redelivered"] is True
    assert "Major Fault Raised (fault_raised) for host web1.example.com" in caplog.text


def test_malformed_json_rejected_not_requeued(caplog):
    log, items = settle(b'{"event_type_id": 1090519107, "computer": ')
    assert log == [("reject", 7, False)] and items == []
    assert "amqp message 7: dropped: message is not JSON" in caplog.text


def test_unknown_type_acked_and_logged(caplog):
    log, items = settle(event(1090519054, event_type="Threat Detected"))
    assert log == [("ack", 7)] and items == []
    assert "is not a connector fault event type" in caplog.text


def test_not_acked_when_the_put_does_not_happen():
    """Cancelled while handing over (rulebook shutting down): no ack, the broker delivers it again."""
    with pytest.raises(asyncio.CancelledError):
        settle(event(), fail=asyncio.CancelledError())
    log = []
    with pytest.raises(RuntimeError):
        asyncio.run(fe.deliver(ListQueue(log, RuntimeError("queue gone")),
                               Message(json.dumps(event()).encode(), 3, FakeChannel(log)), cfg()))
    assert log == []


def test_main_retries_an_unreachable_broker_with_backoff(caplog):
    """Nothing listens: clear error lines, growing waits, never a crash; stops only when cancelled."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: connection refused
    args = dict(AMQP, port=port, reconnect_delay=0.05, reconnect_max_delay=0.2, timeout=2)

    def retries():
        return [r.getMessage() for r in caplog.records if "reconnecting in" in r.getMessage()]

    async def run():
        task = asyncio.ensure_future(fe.main(ListQueue([]), args))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20  # a loaded machine connects slowly; 3 attempts take < 1 s idle
        while len(retries()) < 4 and loop.time() < deadline:
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    lines = retries()
    assert len(lines) >= 3
    assert "cannot reach the broker at 127.0.0.1:%d" % port in lines[0]
    assert "reconnecting in 0.1 s" in lines[1] and "reconnecting in 0.2 s" in lines[-1]
    assert "s3cret-pw" not in caplog.text


# --- the documentation is the reference: it must say what the code does ---------------------------

def test_documentation_matches_the_code():
    import yaml

    doc = yaml.safe_load(fe.DOCUMENTATION)
    options = doc["options"]
    defaults = fe.Config()
    assert set(options) == set(fe.Config.__dataclass_fields__)
    for name, spec in options.items():
        value = getattr(defaults, name)
        assert spec.get("default") == value, name
        kind = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "path": str}[spec["type"]]
        assert value is None or isinstance(value, kind), name
        if name in fe.NUMBERS:
            assert spec["type"] == {int: "int", float: "float"}[fe.NUMBERS[name][0]], name
    assert options["mode"]["choices"] == ["amqp", "poll"]
    assert options["region"]["choices"] == list(fe.REGIONS)
    assert options["hostnames"]["choices"] == list(fe.HOSTNAME_SOURCES)
    for type_id in fe.FAULT_EVENT_TYPES:
        assert str(type_id) in fe.DOCUMENTATION
    yaml.safe_load(fe.EXAMPLES)
