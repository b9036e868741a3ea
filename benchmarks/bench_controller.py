# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller cost per host of the report plays, at 50 and at 1,000 inventory hosts.

No container: the hosts exist only in a generated inventory, their facts are preloaded into a
jsonfile fact cache, and the plays under test run on the controller alone:

  facts        playbooks/report.yml: the facts report from cached facts (the report tasks that
               gather_facts.yml runs)
  remediation  the last play of playbooks/remediate.yml (the run's summary: report document,
               set_stats, one line per host, the counts), copied from the playbook at run time,
               with each host's remediation result preloaded as the variable the remediate
               role leaves (secure_endpoint_remediation, shaped as in docs/DESIGN.md)

The facts are real: connector_facts runs once on this machine against a fake install (as in
bench_facts.py) and its result is copied to every host, with a rotating share of hosts given
active faults, causes and evidence lines, so the report has work to do.

For each size N (and N = 1, the fixed cost of starting ansible-playbook and the run-once tasks)
the play is run R times, interleaved, best time kept. Per-host cost at N = (T(N) - T(1)) / (N - 1).
A template that walks all of hostvars for every host costs O(N^2) and shows as a per-host cost
that grows with N; goal: cost at 1,000 within 1.5x of the cost at 50.
Usage: python3 benchmarks/bench_controller.py [--sizes 50,1000] [--rounds 3] [--plays facts,remediation]
"""

from __future__ import (absolute_import, division, print_function)

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_facts import collections_tree, fake_install, tool  # noqa: E402  pylint: disable=wrong-import-position

PLAYS = ("facts", "remediation")
GOAL = 1.5


def load():
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def real_facts(work, env):
    """ansible_facts.secure_endpoint of one connector_facts run on this machine (fake install)."""
    # No large definitions file (no validator needed), 1 MiB logs: only the facts' shape matters here.
    amp, logs = fake_install(os.path.join(work, "prefix"), 0, 1, None)
    args = "install_dir=%s log_dir=%s cache_path=%s" % (amp, logs, os.path.join(work, "definitions.json"))
    out = subprocess.run([tool("ansible"), "localhost", "-m", "secure_endpoint.linux.connector_facts", "-a", args],
                         env=dict(env, ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="ansible.posix.json"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600, check=True)
    result = json.loads(out.stdout.decode())["plays"][0]["tasks"][0]["hosts"]["localhost"]
    return result["ansible_facts"]["secure_endpoint"]


def host_facts(base, index):
    """The base facts, with faults made active on a rotating share of the hosts."""
    facts = copy.deepcopy(base)
    ids = sorted(facts["faults"], key=int)
    for step, fid in enumerate(ids):
        if index % (step + 3) == 0:
            fault = facts["faults"][fid]
            fault.update(active=True, reported=True, severity="Major")
            fault["causes"] = ["reported_by_connector"]
            fault["evidence"] = ["ampdaemon.log line %d of host %d: %s" % (n, index, "x" * 120) for n in range(8)]
    return facts


def fill_cache(cache, facts_by_host, env):
    """Write the facts through Ansible's own jsonfile cache plugin (its on-disk format is private)."""
    code = ("import json, sys\n"
            "from ansible import constants as C\n"
            "from ansible.plugins.loader import cache_loader\n"
            "cache = cache_loader.get(C.CACHE_PLUGIN)\n"
            "for host, facts in json.load(sys.stdin).items():\n"
            "    cache.set(host, facts)\n")
    subprocess.run([sys.executable, "-c", code], input=json.dumps(facts_by_host).encode(), check=True, timeout=600,
                   env=dict(env, ANSIBLE_CACHE_PLUGIN="jsonfile", ANSIBLE_CACHE_PLUGIN_CONNECTION=cache))


def remediation_result(facts, index):
    """A host's result as role remediate leaves it: its active faults fixed, or left to a person."""
    faults = []
    for fid in sorted(facts["faults"], key=int):
        fault = facts["faults"][fid]
        if not fault["active"]:
            continue
        fixed = (index + int(fid)) % 3 != 0
        faults.append({"fault": int(fid), "title": fault["title"], "severity": fault["severity"],
                       "status": "fixed" if fixed else "needs_person", "causes": fault["causes"],
                       "still_active_causes": [] if fixed else fault["causes"], "error": None,
                       "notes": ["restored from the journal backup"], "manual_steps": [] if fixed else ["step"] * 3,
                       "before": {"active": True, "reported": True, "detected": False},
                       "after": {"active": not fixed, "reported": not fixed, "detected": False}})
    statuses = [f["status"] for f in faults]
    status = "needs_person" if "needs_person" in statuses else "fixed" if faults else "no_active_fault"
    left = [{"fault": f["fault"], "title": f["title"], "why": f["status"]} for f in faults if f["status"] != "fixed"]
    return {"status": status, "faults": faults, "new_faults": [], "faults_left": left, "errors": {},
            "restarted": bool(faults), "journal_repaired": [], "journal_kept": []}


def playbooks(work):
    """The plays under test, by name. The remediation summary is remediate.yml's last play as is."""
    with open(os.path.join(REPO, "playbooks", "remediate.yml")) as handle:
        plays = yaml.safe_load(handle)
    summary = os.path.join(work, "remediation_summary.yml")
    with open(summary, "w") as handle:
        json.dump(plays[-1:], handle)  # JSON is YAML
    return {"facts": os.path.join(REPO, "playbooks", "report.yml"), "remediation": summary}


def prepare(work, size, base, env):
    """Inventory of `size` hosts, their facts in a jsonfile fact cache, their remediation results as host vars."""
    root = os.path.join(work, "n%d" % size)
    cache = os.path.join(root, "facts")
    os.makedirs(cache)
    hosts = ["ctl-%04d" % i for i in range(1, size + 1)]
    facts = dict((host, host_facts(base, index)) for index, host in enumerate(hosts))
    fill_cache(cache, dict((host, {"secure_endpoint": facts[host]}) for host in hosts), env)
    inventory = os.path.join(root, "inventory.json")
    with open(inventory, "w") as handle:  # JSON is YAML
        json.dump({"fleet": {"hosts": dict((h, {"secure_endpoint_remediation": remediation_result(facts[h], i)})
                                           for i, h in enumerate(hosts)),
                             "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}},
                  handle)
    return root, inventory, cache


def timed_run(env, play, inventory, cache, out_dir, size):
    cmd = [tool("ansible-playbook"), "-i", inventory, play, "-e", "secure_endpoint_report_dir=%s" % out_dir]
    run_env = dict(env, ANSIBLE_CACHE_PLUGIN="jsonfile", ANSIBLE_CACHE_PLUGIN_CONNECTION=cache,
                   ANSIBLE_CACHE_PLUGIN_TIMEOUT="0")
    start = time.monotonic()
    proc = subprocess.run(cmd, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=3600, check=False)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout.decode()[-4000:])
        raise SystemExit("%s failed at %d hosts" % (os.path.basename(play), size))
    # The report must have read every host's preloaded data, or the time means nothing.
    reports = [f for f in os.listdir(out_dir) if f.endswith(".json")]
    with open(os.path.join(out_dir, reports[0])) as handle:
        document = json.load(handle)
    summary = document["summary"]
    if summary["hosts"] != size or summary["with_facts"] != size:
        raise SystemExit("the report saw %s of %d hosts" % (summary, size))
    if "remediation" in document and sum((summary.get("statuses") or {}).values()) != size:
        raise SystemExit("the remediation report counted %s of %d hosts" % (summary.get("statuses"), size))
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--sizes", default="50,1000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--plays", default=",".join(PLAYS), help="which of: %s" % ", ".join(PLAYS))
    args = parser.parse_args()
    selected = [p for p in args.plays.split(",") if p]
    if set(selected) - set(PLAYS):
        parser.error("--plays takes %s" % ", ".join(PLAYS))
    sizes = sorted(set(int(s) for s in args.sizes.split(",")))
    print("load before: %s (%d cores)" % (load(), os.cpu_count()))
    sys.stdout.flush()
    work = tempfile.mkdtemp(prefix="bench-controller-")
    try:
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_tree(os.path.join(work, "collections")),
                   ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
                   ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOWS="1", LC_ALL="C.UTF-8")
        base = real_facts(work, env)
        prepared = dict((n, prepare(work, n, base, env)) for n in [1] + sizes)
        plays = dict((name, path) for name, path in playbooks(work).items() if name in selected)
        best = dict(((p, n), None) for p in plays for n in prepared)
        for rnd in range(args.rounds):
            for name, play in sorted(plays.items()):
                for size, (root, inventory, cache) in sorted(prepared.items()):
                    out_dir = os.path.join(root, "report-%s-%d" % (name, rnd))
                    elapsed = timed_run(env, play, inventory, cache, out_dir, size)
                    key = (name, size)
                    best[key] = elapsed if best[key] is None else min(best[key], elapsed)
                    print("round %d  %-6s %5d hosts  %7.2f s" % (rnd + 1, name, size, elapsed))
                    sys.stdout.flush()
        print()
        verdict = 0
        for name in selected:
            fixed = best[(name, 1)]
            print("%s: T(1) = %.2f s (start-up and run-once work)" % (name, fixed))
            costs = {}
            for size in sizes:
                costs[size] = (best[(name, size)] - fixed) / (size - 1)
                print("  %5d hosts: T = %7.2f s, per host %.2f ms" % (size, best[(name, size)], costs[size] * 1000))
            if len(sizes) >= 2:
                ratio = costs[sizes[-1]] / costs[sizes[0]] if costs[sizes[0]] > 0 else float("inf")
                met = ratio <= GOAL
                verdict |= 0 if met else 1
                print("  per-host cost at %d / at %d = %.2f (goal <= %.1f: %s)"
                      % (sizes[-1], sizes[0], ratio, GOAL, "met" if met else "NOT met"))
        print("load after: %s" % load())
        return verdict
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
