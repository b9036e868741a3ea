"""After playbooks/local_facts.yml: setup delivers the connector facts, and they are the host's truth.

Every check also runs on the faulty host prepare left (no fact installed, a killed install's
leftovers planted), where it must fail (negative control)."""
import json
import os
import re
import subprocess
import sys

from se_testinfra import SCAN, ampcli_status, fault_ids, host_name, package_version

FACT = "/etc/ansible/facts.d/secure_endpoint.fact"
LIB_DIR = "/usr/local/lib/secure_endpoint/facts"
MARKER = "# Managed by secure_endpoint.linux.connector_local_fact"


def run_fact(host):
    out = host.run("timeout 60 %s" % FACT)
    assert out.rc == 0, "the fact script failed: rc %s %s" % (out.rc, out.stderr)
    return json.loads(out.stdout)


def ansible_module(host, module, module_args=""):
    """A module run by Ansible itself on the container (podman connection), its result."""
    name = host_name(host)
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    done = subprocess.run(
        [ansible, name, "-i", name + ",", "-c", "containers.podman.podman", "-e", "ansible_python_interpreter=/usr/bin/python3",
         "-m", module, "-a", module_args, "--one-line"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=180, check=False,
        env=dict(os.environ, ANSIBLE_LOAD_CALLBACK_PLUGINS="0", ANSIBLE_NOCOLOR="1"))
    text = done.stdout.decode(errors="replace")
    assert done.returncode == 0, "%s on %s: rc %d %s %s" % (module, name, done.returncode, text[-2000:], done.stderr[-2000:])
    return json.loads(text.split(" => ", 1)[1])


def test_the_script_is_ours_and_runs_as_root_only_what_root_wrote(host):
    script = host.file(FACT)
    assert script.is_file and not script.is_symlink
    assert script.user == "root" and script.mode == 0o755
    lines = script.content_string.split("\n")
    assert lines[0] == "#!/usr/bin/python3 -SE" and lines[1].startswith(MARKER)
    bundle = re.search(r"^sys\.path\[0\] = '([^']+)'$", script.content_string, re.M).group(1)
    assert os.path.dirname(bundle) == LIB_DIR and re.match(r"^[0-9a-f]{16}$", os.path.basename(bundle))
    # Every directory and file the script imports from: root's, writable by root only.
    listing = host.run("find %s %s -exec stat -c '%%U %%a %%F %%n' {} +" % (os.path.dirname(LIB_DIR), bundle))
    assert listing.rc == 0, listing.stderr
    for line in listing.stdout.strip().split("\n"):
        user, mode, kind_path = line.split(" ", 2)
        assert user == "root" and int(mode, 8) & 0o022 == 0, line
    assert host.file(bundle + "/ansible_collections/secure_endpoint/linux/plugins/module_utils/collect.py").is_file


def test_one_version_and_no_leftovers_of_the_killed_install(host):
    entries = host.run("ls -A %s" % LIB_DIR).stdout.split()
    assert len(entries) == 1 and re.match(r"^[0-9a-f]{16}$", entries[0]), entries
    assert host.run("ls -A /etc/ansible/facts.d").stdout.split() == ["secure_endpoint.fact"]


def test_the_fact_tells_the_hosts_truth(host):
    facts = run_fact(host)
    assert facts["installed"] is True
    assert facts["version"] == package_version(host)
    group_missing = host.run("getent group %s" % SCAN).rc != 0
    assert group_missing, "prepare injected fault 5: the scan group must be missing"
    assert 5 in fault_ids(ampcli_status(host))
    assert facts["faults"]["5"]["active"] is True and facts["faults"]["5"]["reported"] is True
    assert "scan_group_missing" in facts["faults"]["5"]["causes"]


def test_setup_delivers_what_connector_facts_returns(host):
    local = ansible_module(host, "ansible.builtin.setup", "gather_subset=min")["ansible_facts"]["ansible_local"]
    assert set(local) == {"secure_endpoint"}, "setup's local facts: %s" % sorted(local)
    delivered = local["secure_endpoint"]
    module = ansible_module(host, "secure_endpoint.linux.connector_facts")["ansible_facts"]["secure_endpoint"]
    assert sorted(delivered) == sorted(module)
    for key in ("installed", "version", "install_dir", "scan_account", "login_defs"):
        assert delivered[key] == module[key], key
    for fault_id, fault in module["faults"].items():
        assert delivered["faults"][fault_id]["active"] == fault["active"], fault_id
        assert delivered["faults"][fault_id]["causes"] == fault["causes"], fault_id
    assert delivered["faults"]["5"]["active"] is True
