#!/usr/bin/env bash
# `make demo-events`: a fault raised on a demo host is fixed by the rulebook, with no one running a
# playbook. One container (eda-demo-web1) runs the connector stand-in; a private RabbitMQ node plays
# the console's event stream; a console stand-in (tests/eda/console_standin.py) publishes Fault
# Raised / Fault Cleared when the connector's faults change, as the console does; the real
# ansible-rulebook runs secure_endpoint.linux.fault_remediation. Then fault 5 is injected.
# `demo_events.sh --clean` removes the container.
source "$(dirname "$0")/lib.sh"
source "$BED/images.env" 2>/dev/null || true
DEMO="$BED/eda/demo"
HOST=eda-demo-web1
QUEUE=event_stream_demo
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$TOP/.build/collections}"
export ANSIBLE_CONFIG="$TOP/tests/testbed/ansible.cfg" ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 PYTHONUNBUFFERED=1
export PATH="$VENV/bin:$PATH"
PY="$VENV/bin/python"

clean() { podman rm -f "$HOST" >/dev/null 2>&1 || true; }
if [ "${1:-}" = "--clean" ]; then clean; say "Demo host $HOST removed"; exit 0; fi

pids=()
stop_all() {
  # TERM: background jobs of a script start with SIGINT ignored.
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$PY" "$TOP/tests/eda/broker.py" stop "$DEMO/broker" 2>/dev/null || true
}
trap stop_all EXIT

start=$SECONDS
say "Demo host $HOST (Debian 12) with the connector stand-in"
clean
mkdir -p "$DEMO"
podman run -d --name "$HOST" --hostname "$HOST" "${PODMAN_RUN_FLAGS[@]}" \
  -v "$BED/repo:/srv/se-repo:ro" "localhost/se-debian12:${SE_IMAGE_TAG:-latest}" /sbin/init >/dev/null
cat >"$DEMO/inventory.yml" <<INV
all:
  vars:
    ansible_connection: containers.podman.podman
    secure_endpoint_become: false
    # Absolute: the rulebook runs the playbook by its FQCN, from the installed collection, where a
    # relative report directory is refused (and ansible-rulebook's scratch directory is removed).
    secure_endpoint_report_dir: $DEMO/reports
    secure_endpoint_evidence_dir: $DEMO/evidence
  hosts:
    $HOST: {}
INV
ansible-playbook -i "$DEMO/inventory.yml" "$TOP/tests/testbed/playbooks/install_connector.yml" >"$DEMO/install.log" ||
  { tail -n 30 "$DEMO/install.log"; exit 1; }
note "ampcli status: $(podman exec "$HOST" /opt/cisco/amp/bin/ampcli status | grep '^Faults:')"

say "Event stream: a private RabbitMQ node on 127.0.0.1 (TLS, throw-away CA)"
"$PY" "$TOP/tests/eda/broker.py" start "$DEMO/broker" >"$DEMO/broker.json"
"$PY" - "$DEMO" "$QUEUE" "$TOP" <<'PYEOF'
import json, os, sys
sys.path.insert(0, os.path.join(sys.argv[3], "tests", "eda"))
from publish import Publisher
demo, queue = sys.argv[1], sys.argv[2]
s = json.load(open(os.path.join(demo, "broker.json")))
with Publisher(s) as pub:
    pub.declare(queue, purge=True)
variables = {"secure_endpoint_amqp_host": s["host"], "secure_endpoint_amqp_port": s["port"],
             "secure_endpoint_amqp_user_name": s["user_name"], "secure_endpoint_amqp_password": s["password"],
             "secure_endpoint_amqp_queue_name": queue, "secure_endpoint_events_ca_path": s["ca_path"]}
path = os.path.join(demo, "vars.yml")
with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
    json.dump(variables, handle)
PYEOF
note "amqps://$(sed -n 's/.*"user_name": "\([^"]*\)".*/\1/p' "$DEMO/broker.json")@127.0.0.1, queue $QUEUE"

say "Console stand-in and ansible-rulebook -r secure_endpoint.linux.fault_remediation"
setsid "$PY" "$TOP/tests/eda/console_standin.py" "$DEMO/broker.json" "$QUEUE" "$HOST" >"$DEMO/console.log" 2>&1 &
pids+=($!)
(cd "$DEMO" && exec setsid ansible-rulebook -i inventory.yml -r secure_endpoint.linux.fault_remediation \
  --vars vars.yml -v >"$DEMO/rulebook.log" 2>&1) &
pids+=($!)
wait_log() { # file pattern seconds
  local deadline=$((SECONDS + $3))
  until grep -qE "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "demo: no '$2' in $1 after $3 s" >&2; tail -n 40 "$1" >&2; exit 1; }
    sleep 1
  done
}
wait_log "$DEMO/rulebook.log" "amqp: (consuming|connected again to)" 120
note "rulebook listening"

say "Injecting fault 5 on $HOST (USERGROUPS_ENAB no, scan user and group deleted, connector reinstalled)"
ansible-playbook -i "$DEMO/inventory.yml" "$TOP/tests/testbed/inject/fault_5.yml" >"$DEMO/inject.log" ||
  { tail -n 30 "$DEMO/inject.log"; exit 1; }
note "ampcli status: $(podman exec "$HOST" /opt/cisco/amp/bin/ampcli status | grep -E '^(Faults:|ID )' | tr '\n' ' ')"

say "Waiting: console stand-in -> Fault Raised -> rulebook -> remediation (nobody runs a playbook)"
wait_log "$DEMO/console.log" "Fault Raised" 60
grep "Fault Raised" "$DEMO/console.log" | sed 's/^/    /'
wait_log "$DEMO/rulebook.log" "^$HOST +: ok=" 600
grep -E "fault_events - INFO - amqp message|^PLAY |^$HOST +: ok=" "$DEMO/rulebook.log" | sed 's/^/    /'
wait_log "$DEMO/console.log" "Fault Cleared" 120
wait_log "$DEMO/rulebook.log" "Fault Cleared on $HOST" 60
grep -E "secure_endpoint: Fault Cleared" "$DEMO/rulebook.log" | sed 's/^/    /'

say "After: the host's own state"
note "ampcli status: $(podman exec "$HOST" /opt/cisco/amp/bin/ampcli status | grep '^Faults:')"
note "group: $(podman exec "$HOST" getent group cisco-amp-scan-svc || echo MISSING)"
note "login.defs: $(podman exec "$HOST" grep -E '^USERGROUPS_ENAB' /etc/login.defs)"
say "Demo done in $((SECONDS - start)) s. Logs: $DEMO/{console,rulebook}.log. Remove the host: make demo-clean"
