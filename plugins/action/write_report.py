# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action secure_endpoint.linux.write_report: the run's report document, built and written in
one task on the controller (documentation: plugins/modules/write_report.py).

Why an action and not a filter plus copy tasks: the document of a 1,000-host fleet is large, and
every task that passed it through a template (set_fact, then one copy task per file format)
converted it again; each copy task also ran a module on the controller. Here each host's
variables are read once, as stored (facts, set_fact and registered values are data, not
templates), the document is built and rendered by plain Python, and only what later tasks need
(summary, files, one line per host) is returned.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import stat

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes
from ansible.plugins.action import ActionBase

from ansible_collections.secure_endpoint.linux.plugins.module_utils import atomic_files
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import report_document, report_summary
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.controller_paths import (
    ControllerPathError, resolve)
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_formats import FORMATS
from ansible_collections.secure_endpoint.linux.plugins.plugin_utils.report_model import ReportError

DEFAULT_FORMATS = ["json", "md", "html", "junit"]

ARGUMENT_SPEC = dict(
    kind=dict(type="str", choices=list(report_document.KINDS), default="facts"),
    hosts=dict(type="list", elements="str"),
    hosts_ok=dict(type="list", elements="str"),
    result_var=dict(type="str"),
    remediation_var=dict(type="str", default=report_document.REMEDIATION_VAR),
    command_lines=dict(type="bool", default=False),
    run_stopped=dict(type="str"),
    check_mode=dict(type="bool"),
    write=dict(type="bool", default=True),
    dir=dict(type="path"),
    name=dict(type="str"),
    formats=dict(type="list", elements="str", choices=sorted(FORMATS), default=DEFAULT_FORMATS),
)


def render(document, formats):
    """``{format: bytes}``: the document through each format's renderer."""
    out = {}
    for key in sorted(set(formats)):
        try:
            text = FORMATS[key][1](document)
        except ReportError as exc:
            raise AnsibleError("write_report: the %s report cannot be rendered: %s" % (key, exc))
        out[key] = to_bytes(text if text.endswith("\n") else text + "\n")
    return out


def write_files(directory, name, rendered):
    """Each rendering to ``<directory>/<name><suffix>`` (0600, replaced atomically) in a 0700
    directory; something else than a regular file in the way is an error, never overwritten."""
    try:
        atomic_files.private_dir(directory)
    except (OSError, atomic_files.FileKindError) as exc:
        raise AnsibleError("write_report: the report directory %s cannot be used: %s" % (directory, exc))
    files = {}
    for key in sorted(rendered):
        path = "%s/%s%s" % (directory.rstrip("/") or "", name, FORMATS[key][0])
        try:
            info = atomic_files.lstat_or_none(path)
            if info is not None and not stat.S_ISREG(info.st_mode):
                raise atomic_files.FileKindError("%s is %s, not a regular file: not replaced"
                                                 % (path, atomic_files.describe_kind(info.st_mode)))
            atomic_files.write_atomic(path, rendered[key], mode=0o600)
        except (OSError, atomic_files.FileKindError) as exc:
            raise AnsibleError("write_report: could not write the %s report: %s" % (key, exc))
        files[key] = path
    return files


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        del validation
        hosts = args["hosts"] if args["hosts"] is not None else task_vars.get("ansible_play_hosts_all") or []
        hosts_ok = args["hosts_ok"] if args["hosts_ok"] is not None else task_vars.get("ansible_play_hosts")
        check_mode = args["check_mode"] if args["check_mode"] is not None else task_vars.get("ansible_check_mode", False)
        kind = args["kind"]
        name = args["name"] or "secure_endpoint_%s" % kind
        directory = None
        if args["write"]:
            try:
                directory = resolve(args["dir"], task_vars.get("playbook_dir"), "secure_endpoint_report_dir")
            except ControllerPathError as exc:
                raise AnsibleError(str(exc))

        values = report_document.read_hosts(task_vars.get("hostvars") or {}, sorted(set(hosts)), args["result_var"],
                                            args["remediation_var"] if kind == "remediation" else None)
        generated_at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        document = report_document.document(values, hosts, hosts_ok, generated_at, kind, check_mode,
                                            args["command_lines"], args["run_stopped"])
        files = {}
        if directory is not None:
            written = write_files(directory, name, render(document, args["formats"]))
            files = dict((key, written.get(key)) for key in FORMATS)
        result.update(
            changed=False, kind=kind, generated_at=generated_at, check_mode=bool(check_mode),
            dir=directory, files=files, summary=document["summary"], run_stopped=document.get("run_stopped"),
            lines=report_summary.lines(document), hosts_failed=report_summary.failing_hosts(document),
            msg="%d of %d hosts with active faults; %s" % (
                document["summary"]["hosts_with_active_faults"], document["summary"]["hosts"],
                ("report in %s" % directory) if directory else "report not written"))
        return result
