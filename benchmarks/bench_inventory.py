# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cost of the computers inventory plugin for a large fleet against the same inventory from a script.

Serves N generated computers (default 5000, 70 % Linux, every field of the documented shape) from
the fake Secure Endpoint API on loopback, and times `ansible-inventory --list` (a) through
secure_endpoint.linux.computers (page_size 500: N/500 requests, groups, host variables) and
(b) through an inventory script that prints the same inventory as ready-made JSON (what (a)
produced): (b) is the cost of Ansible loading those hosts, groups and variables at all, so the
ratio shows what the plugin adds (paging, retries' bookkeeping, transforms, groups). Runs are
interleaved, N repetitions each; prints the median ratio a / b (target: at most 2) and each side's
peak memory (max RSS of the ansible-inventory process).
Usage: python3 benchmarks/bench_inventory.py [-c COMPUTERS] [-n REPETITIONS]
"""

from __future__ import (absolute_import, division, print_function)

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "fake_api"))
import secure_endpoint_api as fake  # noqa: E402 pylint: disable=wrong-import-position


def fleet(count):
    """``count`` computers made from the fixtures' shapes, with unique names, GUIDs and addresses."""
    with open(os.path.join(fake.DATA_DIR, "computers.json")) as handle:
        templates = [c for c in json.load(handle) if c.get("hostname")]
    computers = []
    for i in range(count):
        computer = copy.deepcopy(templates[i % len(templates)])
        computer["connector_guid"] = "00000000-0000-4000-8000-%012d" % i
        computer["hostname"] = "host%05d.example.com" % i
        computer["internal_ips"] = [" 10.%d.%d.%d" % (i // 65536 % 256, i // 256 % 256, i % 256)]
        if i % 10 < 7 and "linux" not in str(computer.get("operating_system")).lower():
            computer["operating_system"], computer["os_version"] = "Linux", "Debian GNU/Linux 12 (bookworm)"
        computers.append(computer)
    return computers


def timed(argv, env):
    """(seconds, max RSS in MiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    status, usage = os.wait4(proc.pid, 0)[1:]
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("failed: %s\n%s" % (" ".join(argv), stderr.decode(errors="replace")))
    return elapsed, usage.ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("-c", "--computers", type=int, default=5000)
    parser.add_argument("-n", "--repetitions", type=int, default=5)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-inventory-")
    collections = os.path.join(work, "collections")
    os.makedirs(os.path.join(collections, "ansible_collections", "secure_endpoint"))
    os.symlink(REPO, os.path.join(collections, "ansible_collections", "secure_endpoint", "linux"))
    bin_dir = os.path.dirname(sys.executable)
    inventory_cmd = [os.path.join(bin_dir, "ansible-inventory")]
    client_id, key = next(iter(fake.DEFAULT_CREDENTIALS.items()))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_HOME=os.path.join(work, "home"),
               SECURE_ENDPOINT_CLIENT_ID=client_id, SECURE_ENDPOINT_API_KEY=key["api_key"])
    with fake.FakeSecureEndpointAPI(rate_limit=10 ** 6) as api:
        api.set_computers(fleet(args.computers))
        source = os.path.join(work, "bench.computers.yml")
        with open(source, "w") as handle:
            yaml.safe_dump({"plugin": "secure_endpoint.linux.computers", "api_url": api.url}, handle)
        listed_path = os.path.join(work, "listed.json")
        subprocess.run(inventory_cmd + ["-i", source, "--list", "--output", listed_path], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(listed_path) as handle:
            listed = json.load(handle)
        script = os.path.join(work, "same_inventory.sh")
        with open(script, "w") as handle:
            handle.write("#!/bin/sh\nexec cat %s\n" % listed_path)
        os.chmod(script, 0o755)
        hosts = len(listed["_meta"]["hostvars"])
        plugin_runs, script_runs = [], []
        for dummy in range(args.repetitions):
            plugin_runs.append(timed(inventory_cmd + ["-i", source, "--list"], env))
            script_runs.append(timed(inventory_cmd + ["-i", script, "--list"], env))
        requests = len(api.requests_to("/v1/computers"))
    ratios = [p[0] / s[0] for p, s in zip(plugin_runs, script_runs)]
    print("computers served: %d, Linux hosts in the inventory: %d, requests per run: %d"
          % (args.computers, hosts, requests // (args.repetitions + 1)))
    print("plugin  median %.2f s, max RSS %.0f MiB" % (statistics.median(p[0] for p in plugin_runs),
                                                       max(p[1] for p in plugin_runs)))
    print("script  median %.2f s, max RSS %.0f MiB" % (statistics.median(s[0] for s in script_runs),
                                                       max(s[1] for s in script_runs)))
    print("ratio plugin / same inventory from a script: median %.2f (target <= 2)" % statistics.median(ratios))


if __name__ == "__main__":
    main()
