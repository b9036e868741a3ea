# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``fake_api`` pytest fixture: a fresh fake Secure Endpoint API on a free loopback port.

Use it from a conftest.py:
``from ansible_collections.secure_endpoint.linux.tests.fake_api.pytest_fixture import fake_api``.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import pytest

from ansible_collections.secure_endpoint.linux.tests.fake_api.secure_endpoint_api import (
    DEFAULT_CREDENTIALS, FakeSecureEndpointAPI)

CLIENT_ID = next(iter(DEFAULT_CREDENTIALS))
API_KEY = DEFAULT_CREDENTIALS[CLIENT_ID]["api_key"]


@pytest.fixture
def fake_api():
    """A started FakeSecureEndpointAPI with the default data; stopped after the test."""
    with FakeSecureEndpointAPI() as api:
        yield api
