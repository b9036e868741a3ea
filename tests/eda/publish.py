# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Publish Secure Endpoint events to the test broker, as the console's event stream would."""
from __future__ import annotations

import asyncio
import json
import ssl
import threading
import time

import aiormq
from yarl import URL

FAULT_TYPES = {"critical": (2164260931, "Critical Fault Raised"), "major": (1090519107, "Major Fault Raised"),
               "minor": (553648195, "Minor Fault Raised"), "cleared": (553648196, "Fault Cleared")}
_IDS = iter(range(int(time.time() * 1000), 1 << 62))
_IDS_LOCK = threading.Lock()


def fault_event(hostname: str, kind: str = "major", guid: str | None = None, ip: str = "10.0.0.5", **extra) -> dict:
    """An event in the documented shape of GET /v1/events and the event stream."""
    type_id, name = FAULT_TYPES[kind]
    with _IDS_LOCK:
        ident = next(_IDS)
    now = time.time()
    payload = {
        "id": ident, "timestamp": int(now), "timestamp_nanoseconds": int((now % 1) * 1e9),
        "date": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now)),
        "event_type": name, "event_type_id": type_id, "group_guids": ["5cdf70dd-1b14-46a0-be90-e08da14172d8"],
        "computer": {"connector_guid": guid or "guid-%s" % hostname, "hostname": hostname, "active": True,
                     "external_ip": "203.0.113.5", "network_addresses": [{"mac": "52:54:00:00:00:05", "ip": ip}],
                     "links": {}},
    }
    payload.update(extra)
    return payload


class Publisher:
    """A blocking publisher over its own event loop (tests are synchronous)."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.connection = None
        self.channel = None

    def _run(self, coro):
        return self.loop.run_until_complete(asyncio.wait_for(coro, 30))

    def __enter__(self) -> "Publisher":
        s = self.settings
        context = ssl.create_default_context(cafile=s["ca_path"])
        url = URL.build(scheme="amqps", user=s["user_name"], password=s["password"], host=s["host"], port=s["port"],
                        path="/")

        async def connect():
            self.connection = aiormq.Connection(url, context=context)
            await self.connection.connect()
            self.channel = await self.connection.channel()

        self._run(connect())
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.connection is not None:
                self._run(self.connection.close())
        finally:
            self.loop.close()

    def declare(self, queue: str, purge: bool = False) -> None:
        self._run(self.channel.queue_declare(queue, durable=True))
        if purge:
            self._run(self.channel.queue_purge(queue))

    def publish(self, queue: str, body) -> None:
        """Persistent message on the default exchange (survives a broker restart)."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        self._run(self.channel.basic_publish(data, routing_key=queue,
                                             properties=aiormq.spec.Basic.Properties(delivery_mode=2)))

    def delete(self, queue: str) -> None:
        self._run(self.channel.queue_delete(queue))
