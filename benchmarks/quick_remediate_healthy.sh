#!/usr/bin/env bash
# Healthy-host cost of remediate.yml (issue 7, item 8): a fleet of N healthy hosts
# (tests/testbed/fleet.sh, prefix perf-bench-), then, alternately, a plain `gather_facts: true`
# play and playbooks/remediate.yml on it (forks 8), R rounds each. Prints, as medians, the wall
# time, the CPU seconds of each run (controller + the fleet's containers, benchmarks/measure_run.py:
# steadier than wall time on a shared machine) and the host-tasks per host, then the ratios
# remediate / gather (goal: at most 2.0). A quick check of the role's own cost; bench_fleet.py
# (12 hosts, both transports) on a quiet machine gives the figures of record.
# Usage: benchmarks/quick_remediate_healthy.sh [N=8] [R=3] [--ssh]   (as root, after `make testbed link`)
source "$(dirname "$0")/../tests/testbed/lib.sh"
N=8 R=3 ssh=false
positional=()
for arg in "$@"; do
  case $arg in
    --ssh) ssh=true ;;
    *) positional+=("$arg") ;;
  esac
done
N=${positional[0]:-$N} R=${positional[1]:-$R}
PREFIX=perf-bench-
FLEET="$BED/fleets/${PREFIX%-}"
WORK="$BED/perf-bench"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$TOP/.build/collections}"
export ANSIBLE_CONFIG="$TOP/tests/testbed/ansible.cfg" ANSIBLE_FORKS=8 PATH="$VENV/bin:$PATH"
trap 'bash "$TOP/tests/testbed/fleet.sh" down --prefix "$PREFIX" >/dev/null' EXIT
if $ssh; then
  bash "$TOP/tests/testbed/fleet.sh" up "$N" --ssh --prefix "$PREFIX"
  INV="$FLEET/inventory.yml" transport=SSH
else
  bash "$TOP/tests/testbed/fleet.sh" up "$N" --prefix "$PREFIX"
  INV="$FLEET/inventory.yml" transport="podman exec"
fi
rm -rf "$WORK"
mkdir -p "$WORK"
remediate=(ansible-playbook -i "$INV" "$TOP/playbooks/remediate.yml" -e "secure_endpoint_report_dir=$WORK/reports"
  -e "secure_endpoint_evidence_dir=$WORK/evidence")
gather=(ansible-playbook -i "$INV" "$TOP/benchmarks/playbooks/plain_gather.yml")
# One untimed run: the definitions cache of connector_facts is warm afterwards, and the fleet
# must be healthy for the measure to mean anything.
"${remediate[@]}" >"$WORK/warm.log" 2>&1 || { tail -n 40 "$WORK/warm.log"; exit 1; }
python3 -c "import json, sys; s = json.load(open('$WORK/reports/secure_endpoint_remediation.json'))['summary']['statuses']
sys.exit(0 if s == {'no_active_fault': $N} else 'the fleet is not healthy: %s' % s)"
measure() { # $1 = label; the rest: the command. One JSON line per run in $WORK/runs.jsonl.
  local label=$1 line
  shift
  line=$(python3 "$TOP/benchmarks/measure_run.py" --fleet-label "se-fleet=$PREFIX" --log "$WORK/timed.log" -- "$@") ||
    { echo "failed: $* (see $WORK/timed.log)" >&2; return 1; }
  echo "{\"label\": \"$label\", \"run\": $line}" >>"$WORK/runs.jsonl"
  python3 -c "import json, sys; r = json.loads(sys.argv[1]); print('%s s, %s CPU s' % (r['wall'], r['cpu']))" "$line"
}
say "Load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); $R rounds over $transport"
for r in $(seq 1 "$R"); do
  g=$(measure gather "${gather[@]}")
  m=$(measure remediate "${remediate[@]}")
  note "round $r: gather $g; remediate $m"
done
python3 - "$WORK/runs.jsonl" "$N" "$transport" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
def med(label, key):
    values = [r["run"][key] for r in runs if r["label"] == label and r["run"][key] is not None]
    return statistics.median(values) if values else None
def tasks(label):
    counts = [n for r in runs if r["label"] == label for n in r["run"]["tasks_per_host"].values()]
    return statistics.median(counts) if counts else None
print("healthy fleet of %s hosts over %s, medians:" % (sys.argv[2], sys.argv[3]))
for label in ("gather", "remediate"):
    print("  %-9s wall %6.2f s   CPU %s s (controller %.2f)   host-tasks per host %s"
          % (label, med(label, "wall"), med(label, "cpu"), med(label, "controller_cpu"), tasks(label)))
ratio = med("remediate", "wall") / med("gather", "wall")
print("  remediate / gather: wall %.2f, CPU %s (goal <= 2.0: %s by wall time)" % (
    ratio, "%.2f" % (med("remediate", "cpu") / med("gather", "cpu")) if med("gather", "cpu") else "n/a",
    "met" if ratio <= 2.0 else "NOT met"))
PY
say "Load after: $(cut -d' ' -f1-3 /proc/loadavg)"
