# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fake Secure Endpoint API behaves as documented (the clients' tests rely on it)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import gzip
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from ansible_collections.secure_endpoint.linux.tests.fake_api import secure_endpoint_api as fake_mod
from ansible_collections.secure_endpoint.linux.tests.fake_api.pytest_fixture import (  # noqa: F401 pylint: disable=unused-import
    API_KEY, CLIENT_ID, fake_api)


def call(url, method="GET", auth=(CLIENT_ID, API_KEY), body=None, headers=None):
    """(status, headers, parsed body or raw bytes) of one request."""
    request = urllib.request.Request(url, method=method, data=body)
    if auth:
        token = base64.b64encode(("%s:%s" % auth).encode()).decode()
        request.add_header("Authorization", "Basic " + token)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, head, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, head, raw = exc.code, exc.headers, exc.read()
    if head.get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    try:
        return status, head, json.loads(raw.decode())
    except ValueError:
        return status, head, raw


def test_unknown_credentials_get_the_documented_401(fake_api):
    for auth in (None, ("nobody", "x"), (CLIENT_ID, "wrong-key")):
        status, head, body = call(fake_api.url + "/v1/computers", auth=auth)
        assert status == 401
        assert body["errors"][0]["details"] == ["Unknown API key or Client ID"]


def test_paging_follows_next_links_to_every_computer(fake_api):
    url, seen, pages = fake_api.url + "/v1/computers?limit=5", [], 0
    while url:
        status, head, body = call(url)
        assert status == 200 and body["version"].startswith("v1")
        results = body["metadata"]["results"]
        assert results["items_per_page"] == 5 and results["current_item_count"] == len(body["data"])
        assert int(head["X-RateLimit-Limit"]) == 3000
        seen += [c["connector_guid"] for c in body["data"]]
        url = body["metadata"]["links"].get("next")
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == results["total"] == 12


@pytest.mark.parametrize("query, expected", [
    ("hostname[]=WEB1.example.com&hostname[]=db1.example.com", {"web1.example.com", "db1.example.com"}),
    ("internal_ip=10.0.0.11", {"web1.example.com"}),  # stored as " 10.0.0.11"
    ("external_ip=203.0.113.61", {"lab1.example.com"}),
    ("group_guid[]=9e4bd8a2-3c3f-4b6e-8d1c-2f6f7c1a0b11", {"db1.example.com"}),
    ("last_seen_over=86400", {"batch1.example.com", "lab1.example.com"}),
    ("last_seen_within=240&group_guid[]=5cdf70dd-1b14-46a0-be90-e08da14172d8", {"EDGE-01.Example.COM"}),
])
def test_computer_filters(fake_api, query, expected):
    status, head, body = call(fake_api.url + "/v1/computers?" + query.replace("[]", "%5B%5D"))
    assert status == 200
    assert {c["hostname"] for c in body["data"]} == expected


def test_unexpected_parameter_and_bad_limit_are_400(fake_api):
    assert call(fake_api.url + "/v1/computers?hostname=web1")[0] == 400
    assert call(fake_api.url + "/v1/computers?limit=501")[0] == 400
    assert call(fake_api.url + "/v1/events?start_date=yesterday")[0] == 400


def test_rate_limit_answers_429_with_reset():
    with fake_mod.FakeSecureEndpointAPI(rate_limit=2, rate_window=30) as api:
        statuses = [call(api.url + "/v1/computers?limit=1") for dummy in range(3)]
    assert [s[0] for s in statuses] == [200, 200, 429]
    head = statuses[2][1]
    assert head["X-RateLimit-Remaining"] == "0" and 0 < int(head["X-RateLimit-Reset"]) <= 30


def test_events_newest_first_filtered_and_inclusive_start_date(fake_api):
    status, head, body = call(fake_api.url + "/v1/events?event_type%5B%5D=1090519107&event_type%5B%5D=553648196")
    assert status == 200
    dates = [e["timestamp"] for e in body["data"]]
    assert dates == sorted(dates, reverse=True)
    assert {e["event_type_id"] for e in body["data"]} == {1090519107, 553648196}
    oldest = body["data"][-1]
    status, head, body = call(fake_api.url + "/v1/events?start_date=" + oldest["date"].replace("+", "%2B"))
    assert oldest["id"] in [e["id"] for e in body["data"]]


def test_event_stream_credentials_and_scope():
    creds = {CLIENT_ID: {"api_key": API_KEY, "scope": "write"}, "ro": {"api_key": "ro-key", "scope": "read"}}
    amqp = {"host": "127.0.0.1", "port": 5671, "queue_name": "event_stream_{id}"}
    with fake_mod.FakeSecureEndpointAPI(credentials=creds, amqp=amqp) as api:
        body = json.dumps({"name": "eda", "event_type": [1090519107]}).encode()
        json_type = {"Content-Type": "application/json"}
        assert call(api.url + "/v1/event_streams", "POST", ("ro", "ro-key"), body, json_type)[0] == 403
        status, head, created = call(api.url + "/v1/event_streams", "POST", body=body, headers=json_type)
        assert status == 201
        amqp_creds = created["data"]["amqp_credentials"]
        assert amqp_creds["queue_name"] == "event_stream_%d" % created["data"]["id"]
        assert amqp_creds["port"] == "5671" and amqp_creds["password"]
        listed = call(api.url + "/v1/event_streams")[2]["data"]
        assert "password" not in listed[0]["amqp_credentials"]


def test_injections_and_control_api(fake_api):
    control = fake_api.url + "/_fake/inject"
    spec = [{"path": "/v1/computers", "status": 503, "times": 1},
            {"path": "/v1/computers", "status": 200, "body": "{not json", "times": 1}]
    assert call(control, "POST", None, json.dumps(spec).encode())[0] == 201
    assert call(fake_api.url + "/v1/computers")[0] == 503
    assert call(fake_api.url + "/v1/computers")[2] == b"{not json"
    assert call(fake_api.url + "/v1/computers")[0] == 200
    event = {"event_type_id": 1090519107, "computer": {"hostname": "new.example.com"}}
    status, head, added = call(fake_api.url + "/_fake/events", "POST", None, json.dumps(event).encode())
    assert status == 201 and added[0]["event_type"] == "Major Fault Raised" and added[0]["date"]
    log = call(fake_api.url + "/_fake/requests", auth=None)[2]
    assert [r["status"] for r in log[:3]] == [503, 200, 200]
    assert all(API_KEY not in json.dumps(r) for r in log)


def test_standalone_program_prints_its_url_and_serves():
    data = os.path.dirname(fake_mod.__file__) + "/data"
    proc = subprocess.Popen([sys.executable, fake_mod.__file__, "--port", "0", "--data", data],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("fake Secure Endpoint API listening on http://127.0.0.1:")
        status, head, body = call(line.split()[-1] + "/v1/computers?limit=1")
        assert status == 200 and body["metadata"]["results"]["total"] == 12
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_dates_are_shifted_to_now(fake_api):
    status, head, body = call(fake_api.url + "/v1/computers?hostname%5B%5D=web1.example.com")
    seen = fake_mod.parse_date(body["data"][0]["last_seen"])
    age = time.time() - seen.timestamp()
    assert 4 * 60 <= age <= 6 * 60  # recorded as seen five minutes before recorded_at
