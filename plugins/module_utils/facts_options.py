# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of the connector facts, checked the same way wherever they are given.

``connector_facts`` takes them as module options; ``connector_local_fact`` takes them as one
dict and writes them into the local fact script that ``setup`` runs. Each option's type is here,
its default in ``collect.DEFAULTS`` (written once, there).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy

from ansible_collections.secure_endpoint.linux.plugins.module_utils import collect, fs_modes

TYPES = dict(
    install_dir=dict(type="path"),
    log_dir=dict(type="path"),
    service_name=dict(type="str"),
    ampcli_timeout=dict(type="float"),
    expected_dir_mode=dict(type="raw"),
    min_available_memory_mb=dict(type="int"),
    kernel_compat=dict(type="list", elements="dict", options=dict(
        connector=dict(type="str", required=True),
        kernels=dict(type="list", elements="str", required=True),
    )),
    restart_window_minutes=dict(type="int"),
    scan_restart_threshold=dict(type="int"),
    top_processes=dict(type="int"),
    process_sample_seconds=dict(type="float"),
    log_tail_kb=dict(type="int"),
    cache_path=dict(type="path"),
    validate_definitions=dict(type="bool"),
    definitions_list=dict(type="str", choices=list(collect.DEFINITIONS_LISTS)),
    definitions_max_file_mb=dict(type="int"),
    definitions_max_run_mb=dict(type="int"),
    selinux_domain_type=dict(type="str"),
    selinux_module_name=dict(type="str"),
)
POSITIVE = ("ampcli_timeout", "log_tail_kb", "process_sample_seconds", "definitions_max_file_mb",
            "definitions_max_run_mb")
NOT_NEGATIVE = ("min_available_memory_mb", "restart_window_minutes", "scan_restart_threshold", "top_processes")


def argument_spec():
    """The options as an Ansible argument spec, each with its default."""
    return dict((name, dict(spec, default=copy.deepcopy(collect.DEFAULTS[name]))) for name, spec in TYPES.items())


def check_params(params):
    """The first problem with the (type-checked) options, or None."""
    for name in POSITIVE:
        if params[name] <= 0:
            return "%s must be greater than 0" % name
    for name in NOT_NEGATIVE:
        if params[name] < 0:
            return "%s must not be negative" % name
    try:
        fs_modes.parse_mode(params["expected_dir_mode"])
    except ValueError as exc:
        return "expected_dir_mode: %s (an octal string such as '0755', or an int)" % exc
    return None
