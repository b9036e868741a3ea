# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one ansible-playbook command and measure it in ways that survive a loaded machine.

Prints one JSON object: `wall` (seconds), `controller_cpu` (user + system seconds of the command
and the processes it waited for), `hosts_cpu` (CPU seconds the fleet's containers used during
the run, from their cgroups; null when unreadable), `cpu` (the sum), `rc`, and `tasks_per_host`
(ok + changed-less counters of PLAY RECAP: ok, skipped, failed, rescued, ignored, per host).

On a 2-core machine shared with other test suites, wall-clock seconds vary two- or three-fold
from run to run; CPU seconds spent by this run (controller and hosts) vary far less, and are
what the runs cost when the machine is not shared. Both are printed; the benchmarks' ratios
use the same measure on both sides.
Usage: measure_run.py --fleet-label se-fleet=perf-bench- [--log FILE] -- ansible-playbook ...
"""

from __future__ import (absolute_import, division, print_function)

import argparse
import json
import re
import resource
import subprocess
import sys
import time

RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)"
                   r"(?:\s+skipped=(\d+))?(?:\s+rescued=(\d+))?(?:\s+ignored=(\d+))?", re.M)


def containers(label):
    out = subprocess.run(["podman", "ps", "--filter", "label=%s" % label, "--format", "{{.ID}}", "--no-trunc"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False).stdout.decode().split()
    paths = []
    for cid in out:
        path = subprocess.run(["podman", "inspect", "--format", "{{.State.CgroupPath}}", cid], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=False).stdout.decode().strip()
        if path:
            paths.append(path)
    return paths


def cgroup_cpu(path):
    """CPU seconds of one cgroup (v1 cpuacct or v2 cpu.stat), or None."""
    try:
        with open("/sys/fs/cgroup/cpuacct%s/cpuacct.usage" % path) as handle:
            return int(handle.read()) / 1e9
    except (IOError, OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup%s/cpu.stat" % path) as handle:
            for line in handle:
                key, _sep, value = line.partition(" ")
                if key == "usage_usec":
                    return int(value) / 1e6
    except (IOError, OSError, ValueError):
        pass
    return None


def fleet_cpu(paths):
    values = [cgroup_cpu(p) for p in paths]
    return None if not values or None in values else sum(values)


def tasks_per_host(text):
    """Host-tasks the run executed per host: every PLAY RECAP counter but `changed` (a subset of ok)."""
    hosts = {}
    for match in RECAP.finditer(text):
        counts = [int(g or 0) for g in match.groups()[1:]]
        ok, _changed, unreachable, failed, skipped, rescued, ignored = counts
        hosts[match.group(1)] = ok + unreachable + failed + skipped + rescued + ignored
    return hosts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--fleet-label", required=True, help="podman label of the fleet's containers")
    parser.add_argument("--log", help="keep the command's output here")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    paths = containers(args.fleet_label)
    before_hosts = fleet_cpu(paths)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    after_hosts = fleet_cpu(paths)
    text = proc.stdout.decode(errors="replace")
    if args.log:
        with open(args.log, "a") as handle:
            handle.write(text)
    controller = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    hosts = None if before_hosts is None or after_hosts is None else after_hosts - before_hosts
    print(json.dumps({"rc": proc.returncode, "wall": round(wall, 2), "controller_cpu": round(controller, 2),
                      "hosts_cpu": None if hosts is None else round(hosts, 2),
                      "cpu": None if hosts is None else round(controller + hosts, 2),
                      "tasks_per_host": tasks_per_host(text)}))
    return 0 if proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
