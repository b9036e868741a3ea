# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ampcli of the connector stand-in (test-only).

`ampcli status` answers from ampdaemon's state in Cisco's format. Like the real one, it keeps
"Trying to connect..." forever while the daemon is down; the switch `ampcli_hang` makes it
hang even when the daemon is up. `ampcli --version` prints the version.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "lib"))

import standin_core as core  # noqa: E402

USAGE = "usage: ampcli status | ampcli --version\n"
RETRY_SECONDS = 1


def status(paths):
    out = sys.stdout
    out.write("[logger] Set minimum reported log level to notice\n")
    out.write("Trying to connect...\n")
    out.flush()
    while True:
        if "ampcli_hang" not in core.read_switches(paths.switch_dir):
            state = core.load_state(paths.state_file)
            if core.state_is_live(state, time.time()):
                out.write("\n".join(core.format_status(state)) + "\n")
                out.flush()
                return 0
        time.sleep(RETRY_SECONDS)


def main(argv):
    paths = core.Paths(os.environ.get("STANDIN_ROOT", "/"))
    if argv in (["--version"], ["-v"], ["version"]):
        sys.stdout.write("ampcli %s\n" % (core.read_version(paths.global_xml) or "unknown"))
        return 0
    if argv == ["status"]:
        try:
            return status(paths)
        except KeyboardInterrupt:
            return 130
    sys.stderr.write(USAGE)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
