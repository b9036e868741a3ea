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
if tar -tzf "$tarball" | grep -E '^(tests|extensions/molecule|benchmarks|\.ci|\.testbed|\.venv)/'; then
  echo "build: test-only files leaked into $tarball" >&2
  exit 1
fi
# Event-driven remediation ships: the source plugin, the rulebooks and what ansible-builder reads.
listing=$(tar -tzf "$tarball")
for f in extensions/eda/plugins/event_source/fault_events.py extensions/eda/rulebooks/fault_remediation.yml \
  extensions/eda/rulebooks/fault_remediation_controller.yml requirements.txt \
  meta/execution-environment.yml; do
  grep -qxF "$f" <<<"$listing" || { echo "build: $f is missing from $tarball" >&2; exit 1; }
done
note "$(basename "$tarball"): $(tar -tzf "$tarball" | wc -l) entries"
say "ansible-galaxy collection install"
"$VENV/bin/ansible-galaxy" collection install "$tarball" -p "$inst" --force --no-deps >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$inst"
"$VENV/bin/ansible-doc" -t module secure_endpoint.linux.connector_facts >/dev/null
"$VENV/bin/ansible-doc" -t inventory secure_endpoint.linux.computers >/dev/null
"$VENV/bin/ansible-playbook" --syntax-check secure_endpoint.linux.remediate >/dev/null
"$VENV/bin/ansible-playbook" --syntax-check secure_endpoint.linux.gather_facts >/dev/null
"$VENV/bin/ansible-playbook" --syntax-check secure_endpoint.linux.event_remediate >/dev/null
# Reports and metrics (issue 10): the filters, the textfile module and the metrics role.
"$VENV/bin/ansible-doc" -t filter secure_endpoint.linux.fleet_report_html secure_endpoint.linux.fleet_report_junit \
  secure_endpoint.linux.connector_metrics >/dev/null
"$VENV/bin/ansible-doc" -t module secure_endpoint.linux.prometheus_textfile >/dev/null
"$VENV/bin/ansible-doc" -t role secure_endpoint.linux.metrics >/dev/null
note "installed collection: module docs and playbooks resolve by FQCN"
