#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) a test kernel from Debian's linux-source package.
#
#   build-kernel.sh [-s SOURCE_PKG] FRAGMENT...
#
# The kernel is "make tinyconfig" plus the given config fragments. The build
# lives outside the repository, in $FLOWSTREAM_CACHE (default
# ~/.cache/flowstream), in a directory named by a hash of the fragments, the
# source package version and this script, so a warm run reuses it. The path of
# the build directory (usable as KDIR, holding arch/x86/boot/bzImage) is
# printed on stdout as the last line.
set -euo pipefail

src_pkg=linux-source-6.1
while getopts "s:" opt; do
	case $opt in
	s) src_pkg=$OPTARG ;;
	*) echo "usage: $0 [-s SOURCE_PKG] FRAGMENT..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-s SOURCE_PKG] FRAGMENT..." >&2; exit 2; }

cache=${FLOWSTREAM_CACHE:-$HOME/.cache/flowstream}
series=${src_pkg#linux-source-}
tarball=/usr/src/$src_pkg.tar.xz
[ -f "$tarball" ] || { echo "$tarball missing: apt-get install $src_pkg" >&2; exit 1; }
version=$(dpkg-query -W -f '${Version}' "$src_pkg")

key=$( { echo "$src_pkg $version"; cat "$@"; cat "$0"; } | sha256sum | cut -c1-16)
out=$cache/kernel-$series-$key
if [ -f "$out/.flowstream-built" ]; then
	echo "kernel: cached $out" >&2
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
srcdir=$cache/src-$series-$version
if [ ! -f "$srcdir/.extracted" ]; then
	echo "kernel: extracting $tarball" >&2
	rm -rf "$srcdir" "$srcdir.tmp"
	mkdir -p "$srcdir.tmp"
	tar -xJf "$tarball" -C "$srcdir.tmp" --strip-components=1
	touch "$srcdir.tmp/.extracted"
	mv "$srcdir.tmp" "$srcdir"
fi

build=$out.tmp
rm -rf "$build"
mkdir -p "$build"
echo "kernel: configuring $build" >&2
make -s -C "$srcdir" O="$build" tinyconfig >&2
"$srcdir/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$@" \
	>"$build/merge_config.log" 2>&1
make -s -C "$srcdir" O="$build" olddefconfig >&2

# Every option the fragments ask for must have survived olddefconfig.
missing=0
for frag in "$@"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n) opt=${line%%=*}
			grep -q "^$opt=" "$build/.config" && { echo "kernel: $opt still set" >&2; missing=1; } ;;
		CONFIG_*) grep -qx "$line" "$build/.config" || { echo "kernel: $line not applied" >&2; missing=1; } ;;
		esac
	done < "$frag"
done
[ $missing -eq 0 ] || { echo "kernel: fragment not fully applied" >&2; exit 1; }

echo "kernel: building (several minutes)" >&2
make -s -C "$srcdir" O="$build" -j"$(nproc)" bzImage modules >&2
touch "$build/.flowstream-built"
rm -rf "$out"
mv "$build" "$out"
echo "$out"
