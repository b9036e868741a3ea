# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: remediation_host_result
short_description: Per-fault and per-host status of a remediation run
version_added: 1.1.0
description:
  - Applies the status ladder of the collection's design to one host and returns its entry of the report's
    C(remediation) map - C(status), C(faults) (per fault its status, causes, still active causes, error, notes,
    manual steps, before and after), C(new_faults) (active after, not before), C(faults_left) (active after the
    run, with why), C(errors), C(restarted), C(journal_repaired), C(journal_kept).
  - Statuses are stable ids, for conditions; the report files show them in words.
  - "Per fault: C(failed) if its role failed; C(not_attempted) if its role did not run (its switch is off, or not
    selected by tags); C(needs_person) if the role found so; in check mode C(would_be_fixed); else C(fixed) when
    the facts read after remediation no longer show it, C(needs_person) when they do."
  - "Per host, the first that holds: C(failed) on any error; C(needs_person) if a fault needs one, a new fault
    appeared or a journal entry was kept for a person; C(partly_fixed) if something was fixed (or a journal entry
    repaired) and faults left out by choice are still active; C(not_attempted) if such faults are active and
    nothing was fixed; C(fixed); C(no_active_fault). In check mode C(would_be_partly_fixed) and C(would_be_fixed)
    stand for what C(partly_fixed) and C(fixed) would be. A host with an active fault is never C(fixed)."
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
options:
  _input:
    description: C(ansible_facts.secure_endpoint.faults) read before remediation.
    type: dict
    required: true
  after:
    description: The faults read after remediation; null when they were not read again.
    type: dict
  attempted:
    description: Fault ids whose role ran.
    type: list
    elements: str
  manual:
    description: Fault ids the roles found to need a person.
    type: list
    elements: str
  failures:
    description: Failures recorded by the rescues, fault id (or a step such as C(restart)) to message.
    type: dict
  notes:
    description: Notes of the roles, fault id to a list of strings.
    type: dict
  check_mode:
    description: The run is a check-mode run.
    type: bool
    default: false
  restarted:
    description: The connector was restarted by this run.
    type: bool
    default: false
  journal_repaired:
    description: What the journal recovery repaired (or would repair) at the start of the run.
    type: list
    elements: str
  journal_kept:
    description:
      - Journal entries the recovery left in place for a person, each a line of text or a dict with C(entry),
        C(reason), C(backup) and C(manual_steps).
    type: list
    elements: raw
  unreachable:
    description: When set, the host could not be reached; the entry says so with this message and nothing else.
    type: str
  failed_step:
    description: When set with O(failed_message), the run gave up on the host at this step (e.g. C(facts)).
    type: str
  failed_message:
    description: Why the run gave up on the host.
    type: str
"""

EXAMPLES = r"""
- name: Say what happened on this host
  ansible.builtin.set_fact:
    secure_endpoint_remediation: >-
      {{ before | secure_endpoint.linux.remediation_host_result(after=ansible_facts.secure_endpoint.faults,
         attempted=attempted, manual=manual, failures=failures, notes=notes, check_mode=ansible_check_mode) }}
"""

RETURN = r"""
_value:
  description: The host's entry.
  type: dict
  contains:
    status:
      description:
        - The host's status id, one of C(failed), C(needs_person), C(partly_fixed), C(would_be_partly_fixed),
          C(not_attempted), C(fixed), C(would_be_fixed), C(no_active_fault), C(unreachable).
      type: str
    faults:
      description: One entry per fault active before remediation.
      type: list
      elements: dict
    new_faults:
      description: Faults active after remediation that were not before.
      type: list
      elements: dict
    faults_left:
      description:
        - Every fault active after the run (in check mode, that the run would leave active), each C(fault), C(title)
          and C(why) - its status (C(not_attempted), C(needs_person), C(failed)) or C(new_fault).
      type: list
      elements: dict
    errors:
      description: Failures, fault id or step to message.
      type: dict
    restarted:
      description: The connector was restarted.
      type: bool
    journal_repaired:
      description: Leftovers of an interrupted run repaired at the start.
      type: list
      elements: str
    journal_kept:
      description: Journal entries left in place for a person, each C(entry), C(reason), C(backup), C(manual_steps).
      type: list
      elements: dict
"""

from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import remediation_status as rs


def remediation_host_result(before, after=None, attempted=None, manual=None, failures=None, notes=None,
                            check_mode=False, restarted=False, journal_repaired=None, journal_kept=None,
                            unreachable=None, failed_step=None, failed_message=None):
    if unreachable:
        return rs.unreachable_result(unreachable, journal_repaired, journal_kept)
    if failed_step:
        return rs.failed_result(failed_step, failed_message, journal_repaired, journal_kept)
    return rs.host_result(before, after, attempted, manual, failures, notes, check_mode, restarted, journal_repaired,
                          journal_kept)


class FilterModule(object):
    def filters(self):
        return {"remediation_host_result": remediation_host_result}
