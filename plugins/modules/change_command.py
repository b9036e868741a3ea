#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: change_command
short_description: Run a command that changes the host, and say so in check mode
version_added: 1.1.0
description:
  - Runs O(argv) (no shell) with C(LC_ALL=C), a hard O(timeout) (its whole process group is killed) and a bounded
    output, and fails on a non-zero exit status with the end of the output.
  - For the commands a role has already decided to run (the decision made by read-only tasks, the same in check
    mode) that no module covers - C(update-grub), C(grubby --set-default), C(grub-set-default), C(make) of a kernel
    module, C(depmod).
  - Always reports C(changed). In check mode it runs nothing and reports C(changed) with the command it would run,
    where C(ansible.builtin.command) would report "skipped" and hide the change.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: Runs nothing; reports the change the real run makes (RV(argv)).
  diff_mode:
    support: none
    description: The command's effect is not known in advance; RV(argv) says what runs.
options:
  argv:
    description: The command and its arguments.
    type: list
    elements: str
    required: true
  chdir:
    description: Directory to run it in.
    type: path
  environment:
    description: Extra environment variables.
    type: dict
    default: {}
  timeout:
    description: Seconds it may take.
    type: int
    default: 600
"""

EXAMPLES = r"""
- name: Regenerate the GRUB menu
  secure_endpoint.linux.change_command:
    argv: [update-grub]
    timeout: 300
"""

RETURN = r"""
argv:
  description: The command run (in check mode, that would run).
  returned: always
  type: list
  elements: str
rc:
  description: Its exit status (null in check mode or when it did not finish).
  returned: always
  type: int
output:
  description: The last 16 KiB of its output (stdout and stderr).
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import bounded_cmd

OUTPUT_BYTES = 16 * 1024


def argument_spec():
    return dict(
        argv=dict(type="list", elements="str", required=True),
        chdir=dict(type="path"),
        environment=dict(type="dict", default={}),
        timeout=dict(type="int", default=600),
    )


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    if not params["argv"]:
        module.fail_json(msg="argv must not be empty")
    if params["timeout"] <= 0:
        module.fail_json(msg="timeout must be greater than 0")
    if module.check_mode:
        module.exit_json(changed=True, argv=params["argv"], rc=None, output="")
    env = dict((str(k), str(v)) for k, v in params["environment"].items())
    done = bounded_cmd.run_to_end(params["argv"], params["timeout"], max_bytes=OUTPUT_BYTES, env_extra=env,
                                  cwd=params["chdir"])
    output = bounded_cmd.decode(done["out"])
    result = dict(changed=True, argv=params["argv"], rc=done["rc"], output=output)
    if done["error"]:
        module.fail_json(msg=done["error"], **result)
    if done["timed_out"]:
        module.fail_json(msg="%s did not finish in %d s: killed" % (params["argv"][0], params["timeout"]), **result)
    if done["rc"] != 0:
        module.fail_json(msg="%s failed (rc %s): %s" % (" ".join(params["argv"]), done["rc"], output[-2000:]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
