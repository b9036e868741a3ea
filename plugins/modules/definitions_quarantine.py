#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: definitions_quarantine
short_description: Move invalid connector definition files to a root-only quarantine, crash-safe
version_added: 1.1.0
description:
  - Moves each file of O(files) out of O(root) into O(quarantine_dir) (created root-only, 0700) as
    C(<sha256>-<name>) and lists it in C(manifest.jsonl) (path, sha256, size, mode, owner, mtime, reason, time,
    quarantined_as). Nothing is deleted; a file is removed from O(root) only after its copy is on disk (fsync) and its
    sha256 read back matches.
  - Only regular files under O(root), reached through real directories, are moved; symbolic links are never followed.
    Anything else (a link, a FIFO, a file outside O(root), a file gone since the facts were read) is returned in
    RV(skipped) with why, and left alone.
  - A run killed at any point leaves the original in place (or already moved); the next run with the same file
    reuses the copy, completes the manifest and removes the original.
  - The connector may keep running meanwhile; a restart (the caller's) makes it load the clean set.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: Returns the plan (RV(moved) what would move, RV(skipped) what would not) and changes nothing.
  diff_mode:
    support: full
    description: Lists the files that leave O(root) and where they go.
options:
  files:
    description:
      - The files to move, each a dict with C(path) (absolute) and optionally C(reason) (why, written in the manifest;
        default C(invalid)); other keys are ignored, so the invalid entries of
        C(ansible_facts.secure_endpoint.definitions) can be given as they are.
    type: list
    elements: dict
    required: true
  root:
    description: Only files under this directory are moved (the connector's install root).
    type: path
    default: /opt/cisco/amp
  quarantine_dir:
    description: Root-only directory receiving the files and C(manifest.jsonl).
    type: path
    default: /var/lib/secure_endpoint/quarantine
notes:
  - Needs root.
"""

EXAMPLES = r"""
- name: Quarantine the definition files the facts judge invalid
  secure_endpoint.linux.definitions_quarantine:
    files: "{{ ansible_facts.secure_endpoint.definitions | rejectattr('valid') | list }}"
"""

RETURN = r"""
moved:
  description: Files moved (in check mode, that would be), each C(path), C(reason), C(sha256), C(size), C(mode), C(quarantined_as).
  returned: always
  type: list
  elements: dict
skipped:
  description: Files left alone, each C(path) and C(why).
  returned: always
  type: list
  elements: dict
manifest:
  description: Path of the manifest.
  returned: always
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.secure_endpoint.linux.plugins.module_utils import atomic_files, quarantine


def argument_spec():
    return dict(
        files=dict(type="list", elements="dict", required=True),
        root=dict(type="path", default="/opt/cisco/amp"),
        quarantine_dir=dict(type="path", default="/var/lib/secure_endpoint/quarantine"),
    )


def files(module):
    """``[{path, reason}]`` from the option, checked: each needs an absolute ``path``."""
    out = []
    for item in module.params["files"]:
        path = item.get("path")
        if not isinstance(path, str) or not path.startswith("/"):
            module.fail_json(msg="each entry of files needs an absolute path, not %r" % (path,))
        reason = item.get("reason")
        out.append({"path": path, "reason": str(reason) if reason else "invalid"})
    return out


def run(module):
    params = module.params
    qdir = params["quarantine_dir"]
    moves, skipped = quarantine.plan(files(module), params["root"], qdir)
    result = {"changed": bool(moves), "moved": [quarantine.public(m) for m in moves], "skipped": skipped,
              "manifest": os.path.join(qdir, quarantine.MANIFEST)}
    if module._diff and moves:
        result["diff"] = {"before_header": "%s (files to move)" % params["root"], "after_header": qdir,
                          "before": "".join("%s\n" % m["path"] for m in moves),
                          "after": "".join("%s\n" % m["quarantined_as"] for m in moves)}
    if module.check_mode or not moves:
        return result
    atomic_files.private_dir(qdir)
    failures = []
    for one in moves:
        try:
            quarantine.move(one, qdir)
        except (OSError, quarantine.QuarantineError) as exc:
            failures.append("%s: %s" % (one["path"], exc))
    if failures:
        module.fail_json(msg="could not quarantine every file (the originals of these are kept): %s"
                             % "; ".join(failures), **result)
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        result = run(module)
    except (OSError, atomic_files.FileKindError, quarantine.QuarantineError) as exc:
        module.fail_json(msg="quarantine failed, nothing removed: %s" % exc)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
