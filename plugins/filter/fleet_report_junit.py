# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: fleet_report_junit
short_description: Render a Secure Endpoint fleet report as JUnit XML
version_added: 1.1.0
description:
  - Renders a fleet report document (C(schema) 2, kind C(facts) or C(remediation)) as JUnit XML, so that CI systems
    and AWX users can gate on it.
  - One C(testsuite) per host and one C(testcase) per host and fault.
  - A C(failure) is a fault active after the run (for a remediation report, one that needs a person, was not
    attempted, would be fixed in check mode, or is new after the run).
  - An C(error) is a host that failed or was unreachable, a remediation that failed for the whole host (connection,
    facts, restart), or a fix that failed for that fault.
  - A host without facts, or not processed because the run stopped, is C(skipped); its state is unknown, not broken.
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
- name: Render the JUnit XML report of an earlier run
  ansible.builtin.copy:
    content: "{{ lookup('ansible.builtin.file', '/srv/reports/secure_endpoint_remediation.json') | from_json
                 | secure_endpoint.linux.fleet_report_junit }}"
    dest: /srv/reports/secure_endpoint_remediation.junit.xml
    mode: "0600"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
_value:
  description: The JUnit XML document.
  type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_junit import render_junit
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import ReportError


def fleet_report_junit(report):
    try:
        return render_junit(report)
    except ReportError as exc:
        raise AnsibleFilterError("fleet_report_junit: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"fleet_report_junit": fleet_report_junit}
