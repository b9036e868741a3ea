# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The metrics text as Prometheus' own Python client parses it (the text format 0.0.4)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import math
import os

import pytest
from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import prometheus_text

DATA = os.path.join(os.path.dirname(__file__), "..", "unit", "data", "reports")


def hosts():
    with open(os.path.join(DATA, "facts.json")) as handle:
        doc = json.load(handle)
    return dict((name, facts) for name, facts in doc["hosts"].items() if facts)


def parse(text):
    families = list(text_string_to_metric_families(text))
    samples = {}
    for family in families:
        assert family.type == "gauge", family.name
        for sample in family.samples:
            assert sample.timestamp is None
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in samples, key
            samples[key] = sample.value
    return families, samples


@pytest.mark.parametrize("name", sorted(hosts()))
def test_every_host_parses(name):
    facts = hosts()[name]
    families, samples = parse(prometheus_text.render_metrics(facts, 1764000000.5))
    assert len(families) == 11
    for fault, entry in facts["faults"].items():
        key = ("secure_endpoint_fault_active", (("fault", fault), ("severity", entry["severity"] or "")))
        assert samples[key] == (1.0 if entry["active"] else 0.0)
    assert samples[("secure_endpoint_last_check_timestamp_seconds", ())] == 1764000000.5
    info = [k for k in samples if k[0] == "secure_endpoint_connector_info"]
    assert len(info) == 1 and dict(info[0][1])["version"] == facts["version"]


def test_hostile_label_values_round_trip():
    facts = dict(hosts()["clean1"], version=u'1.2"3\\4\n5 </script> \u65e5\u672c')
    _families, samples = parse(prometheus_text.render_metrics(facts, 0))
    info = [dict(k[1]) for k in samples if k[0] == "secure_endpoint_connector_info"][0]
    assert info["version"] == facts["version"]


def test_unknown_parses_as_nan():
    _families, samples = parse(prometheus_text.render_metrics({"service": {"state": "unknown"}}, 0))
    assert math.isnan(samples[("secure_endpoint_connector_up", ())])
    assert math.isnan(samples[("secure_endpoint_fault_active", (("fault", "5"), ("severity", "")))])
