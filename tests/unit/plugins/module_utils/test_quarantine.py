# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import json
import os

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import quarantine

BODY = b"ClamAV-VDB:" + bytes(bytearray(range(256))) * 64


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "opt" / "cisco" / "amp"
    (root / "clamav").mkdir(parents=True)
    (root / "clamav" / "daily.cvd").write_bytes(BODY)
    (root / "clamav" / "main.cvd").write_bytes(b"valid")
    qdir = tmp_path / "state" / "quarantine"
    return {"root": str(root), "qdir": str(qdir), "file": str(root / "clamav" / "daily.cvd"), "tmp": tmp_path}


def _plan(tree, paths):
    return quarantine.plan([{"path": p, "reason": "MD5 mismatch"} for p in paths], tree["root"], tree["qdir"])


def _manifest(tree):
    with open(os.path.join(tree["qdir"], "manifest.jsonl")) as handle:
        return [json.loads(line) for line in handle]


def test_move_copies_verifies_lists_then_removes(tree):
    moves, skipped = _plan(tree, [tree["file"]])
    assert skipped == [] and moves[0]["sha256"] == hashlib.sha256(BODY).hexdigest()
    os.makedirs(tree["qdir"])
    done = quarantine.move(moves[0], tree["qdir"])
    assert done == {"copied": True, "listed": True, "removed": True}
    assert not os.path.exists(tree["file"])
    kept = moves[0]["quarantined_as"]
    assert open(kept, "rb").read() == BODY and os.stat(kept).st_mode & 0o777 == 0o600
    record = _manifest(tree)[0]
    assert record["path"] == tree["file"] and record["sha256"] == moves[0]["sha256"] and record["reason"] == "MD5 mismatch"
    assert record["quarantined_as"] == kept and record["size"] == len(BODY) and record["mode"]
    assert os.path.exists(os.path.join(tree["root"], "clamav", "main.cvd"))


@pytest.mark.parametrize("crash_at", ["manifest", "unlink"])
def test_a_crash_at_any_step_is_completed_by_the_next_run(tree, monkeypatch, crash_at):
    os.makedirs(tree["qdir"])
    moves = _plan(tree, [tree["file"]])[0]

    def boom(*args, **kwargs):
        raise KeyboardInterrupt("killed")
    target = "_append_manifest" if crash_at == "manifest" else None
    if target:
        monkeypatch.setattr(quarantine, target, boom)
    else:
        monkeypatch.setattr(quarantine.os, "unlink", boom)
    with pytest.raises(KeyboardInterrupt):
        quarantine.move(moves[0], tree["qdir"])
    monkeypatch.undo()
    assert open(tree["file"], "rb").read() == BODY, "the original must survive the crash"
    moves = _plan(tree, [tree["file"]])[0]
    done = quarantine.move(moves[0], tree["qdir"])
    assert done["copied"] is False and done["removed"] is True
    assert len(_manifest(tree)) == 1 and not os.path.exists(tree["file"])


def test_torn_manifest_line_is_kept_apart(tree):
    os.makedirs(tree["qdir"])
    with open(os.path.join(tree["qdir"], "manifest.jsonl"), "w") as handle:
        handle.write('{"path": "/x", "sha2')
    moves = _plan(tree, [tree["file"]])[0]
    quarantine.move(moves[0], tree["qdir"])
    lines = open(os.path.join(tree["qdir"], "manifest.jsonl")).read().splitlines()
    assert lines[0] == '{"path": "/x", "sha2' and json.loads(lines[1])["path"] == tree["file"]


def test_links_fifos_outside_and_gone_are_skipped(tree):
    clamav = os.path.join(tree["root"], "clamav")
    secret = tree["tmp"] / "secret.cvd"
    secret.write_bytes(b"not ours")
    os.symlink(str(secret), os.path.join(clamav, "link.cvd"))
    os.mkfifo(os.path.join(clamav, "fifo.cvd"))
    os.makedirs(str(tree["tmp"] / "elsewhere"))
    os.symlink(str(tree["tmp"] / "elsewhere"), os.path.join(tree["root"], "linkdir"))
    (tree["tmp"] / "elsewhere" / "x.cvd").write_bytes(b"x")
    paths = [os.path.join(clamav, "link.cvd"), os.path.join(clamav, "fifo.cvd"), str(secret),
             os.path.join(tree["root"], "linkdir", "x.cvd"), os.path.join(clamav, "gone.cvd"),
             os.path.join(tree["root"], "clamav", "..", "..", "amp-other", "x.cvd")]
    moves, skipped = _plan(tree, paths)
    assert moves == []
    why = dict((s["path"], s["why"]) for s in skipped)
    assert "symbolic link" in why[paths[0]] and "FIFO" in why[paths[1]] and "outside" in why[paths[2]]
    assert "not a directory" in why[paths[3]] and why[paths[4]] == "gone"
    assert "outside" in why[os.path.normpath(paths[5])]
    assert secret.read_bytes() == b"not ours"


def test_a_file_changed_after_the_plan_is_kept(tree):
    os.makedirs(tree["qdir"])
    moves = _plan(tree, [tree["file"]])[0]
    with open(tree["file"], "ab") as handle:
        handle.write(b"more")
    with pytest.raises(quarantine.QuarantineError) as err:
        quarantine.move(moves[0], tree["qdir"])
    assert "changed" in str(err.value) and os.path.exists(tree["file"])


def test_a_bad_copy_already_there_is_replaced(tree):
    os.makedirs(tree["qdir"])
    moves = _plan(tree, [tree["file"]])[0]
    with open(moves[0]["quarantined_as"], "wb") as handle:
        handle.write(b"truncated")
    assert quarantine.move(moves[0], tree["qdir"])["copied"] is True
    assert open(moves[0]["quarantined_as"], "rb").read() == BODY


def test_duplicates_are_planned_once(tree):
    moves = _plan(tree, [tree["file"], tree["file"]])[0]
    assert len(moves) == 1
