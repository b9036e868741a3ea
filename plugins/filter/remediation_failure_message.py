# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: remediation_failure_message
short_description: One bounded line saying why a remediation task failed
version_added: 1.1.0
description:
  - Builds the message a rescue records from C(ansible_failed_task) and C(ansible_failed_result) - the task's name,
    its message, the first failed loop item's message and the tail of stderr - at most 600 characters.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
positional: result
options:
  _input:
    description: C(ansible_failed_task).
    type: dict
    required: true
  result:
    description: C(ansible_failed_result).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Record the failure
  ansible.builtin.set_fact:
    failures: "{{ failures | combine({'5': ansible_failed_task | secure_endpoint.linux.remediation_failure_message(ansible_failed_result)}) }}"
"""

RETURN = r"""
_value:
  description: The message.
  type: str
"""

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.remediation_status import failure_message


def remediation_failure_message(task, result):
    return failure_message(task, result)


class FilterModule(object):
    def filters(self):
        return {"remediation_failure_message": remediation_failure_message}
