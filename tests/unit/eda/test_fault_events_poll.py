# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mode poll of the fault_events source against the fake Secure Endpoint API (a real loopback server)."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import stat

import pytest

from ansible_collections.secure_endpoint.linux.extensions.eda.plugins.event_source import fault_events as fe
from ansible_collections.secure_endpoint.linux.tests.fake_api.pytest_fixture import (  # noqa: F401 pylint: disable=unused-import
    API_KEY, CLIENT_ID, fake_api)
from ansible_collections.secure_endpoint.linux.tests.fake_api.secure_endpoint_api import FakeSecureEndpointAPI

# The fake API's recorded fault events, oldest first (data/events.json): 1006 names no computer,
# 1005 and 1008 are other types (the API filters them out by event_type[]).
HANDED_OVER = [(1001, "app1.example.com", "fault_raised"), (1002, "web1.example.com", "fault_raised"),
               (1003, "web1.example.com", "fault_raised"), (1004, "db1.example.com", "fault_cleared"),
               (1007, "ghost.example.com", "fault_raised"), (1009, "web1.example.com", "fault_cleared"),
               (1010, "EDGE-01.Example.COM", "fault_raised")]
SIX_HOURS = 6 * 3600


class ListQueue:
    def __init__(self):
        self.items = []

    async def put(self, item):
        self.items.append(item)


class Sleeps:
    """Records the waits instead of waiting; ``hook`` runs at the first one (between two polls)."""

    def __init__(self, hook=None):
        self.waits, self.hook = [], hook

    async def __call__(self, seconds):
        self.waits.append(seconds)
        if self.hook:
            hook, self.hook = self.hook, None
            hook()
        await asyncio.sleep(0)


def cfg(api, **args):
    base = {"mode": "poll", "api_url": api.url, "client_id": CLIENT_ID, "api_key": API_KEY, "lookback": SIX_HOURS,
            "interval": 30, "timeout": 5}
    base.update(args)
    return fe.parse_args(base, environ={})


def run_poll(config, cycles=1, sleeps=None):
    queue, sleeps = ListQueue(), sleeps or Sleeps()
    asyncio.run(fe.poll(queue, config, sleep=sleeps, cycles=cycles))
    return [(i["secure_endpoint"]["event_id"], i["meta"]["hosts"], i["secure_endpoint"]["kind"]) for i in queue.items]


def event_requests(api):
    return api.requests_to("/v1/events")


@pytest.fixture(autouse=True)
def info_logs(caplog):
    caplog.set_level(logging.INFO, logger="secure_endpoint.linux.fault_events")


def test_fault_events_oldest_first_each_once(fake_api, caplog):
    added = []
    sleeps = Sleeps(hook=lambda: added.extend(fake_api.add_events([
        {"event_type_id": 553648195, "computer": {"hostname": "new1.example.com", "connector_guid": "g-new"}}])))
    got = run_poll(cfg(fake_api), cycles=2, sleeps=sleeps)
    assert got == HANDED_OVER + [(added[0]["id"], "new1.example.com", "fault_raised")]
    first, second = event_requests(fake_api)
    assert sorted(first["query"]["event_type[]"]) == sorted(str(t) for t in fe.FAULT_EVENT_TYPES)
    # The second poll starts at the last event handed over (inclusive) and skips what it saw.
    assert second["query"]["start_date"] == [fe.iso(fe.event_time({"date": first_date(fake_api, 1010)}))]
    assert "Major Fault Raised event 1006 for connector unknown names no usable host" in caplog.text
    assert sleeps.waits == [30]


def first_date(api, ident):
    return next(e["date"] for e in api.events if e["id"] == ident)


def test_pages_followed(fake_api):
    assert run_poll(cfg(fake_api, page_size=2)) == HANDED_OVER
    requests = event_requests(fake_api)
    assert len(requests) == 4 and requests[-1]["query"]["offset"] == ["6"]


def test_max_pages_bounds_a_poll(fake_api, caplog):
    got = run_poll(cfg(fake_api, page_size=2, max_pages=2))
    assert [g[0] for g in got] == [1007, 1009, 1010]  # the newest pages only; the rest is said
    assert "more than 2 pages of events since" in caplog.text


def test_rate_limited_waits_as_told_then_goes_on(fake_api, caplog):
    fake_api.inject("/v1/events", status=429, headers={"X-RateLimit-Reset": "7", "X-RateLimit-Remaining": "0"})
    sleeps = Sleeps()
    assert run_poll(cfg(fake_api), sleeps=sleeps) == HANDED_OVER
    assert sleeps.waits == [7.0]
    assert "rate limited by the API (HTTP 429); waiting 7 s" in caplog.text


def test_rate_limit_used_up_waits_before_the_next_request():
    with FakeSecureEndpointAPI(rate_limit=1, rate_window=40) as api:
        sleeps = Sleeps()
        assert run_poll(cfg(api), sleeps=sleeps) == HANDED_OVER
    assert len(sleeps.waits) == 1 and 35 <= sleeps.waits[0] <= 40


@pytest.mark.parametrize("injection", [{"status": 503}, {"drop": True}])
def test_server_errors_and_dropped_connections_retried(fake_api, injection):
    fake_api.inject("/v1/events", times=2, **injection)
    sleeps = Sleeps()
    assert run_poll(cfg(fake_api), sleeps=sleeps) == HANDED_OVER
    # aiohttp itself retries a request whose pooled connection was dropped once, without a wait.
    assert len(event_requests(fake_api)) == 3 and 1 <= len(sleeps.waits) <= 2


def test_hanging_api_is_bounded(fake_api, caplog):
    fake_api.inject("/v1/events", delay=3, times=-1)
    assert run_poll(cfg(fake_api, timeout=0.3, retries=1)) == []
    assert "poll: TimeoutError" in caplog.text and "trying again in 30 s" in caplog.text


@pytest.mark.parametrize("body, line", [
    ("<html>gateway</html>", "is not JSON"),
    (json.dumps({"version": "v1", "data": {"not": "a list"}}), "has no data list"),
])
def test_an_api_that_lies_is_logged_and_polled_again(fake_api, caplog, body, line):
    fake_api.inject("/v1/events", status=200, body=body)
    assert run_poll(cfg(fake_api), cycles=2) == HANDED_OVER
    assert line in caplog.text


def test_next_link_to_another_host_is_not_followed(fake_api, caplog):
    body = {"version": "v1.2.0", "data": [], "metadata": {"links": {"next": "http://127.0.0.2:9/v1/events?offset=1"}}}
    fake_api.inject("/v1/events", status=200, body=json.dumps(body))
    assert run_poll(cfg(fake_api)) == []
    assert "leaves api_url" in caplog.text


def test_refused_credentials_name_the_client_not_the_key(fake_api):
    with pytest.raises(fe.ApiAuthError) as error:
        run_poll(cfg(fake_api, api_key="wrong-key-123"))
    message = str(error.value)
    assert CLIENT_ID in message and fake_api.url in message and "Unknown API key or Client ID" in message
    assert "wrong-key-123" not in message


def test_state_file_remembers_across_restarts(fake_api, tmp_path):
    state = str(tmp_path / "se-events.json")
    assert run_poll(cfg(fake_api, state_file=state)) == HANDED_OVER
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    assert run_poll(cfg(fake_api, state_file=state)) == []  # a restart: nothing again
    with open(state, encoding="utf-8") as handle:
        saved = json.load(handle)
    assert saved["api_url"] == fake_api.url and 1010 in saved["seen_ids"]


def test_broken_state_file_is_kept_aside(fake_api, tmp_path, caplog):
    state = tmp_path / "se-events.json"
    state.write_bytes(b"\x00garbage")
    assert run_poll(cfg(fake_api, state_file=str(state))) == HANDED_OVER
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == b"\x00garbage"
    assert "cannot be used" in caplog.text


def test_state_file_must_be_a_regular_file(fake_api, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(fe.SourceConfigError, match="not a regular file"):
        run_poll(cfg(fake_api, state_file=str(fifo)))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_main_with_a_list_backed_queue(fake_api):
    """As ansible-rulebook calls it: main(queue, args) until cancelled."""
    queue = ListQueue()
    args = {"mode": "poll", "api_url": fake_api.url, "client_id": CLIENT_ID, "api_key": API_KEY,
            "lookback": SIX_HOURS, "interval": 60}

    async def run():
        task = asyncio.ensure_future(fe.main(queue, args))
        deadline = asyncio.get_running_loop().time() + 5
        while len(queue.items) < len(HANDED_OVER) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert [i["secure_endpoint"]["event_id"] for i in queue.items] == [h[0] for h in HANDED_OVER]
    assert all(i["secure_endpoint"]["source"] == "poll" for i in queue.items)
