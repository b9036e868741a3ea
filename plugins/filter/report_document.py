# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: report_document
short_description: The report document of a facts or remediation run (schema 2)
version_added: 1.1.0
description:
  - Builds the one report document of a run described in the collection's design (C(schema 2)) from the
    C(hostvars) of the play - C(kind), C(generated_at), C(check_mode), C(summary), C(hosts) (facts of each host,
    null when none), C(unreachable), C(failed), C(no_facts) and, for C(kind=remediation), C(remediation) (each
    host's entry set by role C(secure_endpoint.linux.remediate)), C(summary.statuses) and C(run_stopped).
  - Command lines in the process sample and in the fault-18 evidence are redacted to the executable followed by
    C(<redacted>) unless O(command_lines) is true.
  - The Markdown, HTML and JUnit writers take this document.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
positional: hosts_all, hosts_ok
options:
  _input:
    description: The C(hostvars) of the play.
    type: dict
    required: true
  hosts_all:
    description: Every host of the play (C(ansible_play_hosts_all)).
    type: list
    elements: str
    required: true
  hosts_ok:
    description: The hosts still in the play (C(ansible_play_hosts)).
    type: list
    elements: str
  kind:
    description: What the run was.
    type: str
    choices: [facts, remediation]
    default: facts
  generated_at:
    description: UTC time stamp (ISO 8601).
    type: str
  check_mode:
    description: The run was a check-mode run.
    type: bool
    default: false
  result_var:
    description: Name of the variable registered by the gathering task (tells unreachable from failed hosts).
    type: str
  remediation_var:
    description: Name of each host's remediation entry.
    type: str
    default: secure_endpoint_remediation
  command_lines:
    description: Keep command lines as they are instead of redacting them.
    type: bool
    default: false
  run_stopped:
    description: Why the run stopped before its last batch, if it did.
    type: str
"""

EXAMPLES = r"""
- name: Build the report
  ansible.builtin.set_fact:
    report: >-
      {{ hostvars | secure_endpoint.linux.report_document(ansible_play_hosts_all, ansible_play_hosts, kind='remediation',
         generated_at=now(utc=true).strftime('%Y-%m-%dT%H:%M:%SZ'), check_mode=ansible_check_mode) }}
  run_once: true
"""

RETURN = r"""
_value:
  description: The report document.
  type: dict
  contains:
    schema:
      description: Always 2.
      type: int
    kind:
      description: C(facts) or C(remediation).
      type: str
    summary:
      description: Counts of hosts, active faults per fault id and, for remediation, hosts per status.
      type: dict
    hosts:
      description: Host name to its C(secure_endpoint) facts (after remediation), null without facts.
      type: dict
    remediation:
      description: Host name to its remediation entry (remediation only).
      type: dict
"""

from ansible_collections.secure_endpoint.linux.plugins.module_utils.fleet_report import build_document


def report_document(hostvars, hosts_all, hosts_ok=None, kind="facts", generated_at=None, check_mode=False,
                    result_var=None, remediation_var="secure_endpoint_remediation", command_lines=False,
                    run_stopped=None):
    return build_document(hostvars, hosts_all, hosts_ok, generated_at, result_var, kind, check_mode,
                          remediation_var, command_lines, run_stopped)


class FilterModule(object):
    def filters(self):
        return {"report_document": report_document}
