# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real ansible-rulebook running one of the collection's rulebooks, its output in a log file."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Rulebook:
    """``ansible-rulebook -i inventory.yml -r RULEBOOK --vars vars.yml -v`` in ``workdir``."""

    def __init__(self, workdir: str, inventory: dict, variables: dict,
                 rulebook: str = "secure_endpoint.linux.fault_remediation") -> None:
        os.makedirs(workdir, exist_ok=True)
        self.log_path = os.path.join(workdir, "rulebook.log")
        for name, data in (("inventory.yml", inventory), ("vars.yml", variables)):
            path = os.path.join(workdir, name)
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
                json.dump(data, handle)
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "tests", "testbed", "ansible.cfg"),
                   ANSIBLE_FORCE_COLOR="0", NO_COLOR="1", PYTHONUNBUFFERED="1")
        self.log = open(self.log_path, "wb")  # pylint: disable=consider-using-with
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            ["ansible-rulebook", "-i", "inventory.yml", "-r", rulebook, "--vars", "vars.yml", "-v"],
            cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)

    def text(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def runs(self, name: str) -> int:
        """Playbook runs that reached host ``name``: its PLAY RECAP lines."""
        return len(re.findall(r"^%s\s*: ok=" % re.escape(name), self.text(), re.M))

    def wait_for(self, pattern: str, timeout: float = 120, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "ansible-rulebook exited:\n" + self.text()[-5000:]
            if len(re.findall(pattern, self.text(), re.M)) >= count:
                return
            time.sleep(0.5)
        raise AssertionError("no %r in the rulebook log after %s s:\n%s" % (pattern, timeout, self.text()[-5000:]))

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()
