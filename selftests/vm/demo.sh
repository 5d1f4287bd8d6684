#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": build what is needed, boot the debug test VM with flowstream
# loaded, run selftests/vm/demo-guest.sh there and show what it printed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
cache=${FLOWSTREAM_CACHE:-$HOME/.cache/flowstream}

selftests/install-deps.sh || exit 1
make -s -C ctl >/dev/null || exit 1
echo "demo: preparing the test kernel (cached after the first build)" >&2
kdir=$(selftests/vm/build-kernel.sh selftests/vm/debug.config) || exit 1
tree=$cache/build/demo
mkdir -p "$tree"
rsync -a Kbuild Makefile kmod pm include uapi "$tree/"
make -s -C "$kdir" M="$tree" modules >/dev/null || exit 1

echo "demo: booting the VM (software emulation, a minute or two)" >&2
out=$cache/demo
selftests/vm/run.sh -k debug -o "$out" -m "$tree/kmod/flowstream.ko" \
	-e "FS_KO=$tree/kmod/flowstream.ko" -t selftests/vm/demo-guest.sh >"$out.tap"
rc=$?
tr -d '\r' <"$out/results.log" | sed -n 's/^S //p' | grep -v '^ok \|^1\.\.'
echo
grep -E '^(not )?ok' "$out.tap" | grep -v '^ok' || echo "demo: VM run clean (no kernel splat, no leak)"
exit $rc
