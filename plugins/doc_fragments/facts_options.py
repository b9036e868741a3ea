# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):

    # The options of the connector facts (connector_facts, connector_local_fact). Their types are in
    # module_utils/facts_options.py, their defaults in module_utils/collect.py: unit tests compare the three.
    DOCUMENTATION = r"""
options:
  install_dir:
    description: Install root of the connector.
    type: path
    default: /opt/cisco/amp
  log_dir:
    description: Directory of the connector's logs (C(ampdaemon.log), C(ampscansvc.log)).
    type: path
    default: /var/log/cisco
  service_name:
    description: The connector's systemd service.
    type: str
    default: cisco-amp
  ampcli_timeout:
    description: Seconds C(ampcli status) may take before it is killed (it hangs while the daemon is down).
    type: float
    default: 10
  expected_dir_mode:
    description:
      - Mode of the parent of O(install_dir) (V(/opt/cisco)), of O(install_dir) and of its child directories
        (fault 5). Compared exactly, with C(lstat).
      - As the M(ansible.builtin.file) module reads O(ansible.builtin.file#module:mode), an octal string (V('0755'),
        V('755'), V('0o755')) or an int taken as the mode's value (unquoted YAML V(0750) arrives as 488, which is
        the mode 0750). Anything else fails the module.
    type: raw
    default: '0755'
  min_available_memory_mb:
    description: Available memory (C(MemAvailable)) below which low memory is a cause of fault 7.
    type: int
    default: 1024
  kernel_compat:
    description:
      - Kernel compatibility data for fault 16 (Cisco's table is not machine-readable).
      - The entries whose O(kernel_compat[].connector) matches the installed connector version list the
        kernels it supports. With no matching entry the answer is unknown, and fault 16 is never detected from data.
    type: list
    elements: dict
    default: []
    suboptions:
      connector:
        description:
          - Connector versions the entry is for. V(*) (any), a version prefix (V(1.24) matches 1.24.0 and
            1.24.3.1098, not 1.240), V(1.24.*), or comma-separated constraints such as V(>=1.22,<1.25).
        type: str
        required: true
      kernels:
        description: Supported kernel releases as shell-style patterns matched against C(uname -r).
        type: list
        elements: str
        required: true
  restart_window_minutes:
    description: Minutes after the connector starts within which fault 6 may clear by itself.
    type: int
    default: 10
  scan_restart_threshold:
    description: Scan service restarts in the connector's logs, since the service started, that make fault 6 detected.
    type: int
    default: 3
  top_processes:
    description: How many of the most active processes to list when fault 18 is reported (V(0) disables).
    type: int
    default: 10
  process_sample_seconds:
    description: Length of the one CPU sample window used to rank processes for fault 18.
    type: float
    default: 0.5
  log_tail_kb:
    description: At most this many KiB are read from the end of each log, whatever its size.
    type: int
    default: 256
  cache_path:
    description:
      - JSON file keeping the verdicts on definition files between runs, keyed by device, inode, size,
        mtime and ctime of each file and by the validator's code. Set to V(null) to disable.
      - A missing, corrupt or foreign cache is ignored; it is written atomically.
    type: path
    default: /var/cache/secure_endpoint/definitions.json
  validate_definitions:
    description: Judge the C(.cvd), C(.cld) and C(.cud) files under O(install_dir) (fault 7).
    type: bool
    default: true
  definitions_list:
    description:
      - What C(definitions) lists. V(bounded) lists every invalid file and at most 20 valid ones; V(all) lists every
        judged file. Files that could not be judged are always all in C(definitions_unknown), and
        C(definitions_summary) counts every file either way.
    type: str
    choices: [bounded, all]
    default: bounded
  definitions_max_file_mb:
    description:
      - A definitions file larger than this (MiB) is not read; its verdict is C(unknown) ("too large to judge").
      - Real ClamAV files are below 400 MB; the bound keeps a run's cost known whatever is on the host.
    type: int
    default: 1024
  definitions_max_run_mb:
    description:
      - At most this many MiB of definitions files are read in one run; the files left are C(unknown) in this
        run ("not judged in this run") and judged by the next runs, since verdicts are cached.
    type: int
    default: 4096
  selinux_domain_type:
    description: SELinux type of the connector's required BPF rule, looked for in the loaded policy (fault 19).
    type: str
    default: unconfined_service_t
  selinux_module_name:
    description:
      - Name of the connector's SELinux policy module (fault 19). Store entries are matched case-insensitively
        (the installer writes C(Cisco-Secure-BPF)); C(selinux.modules) lists each with its exact name.
    type: str
    default: cisco-secure-bpf
"""
