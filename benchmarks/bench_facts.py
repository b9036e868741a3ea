# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cost of a warm connector_facts run against setup (gather_subset=all), both less ping.

Runs the three modules on localhost through ansible-playbook (connection local), interleaved,
N times each, and takes each task's duration from the ansible.posix.json callback. The
connector is a fake install under a temporary prefix holding the real signed .cvd files of
tests/unit/data/clamav; the definitions cache is filled by one cold run first, so the timed
runs are warm (definitions unchanged since the last run).

Prints the medians and ratio = (facts - ping) / (setup - ping); target: at most 0.25.
Usage: python3 benchmarks/bench_facts.py [-n REPETITIONS]
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


def tool(name):
    local = os.path.join(os.path.dirname(sys.executable), name)
    return local if os.path.exists(local) else shutil.which(name)


def collections_tree(base):
    ns = os.path.join(base, "ansible_collections", "secure_endpoint")
    os.makedirs(ns)
    os.symlink(REPO, os.path.join(ns, "linux"))
    return base


def fake_install(prefix):
    amp = os.path.join(prefix, "opt", "cisco", "amp")
    for sub in ("bin", "etc", "clamav"):
        os.makedirs(os.path.join(amp, sub))
    with open(os.path.join(amp, "bin", "ampdaemon"), "w") as handle:
        handle.write("#!/bin/sh\n")
    with open(os.path.join(amp, "etc", "global.xml"), "w") as handle:
        handle.write('<?xml version="1.0"?><config><agent><version>1.24.3</version></agent></config>\n')
    for name in sorted(os.listdir(CLAMAV)):
        if name.endswith(".cvd"):
            shutil.copy(os.path.join(CLAMAV, name), os.path.join(amp, "clamav", name))
    logs = os.path.join(prefix, "log")
    os.makedirs(logs)
    with open(os.path.join(logs, "ampdaemon.log"), "w") as handle:
        handle.write("2024-06-19 14:02:03 ampdaemon: started\n" * 200)
    return amp, logs


def playbook(path, reps, facts_args):
    tasks = []
    for i in range(reps + 1):  # the first round warms the AnsiballZ cache and the definitions cache
        tasks += [
            {"name": "ping %d" % i, "ansible.builtin.ping": None},
            {"name": "setup %d" % i, "ansible.builtin.setup": {"gather_subset": ["all"]}},
            {"name": "facts %d" % i, "secure_endpoint.linux.connector_facts": facts_args},
        ]
    play = [{"name": "bench", "hosts": "localhost", "gather_facts": False, "connection": "local",
             "vars": {"ansible_python_interpreter": sys.executable}, "tasks": tasks}]
    with open(path, "w") as handle:
        json.dump(play, handle)  # JSON is YAML


def seconds(duration):
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
    return (datetime.strptime(duration["end"], fmt) - datetime.strptime(duration["start"], fmt)).total_seconds()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("-n", "--repetitions", type=int, default=7)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-facts-")
    try:
        amp, logs = fake_install(os.path.join(work, "prefix"))
        # Let the copies age past the cache's racy window so their verdicts may be cached.
        time.sleep(2.2)
        facts_args = {"install_dir": amp, "log_dir": logs,
                      "cache_path": os.path.join(work, "cache", "definitions.json")}
        book = os.path.join(work, "bench.yml")
        playbook(book, args.repetitions, facts_args)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_tree(os.path.join(work, "collections")),
                   ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOCALHOST_WARNING="false",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="false", LC_ALL="C.UTF-8")
        out = subprocess.run([tool("ansible-playbook"), "-i", "localhost,", book], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=1800, check=False)
        if out.returncode != 0:
            sys.stderr.write(out.stdout.decode()[-3000:] + out.stderr.decode()[-3000:])
            return 1
        report = json.loads(out.stdout.decode())
        times = {"ping": [], "setup": [], "facts": []}
        facts = None
        for task in report["plays"][0]["tasks"]:
            kind, index = task["task"]["name"].split()
            result = task["hosts"]["localhost"]
            if kind == "facts":
                facts = result["ansible_facts"]["secure_endpoint"]
            if int(index) > 0:
                times[kind].append(seconds(task["task"]["duration"]))
        valid = [d["valid"] for d in facts["definitions"]]
        with open(facts_args["cache_path"]) as handle:
            cached = len(json.load(handle)["entries"])
        med = dict((k, statistics.median(v)) for k, v in times.items())
        ratio = (med["facts"] - med["ping"]) / (med["setup"] - med["ping"])
        print("repetitions: %d (after one warm-up round)" % args.repetitions)
        print("definitions judged: %d files, all valid: %s, verdicts in the cache: %d"
              % (len(valid), all(valid), cached))
        for kind in ("ping", "setup", "facts"):
            print("%-6s median %.3f s  (min %.3f, max %.3f)" % (kind, med[kind], min(times[kind]), max(times[kind])))
        print("ratio (facts - ping) / (setup - ping) = %.3f  (target <= 0.25)" % ratio)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
