# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller cost per host of the report writers at 50 and 1,000 hosts.

Builds remediation report documents (schema 2) of SMALL and LARGE hosts from the fixtures in
tests/unit/data/reports (every host a copy of one of them, under its own name), then times, in
this process, the Markdown, HTML and JUnit renderers (what write_report runs on the controller for
the .md, .html and .junit.xml files), best of N runs each, and prints the cost per host at
both sizes and the ratio large / small. Target: at most 1.5 (the cost per host stays flat: no
work over all hosts for each host).
Usage: python3 benchmarks/bench_reports.py [-n REPETITIONS] [--small 50] [--large 1000]
"""

from __future__ import (absolute_import, division, print_function)

import argparse
import copy
import gc
import json
import os
import shutil
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(REPO, "tests", "unit", "data", "reports", "remediation.json")


def importable(work):
    try:
        __import__("ansible_collections.secure_endpoint.linux")
    except ImportError:
        ns = os.path.join(work, "collections", "ansible_collections", "secure_endpoint")
        os.makedirs(ns)
        os.symlink(REPO, os.path.join(ns, "linux"))
        sys.path.insert(0, os.path.join(work, "collections"))


def fleet(size):
    """A remediation report of ``size`` hosts, cycling through the fixture's hosts."""
    with open(FIXTURE) as handle:
        base = json.load(handle)
    names = sorted(base["remediation"])
    doc = dict(base, hosts={}, remediation={}, unreachable=[], no_facts=[])
    for index in range(size):
        source = names[index % len(names)]
        host = "host-%05d-%s" % (index, source[:12])
        doc["hosts"][host] = copy.deepcopy(base["hosts"].get(source))
        doc["remediation"][host] = copy.deepcopy(base["remediation"][source])
        if source in base["unreachable"]:
            doc["unreachable"].append(host)
        if source in base["no_facts"]:
            doc["no_facts"].append(host)
    doc["summary"] = dict(base["summary"], hosts=size)
    return doc


def best(render, doc, repetitions):
    times = []
    for _repetition in range(repetitions):
        gc.collect()  # the garbage of the previous run is not this one's cost
        start = time.perf_counter()
        render(doc)
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("-n", type=int, default=5, help="repetitions (best of)")
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=1000)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-reports-")
    try:
        importable(work)
        from ansible_collections.secure_endpoint.linux.plugins.plugin_utils import report_html, report_junit, report_markdown
        docs = dict((size, fleet(size)) for size in (args.small, args.large))
        worst = 0.0
        for name, render in (("md", report_markdown.render_markdown), ("html", report_html.render_html),
                             ("junit", report_junit.render_junit)):
            per_host = dict((size, best(render, doc, args.n) / size) for size, doc in docs.items())
            ratio = per_host[args.large] / per_host[args.small]
            worst = max(worst, ratio)
            print("%-5s  %5d hosts: %.3f ms/host   %5d hosts: %.3f ms/host   ratio %.2f (target <= 1.5)" % (
                name, args.small, per_host[args.small] * 1000, args.large, per_host[args.large] * 1000, ratio))
        print("worst ratio: %.2f" % worst)
        return 0 if worst <= 1.5 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
