# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: fleet_report_markdown
short_description: Render a Secure Endpoint fleet report as Markdown
version_added: 1.0.0
description:
  - Renders a fleet report document (C(schema) 2, kind C(facts) or C(remediation), as written to JSON by
    M(secure_endpoint.linux.write_report)) as Markdown, reading each host and fault the way the HTML and JUnit
    renderers do.
  - The counts; for a remediation report the hosts by status and one row per host with the status of each fault,
    the faults still active after the run with why, and the errors; the faults that are not clear per host with
    their causes, whether the fix is automatic and which role applies it; the hosts; the journal entries kept for
    a person; the unreachable, failed and fact-less hosts; the manual steps grouped by fault.
  - Every value is shown as text (C(|), line breaks and C(& < >) escaped).
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
options:
  _input:
    description: The fleet report document (C(schema) 2).
    type: dict
    required: true
"""

EXAMPLES = r"""
# The report of a run is written in every format by secure_endpoint.linux.write_report; this filter
# renders a document again, e.g. one kept as JSON from an earlier run.
- name: Render the Markdown report of an earlier run
  ansible.builtin.copy:
    content: "{{ lookup('ansible.builtin.file', '/srv/reports/secure_endpoint_remediation.json') | from_json
                 | secure_endpoint.linux.fleet_report_markdown }}"
    dest: /srv/reports/secure_endpoint_remediation.md
    mode: "0600"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
_value:
  description: The report as Markdown text.
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_markdown import render_markdown
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import ReportError


def fleet_report_markdown(report):
    try:
        return render_markdown(report)
    except ReportError as exc:
        raise AnsibleFilterError("fleet_report_markdown: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"fleet_report_markdown": fleet_report_markdown}
