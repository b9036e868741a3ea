#!/usr/bin/env bash
# `make demo`: a local fleet of containers running the connector stand-in, each with faults
# injected, then the collection's playbooks against it: gather -> report -> remediate -> report.
# `demo.sh --clean` removes the fleet.
source "$(dirname "$0")/lib.sh"
source "$BED/images.env" 2>/dev/null || true
DEMO="$BED/demo"
INV="$DEMO/inventory.yml"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$TOP/.build/collections}"
export ANSIBLE_CONFIG="$TOP/tests/testbed/ansible.cfg"
export PATH="$VENV/bin:$PATH"

# name image faults-to-inject (fault[:variant]); what the demo fleet looks like.
FLEET=(
  "demo-web1 se-debian12 5:usergroups 11"
  "demo-db1 se-ellike 7 19"
  "demo-app1 se-debian12 5:mode 18"
  "demo-batch1 se-ellike 8 16"
)

clean() {
  for entry in "${FLEET[@]}"; do
    read -r name _ <<<"$entry"
    podman rm -f "$name" >/dev/null 2>&1 || true
  done
}
if [ "${1:-}" = "--clean" ]; then clean; say "Demo fleet removed"; exit 0; fi

start=$SECONDS
say "Creating the demo fleet (${#FLEET[@]} containers)"
clean
mkdir -p "$DEMO"
{
  echo "fleet:"
  echo "  vars:"
  echo "    # root in the containers (no sudo); no SELinux kernel to reload a policy into"
  echo "    secure_endpoint_become: false"
  echo "    secure_endpoint_selinux_reload: false"
  echo "  hosts:"
  for entry in "${FLEET[@]}"; do
    read -r name image _ <<<"$entry"
    podman run -d --name "$name" --hostname "$name" "${PODMAN_RUN_FLAGS[@]}" \
      -v "$BED/repo:/srv/se-repo:ro" "localhost/$image:${SE_IMAGE_TAG:-latest}" /sbin/init >/dev/null
    echo "    $name: {ansible_connection: containers.podman.podman}"
  done
} >"$INV"
podman ps --filter name=demo- --format '    {{.Names}}  {{.Image}}  {{.Status}}'

say "Installing the connector stand-in on every host"
ansible-playbook -i "$INV" "$TOP/tests/testbed/playbooks/install_connector.yml"

say "Injecting faults"
for entry in "${FLEET[@]}"; do
  read -r name _ faults <<<"$entry"
  for f in $faults; do
    id=${f%%:*} variant=${f#*:}
    extra=()
    [ "$variant" != "$f" ] && extra=(-e "inject_fault5_cause=$variant")
    note "$name: fault $id ${extra[*]:-}"
    ansible-playbook -i "$INV" -l "$name" "${extra[@]}" "$TOP/tests/testbed/inject/fault_$id.yml" >"$DEMO/inject-$name-$id.log" ||
      { tail -n 30 "$DEMO/inject-$name-$id.log"; exit 1; }
  done
done

say "Gathering facts and writing the fleet report (before)"
ansible-playbook -i "$INV" "$TOP/playbooks/gather_facts.yml" -e "secure_endpoint_report_dir=$DEMO/report-before"
cat "$DEMO/report-before/secure_endpoint_facts.md"

say "Remediating: ansible-playbook playbooks/remediate.yml -l fleet"
ansible-playbook -i "$INV" -l fleet "$TOP/playbooks/remediate.yml" \
  -e "secure_endpoint_report_dir=$DEMO/report-after" -e "secure_endpoint_evidence_dir=$DEMO/evidence"

say "Fleet report (after)"
cat "$DEMO/report-after/secure_endpoint_remediation.md"
say "Demo done in $((SECONDS - start)) s. Reports: $DEMO/report-before, $DEMO/report-after. Remove the fleet: make demo-clean"
