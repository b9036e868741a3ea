# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: fleet_report_html
short_description: Render a Secure Endpoint fleet report as one self-contained HTML page
version_added: 1.1.0
description:
  - Renders a fleet report document (C(schema) 2, kind C(facts) or C(remediation)) as one HTML page with no external
    asset and no network access, for a person to read.
  - The page shows the summary counts of the report, a host by fault matrix coloured by state (fixed, needs a person,
    failed, active, would be fixed, unreachable, unknown, clear), and per host the causes, evidence, manual steps and,
    for a remediation report, the state of each fault before and after the run.
  - The matrix can be sorted by any column and filtered by text with a small inline script; everything is readable
    with scripts off. Every value of the report is escaped as text, and the page's Content-Security-Policy allows
    no other script and no network request.
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
- name: Render the HTML report of an earlier run
  ansible.builtin.copy:
    content: "{{ lookup('ansible.builtin.file', '/srv/reports/secure_endpoint_remediation.json') | from_json
                 | secure_endpoint.linux.fleet_report_html }}"
    dest: /srv/reports/secure_endpoint_remediation.html
    mode: "0600"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
_value:
  description: The HTML page.
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_html import render_html
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import ReportError


def fleet_report_html(report):
    try:
        return render_html(report)
    except ReportError as exc:
        raise AnsibleFilterError("fleet_report_html: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"fleet_report_html": fleet_report_html}
