# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: fleet_report
short_description: Build the fleet report of Secure Endpoint connector facts
version_added: 1.0.0
description:
  - Collects C(ansible_facts.secure_endpoint) of every host of a play into one report, with a summary
    (active faults per fault id) and the hosts that were unreachable, failed, or have no facts.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
positional: hosts_all, hosts_ok
options:
  _input:
    description: The C(hostvars) of the play (or any mapping of host name to its variables).
    type: dict
    required: true
  hosts_all:
    description: Every host of the play (C(ansible_play_hosts_all)).
    type: list
    elements: str
    required: true
  hosts_ok:
    description: The hosts still in the play (C(ansible_play_hosts)); the others are reported as unreachable or failed.
    type: list
    elements: str
  generated_at:
    description: A time stamp to put in the report.
    type: str
  result_var:
    description:
      - Name of the variable registered by the gathering task. Its C(unreachable) and C(failed) flags tell
        unreachable hosts from failed ones (with the error message), also when the play went on past them.
    type: str
"""

EXAMPLES = r"""
- name: Build the report
  ansible.builtin.set_fact:
    report: "{{ hostvars | secure_endpoint.linux.fleet_report(ansible_play_hosts_all, ansible_play_hosts) }}"
"""

RETURN = r"""
_value:
  description: The report.
  type: dict
  contains:
    generated_at:
      description: The O(generated_at) given, or null.
      type: str
    summary:
      description: Counts of hosts (C(hosts), C(with_facts), C(unreachable), C(failed), C(no_facts),
        C(hosts_with_active_faults)) and C(active_faults), hosts per fault id.
      type: dict
    hosts:
      description: Host name to its C(secure_endpoint) facts, null for hosts without facts.
      type: dict
    unreachable:
      description: Hosts that could not be reached (or left the play without a registered result).
      type: list
      elements: str
    failed:
      description: Hosts where gathering failed, each with C(host) and C(msg).
      type: list
      elements: dict
    no_facts:
      description: Hosts that ran but have no C(secure_endpoint) facts.
      type: list
      elements: str
"""

from ansible_collections.secure_endpoint.linux.plugins.module_utils.fleet_report import build_report


def fleet_report(hostvars, hosts_all, hosts_ok=None, generated_at=None, result_var=None):
    return build_report(hostvars, hosts_all, hosts_ok, generated_at, result_var)


class FilterModule(object):
    def filters(self):
        return {"fleet_report": fleet_report}
