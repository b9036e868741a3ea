# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a run's output goes on the controller (reports, evidence): the one decision.

- An absolute path is used as given (normalised).
- A relative path (the defaults are relative) is taken relative to the playbook's directory,
  never the current directory (``PWD`` is unset or meaningless under ansible-runner and AWX).
- When the playbook's directory lies inside an installed collection (an
  ``ansible_collections/<namespace>/<name>`` tree with its ``MANIFEST.json`` or ``galaxy.yml``),
  a relative path is refused: that happens when the playbook is run by its FQCN
  (``ansible-playbook secure_endpoint.linux.remediate``) or imported from a project, and the
  collection's own ``playbooks/`` directory is no place for a run's output (read-only in an
  execution environment, replaced at the next install). The error names the variable to set.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

COLLECTIONS_DIR = "ansible_collections"
COLLECTION_MARKERS = ("MANIFEST.json", "galaxy.yml")


class ControllerPathError(ValueError):
    """The path cannot be used; the message says what to set."""


def installed_collection(path):
    """``(root, "namespace.name")`` of the collection ``path`` lies in, or None.

    Looked for by name, without resolving links: a collection installed by link still puts the
    playbook's directory under ``ansible_collections/`` as Ansible sees it."""
    parts = os.path.normpath(os.path.abspath(path)).split(os.sep)
    for index in range(len(parts) - 3, -1, -1):
        if parts[index] != COLLECTIONS_DIR:
            continue
        root = os.sep.join(parts[:index + 3]) or os.sep
        if any(os.path.isfile(os.path.join(root, marker)) for marker in COLLECTION_MARKERS):
            return root, "%s.%s" % (parts[index + 1], parts[index + 2])
    return None


def resolve(path, playbook_dir, name):
    """The absolute directory ``path`` (the value of variable ``name``) stands for."""
    if path is None or not str(path).strip():
        raise ControllerPathError("%s is empty: set it to the directory on the controller to write to" % name)
    path = os.path.expanduser(str(path))
    if os.path.isabs(path):
        return os.path.normpath(path)
    if not playbook_dir:
        raise ControllerPathError("%s is relative (%s) and the playbook's directory is unknown: set %s to an "
                                  "absolute path" % (name, path, name))
    found = installed_collection(playbook_dir)
    if found:
        root, fqcn = found
        raise ControllerPathError(
            "%s is relative (%s) and the playbook's directory %s lies in the installed collection %s (%s): "
            "a run's output does not belong there (read-only in an execution environment, replaced by the next "
            "install). Set %s to an absolute path on the controller, e.g. -e %s=/var/lib/secure_endpoint/%s"
            % (name, path, playbook_dir, fqcn, root, name, name, os.path.basename(os.path.normpath(path))))
    return os.path.normpath(os.path.join(str(playbook_dir), path))
