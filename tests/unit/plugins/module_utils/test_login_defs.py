# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""USERGROUPS_ENAB as shadow-utils' lib/getdef.c reads it (file backend)."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import login_defs

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data", "login_defs")
SAMPLES = ["debian12.login.defs", "rhel9.login.defs"]


def read(name):
    with open(os.path.join(DATA, name), "rb") as handle:
        return handle.read()


def with_line(data, line):
    """The sample with its USERGROUPS_ENAB line replaced by ``line`` (bytes)."""
    replaced, count = re.subn(rb"(?m)^USERGROUPS_ENAB.*$", line.replace(b"\\", b"\\\\"), data)
    assert count == 1
    return replaced


@pytest.mark.parametrize("name", SAMPLES)
def test_real_samples(name):
    defs = login_defs.parse(read(name))
    assert defs["USERGROUPS_ENAB"] == "yes"
    assert login_defs.getdef_bool(defs, "USERGROUPS_ENAB")
    assert defs["UMASK"] == "022"
    assert defs["ENCRYPT_METHOD"] == "SHA512"
    # Commented defaults are not definitions.
    assert "MAIL_FILE" not in defs


def test_debian_sample_values():
    defs = login_defs.parse(read("debian12.login.defs"))
    assert defs["ENV_SUPATH"] == "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert defs["UID_MIN"] == "1000"  # tabs and a space before the value


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("line,enabled,value", [
    (b"USERGROUPS_ENAB no", False, "no"),
    (b"USERGROUPS_ENAB yes", True, "yes"),
    (b"USERGROUPS_ENAB YES", True, "YES"),           # strcasecmp on the value
    (b"USERGROUPS_ENAB Yes", True, "Yes"),
    (b"USERGROUPS_ENAB\t\tyes", True, "yes"),
    (b"   \tUSERGROUPS_ENAB yes   \t", True, "yes"),  # leading and trailing blanks
    (b"USERGROUPS_ENAB yes\r", True, "yes"),          # CRLF: \r is trailing whitespace
    (b'USERGROUPS_ENAB "yes"', True, "yes"),          # quotes are stripped
    (b'USERGROUPS_ENAB "no" yes', False, "no"),       # the value ends at the next quote
    (b"USERGROUPS_ENAB yes # keep", False, "yes # keep"),  # no inline comments
    (b"USERGROUPS_ENAB y", False, "y"),
    (b"USERGROUPS_ENAB true", False, "true"),         # only "yes" is true
    (b"USERGROUPS_ENAB 1", False, "1"),
    (b"# USERGROUPS_ENAB yes", False, None),          # commented out: missing, so false
    (b"usergroups_enab yes", False, None),            # names are case-sensitive (strcmp)
    (b"USERGROUPS_ENAB", False, None),                # one field only: ignored
    (b"USERGROUPS_ENAB   ", False, None),             # value is only blanks: ignored
    (b"USERGROUPS_ENABLE yes", False, None),
])
def test_variants(name, line, enabled, value):
    defs = login_defs.parse(with_line(read(name), line))
    assert defs.get("USERGROUPS_ENAB") == value
    assert login_defs.getdef_bool(defs, "USERGROUPS_ENAB") is enabled


@pytest.mark.parametrize("name", SAMPLES)
def test_repeated_key_last_wins(name):
    data = with_line(read(name), b"USERGROUPS_ENAB yes\nUSERGROUPS_ENAB no")
    assert not login_defs.getdef_bool(login_defs.parse(data), "USERGROUPS_ENAB")
    data = with_line(read(name), b"USERGROUPS_ENAB no") + b"\nUSERGROUPS_ENAB yes\n"
    assert login_defs.getdef_bool(login_defs.parse(data), "USERGROUPS_ENAB")


def test_ignored_line_does_not_reset_earlier_value():
    data = b"USERGROUPS_ENAB yes\nUSERGROUPS_ENAB\nusergroups_enab no\n"
    assert login_defs.getdef_bool(login_defs.parse(data), "USERGROUPS_ENAB")


def test_empty_quoted_value_is_false():
    defs = login_defs.parse(b'USERGROUPS_ENAB yes\nUSERGROUPS_ENAB ""\n')
    assert defs["USERGROUPS_ENAB"] == "" and not login_defs.getdef_bool(defs, "USERGROUPS_ENAB")


def test_long_line_is_split_like_fgets():
    # 1023 bytes fill fgets' buffer: the rest of the line is read as a line of its own.
    filler = b"MAIL_DIR " + b"x" * (1023 - len(b"MAIL_DIR "))
    defs = login_defs.parse(filler + b"USERGROUPS_ENAB no\nUSERGROUPS_ENAB yes\n")
    assert defs["MAIL_DIR"] == "x" * (1023 - len(b"MAIL_DIR "))
    assert defs["USERGROUPS_ENAB"] == "yes"
    defs = login_defs.parse(b"USERGROUPS_ENAB yes\n" + filler + b"USERGROUPS_ENAB no\n")
    assert defs["USERGROUPS_ENAB"] == "no"


def test_nul_byte_ends_the_line():
    defs = login_defs.parse(b"USERGROUPS_ENAB yes\x00 garbage\n")
    assert defs["USERGROUPS_ENAB"] == "yes"


def test_read_file(tmp_path):
    path = tmp_path / "login.defs"
    path.write_bytes(with_line(read("rhel9.login.defs"), b"USERGROUPS_ENAB no"))
    result = login_defs.read_usergroups_enab(str(path))
    assert result == {"path": str(path), "present": True, "value": "no", "enabled": False, "error": None}


def test_missing_file_means_defaults(tmp_path):
    result = login_defs.read_usergroups_enab(str(tmp_path / "login.defs"))
    assert result["present"] is False and result["enabled"] is False and result["error"] is None


def test_unreadable_file_is_an_error(tmp_path):
    # A directory in place of the file: open() fails with something else than ENOENT.
    (tmp_path / "login.defs").mkdir()
    result = login_defs.read_usergroups_enab(str(tmp_path / "login.defs"))
    assert result["error"] and result["enabled"] is None


def test_name_filter_gives_the_same_answer():
    """parse(data, names) reads only the lines holding the names: same values for them."""
    import random
    rnd = random.Random(3)
    pieces = [b"USERGROUPS_ENAB", b" yes", b"\tno", b"#", b"\n", b"\r\n", b"\0", b'"', b" ", b"x" * 700,
              b"UMASK 022", b"USERGROUPS_ENAB yes\n", b"usergroups_enab no\n"]
    for _case in range(300):
        data = b"".join(rnd.choice(pieces) for _piece in range(rnd.randint(1, 12)))
        full = login_defs.parse(data)
        assert login_defs.parse(data, names=["USERGROUPS_ENAB"]).get("USERGROUPS_ENAB") == full.get("USERGROUPS_ENAB")


def test_fifo_is_unknown(tmp_path):
    os.mkfifo(str(tmp_path / "login.defs"))
    result = login_defs.read_usergroups_enab(str(tmp_path / "login.defs"))
    assert result["enabled"] is None and result["error"].endswith("FIFO, not a regular file")


def test_large_file_is_read_whole(tmp_path):
    path = tmp_path / "login.defs"
    path.write_bytes(b"USERGROUPS_ENAB no\n" + b"# filler\n" * 300000 + b"USERGROUPS_ENAB yes\n")
    assert path.stat().st_size > 2 * 1024 * 1024
    assert login_defs.read_usergroups_enab(str(path))["enabled"] is True
