# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module end to end on a temporary directory: check mode and diff tell the truth, a
volatile-only difference is written but is no change, errors change nothing."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.secure_endpoint.linux.plugins.modules import prometheus_textfile

CONTENT = "# TYPE a gauge\na 1\nsecure_endpoint_last_check_timestamp_seconds 100\n"
VOLATILE = ["secure_endpoint_last_check_timestamp_seconds"]


@pytest.fixture
def run(run_module):
    """``run(args, check=False, diff=False) -> (exit code, answer)`` (conftest's ``run_module``)."""
    def runner(args, check=False, diff=False):
        return run_module(prometheus_textfile, args, check_mode=check, diff=diff)
    return runner


def read(path):
    with open(path) as handle:
        return handle.read()


def test_write_check_diff_idempotence(tmp_path, run):
    path = str(tmp_path / "se.prom")
    args = {"path": path, "content": CONTENT, "volatile": VOLATILE}
    code, out = run(args, check=True, diff=True)
    assert code == 0 and out["changed"] and out["written"] and not os.path.exists(path)
    assert out["diff"]["after"] == CONTENT and out["diff"]["before"] == ""
    code, out = run(args)
    assert out["changed"] and read(path) == CONTENT and oct(os.stat(path).st_mode & 0o7777) == "0o644"
    code, out = run(args)
    assert not out["changed"] and not out["written"]
    # Only the check time differs: rewritten (fresh metrics) but not a change.
    later = dict(args, content=CONTENT.replace(" 100", " 200"))
    code, out = run(later, check=True)
    assert not out["changed"] and out["written"] and read(path) == CONTENT
    code, out = run(later)
    assert not out["changed"] and out["written"] and read(path) == later["content"]
    changed = dict(args, content=CONTENT.replace("a 1", "a 2"))
    code, out = run(changed, diff=True)
    assert out["changed"] and "a 1" in out["diff"]["before"] and "a 2" in out["diff"]["after"]
    code, out = run(dict(changed, mode="0640"))
    assert out["changed"] and oct(os.stat(path).st_mode & 0o7777) == "0o640"


def test_absent(tmp_path, run):
    path = str(tmp_path / "se.prom")
    with open(path, "w") as handle:
        handle.write(CONTENT)
    code, out = run({"path": path, "state": "absent"}, check=True, diff=True)
    assert out["changed"] and os.path.exists(path) and out["diff"]["before"] == CONTENT
    code, out = run({"path": path, "state": "absent"})
    assert out["changed"] and not os.path.exists(path)
    code, out = run({"path": path, "state": "absent"})
    assert not out["changed"]
    code, out = run({"path": str(tmp_path / "no-such-dir" / "se.prom"), "state": "absent"})
    assert code == 0 and not out["changed"]


def test_stale_temporary_files_removed(tmp_path, run):
    path = str(tmp_path / "se.prom")
    stale = str(tmp_path / ".se.prom.k1ll3d.tmp")
    with open(stale, "w") as handle:
        handle.write("partial")
    os.utime(stale, (1, 1))
    code, out = run({"path": path, "content": CONTENT}, check=True)
    assert out["stale_removed"] == [stale] and os.path.exists(stale)
    code, out = run({"path": path, "content": CONTENT})
    assert out["stale_removed"] == [stale] and not os.path.exists(stale)


@pytest.mark.parametrize("args, message", [
    ({"path": "/nonexistent-dir-for-test/se.prom", "content": CONTENT}, "textfile directory /nonexistent-dir-for-test"),
    ({"path": "{tmp}/se.txt", "content": CONTENT}, "only files named"),
    ({"path": "{tmp}/se.prom", "content": CONTENT, "mode": "rw-r--r--"}, "mode must be octal"),
    ({"path": "{tmp}/se.prom"}, "content"),
    ({"path": "{tmp}/fifo.prom", "content": CONTENT}, "is a FIFO"),
])
def test_errors_change_nothing(tmp_path, run, args, message):
    os.mkfifo(str(tmp_path / "fifo.prom"))
    args = dict((k, v.replace("{tmp}", str(tmp_path)) if isinstance(v, str) else v) for k, v in args.items())
    code, out = run(args)
    assert code == 1 and out["failed"] and message in out["msg"], out
    assert sorted(os.listdir(str(tmp_path))) == ["fifo.prom"]


def test_docs_match_the_spec():
    doc = yaml.safe_load(prometheus_textfile.DOCUMENTATION)
    spec = prometheus_textfile.argument_spec()
    assert sorted(doc["options"]) == sorted(spec)
    for name, option in spec.items():
        assert doc["options"][name].get("default") == option.get("default"), name
        assert doc["options"][name]["type"] == option["type"], name
    yaml.safe_load(prometheus_textfile.EXAMPLES)
    assert sorted(yaml.safe_load(prometheus_textfile.RETURN)) == ["path", "stale_removed", "written"]
