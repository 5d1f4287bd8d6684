#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-contained initramfs for booting a stock Debian kernel in the test VM
# (the stock cloud kernel has no 9P, so the guest cannot use the host's root).
#
#   initramfs.sh -k KVER -l MODNAME...
#	print the module files MODNAME... need, in load order
#   initramfs.sh -k KVER -p PLAN -o OUT.cpio.gz -f INIT [-b BIN]... [-m MOD]... -- FILE...
#	build an initramfs with busybox, the tools the selftests use (with
#	their libraries), the kernel modules, the repository's selftests and
#	flowctl and flowctl-net, PLAN as /plan, INIT as /init, and each FILE at its own path;
#	-b adds one more binary with its libraries, -m one more of the
#	kernel's modules with those it depends on (veth is always there).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kver= plan= out= init= mods=(veth) bins=()
list=0
while getopts "k:p:o:f:b:m:l" opt; do
	case $opt in
	k) kver=$OPTARG ;;
	p) plan=$OPTARG ;;
	o) out=$OPTARG ;;
	f) init=$OPTARG ;;
	b) bins+=("$OPTARG") ;;
	m) mods+=("$OPTARG") ;;
	l) list=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))

modfiles() {
	local m
	for m in "$@"; do
		modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++'
}

if [ $list = 1 ]; then
	modfiles "$@"
	exit 0
fi
[ -n "$kver" ] && [ -n "$plan" ] && [ -n "$out" ] && [ -n "$init" ] || {
	echo "usage: $0 -k KVER -p PLAN -o OUT -f INIT -- FILE..." >&2; exit 2; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"
mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{dev,proc,sys,tmp,run,etc}
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"

# A binary and every library it links, each at its own path.
add_bin() {
	local bin=$1 lib
	cp -L --parents "$bin" "$root"
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] || cp -L --parents "$lib" "$root"
	done
}

for tool in bash ip genl iperf3 setpriv jq; do
	add_bin "$(command -v "$tool")"
done
add_bin "$repo/ctl/flowctl"
add_bin "$repo/ctl/flowctl-net"
add_bin "$repo/selftests/tools/fs-nlraw"
add_bin "$repo/selftests/tools/fs-ipfix-relay"
for tool in "${bins[@]}"; do
	add_bin "$tool"
done

cp /bin/busybox "$root/usr/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done

for f in $(modfiles "${mods[@]}") "$@"; do
	cp -L --parents "$f" "$root"
done
cp -r --parents "$repo/selftests" "$root"
echo "root:x:0:0:root:/tmp:/bin/sh" >"$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" >>"$root/etc/passwd"
cp "$plan" "$root/plan"
cp "$init" "$root/init"
chmod +x "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
