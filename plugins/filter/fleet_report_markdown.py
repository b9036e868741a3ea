# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: fleet_report_markdown
short_description: Render a Secure Endpoint fleet report as Markdown
version_added: 1.0.0
description:
  - Renders the output of P(secure_endpoint.linux.fleet_report#filter) as Markdown, a summary, a table of the
    active faults per host with their causes, whether the fix is automatic and which role applies it, a table
    of hosts, the unreachable hosts, and the manual steps grouped by fault.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
options:
  _input:
    description: A report built by P(secure_endpoint.linux.fleet_report#filter).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Write the readable report
  ansible.builtin.copy:
    content: "{{ report | secure_endpoint.linux.fleet_report_markdown }}"
    dest: /tmp/secure_endpoint_report.md
    mode: "0644"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
_value:
  description: The report as Markdown text.
  type: str
"""

from ansible_collections.secure_endpoint.linux.plugins.module_utils.fleet_report import render_markdown


def fleet_report_markdown(report):
    return render_markdown(report)


class FilterModule(object):
    def filters(self):
        return {"fleet_report_markdown": fleet_report_markdown}
