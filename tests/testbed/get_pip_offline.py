"""Stand-in for the pip bootstrap script ansible-test downloads from its own file host.

ansible-test creates each sanity environment without pip and runs this file in it with pip
install arguments (e.g. ``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``).
The test machines reach only the package registries, so pip is bootstrapped from the
interpreter's bundled ``ensurepip`` wheel and then upgraded from the package index to the
exact version ansible-test asked for.
"""
import ensurepip
import os
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
# ensurepip points PIP_CONFIG_FILE at /dev/null for its own run; the real install must see
# the machine's pip configuration (index, certificates) again, in a fresh process.
os.environ.pop("PIP_CONFIG_FILE", None)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
