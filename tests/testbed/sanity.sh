#!/usr/bin/env bash
# ansible-test needs the collection at ansible_collections/<ns>/<name>: run it on a copy of
# the tracked (and untracked, not ignored) files. Its test environments are cached by
# ansible-test under ~/.ansible/test.
source "$(dirname "$0")/lib.sh"
# Outside the checkout: ansible-test would otherwise list files through the checkout's git.
# One work tree per checkout, so that several checkouts can run it at once.
work="${TMPDIR:-/tmp}/secure_endpoint-sanity-$(id -u)-$(echo "$TOP" | sha256sum | cut -c1-8)"
dest="$work/ansible_collections/secure_endpoint/linux"
rm -rf "$work"
mkdir -p "$dest"
(cd "$TOP" && git ls-files -co --exclude-standard -z) | rsync -a --from0 --files-from=- "$TOP/" "$dest/"
cd "$dest"
# ansible-test reads the file list from git when there is one; the copy has none.
# `--venv` would download a pip bootstrap script from outside the package registries, so
# ansible-test runs in an environment of its own (.venv-sanity) and installs its pinned test
# requirements there with pip (`--requirements`).
SVENV="$TOP/.venv-sanity"
want=$(recipe_hash "$TOP/tests/requirements.txt" "$TOP/tests/testbed/sanity.sh")
if [ "$(cat "$SVENV/.stamp" 2>/dev/null)" != "$want" ]; then
  say "Creating .venv-sanity for ansible-test"
  rm -rf "$SVENV"
  "$VENV/bin/python" -m venv "$SVENV" 2>/dev/null || python3 -m venv "$SVENV"
  "$SVENV/bin/pip" install -q --disable-pip-version-check \
    "$(grep -E '^ansible-core==' "$TOP/tests/requirements.txt")" pytest pytest-xdist pytest-mock \
    "$(grep -E '^antsibull-changelog==' "$TOP/tests/requirements.txt")"
  echo "$want" >"$SVENV/.stamp"
fi
export PATH="$SVENV/bin:$PATH"
# Some sanity tests run in environments of their own that ansible-test bootstraps with a pip
# script fetched from outside the registries: give it ours (tests/testbed/get_pip_offline.py).
PIPV=$("$SVENV/bin/python" -c 'from ansible_test._internal.python_requirements import get_venv_packages as g
class P: version = "'"$("$SVENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"'"
print(g(P)["pip"])')
mkdir -p ~/.ansible/test/cache
cp "$TOP/tests/testbed/get_pip_offline.py" ~/.ansible/test/cache/"get_pip_${PIPV//./_}.py"
PY=$("$SVENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
say "ansible-test sanity (Python $PY)"
ansible-test sanity --requirements --python "$PY" --color no "$@"
say "ansible-test units (Python $PY)"
ansible-test units --requirements --python "$PY" --color no
