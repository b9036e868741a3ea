# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet-scale cost of the collection's fact gathering and remediation, over podman exec and SSH.

Brings up a fleet of N healthy hosts (tests/testbed/fleet.sh up N --ssh: the stand-in installed,
no fault, both families) and times, with F forks, whole ansible-playbook runs over each transport:

  plain        benchmarks/playbooks/plain_gather.yml        gather_facts (setup), the reference
                                                            (local facts left out)
  documented   benchmarks/playbooks/documented_gather.yml   the gathering README.md documents: the same
                                                            gather_facts, with the connector's local fact
                                                            (installed once before the rounds by
                                                            playbooks/local_facts.yml, timed apart)
  two_modules  benchmarks/playbooks/two_modules_gather.yml  setup + connector_facts as fact modules (the
                                                            way documented before the local fact), for comparison
  remediate    playbooks/remediate.yml                      on the healthy fleet

The runs are interleaved (round after round, every workload once per round) so that load from
other processes falls on all of them alike; each figure is the best of the rounds. Any failed
or unreachable host in any run is an error (it also proves the gathering works at F forks).

Prints the times, documented / plain (goal <= 1.2), two_modules / plain (no goal) and
remediate / plain (goal <= 2.0) per transport, and the machine load before and after.
Usage: python3 benchmarks/bench_fleet.py [--hosts 12] [--forks 8] [--rounds 3] [--reuse] [--keep]
"""

from __future__ import (absolute_import, division, print_function)

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BED = os.path.join(REPO, ".testbed")
PREFIX = "fleet-bench-"
FLEET_DIR = os.path.join(BED, "fleets", PREFIX.rstrip("-"))
WORKLOADS = (
    ("plain", os.path.join(REPO, "benchmarks", "playbooks", "plain_gather.yml")),
    ("documented", os.path.join(REPO, "benchmarks", "playbooks", "documented_gather.yml")),
    ("two_modules", os.path.join(REPO, "benchmarks", "playbooks", "two_modules_gather.yml")),
    ("remediate", os.path.join(REPO, "playbooks", "remediate.yml")),
)
GOALS = {"documented": 1.2, "remediate": 2.0}
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)"
                   r"(?:\s+skipped=(\d+))?(?:\s+rescued=(\d+))?(?:\s+ignored=(\d+))?", re.M)


def tool(name):
    local = os.path.join(os.path.dirname(sys.executable), name)
    return local if os.path.exists(local) else shutil.which(name)


def load():
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def recap(text):
    """Per-host PLAY RECAP counters of an ansible-playbook run."""
    hosts = {}
    for match in RECAP.finditer(text):
        host = match.group(1)
        counts = [int(g or 0) for g in match.groups()[1:]]
        hosts[host] = dict(zip(("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"), counts))
    return hosts


def run_playbook(env, inventory, playbook, forks, log, extra):
    cmd = [tool("ansible-playbook"), "-i", inventory, "-f", str(forks), playbook] + extra
    start = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=3600, check=False)
    elapsed = time.monotonic() - start
    with open(log) as handle:
        text = handle.read()
    return elapsed, proc.returncode, recap(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--hosts", type=int, default=12, help="fleet size (at least 12 for figures of record)")
    parser.add_argument("--forks", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="each figure is the best of this many runs")
    parser.add_argument("--transports", default="podman,ssh")
    parser.add_argument("--reuse", action="store_true", help="use the fleet left by a previous --keep run")
    parser.add_argument("--keep", action="store_true", help="leave the fleet up afterwards")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    transports = [t for t in args.transports.split(",") if t]
    if set(transports) - {"podman", "ssh"}:
        parser.error("--transports takes podman and/or ssh")
    if args.hosts < 12:
        print("note: %d hosts; figures of record need at least 12" % args.hosts)

    load_before = load()
    print("load before: %s (%d cores)" % (load_before, os.cpu_count()))
    up_seconds = None
    if not args.reuse:
        start = time.monotonic()
        subprocess.run(["bash", os.path.join(REPO, "tests", "testbed", "fleet.sh"), "up", str(args.hosts),
                        "--ssh", "--prefix", PREFIX], check=True)
        up_seconds = time.monotonic() - start
    inventories = {"ssh": os.path.join(FLEET_DIR, "inventory.yml"),
                   "podman": os.path.join(FLEET_DIR, "inventory.podman.yml")}
    for transport in transports:
        if not os.path.isfile(inventories[transport]):
            sys.exit("no fleet inventory at %s (run without --reuse)" % inventories[transport])

    work = tempfile.mkdtemp(prefix="bench-fleet-")
    env = dict(os.environ,
               ANSIBLE_CONFIG=os.path.join(REPO, "tests", "testbed", "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".build", "collections"),
               CONTAINERS_CONF=os.path.join(REPO, "tests", "testbed", "containers.conf"),
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOWS="1", LC_ALL="C.UTF-8")
    extra = {"remediate": ["-e", "secure_endpoint_report_dir=%s" % os.path.join(work, "reports"),
                           "-e", "secure_endpoint_evidence_dir=%s" % os.path.join(work, "evidence")]}
    times = dict(((t, w), []) for t in transports for w in dict(WORKLOADS))
    problems = []
    install_seconds = None
    try:
        # The documented gathering needs the local fact on each host: installed once, like a user would.
        log = os.path.join(work, "install-local-facts.log")
        install_seconds, rc, hosts = run_playbook(env, inventories[transports[0]],
                                                  os.path.join(REPO, "playbooks", "local_facts.yml"), args.forks, log, [])
        bad = sorted(h for h, c in hosts.items() if c["failed"] or c["unreachable"])
        if rc != 0 or bad or len(hosts) != args.hosts:
            keep = os.path.join(BED, "bench-fleet-install-local-facts.log")
            shutil.copy(log, keep)
            sys.exit("installing the local fact failed (rc=%d, failed or unreachable: %s); log: %s"
                     % (rc, ", ".join(bad) or "none", keep))
        print("local fact installed on %d hosts in %.2f s (%s)" % (len(hosts), install_seconds, transports[0]))
        for rnd in range(1, args.rounds + 1):
            for transport in transports:
                for workload, playbook in WORKLOADS:
                    log = os.path.join(work, "%s-%s-%d.log" % (transport, workload, rnd))
                    elapsed, rc, hosts = run_playbook(env, inventories[transport], playbook, args.forks, log,
                                                      extra.get(workload, []))
                    bad = sorted(h for h, c in hosts.items() if c["failed"] or c["unreachable"])
                    if rc != 0 or bad or len(hosts) != args.hosts:
                        keep = os.path.join(BED, "bench-fleet-%s-%s-%d.log" % (transport, workload, rnd))
                        shutil.copy(log, keep)
                        problems.append("%s/%s round %d: rc=%d, %d hosts in the recap, failed or unreachable: %s (log: %s)"
                                        % (transport, workload, rnd, rc, len(hosts), ", ".join(bad) or "none", keep))
                    times[(transport, workload)].append(elapsed)
                    print("round %d  %-6s %-11s %7.2f s  rc=%d" % (rnd, transport, workload, elapsed, rc))
                    sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep:
            subprocess.run(["bash", os.path.join(REPO, "tests", "testbed", "fleet.sh"), "down", "--prefix", PREFIX],
                           check=False)

    print()
    print("fleet: %d hosts (both families), %d forks, best of %d interleaved rounds%s; local fact installed in %.1f s"
          % (args.hosts, args.forks, args.rounds, "; fleet up in %.0f s" % up_seconds if up_seconds else "",
             install_seconds))
    print("%-7s %-12s %9s   %-26s %s" % ("via", "workload", "best (s)", "all runs (s)", "ratio to plain (goal)"))
    figures = {"hosts": args.hosts, "forks": args.forks, "rounds": args.rounds, "up_seconds": up_seconds,
               "local_fact_install_seconds": round(install_seconds, 3),
               "load_before_after": [load_before, load()], "runs": {}, "ratios": {}}
    verdict = 0
    for transport in transports:
        plain = min(times[(transport, "plain")])
        for workload in dict(WORKLOADS):
            runs = times[(transport, workload)]
            ratio = min(runs) / plain
            goal = GOALS.get(workload)
            mark = ""
            if goal:
                mark = "%.2f (<= %.1f: %s)" % (ratio, goal, "met" if ratio <= goal else "NOT met")
            elif workload != "plain":
                mark = "%.2f" % ratio
            if workload != "plain":
                figures["ratios"]["%s/%s" % (transport, workload)] = round(ratio, 3)
            print("%-7s %-12s %9.2f   %-26s %s" % (transport, workload, min(runs), " ".join("%.1f" % r for r in runs), mark))
            figures["runs"]["%s/%s" % (transport, workload)] = [round(r, 3) for r in runs]
    print("load after: %s" % load())
    if problems:
        print("\nFAILED RUNS (figures above are not valid):")
        for problem in problems:
            print("  " + problem)
        verdict = 1
    if args.json:
        figures["problems"] = problems
        with open(args.json, "w") as handle:
            json.dump(figures, handle, indent=2)
    return verdict


if __name__ == "__main__":
    sys.exit(main())
