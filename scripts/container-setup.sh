#!/usr/bin/env bash
# Prepares this machine for Harrier's container scenarios (run as root). Safe to run again:
# each step is skipped when its result is already there.
#  1. Debian packages: podman, runc, conmon and busybox-static.
#  2. /etc/containers/containers.conf: runc, the cgroupfs manager and no default ulimits. This
#     machine has hybrid cgroups and no CAP_SYS_RESOURCE, so podman's default nofile/nproc
#     limits make runc fail with "error setting rlimit type 7: operation not permitted".
#  3. The image localhost/harrier-busybox:latest, imported from a busybox root file system made
#     from busybox-static. Nothing is pulled from any registry.
#  4. The podman API service on unix:///run/podman/podman.sock (Docker-compatible and libpod
#     API), which Harrier's container metadata client reads.
# Environment: HARRIER_CONTAINER_IMAGE overrides the image name; HARRIER_PODMAN_SOCKET the
# socket path.
set -euo pipefail

image="${HARRIER_CONTAINER_IMAGE:-localhost/harrier-busybox:latest}"
socket="${HARRIER_PODMAN_SOCKET:-/run/podman/podman.sock}"
conf=/etc/containers/containers.conf
log() { echo "container-setup: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (it installs packages and writes $conf)"
  exit 1
fi

packages=(podman runc conmon busybox-static curl)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

want_conf='# Written by Harrier scripts/container-setup.sh.
# No default ulimits: without CAP_SYS_RESOURCE runc cannot raise nofile/nproc, and podman
# would otherwise ask it to.
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"'
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$want_conf" ]; then
  if [ -f "$conf" ] && ! grep -q 'Harrier scripts/container-setup.sh' "$conf"; then
    cp "$conf" "$conf.before-harrier"
    log "kept the previous $conf as $conf.before-harrier"
  fi
  mkdir -p /etc/containers
  printf '%s\n' "$want_conf" >"$conf"
  log "wrote $conf"
fi

if ! podman image exists "$image"; then
  log "building $image from busybox-static"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  rootfs="$work/rootfs"
  mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,run,var/log}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  chroot "$rootfs" /bin/busybox --install -s
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | podman import --quiet - "$image" >/dev/null
  log "built $image"
fi

socket_ready() {
  curl -s --max-time 2 --unix-socket "$socket" http://d/_ping 2>/dev/null | grep -q OK
}
if ! socket_ready; then
  mkdir -p "$(dirname "$socket")"
  rm -f "$socket"
  log "starting the podman API service on $socket"
  # Its own session, so that the service outlives the shell or test run that started it.
  setsid nohup podman system service --time=0 "unix://$socket" \
    </dev/null >/var/log/harrier-podman-service.log 2>&1 &
  for _ in $(seq 1 50); do
    socket_ready && break
    sleep 0.1
  done
  if ! socket_ready; then
    log "the podman API service did not answer on $socket; see /var/log/harrier-podman-service.log"
    exit 1
  fi
fi
log "ready: image $image, API socket $socket"
