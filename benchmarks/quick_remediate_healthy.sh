#!/usr/bin/env bash
# Healthy-host cost of remediate.yml (issue 7, item 8): a fleet of N healthy hosts
# (tests/testbed/fleet.sh, prefix orch-bench-, podman exec), then, alternately, a plain
# `gather_facts: true` play and playbooks/remediate.yml on it (forks 8), R rounds each; prints
# the medians and the ratio remediate / gather (goal: at most 2.0). A quick check of the role's
# own cost; the fleet benchmark of record is measured by the lead on a quiet machine.
# Usage: benchmarks/quick_remediate_healthy.sh [N=8] [R=3]   (as root, after `make testbed link`)
source "$(dirname "$0")/../tests/testbed/lib.sh"
N=${1:-8} R=${2:-3}
PREFIX=orch-bench-
FLEET="$BED/fleets/${PREFIX%-}"
WORK="$BED/orch-bench"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$TOP/.build/collections}"
export ANSIBLE_CONFIG="$TOP/tests/testbed/ansible.cfg" ANSIBLE_FORKS=8 PATH="$VENV/bin:$PATH"
trap 'bash "$TOP/tests/testbed/fleet.sh" down --prefix "$PREFIX" >/dev/null' EXIT
bash "$TOP/tests/testbed/fleet.sh" up "$N" --prefix "$PREFIX"
INV="$FLEET/inventory.yml"
rm -rf "$WORK"
mkdir -p "$WORK"
cat >"$WORK/gather.yml" <<'PLAY'
- name: Plain fact gathering (the reference)
  hosts: fleet
  gather_facts: true
  tasks: []
PLAY
remediate=(ansible-playbook -i "$INV" "$TOP/playbooks/remediate.yml" -e "secure_endpoint_report_dir=$WORK/reports")
# One untimed run: the definitions cache of connector_facts is warm afterwards, and the fleet
# must be healthy for the measure to mean anything.
"${remediate[@]}" >"$WORK/warm.log" 2>&1 || { tail -n 40 "$WORK/warm.log"; exit 1; }
python3 -c "import json, sys; s = json.load(open('$WORK/reports/secure_endpoint_remediation.json'))['summary']['statuses']
sys.exit(0 if s == {'no active fault': $N} else 'the fleet is not healthy: %s' % s)"
timed() {
  local t0
  t0=$(date +%s.%N)
  "$@" >>"$WORK/timed.log" 2>&1 || { echo "failed: $*" >&2; return 1; }
  python3 -c "print(round($(date +%s.%N) - $t0, 2))"
}
gather=() remediation=()
for r in $(seq 1 "$R"); do
  gather+=("$(timed ansible-playbook -i "$INV" "$WORK/gather.yml")")
  remediation+=("$(timed "${remediate[@]}")")
  note "round $r: gather ${gather[-1]} s, remediate ${remediation[-1]} s"
done
read -r mg mr ratio < <(python3 -c "import statistics as s; g = s.median([${gather[*]/%/,}]); r = s.median([${remediation[*]/%/,}]); print(g, r, round(r / g, 2))")
say "healthy fleet of $N: gather_facts play ${mg} s, remediate.yml ${mr} s, ratio ${ratio} (goal <= 2.0); load: $(cut -d' ' -f1-3 /proc/loadavg)"
