# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the event-driven tests: a real RabbitMQ node (TLS, loopback) and a publisher."""
from __future__ import annotations

import os
import re
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TOP, "extensions", "eda", "plugins", "event_source"))

from broker import Broker  # noqa: E402  pylint: disable=wrong-import-position
from publish import Publisher  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="session")
def broker():
    """One private node for the session, under .testbed/eda/broker-tests (removed at the end)."""
    node = Broker(os.path.join(TOP, ".testbed", "eda", "broker-tests"))
    node.prepare()
    try:
        node.start()
        yield node
    finally:
        node.stop()


@pytest.fixture
def queue_name(broker, request):
    """A fresh durable queue per test, as POST /v1/event_streams would have made it."""
    name = "event_stream_%s" % re.sub(r"[^A-Za-z0-9_]+", "_", request.node.name)[:60]
    with Publisher(broker.settings) as pub:
        pub.declare(name, purge=True)
    return name
