# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""connector_local_fact: the facts delivered by setup as a local fact, installed crash-safe."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import io
import json
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest
import yaml

from ansible_collections.secure_endpoint.linux.plugins.doc_fragments import facts_options as facts_options_doc
from ansible_collections.secure_endpoint.linux.plugins.module_utils import collect, definitions_cache, local_fact
from ansible_collections.secure_endpoint.linux.plugins.module_utils import local_fact_bundle as lfb
from ansible_collections.secure_endpoint.linux.plugins.modules import connector_local_fact

MODULE_UTILS = os.path.dirname(collect.__file__)
NO_CONNECTOR = {"install_dir": "/nonexistent/opt/cisco/amp", "log_dir": "/nonexistent/log", "cache_path": None,
                "ampcli_timeout": 2}


def read_dir(name):
    with open(os.path.join(MODULE_UTILS, name + ".py"), "rb") as handle:
        return handle.read()


@pytest.fixture
def where(tmp_path):
    os.chmod(str(tmp_path), 0o755)
    return {"fact_path": str(tmp_path / "facts.d"), "lib_dir": str(tmp_path / "lib" / "facts"),
            "python": sys.executable}


def args(where, **more):
    given = dict(NO_CONNECTOR)
    given.update(where)
    given.update(more)
    return given


def fact_file(where):
    return os.path.join(where["fact_path"], "secure_endpoint.fact")


def tree(path):
    """Every file and directory under ``path`` with its bytes (files) or None (directories)."""
    found = {}
    for top, dirs, files in os.walk(path):
        for name in dirs:
            found[os.path.join(top, name)] = None
        for name in files:
            with open(os.path.join(top, name), "rb") as handle:
                found[os.path.join(top, name)] = handle.read()
    return found


# --- the sources ----------------------------------------------------------------------------

def test_sources_are_the_fact_and_what_it_imports_only():
    sources = lfb.collect_sources(read_dir)
    names = sorted(os.path.basename(n)[:-3] for n in sources)
    assert "local_fact" in names and "collect" in names and "cvd" in names and "login_defs" in names
    # Installing code and report code stay on the controller / in the module.
    assert not set(names) & {"local_fact_bundle", "facts_options", "fleet_report", "report_html", "journal"}
    assert all(n.startswith("ansible_collections/secure_endpoint/linux/plugins/module_utils/") for n in sources)


def test_a_source_that_imports_ansible_is_refused(tmp_path):
    (tmp_path / "local_fact.py").write_text(
        "from ansible_collections.secure_endpoint.linux.plugins.module_utils import other\n")
    (tmp_path / "other.py").write_text("from ansible.module_utils.six import PY3\n")
    with pytest.raises(lfb.BundleError, match="other imports ansible.module_utils.six"):
        lfb.collect_sources(lambda name: (tmp_path / (name + ".py")).read_bytes())


def test_a_missing_source_is_refused(tmp_path):
    (tmp_path / "local_fact.py").write_text(
        "from ansible_collections.secure_endpoint.linux.plugins.module_utils.gone import thing\n")
    with pytest.raises(lfb.BundleError, match="gone, imported by the local fact, cannot be read"):
        lfb.collect_sources(lambda name: (tmp_path / (name + ".py")).read_bytes())


def test_sources_read_as_python_loaded_them_equal_the_files():
    assert lfb.collect_sources(lfb.read_loaded) == lfb.collect_sources(read_dir)


def test_bad_bundle_paths_are_refused():
    good = lfb.collect_sources(read_dir)
    for bad in ("../evil.py", "/etc/evil.py", "a//b.py", "ansible_collections/x.txt"):
        files = dict(good)
        files[bad] = "x = 1\n"
        with pytest.raises(lfb.BundleError, match="bad source path"):
            lfb.check_files(files)


# --- the fact at run time -----------------------------------------------------------------------

def test_the_fact_prints_the_same_document_as_connector_facts_collect():
    out = io.StringIO()
    assert local_fact.main(json.dumps(NO_CONNECTOR), out) == 0
    printed = json.loads(out.getvalue())
    expected = collect.collect(NO_CONNECTOR)
    assert sorted(printed) == sorted(expected)
    assert printed["installed"] is False and printed["faults"].keys() == expected["faults"].keys()


def test_a_bug_in_a_probe_gives_unknown_facts_not_a_crash(monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("probe bug")
    monkeypatch.setattr(collect, "collect", broken)
    document = local_fact.facts(NO_CONNECTOR)
    assert document["installed"] is None and "probe bug" in document["errors"][0]
    assert not any(f["active"] for f in document["faults"].values())


# Modules a healthy host's warm fact run must not import: each pulls enum, functools or
# collections (re, json, signal, threading ...) or is only needed to write or to report a bug;
# together they were a third of the script's time.
HEAVY_MODULES = ("re", "enum", "functools", "collections", "json", "signal", "threading", "subprocess",
                 "glob", "fnmatch", "contextlib", "importlib.util", "tokenize", "tempfile", "hashlib",
                 "traceback", "calendar", "datetime")
DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "data")


def healthy_install(base):
    """A connector install that reports no fault: ampcli answers at once, valid definitions."""
    amp = os.path.join(base, "amp")
    for sub in ("bin", "etc", "clamav"):
        os.makedirs(os.path.join(amp, sub))
    with open(os.path.join(amp, "bin", "ampdaemon"), "w") as handle:
        handle.write("#!/bin/sh\n")
    with open(os.path.join(amp, "bin", "ampcli"), "w") as handle:
        handle.write("#!/bin/sh\ncat '%s'\n" % os.path.join(DATA, "ampcli", "no_faults.txt"))
    os.chmod(os.path.join(amp, "bin", "ampcli"), 0o755)
    with open(os.path.join(amp, "etc", "global.xml"), "w") as handle:
        handle.write('<?xml version="1.0"?><config><agent><version>1.24.3</version></agent></config>\n')
    for name in ("test-1.cvd", "test-2.cvd"):
        shutil.copy(os.path.join(DATA, "clamav", name), os.path.join(amp, "clamav", name))
    logs = os.path.join(base, "log")
    os.makedirs(logs)
    with open(os.path.join(logs, "ampdaemon.log"), "w") as handle:
        handle.write("2026-12-07 10:00:00 ampdaemon[812]: scan of /var/tmp/a finished, 0 detections\n" * 50)
    return {"install_dir": amp, "log_dir": logs, "cache_path": os.path.join(base, "cache", "definitions.json"),
            "ampcli_timeout": 10}


def test_a_warm_run_of_a_healthy_connector_imports_no_heavy_module(run_module, where, tmp_path):
    options = healthy_install(str(tmp_path / "host"))
    code, out = run_module(connector_local_fact, args(where, **options))
    assert code == 0 and out["changed"]
    time.sleep(definitions_cache.RACY_SECONDS + 0.2)  # files younger than that are judged again
    script = ("import sys; sys.path[0] = %r\n"
              "from ansible_collections.secure_endpoint.linux.plugins.module_utils import local_fact, json_lite\n"
              "facts = local_fact.facts(json_lite.loads(%r))\n"
              "print(json_lite.dumps({'facts': facts, 'loaded': sorted(n for n in %r if n in sys.modules)}))\n"
              % (out["bundle_dir"], json.dumps(options), HEAVY_MODULES))
    printed = None
    for _run in ("cold: judges the definitions, writes the cache", "warm"):
        done = subprocess.run([sys.executable, "-SE", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=120, check=False, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
        assert done.returncode == 0, done.stderr
        printed = json.loads(done.stdout)
    facts = printed["facts"]
    # The run did probe a healthy install (else importing nothing proves nothing).
    assert facts["installed"] is True and facts["version"] == "1.24.3" and facts["ampcli"]["ran"], facts["errors"]
    assert [d["valid"] for d in facts["definitions"]] == [True, True]
    # The connector reports no fault (faults of this machine itself, such as missing kernel
    # headers, may be active: their probes must not import anything heavy either).
    assert facts["ampcli"]["fault_ids"] == [] and facts["ampcli"]["error"] is None
    assert printed["loaded"] == []


# --- the module -----------------------------------------------------------------------------

def test_install_then_setup_style_run_without_ansible(run_module, where):
    code, out = run_module(connector_local_fact, args(where))
    assert code == 0 and out["changed"] and out["bundle_files"] > 10
    script = fact_file(where)
    info = os.stat(script)
    assert stat.S_IMODE(info.st_mode) == 0o755
    with open(script) as handle:
        text = handle.read()
    assert text.startswith("#!%s -SE\n" % sys.executable) and lfb.MARKER in text
    assert out["bundle_dir"] in text and os.path.isdir(out["bundle_dir"])
    # As setup runs it: executed directly; -S means no site-packages, so no Ansible can be imported.
    done = subprocess.run([script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, check=False,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": "/nonexistent"})
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["installed"] is False and sorted(printed) == sorted(collect.collect(NO_CONNECTOR))
    probe = subprocess.run([sys.executable, "-SE", "-c", "import ansible"], stderr=subprocess.PIPE, check=False)
    assert probe.returncode != 0  # the run above really had no Ansible to lean on


def test_second_run_changes_nothing_and_check_mode_writes_nothing(run_module, where):
    code, out = run_module(connector_local_fact, args(where), check_mode=True, diff=True)
    assert code == 0 and out["changed"]
    assert not os.path.exists(where["fact_path"]) and not os.path.exists(where["lib_dir"])
    assert out["diff"][0]["before"] == "" and lfb.MARKER in out["diff"][0]["after"]
    assert run_module(connector_local_fact, args(where))[1]["changed"]
    before = tree(os.path.dirname(where["lib_dir"]))
    code, out = run_module(connector_local_fact, args(where), diff=True)
    assert code == 0 and not out["changed"] and "diff" not in out and out["removed"] == []
    assert tree(os.path.dirname(where["lib_dir"])) == before


def test_changed_options_rewrite_the_script_only(run_module, where):
    first = run_module(connector_local_fact, args(where))[1]
    code, out = run_module(connector_local_fact, args(where, ampcli_timeout=3, expected_dir_mode=0o750), diff=True)
    assert code == 0 and out["changed"] and out["bundle_dir"] == first["bundle_dir"]
    assert '\\"ampcli_timeout\\": 3.0' not in out["diff"][0]["after"]  # JSON inside a Python literal
    assert '"ampcli_timeout": 3.0' in out["diff"][0]["after"] and '"expected_dir_mode": 488' in out["diff"][0]["after"]
    assert len(out["diff"]) == 1  # the code is unchanged


def test_a_new_version_replaces_the_old_and_removes_it(run_module, where, monkeypatch):
    old = run_module(connector_local_fact, args(where))[1]["bundle_dir"]
    real = lfb.collect_sources

    def newer(read):
        files = real(read)
        name = "ansible_collections/secure_endpoint/linux/plugins/module_utils/version.py"
        files[name] += "\n# a newer collection\n"
        return files
    monkeypatch.setattr(lfb, "collect_sources", newer)
    code, out = run_module(connector_local_fact, args(where), diff=True)
    assert code == 0 and out["changed"] and out["bundle_dir"] != old
    assert out["removed"] == [old] and not os.path.exists(old)
    with open(fact_file(where)) as handle:
        assert out["bundle_dir"] in handle.read()
    assert old + "/" in out["diff"][1]["before"]


def test_leftovers_of_a_killed_run_are_removed_next_time(run_module, where):
    run_module(connector_local_fact, args(where))
    dead = os.path.join(where["lib_dir"], ".tmp-0123456789abcdef-%d" % (2 ** 22 + 7))  # above pid_max: no such process
    alive = os.path.join(where["lib_dir"], ".tmp-0123456789abcdef-1")  # init: a run still writing, left alone
    for path in (dead, alive):
        os.makedirs(os.path.join(path, "ansible_collections"))
    half_script = os.path.join(where["fact_path"], ".secure_endpoint.fact.tmp")
    with open(half_script, "w") as handle:
        handle.write("#!/usr/bin/python3 -SE\nimport sy")
    code, out = run_module(connector_local_fact, args(where), check_mode=True)
    assert code == 0 and out["changed"] and sorted(out["removed"]) == sorted([dead, half_script])
    assert os.path.exists(dead) and os.path.exists(half_script)
    code, out = run_module(connector_local_fact, args(where))
    assert code == 0 and out["changed"] and not os.path.exists(dead) and not os.path.exists(half_script)
    assert os.path.exists(alive)
    assert not run_module(connector_local_fact, args(where))[1]["changed"]


def test_killed_after_the_code_before_the_script(run_module, where):
    """The new bundle is in place, the script still the old one (or none): the next run finishes."""
    files = lfb.collect_sources(read_dir)
    step = lfb.plan(where["lib_dir"], fact_file(where), files, json.dumps(collect.options_with_defaults(NO_CONNECTOR)),
                    sys.executable)
    step["fact_write"] = False  # the controller died here
    lfb.apply(step, files)
    assert os.path.isdir(step["bundle_dir"]) and not os.path.exists(fact_file(where))
    code, out = run_module(connector_local_fact, args(where))
    assert code == 0 and out["changed"] and os.path.exists(fact_file(where)) and out["removed"] == []


def test_a_damaged_bundle_is_rewritten(run_module, where):
    out = run_module(connector_local_fact, args(where))[1]
    victim = os.path.join(out["bundle_dir"], "ansible_collections/secure_endpoint/linux/plugins/module_utils/collect.py")
    with open(victim, "a") as handle:
        handle.write("raise SystemExit(3)\n")
    code, again = run_module(connector_local_fact, args(where))
    assert code == 0 and again["changed"] and again["bundle_dir"] == out["bundle_dir"]
    assert read_dir("collect") == open(victim, "rb").read()


def test_a_script_that_fails_is_never_installed(run_module, where):
    run_module(connector_local_fact, args(where))
    with open(fact_file(where)) as handle:
        good = handle.read()
    code, out = run_module(connector_local_fact, args(where, python="/bin/false"))
    assert code == 1 and "was not installed, the old one (if any) is unchanged" in out["msg"]
    with open(fact_file(where)) as handle:
        assert handle.read() == good
    assert not os.path.exists(os.path.join(where["fact_path"], ".secure_endpoint.fact.tmp"))


@pytest.mark.parametrize("kind", ["foreign", "symlink", "fifo", "directory"])
def test_a_fact_file_that_is_not_ours_is_never_touched(run_module, where, tmp_path, kind):
    os.makedirs(where["fact_path"])
    path = fact_file(where)
    if kind == "foreign":
        with open(path, "w") as handle:
            handle.write('{"mine": true}\n')
    elif kind == "symlink":
        os.symlink(str(tmp_path / "elsewhere"), path)
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        os.mkdir(path)
    before = os.lstat(path)
    for state in ("present", "absent"):
        code, out = run_module(connector_local_fact, args(where, state=state))
        assert code == 1 and "not touched" in out["msg"]
        after = os.lstat(path)
        assert (after.st_ino, after.st_mode, after.st_size) == (before.st_ino, before.st_mode, before.st_size)
    assert not os.path.exists(where["lib_dir"])


def test_a_lib_dir_others_can_write_is_refused(run_module, where):
    parent = os.path.dirname(where["lib_dir"])
    os.makedirs(parent)
    os.chmod(parent, 0o777)
    code, out = run_module(connector_local_fact, args(where))
    assert code == 1 and "writable by nobody else" in out["msg"] and not os.path.exists(where["fact_path"])


def test_a_directory_above_an_existing_lib_dir_that_others_can_write_is_refused(run_module, where):
    assert run_module(connector_local_fact, args(where))[0] == 0
    above = os.path.dirname(os.path.dirname(where["lib_dir"]))  # the test's own directory
    os.chmod(above, 0o775)
    code, out = run_module(connector_local_fact, args(where, ampcli_timeout=3))
    assert code == 1 and above in out["msg"] and "every directory above it" in out["msg"]
    os.chmod(above, 0o1777)  # sticky, as /tmp: others cannot rename what is ours in it
    assert run_module(connector_local_fact, args(where, ampcli_timeout=3))[0] == 0


def test_absent_removes_the_script_and_the_code(run_module, where):
    run_module(connector_local_fact, args(where))
    code, out = run_module(connector_local_fact, args(where, state="absent"), check_mode=True, diff=True)
    assert code == 0 and out["changed"] and os.path.exists(fact_file(where))
    assert out["diff"][0]["after"] == "" and lfb.MARKER in out["diff"][0]["before"]
    code, out = run_module(connector_local_fact, args(where, state="absent"))
    assert code == 0 and out["changed"] and not os.path.exists(fact_file(where)) and not os.path.exists(where["lib_dir"])
    assert not run_module(connector_local_fact, args(where, state="absent"))[1]["changed"]


@pytest.mark.parametrize("bad, message", [
    ({"ampcli_timeout": 0}, "ampcli_timeout must be greater than 0"),
    ({"expected_dir_mode": "rwx"}, "expected_dir_mode"),
    ({"name": "../x"}, "plain file name"),
    ({"python": "python3"}, "absolute path"),
])
def test_bad_options_fail_and_write_nothing(run_module, where, bad, message):
    code, out = run_module(connector_local_fact, args(where, **bad))
    assert code == 1 and message in out["msg"]
    assert not os.path.exists(where["fact_path"]) and not os.path.exists(where["lib_dir"])


def test_documentation_matches_the_argument_spec():
    doc = yaml.safe_load(connector_local_fact.DOCUMENTATION)
    assert doc["extends_documentation_fragment"] == ["secure_endpoint.linux.facts_options"]
    doc["options"].update(yaml.safe_load(facts_options_doc.ModuleDocFragment.DOCUMENTATION)["options"])
    spec = connector_local_fact.argument_spec()
    assert sorted(doc["options"]) == sorted(spec)
    for name, option in spec.items():
        documented = doc["options"][name]
        assert documented["type"] == option.get("type", "str"), name
        assert documented.get("default") == option.get("default") or (name == "ampcli_timeout"), name
        assert documented.get("choices") == option.get("choices"), name
    yaml.safe_load(connector_local_fact.EXAMPLES)
    assert set(yaml.safe_load(connector_local_fact.RETURN)) == {"fact_file", "bundle_dir", "bundle_files", "removed"}
