# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The execution environment's build context (ansible-builder create) holds what the collection needs.

`make ee-context` builds the collection, copies the artifact to .build/ee/ and runs
`ansible-builder create` into .build/ee/context; this checks that context the way the image
build would use it: the collection artifact it installs, and what ansible-builder's own
introspection (the script the build runs) finds the collection needs. The image build itself
needs a container registry and Galaxy, which these machines cannot reach (docs/AWX.md).
"""

from __future__ import (absolute_import, division, print_function)

import json
import os
import subprocess
import sys
import tarfile

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTEXT = os.environ.get("SE_EE_CONTEXT", os.path.join(REPO, ".build", "ee", "context"))
EE_FILE = os.path.join(REPO, "extensions", "ee", "execution-environment.yml")


def load_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def galaxy():
    return load_yaml(os.path.join(REPO, "galaxy.yml"))


@pytest.fixture(scope="module")
def context():
    if not os.path.isfile(os.path.join(CONTEXT, "Containerfile")):
        pytest.fail("no build context at %s: run 'make ee-context'" % CONTEXT)
    return CONTEXT


@pytest.fixture(scope="module")
def artifact(context):
    reqs = load_yaml(os.path.join(context, "_build", "requirements.yml"))
    ours = [c for c in reqs["collections"] if c.get("type") == "file"]
    assert len(ours) == 1, reqs
    path = os.path.join(context, "_build", ours[0]["name"])
    assert os.path.isfile(path), "the galaxy requirement names %s, missing from the context" % ours[0]["name"]
    return path


def test_definition_is_v3_on_an_ee_base():
    ee = load_yaml(EE_FILE)
    assert ee["version"] == 3
    # ansible-core and ansible-runner come from the EE base image (checked by check_ansible at build).
    assert "ansible_core" not in ee.get("dependencies", {})
    assert ee["images"]["base_image"]["name"]


def test_containerfile_installs_the_galaxy_requirements_and_introspects(context):
    with open(os.path.join(context, "Containerfile")) as handle:
        text = handle.read()
    assert "ansible-galaxy collection install" in text and "-r requirements.yml" in text
    # The builder stage collects the collections' Python and system requirements...
    assert "introspect" in text and "--write-bindep" in text and "--write-pip" in text
    # ...and the final stage installs them and checks ansible-core and ansible-runner are there.
    assert "install-from-bindep" in text
    assert "check_ansible" in text


def test_artifact_is_this_collection(artifact, galaxy):
    with tarfile.open(artifact) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))
        names = set(tar.getnames())
    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == (galaxy["namespace"], galaxy["name"], galaxy["version"])
    # The image build resolves the collection's own dependencies (community.general) from its galaxy.yml.
    assert info["dependencies"] == galaxy["dependencies"]
    for needed in ("meta/execution-environment.yml", "requirements.txt", "bindep.txt", "meta/runtime.yml"):
        assert needed in names, "%s missing from the artifact" % needed
    # Test-only trees stay out; the EDA source and rulebooks ship (extensions/eda, for decision environments).
    assert not any(n.startswith(("tests/", "extensions/molecule", "benchmarks/")) for n in names)
    assert "extensions/eda/plugins/event_source/fault_events.py" in names


def requirement_lines(path):
    with open(path) as handle:
        return [line.split("#")[0].strip() for line in handle if line.split("#")[0].strip()]


def test_introspection_finds_what_the_collection_needs(context, artifact, tmp_path):
    """Run the context's own introspect script on the artifact installed as the build installs it."""
    dest = tmp_path / "collections"
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-galaxy"), "collection", "install",
                    "--no-deps", "--force", "-p", str(dest), artifact], check=True, capture_output=True)
    bindep, pip = tmp_path / "bindep.txt", tmp_path / "requirements.txt"
    out = subprocess.run([sys.executable, os.path.join(context, "_build", "scripts", "introspect.py"), "introspect",
                          "--write-bindep", str(bindep), "--write-pip", str(pip), str(dest)],
                         check=True, capture_output=True, text=True).stdout
    found = yaml.safe_load(out)
    wanted_system = requirement_lines(os.path.join(REPO, "bindep.txt"))
    wanted_python = requirement_lines(os.path.join(REPO, "requirements.txt"))
    assert wanted_system, "bindep.txt lists nothing"
    system = [s.split("#")[0].strip() for s in found["system"]]
    python = [p.split("#")[0].strip() for p in found["python"]]
    assert sorted(system) == sorted(wanted_system)
    assert sorted(python) == sorted(wanted_python)
    assert all("from collection secure_endpoint.linux" in s for s in found["system"])
    assert requirement_lines(str(bindep)) == requirement_lines(os.path.join(REPO, "bindep.txt"))
