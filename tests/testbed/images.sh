#!/usr/bin/env bash
# Builds the two container images of the test bed offline with debootstrap (no registry
# can be reached here) and imports them into podman:
#   se-debian12  Debian 12 with systemd, python3 (+apt bindings), SELinux userland
#   se-ellike    the SAME Debian 12 rootfs turned "EL-like": rpm + dnf + python3-dnf, an EL 9
#                /etc/os-release and /etc/redhat-release, apt sources removed. A simulation of
#                the Red Hat family for Ansible (os_family RedHat, pkg_mgr dnf), not RHEL.
# Each image is tagged with a hash of its recipe and rebuilt only when the recipe changes.
source "$(dirname "$0")/lib.sh"

RECIPE=("$TOP/tests/testbed/images.sh" "$TOP/tests/testbed/ellike-release.spec"
  "$TOP/tests/testbed/selinux/rhel-compat.te")
TAG=$(recipe_hash "${RECIPE[@]}")
COMMON=python3,systemd,systemd-sysv,dbus,procps,kmod,ca-certificates,policycoreutils,checkpolicy,semodule-utils,selinux-policy-default

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
  say "Building image $ref (debootstrap, offline; ~1-2 min)"
  local root="$BED/rootfs-$name"
  rm -rf "$root"
  with_progress "debootstrap $name" "$BED/debootstrap-$name.log" \
    debootstrap --variant=minbase --include="$include" bookworm "$root" "$(debian_mirror)"
  common_setup "$root"
  if [ "$name" = se-ellike ]; then ellike_setup "$root"; fi
  with_progress "podman import $name" "$BED/import-$name.log" \
    sh -c "tar -C '$root' -c . | podman import --change 'CMD [\"/sbin/init\"]' - '$ref'"
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
# Keep the store small: drop images of older recipes.
podman images --format '{{.Repository}}:{{.Tag}}' | grep -E '^localhost/se-(debian12|ellike):' |
  grep -vE ":($TAG|latest)$" | xargs -r podman rmi -f >/dev/null 2>&1 || true
echo "SE_IMAGE_TAG=$TAG" >"$BED/images.env"
