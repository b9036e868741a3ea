# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cost of a connector_facts run against setup (gather_subset=all), both less ping.

Runs the modules on localhost through ansible-playbook (connection local), interleaved, N times
each, and takes each task's duration from the ansible.posix.json callback. The connector is a
fake install under a temporary prefix holding:

- an ``ampcli`` that answers ``status`` at once with no fault (every fact run asks it);
- the six real signed .cvd files of tests/unit/data/clamav;
- one large definitions file (--big-mb, default 150 MB): a .cud (the unsigned container, whose
  every member the validator inflates and hashes) that the engine would load, so it is valid;
- two connector logs of --log-mb MiB each (default 64; sparse files whose last 2 MiB are real
  lines, every line of ampscansvc.log naming the scan service, as a busy scanner's log does).

Two kinds of fact runs of the module:
- warm: the definitions cache holds the verdicts (files unchanged since the last run), what
  every fact gathering but the first pays. Target: (warm - ping) / (setup - ping) <= 0.10;
- cold: the definitions cache is removed just before the run, so every file is judged again
  (what the first run on a host, or a run after a definitions update, pays). Shown, no target.

And the documented delivery, the local fact (module connector_local_fact, installed once before
the rounds into a fact_path of its own): ``local`` is setup with that fact_path, ``setup`` the
same setup with an empty one, so (local - setup) / (setup - ping) is what the facts add to a fact
gathering (same target). ``local_cold`` removes the definitions cache first (shown, no target).
Every other round runs ping, setup, warm and local in the reverse order.

Prints the medians and the ratios. Usage:
  python3 benchmarks/bench_facts.py [-n REPETITIONS] [--big-mb MB] [--log-mb MIB] [--no-cold] [--host-python PATH]
The host side (ping, setup, the modules, the fact script) runs with --host-python.
Run it on a quiet machine (uptime's load below 1 on 2 cores) and give the load with the figures.
"""

from __future__ import (absolute_import, division, print_function)

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLAMAV = os.path.join(REPO, "tests", "unit", "data", "clamav")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_definitions  # noqa: E402  pylint: disable=wrong-import-position

# The modules and the fact script run with the host's Python, as on a managed host, not with the
# controller's virtualenv (whose interpreter may start slower): setup and ping run with it too.
HOST_PYTHON = "/usr/bin/python3"
LOG_LINES = {
    "ampdaemon.log": "%s ampdaemon[812]: scan of /var/tmp/file-%07d finished, 0 detections\n",
    "ampscansvc.log": "%s ampscansvc[813]: ampscansvc scanned /var/tmp/file-%07d: clean\n",
}


def tool(name):
    local = os.path.join(os.path.dirname(sys.executable), name)
    return local if os.path.exists(local) else shutil.which(name)


def collections_tree(base):
    ns = os.path.join(base, "ansible_collections", "secure_endpoint")
    os.makedirs(ns)
    os.symlink(REPO, os.path.join(ns, "linux"))
    return base


def write_log(path, size, template):
    """A sparse file of ``size`` bytes whose last 2 MiB are log lines with current times."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
    line_len = len(template % (stamp, 0))
    tail = "".join(template % (stamp, i) for i in range(min(size, 2 << 20) // line_len)).encode()
    with open(path, "wb") as handle:
        handle.seek(max(0, size - len(tail)))
        handle.write(tail)


def fake_install(prefix, big_mb, log_mib, cvd_sig):
    amp = os.path.join(prefix, "opt", "cisco", "amp")
    for sub in ("bin", "etc", "clamav"):
        os.makedirs(os.path.join(amp, sub))
    with open(os.path.join(amp, "bin", "ampdaemon"), "w") as handle:
        handle.write("#!/bin/sh\n")
    # Every fact run asks `ampcli status`: a stand-in that answers at once with no fault.
    ampcli = os.path.join(amp, "bin", "ampcli")
    with open(ampcli, "w") as handle:
        handle.write("#!/bin/sh\ncat '%s'\n" % os.path.join(REPO, "tests", "unit", "data", "ampcli", "no_faults.txt"))
    os.chmod(ampcli, 0o755)
    with open(os.path.join(amp, "etc", "global.xml"), "w") as handle:
        handle.write('<?xml version="1.0"?><config><agent><version>1.24.3</version></agent></config>\n')
    for name in sorted(os.listdir(CLAMAV)):
        if name.endswith(".cvd"):
            shutil.copy(os.path.join(CLAMAV, name), os.path.join(amp, "clamav", name))
    if big_mb > 0:
        bench_definitions.build(os.path.join(amp, "clamav", "big.cud"), big_mb, cvd_sig, signed=False)
    logs = os.path.join(prefix, "log")
    os.makedirs(logs)
    for name, template in LOG_LINES.items():
        write_log(os.path.join(logs, name), log_mib << 20, template)
    return amp, logs


def playbook(path, reps, facts_args, cold, fact_dirs, python):
    empty, facts_d, lib_dir = fact_dirs
    install = dict(facts_args, fact_path=facts_d, lib_dir=lib_dir, python=python)
    tasks = [{"name": "install 0", "secure_endpoint.linux.connector_local_fact": install}]
    for i in range(reps + 1):  # the first round warms the AnsiballZ cache and the definitions cache
        uncache = {"name": "uncache %d" % i, "ansible.builtin.file": {"path": facts_args["cache_path"], "state": "absent"}}
        measured = [
            {"name": "ping %d" % i, "ansible.builtin.ping": None},
            {"name": "setup %d" % i, "ansible.builtin.setup": {"gather_subset": ["all"], "fact_path": empty}},
            {"name": "warm %d" % i, "secure_endpoint.linux.connector_facts": facts_args},
            {"name": "local %d" % i, "ansible.builtin.setup": {"gather_subset": ["all"], "fact_path": facts_d}},
        ]
        # Every other round in the reverse order: a task's place in the round (what ran just
        # before it) must not favour either side of a ratio.
        tasks += measured[::-1] if i % 2 else measured
        if cold:
            tasks += [
                uncache,
                {"name": "cold %d" % i, "secure_endpoint.linux.connector_facts": facts_args},
                dict(uncache, name="uncache-local %d" % i),
                {"name": "local_cold %d" % i, "ansible.builtin.setup": {"gather_subset": ["all"], "fact_path": facts_d}},
            ]
    play = [{"name": "bench", "hosts": "localhost", "gather_facts": False, "connection": "local",
             "vars": {"ansible_python_interpreter": python}, "tasks": tasks}]
    with open(path, "w") as handle:
        json.dump(play, handle)  # JSON is YAML


def direct_runs(path, count):
    """Median wall time of ``count`` runs of the executable ``path``, output discarded."""
    spent = []
    for _index in range(count):
        start = time.monotonic()
        subprocess.run([path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=60)
        spent.append(time.monotonic() - start)
    return statistics.median(spent)


def seconds(duration):
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    return (datetime.strptime(duration["end"], fmt) - datetime.strptime(duration["start"], fmt)).total_seconds()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("-n", "--repetitions", type=int, default=7)
    parser.add_argument("--big-mb", type=float, default=150.0, help="size of the large definitions file")
    parser.add_argument("--log-mb", type=int, default=64, help="size of each connector log (MiB)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold runs")
    parser.add_argument("--host-python", default=HOST_PYTHON if os.path.exists(HOST_PYTHON) else sys.executable,
                        help="the host side's interpreter (default: %s, the one Ansible discovers on Debian and "
                             "EL hosts; else this one)" % HOST_PYTHON)
    args = parser.parse_args()
    cvd_sig = bench_definitions._import_validator()[1]  # pylint: disable=protected-access
    work = tempfile.mkdtemp(prefix="bench-facts-")
    try:
        amp, logs = fake_install(os.path.join(work, "prefix"), args.big_mb, args.log_mb, cvd_sig)
        # Let the files age past the cache's racy window so their verdicts may be cached.
        time.sleep(2.2)
        facts_args = {"install_dir": amp, "log_dir": logs,
                      "cache_path": os.path.join(work, "cache", "definitions.json")}
        book = os.path.join(work, "bench.yml")
        fact_dirs = [os.path.join(work, d) for d in ("no-facts.d", "facts.d", "lib")]
        os.makedirs(fact_dirs[0])
        playbook(book, args.repetitions, facts_args, not args.no_cold, fact_dirs, args.host_python)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_tree(os.path.join(work, "collections")),
                   ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOCALHOST_WARNING="false",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="false", LC_ALL="C.UTF-8")
        out = subprocess.run([tool("ansible-playbook"), "-i", "localhost,", book], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=3600, check=False)
        if out.returncode != 0:
            sys.stderr.write(out.stdout.decode()[-3000:] + out.stderr.decode()[-3000:])
            return 1
        report = json.loads(out.stdout.decode())
        times = {"ping": [], "setup": [], "warm": [], "cold": [], "local": [], "local_cold": []}
        facts = None
        for task in report["plays"][0]["tasks"]:
            kind, index = task["task"]["name"].split()
            result = task["hosts"]["localhost"]
            if kind == "warm":
                facts = result["ansible_facts"]["secure_endpoint"]
            if kind == "local":
                local = result["ansible_facts"]["ansible_local"]["secure_endpoint"]
                # The fact must say what the module says, else its time means nothing.
                assert local["faults"] == facts["faults"] and local["version"] == facts["version"], "local fact differs"
            if int(index) > 0 and kind in times:
                times[kind].append(seconds(task["task"]["duration"]))
        entries = facts["definitions"]
        summary = facts.get("definitions_summary") or {}
        print("load before the runs: %s" % os.getloadavg()[0])
        print("repetitions: %d (after one warm-up round); host-side Python: %s" % (args.repetitions, args.host_python))
        print("definitions: %s files, listed %d, all listed valid: %s; summary: %s"
              % (summary.get("files", len(entries)), len(entries), all(d["valid"] for d in entries),
                 json.dumps(summary, sort_keys=True)))
        print("facts errors: %s" % facts["errors"])
        med = dict((k, statistics.median(v)) for k, v in times.items() if v)
        for kind in ("ping", "setup", "warm", "cold", "local", "local_cold"):
            if kind in med:
                print("%-6s median %.3f s  (min %.3f, max %.3f)"
                      % (kind, med[kind], min(times[kind]), max(times[kind])))
        base = med["setup"] - med["ping"]
        print("ratio (warm - ping) / (setup - ping) = %.3f  (target <= 0.10)" % ((med["warm"] - med["ping"]) / base))
        # Shared machines: the fastest runs are the least disturbed ones (information only).
        low = dict((k, min(v)) for k, v in times.items() if v)
        print("same ratio from the fastest runs = %.3f  (information: less sensitive to other load)"
              % ((low["warm"] - low["ping"]) / (low["setup"] - low["ping"])))
        if "cold" in med:
            print("ratio (cold - ping) / (setup - ping) = %.3f  (information: every file judged again)"
                  % ((med["cold"] - med["ping"]) / base))
        print("local fact: ratio (local - setup) / (setup - ping) = %.3f  (target <= 0.10)"
              % ((med["local"] - med["setup"]) / base))
        print("same ratio from the fastest runs = %.3f" % ((low["local"] - low["setup"]) / (low["setup"] - low["ping"])))
        # Paired: each round's difference, then the median. A round's tasks run back to back, so
        # slow spells of a shared machine (which move setup by +-100 ms) cancel within a pair;
        # a difference of medians lets them through.
        base_pairs = statistics.median(s - p for s, p in zip(times["setup"], times["ping"]))
        print("paired: median(warm - ping) / median(setup - ping) = %.3f"
              % (statistics.median(w - p for w, p in zip(times["warm"], times["ping"])) / base_pairs))
        print("paired: median(local - setup) / median(setup - ping) = %.3f  (local fact)"
              % (statistics.median(l - s for l, s in zip(times["local"], times["setup"])) / base_pairs))
        script = direct_runs(os.path.join(fact_dirs[1], "secure_endpoint.fact"), args.repetitions * 3)
        print("the fact script run directly: median %.1f ms of %d runs = %.3f of setup's work (information: "
              "without what setup adds to run it and read its output)"
              % (script * 1000, args.repetitions * 3, script / base_pairs))
        if "local_cold" in med:
            print("local fact: ratio (local_cold - setup) / (setup - ping) = %.3f  (information: every file judged again)"
                  % ((med["local_cold"] - med["setup"]) / base))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
