# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
name: controller_dir
short_description: The directory on the controller a report or evidence option stands for
version_added: 1.1.0
description:
  - An absolute path is returned as given (normalised).
  - A relative path is taken relative to O(playbook_dir), never to the current directory.
  - When O(playbook_dir) lies inside an installed collection (an C(ansible_collections/<namespace>/<name>) tree, as
    when a playbook is run by its FQCN or imported from a project), a relative path fails with a message naming the
    variable O(name) to set to an absolute path.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
positional: playbook_dir, name
options:
  _input:
    description: The path, absolute or relative.
    type: path
    required: true
  playbook_dir:
    description: The playbook's directory (C(playbook_dir)).
    type: path
    required: true
  name:
    description: The variable the path comes from, named in the error.
    type: str
    default: the directory
"""

EXAMPLES = r"""
- name: Where the evidence goes
  ansible.builtin.debug:
    msg: "{{ secure_endpoint_evidence_dir | secure_endpoint.linux.controller_dir(playbook_dir, 'secure_endpoint_evidence_dir') }}"
"""

RETURN = r"""
_value:
  description: The absolute path.
  type: path
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.controller_paths import ControllerPathError, resolve


def controller_dir(path, playbook_dir, name="the directory"):
    try:
        return resolve(path, playbook_dir, name)
    except ControllerPathError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"controller_dir": controller_dir}
