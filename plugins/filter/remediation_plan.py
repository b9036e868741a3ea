# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: remediation_plan
short_description: The rows of the remediation fault table to run on a host
version_added: 1.1.0
description:
  - Keeps the rows of the ordered fault table of role C(secure_endpoint.linux.remediate) that have at least one
    active fault in the host's facts and are selected by C(--tags) and C(--skip-tags), in the table's order.
  - Each row returned carries C(active), the ids of its faults that are active.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
positional: faults, run_tags, skip_tags
options:
  _input:
    description: The fault table, a list of C({faults, role, tags}).
    type: list
    elements: dict
    required: true
  faults:
    description: C(ansible_facts.secure_endpoint.faults) of the host.
    type: dict
    required: true
  run_tags:
    description: C(ansible_run_tags).
    type: list
    elements: str
  skip_tags:
    description: C(ansible_skip_tags).
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Run the role of each active fault
  ansible.builtin.include_tasks: fault.yml
  loop: "{{ table | secure_endpoint.linux.remediation_plan(ansible_facts.secure_endpoint.faults, ansible_run_tags, ansible_skip_tags) }}"
"""

RETURN = r"""
_value:
  description: The selected rows, each with C(faults) (ids as strings), C(role), C(tags) and C(active).
  type: list
  elements: dict
"""

from ansible_collections.secure_endpoint.linux.plugins.module_utils.remediation_status import plan


def remediation_plan(table, faults, run_tags=None, skip_tags=None):
    return plan(table, faults, run_tags, skip_tags)


class FilterModule(object):
    def filters(self):
        return {"remediation_plan": remediation_plan}
