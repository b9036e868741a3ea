# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which names appear in node_exporter's textfile directory while a metrics file is replaced,
as the kernel reports them (inotify), when Ansible's temporary directory is on another
filesystem (a separate /var, here /dev/shm against the checkout's disk).

ansible.builtin.copy then writes a temporary ``.ansible_tmp<random>secure_endpoint.prom`` in
the directory, a name node_exporter reads (it takes every ``*.prom``, dot-files included) while
it is being written; prometheus_textfile writes ``.secure_endpoint.prom.<random>.tmp``, which
node_exporter ignores. This is why the metrics role does not use copy."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import ctypes
import errno
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import pytest

from conftest import TOP

IN_CREATE, IN_MOVED_FROM, IN_MOVED_TO = 0x100, 0x40, 0x80
NAME = "secure_endpoint.prom"


class Watch(object):
    """Names created in or moved into/out of one directory, from the kernel's inotify queue."""

    def __init__(self, directory):
        self.libc = ctypes.CDLL("libc.so.6", use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK)
        assert self.fd >= 0, os.strerror(ctypes.get_errno())
        wd = self.libc.inotify_add_watch(self.fd, directory.encode(), IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO)
        assert wd >= 0, os.strerror(ctypes.get_errno())

    def events(self):
        out = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError as exc:
                if exc.errno == errno.EAGAIN:
                    break
                raise
            offset = 0
            while offset < len(data):
                _wd, mask, _cookie, length = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16:offset + 16 + length].rstrip(b"\0").decode()
                out.append((mask, name))
                offset += 16 + length
        os.close(self.fd)
        return out


@pytest.fixture
def dirs():
    textfile = tempfile.mkdtemp(prefix="rep-textfile-", dir=os.path.join(TOP, ".testbed"))
    remote_tmp = tempfile.mkdtemp(prefix="rep-ansible-tmp-", dir="/dev/shm")
    assert os.stat(textfile).st_dev != os.stat(remote_tmp).st_dev, "/dev/shm must be another filesystem"
    yield textfile, remote_tmp
    shutil.rmtree(textfile)
    shutil.rmtree(remote_tmp)


def ansible(module, args, remote_tmp):
    env = dict(os.environ, ANSIBLE_REMOTE_TMP=remote_tmp, ANSIBLE_NOCOLOR="1",
               ANSIBLE_COLLECTIONS_PATH=os.path.join(TOP, ".build", "collections"))
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-c", "local",
           "-e", "ansible_python_interpreter=" + sys.executable, "-m", module, "-a", args]
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300, check=False)
    assert out.returncode == 0, out.stdout.decode()


def names_during(textfile, module, args, remote_tmp):
    with open(os.path.join(textfile, NAME), "w") as handle:
        handle.write("secure_endpoint_connector_up 0\n")
    watch = Watch(textfile)
    ansible(module, args, remote_tmp)
    events = watch.events()
    return set(name for mask, name in events if mask & (IN_CREATE | IN_MOVED_FROM)), events


def test_copy_leaves_a_prom_named_temporary_file_across_filesystems(dirs):
    textfile, remote_tmp = dirs
    created, events = names_during(textfile, "ansible.builtin.copy",
                                   "content='secure_endpoint_connector_up 1\n' dest=%s/%s mode=0644" % (textfile, NAME),
                                   remote_tmp)
    visible = [n for n in created if n.endswith(".prom") and n != NAME]
    assert visible and visible[0].startswith(".ansible_tmp"), events


def test_prometheus_textfile_never_shows_a_partial_prom_file(dirs):
    textfile, remote_tmp = dirs
    created, events = names_during(textfile, "secure_endpoint.linux.prometheus_textfile",
                                   "content='secure_endpoint_connector_up 1\n' path=%s/%s" % (textfile, NAME),
                                   remote_tmp)
    assert created, events  # it did write, through a temporary file
    assert all(n.startswith("." + NAME + ".") and n.endswith(".tmp") for n in created), events
    assert (IN_MOVED_TO, NAME) in events
    with open(os.path.join(textfile, NAME)) as handle:
        assert handle.read() == "secure_endpoint_connector_up 1\n"
    assert os.listdir(textfile) == [NAME]
