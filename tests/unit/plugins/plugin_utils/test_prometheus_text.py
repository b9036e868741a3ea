# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Metrics text from facts (prometheus_client's parser reads it in tests/reports)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy
import json
import os
import re

import pytest

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import prometheus_text

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "reports")
SAMPLE = re.compile(r'^([a-z_]+)(\{([a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*)\})? (\S+)$')


def host(name):
    with open(os.path.join(DATA, "facts.json")) as handle:
        return json.load(handle)["hosts"][name]


def samples(content):
    out = {}
    for line in content.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) secure_endpoint_[a-z_]+ \S", line), line
            continue
        match = SAMPLE.match(line)
        assert match, line
        out[(match.group(1), match.group(3) or "")] = match.group(4)
    return out


def test_overloaded_host():
    content = prometheus_text.render_metrics(host("web1.example.com"), 1764000000.25)
    assert content.endswith("\n") and "\n\n" not in content
    found = samples(content)
    assert found[("secure_endpoint_fault_active", 'fault="18",severity="Major"')] == "1"
    assert found[("secure_endpoint_fault_active", 'fault="5",severity=""')] == "0"
    assert found[("secure_endpoint_fault_reported", 'fault="18"')] == "1"
    assert found[("secure_endpoint_fault_detected", 'fault="18"')] == "0"
    assert found[("secure_endpoint_faults_active", "")] == "1"
    assert found[("secure_endpoint_connector_up", "")] == "1"
    assert found[("secure_endpoint_connector_installed", "")] == "1"
    assert found[("secure_endpoint_connector_info", 'mode="Degraded",status="Connected",version="1.24.3"')] == "1"
    assert found[("secure_endpoint_last_check_timestamp_seconds", "")] == "1764000000.25"
    assert found[("secure_endpoint_facts_errors", "")] == "0"
    assert len([k for k in found if k[0] == "secure_endpoint_fault_active"]) == 9
    # One TYPE line per metric, each before its samples; no sample has a timestamp.
    types = re.findall(r"^# TYPE (\S+) gauge$", content, re.M)
    assert len(types) == len(set(types)) == 11


def test_label_values_escaped():
    facts = host(u'evil"\'><script>window.__pwned_host=1</script>')
    facts["version"] = u'1.2"3\\4\n5'
    found = samples(prometheus_text.render_metrics(facts, 1))
    assert ("secure_endpoint_connector_info", 'mode="Degraded",status="Connected",version="1.2\\"3\\\\4\\n5"') in found
    assert found[("secure_endpoint_facts_errors", "")] == "1"


def test_unknown_is_nan_not_zero():
    facts = copy.deepcopy(host("clean1"))
    facts["service"]["state"] = "unknown"
    del facts["faults"]["7"]
    facts["faults"]["9"]["active"] = None
    facts.pop("definitions")
    facts.pop("ampcli")
    found = samples(prometheus_text.render_metrics(facts, 1))
    assert found[("secure_endpoint_connector_up", "")] == "NaN"
    assert found[("secure_endpoint_fault_active", 'fault="7",severity=""')] == "NaN"
    assert found[("secure_endpoint_fault_active", 'fault="9",severity=""')] == "NaN"
    assert found[("secure_endpoint_faults_active", "")] == "NaN"
    assert found[("secure_endpoint_definitions_invalid", "")] == "NaN"
    assert found[("secure_endpoint_ampcli_answered", "")] == "NaN"


def test_stopped_connector_and_not_installed():
    facts = copy.deepcopy(host("clean1"))
    facts["service"]["state"] = "failed"
    facts["ampcli"]["error"] = "ampcli status did not answer within 10s (killed)"
    found = samples(prometheus_text.render_metrics(facts, 1))
    assert found[("secure_endpoint_connector_up", "")] == "0"
    assert found[("secure_endpoint_ampcli_answered", "")] == "0"
    facts.update(installed=False, version=None)
    facts["service"]["state"] = "not-found"
    found = samples(prometheus_text.render_metrics(facts, 1))
    assert found[("secure_endpoint_connector_installed", "")] == "0"
    assert found[("secure_endpoint_connector_up", "")] == "0"
    assert ("secure_endpoint_connector_info", 'mode="Normal",status="Connected",version=""') in found


def test_values():
    assert [prometheus_text.format_value(v) for v in (None, True, 0, 3, 2.5, float("nan"), float("inf"), 1e20)] == [
        "NaN", "1", "0", "3", "2.5", "NaN", "+Inf", "1e+20"]


def test_bad_input():
    with pytest.raises(ValueError, match="facts"):
        prometheus_text.render_metrics(None, 1)
    with pytest.raises(ValueError, match="checked_at"):
        prometheus_text.render_metrics({}, "yesterday")
    # Minimal facts still give every metric, unknown as NaN.
    assert "secure_endpoint_fault_active{fault=\"19\",severity=\"\"} NaN" in prometheus_text.render_metrics({}, 0)
