#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: connector_local_fact
short_description: Deliver the connector facts with setup, as a local fact
version_added: 1.1.0
description:
  - Installs an executable local fact, C(<fact_path>/<name>.fact), that prints the document
    M(secure_endpoint.linux.connector_facts) returns. C(setup) runs it at every fact gathering and
    the facts arrive as C(ansible_local.secure_endpoint) (C(ansible_facts.ansible_local.secure_endpoint)),
    without a second module per host.
  - The script runs the collection's own detection code, copied to O(lib_dir) as plain files (the
    module_utils this module ships with; only the Python standard library is needed on the host,
    no Ansible). Each version goes to its own directory, written whole under a temporary name and
    renamed into place before the script is switched to it; the other versions are removed after.
    A run killed at any point leaves the old fact or the new one working, and its leftovers are
    removed by the next run.
  - The other options are those of M(secure_endpoint.linux.connector_facts), checked the same way and
    written into the script.
  - A new or changed script is run once under a temporary name and replaces the old one only when it
    prints the facts; a script that fails is never what C(setup) runs.
  - A fact file of the same name that this module did not write, or one that is a link, FIFO or
    directory, is never replaced nor removed.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: Says what would be written or removed and writes nothing.
  diff_mode:
    support: full
    description: Shows the fact script before and after, and the detection code's files added and removed.
options:
  state:
    description: V(present) installs or updates the fact, V(absent) removes the script and the code.
    type: str
    choices: [present, absent]
    default: present
  name:
    description: Name of the fact, C(ansible_local.<name>); the script is C(<fact_path>/<name>.fact).
    type: str
    default: secure_endpoint
  fact_path:
    description:
      - The directory C(setup) reads local facts from (its O(ansible.builtin.setup#module:fact_path) option).
      - Created (0755) when missing.
    type: path
    default: /etc/ansible/facts.d
  lib_dir:
    description:
      - Where the detection code goes, one directory per version.
      - It and every directory above it must belong to root (or the user the module runs as) and be
        writable by nobody else, since the fact runs as root what it holds.
    type: path
    default: /usr/local/lib/secure_endpoint/facts
  python:
    description:
      - Interpreter of the script (its C(#!) line), run with C(-SE) (no site-packages, no C(PYTHON*) variables).
      - Default the interpreter this module runs with (Ansible's discovered one).
    type: path
extends_documentation_fragment:
  - secure_endpoint.linux.facts_options
notes:
  - The fact runs as the user C(setup) runs as. Without C(become) most probes answer unknown, as with
    M(secure_endpoint.linux.connector_facts).
  - Like a normal run of M(secure_endpoint.linux.connector_facts), the fact keeps its definitions verdicts
    in O(cache_path), also when the play runs with C(--check), since C(setup) cannot tell the fact
    script which mode the play is in. It writes nothing else.
  - C(setup) waits for local facts without a time limit; the fact is bounded by its own limits
    (O(ampcli_timeout), the size and time limits of its readers and of the definitions check).
seealso:
  - module: secure_endpoint.linux.connector_facts
  - module: ansible.builtin.setup
"""

EXAMPLES = r"""
- name: Deliver the connector facts with every fact gathering
  secure_endpoint.linux.connector_local_fact:
    ampcli_timeout: 5

- name: A later play reads them (plain gather_facts)
  ansible.builtin.debug:
    msg: "{{ ansible_local.secure_endpoint.faults['5'].causes }}"
  when: ansible_local.secure_endpoint.faults['5'].active

- name: Stop delivering them
  secure_endpoint.linux.connector_local_fact:
    state: absent
"""

RETURN = r"""
fact_file:
  description: The fact script.
  returned: always
  type: str
  sample: /etc/ansible/facts.d/secure_endpoint.fact
bundle_dir:
  description: The directory of the detection code the script uses (null with O(state=absent)).
  returned: always
  type: str
  sample: /usr/local/lib/secure_endpoint/facts/3f2a9c0d1e4b5a67
bundle_files:
  description: Number of files of the detection code.
  returned: always
  type: int
  sample: 21
removed:
  description: Directories and temporary files of other versions or of killed runs that were (or would be) removed.
  returned: always
  type: list
  elements: str
  sample: [/usr/local/lib/secure_endpoint/facts/.tmp-3f2a9c0d1e4b5a67-4242]
"""

import json
import os
import sys

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import facts_options, local_fact_bundle
# Imported so that AnsiballZ ships the fact's code with this module (read back by read_loaded).
from ansible_collections.secure_endpoint.linux.plugins.module_utils import local_fact  # noqa: F401 pylint: disable=unused-import


# This module's own options; the others are the facts' (facts_options), written into the script.
_OWN = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    name=dict(type="str", default="secure_endpoint"),
    fact_path=dict(type="path", default="/etc/ansible/facts.d"),
    lib_dir=dict(type="path", default="/usr/local/lib/secure_endpoint/facts"),
    python=dict(type="path"),
)


# The trial run of a new script before it replaces the old one, beyond ampcli's own timeout: room
# for a first judgement of the definitions (bounded by definitions_max_run_mb).
_VERIFY_SECONDS = 120


def argument_spec():
    spec = facts_options.argument_spec()
    spec.update(_OWN)
    return spec


def fact_options(params):
    """The facts' options as the JSON the script holds."""
    return json.dumps(dict((name, params[name]) for name in facts_options.TYPES), sort_keys=True)


def _diff(step, files):
    fact_header = step["fact_file"]
    diffs = [{"before_header": fact_header if step["fact_before"] is not None else "%s (absent)" % fact_header,
              "after_header": fact_header if step["fact_after"] is not None else "%s (absent)" % fact_header,
              "before": step["fact_before"] or "", "after": step["fact_after"] or ""}]
    gone = [os.path.join(step["lib_dir"], e) + "/" for e in step["stale"]]
    if step["bundle_write"] or gone:
        new = [os.path.join(step["bundle_dir"], n) for n in sorted(files)] if step["bundle_write"] else []
        diffs.append({"before_header": "%s (detection code)" % step["lib_dir"],
                      "after_header": "%s (detection code)" % step["lib_dir"],
                      "before": "".join("%s\n" % p for p in gone), "after": "".join("%s\n" % p for p in new)})
    return diffs


def run(module):
    params = module.params
    if not params["name"] or "/" in params["name"] or params["name"].startswith("."):
        module.fail_json(msg="name must be a plain file name without '/' or a leading dot: %r" % params["name"])
    fact_file = os.path.join(params["fact_path"], params["name"] + ".fact")
    files = options_json = None
    if params["state"] == "present":
        problem = facts_options.check_params(params)
        if problem:
            module.fail_json(msg=problem)
        options_json = fact_options(params)
        files = local_fact_bundle.collect_sources(local_fact_bundle.read_loaded)
    step = local_fact_bundle.plan(params["lib_dir"], fact_file, files, options_json,
                                  params["python"] or sys.executable, params["state"],
                                  verify_timeout=_VERIFY_SECONDS + params["ampcli_timeout"])
    result = {"changed": local_fact_bundle.changed(step), "fact_file": fact_file, "bundle_dir": step["bundle_dir"],
              "bundle_files": len(files or {}),
              "removed": [p if os.path.isabs(p) else os.path.join(step["lib_dir"], p)
                          for p in step["leftovers"] + step["stale"]]}
    if module._diff and result["changed"]:
        result["diff"] = _diff(step, files or {})
    if result["changed"] and not module.check_mode:
        local_fact_bundle.apply(step, files)
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        result = run(module)
    except local_fact_bundle.BundleError as exc:
        module.fail_json(msg=str(exc))
    except (IOError, OSError) as exc:
        module.fail_json(msg="installing the local fact failed (the old fact, if any, still works): %s" % exc)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
