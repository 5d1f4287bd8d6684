#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# flowstream's whole test suite ("make check"). On a Debian 12 machine it
# installs what it needs, builds the debug test kernel (cached), the modules
# and flowctl, then runs: flowctl's unit tests, static checks (checkpatch,
# W=1 and sparse against Debian's 6.1 and 6.12 headers), the netlink spec
# check, KUnit and the selftests in the debug-kernel VM, the harness's own
# splat-detection test, and a DKMS build plus the core selftests on Debian's
# stock kernel. Each result is a TAP line; the last line is
# "N passed, N failed".
#
# Environment: FLOWSTREAM_CACHE (default ~/.cache/flowstream) holds kernel
# builds and logs; CHECK_ONLY="stage ..." runs only the named stages;
# CHECK_LANES=1 runs the debug VM alone instead of beside the later stages.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
cache=${FLOWSTREAM_CACHE:-$HOME/.cache/flowstream}
export FLOWSTREAM_CACHE=$cache
logs=$cache/check-logs
rm -rf "$logs"
mkdir -p "$logs"

passed=0 failed=0 skipped=0

# count STAGE FILE: print FILE's TAP results prefixed by STAGE and count them.
count() {
	local stage=$1 file=$2 line
	while IFS= read -r line; do
		case $line in
		"not ok "*)
			failed=$((failed + 1))
			echo "not ok - $stage: ${line#not ok * - }" ;;
		"ok "*"# SKIP"*)
			skipped=$((skipped + 1))
			echo "ok - $stage: ${line#ok * - }" ;;
		"ok "*)
			passed=$((passed + 1))
			echo "ok - $stage: ${line#ok * - }" ;;
		"# "*)
			echo "    $line" ;;
		esac
	done < <(tr -d '\r' <"$file")
}

# stage NAME CMD...: run CMD, which prints TAP, into NAME's log, unless
# CHECK_ONLY leaves NAME out; report prints the results afterwards, so
# that stages can run side by side.
stage() {
	local name=$1 t0=$SECONDS rc
	shift
	if [ -n "${CHECK_ONLY:-}" ] && [[ " $CHECK_ONLY " != *" $name "* ]]; then
		return 0
	fi
	"$@" >"$logs/$name.log" 2>&1
	rc=$?
	echo "$rc $((SECONDS - t0))" >"$logs/$name.status"
}

# report NAME...: each stage's results, counted; a stage whose command
# failed without reporting a failure counts as one.
report() {
	local name rc secs f0
	for name in "$@"; do
		[ -f "$logs/$name.status" ] || continue
		read -r rc secs <"$logs/$name.status"
		echo "# --- $name"
		f0=$failed
		count "$name" "$logs/$name.log"
		if [ "$rc" -ne 0 ] && [ $failed -eq $f0 ]; then
			failed=$((failed + 1))
			echo "not ok - $name: exited $rc"
			tail -n 20 "$logs/$name.log" | sed 's/^/    # /'
		fi
		echo "# --- $name: $secs s"
	done
}

# one DESC CMD...: a single result from CMD's exit status; its output is
# shown when it fails.
one() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok 1 - $desc"
	else
		echo "not ok 1 - $desc"
		sed 's/^/# /' <<<"$out" | tail -n 40
	fi
	return 0
}

# no_warnings DESC CMD...: CMD succeeds and prints no compiler or sparse
# warning.
no_warnings() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && ! grep -qE ': (warning|error):|^WARNING:' <<<"$out"; then
		echo "ok 1 - $desc"
	else
		echo "not ok 1 - $desc"
		grep -E ': (warning|error):|^WARNING:|Error' <<<"$out" | head -n 40 | sed 's/^/# /'
	fi
}

# A copy of the module sources per target kernel, so builds for different
# kernels do not overwrite each other's objects.
modtree() {
	local dir=$cache/build/$1
	mkdir -p "$dir"
	# Build products are neither copied (a build in the source tree must
	# not leak in) nor deleted (each tree keeps its own objects).
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='modules.order' \
		--exclude='Module.symvers' --exclude='.*.d' \
		Kbuild Makefile kmod pm include uapi selftests/splat "$dir/"
	echo "$dir"
}

# Debian's stock 6.1 cloud kernel and the 6.12 headers: found after the
# deps stage, which installs them on a fresh machine.
stock_kver= k612=
find_kernels() {
	stock_kver=$(cd /boot 2>/dev/null && ls vmlinuz-6.1.*-cloud-amd64 2>/dev/null |
		     sort -V | tail -n1 | sed 's/^vmlinuz-//')
	k612=$(ls -d /usr/src/linux-headers-6.12.*-cloud-amd64 2>/dev/null | sort -V | tail -n1)
	stock612_kver=${k612#/usr/src/linux-headers-}
	[ -n "$k612" ] && [ -f "/boot/vmlinuz-$stock612_kver" ] || stock612_kver=
}

deps() {
	one "build and test dependencies present" selftests/install-deps.sh
}

build() {
	local kdir
	one "flowctl and flowctl-net (make -C ctl)" \
		sh -c 'make -C ctl && test -x ctl/flowctl && test -x ctl/flowctl-net'
	one "selftest tools (fs-nlraw, fs-ipfix-relay, fs-tcppat, fs-udpseq)" make -C ctl nlraw
	kdir=$(selftests/vm/build-kernel.sh selftests/vm/debug.config 2>"$logs/kernel-build.log")
	if [ -z "$kdir" ]; then
		echo "not ok 1 - debug test kernel"
		tail -n 30 "$logs/kernel-build.log" | sed 's/^/# /'
		return
	fi
	echo "ok 1 - debug test kernel ($(basename "$kdir"))"
	echo "$kdir" >"$cache/build/debug-kdir"
	local tree
	tree=$(modtree debug)
	no_warnings "modules and KUnit suites for the debug kernel, W=1, no warnings" \
		make -C "$kdir" M="$tree" W=1 modules
	one "splat-injection module for the harness self-test" \
		make -C "$kdir" M="$tree/splat" modules
}

unit() {
	make -C ctl test
	one "make install: flowctl, man page, the exporter's and agent's systemd units" \
		selftests/install-check.sh
}

# A merge that was committed half-resolved leaves its markers behind.
no_conflict_markers() {
	local hits
	hits=$(git grep -n -E '^(<<<<<<<|>>>>>>>)( |$)|^=======$' -- \
	       ':!*.rst' 2>/dev/null; git grep -n -E '^(<<<<<<<|>>>>>>>)( |$)' -- \
	       '*.rst' 2>/dev/null)
	if [ -z "$hits" ]; then
		echo "ok 1 - no merge conflict markers in tracked files"
	else
		echo "not ok 1 - no merge conflict markers in tracked files"
		head -n 20 <<<"$hits" | sed 's/^/# /'
	fi
}

static() {
	local src=$cache/src-6.1-$(dpkg-query -W -f '${Version}' linux-source-6.1)
	local files
	no_conflict_markers
	files=$(git ls-files 'kmod/*.[ch]' 'pm/*.c' 'include/*.h' 'uapi/*.h' \
		'selftests/splat/*.c' 2>/dev/null)
	[ -n "$files" ] || files=$(ls kmod/*.[ch] kmod/tests/*.c pm/*.c include/flowstream/*.h \
		uapi/linux/*.h selftests/splat/*.c)
	# shellcheck disable=SC2086
	one "checkpatch --strict clean" \
		"$src/scripts/checkpatch.pl" --no-tree --strict --quiet --show-types -f $files
	if [ -n "$stock_kver" ]; then
		no_warnings "W=1 and sparse (C=2) against $stock_kver headers" \
			make -C "/usr/src/linux-headers-$stock_kver" M="$(modtree stock61)" W=1 C=2 modules
	else
		echo "not ok 1 - no Debian 6.1 cloud headers installed"
	fi
	if [ -n "$k612" ]; then
		no_warnings "W=1 and sparse (C=2) against $(basename "$k612")" \
			make -C "$k612" M="$(modtree k612)" W=1 C=2 modules
	else
		echo "not ok 1 - no Debian 6.12 headers installed"
	fi
}

spec() {
	selftests/spec-check.sh
}

core_tests=(core_family.sh core_perm.sh core_badinput.sh core_netns.sh core_loadunload.sh)
acct_tests=(acct_counts.sh acct_expiry.sh acct_limit.sh acct_badinput.sh acct_odd.sh)
smp_tests=(smp_counts.sh smp_badinput.sh smp_windows.sh)
exp_tests=(exp_ipfix.sh exp_loss.sh)
fos_tests=(fos_basic.sh fos_limits.sh fos_teardown.sh fos_badinput.sh fos_pms.sh
	   fos_replace_starts.sh)
mig_tests=(mig_badinput.sh mig_move.sh mig_chain.sh mig_faults.sh mig_fos.sh mig_unload.sh)

# debug_vm NAME TESTS...: selftests on the debug kernel, in a VM of their
# own; the first also runs KUnit (-u FILE among the arguments).
# The flood at a size the debug kernel forwards in seconds under
# emulation; full size on the stock kernel. smp_memory with 8 prefixes of
# depth 16 (24 MiB) instead of 256: the VM has 1 GiB and KASAN.
# core_loadunload with 8 unload/load cycles (20 on the stock kernels).
# Without the cases that exercise only userspace (flowctl's options, its
# stream and collector handling) or the kernel paths another case of the
# same test covers here (FS_SKIP_<test>, case_on in lib.sh): an exec costs
# a debug guest some 20 times what it costs a stock one, and the stock
# kernels run every case.
debug_vm() {
	local tree=$cache/build/debug name=$1 args=() t
	shift
	for t in "$@"; do
		case $t in
		-u) args+=(-u "$tree/kmod/flowstream-kunit.ko") ;;
		*) args+=(-t "selftests/$t") ;;
		esac
	done
	selftests/vm/run.sh -k debug -o "$logs/$name" -T 3000 \
		-m "$tree/kmod/flowstream.ko" -e "FS_KO=$tree/kmod/flowstream.ko" \
		-e "FS_PM_DIR=$tree/pm" -e FS_FLOOD_FLOWS=2000 -e FS_FLOOD_LIMIT=512 \
		-e FS_SMP_FLOOD=2000 -e FS_SMP_WINDOWS=0 -e FS_SMP_MEM_DEEP=8 \
		-e FS_FOS_SCALE=10 -e FS_FOS_TCP=262144 -e FS_FOS_FLOOD=1000 \
		-e FS_FOS_SECS=2 -e FS_PMS_SCALE=30 -e FS_FOS_MANY=2000 \
		-e FS_PMS_STARTS=10 -e FS_LOADUNLOAD_CYCLES=8 \
		-e FS_MIG_UNLOAD_PACKETS=30000 \
		-e FS_SKIP_mig_faults=2,3,4,4b,5 -e FS_SKIP_mig_badinput=usage,stream,auth \
		-e FS_SKIP_exp_loss=usage,udp,tcp -e FS_SKIP_mig_fos=differ \
		-e "FS_YNL_DIR=$cache/ynl-6.12" "${args[@]}"
}

# The debug kernel's selftests in two VMs, one per lane: some 30 minutes
# in the first (whose lane starts with the static and dkms stages, so
# fos_badinput runs there), 40 in the second. The exporter is userspace:
# its kernel side (a listener's overrun, exp_loss) runs here, the whole of
# it on the stock kernels. The agent and the balancer are userspace over
# netlink operations the tests here cover: they run on the stock kernels
# only.
vm_debug() {
	debug_vm vm-debug -u "${core_tests[@]}" "${acct_tests[@]}" "${smp_tests[@]}" \
		exp_loss.sh mig_badinput.sh smp_memory.sh acct_flood.sh mig_faults.sh \
		core_ynl.sh fos_badinput.sh
}

vm_debug2() {
	debug_vm vm-debug2 fos_basic.sh fos_limits.sh fos_teardown.sh fos_pms.sh \
		fos_replace_starts.sh mig_move.sh mig_chain.sh mig_fos.sh mig_unload.sh
}

vm_harness() {
	local tree=$cache/build/debug
	selftests/vm/run.sh -k debug -o "$logs/vm-harness" \
		-x 'KASAN:.*use-after-free,circular locking dependency,sleeping function called from invalid context' \
		-t "$tree/splat/splat_inject.sh"
}

# nfdump's threads need libgcc_s, which glibc loads at run time.
libgcc_s() {
	ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ { print $NF; exit }'
}

stock_tests=("${core_tests[@]}" acct_flood.sh acct_odd.sh "${smp_tests[@]}" "${exp_tests[@]}"
	     "${fos_tests[@]}" "${mig_tests[@]}")

# stock_vm KVER KO LOGDIR TESTS...: selftests on Debian's KVER kernel with
# module KO; the PM modules are beside it.
stock_vm() {
	local kver=$1 ko=$2 out=$3 args=() t pm
	shift 3
	for t in "$@"; do
		args+=(-t "selftests/$t")
	done
	for pm in "${ko%/*}"/flowstream-pm-*.ko; do
		args+=(-f "$pm")
	done
	FLOWSTREAM_STOCK_KVER=$kver selftests/vm/run.sh -k stock -o "$out" -T 2400 \
		-K nf_tables -K sch_netem -b "$(command -v nft)" -b "$(command -v trafgen)" \
		-b "$(command -v tc)" -b "$(command -v curl)" \
		-b "$(command -v nfcapd)" -b "$(command -v nfdump)" \
		-f "$(libgcc_s)" \
		-K tun -f /usr/share/openvswitch/vswitch.ovsschema \
		-b "$(command -v ovsdb-tool)" -b "$(command -v ovsdb-server)" \
		-b "$(command -v ovs-vswitchd)" -b "$(command -v ovs-vsctl)" \
		-b "$(command -v ovs-ofctl)" -b "$(command -v ovs-appctl)" \
		-m "$ko" -e "FS_KO=$ko" -e "FS_PM_DIR=${ko%/*}" "${args[@]}"
}

# dkms_install KVER DIR: Debian's KVER kernel as users install flowstream
# on it, through DKMS; the modules are copied to DIR, so that the next
# install (which first removes the module for every kernel) does not take
# them from the VM that uses them. 6.12's DKMS installs them
# xz-compressed, which the initramfs's busybox insmod cannot load: DIR has
# them decompressed.
dkms_install() {
	local kver=$1 dir=$2 m
	one "dkms: build and install for $kver" make dkms-install KVER="$kver"
	rm -rf "$dir"
	mkdir -p "$dir"
	for m in "/lib/modules/$kver/updates/dkms"/flowstream*.ko*; do
		case $m in
		*.xz) xz -dc "$m" >"$dir/$(basename "$m" .xz)" ;;
		*) cp "$m" "$dir/" ;;
		esac
	done
}

# Both stock kernels' DKMS installs, one after the other.
dkms() {
	if [ -n "$stock_kver" ]; then
		dkms_install "$stock_kver" "$cache/build/dkms61"
	else
		echo "not ok 1 - no Debian 6.1 cloud kernel installed"
	fi
	if [ -n "$stock612_kver" ]; then
		dkms_install "$stock612_kver" "$cache/build/dkms612"
	else
		echo "not ok 1 - no Debian 6.12 cloud kernel installed"
	fi
}

# The agent's and the balancer's tests are userspace over sampler
# operations both kernels' tests cover: each runs on one kernel, split so
# that the two lanes take about as long.

# Debian 6.1 with bal_run, and the sampler's memory with 64 possible CPUs.
vm_stock() {
	local ko=$cache/build/dkms61/flowstream.ko
	[ -n "$stock_kver" ] && [ -f "$ko" ] || return 0
	stock_vm "$stock_kver" "$ko" "$logs/vm-stock" "${stock_tests[@]}" bal_run.sh
	vm_stock_cpus "$ko"
}

# Debian 6.12 (what current Debian users run), with agent_http and bal_ovs.
vm_stock612() {
	local ko=$cache/build/dkms612/flowstream.ko
	[ -n "$stock612_kver" ] && [ -f "$ko" ] || return 0
	stock_vm "$stock612_kver" "$ko" "$logs/vm-stock612" "${stock_tests[@]}" \
		agent_http.sh bal_ovs.sh
}

# The prefix sampler's memory at its largest configuration (768 MiB of
# counters: a 2 GiB guest) with 64 possible CPUs on the kernel command line.
vm_stock_cpus() {
	FLOWSTREAM_STOCK_KVER=$stock_kver selftests/vm/run.sh -k stock -o "$logs/vm-stock-cpus" \
		-M 2048 -A possible_cpus=64 -e FS_SMP_POSSIBLE=64 \
		-m "$1" -e "FS_KO=$1" -t selftests/smp_memory.sh
}

stage deps deps
report deps
find_kernels
stage build build
report build
stage unit unit
report unit
# Two lanes of about equal length (the stock VMs emulate on one thread,
# the debug ones on two): the debug kernel's core, accounting, sampler
# and exporter tests beside its FlowOS and migration tests, each followed
# by a stock kernel's VM. CHECK_LANES=1 runs the stages one after the
# other.
if [ "${CHECK_LANES:-2}" -ge 2 ]; then
	echo "# --- two lanes: static, spec, vm-harness, dkms, vm-debug, vm-stock" \
		"beside vm-debug2, vm-stock612"
	{
		stage static static
		stage spec spec
		stage vm-harness vm_harness
		stage dkms dkms
		stage vm-debug vm_debug
		stage vm-stock vm_stock
	} &
	lane=$!
	stage vm-debug2 vm_debug2
	# The 6.12 VM takes the modules the other lane's dkms stage built.
	while [ ! -f "$logs/dkms.status" ] && kill -0 $lane 2>/dev/null; do
		sleep 5
	done
	stage vm-stock612 vm_stock612
	wait $lane
else
	stage static static
	stage spec spec
	stage vm-harness vm_harness
	stage dkms dkms
	stage vm-debug vm_debug
	stage vm-debug2 vm_debug2
	stage vm-stock vm_stock
	stage vm-stock612 vm_stock612
fi
report static spec vm-harness dkms vm-debug vm-debug2 vm-stock vm-stock612

echo "# logs: $logs"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
