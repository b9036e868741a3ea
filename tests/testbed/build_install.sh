#!/usr/bin/env bash
# Builds the collection artifact, checks that the test-only parts stay out of it, installs it
# into a scratch path and checks the installed collection answers by its FQCNs.
source "$(dirname "$0")/lib.sh"
dist="$TOP/.build/dist" inst="$TOP/.build/installed"
rm -rf "$dist" "$inst"
say "ansible-galaxy collection build"
"$VENV/bin/ansible-galaxy" collection build "$TOP" --output-path "$dist" --force >/dev/null
tarball=$(ls "$dist"/secure_endpoint-linux-*.tar.gz)
# community.general (a dependency) ships with the `ansible` package here: Galaxy is not reachable.
if tar -tzf "$tarball" | grep -E '^(tests|extensions|benchmarks|\.ci|\.testbed|\.venv)/'; then
  echo "build: test-only files leaked into $tarball" >&2
  exit 1
fi
note "$(basename "$tarball"): $(tar -tzf "$tarball" | wc -l) entries"
say "ansible-galaxy collection install"
"$VENV/bin/ansible-galaxy" collection install "$tarball" -p "$inst" --force --no-deps >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$inst"
"$VENV/bin/ansible-doc" -t module secure_endpoint.linux.connector_facts >/dev/null
"$VENV/bin/ansible-doc" -t inventory secure_endpoint.linux.computers >/dev/null
"$VENV/bin/ansible-playbook" --syntax-check secure_endpoint.linux.remediate >/dev/null
"$VENV/bin/ansible-playbook" --syntax-check secure_endpoint.linux.gather_facts >/dev/null
note "installed collection: module docs and playbooks resolve by FQCN"
