#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: prometheus_textfile
short_description: Write a metrics file for node_exporter's textfile collector atomically
version_added: 1.1.0
description:
  - Writes O(content) to O(path) in node_exporter's textfile directory so that a scrape always reads the old file
    or the new one, whole. The content goes to a temporary file in the same directory whose name does not end in
    C(.prom) (node_exporter reads every C(*.prom) file there, dot-files included), is flushed to disk and renamed
    over O(path); the directory entry is flushed too.
  - A temporary file of this module left by a killed run (older than ten minutes) is removed at the next run.
  - Samples of the O(volatile) metrics (such as a last check time) are rewritten at every run but do not count as a
    change, so that a run on an unchanged host reports no change while the metrics stay fresh.
  - O(path) must not be a symbolic link, FIFO, device or directory; such a file is left as it is, with an error.
author:
  - secure_endpoint.linux maintainers (!UNKNOWN)
attributes:
  check_mode:
    support: full
    description: Says whether the file would change and writes nothing.
  diff_mode:
    support: full
    description: Shows the old and new content.
options:
  path:
    description:
      - Absolute path of the metrics file, in the directory node_exporter reads (its C(--collector.textfile.directory)).
      - Its name must end in C(.prom). The directory must exist.
    type: path
    required: true
  content:
    description:
      - The metrics in Prometheus text format, without timestamps (node_exporter refuses a textfile that has any).
      - Required with O(state=present). At most 1 MiB.
    type: str
  state:
    description: V(present) writes the file, V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  mode:
    description: Permissions of the file, in octal (node_exporter runs as an unprivileged user and must read it).
    type: str
    default: "0644"
  volatile:
    description: Metric names whose samples do not count as a change (they are still written).
    type: list
    elements: str
    default: []
notes:
  - The file belongs to the user the module runs as (root with C(become)). Its SELinux context is set to the default
    one for its path.
seealso:
  - name: node_exporter textfile collector
    description: How node_exporter reads the files of its textfile directory.
    link: https://github.com/prometheus/node_exporter#textfile-collector
"""

EXAMPLES = r"""
- name: Publish the connector's state to node_exporter
  secure_endpoint.linux.prometheus_textfile:
    path: /var/lib/prometheus/node-exporter/secure_endpoint.prom
    content: "{{ ansible_facts.secure_endpoint | secure_endpoint.linux.connector_metrics }}"
    volatile: [secure_endpoint_last_check_timestamp_seconds]

- name: Stop publishing it
  secure_endpoint.linux.prometheus_textfile:
    path: /var/lib/prometheus/node-exporter/secure_endpoint.prom
    state: absent
"""

RETURN = r"""
path:
  description: The metrics file.
  returned: always
  type: str
  sample: /var/lib/prometheus/node-exporter/secure_endpoint.prom
written:
  description: Whether the file was (or, in check mode, would be) rewritten, also when only volatile samples differ.
  returned: always
  type: bool
  sample: true
stale_removed:
  description: Temporary files of killed runs that were (or, in check mode, would be) removed.
  returned: always
  type: list
  elements: str
  sample: []
"""

import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.secure_endpoint.linux.plugins.module_utils import textfile_collector

_MODE = re.compile(r"^0?[0-7]{3}$")


def argument_spec():
    return dict(
        path=dict(type="path", required=True),
        content=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        mode=dict(type="str", default="0644"),
        volatile=dict(type="list", elements="str", default=[]),
    )


def run(module):
    params = module.params
    path = params["path"]
    if not _MODE.match(params["mode"] or ""):
        module.fail_json(msg="mode must be octal permissions such as 0644, not %r" % params["mode"])
    mode = int(params["mode"], 8)
    textfile_collector.check_target(path, directory_needed=params["state"] == "present")
    stale = textfile_collector.stale_temps(path)
    if not module.check_mode:
        for temp in stale:
            textfile_collector.remove(temp)
    result = {"changed": False, "path": path, "written": False, "stale_removed": stale}
    if params["state"] == "absent":
        before, _st = textfile_collector.read_current(path)
        result["changed"] = result["written"] = before is not None
        if before is not None and not module.check_mode:
            textfile_collector.remove(path)
        if module._diff and before is not None:
            result["diff"] = {"before": before.decode("utf-8", "replace"), "after": "",
                              "before_header": path, "after_header": path}
        return result
    data = to_bytes(params["content"], errors="surrogate_then_replace")
    step = textfile_collector.plan(path, data, mode, params["volatile"])
    result["changed"], result["written"] = step["changed"], step["write"]
    if module._diff and step["write"]:
        result["diff"] = {"before": step["before"] or "", "after": data.decode("utf-8", "replace"),
                          "before_header": path if step["before"] is not None else "(absent)", "after_header": path}
    if step["write"] and not module.check_mode:
        textfile_collector.write(path, data, mode)
        if module.selinux_enabled():
            # The directory's default label, as a file created there by hand would get.
            module.set_context_if_different(path, module.selinux_default_context(path), False)
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_if=[("state", "present", ("content",))])
    try:
        result = run(module)
    except textfile_collector.TextfileError as exc:
        module.fail_json(msg=str(exc), path=module.params["path"])
    except (IOError, OSError) as exc:
        module.fail_json(msg="writing %s failed, the old file is unchanged: %s" % (module.params["path"], exc),
                         path=module.params["path"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
