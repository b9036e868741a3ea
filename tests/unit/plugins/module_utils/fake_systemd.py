# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A systemctl stand-in for unit tests: the ``run(argv, timeout)`` callable of bounded_cmd."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class FakeSystemd(object):
    def __init__(self, active="active", enabled="enabled", start_fails=False, hang=False, missing=False):
        self.active = active
        self.enabled = enabled
        self.start_fails = start_fails
        self.hang = hang
        self.missing = missing
        self.calls = []

    @staticmethod
    def _out(rc, text):
        return {"rc": rc, "out": text.encode(), "timed_out": False, "truncated": False, "error": None}

    def __call__(self, argv, timeout, **kwargs):
        self.calls.append(list(argv))
        if self.missing:
            return {"rc": None, "out": b"", "timed_out": False, "truncated": False,
                    "error": "cannot run systemctl: No such file or directory"}
        if self.hang:
            return {"rc": None, "out": b"", "timed_out": True, "truncated": False, "error": None}
        verb = argv[1]
        if verb == "is-active":
            return self._out(0 if self.active == "active" else 3, self.active + "\n")
        if verb == "is-enabled":
            return self._out(0 if self.enabled == "enabled" else 1, self.enabled + "\n")
        if verb == "stop":
            self.active = "inactive"
            return self._out(0, "")
        if verb == "start":
            if self.start_fails:
                self.active = "failed"
                return self._out(1, "Job for x.service failed because the control process exited with error code.\n")
            self.active = "active"
            return self._out(0, "")
        if verb == "enable":
            self.enabled = "enabled"
            return self._out(0, "Created symlink.\n")
        raise AssertionError("unexpected systemctl call %r" % (argv,))

    def verbs(self):
        return [c[1] for c in self.calls if c[1] not in ("is-active", "is-enabled")]
