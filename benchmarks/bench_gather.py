# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fact gathering with the connector facts across a fleet: the documented ways hold at 8 forks.

Creates N containers (default 8, half se-debian12, half se-ellike, named <prefix>-1 ...; prefix
det by default), installs the connector stand-in and the local fact (playbooks/local_facts.yml)
on them, loads the controller with busy processes (default: 2 per core), then runs fact
gathering with 8 forks in three ways:

- local fact (what README.md documents first): a plain ``gather_facts``; every host must get
  setup's facts and ``ansible_local.secure_endpoint``;
- two modules: ``ansible_facts_modules: [setup, secure_endpoint.linux.connector_facts]`` and
  ``ansible_facts_parallel: false`` (README.md's way without the local fact). Every host must get
  both setup's facts and ansible_facts.secure_endpoint;
- parallel (Ansible's default for two fact modules, what the README said before 1.1): shown for
  comparison, no verdict (it fails hosts when the async jobs pass gather_timeout).

No host may fail in the first two: the exit status says so. The containers are removed at the
end (--keep keeps them). Needs the test bed: make testbed link.
Usage: .venv/bin/python benchmarks/bench_gather.py [-n HOSTS] [--forks 8] [--load-per-core 2]
"""

from __future__ import (absolute_import, division, print_function)

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BED = os.path.join(REPO, ".testbed")
IMAGES = ("se-debian12", "se-ellike")
PODMAN_FLAGS = ["--runtime", "runc", "--systemd=always", "--ulimit", "nofile=20000:20000",
                "--ulimit", "nproc=4096:4096"]
LOCAL_FACT = {}
TWO_MODULES = {"ansible_facts_modules": ["setup", "secure_endpoint.linux.connector_facts"],
               "ansible_facts_parallel": False}
PARALLEL = {"ansible_facts_modules": ["setup", "secure_endpoint.linux.connector_facts"]}


def tool(name):
    local = os.path.join(os.path.dirname(sys.executable), name)
    return local if os.path.exists(local) else shutil.which(name)


def image_tag():
    try:
        with open(os.path.join(BED, "images.env")) as handle:
            for line in handle:
                if line.startswith("SE_IMAGE_TAG="):
                    return line.strip().split("=", 1)[1].strip("'\"")
    except IOError:
        pass
    return "latest"


def podman(*args, **kwargs):
    return subprocess.run(["podman"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=kwargs.get("check", True), timeout=300)


def create(names, tag):
    for index, name in enumerate(names):
        podman("rm", "-f", name, check=False)
        image = "localhost/%s:%s" % (IMAGES[index % 2], tag)
        podman("run", "-d", "--name", name, "--hostname", name, *PODMAN_FLAGS,
               "-v", "%s:/srv/se-repo:ro" % os.path.join(BED, "repo"), image, "/sbin/init")


def inventory(path, names):
    # Root in the containers already: the playbooks' become (sudo) is not needed there.
    hosts = dict((name, {"ansible_connection": "containers.podman.podman", "secure_endpoint_become": False})
                 for name in names)
    with open(path, "w") as handle:
        json.dump({"fleet": {"hosts": hosts}}, handle)


def play(path, settings):
    if settings is LOCAL_FACT:
        facts = ["ansible_local.secure_endpoint.faults is defined", "ansible_local.secure_endpoint.installed"]
    else:
        facts = ["ansible_facts.secure_endpoint.faults is defined", "ansible_facts.secure_endpoint.installed"]
    book = [{"name": "Fact gathering with the connector facts", "hosts": "fleet", "gather_facts": True,
             "vars": settings, "tasks": [{
                 "name": "setup's facts and the connector's are there",
                 "ansible.builtin.assert": {"that": ["ansible_facts.distribution is defined"] + facts, "quiet": True}}]}]
    with open(path, "w") as handle:
        json.dump(book, handle)


def load(count):
    """``count`` busy processes: a loaded controller (and containers: they share the CPUs)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _index in range(count)]


def run_play(env, inv, book, forks):
    start = time.monotonic()
    out = subprocess.run([tool("ansible-playbook"), "-i", inv, "-f", str(forks), book], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=1800, check=False)
    elapsed = time.monotonic() - start
    try:
        report = json.loads(out.stdout.decode())
    except ValueError:
        sys.stderr.write(out.stdout.decode()[-2000:] + out.stderr.decode()[-2000:])
        raise
    stats = report["stats"]
    failed = sorted(h for h, s in stats.items() if s.get("failures") or s.get("unreachable"))
    messages = {}
    for task in report["plays"][0]["tasks"]:
        for host, result in task["hosts"].items():
            if result.get("failed") or result.get("unreachable"):
                messages.setdefault(host, result.get("msg", "")[:160])
    return elapsed, failed, messages


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("-n", "--hosts", type=int, default=8)
    parser.add_argument("--forks", type=int, default=8)
    parser.add_argument("--load-per-core", type=int, default=2, help="busy processes per core during the runs")
    parser.add_argument("--prefix", default="det", help="container name prefix")
    parser.add_argument("--keep", action="store_true", help="keep the containers")
    parser.add_argument("--no-parallel", action="store_true", help="skip the parallel (default) comparison")
    args = parser.parse_args()
    names = ["%s-gather-%d" % (args.prefix, i + 1) for i in range(args.hosts)]
    work = tempfile.mkdtemp(prefix="bench-gather-")
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_CONFIG=os.path.join(REPO, "tests", "testbed", "ansible.cfg"),
               CONTAINERS_CONF=os.path.join(REPO, "tests", "testbed", "containers.conf"),
               ANSIBLE_COLLECTIONS_PATH=os.environ.get("ANSIBLE_COLLECTIONS_PATH",
                                                       os.path.join(REPO, ".build", "collections")))
    os.environ["CONTAINERS_CONF"] = env["CONTAINERS_CONF"]
    busy = []
    try:
        print("creating %d containers (%s-*)" % (len(names), args.prefix + "-gather"), flush=True)
        create(names, image_tag())
        inv = os.path.join(work, "inventory.json")
        inventory(inv, names)
        for book in (os.path.join(REPO, "tests", "testbed", "playbooks", "install_connector.yml"),
                     os.path.join(REPO, "playbooks", "local_facts.yml")):
            setup = subprocess.run([tool("ansible-playbook"), "-i", inv, "-f", str(args.forks), book],
                                   env=dict(env, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default"),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800, check=False)
            if setup.returncode != 0:
                sys.stderr.write(setup.stdout.decode()[-3000:])
                return 2
        busy = load(args.load_per_core * (os.cpu_count() or 1))
        time.sleep(1)
        print("controller: %d cores, %d busy processes, load %.2f (uptime's 1 min)"
              % (os.cpu_count() or 1, len(busy), os.getloadavg()[0]), flush=True)
        verdict = 0
        cases = [("local fact", LOCAL_FACT), ("two modules (parallel false)", TWO_MODULES)]
        if not args.no_parallel:
            cases.append(("parallel (Ansible's default)", PARALLEL))
        for label, settings in cases:
            book = os.path.join(work, "gather.json")
            play(book, settings)
            elapsed, failed, messages = run_play(env, inv, book, args.forks)
            print("%-30s %d hosts, %d forks: %d failed, %.1f s" % (label, len(names), args.forks, len(failed), elapsed))
            for host in failed:
                print("    %s: %s" % (host, messages.get(host, "")))
            if settings is not PARALLEL and failed:
                verdict = 1
        print("load at the end: %.2f" % os.getloadavg()[0])
        return verdict
    finally:
        for proc in busy:
            proc.kill()
            proc.wait()
        if not args.keep:
            for name in names:
                podman("rm", "-f", name, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
