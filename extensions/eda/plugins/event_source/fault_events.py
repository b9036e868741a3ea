# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event source: Cisco Secure Endpoint Fault Raised / Fault Cleared events, for ansible-rulebook."""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import logging
import os
import random
import re
import ssl
import stat
import tempfile
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

DOCUMENTATION = r"""
---
short_description: Receive Cisco Secure Endpoint Fault Raised and Fault Cleared events
description:
  - An ansible-rulebook event source plugin that receives the connector fault events of the Cisco Secure
    Endpoint console and puts one event per fault on the rulebook's queue, naming the host it is about.
  - Mode V(amqp) consumes an event stream over AMQP 0-9-1 over TLS. The credentials (O(user_name),
    O(password), O(queue_name), O(host), O(port)) are the C(amqp_credentials) returned by
    C(POST /v1/event_streams) of the Secure Endpoint API v1. The queue exists already; it is opened passive
    and durable. A message is acknowledged only after its event is on the rulebook's queue (or after it was
    found unusable and logged), so a message that was not handed over is delivered again by the broker
    (at least once). A lost connection is retried with exponential backoff.
  - Mode V(poll) polls C(GET /v1/events) (C(event_type[]), C(start_date), following C(metadata.links.next)),
    remembers the last event it handed over (in memory, and in O(state_file) when set) and honours the API's
    rate limit (HTTP 429 with C(X-RateLimit-Reset)), for users without an event stream.
  - Only the fault event types are handed over - Critical, Major and Minor Fault Raised (2164260931,
    1090519107, 553648195) and Fault Cleared (553648196). Any other type, a body that is not JSON, or an event
    that names no usable host is logged with a clear line and dropped, never put on the queue.
  - "Each event is C({secure_endpoint: {...}, meta: {hosts: HOST}}): C(meta.hosts) is the inventory name
    chosen by O(hostnames), which ansible-rulebook uses as the limit of C(run_playbook); C(secure_endpoint)
    holds C(kind) (V(fault_raised) or V(fault_cleared)), C(severity), C(event_type_id), C(event_type),
    C(event_id), C(date), C(host), C(hostname), C(connector_guid), C(internal_ips), C(external_ip),
    C(group_guids), C(source) (V(amqp) or V(poll)), C(redelivered) and C(event), the event as received."
  - "Sources (API v1): C(POST /v1/event_streams) and C(GET /v1/events) in Cisco's Secure Endpoint API
    reference (api-docs.amp.cisco.com, resources EventStream and Event); the fault event type ids are those
    of C(GET /v1/event_types)."
requirements:
  - aiormq (mode V(amqp))
  - aiohttp (mode V(poll); installed with ansible-rulebook)
options:
  mode:
    description: Where the events come from.
    type: str
    choices: [amqp, poll]
    default: amqp
  hostnames:
    description:
      - Preference list for the inventory name of the host an event is about; the first one the event has
        and that is a plain host name or IPv4 address (letters, digits, C(.), C(_), C(-)) is used.
      - V(hostname) is C(computer.hostname) as the console has it, V(short_hostname) its first label,
        V(internal_ip) the first address of C(computer.network_addresses), V(external_ip)
        C(computer.external_ip), V(connector_guid) the connector's GUID. The default and the names are those
        of the inventory plugin C(secure_endpoint.linux.computers), so that its host names match.
      - A name that would be an Ansible host pattern (C(*), C(,), C(:), C([), ...) or that names every host or
        the controller (V(all), V(ungrouped), V(localhost)) is never used.
    type: list
    elements: str
    choices: [hostname, short_hostname, internal_ip, external_ip, connector_guid]
    default: [hostname, internal_ip, external_ip]
  max_message_bytes:
    description: A message or event larger than this is logged and dropped (bounded memory).
    type: int
    default: 1048576
  host:
    description: Mode V(amqp). Broker host, C(amqp_credentials.host).
    type: str
  port:
    description: Mode V(amqp). Broker port (AMQP over TLS), C(amqp_credentials.port).
    type: int
    default: 443
  user_name:
    description: Mode V(amqp). C(amqp_credentials.user_name).
    type: str
  password:
    description:
      - Mode V(amqp). C(amqp_credentials.password). Never logged.
      - Read from the environment variable E(SECURE_ENDPOINT_AMQP_PASSWORD) when not set.
    type: str
  queue_name:
    description: Mode V(amqp). C(amqp_credentials.queue_name).
    type: str
  virtual_host:
    description: Mode V(amqp). AMQP virtual host.
    type: str
    default: /
  prefetch:
    description: Mode V(amqp). Messages the broker may deliver before they are acknowledged (bounded memory).
    type: int
    default: 20
  heartbeat:
    description: Mode V(amqp). AMQP heartbeat in seconds; a silent connection is declared lost after it.
    type: int
    default: 60
  reconnect_delay:
    description: Mode V(amqp). First wait in seconds before reconnecting; doubled at each failure.
    type: float
    default: 1
  reconnect_max_delay:
    description: Mode V(amqp). Longest wait in seconds between two reconnection attempts.
    type: float
    default: 60
  region:
    description: Mode V(poll). API region; V(nam) is C(api.amp.cisco.com), V(eu) C(api.eu.amp.cisco.com),
      V(apjc) C(api.apjc.amp.cisco.com).
    type: str
    choices: [nam, eu, apjc]
    default: nam
  api_url:
    description: Mode V(poll). Base URL of the API (private gateways, proxies, tests); overrides O(region).
    type: str
  client_id:
    description:
      - Mode V(poll). API client id. Read from E(SECURE_ENDPOINT_CLIENT_ID) when not set.
    type: str
  api_key:
    description:
      - Mode V(poll). API key. Read from E(SECURE_ENDPOINT_API_KEY) when not set. Never logged.
    type: str
  interval:
    description: Mode V(poll). Seconds between two polls.
    type: float
    default: 60
  lookback:
    description:
      - Mode V(poll). At the first start (no O(state_file) yet), also hand over the fault events of the
        last O(lookback) seconds.
    type: int
    default: 0
  state_file:
    description:
      - Mode V(poll). JSON file where the last event handed over is remembered across restarts (written
        atomically, mode 0600). Must be a regular file when it exists; an unreadable one is kept aside as
        C(<state_file>.corrupt-<time>) and polling starts from O(lookback).
    type: path
  page_size:
    description: Mode V(poll). C(limit) of each request (the API allows up to 500).
    type: int
    default: 500
  max_pages:
    description: Mode V(poll). Most pages read in one poll (bounded time and memory); older events beyond
      them are logged as skipped.
    type: int
    default: 20
  timeout:
    description: Seconds a connection attempt or an API request may take.
    type: float
    default: 30
  retries:
    description: Mode V(poll). Retries of one request after HTTP 429, 5xx or a connection error.
    type: int
    default: 5
  proxy:
    description: Mode V(poll). HTTP proxy URL for the API requests.
    type: str
  validate_certs:
    description: Verify the TLS certificate of the broker or the API. V(false) is for tests only.
    type: bool
    default: true
  ca_path:
    description: A PEM file of CA certificates to trust instead of the system's (a private broker or gateway).
    type: path
"""

EXAMPLES = r"""
# AMQP event stream (credentials from POST /v1/event_streams)
- secure_endpoint.linux.fault_events:
    host: "{{ secure_endpoint_amqp_host }}"
    port: "{{ secure_endpoint_amqp_port }}"
    user_name: "{{ secure_endpoint_amqp_user_name }}"
    password: "{{ secure_endpoint_amqp_password }}"
    queue_name: "{{ secure_endpoint_amqp_queue_name }}"

# Polling GET /v1/events every two minutes, remembering the last event across restarts
- secure_endpoint.linux.fault_events:
    mode: poll
    region: eu
    interval: 120
    state_file: /var/lib/eda/secure_endpoint_events.json
"""

LOG = logging.getLogger("secure_endpoint.linux.fault_events")

# event_type_id -> (kind, severity, name): the connector fault event types of GET /v1/event_types.
FAULT_EVENT_TYPES = {
    2164260931: ("fault_raised", "critical", "Critical Fault Raised"),
    1090519107: ("fault_raised", "major", "Major Fault Raised"),
    553648195: ("fault_raised", "minor", "Minor Fault Raised"),
    553648196: ("fault_cleared", None, "Fault Cleared"),
}
REGIONS = {
    "nam": "https://api.amp.cisco.com",
    "eu": "https://api.eu.amp.cisco.com",
    "apjc": "https://api.apjc.amp.cisco.com",
}
HOSTNAME_SOURCES = ("hostname", "short_hostname", "internal_ip", "external_ip", "connector_guid")
# A name that is also a plain Ansible host pattern: no wildcard, range, separator or operator.
SAFE_HOST = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")
# Names Ansible reads as every host, or as the controller itself.
RESERVED_HOSTS = {"all", "ungrouped", "localhost"}
EXCERPT = 200  # characters of a bad message shown in a log line
MAX_SEEN_IDS = 10000
MAX_ANSWER_BYTES = 32 * 1024 * 1024  # one page of 500 events is far less


class SourceConfigError(ValueError):
    """A source argument is missing or wrong: the source cannot start."""


class ApiAuthError(RuntimeError):
    """The API refused the credentials (HTTP 401 or 403): polling again cannot help."""


class ApiError(RuntimeError):
    """An API answer that cannot be used; ``retry_after`` (s) when a retry may help."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# --- arguments ----------------------------------------------------------------------------------

@dataclass
class Config:
    mode: str = "amqp"
    hostnames: list = field(default_factory=lambda: ["hostname", "internal_ip", "external_ip"])
    max_message_bytes: int = 1048576
    host: str | None = None
    port: int = 443
    user_name: str | None = None
    password: str | None = None
    queue_name: str | None = None
    virtual_host: str = "/"
    prefetch: int = 20
    heartbeat: int = 60
    reconnect_delay: float = 1.0
    reconnect_max_delay: float = 60.0
    region: str = "nam"
    api_url: str | None = None
    client_id: str | None = None
    api_key: str | None = None
    interval: float = 60.0
    lookback: int = 0
    state_file: str | None = None
    page_size: int = 500
    max_pages: int = 20
    timeout: float = 30.0
    retries: int = 5
    proxy: str | None = None
    validate_certs: bool = True
    ca_path: str | None = None

    def describe_broker(self) -> str:
        """Where we connect, for log lines (never the password)."""
        return "amqps://%s@%s:%s%s queue %s" % (self.user_name, self.host, self.port,
                                                self.virtual_host if self.virtual_host.startswith("/")
                                                else "/" + self.virtual_host, self.queue_name)


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SourceConfigError("%s must be a boolean, not %r" % (name, value))


def _as_number(name: str, value: Any, kind: type, low: float, high: float | None = None) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise SourceConfigError("%s must be a number, not %r" % (name, value)) from None
    if number < low or (high is not None and number > high):
        raise SourceConfigError("%s must be between %s and %s, not %r" % (name, low, high or "any", value))
    return number


NUMBERS = {  # name: (type, lowest, highest)
    "max_message_bytes": (int, 1024, 64 * 1024 * 1024), "port": (int, 1, 65535), "prefetch": (int, 1, 1000),
    "heartbeat": (int, 0, 3600), "reconnect_delay": (float, 0.01, 3600), "reconnect_max_delay": (float, 0.01, 86400),
    "interval": (float, 0.1, 86400), "lookback": (int, 0, 30 * 86400), "page_size": (int, 1, 500),
    "max_pages": (int, 1, 1000), "timeout": (float, 0.1, 3600), "retries": (int, 0, 100),
}


def parse_args(args: dict[str, Any], environ: dict[str, str] | None = None) -> Config:
    """Arguments (rulebook ``source`` args) -> Config, or SourceConfigError saying what is wrong.

    Templated rulebook values arrive as strings or None (an unset variable with ``default(None)``):
    None means "not set", so the default applies.
    """
    environ = os.environ if environ is None else environ
    known = set(Config.__dataclass_fields__)
    unknown = sorted(k for k in args if k not in known and k != "eda_feedback_queue")
    if unknown:
        raise SourceConfigError("unknown argument(s): %s" % ", ".join(unknown))
    values = {k: v for k, v in args.items() if k in known and v is not None and v != ""}
    for name, (kind, low, high) in NUMBERS.items():
        if name in values:
            values[name] = _as_number(name, values[name], kind, low, high)
    if "validate_certs" in values:
        values["validate_certs"] = _as_bool("validate_certs", values["validate_certs"])
    for name in ("host", "user_name", "password", "queue_name", "virtual_host", "region", "api_url", "client_id",
                 "api_key", "state_file", "proxy", "ca_path", "mode"):
        if name in values:
            values[name] = str(values[name])
    if "hostnames" in values:
        names = values["hostnames"]
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not names or any(n not in HOSTNAME_SOURCES for n in names):
            raise SourceConfigError("hostnames must be a list of %s, not %r" % (", ".join(HOSTNAME_SOURCES), names))
    cfg = Config(**values)
    if cfg.mode not in ("amqp", "poll"):
        raise SourceConfigError("mode must be amqp or poll, not %r" % cfg.mode)
    if cfg.ca_path and not os.path.isfile(cfg.ca_path):
        raise SourceConfigError("ca_path %s is not a readable file" % cfg.ca_path)
    if cfg.mode == "amqp":
        cfg.password = cfg.password or environ.get("SECURE_ENDPOINT_AMQP_PASSWORD") or None
        missing = [n for n in ("host", "user_name", "password", "queue_name") if not getattr(cfg, n)]
        if missing:
            raise SourceConfigError("mode amqp needs %s (the amqp_credentials of POST /v1/event_streams)"
                                    % ", ".join(missing))
        cfg.reconnect_max_delay = max(cfg.reconnect_max_delay, cfg.reconnect_delay)
    else:
        cfg.client_id = cfg.client_id or environ.get("SECURE_ENDPOINT_CLIENT_ID") or None
        cfg.api_key = cfg.api_key or environ.get("SECURE_ENDPOINT_API_KEY") or None
        if not cfg.client_id or not cfg.api_key:
            raise SourceConfigError("mode poll needs client_id and api_key (or SECURE_ENDPOINT_CLIENT_ID and "
                                    "SECURE_ENDPOINT_API_KEY)")
        if cfg.region not in REGIONS:
            raise SourceConfigError("region must be one of %s, not %r" % (", ".join(REGIONS), cfg.region))
        cfg.api_url = (cfg.api_url or REGIONS[cfg.region]).rstrip("/")
        parts = urlsplit(cfg.api_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceConfigError("api_url must be an http(s) URL, not %r" % cfg.api_url)
    return cfg


# --- turning one received event into a rulebook event ------------------------------------------

def _text(value: Any) -> str | None:
    """A stripped, non-empty string or None (real data has stray spaces around addresses)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _event_type_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _internal_ips(computer: dict) -> list[str]:
    ips = []
    addresses = computer.get("network_addresses")
    for item in addresses if isinstance(addresses, list) else []:
        ip = _text(item.get("ip")) if isinstance(item, dict) else None
        if ip and ip not in ips:
            ips.append(ip)
    extra = computer.get("internal_ips")
    for ip in extra if isinstance(extra, list) else [extra]:
        ip = _text(ip)
        if ip and ip not in ips:
            ips.append(ip)
    return ips


def _candidates(hostname: str | None, ips: list[str], external_ip: str | None,
                guid: str | None) -> dict[str, str | None]:
    short = None
    if hostname and not re.match(r"^\d+\.\d+\.\d+\.\d+$", hostname):
        short = hostname.split(".", 1)[0] or None
    return {"hostname": hostname, "short_hostname": short, "internal_ip": ips[0] if ips else None,
            "external_ip": external_ip, "connector_guid": guid}


def choose_host(candidates: dict[str, str | None], preferences: list[str]) -> str | None:
    """First preferred candidate that is a plain host name (never a host pattern)."""
    for name in preferences:
        value = candidates.get(name)
        if value and SAFE_HOST.match(value) and value.lower() not in RESERVED_HOSTS:
            return value
    return None


@dataclass
class Verdict:
    """What to do with one received event: ``event`` to put on the queue, or why it is dropped."""
    event: dict | None = None
    reason: str | None = None
    level: int = logging.WARNING


def classify(payload: Any, cfg: Config, source: str, redelivered: bool = False) -> Verdict:
    """A decoded Secure Endpoint event -> the rulebook event, or why it is not one. Never raises."""
    if not isinstance(payload, dict):
        return Verdict(reason="not a JSON object but %s" % type(payload).__name__)
    type_id = _event_type_id(payload.get("event_type_id"))
    name = _text(payload.get("event_type"))
    if type_id is None:
        return Verdict(reason="no numeric event_type_id (event_type %r)" % name)
    if type_id not in FAULT_EVENT_TYPES:
        return Verdict(reason="event type %d (%s) is not a connector fault event type" % (type_id, name or "unnamed"))
    kind, severity, default_name = FAULT_EVENT_TYPES[type_id]
    computer = payload.get("computer") if isinstance(payload.get("computer"), dict) else {}
    hostname = _text(computer.get("hostname"))
    guid = _text(computer.get("connector_guid")) or _text(payload.get("connector_guid"))
    ips = _internal_ips(computer)
    external_ip = _text(computer.get("external_ip"))
    candidates = _candidates(hostname, ips, external_ip, guid)
    host = choose_host(candidates, cfg.hostnames)
    event_id = payload.get("id")
    if host is None:
        seen = {k: v for k, v in candidates.items() if v}
        return Verdict(reason="%s event %r for connector %s names no usable host (hostnames %s; has %s)"
                       % (default_name, event_id, guid or "unknown", cfg.hostnames, seen or "nothing"))
    groups = payload.get("group_guids")
    event = {
        "secure_endpoint": {
            "kind": kind,
            "severity": severity,
            "event_type_id": type_id,
            "event_type": name or default_name,
            "event_id": event_id,
            "date": payload.get("date"),
            "host": host,
            "hostname": hostname,
            "connector_guid": guid,
            "internal_ips": ips,
            "external_ip": external_ip,
            "group_guids": [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else [],
            "source": source,
            "redelivered": bool(redelivered),
            "event": payload,
        },
        "meta": {"hosts": host},
    }
    return Verdict(event=event)


def decode(body: bytes, cfg: Config) -> tuple[Any, str | None]:
    """Message body -> (payload, None) or (None, why it cannot be read)."""
    if len(body) > cfg.max_message_bytes:
        return None, "message of %d bytes is larger than max_message_bytes (%d)" % (len(body), cfg.max_message_bytes)
    try:
        return json.loads(body.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        return None, "message is not UTF-8 (%s): %r" % (exc.reason, body[:EXCERPT])
    except ValueError as exc:
        return None, "message is not JSON (%s): %r" % (exc, body[:EXCERPT].decode("utf-8", "replace"))


def log_event(verdict: Verdict, where: str) -> None:
    """One line per event handed over or dropped: what, for which host, and why."""
    if verdict.event is not None:
        se = verdict.event["secure_endpoint"]
        LOG.info("%s: %s (%s) for host %s (connector %s, event %s)%s", where, se["event_type"], se["kind"],
                 se["host"], se["connector_guid"], se["event_id"], ", redelivered" if se["redelivered"] else "")
    else:
        LOG.log(verdict.level, "%s: dropped: %s", where, verdict.reason)


# --- mode amqp ------------------------------------------------------------------------------------

def ssl_context(cfg: Config) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cfg.ca_path)
    if not cfg.validate_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def amqp_url(cfg: Config):
    from yarl import URL  # comes with aiormq

    vhost = cfg.virtual_host
    path = "/" if vhost == "/" else "/" + vhost.lstrip("/")
    return URL.build(scheme="amqps", user=cfg.user_name, password=cfg.password, host=cfg.host, port=cfg.port,
                     path=path, query={"heartbeat": str(cfg.heartbeat)})


def _causes(exc: BaseException) -> list:
    """The exception, what it was raised from, and exceptions carried in its arguments."""
    found, todo = [], [exc]
    while todo and len(found) < 10:
        item = todo.pop(0)
        if isinstance(item, BaseException) and item not in found:
            found.append(item)
            todo += [item.__cause__, item.__context__] + list(item.args)
    return found


def explain_amqp_error(exc: BaseException, cfg: Config) -> str:
    """A broker or network failure -> one line a person can act on (never the password)."""
    import aiormq

    where = cfg.describe_broker()
    for cause in _causes(exc):  # aiormq wraps transport errors in its own
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "TLS certificate of %s:%s not trusted (%s): set ca_path to the CA that signed it" % (
                cfg.host, cfg.port, cause.verify_message)
        if isinstance(cause, ssl.SSLError):
            return "TLS failed with %s:%s: %s" % (cfg.host, cfg.port, cause)
    if isinstance(exc, (aiormq.ProbableAuthenticationError, aiormq.AuthenticationError)):
        return "the broker refused the login of user %s (%s): check user_name and password from " \
               "POST /v1/event_streams" % (cfg.user_name, exc)
    if isinstance(exc, aiormq.ChannelNotFoundEntity):
        return "queue %s does not exist on %s:%s (was the event stream deleted?): %s" % (
            cfg.queue_name, cfg.host, cfg.port, exc)
    if isinstance(exc, aiormq.ChannelAccessRefused):
        return "user %s may not read queue %s: %s" % (cfg.user_name, cfg.queue_name, exc)
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer from %s within %s s" % (where, cfg.timeout)
    if isinstance(exc, (ConnectionLost, aiormq.ChannelInvalidStateError, aiormq.ConnectionClosed)):
        return "connection to %s lost: %s" % (where, exc)
    if isinstance(exc, OSError):
        return "cannot reach the broker at %s:%s: %s" % (cfg.host, cfg.port, exc)
    return "%s: %s: %s" % (where, type(exc).__name__, exc or "no detail")


class ConnectionLost(Exception):
    """The broker closed the connection or channel, or cancelled our consumer."""


async def deliver(queue: asyncio.Queue, message: Any, cfg: Config) -> None:
    """Hand one AMQP message over, then settle it: ack after the put, reject an unusable one.

    An exception (connection gone, put cancelled) leaves the message unacknowledged: the broker
    delivers it again.
    """
    tag = message.delivery.delivery_tag
    redelivered = bool(getattr(message.delivery, "redelivered", False))
    where = "amqp message %s%s" % (tag, " (redelivered)" if redelivered else "")
    payload, problem = decode(bytes(message.body or b""), cfg)
    verdict = Verdict(reason=problem) if problem else classify(payload, cfg, "amqp", redelivered)
    if verdict.event is not None:
        await queue.put(verdict.event)
        await message.channel.basic_ack(tag)
    elif problem:
        # Not an event at all: requeueing would loop on it forever; a dead-letter exchange, if the
        # queue has one, keeps it.
        await message.channel.basic_reject(tag, requeue=False)
    else:
        await message.channel.basic_ack(tag)
    log_event(verdict, where)


async def _first_close(*futures: asyncio.Future) -> BaseException:
    """Wait until one of the closing futures is done; return why."""
    done = (await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED))[0]
    for fut in done:
        if fut.cancelled():
            return ConnectionLost("closed")
        exc = fut.exception()
        return exc if exc is not None else ConnectionLost("closed by the broker")
    return ConnectionLost("closed")


async def consume_once(queue: asyncio.Queue, cfg: Config, on_ready=None) -> None:
    """One connection: open, consume in order until it is lost; raises why it ended."""
    import aiormq

    connection = aiormq.Connection(amqp_url(cfg), context=ssl_context(cfg))
    try:
        await asyncio.wait_for(connection.connect(), cfg.timeout)
        channel = await asyncio.wait_for(connection.channel(), cfg.timeout)
        await asyncio.wait_for(channel.basic_qos(prefetch_count=cfg.prefetch), cfg.timeout)
        declared = await asyncio.wait_for(
            channel.queue_declare(cfg.queue_name, passive=True, durable=True), cfg.timeout)
        inbox: asyncio.Queue = asyncio.Queue()  # bounded by prefetch: the broker sends no more
        cancelled = asyncio.get_running_loop().create_future()

        def on_cancel(_frame: Any) -> None:
            if not cancelled.done():
                cancelled.set_exception(ConnectionLost("the broker cancelled our consumer (queue deleted?)"))

        channel.on_consumer_cancel_callbacks.add(on_cancel)
        await asyncio.wait_for(channel.basic_consume(cfg.queue_name, inbox.put, no_ack=False), cfg.timeout)
        if on_ready is not None:
            on_ready(declared.message_count)
        closed = asyncio.ensure_future(_first_close(connection.closing, channel.closing, cancelled))
        getter = None
        try:
            while True:
                getter = asyncio.ensure_future(inbox.get())
                done = (await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED))[0]
                if getter not in done:
                    reason = closed.result()
                    raise reason if isinstance(reason, ConnectionLost) else ConnectionLost(
                        "%s: %s" % (type(reason).__name__, reason))
                await deliver(queue, getter.result(), cfg)
        finally:
            # Messages still in the inbox were never acknowledged: the broker delivers them again.
            for task in (getter, closed):
                if task is not None and not task.done():
                    task.cancel()
    finally:
        if not connection.is_closed:
            try:
                await asyncio.wait_for(connection.close(), 5)
            except Exception:  # pylint: disable=broad-except  # closing a broken connection
                pass


async def consume(queue: asyncio.Queue, cfg: Config) -> None:
    """Consume the event stream forever, reconnecting with exponential backoff."""
    delay = cfg.reconnect_delay
    failures = 0

    def on_ready(waiting: int) -> None:
        nonlocal delay, failures
        if failures:  # said at the default log level: the line after the errors
            LOG.warning("amqp: connected again to %s after %d failed attempt(s); %s message(s) waiting",
                        cfg.describe_broker(), failures, waiting)
        else:
            LOG.info("amqp: consuming %s; %s message(s) waiting", cfg.describe_broker(), waiting)
        delay, failures = cfg.reconnect_delay, 0

    while True:
        try:
            await consume_once(queue, cfg, on_ready=on_ready)
            reason: BaseException = ConnectionLost("closed")
        except Exception as exc:  # pylint: disable=broad-except  # every failure is logged and retried
            reason = exc
        failures += 1
        LOG.error("amqp: %s; reconnecting in %.1f s", explain_amqp_error(reason, cfg), delay)
        await asyncio.sleep(delay * random.uniform(0.9, 1.1))
        delay = min(delay * 2, cfg.reconnect_max_delay)


# --- mode poll ------------------------------------------------------------------------------------

def parse_date(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def event_time(payload: Any) -> int | None:
    """Seconds since the epoch of an API event (``timestamp``, else ``date``), or None."""
    if not isinstance(payload, dict):
        return None
    stamp = payload.get("timestamp")
    if isinstance(stamp, int) and not isinstance(stamp, bool) and stamp > 0:
        return stamp
    moment = parse_date(payload.get("date"))
    return int(moment.timestamp()) if moment else None


def iso(seconds: int) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class PollState:
    """The last event handed over: its time, and the ids handed over at that same second."""
    since: int
    seen_ids: list = field(default_factory=list)
    undated_ids: list = field(default_factory=list)

    def is_new(self, payload: dict) -> bool:
        when, ident = event_time(payload), payload.get("id")
        if when is None:
            return ident is not None and ident not in self.undated_ids
        return when > self.since or (when == self.since and ident not in self.seen_ids)

    def remember(self, payload: dict) -> None:
        when, ident = event_time(payload), payload.get("id")
        if when is None:
            self.undated_ids = (self.undated_ids + [ident])[-MAX_SEEN_IDS:]
        elif when > self.since:
            self.since, self.seen_ids = when, [ident]
        elif when == self.since:
            self.seen_ids = (self.seen_ids + [ident])[-MAX_SEEN_IDS:]


def load_state(cfg: Config, now: float) -> PollState:
    """The remembered state, or a fresh one from ``lookback``; a broken file is kept aside."""
    fresh = PollState(since=int(now) - cfg.lookback)
    if not cfg.state_file:
        return fresh
    path = cfg.state_file
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return fresh
    if not stat.S_ISREG(info.st_mode):
        raise SourceConfigError("state_file %s exists and is not a regular file" % path)
    try:
        if info.st_size > 4 * 1024 * 1024:
            raise ValueError("%d bytes, larger than any state we write" % info.st_size)
        with open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
        if not isinstance(data, dict) or data.get("api_url") != cfg.api_url:
            LOG.warning("poll: state_file %s is for another API (%s): starting from lookback",
                        path, data.get("api_url") if isinstance(data, dict) else None)
            return fresh
        since = data["since"]
        if not isinstance(since, int) or not isinstance(data.get("seen_ids", []), list):
            raise ValueError("since and seen_ids have the wrong types")
        return PollState(since=since, seen_ids=list(data.get("seen_ids", []))[-MAX_SEEN_IDS:],
                         undated_ids=list(data.get("undated_ids", []))[-MAX_SEEN_IDS:])
    except (OSError, ValueError, KeyError, UnicodeDecodeError) as exc:
        aside = "%s.corrupt-%d" % (path, int(now))
        try:
            os.replace(path, aside)
        except OSError as move_exc:
            raise SourceConfigError("state_file %s cannot be used (%s) nor moved aside (%s)"
                                    % (path, exc, move_exc)) from None
        LOG.error("poll: state_file %s cannot be used (%s); kept as %s, starting from lookback", path, exc, aside)
        return fresh


def save_state(cfg: Config, state: PollState) -> None:
    """Atomic write: temp file, fsync, rename, fsync of the directory."""
    if not cfg.state_file:
        return
    directory = os.path.dirname(os.path.abspath(cfg.state_file))
    data = {"version": 1, "api_url": cfg.api_url, "since": state.since, "since_date": iso(state.since),
            "seen_ids": state.seen_ids, "undated_ids": state.undated_ids}
    fd, tmp = tempfile.mkstemp(prefix=".fault_events-", dir=directory)
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, cfg.state_file)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def rate_limit_wait(headers: Any, now: float) -> float | None:
    """Seconds to wait from ``X-RateLimit-Reset`` (seconds, or an epoch time) or ``Retry-After``."""
    for name in ("X-RateLimit-Reset", "Retry-After"):
        value = headers.get(name)
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        if seconds > 1e9:  # an epoch time rather than a delay
            seconds -= now
        return max(0.0, seconds)
    return None


def same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


class Poller:
    """GET /v1/events with the fault event types since the last event handed over."""

    def __init__(self, cfg: Config, session: Any, clock=None, sleep=None) -> None:
        self.cfg = cfg
        self.session = session
        self.clock = clock or (lambda: datetime.datetime.now(datetime.timezone.utc).timestamp())
        self.sleep = sleep or asyncio.sleep

    async def _get_json(self, url: str, params: list | None) -> dict:
        """One request with retries on 429, 5xx and connection errors; the envelope, or an error."""
        import aiohttp

        cfg, attempt = self.cfg, 0
        while True:
            try:
                return await self._get_once(url, params)
            except ApiError as exc:
                if exc.retry_after is None or attempt >= cfg.retries:
                    raise
                wait = exc.retry_after
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                if attempt >= cfg.retries:
                    raise ApiError("%s: %s" % (type(exc).__name__, exc or "timed out")) from None
                wait = min(cfg.interval, 2.0 ** attempt)
                LOG.warning("poll: %s: %s; retry in %.1f s", url, type(exc).__name__, wait)
            attempt += 1
            await self.sleep(wait)

    async def _get_once(self, url: str, params: list | None) -> dict:
        import aiohttp

        cfg = self.cfg
        async with self.session.get(url, params=params, proxy=cfg.proxy,
                                    timeout=aiohttp.ClientTimeout(total=cfg.timeout)) as resp:
            body = await _read_bounded(resp, MAX_ANSWER_BYTES)
            status = resp.status
            if status in (401, 403):
                raise ApiAuthError("the Secure Endpoint API at %s refused client id %s: HTTP %d %s" % (
                    cfg.api_url, cfg.client_id, status, _api_error_text(body)))
            if status == 429:
                wait = rate_limit_wait(resp.headers, self.clock())
                wait = min(wait if wait is not None else cfg.interval, 3600.0)
                LOG.warning("poll: rate limited by the API (HTTP 429); waiting %.0f s as X-RateLimit-Reset says", wait)
                raise ApiError("rate limited (HTTP 429)", retry_after=wait)
            if status >= 500:
                LOG.warning("poll: HTTP %d from %s: %s", status, url, _api_error_text(body))
                raise ApiError("HTTP %d: %s" % (status, _api_error_text(body)), retry_after=min(cfg.interval, 5.0))
            if status != 200:
                raise ApiError("HTTP %d from %s: %s" % (status, url, _api_error_text(body)))
            if len(body) > MAX_ANSWER_BYTES:
                raise ApiError("answer larger than %d bytes from %s" % (MAX_ANSWER_BYTES, url))
            try:
                data = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ApiError("answer from %s is not JSON: %r" % (url, body[:EXCERPT])) from None
            if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                raise ApiError("answer from %s has no data list: %r" % (url, body[:EXCERPT]))
            remaining = resp.headers.get("X-RateLimit-Remaining")
            if remaining is not None and remaining.strip() == "0":
                wait = rate_limit_wait(resp.headers, self.clock())
                if wait:
                    LOG.warning("poll: API rate limit used up; waiting %.0f s (X-RateLimit-Reset)", min(wait, 3600))
                    await self.sleep(min(wait, 3600.0))
            return data

    async def fetch(self, state: PollState) -> list[dict]:
        """New fault events since ``state``, oldest first; bounded by max_pages."""
        cfg = self.cfg
        params = [("event_type[]", str(t)) for t in FAULT_EVENT_TYPES]
        params += [("start_date", iso(state.since)), ("limit", str(cfg.page_size))]
        url: str | None = cfg.api_url + "/v1/events"
        found: dict = {}
        order: list = []
        pages = 0
        while url and pages < cfg.max_pages:
            data = await self._get_json(url, params)
            pages += 1
            for item in data["data"]:
                key = item.get("id") if isinstance(item, dict) else None
                key = key if key is not None else ("no-id", len(order))
                if key not in found:  # pages shift while new events arrive: the same event twice
                    found[key] = item
                    order.append(key)
            links = (data.get("metadata") or {}).get("links") if isinstance(data.get("metadata"), dict) else None
            url = links.get("next") if isinstance(links, dict) and isinstance(links.get("next"), str) else None
            params = None  # the next link carries its query
            if url and not same_origin(url, cfg.api_url):
                raise ApiError("next link %s leaves api_url %s: not followed (credentials stay there)"
                               % (url, cfg.api_url))
        if url:
            LOG.warning("poll: more than %d pages of events since %s: older ones are skipped (max_pages)",
                        cfg.max_pages, iso(state.since))
        events = [found[k] for k in order]
        for event in events:
            if isinstance(event, dict) and event.get("id") is None and event_time(event) is None:
                LOG.warning("poll: dropped an event with neither id nor date: %r", json.dumps(event)[:EXCERPT])
        fresh = [e for e in events if not isinstance(e, dict) or state.is_new(e)]
        # The API lists newest first: hand over oldest first. Undated events keep their place last.
        fresh.sort(key=lambda e: (event_time(e) is None, event_time(e) or 0,
                                  str(e.get("id")) if isinstance(e, dict) else ""))
        return fresh


async def _read_bounded(resp: Any, limit: int) -> bytes:
    """The body, or its first ``limit + 1`` bytes when it is longer (bounded memory)."""
    chunks, size = [], 0
    async for chunk in resp.content.iter_chunked(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


def _api_error_text(body: bytes) -> str:
    """The ``errors[].details`` of an API error body, else its beginning."""
    try:
        data = json.loads(body.decode("utf-8"))
        details = [d for err in data.get("errors", []) for d in err.get("details", [])]
        if details:
            return "; ".join(str(d) for d in details)[:EXCERPT]
    except (AttributeError, TypeError, ValueError, UnicodeDecodeError):
        pass
    return repr(body[:EXCERPT])


async def poll(queue: asyncio.Queue, cfg: Config, clock=None, sleep=None, cycles: int | None = None) -> None:
    """Poll forever (or ``cycles`` times, for tests), handing over each new fault event once."""
    import aiohttp

    sleep = sleep or asyncio.sleep
    clock = clock or (lambda: datetime.datetime.now(datetime.timezone.utc).timestamp())
    state = load_state(cfg, clock())
    # HTTP Basic auth, sent only to api_url's origin (next links elsewhere are not followed).
    token = base64.b64encode(("%s:%s" % (cfg.client_id, cfg.api_key)).encode("utf-8")).decode("ascii")
    headers = {"Accept": "application/json", "Authorization": "Basic " + token}
    connector = aiohttp.TCPConnector(ssl=ssl_context(cfg))
    LOG.info("poll: polling %s/v1/events every %.0f s for fault events since %s, client id %s",
             cfg.api_url, cfg.interval, iso(state.since), cfg.client_id)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        poller = Poller(cfg, session, clock=clock, sleep=sleep)
        done = 0
        while cycles is None or done < cycles:
            try:
                for payload in await poller.fetch(state):
                    if not isinstance(payload, dict):
                        log_event(Verdict(reason="not a JSON object but %s" % type(payload).__name__), "poll event")
                        continue
                    verdict = classify(payload, cfg, "poll")
                    if verdict.event is not None:
                        await queue.put(verdict.event)
                    state.remember(payload)
                    try:
                        save_state(cfg, state)
                    except OSError as exc:  # polling goes on; after a restart events may come again
                        LOG.error("poll: cannot write state_file %s: %s", cfg.state_file, exc)
                    log_event(verdict, "poll event %s" % payload.get("id"))
            except ApiError as exc:
                LOG.error("poll: %s; trying again in %.0f s", exc, cfg.interval)
            done += 1
            if cycles is None or done < cycles:
                await sleep(cfg.interval)


# --- entry point ----------------------------------------------------------------------------------

async def main(queue: asyncio.Queue, args: dict[str, Any]) -> None:
    """ansible-rulebook entry point: consume the event stream or poll the API until cancelled."""
    cfg = parse_args(args)
    if cfg.mode == "amqp":
        await consume(queue, cfg)
    else:
        await poll(queue, cfg)


if __name__ == "__main__":
    # Run by hand: python fault_events.py '{"mode": "poll", "api_url": "http://127.0.0.1:8080"}'
    import sys

    class MockQueue(asyncio.Queue):
        async def put(self, item: Any) -> None:
            print(json.dumps(item))

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(MockQueue(), json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}))
