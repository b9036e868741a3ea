# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# Documentation of the action plugin plugins/action/remediation_start.py, which runs the modules
# remediation_journal and connector_facts on the host.

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: remediation_start
short_description: Start a host's remediation - repair the journal, read the connector facts, plan the fixes
version_added: 1.1.0
description:
  - The first task of a remediation run on a host (role C(secure_endpoint.linux.remediate)), in one task.
  - First M(secure_endpoint.linux.remediation_journal) with C(action=recover) repairs what an interrupted run left,
    check mode included (it then says what it would repair and touches nothing). When it fails, the facts are not
    read and the host's entry says why.
  - Then M(secure_endpoint.linux.connector_facts) reads C(ansible_facts.secure_endpoint), once, with O(facts).
  - Then the rows of O(table) with an active fault, selected by the tags of the run, are returned in RV(plan). A host
    with nothing to run gets its final remediation entry in RV(remediation) (status C(no_active_fault),
    C(not_attempted), or what the journal repair changed), so that it needs no other task.
  - A host that cannot be reached is returned as unreachable with its entry (use C(ignore_unreachable) to keep it in
    the play and report it).
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  action:
    support: full
    description: The action plugin runs the two modules on the host and decides on the controller.
  check_mode:
    support: full
    description: The journal repair only says what it would do; the facts are read as in a real run.
  diff_mode:
    support: full
    description: Shows the file contents the journal repair puts back.
  platform:
    support: full
    platforms: posix
    description: Debian and Red Hat family hosts, as the two modules.
options:
  state_dir:
    description: The collection's state directory on the host (O(secure_endpoint.linux.remediation_journal#module:state_dir)).
    type: path
    default: /var/lib/secure_endpoint
  facts:
    description: Options of M(secure_endpoint.linux.connector_facts), as that module takes them.
    type: dict
    default: {}
  table:
    description:
      - The ordered fault table of role C(secure_endpoint.linux.remediate), a list of C({faults, role, tags}); a row
        runs when at least one of its faults is active and the run's tags select it.
    type: list
    elements: dict
    default: []
  run_tags:
    description: The tags of the run. Default C(ansible_run_tags).
    type: list
    elements: str
  skip_tags:
    description: The skipped tags of the run. Default C(ansible_skip_tags).
    type: list
    elements: str
notes:
  - Needs root on the host, as the two modules do.
"""

EXAMPLES = r"""
- name: Repair leftovers of an interrupted run, read the facts, plan
  secure_endpoint.linux.remediation_start:
    state_dir: /var/lib/secure_endpoint
    facts:
      ampcli_timeout: 10
    table:
      - faults: ["5"]
        role: scan_user
        tags: [fault_5, scan_user]
  register: start
  ignore_unreachable: true
  ignore_errors: true
"""

RETURN = r"""
ansible_facts:
  description: C(secure_endpoint), as returned by M(secure_endpoint.linux.connector_facts).
  returned: when the facts were read
  type: dict
journal:
  description: What the journal repair did.
  returned: always
  type: dict
  contains:
    repaired:
      description: What was (or in check mode would be) repaired.
      type: list
      elements: str
    kept:
      description: Entries left in place for a person (unknown kind, unreadable).
      type: list
      elements: str
    failed:
      description: Entries that could not be repaired.
      type: list
      elements: str
plan:
  description: The rows of O(table) to run, each with C(active), its faults that are active; empty when none.
  returned: always
  type: list
  elements: dict
remediation:
  description:
    - The host's final remediation entry (see P(secure_endpoint.linux.remediation_host_result#filter)) when there is
      nothing to run, the journal or the facts failed, or the host could not be reached; null when RV(plan) is not
      empty.
  returned: always
  type: dict
"""
