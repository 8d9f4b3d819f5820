#!/bin/sh
# Builds probe/build/harrier-probe from source: vmlinux.h from this kernel's BTF, the CO-RE eBPF
# object, its bpftool skeleton and the loader, linked statically against libbpf by default.
#
#   scripts/build-probe.sh            static link (the binary needs only libc at run time)
#   LINK=dynamic scripts/build-probe.sh
#
# Needs: clang, bpftool, libbpf-dev, libelf-dev, zlib1g-dev, make. On Debian:
#   apt-get install -y --no-install-recommends clang llvm libbpf-dev bpftool libelf-dev \
#     zlib1g-dev make pkg-config
set -eu
cd "$(dirname "$0")/../probe"

missing=""
for tool in clang bpftool make cc; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -f /usr/include/bpf/libbpf.h ] || missing="$missing libbpf-dev"
if [ -n "$missing" ]; then
	echo "build-probe: missing:$missing (see the apt-get line at the top of this script)" >&2
	exit 1
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "build-probe: /sys/kernel/btf/vmlinux is missing: the kernel has no BTF" >&2
	exit 1
fi

make LINK="${LINK:-static}" "$@"
echo "build-probe: built $(pwd)/build/harrier-probe"
