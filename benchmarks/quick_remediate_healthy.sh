#!/usr/bin/env bash
# Healthy-host cost of remediate.yml (issue 7, item 8): N containers running the connector
# stand-in with no fault, then, alternately, a plain `gather_facts: true` play and
# playbooks/remediate.yml on them (forks 8), R rounds each; prints the medians and the ratio
# remediate / gather (goal: at most 2.0). A quick check of the role's own cost; the fleet
# benchmark of record is measured by the lead on a quiet machine.
# Usage: benchmarks/quick_remediate_healthy.sh [N=8] [R=3]   (as root, after `make testbed link`)
# Containers are named orch-bench-<i> and removed at the end.
source "$(dirname "$0")/../tests/testbed/lib.sh"
source "$BED/images.env"
N=${1:-8} R=${2:-3}
WORK="$BED/orch-bench"
INV="$WORK/inventory.yml"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$TOP/.build/collections}"
export ANSIBLE_CONFIG="$TOP/tests/testbed/ansible.cfg" ANSIBLE_FORKS=8 PATH="$VENV/bin:$PATH"
names=()
for i in $(seq 1 "$N"); do names+=("orch-bench-$i"); done
clean() { for n in "${names[@]}"; do podman rm -f "$n" >/dev/null 2>&1 || true; done; }
trap clean EXIT
clean
mkdir -p "$WORK"
say "Starting $N containers (half se-debian12, half se-ellike)"
{
  echo "bench:"
  echo "  vars: {secure_endpoint_become: false, secure_endpoint_report_dir: $WORK/reports}"
  echo "  hosts:"
  for i in $(seq 1 "$N"); do
    image=se-debian12; [ $((i % 2)) = 0 ] && image=se-ellike
    podman run -d --name "orch-bench-$i" --hostname "orch-bench-$i" "${PODMAN_RUN_FLAGS[@]}" \
      -v "$BED/repo:/srv/se-repo:ro" "localhost/$image:$SE_IMAGE_TAG" /sbin/init >/dev/null
    echo "    orch-bench-$i: {ansible_connection: containers.podman.podman}"
  done
} >"$INV"
cat >"$WORK/gather.yml" <<'PLAY'
- name: Plain fact gathering (the reference)
  hosts: bench
  gather_facts: true
  tasks: []
PLAY
with_progress "install the connector stand-in" "$WORK/install.log" \
  ansible-playbook -i "$INV" "$TOP/tests/testbed/playbooks/install_connector.yml"
# One untimed run of each: the definitions cache of connector_facts is warm afterwards.
ansible-playbook -i "$INV" "$TOP/playbooks/remediate.yml" >"$WORK/warm.log" 2>&1 ||
  { tail -n 40 "$WORK/warm.log"; exit 1; }
grep -q '"no active fault": '"$N" "$WORK/reports/secure_endpoint_remediation.json" ||
  { echo "the fleet is not healthy: see $WORK/reports" >&2; exit 1; }
timed() { local t0; t0=$(date +%s.%N); "$@" >>"$WORK/timed.log" 2>&1 || return 1; python3 -c "print(round($(date +%s.%N) - $t0, 2))"; }
gather=() remediate=()
for r in $(seq 1 "$R"); do
  gather+=("$(timed ansible-playbook -i "$INV" "$WORK/gather.yml")")
  remediate+=("$(timed ansible-playbook -i "$INV" "$TOP/playbooks/remediate.yml")")
  note "round $r: gather ${gather[-1]} s, remediate ${remediate[-1]} s"
done
read -r mg mr ratio < <(python3 -c "import statistics as s, sys; g, r = s.median([${gather[*]/%/,}]), s.median([${remediate[*]/%/,}]); print(g, r, round(r / g, 2))")
say "healthy fleet of $N: gather_facts play ${mg} s, remediate.yml ${mr} s, ratio ${ratio} (goal <= 2.0); load: $(cut -d' ' -f1-3 /proc/loadavg)"
