# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import shutil
import stat

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import (
    atomic_files, journal, login_defs, login_defs_edit)

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "login_defs")
KEY = "USERGROUPS_ENAB"


@pytest.fixture(params=["debian12.login.defs", "rhel9.login.defs"])
def defs(tmp_path, request):
    path = str(tmp_path / "etc" / "login.defs")
    os.makedirs(os.path.dirname(path))
    shutil.copy(os.path.join(DATA, request.param), path)
    os.chmod(path, 0o644)
    return path


def _hardened(path, line=b"USERGROUPS_ENAB no"):
    data = open(path, "rb").read()
    new = login_defs_edit.with_value(data, KEY, "x")[0]
    with open(path, "wb") as handle:
        handle.write(new.replace(b"USERGROUPS_ENAB x", line))
    return open(path, "rb").read()


def test_with_value_replaces_the_last_definition_only():
    data = b"# USERGROUPS_ENAB yes\nUSERGROUPS_ENAB no\nUMASK 022\nUSERGROUPS_ENAB\tNO  \nEND 1"
    new, original = login_defs_edit.with_value(data, KEY, "yes")
    assert original == b"USERGROUPS_ENAB\tNO  "
    assert new == b"# USERGROUPS_ENAB yes\nUSERGROUPS_ENAB no\nUMASK 022\nUSERGROUPS_ENAB yes\nEND 1"
    assert login_defs.getdef_bool(login_defs.parse(new), KEY)


def test_with_value_appends_when_undefined_and_keeps_a_missing_final_newline_apart():
    new, original = login_defs_edit.with_value(b"UMASK 022", KEY, "yes")
    assert (new, original) == (b"UMASK 022\nUSERGROUPS_ENAB yes\n", None)
    # A name without a value is no definition for shadow-utils.
    new, original = login_defs_edit.with_value(b"USERGROUPS_ENAB\n", KEY, "yes")
    assert original is None and new == b"USERGROUPS_ENAB\nUSERGROUPS_ENAB yes\n"


def test_with_line_restored():
    written = b"USERGROUPS_ENAB yes"
    assert login_defs_edit.with_line_restored(b"A 1\nUSERGROUPS_ENAB yes\nB 2\n", KEY, written,
                                              b"USERGROUPS_ENAB no") == b"A 1\nUSERGROUPS_ENAB no\nB 2\n"
    assert login_defs_edit.with_line_restored(b"A 1\nUSERGROUPS_ENAB yes\n", KEY, written, None) == b"A 1\n"
    # Someone set another value since: not ours to change.
    assert login_defs_edit.with_line_restored(b"USERGROUPS_ENAB maybe\n", KEY, written, b"USERGROUPS_ENAB no") is None
    assert login_defs_edit.with_line_restored(b"A 1\n", KEY, written, b"USERGROUPS_ENAB no") is None
    assert login_defs_edit.with_line_restored(b"A 1\n", KEY, written, None) == b"A 1\n"


@pytest.mark.parametrize("data,why", [(b"A 1\0\n", "NUL"), (b"A " + b"x" * 1023 + b"\n", "longer than")])
def test_unusual_files_are_refused(tmp_path, data, why):
    path = tmp_path / "login.defs"
    path.write_bytes(data)
    with pytest.raises(login_defs_edit.LoginDefsError) as err:
        login_defs_edit.set_key(str(tmp_path / "state"), str(path), KEY, "yes")
    assert why in str(err.value) and path.read_bytes() == data
    assert not (tmp_path / "state").exists()


def test_set_records_backup_and_journal_before_the_write(defs, tmp_path):
    state = str(tmp_path / "state")
    before = _hardened(defs)
    plan = login_defs_edit.set_key(state, defs, KEY, "yes")
    entry = plan["entry"]
    assert plan["value_before"] == "no" and plan["original_line"] == b"USERGROUPS_ENAB no"
    assert login_defs.read_usergroups_enab(defs)["enabled"] is True
    assert open(entry["backup"], "rb").read() == before
    assert entry["backup"].startswith(os.path.join(state, "backups"))
    assert entry["sha256_before"] == atomic_files.sha256_bytes(before)
    assert entry["sha256_written"] == atomic_files.sha256_bytes(open(defs, "rb").read())
    assert [i["id"] for i in journal.entries(state)] == [entry["id"]]
    # Nothing left beside the file in /etc (no login.defs.<pid>.<date>~, no temp file).
    assert os.listdir(os.path.dirname(defs)) == ["login.defs"]
    assert stat.S_IMODE(os.stat(defs).st_mode) == 0o644


def test_set_is_a_no_op_when_the_value_is_there(defs, tmp_path):
    _hardened(defs, b"USERGROUPS_ENAB YES")
    plan = login_defs_edit.set_key(str(tmp_path / "state"), defs, KEY, "yes")
    assert plan["needed"] is False and plan["entry"] is None
    assert not (tmp_path / "state").exists()


def test_repair_restores_byte_for_byte(defs, tmp_path):
    state = str(tmp_path / "state")
    before = _hardened(defs)
    entry = login_defs_edit.set_key(state, defs, KEY, "yes")["entry"]
    check = login_defs_edit.repair(entry, check_mode=True)
    assert check["changed"] and open(defs, "rb").read() != before
    result = login_defs_edit.repair(entry)
    assert result["changed"] and "byte for byte" in result["message"]
    assert open(defs, "rb").read() == before


def test_repair_when_the_run_died_before_writing(defs, tmp_path):
    state = str(tmp_path / "state")
    before = _hardened(defs)
    entry = login_defs_edit.set_key(state, defs, KEY, "yes")["entry"]
    with open(defs, "wb") as handle:
        handle.write(before)
    open(entry["tmp_path"], "wb").close()  # the temp file of the interrupted write
    result = login_defs_edit.repair(entry)
    assert not result["changed"] and result["done"] and "already as before" in result["message"]
    assert not os.path.exists(entry["tmp_path"])


def test_repair_puts_back_only_our_line_when_the_file_changed(defs, tmp_path):
    state = str(tmp_path / "state")
    _hardened(defs)
    entry = login_defs_edit.set_key(state, defs, KEY, "yes")["entry"]
    with open(defs, "ab") as handle:
        handle.write(b"# an administrator's note\n")
    result = login_defs_edit.repair(entry)
    assert result["changed"] and "original line" in result["message"]
    data = open(defs, "rb").read()
    assert data.endswith(b"# an administrator's note\n")
    assert login_defs.parse(data)[KEY] == "no"


def test_repair_leaves_someone_elses_value(defs, tmp_path):
    state = str(tmp_path / "state")
    _hardened(defs)
    entry = login_defs_edit.set_key(state, defs, KEY, "yes")["entry"]
    data = open(defs, "rb").read().replace(b"USERGROUPS_ENAB yes", b"USERGROUPS_ENAB maybe")
    with open(defs, "wb") as handle:
        handle.write(data)
    result = login_defs_edit.repair(entry)
    assert not result["changed"] and result["done"] and "left as is" in result["message"]
    assert open(defs, "rb").read() == data


def test_corrupt_backup_falls_back_to_the_line(defs, tmp_path):
    state = str(tmp_path / "state")
    _hardened(defs)
    entry = login_defs_edit.set_key(state, defs, KEY, "yes")["entry"]
    with open(entry["backup"], "wb") as handle:
        handle.write(b"garbage")
    result = login_defs_edit.repair(entry)
    assert "original line" in result["message"] and login_defs.parse(open(defs, "rb").read())[KEY] == "no"


def test_undefined_key_is_removed_again(tmp_path):
    path = tmp_path / "login.defs"
    path.write_bytes(b"UMASK 022\n")
    entry = login_defs_edit.set_key(str(tmp_path / "state"), str(path), KEY, "yes")["entry"]
    assert entry["original_line"] is None
    login_defs_edit.repair(entry)
    assert path.read_bytes() == b"UMASK 022\n"


def test_missing_file_is_created_then_removed(tmp_path):
    path = tmp_path / "login.defs"
    entry = login_defs_edit.set_key(str(tmp_path / "state"), str(path), KEY, "yes")["entry"]
    assert path.read_bytes() == b"USERGROUPS_ENAB yes\n" and entry["file_existed"] is False
    assert login_defs_edit.repair(entry)["changed"] and not path.exists()


def test_repair_refuses_a_fifo(tmp_path):
    path = tmp_path / "login.defs"
    path.write_bytes(b"USERGROUPS_ENAB no\n")
    entry = login_defs_edit.set_key(str(tmp_path / "state"), str(path), KEY, "yes")["entry"]
    path.unlink()
    os.mkfifo(str(path))
    with pytest.raises(atomic_files.FileKindError):
        login_defs_edit.repair(entry)
