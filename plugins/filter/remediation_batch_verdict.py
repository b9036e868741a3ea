# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: remediation_batch_verdict
short_description: Whether a remediation run stops before its next batch
version_added: 1.1.0
description:
  - Counts the hosts of a batch that failed or were unreachable - from each host's remediation entry, a host
    without one having left the batch on a hard failure - and says whether their share is above
    O(max_fail_percentage) (the rule of Ansible's C(max_fail_percentage), which does not see hosts that a
    rescue or C(ignore_unreachable) kept in the play). Reads each host of the batch once.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
positional: batch, max_fail_percentage
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  batch:
    description: The hosts of the batch as it started.
    type: list
    elements: str
    required: true
  max_fail_percentage:
    description: The share of failed and unreachable hosts, in percent, above which the run stops.
    type: float
    required: true
  result_var:
    description: The variable holding each host's remediation entry.
    type: str
    default: secure_endpoint_remediation
"""

EXAMPLES = r"""
- name: Decide whether the run goes on
  ansible.builtin.set_fact:
    verdict: "{{ hostvars | secure_endpoint.linux.remediation_batch_verdict(batch, 20) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The verdict.
  type: dict
  contains:
    stop:
      description: The run stops.
      type: bool
    failed:
      description: The failed and unreachable hosts of the batch.
      type: list
      elements: str
    hosts:
      description: Hosts in the batch.
      type: int
    message:
      description: Why the run stops, or null.
      type: str
"""

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.remediation_status import batch_verdict


def remediation_batch_verdict(hostvars, batch, max_fail_percentage, result_var="secure_endpoint_remediation"):
    results = {}
    for host in batch or []:
        try:
            results[host] = hostvars[host].get(result_var) if host in hostvars else None
        except (AttributeError, KeyError):
            results[host] = None
    return batch_verdict(results, batch, max_fail_percentage)


class FilterModule(object):
    def filters(self):
        return {"remediation_batch_verdict": remediation_batch_verdict}
