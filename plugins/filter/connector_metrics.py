# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: connector_metrics
short_description: A host's Secure Endpoint connector facts as Prometheus metrics
version_added: 1.1.0
description:
  - Renders C(ansible_facts.secure_endpoint) of one host in the Prometheus text format for node_exporter's textfile
    collector. All metrics are gauges; none carries a timestamp.
  - C(secure_endpoint_fault_active{fault, severity}), C(secure_endpoint_fault_reported{fault}),
    C(secure_endpoint_fault_detected{fault}) for each fault; C(secure_endpoint_faults_active);
    C(secure_endpoint_connector_installed); C(secure_endpoint_connector_up) (NaN when the service state is unknown);
    C(secure_endpoint_connector_info{version, status, mode}); C(secure_endpoint_ampcli_answered);
    C(secure_endpoint_definitions_invalid); C(secure_endpoint_facts_errors);
    C(secure_endpoint_last_check_timestamp_seconds).
  - A value the facts do not give is NaN, never 0.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
positional: checked_at
options:
  _input:
    description: The host's C(ansible_facts.secure_endpoint).
    type: dict
    required: true
  checked_at:
    description: When the facts were read, in seconds since the epoch. Default is the time of the call.
    type: float
"""

EXAMPLES = r"""
- name: Publish the connector's state to node_exporter
  secure_endpoint.linux.prometheus_textfile:
    path: /var/lib/prometheus/node-exporter/secure_endpoint.prom
    content: "{{ ansible_facts.secure_endpoint | secure_endpoint.linux.connector_metrics }}"
    volatile: [secure_endpoint_last_check_timestamp_seconds]
"""

RETURN = r"""
_value:
  description: The metrics in Prometheus text format, ending with a line feed.
  type: str
"""

import time

from ansible.errors import AnsibleFilterError
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.prometheus_text import render_metrics


def connector_metrics(facts, checked_at=None):
    try:
        return render_metrics(facts, time.time() if checked_at is None else checked_at)
    except ValueError as exc:
        raise AnsibleFilterError("connector_metrics: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"connector_metrics": connector_metrics}
