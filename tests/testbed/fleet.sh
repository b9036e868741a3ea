#!/usr/bin/env bash
# A fleet of N test hosts for fleet-scale tests and benchmarks: containers from the test-bed
# images (se-debian12 and se-ellike alternating), the connector stand-in installed and healthy
# (no fault), and an inventory under .testbed/fleets/<name>/.
#
#   fleet.sh up N [--ssh] [--prefix P]   (re)create containers P01..PNN (default prefix: fleet-)
#   fleet.sh down [--prefix P]           remove them and their directory
#
# Transports:
#   default  podman exec (connection containers.podman.podman): inventory.yml
#   --ssh    sshd in every container, reached on a loopback port published by podman, as root with
#            a key pair made for this run, host keys pinned in a known_hosts file of this run
#            (strict checking), pipelining on: inventory.yml is SSH, inventory.podman.yml reaches
#            the same hosts over podman exec (a benchmark compares both transports on one fleet).
#
# Only containers labelled se-fleet=P are touched: other engineers' containers are never removed.
source "$(dirname "$0")/lib.sh"
export PATH="$VENV/bin:$PATH"
export ANSIBLE_CONFIG="$TOP/tests/testbed/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH:-$TOP/.build/collections}"

usage() {
  echo "usage: fleet.sh up N [--ssh] [--prefix P] | fleet.sh down [--prefix P]" >&2
  exit 2
}

action=${1:-}
shift || true
count="" ssh=false prefix=fleet-
if [ "$action" = up ]; then
  count=${1:-}
  shift || true
  [[ "$count" =~ ^[1-9][0-9]{0,2}$ ]] || { echo "fleet.sh: N must be a number from 1 to 999" >&2; usage; }
fi
while (($#)); do
  case $1 in
    --ssh) ssh=true ;;
    --prefix)
      prefix=${2:-}
      shift
      ;;
    *) usage ;;
  esac
  shift
done
# The prefix becomes container names, a label value and a directory name.
[[ "$prefix" =~ ^[a-z][a-z0-9-]{0,30}-$ ]] ||
  { echo "fleet.sh: --prefix must be lower-case letters, digits and dashes, ending with a dash (e.g. fleet-)" >&2; exit 2; }
name=${prefix%-}
DIR="$BED/fleets/$name"
LABEL="se-fleet=$prefix"

down() {
  local ids
  ids=$(podman ps -a -q --filter "label=$LABEL")
  if [ -n "$ids" ]; then
    # -t 0: systemd in the containers ignores SIGTERM as PID 1; waiting 10 s per host buys nothing.
    # shellcheck disable=SC2086
    podman rm -f -t 0 $ids >/dev/null
  fi
  rm -rf "$DIR"
}

case $action in
  down)
    down
    say "Fleet $prefix removed"
    exit 0
    ;;
  up) ;;
  *) usage ;;
esac

# The images and local repositories of this checkout (each skips what is already there).
bash "$TOP/tests/testbed/images.sh"
bash "$TOP/tests/testbed/repos.sh"
source "$BED/images.env"

start=$SECONDS
down
mkdir -p "$DIR"
chmod 0700 "$DIR"
width=2
((count >= 100)) && width=3
hosts=()
for ((i = 1; i <= count; i++)); do hosts+=("$(printf '%s%0*d' "$prefix" "$width" "$i")"); done
image_of() { # odd hosts Debian, even hosts EL-like: both families in any fleet of 2 or more
  local n=${1##*-}
  if ((10#$n % 2)); then echo se-debian12; else echo se-ellike; fi
}

say "Starting $count containers ($prefix*, $($ssh && echo SSH || echo podman exec))"
publish=()
$ssh && publish=(-p 127.0.0.1::22)
for h in "${hosts[@]}"; do
  podman run -d --name "$h" --hostname "$h" --label "$LABEL" "${PODMAN_RUN_FLAGS[@]}" "${publish[@]}" \
    -v "$BED/repo:/srv/se-repo:ro" "localhost/$(image_of "$h"):$SE_IMAGE_TAG" /sbin/init >/dev/null
done
# systemd must be up before anything is started in a container (and before Ansible's service
# modules run): bounded, so a container that never boots fails the run instead of hanging it.
for h in "${hosts[@]}"; do
  state=$(podman exec "$h" timeout 90 systemctl is-system-running --wait 2>/dev/null || true)
  case $state in
    running | degraded) ;;
    *) { echo "fleet.sh: systemd in $h did not come up (state: ${state:-none})" >&2; exit 1; } ;;
  esac
done
note "containers booted in $((SECONDS - start)) s"

# Both inventories name the same hosts; only the way to reach them differs.
write_inventory() { # $1 = file, $2 = podman|ssh
  local file=$1 mode=$2 h port
  {
    echo "# Written by tests/testbed/fleet.sh ($mode); removed by: fleet.sh down --prefix $prefix"
    echo "fleet:"
    echo "  vars:"
    echo "    ansible_python_interpreter: /usr/bin/python3"
    echo "    # root in the containers (no sudo); no SELinux kernel to reload a policy into"
    echo "    secure_endpoint_become: false"
    echo "    secure_endpoint_selinux_reload: false"
    if [ "$mode" = ssh ]; then
      echo "    ansible_connection: ansible.builtin.ssh"
      echo "    ansible_user: root"
      echo "    ansible_ssh_private_key_file: $DIR/id_ed25519"
      echo "    ansible_ssh_host_key_checking: true"
      # A host that stops answering (even on a kept-open master connection) is given up in ~15 s.
      echo "    ansible_ssh_common_args: -o UserKnownHostsFile=$DIR/known_hosts -o StrictHostKeyChecking=yes" \
        "-o ServerAliveInterval=5 -o ServerAliveCountMax=3"
      echo "    ansible_ssh_pipelining: true"
      echo "    # SSH masters of this fleet only: a port of a removed fleet may come back on a new host"
      echo "    ansible_control_path_dir: $DIR/cp"
    else
      echo "    ansible_connection: containers.podman.podman"
    fi
    echo "  children:"
    for fam in debian12 ellike; do
      echo "    fleet_$fam:"
      echo "      hosts:"
      for h in "${hosts[@]}"; do
        [ "$(image_of "$h")" = "se-$fam" ] || continue
        if [ "$mode" = ssh ]; then
          port=${PORTS[$h]}
          echo "        $h: {ansible_host: 127.0.0.1, ansible_port: $port}"
        else
          echo "        $h: {}"
        fi
      done
    done
  } >"$file"
}

declare -A PORTS=()
if $ssh; then
  say "Enabling sshd: a key pair for this run, each host's own host keys pinned"
  ssh-keygen -q -t ed25519 -N '' -C "se-fleet-$name" -f "$DIR/id_ed25519"
  : >"$DIR/known_hosts"
  for h in "${hosts[@]}"; do
    # Own host key per container (the image has none); only ed25519, so only that one is pinned.
    podman exec -i "$h" sh -ec 'ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key >/dev/null
      echo "HostKey /etc/ssh/ssh_host_ed25519_key" >/etc/ssh/sshd_config.d/se-fleet.conf
      install -d -m 0700 /root/.ssh
      cat >/root/.ssh/authorized_keys
      chmod 0600 /root/.ssh/authorized_keys
      systemctl start ssh.service' <"$DIR/id_ed25519.pub"
    PORTS[$h]=$(podman port "$h" 22/tcp | head -n1 | sed 's/.*://')
    [[ "${PORTS[$h]}" =~ ^[0-9]+$ ]] || { echo "fleet.sh: no SSH port published for $h" >&2; exit 1; }
    podman exec "$h" cat /etc/ssh/ssh_host_ed25519_key.pub |
      awk -v p="${PORTS[$h]}" '{print "[127.0.0.1]:" p, $1, $2}' >>"$DIR/known_hosts"
  done
  write_inventory "$DIR/inventory.yml" ssh
  write_inventory "$DIR/inventory.podman.yml" podman
else
  write_inventory "$DIR/inventory.yml" podman
fi

say "Installing the connector stand-in (healthy, no fault)"
with_progress "install_connector.yml on $count hosts" "$DIR/install.log" \
  ansible-playbook -i "$DIR/inventory.yml" -f 8 "$TOP/tests/testbed/playbooks/install_connector.yml"

# The fleet is ready only when every host answers over the inventory's own transport.
with_progress "ping over $($ssh && echo SSH || echo podman exec)" "$DIR/ping.log" \
  ansible -i "$DIR/inventory.yml" -f 8 -m ansible.builtin.ping fleet
echo "$((SECONDS - start))" >"$DIR/up_seconds"
say "Fleet $prefix ready: $count hosts in $((SECONDS - start)) s; inventory $DIR/inventory.yml"
