# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cost of two 512 MiB connector logs against two tiny ones.

Builds two fake installs under a temporary prefix: one with ampdaemon.log and ampscansvc.log of
512 MiB each (sparse, with 2 MiB of real log lines at the end), one with logs of a few lines.
Times, in this process, (a) the bounded log-tail probe on both logs and (b) the module's whole
collection (collect.collect, what connector_facts runs, without Ansible's start-up), N times
each, interleaved, and prints the median ratios big / tiny. The target (at most 1.5) is for (b),
the cost of a fact run; (a) is shown to make the bound visible: it reads at most log_tail_kb
of each log whatever its size.
Usage: python3 benchmarks/bench_logs.py [-n REPETITIONS]
"""

from __future__ import (absolute_import, division, print_function)

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIG = 512 * 1024 * 1024
LINE = "2024-06-19 14:02:03 ampdaemon[812]: scan of /var/tmp/file-%07d finished, 0 detections\n"


def importable(work):
    try:
        __import__("ansible_collections.secure_endpoint.linux")
    except ImportError:
        ns = os.path.join(work, "collections", "ansible_collections", "secure_endpoint")
        os.makedirs(ns)
        os.symlink(REPO, os.path.join(ns, "linux"))
        sys.path.insert(0, os.path.join(work, "collections"))


def install(prefix, big):
    amp = os.path.join(prefix, "opt", "cisco", "amp")
    os.makedirs(os.path.join(amp, "bin"))
    with open(os.path.join(amp, "bin", "ampdaemon"), "w") as handle:
        handle.write("#!/bin/sh\n")
    logs = os.path.join(prefix, "var", "log", "cisco")
    os.makedirs(logs)
    for name in ("ampdaemon.log", "ampscansvc.log"):
        with open(os.path.join(logs, name), "w") as handle:
            if big:
                tail = "".join(LINE % i for i in range(2 * 1024 * 1024 // len(LINE)))
                handle.seek(BIG - len(tail))  # a hole: the file is 512 MiB, its end is real text
                handle.write(tail)
            else:
                handle.write("".join(LINE % i for i in range(5)))
    return amp, logs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("-n", "--repetitions", type=int, default=31)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-logs-")
    try:
        importable(work)
        from ansible_collections.secure_endpoint.linux.plugins.module_utils import collect, connector_logs, log_tail

        cases = {}
        for kind in ("tiny", "big"):
            amp, logs = install(os.path.join(work, kind), kind == "big")
            cases[kind] = (amp, logs)
        sizes = dict((k, sum(os.path.getsize(os.path.join(v[1], n)) for n in os.listdir(v[1])))
                     for k, v in cases.items())
        times = {"tail": {"tiny": [], "big": []}, "module": {"tiny": [], "big": []}}
        lines = {}
        for _round in range(args.repetitions):
            for kind, (amp, logs) in cases.items():
                start = time.perf_counter()
                tails = [log_tail.Tail(os.path.join(logs, n)) for n in ("ampdaemon.log", "ampscansvc.log")]
                found = [t.lines_with(connector_logs.RESTART_WORDS) for t in tails]
                times["tail"][kind].append(time.perf_counter() - start)
                lines[kind] = (sum(t.data.count(b"\n") for t in tails), sum(len(f) for f in found))
                start = time.perf_counter()
                collect.collect({"install_dir": amp, "log_dir": logs, "cache_path": None})
                times["module"][kind].append(time.perf_counter() - start)
        print("repetitions: %d" % args.repetitions)
        print("log bytes: big %d (2 x 512 MiB), tiny %d" % (sizes["big"], sizes["tiny"]))
        print("lines in the bounded tails: big %d, tiny %d" % (lines["big"][0], lines["tiny"][0]))
        labels = {"tail": "log-tail probe alone (reads at most 2 x log_tail_kb; information)",
                  "module": "whole fact collection (target <= 1.5)"}
        for probe in ("tail", "module"):
            med = dict((k, statistics.median(v)) for k, v in times[probe].items())
            print("%-6s median tiny %.2f ms, big %.2f ms, ratio big/tiny = %.2f  %s"
                  % (probe, med["tiny"] * 1000, med["big"] * 1000, med["big"] / med["tiny"], labels[probe]))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
