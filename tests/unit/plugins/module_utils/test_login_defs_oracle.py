# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The login.defs parser judged by the real shadow-utils, over generated variants.

``useradd --prefix DIR -r NAME`` reads ``DIR/etc/login.defs`` with shadow-utils' own getdef.c:
with USERGROUPS_ENAB true it creates a group NAME in ``DIR/etc/group``, otherwise the user gets
the default group. So the group file says what shadow-utils decided, and our parser (and the
bounded file reader in front of it) must decide the same for every variant.

Needs root and shadow-utils' useradd (Debian package ``passwd``, installed by
tests/testbed/apt-packages.d/detect.list); skipped with the reason elsewhere.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import random
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from ansible_collections.secure_endpoint.linux.plugins.module_utils import login_defs

USERADD = next((p for p in ("/usr/sbin/useradd", "/sbin/useradd") if os.path.exists(p)), None)
ACCOUNT = "se-oracle"
BASE = os.path.join(os.path.dirname(__file__), "..", "..", "data", "login_defs", "debian12.login.defs")


def _why_not():
    if USERADD is None:
        return "shadow-utils' useradd is not installed"
    if os.geteuid() != 0:
        return "useradd --prefix must run as root (CI runs as root)"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


def _variants():
    """(name, bytes) pairs: hand-picked edge cases, then random combinations of them."""
    with open(BASE, "rb") as handle:
        base = b"\n".join(line for line in handle.read().split(b"\n") if not line.startswith(b"USERGROUPS_ENAB"))
    names = [b"USERGROUPS_ENAB", b"usergroups_enab", b"USERGROUPS_ENABLE", b" USERGROUPS_ENAB", b"\tUSERGROUPS_ENAB",
             b"#USERGROUPS_ENAB", b"USERGROUPS_ENAB\x00"]
    seps = [b" ", b"\t", b" \t  ", b"\t\t"]
    values = [b"yes", b"YES", b"Yes", b"no", b"y", b"true", b"1", b'"yes"', b'"no" yes', b'yes # note', b"yes ",
              b'""', b' "yes', b'yes"', b'ye"s', b"yes\x00junk", b"yes\r", b"\"YES\"\r", b"yes\x0b", b"", b"yes\t#"]
    fixed = [
        ("plain yes", base + b"\nUSERGROUPS_ENAB yes\n"),
        ("plain no", base + b"\nUSERGROUPS_ENAB no\n"),
        ("upper case YES", base + b"\nUSERGROUPS_ENAB YES\n"),
        ("inline comment", base + b"\nUSERGROUPS_ENAB yes # keep\n"),
        ("absent", base + b"\n"),
        ("empty file", b""),
        ("last line without newline", base + b"\nUSERGROUPS_ENAB yes"),
        ("yes then no", base + b"\nUSERGROUPS_ENAB yes\nUSERGROUPS_ENAB no\n"),
        ("no then yes", b"USERGROUPS_ENAB no\n" + base + b"\nUSERGROUPS_ENAB yes\n"),
        ("yes then one field", b"USERGROUPS_ENAB yes\nUSERGROUPS_ENAB\n"),
        ("CRLF file", (base + b"\nUSERGROUPS_ENAB yes\n").replace(b"\n", b"\r\n")),
        ("CR only", b"UMASK 022\rUSERGROUPS_ENAB yes\r"),
        # fgets(1024): the 1024th byte of a line starts a line of its own.
        ("key after 1023 bytes", b"MAIL_DIR " + b"x" * (1023 - 9) + b"USERGROUPS_ENAB yes\n"),
        ("key after 1022 bytes", b"MAIL_DIR " + b"x" * (1022 - 9) + b"USERGROUPS_ENAB yes\n"),
        ("key after 1024 bytes", b"MAIL_DIR " + b"x" * (1024 - 9) + b"USERGROUPS_ENAB yes\n"),
        ("key after 2046 bytes", b"#" * 2046 + b"USERGROUPS_ENAB yes\n"),
        ("long value cut", b"USERGROUPS_ENAB yes" + b" " * 1010 + b"no\n"),
        ("long line ends in no", b"USERGROUPS_ENAB yes\n" + b"#" * 1023 + b"USERGROUPS_ENAB no\n"),
        ("NUL ends the line", b"USERGROUPS_ENAB yes\x00\nUSERGROUPS_ENAB\x00 no\n"),
        # A large file (above the 1 MiB the module used to read): the last line still decides.
        ("2 MiB then yes", b"USERGROUPS_ENAB no\n" + (b"# padding line of a large login.defs\n" * 60000)
         + b"USERGROUPS_ENAB yes\n"),
    ]
    rnd = random.Random(8)
    generated = []
    for index in range(30):
        lines = []
        for _line in range(rnd.randint(1, 3)):
            lines.append(rnd.choice(names) + rnd.choice(seps) + rnd.choice(values))
        ending = rnd.choice([b"\n", b"\r\n"])
        body = ending.join(lines) + ending
        where = rnd.choice(["start", "end"])
        generated.append(("random %d" % index, body + base if where == "start" else base + b"\n" + body))
    return fixed + generated


VARIANTS = _variants()


def _shadow_utils_says(directory, data):
    """True/False: did useradd create the user's own group (USERGROUPS_ENAB true for it)?"""
    etc = os.path.join(directory, "etc")
    os.makedirs(etc)
    files = {"passwd": b"root:x:0:0:root:/root:/bin/sh\n", "group": b"root:x:0:\nusers:x:100:\n",
             "shadow": b"root:*:19000:0:99999:7:::\n", "gshadow": b"root:*::\nusers:*::\n", "login.defs": data}
    for name, content in files.items():
        with open(os.path.join(etc, name), "wb") as handle:
            handle.write(content)
    os.chmod(os.path.join(etc, "shadow"), 0o600)
    os.chmod(os.path.join(etc, "gshadow"), 0o600)
    run = subprocess.run([USERADD, "--prefix", directory, "-r", ACCOUNT], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=60, check=False,
                         env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    if run.returncode != 0:
        return "useradd failed (rc %d): %s" % (run.returncode, run.stdout.decode("utf-8", "replace").strip())
    with open(os.path.join(etc, "group"), "rb") as handle:
        return any(line.startswith(ACCOUNT.encode() + b":") for line in handle.read().split(b"\n"))


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """shadow-utils' verdict on every variant, run in parallel (useradd mostly waits)."""
    base = str(tmp_path_factory.mktemp("login-defs-oracle"))
    work = [(name, os.path.join(base, "v%02d" % i), data) for i, (name, data) in enumerate(VARIANTS)]
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda item: _shadow_utils_says(item[1], item[2]), work))
        return dict((name, answer) for (name, _d, _data), answer in zip(work, answers))
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_the_oracle_answers_both_ways(verdicts):
    """A test that cannot fail proves nothing: shadow-utils said yes and no over the set."""
    assert set(verdicts.values()) == {True, False}, verdicts


@pytest.mark.parametrize("name,data", VARIANTS, ids=[name for name, _data in VARIANTS])
def test_parser_agrees_with_shadow_utils(verdicts, tmp_path, name, data):
    said = verdicts[name]
    assert said in (True, False), said
    assert login_defs.getdef_bool(login_defs.parse(data), "USERGROUPS_ENAB") is said
    # The module's path: the bounded reader and the name-filtered parse.
    path = tmp_path / "login.defs"
    path.write_bytes(data)
    result = login_defs.read_usergroups_enab(str(path))
    assert result["error"] is None and result["enabled"] is said
