# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ampscansvc of the connector stand-in (test-only): the file-scan service.

Started by ampdaemon (stdout/stderr go to ampscansvc.log). It loads nothing and waits for
scan requests that never come; with the switch `scan_crash` it exits non-zero at start,
or within a second when the switch appears while it runs.
"""

import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "lib"))

import standin_core as core  # noqa: E402

CRASH_STATUS = 1


def say(message):
    stamp = time.strftime("%Y-%m-%d %H:%M:%S %z")
    sys.stdout.write("%s ampscansvc[%d]: %s\n" % (stamp, os.getpid(), message))
    sys.stdout.flush()


def main():
    paths = core.Paths(os.environ.get("STANDIN_ROOT", "/"))
    say("starting as uid %d gid %d" % (os.getuid(), os.getgid()))
    if "scan_crash" in core.read_switches(paths.switch_dir):
        say("error: scan engine crashed while loading definitions")
        return CRASH_STATUS
    say("ready for scan (%d definition files)" % len(core.find_definitions(paths.amp_dir)))
    stopping = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    while not stopping:
        time.sleep(1)
        # The switch also takes a running service down, as a file crashing the scanner would.
        if "scan_crash" in core.read_switches(paths.switch_dir):
            say("error: scan engine crashed while scanning a file")
            return CRASH_STATUS
    say("stopping")
    return 0


if __name__ == "__main__":
    sys.exit(main())
