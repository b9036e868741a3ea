# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shipped rulebook under the real ansible-rulebook, mode poll, against the fake Secure Endpoint API."""
from __future__ import annotations

import os
import sys

from rulebook_process import TOP, Rulebook

sys.path.insert(0, os.path.join(TOP, "tests", "fake_api"))
from secure_endpoint_api import DEFAULT_CREDENTIALS, FakeSecureEndpointAPI  # noqa: E402  pylint: disable=wrong-import-position


def test_polled_events_reach_the_rules(tmp_path):
    """Events that appear after the start are polled: Cleared is reported, Raised for an unknown host runs nothing."""
    client_id = next(iter(DEFAULT_CREDENTIALS))
    with FakeSecureEndpointAPI() as api:
        variables = {"secure_endpoint_events_mode": "poll", "secure_endpoint_api_url": api.url,
                     "secure_endpoint_client_id": client_id,
                     "secure_endpoint_api_key": DEFAULT_CREDENTIALS[client_id]["api_key"],
                     "secure_endpoint_events_interval": 1,
                     "secure_endpoint_events_state_file": str(tmp_path / "state.json")}
        rulebook = Rulebook(str(tmp_path), {"all": {"hosts": {}}}, variables)
        try:
            rulebook.wait_for(r"poll: polling %s/v1/events every 1 s" % api.url)
            api.add_events([
                {"event_type_id": 553648196, "computer": {"hostname": "db1.example.com", "connector_guid": "g-db1"}},
                {"event_type_id": 1090519054, "computer": {"hostname": "db1.example.com"}},  # filtered by the API
                {"event_type_id": 2164260931, "computer": {"hostname": "eda-poll-ghost", "connector_guid": "g-x"}},
            ])
            rulebook.wait_for(r"secure_endpoint: Fault Cleared on db1\.example\.com \(connector g-db1")
            rulebook.wait_for(r"Could not match supplied host pattern, ignoring: eda-poll-ghost", timeout=180)
            text = rulebook.text()
        finally:
            rulebook.stop()
    assert '"since"' in (tmp_path / "state.json").read_text(encoding="utf-8")
    assert text.count("Fault Cleared (fault_cleared) for host db1.example.com") == 1
    assert "Threat" not in text
    assert DEFAULT_CREDENTIALS[client_id]["api_key"] not in text
