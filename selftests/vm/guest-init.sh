#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Init process of flowstream's test VM (POSIX sh: it runs under dash on the
# host's 9P root and under busybox in the stock-kernel initramfs).
#
# The kernel command line sets FS_PLAN and FS_ROOT (9p: the host's root,
# read-only; initramfs: a writable root of its own). The plan sets:
#   FS_PRELOAD       modules to insmod before the tests, in order
#   FS_KUNIT_DEPS    modules KUnit suites need (kunit.ko)
#   FS_KUNIT         KUnit modules, each loaded, reported and unloaded
#   FS_TESTS         selftest scripts to run
#   FS_SHELL         1: start a shell on the console after the tests
#   FS_KMEMLEAK      0: skip the final kmemleak scan
#   FS_ENV           extra "NAME=value" words exported to the tests
#   FS_KEEP          host directories under /tmp to keep visible (9P)
# Results go to the second serial port, one record per line, for
# selftests/vm/run.sh on the host to parse; the first is the console.

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/tmp
export PATH HOME

mount -t proc proc /proc
mount -t sysfs sysfs /sys
grep -q " /dev " /proc/mounts || mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

R=/dev/ttyS1
stty -F $R raw -echo 2>/dev/null
out() { printf '%s\n' "$*" >$R; }

if [ ! -r "$FS_PLAN" ]; then
	out "@@fatal cannot read the plan $FS_PLAN"
	reboot -f
fi
# shellcheck disable=SC1090
. "$FS_PLAN"

if [ "$FS_ROOT" = 9p ]; then
	# The host's root is read-only: writable tmpfs on /tmp and /run. Host
	# directories under /tmp that the run needs (FS_KEEP) stay visible
	# through a bind mount of the host's /tmp.
	mount --bind /tmp /mnt
	mount -t tmpfs tmpfs /tmp
	for d in $FS_KEEP; do
		mkdir -p "$d"
		mount --bind "/mnt/${d#/tmp/}" "$d"
	done
	mount -t tmpfs tmpfs /run
fi
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ip link set lo up
for kv in $FS_ENV; do
	export "${kv?}"
done

out "@@boot $(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"

kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear >$kmemleak

for m in $FS_PRELOAD; do
	if ! insmod "$m"; then
		out "@@fatal insmod $m failed"
	fi
done

if [ -n "$FS_KUNIT" ]; then
	for m in $FS_KUNIT_DEPS; do
		insmod "$m" || out "@@fatal insmod $m failed"
	done
	for m in $FS_KUNIT; do
		name=$(basename "$m" .ko)
		echo "flowstream-kunit-begin $name" >/dev/kmsg
		insmod "$m"
		rc=$?
		echo "flowstream-kunit-end $name" >/dev/kmsg
		out "@@kunit $name $rc"
		dmesg | sed -n "/flowstream-kunit-begin $name\$/,/flowstream-kunit-end $name\$/p" |
			sed 's/^\[[^]]*\] \{0,1\}//' | while IFS= read -r line; do
				out "K $line"
			done
		rmmod "$name" 2>/dev/null
	done
fi

for t in $FS_TESTS; do
	name=$(basename "$t")
	out "@@selftest $name"
	echo "== selftest $name" >/dev/kmsg
	t0=$(date +%s)
	(cd "$(dirname "$t")" && timeout "${FS_TEST_TIMEOUT:-900}" "$t") >/tmp/test.out 2>&1
	rc=$?
	while IFS= read -r line; do
		out "S $line"
	done </tmp/test.out
	out "@@rc $name $rc $(($(date +%s) - t0))"
done

if [ "$FS_SHELL" = 1 ]; then
	echo "flowstream VM: tests done, shell on the console; exit to power off"
	setsid sh -c 'exec sh </dev/ttyS0 >/dev/ttyS0 2>&1'
fi

# Unload what we loaded, in reverse order; failing to unload is a bug.
rev=
for m in $FS_PRELOAD $FS_KUNIT_DEPS; do
	rev="$(basename "$m" .ko) $rev"
done
for m in $rev; do
	grep -q "^$m " /proc/modules || continue
	rmmod "$m" || out "@@fatal rmmod $m failed"
done

if [ -w $kmemleak ] && [ "${FS_KMEMLEAK:-1}" = 1 ]; then
	# Objects younger than 5 s are never reported: let them age first.
	echo "== kmemleak scan" >/dev/kmsg
	sleep 6
	echo scan >$kmemleak
	echo scan >$kmemleak
	leaks=$(grep -c '^unreferenced object' $kmemleak)
	out "@@kmemleak $leaks"
	cat $kmemleak >/dev/console
	echo "== kmemleak done" >/dev/kmsg
fi

out "@@done"
sync
reboot -f
