# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: remediation_wait_for
short_description: The faults the post-restart re-read of the facts waits to clear
version_added: 1.1.0
description:
  - The fault ids that were attempted and active before, that no role found to need a person (the roles decide it,
    opt-ins included) and that did not fail. The connector role's C(refresh_facts) waits until none of them is active.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
positional: attempted, manual, failures
options:
  _input:
    description: C(ansible_facts.secure_endpoint.faults) read before remediation.
    type: dict
    required: true
  attempted:
    description: Fault ids whose role ran.
    type: list
    elements: str
    required: true
  manual:
    description: Fault ids the roles found to need a person.
    type: list
    elements: str
  failures:
    description: Failures recorded by the rescues, fault id to message.
    type: dict
"""

EXAMPLES = r"""
- name: Read the facts again, waiting for the fixed faults to clear
  ansible.builtin.include_role:
    name: secure_endpoint.linux.connector
    tasks_from: refresh_facts
  vars:
    secure_endpoint_refresh_wait_for: "{{ before | secure_endpoint.linux.remediation_wait_for(attempted, manual, failures) }}"
"""

RETURN = r"""
_value:
  description: Fault ids (strings).
  type: list
  elements: str
"""

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.remediation_status import wait_for


def remediation_wait_for(before, attempted, manual=None, failures=None):
    return wait_for(before, attempted, manual, failures)


class FilterModule(object):
    def filters(self):
        return {"remediation_wait_for": remediation_wait_for}
