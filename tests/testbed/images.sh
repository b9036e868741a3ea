#!/usr/bin/env bash
# Builds the two container images of the test bed offline with debootstrap (no registry
# can be reached here) and imports them into podman:
#   se-debian12  Debian 12 with systemd, python3 (+apt bindings), SELinux userland, and sshd
#                (off until tests/testbed/fleet.sh --ssh gives a container its own host keys)
#   se-ellike    the SAME Debian 12 rootfs turned "EL-like": rpm + dnf + python3-dnf, an EL 9
#                /etc/os-release and /etc/redhat-release, apt sources removed. A simulation of
#                the Red Hat family for Ansible (os_family RedHat, pkg_mgr dnf), not RHEL.
# Each image is tagged with a hash of its recipe and rebuilt only when the recipe changes.
source "$(dirname "$0")/lib.sh"

RECIPE=("$TOP/tests/testbed/images.sh" "$TOP/tests/testbed/ellike-release.spec"
  "$TOP/tests/testbed/selinux/rhel-compat.te")
TAG=$(recipe_hash "${RECIPE[@]}")
COMMON=python3,systemd,systemd-sysv,dbus,procps,kmod,ca-certificates,policycoreutils,checkpolicy,semodule-utils,selinux-policy-default,openssh-server

debian_mirror() {
  # The machine's own Debian mirror, as configured for apt (deb822 or one-line format).
  local m
  m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' |
    grep -v security | head -n1 || true)
  [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    grep -E ' bookworm( |$)' | awk '{print $2}' | head -n1 || true)
  [ -n "$m" ] || { echo "images: no Debian mirror configured for apt on this machine" >&2; exit 1; }
  echo "$m"
}

in_root() { chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "${@:2}"; }

common_setup() {
  local root=$1
  # Local repositories are mounted at /srv/se-repo by the scenarios; the network mirror is
  # dropped so tests never depend on the internet.
  rm -f "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*
  echo 'deb [trusted=yes] file:/srv/se-repo/apt ./' >"$root/etc/apt/sources.list.d/se-local.list"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
  : >"$root/etc/machine-id"
  # Services that cannot work in a container and only add noise.
  for u in systemd-remount-fs.service systemd-udevd.service systemd-udev-trigger.service \
    getty@tty1.service console-getty.service systemd-logind.service; do
    ln -sf /dev/null "$root/etc/systemd/system/$u"
  done
  # sshd for the fleet test bed's SSH mode (tests/testbed/fleet.sh --ssh). The host keys the
  # package made here would be shared by every container of the image: drop them and keep the
  # service off; fleet.sh makes each container's own keys and starts it.
  rm -f "$root"/etc/ssh/ssh_host_*
  in_root "$root" systemctl disable ssh.service >/dev/null
  [ ! -e "$root/etc/systemd/system/multi-user.target.wants/ssh.service" ]
  # Declare unconfined_service_t like RHEL's policy does (Debian's lacks it), so the
  # cisco-secure-bpf module of fault 19 can link. SELinux is never enforcing in a container.
  cp "$TOP/tests/testbed/selinux/rhel-compat.te" "$root/tmp/"
  in_root "$root" sh -ec 'cd /tmp && checkmodule -M -m -o rhel-compat.mod rhel-compat.te &&
    semodule_package -o rhel-compat.pp -m rhel-compat.mod && semodule -n -i rhel-compat.pp &&
    rm -f rhel-compat.*'
}

build_one() {
  local name=$1 include=$2 ref="localhost/$1:$TAG"
  if podman image exists "$ref"; then
    say "Image $ref: present"
    return
  fi
  # Checkouts on another recipe share the image store, and their clean-up below may have taken
  # this tag off: the image itself, found by its recipe label, is tagged again, not rebuilt.
  local id
  id=$(podman images -a -q --filter "label=se.recipe=$name:$TAG" | head -n1)
  if [ -n "$id" ]; then
    podman tag "$id" "$ref"
    say "Image $ref: present (tagged again)"
    return
  fi
  say "Building image $ref (debootstrap, offline; ~1-2 min)"
  local root="$BED/rootfs-$name"
  rm -rf "$root"
  with_progress "debootstrap $name" "$BED/debootstrap-$name.log" \
    debootstrap --variant=minbase --include="$include" bookworm "$root" "$(debian_mirror)"
  common_setup "$root"
  if [ "$name" = se-ellike ]; then ellike_setup "$root"; fi
  with_progress "podman import $name" "$BED/import-$name.log" \
    sh -c "tar -C '$root' -c . | podman import --change 'CMD [\"/sbin/init\"]' \\
      --change 'LABEL se.recipe=$name:$TAG' - '$ref'"
  podman tag "$ref" "localhost/$name:latest"
  rm -rf "$root"
}

ellike_setup() {
  local root=$1 out="$BED/ellike-rpm"
  rm -rf "$out" && mkdir -p "$out"
  rpmbuild -bb --define "_topdir $out" --quiet "$TOP/tests/testbed/ellike-release.spec" >/dev/null
  cp "$out"/RPMS/noarch/ellike-release-*.rpm "$root/tmp/"
  rm -f "$root/etc/debian_version" "$root/etc/apt/sources.list.d/se-local.list"
  cat >"$root/etc/os-release" <<'OS'
NAME="EL-like test bed (Debian 12 rootfs simulating EL 9)"
VERSION="9.4 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="EL-like test bed 9.4 (simulation, not Red Hat)"
OS
  mkdir -p "$root/etc/yum.repos.d" "$root/etc/dnf"
  printf '[main]\ngpgcheck=0\ninstallonly_limit=3\nbest=True\nskip_if_unavailable=False\n' \
    >"$root/etc/dnf/dnf.conf"
  printf '[se-local]\nname=secure_endpoint test bed\nbaseurl=file:///srv/se-repo/rpm\ngpgcheck=0\nenabled=1\nmetadata_expire=0\n' \
    >"$root/etc/yum.repos.d/se-local.repo"
  in_root "$root" sh -ec 'rpm -i --nodeps /tmp/ellike-release-*.rpm && rm -f /tmp/ellike-release-*.rpm'
}

mkdir -p "$BED"
build_one se-debian12 "$COMMON,python3-apt"
build_one se-ellike "$COMMON,rpm,dnf,python3-dnf"
# Keep the store small: drop images of older recipes, but never one a container still uses
# (several checkouts share the store, and one may be on another recipe): no --force, so podman
# refuses those, and a name shared with another tag is only untagged.
# (grep finding no old image is no failure: pipefail would end the script there.)
podman images --format '{{.Repository}}:{{.Tag}}' | { grep -E '^localhost/se-(debian12|ellike):' || true; } |
  { grep -vE ":($TAG|latest)$" || true; } | while read -r old; do podman rmi "$old" >/dev/null 2>&1 || true; done
echo "SE_IMAGE_TAG=$TAG" >"$BED/images.env"
