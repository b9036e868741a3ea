# Shared helpers for the test-bed scripts (sourced, not run).
# Paths are relative to the checkout; everything generated lives under .testbed/ (git-ignored).
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BED="$TOP/.testbed"
VENV="$TOP/.venv"
mkdir -p "$BED"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }

# podman here needs runc (crun fails on this hybrid cgroup setup) and explicit ulimits.
export CONTAINERS_CONF="$TOP/tests/testbed/containers.conf"
PODMAN_RUN_FLAGS=(--runtime runc --systemd=always --ulimit nofile=20000:20000 --ulimit nproc=4096:4096)

# Hash of the files that define an artefact: an image or repository is rebuilt only when
# its recipe changes.
recipe_hash() { cat "$@" | sha256sum | cut -c1-12; }

# Run a long step with a heartbeat so users see progress; keep its log for errors.
with_progress() {
  local label=$1 log=$2; shift 2
  local start=$SECONDS
  "$@" >"$log" 2>&1 &
  local pid=$!
  local ticks=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.2
    ticks=$((ticks + 1))
    ((ticks % 50 == 0)) && kill -0 "$pid" 2>/dev/null && note "$label: $((SECONDS - start)) s …"
  done
  if ! wait "$pid"; then
    echo "FAILED: $label (last lines of $log):" >&2
    tail -n 30 "$log" >&2
    return 1
  fi
  note "$label: done in $((SECONDS - start)) s"
}
