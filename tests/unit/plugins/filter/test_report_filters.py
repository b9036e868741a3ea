# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report and metrics filters: thin wrappers, documented, clear errors."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import time

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.secure_endpoint.linux.plugins.filter import (
    connector_metrics, fleet_report_html, fleet_report_junit, fleet_report_markdown)
from ansible_collections.secure_endpoint.linux.tests.unit.plugins.plugin_utils.report_fixtures import load

MODULES = (connector_metrics, fleet_report_html, fleet_report_junit, fleet_report_markdown)


def test_docs_and_names():
    for module in MODULES:
        doc = yaml.safe_load(module.DOCUMENTATION)
        yaml.safe_load(module.EXAMPLES)
        yaml.safe_load(module.RETURN)
        assert list(module.FilterModule().filters()) == [doc["name"]]
        assert doc["name"] in module.EXAMPLES


def test_render():
    doc = load("remediation")
    assert fleet_report_html.fleet_report_html(doc).startswith("<!DOCTYPE html>")
    assert fleet_report_junit.fleet_report_junit(doc).startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert fleet_report_markdown.fleet_report_markdown(doc).startswith("# Secure Endpoint connector remediation report")
    before = time.time()
    text = connector_metrics.connector_metrics(doc["hosts"]["db1"])
    stamp = float(text.rsplit("secure_endpoint_last_check_timestamp_seconds ", 1)[1])
    assert before <= stamp <= time.time() + 1
    assert connector_metrics.connector_metrics(doc["hosts"]["db1"], 12).endswith(
        "secure_endpoint_last_check_timestamp_seconds 12\n")


def test_errors_are_filter_errors():
    with pytest.raises(AnsibleFilterError, match="fleet_report_html: unsupported report schema"):
        fleet_report_html.fleet_report_html({"schema": 1})
    with pytest.raises(AnsibleFilterError, match="fleet_report_junit: the report must be a dict"):
        fleet_report_junit.fleet_report_junit("text")
    with pytest.raises(AnsibleFilterError, match="fleet_report_markdown: report kind must be one of"):
        fleet_report_markdown.fleet_report_markdown({"schema": 2, "kind": "audit"})
    with pytest.raises(AnsibleFilterError, match="connector_metrics: the metrics need"):
        connector_metrics.connector_metrics(None)


def test_descriptions_are_text():
    """A ': ' in a description line makes YAML read a mapping, which ansible-doc refuses."""
    for module in MODULES:
        doc = yaml.safe_load(module.DOCUMENTATION)
        for entry in [doc] + list(doc["options"].values()):
            lines = entry["description"] if isinstance(entry["description"], list) else [entry["description"]]
            assert all(isinstance(line, str) for line in lines), (doc["name"], lines)
