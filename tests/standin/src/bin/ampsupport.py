# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ampsupport of the connector stand-in (test-only): `ampsupport [-o DIR]` writes a tar.gz
support bundle (etc/*.xml, logs, state.json, simulation switches) into DIR (default /tmp)
and prints its path."""

import argparse
import glob
import os
import sys
import tarfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "lib"))

import standin_core as core  # noqa: E402


def bundle_members(paths):
    """(path on host, name in the bundle) for every file that exists."""
    members = [(path, "etc/" + os.path.basename(path))
               for path in sorted(glob.glob(os.path.join(paths.etc_dir, "*.xml")))]
    members += [(path, "logs/" + os.path.basename(path))
                for path in sorted(glob.glob(os.path.join(paths.log_dir, "*.log")))]
    members.append((paths.state_file, "run/state.json"))
    members += [(path, "simulate.d/" + os.path.basename(path))
                for path in sorted(glob.glob(os.path.join(paths.switch_dir, "*")))]
    return [(path, name) for path, name in members if os.path.isfile(path)]


def main(argv):
    parser = argparse.ArgumentParser(prog="ampsupport")
    parser.add_argument("-o", "--output", default="/tmp", help="directory for the bundle")
    args = parser.parse_args(argv)
    paths = core.Paths(os.environ.get("STANDIN_ROOT", "/"))
    if not os.path.isdir(args.output):
        sys.stderr.write("ampsupport: %s is not a directory\n" % args.output)
        return 2
    stamp = time.strftime("%Y_%m_%d_%H_%M_%S")
    top = "amp_support_%s" % stamp
    target = os.path.join(os.path.abspath(args.output), top + ".tar.gz")
    with tarfile.open(target, "w:gz") as bundle:
        for path, name in bundle_members(paths):
            bundle.add(path, arcname="%s/%s" % (top, name))
    sys.stdout.write(target + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
