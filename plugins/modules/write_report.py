# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation of the action plugin plugins/action/write_report.py (it runs on the controller only).

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: write_report
short_description: Build a run's Secure Endpoint report document and write its files on the controller
version_added: 1.1.0
description:
  - Builds the report document of a facts or remediation run (schema 2, described in the collection's
    C(docs/DESIGN.md)) from the variables of the play's hosts and writes it in each format of O(formats) to
    C(<dir>/<name>.json), C(.md), C(.html), C(.junit.xml), files 0600 in a directory made 0700. The Markdown, HTML
    and JUnit files are read from the document the same way (P(secure_endpoint.linux.fleet_report_markdown#filter),
    P(secure_endpoint.linux.fleet_report_html#filter), P(secure_endpoint.linux.fleet_report_junit#filter)).
  - Each host's variables are read once, as stored - C(ansible_facts.secure_endpoint), the O(result_var) and
    O(remediation_var) values set by modules, C(set_fact) or C(register) - so the cost grows linearly with the
    fleet; the document itself is not returned (a 1,000-host document is large), only its summary, the files and
    one line per host.
  - Runs on the controller only, once (use C(run_once)); it never connects to a host. The files are the run's
    output, written in check mode too and never reported as a change.
  - A file of the report that exists as anything else than a regular file (a link, a FIFO, a directory) is an
    error and is left alone.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  action:
    support: full
    description: All the work is done by the action plugin, on the controller.
  check_mode:
    support: full
    description: Writes the report in check mode too; the document's C(check_mode) says the run was one.
  diff_mode:
    support: none
    description: The report files are the run's output, not a change; no diff is shown.
  platform:
    support: full
    platforms: all
    description: Runs on the controller.
options:
  kind:
    description: What the run was.
    type: str
    choices: [facts, remediation]
    default: facts
  hosts:
    description: Every host of the play. Default C(ansible_play_hosts_all).
    type: list
    elements: str
  hosts_ok:
    description: The hosts still in the play; the others were unreachable or failed. Default C(ansible_play_hosts).
    type: list
    elements: str
  result_var:
    description: Name of the variable registered by the gathering task (tells unreachable from failed hosts).
    type: str
  remediation_var:
    description: Name of each host's remediation entry (O(kind=remediation)).
    type: str
    default: secure_endpoint_remediation
  command_lines:
    description: Keep the command lines of the process sample and the fault-18 evidence instead of redacting them.
    type: bool
    default: false
  run_stopped:
    description: Why the run stopped before its last batch, if it did.
    type: str
  check_mode:
    description: The run was a check-mode run. Default C(ansible_check_mode).
    type: bool
  write:
    description: Write the files. When V(false) the document is only summarised (RV(dir) is null, RV(files) empty).
    type: bool
    default: true
  dir:
    description:
      - Directory of the files. A relative path is taken relative to the playbook's directory (never the current
        directory); when that lies inside an installed collection (the playbook was run by its FQCN), a relative
        path is an error asking for an absolute one.
      - Required when O(write=true).
    type: path
  name:
    description: File name without suffix. Default C(secure_endpoint_<kind>).
    type: str
  formats:
    description: The files to write.
    type: list
    elements: str
    choices: [html, json, junit, md]
    default: [json, md, html, junit]
notes:
  - The files are replaced atomically (a temporary file in the same directory, flushed, renamed); a run killed while
    writing leaves the previous report or the new one.
"""

EXAMPLES = r"""
- name: Write the remediation report
  secure_endpoint.linux.write_report:
    kind: remediation
    dir: /var/lib/secure_endpoint/reports
  run_once: true
  register: report

- name: Publish it for AWX workflows
  ansible.builtin.set_stats:
    data:
      secure_endpoint_report:
        kind: "{{ report.kind }}"
        dir: "{{ report.dir }}"
        files: "{{ report.files }}"
        summary: "{{ report.summary }}"
  run_once: true
"""

RETURN = r"""
kind:
  description: The O(kind).
  returned: success
  type: str
generated_at:
  description: When the document was built, UTC, ISO 8601.
  returned: success
  type: str
check_mode:
  description: The document's C(check_mode).
  returned: success
  type: bool
dir:
  description: The absolute directory of the files, null when O(write=false).
  returned: success
  type: str
files:
  description: Format (C(json), C(md), C(html), C(junit)) to the file written, null for a format not asked for; empty
    when O(write=false).
  returned: success
  type: dict
summary:
  description: The document's C(summary) (counts of hosts, of active faults and, for remediation, of host statuses).
  returned: success
  type: dict
run_stopped:
  description: The document's C(run_stopped) (remediation), else null.
  returned: success
  type: str
hosts_failed:
  description:
    - The hosts that make the run fail, each with why (the message to fail it with).
    - For O(kind=remediation) the hosts that are not done (status C(failed), C(unreachable), C(lock_busy)) and those
      with journal entries kept for a person (the entries, why, their backups and the steps); for O(kind=facts) the
      hosts that could not be reached or whose facts could not be read.
  returned: success
  type: dict
  sample: {"web3": "Remediation failed: restart: the connector did not come back"}
lines:
  description: One line per host saying what its remediation did (O(kind=remediation)), sorted by host.
  returned: success
  type: list
  elements: str
  sample: ["web1: fixed - 5: fixed", "web2: no active fault"]
"""
