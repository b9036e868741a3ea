# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake Cisco Secure Endpoint API (v1) for tests: a small threaded HTTP server, stdlib only.

It implements the documented v1 behaviour the collection relies on (see README.md beside this
file for the sources): HTTP Basic auth (401 "Unknown API key or Client ID", 403 for a client id
without the needed scope), the JSON envelope ``{version, metadata: {links, results}, data}``,
``limit``/``offset`` paging with ``metadata.links.next``, the server-side filters of
``GET /v1/computers`` and ``GET /v1/events``, ``X-RateLimit-*`` headers and HTTP 429 with a
reset, 400 on an unexpected query parameter, and ``POST /v1/event_streams`` returning the AMQP
credentials of a broker given on the command line.

Faults are injected on demand (a status, headers, a raw body, a delay, a dropped connection),
in-process (``api.inject(...)``) or over HTTP (``POST /_fake/inject``) when it runs as a program:

    python tests/fake_api/secure_endpoint_api.py --port 8443 --data tests/fake_api/data

Dates in the data files are shifted so that ``recorded_at`` (``data/meta.json``) becomes the
moment the server starts: a computer recorded as seen two hours before that is always served as
seen two hours ago.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import argparse
import base64
import binascii
import copy
import datetime
import gzip
import json
import os
import re
import signal
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

API_VERSION = "v1.2.0"
MAX_LIMIT = 500
DEFAULT_LIMIT = 500
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
DEFAULT_CREDENTIALS = {"fake-client-id": {"api_key": "fake-api-key-0123456789", "scope": "write"}}
MAX_EVENT_STREAMS = 5  # "limit of 5 active resources across each organization"

COMPUTER_PARAMS = {"limit", "offset", "hostname[]", "internal_ip", "external_ip", "group_guid[]",
                   "last_seen_within", "last_seen_over"}
EVENT_PARAMS = {"limit", "offset", "event_type[]", "start_date", "connector_guid[]", "group_guid[]",
                "detection_sha256", "application_sha256"}
# Date fields shifted to "now" when the data files are loaded (see shift_dates).
COMPUTER_DATE_FIELDS = (("last_seen",), ("install_date",), ("av_update_definitions", "updated_at"))


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def parse_date(value):
    """ISO 8601 as the API writes it ('2024-06-19T14:02:03Z' or '+00:00'), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def format_date(moment, zulu=True):
    text = moment.astimezone(datetime.timezone.utc).replace(microsecond=0).isoformat()
    return text.replace("+00:00", "Z") if zulu else text


def _shift_field(obj, path, delta):
    for key in path[:-1]:
        obj = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(obj, dict):
        return
    moment = parse_date(obj.get(path[-1]))
    if moment is not None:
        obj[path[-1]] = format_date(moment + delta, zulu=obj[path[-1]].strip().endswith("Z"))


def shift_dates(computers, events, delta):
    """Move every date of the recorded data by ``delta`` (a timedelta); leaves odd values alone."""
    for computer in computers:
        if isinstance(computer, dict):
            for path in COMPUTER_DATE_FIELDS:
                _shift_field(computer, path, delta)
    for event in events:
        if isinstance(event, dict):
            _shift_field(event, ("date",), delta)
            moment = parse_date(event.get("date"))
            if moment is not None:
                event["timestamp"] = int(moment.timestamp())


def load_data(data_dir, shift=True):
    """Read computers.json, events.json, event_types.json and meta.json of ``data_dir``."""
    def read(name, default):
        path = os.path.join(data_dir, name)
        if not os.path.exists(path):
            return default
        with open(path, "rb") as handle:
            return json.loads(handle.read().decode("utf-8"))

    computers = read("computers.json", [])
    events = read("events.json", [])
    event_types = read("event_types.json", [])
    meta = read("meta.json", {})
    recorded_at = parse_date(meta.get("recorded_at"))
    if shift and recorded_at is not None:
        shift_dates(computers, events, utc_now() - recorded_at)
    return computers, events, event_types


def _envelope(data, metadata=None):
    body = {"version": API_VERSION, "metadata": metadata or {}, "data": data}
    return body


def _errors(status, description, details):
    return {"version": API_VERSION, "data": {},
            "errors": [{"error_code": status, "description": description, "details": list(details)}]}


def _int_param(query, name, default, low, high):
    values = query.get(name)
    if not values:
        return default
    try:
        value = int(values[-1])
    except ValueError:
        raise _BadRequest("%s must be an integer" % name)
    if not low <= value <= high:
        raise _BadRequest("%s must be between %d and %d" % (name, low, high))
    return value


class _BadRequest(Exception):
    pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        # A client that gave up (timeout tests) closes its end: not worth a traceback.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class Injection:
    """A scripted answer for requests whose path starts with ``path`` (and method, if given)."""

    def __init__(self, path="/", method=None, status=None, headers=None, body=None, delay=0.0,
                 drop=False, truncate=False, times=1):
        self.path = path
        self.method = method.upper() if method else None
        self.status = status
        self.headers = dict(headers or {})
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.delay = float(delay)
        self.drop = bool(drop)
        self.truncate = bool(truncate)
        self.times = int(times)  # a negative count never runs out

    def matches(self, method, path):
        return self.times != 0 and path.startswith(self.path) and self.method in (None, method)

    @classmethod
    def from_json(cls, spec):
        allowed = {"path", "method", "status", "headers", "body", "delay", "drop", "truncate", "times"}
        unknown = set(spec) - allowed
        if unknown:
            raise _BadRequest("unknown injection keys: %s" % ", ".join(sorted(unknown)))
        if isinstance(spec.get("body"), (dict, list)):
            spec = dict(spec, body=json.dumps(spec["body"]))
        return cls(**spec)


class FakeSecureEndpointAPI:
    """The fake server. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(self, data_dir=DATA_DIR, credentials=None, host="127.0.0.1", port=0,
                 amqp=None, rate_limit=3000, rate_window=3600, shift=True, tls=None,
                 control=True, verbose=False):
        computers, events, event_types = load_data(data_dir, shift=shift) if data_dir else ([], [], [])
        self.lock = threading.RLock()
        self.computers = computers
        self.events = []
        self.event_types = event_types
        self.credentials = copy.deepcopy(credentials if credentials is not None else DEFAULT_CREDENTIALS)
        self.amqp = dict({"host": "127.0.0.1", "port": "5671", "user_name": "se-stream",
                          "password": "se-stream-password", "queue_name": "event_stream_{id}",
                          "proto": "https"}, **(amqp or {}))
        self.rate_limit = int(rate_limit)
        self.rate_window = float(rate_window)
        self.control = control
        self.verbose = verbose
        self.requests = []
        self.injections = []
        self.streams = {}
        self._next_stream_id = 1
        self._next_event_id = 1
        self._windows = {}
        self._server = None
        self._thread = None
        self._bind = (host, port)
        self._tls = tls
        self.add_events(events, keep_dates=True)

    # --- life cycle -----------------------------------------------------------------------
    def start(self):
        api = self

        class Handler(_Handler):
            fake = api

        self._server = _Server(self._bind, Handler)
        if self._tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self._tls["cert"], self._tls["key"])
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-se-api", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        scheme = "https" if self._tls else "http"
        return "%s://%s:%d" % (scheme, self._server.server_address[0], self.port)

    # --- state changes (also reachable over HTTP under /_fake/) -----------------------------
    def inject(self, path="/", **kwargs):
        with self.lock:
            self.injections.append(Injection(path=path, **kwargs))

    def clear_injections(self):
        with self.lock:
            self.injections = []

    def set_computers(self, computers):
        with self.lock:
            self.computers = copy.deepcopy(list(computers))

    def add_computers(self, computers):
        """Add computers; one with the GUID of a known computer replaces it."""
        with self.lock:
            for computer in copy.deepcopy(list(computers)):
                guid = computer.get("connector_guid") if isinstance(computer, dict) else None
                self.computers = [c for c in self.computers
                                  if not (guid and isinstance(c, dict) and c.get("connector_guid") == guid)]
                self.computers.append(computer)

    def add_events(self, events, keep_dates=False):
        """Add events; id, date, timestamp and event_type are filled in when missing."""
        names = {t.get("id"): t.get("name") for t in self.event_types if isinstance(t, dict)}
        added = []
        with self.lock:
            for event in copy.deepcopy(list(events)):
                if not isinstance(event, dict):
                    continue
                if "id" not in event:
                    event["id"] = self._next_event_id
                if isinstance(event["id"], int):
                    self._next_event_id = max(self._next_event_id, event["id"] + 1)
                moment = parse_date(event.get("date")) if keep_dates or event.get("date") else None
                if moment is None:
                    moment = utc_now()
                    event["date"] = format_date(moment, zulu=False)
                event.setdefault("timestamp", int(moment.timestamp()))
                event.setdefault("timestamp_nanoseconds", 0)
                if "event_type_id" in event and "event_type" not in event:
                    event["event_type"] = names.get(event["event_type_id"], "Unknown")
                self.events.append(event)
                added.append(event)
        return added

    def requests_to(self, path, method="GET"):
        with self.lock:
            return [r for r in self.requests if r["path"] == path and r["method"] == method]

    # --- request handling ---------------------------------------------------------------------
    def _authenticate(self, header):
        """(client_id or None, scope or None) for an Authorization header."""
        if not header or not header.startswith("Basic "):
            return None, None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, sep, api_key = decoded.partition(":")
        entry = self.credentials.get(client_id)
        if not sep or not entry or entry.get("api_key") != api_key:
            return None, None
        return client_id, entry.get("scope", "write")

    def _rate(self, client_id):
        """Count a request; returns (limit, remaining, reset_seconds, exceeded)."""
        now = time.time()
        with self.lock:
            start, count = self._windows.get(client_id, (now, 0))
            if now - start >= self.rate_window:
                start, count = now, 0
            count += 1
            self._windows[client_id] = (start, count)
        reset = max(0, int(round(start + self.rate_window - now)))
        return self.rate_limit, max(0, self.rate_limit - count), reset, count > self.rate_limit


def _page(items, query, base, path):
    limit = _int_param(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int_param(query, "offset", 0, 0, 10 ** 9)
    chunk = items[offset:offset + limit]

    def link(new_offset):
        params = [(k, v) for k, values in sorted(query.items()) if k not in ("offset", "limit") for v in values]
        params += [("limit", limit), ("offset", new_offset)]
        return "%s%s?%s" % (base, path, urlencode(params))

    links = {"self": link(offset)}
    if offset + limit < len(items):
        links["next"] = link(offset + limit)
    if offset > 0:
        links["prev"] = link(max(0, offset - limit))
    results = {"total": len(items), "current_item_count": len(chunk), "index": offset, "items_per_page": limit}
    return _envelope(chunk, {"links": links, "results": results})


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def filter_computers(computers, query, now=None):
    """Apply the documented filters of GET /v1/computers (AND between kinds, OR within one)."""
    now = now or utc_now()
    hostnames = {h.lower() for h in query.get("hostname[]", [])}
    groups = set(query.get("group_guid[]", []))
    internal = query.get("internal_ip", [None])[-1]
    external = query.get("external_ip", [None])[-1]
    within = _int_param(query, "last_seen_within", None, 0, 10 ** 10)
    over = _int_param(query, "last_seen_over", None, 0, 10 ** 10)
    kept = []
    for computer in computers:
        if not isinstance(computer, dict):
            kept.append(computer)  # odd items are served as they are: the client must cope
            continue
        hostname = computer.get("hostname") if isinstance(computer.get("hostname"), str) else ""
        if hostnames and hostname.lower() not in hostnames:
            continue
        if groups and computer.get("group_guid") not in groups:
            continue
        ips = computer.get("internal_ips") if isinstance(computer.get("internal_ips"), list) else []
        if internal and internal not in [_stripped(ip) for ip in ips]:
            continue
        if external and _stripped(computer.get("external_ip")) != external:
            continue
        seen = parse_date(computer.get("last_seen"))
        if within is not None and (seen is None or (now - seen).total_seconds() > within):
            continue
        if over is not None and (seen is None or (now - seen).total_seconds() <= over):
            continue
        kept.append(computer)
    return kept


def filter_events(events, query):
    types = set()
    for value in query.get("event_type[]", []):
        try:
            types.add(int(value))
        except ValueError:
            raise _BadRequest("event_type[] must be integers")
    guids = set(query.get("connector_guid[]", []))
    groups = set(query.get("group_guid[]", []))
    start = None
    if query.get("start_date"):
        start = parse_date(query["start_date"][-1])
        if start is None:
            raise _BadRequest("start_date must be an ISO 8601 time")
    kept = []
    for event in events:
        computer = event.get("computer") if isinstance(event.get("computer"), dict) else {}
        if types and event.get("event_type_id") not in types:
            continue
        if guids and computer.get("connector_guid") not in guids:
            continue
        if groups and not groups.intersection(event.get("group_guids") or []):
            continue
        if start is not None:
            moment = parse_date(event.get("date"))
            if moment is None or moment < start:  # start_date is inclusive
                continue
        kept.append(event)
    # Newest first, as the console's Events view lists them.
    return sorted(kept, key=lambda e: (e.get("timestamp") or 0, e.get("id") if isinstance(e.get("id"), int) else 0),
                  reverse=True)


class _Handler(BaseHTTPRequestHandler):
    fake = None  # set by FakeSecureEndpointAPI.start
    protocol_version = "HTTP/1.1"
    server_version = "fake-secure-endpoint/1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.fake.verbose:
            sys.stderr.write("fake-se-api: %s\n" % (format % args))

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # --- plumbing -------------------------------------------------------------------------------
    def _base(self):
        scheme = "https" if self.fake._tls else "http"
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        return "%s://%s" % (scheme, host)

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, 16 * 1024 * 1024)) if length > 0 else b""

    def _send(self, status, body, headers=None, raw=False):
        payload = body if raw else json.dumps(body).encode("utf-8")
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        if "gzip" in (self.headers.get("Accept-Encoding") or "") and payload and not raw:
            payload = gzip.compress(payload)
            headers["Content-Encoding"] = "gzip"
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = True

    def _dispatch(self, method):
        target = urlsplit(self.path)
        # An absolute request target means we are being used as an HTTP proxy (tests of `proxy`).
        via_proxy = bool(target.scheme)
        path, query = target.path, parse_qs(target.query, keep_blank_values=True)
        if path.startswith("/_fake/") and self.fake.control:
            return self._control(method, path)
        client_id, scope = self.fake._authenticate(self.headers.get("Authorization"))
        record = {"time": time.time(), "method": method, "path": path, "query": query, "client_id": client_id,
                  "via_proxy": via_proxy, "accept_encoding": self.headers.get("Accept-Encoding")}
        with self.fake.lock:
            self.fake.requests.append(record)
            injection = next((i for i in self.fake.injections if i.matches(method, path)), None)
            if injection is not None and injection.times > 0:
                injection.times -= 1
        if injection is not None:
            record["status"] = injection.status or "injected"
            return self._inject(injection, method, path, query, client_id, scope)
        status = self._answer(method, path, query, client_id, scope)
        record["status"] = status
        return None

    def _inject(self, injection, method, path, query, client_id, scope):
        if injection.delay:
            time.sleep(injection.delay)
        if injection.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if injection.status is None and injection.body is None:
            self._answer(method, path, query, client_id, scope)
            return
        body = injection.body if injection.body is not None else json.dumps(
            _errors(injection.status, "Injected", ["injected by the test"])).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        headers.update(injection.headers)
        self.send_response(injection.status or 200)
        for key, value in headers.items():
            self.send_header(key, str(value))
        self.send_header("Content-Length", str(len(body) * 2 if injection.truncate else len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def _answer(self, method, path, query, client_id, scope):
        if client_id is None:
            self._send(401, _errors(401, "Unauthorized", ["Unknown API key or Client ID"]))
            return 401
        limit, remaining, reset, exceeded = self.fake._rate(client_id)
        reset_date = format_date(utc_now() + datetime.timedelta(seconds=reset))
        headers = {"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": remaining,
                   "X-RateLimit-Reset": reset, "X-RateLimit-ResetDate": reset_date}
        if exceeded:
            self._send(429, _errors(429, "Too Many Requests", ["API rate limit exceeded"]), headers)
            return 429
        if scope not in ("read", "write") or (method != "GET" and scope != "write"):
            self._send(403, _errors(403, "Forbidden", ["API credential is not allowed to perform this action"]),
                       headers)
            return 403
        try:
            status, body = self._route(method, path, query)
        except _BadRequest as exc:
            status, body = 400, _errors(400, "Bad Request", [str(exc)])
        self._send(status, body, headers)
        return status

    def _route(self, method, path, query):
        fake = self.fake
        base = self._base()
        if method == "GET" and path in ("/v1/computers", "/v1/computers/"):
            self._only(query, COMPUTER_PARAMS)
            with fake.lock:
                computers = filter_computers(fake.computers, query)
            return 200, _page(computers, query, base, "/v1/computers")
        match = re.match(r"^/v1/computers/([^/]+)$", path)
        if method == "GET" and match:
            with fake.lock:
                found = [c for c in fake.computers if isinstance(c, dict) and c.get("connector_guid") == match.group(1)]
            if not found:
                return 404, _errors(404, "Not Found", ["Resource not found"])
            return 200, _envelope(found[0], {"links": {"self": base + path}})
        if method == "GET" and path == "/v1/events":
            self._only(query, EVENT_PARAMS)
            with fake.lock:
                events = filter_events(fake.events, query)
            return 200, _page(events, query, base, "/v1/events")
        if method == "GET" and path == "/v1/event_types":
            return 200, _envelope(fake.event_types, {"links": {"self": base + path},
                                                     "results": {"total": len(fake.event_types)}})
        if method == "GET" and path == "/v1/groups":
            return 200, self._groups(query, base)
        if path == "/v1/event_streams" and method == "GET":
            with fake.lock:
                streams = [self._stream_view(s, with_password=False) for s in fake.streams.values()]
            return 200, _envelope(streams, {"links": {"self": base + path}})
        if path == "/v1/event_streams" and method == "POST":
            return self._create_stream(base)
        match = re.match(r"^/v1/event_streams/(\d+)$", path)
        if match and method in ("GET", "DELETE"):
            with fake.lock:
                stream = fake.streams.get(int(match.group(1)))
                if stream is not None and method == "DELETE":
                    del fake.streams[stream["id"]]
            if stream is None:
                return 404, _errors(404, "Not Found", ["Resource not found"])
            return 200, _envelope({} if method == "DELETE" else self._stream_view(stream, with_password=False),
                                  {"links": {"self": base + path}})
        return 404, _errors(404, "Not Found", ["Resource not found"])

    @staticmethod
    def _only(query, allowed):
        unexpected = sorted(set(query) - allowed)
        if unexpected:
            raise _BadRequest("unexpected parameter(s): %s" % ", ".join(unexpected))

    def _groups(self, query, base):
        seen = {}
        with self.fake.lock:
            for computer in self.fake.computers:
                for group in (computer.get("groups") or []) if isinstance(computer, dict) else []:
                    if isinstance(group, dict) and group.get("guid"):
                        seen.setdefault(group["guid"], {"name": group.get("name"), "description": "",
                                                        "guid": group["guid"], "source": None})
        return _page(sorted(seen.values(), key=lambda g: g["guid"]), query, base, "/v1/groups")

    def _create_stream(self, base):
        raw = self._read_body()
        content_type = self.headers.get("Content-Type") or ""
        try:
            if "json" in content_type:
                spec = json.loads(raw.decode("utf-8") or "{}")
            else:
                form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
                spec = {"name": (form.get("name") or [""])[-1], "event_type": form.get("event_type[]", []),
                        "group_guid": form.get("group_guid[]", [])}
        except (ValueError, UnicodeDecodeError):
            raise _BadRequest("request body is not valid JSON")
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"].strip():
            raise _BadRequest("name is required")
        try:
            event_types = [int(v) for v in spec.get("event_type") or []]
        except (TypeError, ValueError):
            raise _BadRequest("event_type must be a list of integers")
        with self.fake.lock:
            if len(self.fake.streams) >= MAX_EVENT_STREAMS:
                raise _BadRequest("limit of %d active event streams reached" % MAX_EVENT_STREAMS)
            stream_id = self.fake._next_stream_id
            self.fake._next_stream_id += 1
            credentials = dict(self.fake.amqp)
            credentials["queue_name"] = credentials["queue_name"].format(id=stream_id)
            credentials["port"] = str(credentials["port"])
            stream = {"id": stream_id, "name": spec["name"], "event_type": event_types,
                      "group_guid": list(spec.get("group_guid") or []), "amqp_credentials": credentials}
            self.fake.streams[stream_id] = stream
        return 201, _envelope(self._stream_view(stream, with_password=True),
                              {"links": {"self": "%s/v1/event_streams/%d" % (base, stream_id)}})

    @staticmethod
    def _stream_view(stream, with_password):
        view = copy.deepcopy(stream)
        if not with_password:
            view["amqp_credentials"].pop("password", None)
        return view

    # --- control API (tests, standalone use) ----------------------------------------------------
    def _control(self, method, path):
        fake = self.fake
        try:
            spec = json.loads(self._read_body().decode("utf-8") or "null") if method in ("POST", "PUT") else None
            if path == "/_fake/requests" and method == "GET":
                with fake.lock:
                    return self._send(200, fake.requests)
            if path == "/_fake/requests" and method == "DELETE":
                with fake.lock:
                    fake.requests = []
                return self._send(200, {})
            if path == "/_fake/inject" and method == "POST":
                for item in spec if isinstance(spec, list) else [spec]:
                    with fake.lock:
                        fake.injections.append(Injection.from_json(item))
                return self._send(201, {})
            if path == "/_fake/inject" and method == "DELETE":
                fake.clear_injections()
                return self._send(200, {})
            if path == "/_fake/computers" and method in ("POST", "PUT"):
                items = spec if isinstance(spec, list) else [spec]
                (fake.add_computers if method == "POST" else fake.set_computers)(items)
                return self._send(201, {"count": len(fake.computers)})
            if path == "/_fake/events" and method == "POST":
                added = fake.add_events(spec if isinstance(spec, list) else [spec])
                return self._send(201, added)
            if path == "/_fake/streams" and method == "GET":
                with fake.lock:
                    return self._send(200, list(fake.streams.values()))
        except (ValueError, TypeError, UnicodeDecodeError, _BadRequest) as exc:
            return self._send(400, {"error": str(exc)})
        return self._send(404, {"error": "no such control endpoint: %s %s" % (method, path)})


def _interrupt(signum, frame):
    raise KeyboardInterrupt()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Fake Cisco Secure Endpoint API v1 (tests only).")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port, printed at start)")
    parser.add_argument("--data", default=DATA_DIR, help="directory of computers.json, events.json, ...")
    parser.add_argument("--no-shift-dates", action="store_true", help="serve dates exactly as recorded")
    parser.add_argument("--client-id", default="fake-client-id")
    parser.add_argument("--api-key", default="fake-api-key-0123456789")
    parser.add_argument("--read-only-client-id", help="a second client id, read scope (403 on writes)")
    parser.add_argument("--read-only-api-key", default="fake-read-only-key")
    parser.add_argument("--rate-limit", type=int, default=3000, help="requests per window and client id")
    parser.add_argument("--rate-window", type=float, default=3600, help="rate-limit window in seconds")
    parser.add_argument("--amqp-host", default="127.0.0.1")
    parser.add_argument("--amqp-port", default="5671")
    parser.add_argument("--amqp-user", default="se-stream")
    parser.add_argument("--amqp-password", default="se-stream-password")
    parser.add_argument("--amqp-queue", default="event_stream_{id}", help="queue name; {id} = stream id")
    parser.add_argument("--amqp-proto", default="https", help="'proto' as the API returns it")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="private key of --tls-cert")
    parser.add_argument("--verbose", action="store_true", help="log each request line to stderr")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        parser.error("the fake API serves loopback only")
    credentials = {args.client_id: {"api_key": args.api_key, "scope": "write"}}
    if args.read_only_client_id:
        credentials[args.read_only_client_id] = {"api_key": args.read_only_api_key, "scope": "read"}
    amqp = {"host": args.amqp_host, "port": args.amqp_port, "user_name": args.amqp_user,
            "password": args.amqp_password, "queue_name": args.amqp_queue, "proto": args.amqp_proto}
    tls = {"cert": args.tls_cert, "key": args.tls_key} if args.tls_cert else None
    api = FakeSecureEndpointAPI(data_dir=args.data, credentials=credentials, host=args.host, port=args.port,
                                amqp=amqp, rate_limit=args.rate_limit, rate_window=args.rate_window,
                                shift=not args.no_shift_dates, tls=tls, verbose=args.verbose)
    # A plain `kill` stops it cleanly, like Ctrl-C: the handler and the try are in place before the
    # URL is printed, so a SIGTERM sent as soon as the URL is read still ends with status 0.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        api.start()
        print("fake Secure Endpoint API listening on %s" % api.url, flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        api.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
