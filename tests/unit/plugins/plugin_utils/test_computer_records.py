# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import json
import os

import pytest

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import computer_records as records

NOW = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.timezone.utc)
DATA = os.path.join(os.path.dirname(__file__), "..", "..", "..", "fake_api", "data", "computers.json")


def fixture_computers():
    with open(DATA) as handle:
        return json.load(handle)


@pytest.mark.parametrize("value, expected", [
    ([" 10.0.0.11", "  172.17.0.1 "], ["10.0.0.11", "172.17.0.1"]),
    (" 10.0.0.90 ", ["10.0.0.90"]),
    (["", "  ", None, 3, "fe80::1"], ["fe80::1"]),
    (None, []),
    ({"ip": "10.0.0.1"}, []),
])
def test_clean_ips(value, expected):
    assert records.clean_ips(value) == expected


@pytest.mark.parametrize("os_name, os_version, expected", [
    ("Linux", "Debian GNU/Linux 12 (bookworm)", True),
    ("Ubuntu", "22.04.4 LTS", True),
    ("Oracle Linux Server", "8.10", True),
    ("Red Hat Enterprise Linux", "9.4", True),
    (None, "Red Hat Enterprise Linux 9.4 (Plow)", True),
    ("SLES", "15 SP5", True),
    ("Windows 11, SP 0.0", "Windows 11 Enterprise", False),
    ("macOS 14.5", "14.5", False),
    (None, None, False),
    (42, ["Linux"], False),
])
def test_is_linux(os_name, os_version, expected):
    assert records.is_linux({"operating_system": os_name, "os_version": os_version}) is expected


@pytest.mark.parametrize("faults, expected", [
    ([], False),
    ({}, False),
    ([{"id": 5}], True),
    ([18], True),
    (["Fault 7"], True),
    ({"16": {"severity": "Minor"}}, True),
    ([None], True),
    (None, None),
    ("none", None),
    (0, None),
    (True, None),
])
def test_has_faults_unknown_is_never_true(faults, expected):
    assert records.has_faults(faults) is expected


@pytest.mark.parametrize("last_seen, hours, expected", [
    ("2026-11-24T11:55:00Z", 24, False),
    ("2026-11-23T06:00:00Z", 24, True),
    ("2026-11-23T06:00:00+00:00", 48, False),
    ("2026-11-24T13:00:00+02:00", 1, False),  # 11:00 UTC
    ("2026-11-24T08:00:00", 3, True),  # no zone: UTC
    ("not a date", 24, None),
    ("", 24, None),
    (None, 24, None),
    (1795000000, 24, None),
])
def test_is_stale(last_seen, hours, expected):
    assert records.is_stale(last_seen, NOW, hours) is expected


@pytest.mark.parametrize("isolation, expected", [
    ({"available": True, "status": "isolated"}, True),
    ({"status": "pending_start"}, True),
    ({"status": "PENDING_STOP"}, True),
    ({"status": "not_isolated"}, False),
    ({"available": False}, None),
    ({"status": ""}, None),
    (None, None),
    ("isolated", None),
])
def test_is_isolated(isolation, expected):
    assert records.is_isolated(isolation) is expected


@pytest.mark.parametrize("computer, sources, expected", [
    ({"hostname": " web1 ", "internal_ips": ["10.0.0.1"]}, ["hostname", "internal_ip"], "web1"),
    ({"hostname": "", "internal_ips": [" 10.0.0.50"]}, ["hostname", "internal_ip"], "10.0.0.50"),
    ({"hostname": None, "internal_ips": [], "external_ip": "203.0.113.9"},
     ["hostname", "internal_ip", "external_ip"], "203.0.113.9"),
    ({"hostname": "web1", "connector_guid": "g-1"}, ["connector_guid", "hostname"], "g-1"),
    ({"hostname": None, "internal_ips": None}, ["hostname", "internal_ip", "external_ip"], None),
])
def test_inventory_name_preference(computer, sources, expected):
    assert records.inventory_name(computer, sources) == expected


def test_inventory_name_rejects_unknown_source():
    with pytest.raises(ValueError, match="unknown hostnames entry 'fqdn'"):
        records.inventory_name({"hostname": "x"}, ["fqdn"])


@pytest.mark.parametrize("text, expected", [
    ("Audit Policy for FireAMP Linux", "audit_policy_for_fireamp_linux"),
    ("1.24.3.1021", "1_24_3_1021"),
    ("Lab / Test", "lab_test"),
    ("  ", ""),
    ("Ünïcode-Grüppe", "n_code_gr_ppe"),
])
def test_group_slug(text, expected):
    assert records.group_slug(text) == expected


def test_builtin_groups_follow_known_values_only():
    hvars = records.host_vars({"faults": [], "isolation": {"status": "isolated"}, "is_compromised": "yes",
                               "last_seen": "garbage", "connector_version": "1.24.3",
                               "policy": {"guid": "p", "name": "Linux Server Policy"},
                               "groups": [{"guid": "g", "name": "Linux Servers"}, "odd", {"name": None}]}, NOW, 24)
    assert records.builtin_groups(hvars, "se_") == [
        "se_group_linux_servers", "se_isolated", "se_policy_linux_server_policy", "se_version_1_24_3"]
    assert hvars["is_compromised"] is None and hvars["stale"] is None and hvars["has_faults"] is False


def test_host_vars_of_every_fixture_never_raise_and_keep_faults_as_given():
    for computer in fixture_computers():
        hvars = records.host_vars(computer, NOW, 24)
        assert hvars["faults"] == computer.get("faults")
        assert all(ip == ip.strip() for ip in hvars["internal_ips"])
        json.dumps(hvars)  # plain data only


JUNK_RECORD = {"hostname": ["a"], "internal_ips": {"x": 1}, "groups": "g", "policy": [], "faults": object}


@pytest.mark.parametrize("junk", [None, "text", 12, [1, 2], JUNK_RECORD])
def test_host_vars_of_junk_is_unknown_not_a_crash(junk):
    if isinstance(junk, dict):
        hvars = records.host_vars(junk, NOW, 24)
        assert hvars["hostname"] is None and hvars["groups"] == [] and hvars["policy"] is None
        assert hvars["has_faults"] is None
    hosts, notes = records.select([junk], ["hostname", "internal_ip"])
    assert hosts == {}
    assert notes and notes[0][0] in ("warning", "info")


def test_select_keeps_linux_resolves_duplicates_and_says_why():
    hosts, notes = records.select(fixture_computers(), ["hostname", "internal_ip", "external_ip"])
    assert "win1.example.com" not in hosts and "mac1.example.com" not in hosts
    assert "10.0.0.50" in hosts  # empty hostname: first internal address
    computer, duplicates = hosts["lab1.example.com"]
    assert computer["connector_guid"].endswith("e07")  # seen 20 minutes ago, the other 10 days ago
    assert duplicates == ["1f0c5b0e-8a2d-4c6b-9d1e-0a1b2c3d4e06"]
    texts = [text for level, text in notes if level == "warning"]
    assert any("2 connectors are named lab1.example.com" in t for t in texts)
    assert any("e12 has none of hostname, internal_ip, external_ip" in t for t in texts)
    assert ("info", "2 connector(s) not on Linux (or of unknown system) left out (only_linux)") in notes


def test_select_all_systems_and_repeated_guid_once():
    computers = fixture_computers()
    hosts = records.select(computers + computers[:2], ["connector_guid"], only_linux=False)[0]
    assert len(hosts) == len(computers)
