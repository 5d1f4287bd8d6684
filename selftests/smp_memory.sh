#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The prefix sampler's memory does not grow with the number of CPUs, and
# what it reports is exactly the formula of Documentation/sampler.rst:
#
#   72 (P + 1) + 48 (C + 1) + 64 N + kept
#
# for P prefixes of C counters in all, N tree nodes (2P - 1 for P disjoint
# prefixes of one family) and the kept window's snapshot,
# kept = A(144) + A(64 P') + A(24 C') for the P' prefixes and C' counters it
# holds, A(n) being what kzalloc (up to a page: the kmalloc size class) or
# vzalloc (whole pages) takes for n bytes.
#
# 1. An empty sampler, then one prefix of each depth 0 to 16 (every slab
#    cache of counters and the vmalloc'ed ones), a kept window and its
#    acknowledgment: flowctl sampler show and the change of sysfs
#    smp_memory against the formula, exactly.
# 2. The largest configuration: max-counters 16777216 (2^24, its highest
#    value) filled with 256 prefixes of depth 16. Reported as the formula
#    says; measured: the pages /proc/vmallocinfo lists for flowstream's
#    counters are exactly the counters' bytes, VmallocUsed, Slab, Percpu and
#    MemFree of /proc/meminfo move by that (vmalloc's page arrays and
#    slab noise aside) and come back when the prefixes go.
#
# The guest should have many possible CPUs (possible_cpus=64 on the kernel
# command line): FS_SMP_POSSIBLE=N makes the test check that it has N.
# FS_SMP_MEM_DEEP (default 256) is the number of depth-16 prefixes of part
# 2, 3 MiB each: 768 MiB at 256, so the guest needs about 1.5 GiB (run.sh
# -M 2048); the debug kernel's VM, 1 GiB with KASAN, runs it with fewer.
source "$(dirname "$0")/lib.sh"
fs_require_module

deep=${FS_SMP_MEM_DEEP:-256}
par=/sys/module/flowstream/parameters
ns_add fsm || skip_all "cannot create a network namespace"
fc() { $FLOWCTL -n fsm "$@"; }

# Possible CPUs: "0-63" or "0,2-5" and so on.
possible=$(tr ',' '\n' </sys/devices/system/cpu/possible |
	   awk -F- '{ n += ($2 == "" ? 1 : $2 - $1 + 1) } END { print n }')
diag "possible CPUs: $possible ($(cat /sys/devices/system/cpu/possible)), online: $(cat /sys/devices/system/cpu/online)"
if [ -n "${FS_SMP_POSSIBLE:-}" ]; then
	check_eq "the kernel took possible_cpus=$FS_SMP_POSSIBLE" "$FS_SMP_POSSIBLE" "$possible"
fi

# A(n): bytes kzalloc (n <= 4096) or vzalloc (n > 4096) takes for n.
alloc() {
	local n=$1 c
	if [ "$n" -gt 4096 ]; then
		echo $(((n + 4095) / 4096 * 4096))
		return
	fi
	for c in 8 16 32 64 96 128 192 256 512 1024 2048 4096; do
		[ "$n" -le $c ] && { echo $c; return; }
	done
}
formula() {	# P C N KEPT
	echo $((72 * ($1 + 1) + 48 * ($2 + 1) + 64 * $3 + $4))
}
kept_mem() {	# P C: a kept window of P prefixes, C counters
	local p=$1 c=$2
	[ "$p" -ge 1 ] || p=1
	[ "$c" -ge 1 ] || c=1
	echo $(($(alloc 144) + $(alloc $((64 * p))) + $(alloc $((24 * c)))))
}
mem() { fc -j sampler show | jq .memory; }
sysmem() { cat $par/smp_memory; }
meminfo() {	# FIELD: its value in bytes
	awk -v f="$1:" '$1 == f { print $2 * 1024 }' /proc/meminfo
}
# Bytes of the pages /proc/vmallocinfo lists for flowstream's counters.
vm_counters() {
	awk '/\[flowstream\]/ && /fs_smp/ {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^pages=/) { sub("pages=", "", $i); n += $i }
	} END { print n * 4096 }' /proc/vmallocinfo
}

# 1. Exactly the formula.
sys0=$(sysmem)
check_eq "an empty sampler: 72 + 48 bytes" "$(formula 0 0 0 0)" "$(mem)"
for d in $(seq 0 16); do
	fc prefix add "10.$d.0.0/16" depth "$d" || not_ok "add 10.$d.0.0/16 depth $d"
done
c=$(((1 << 17) - 1))
check_eq "one prefix of each depth 0..16: 17 prefixes, $c counters" "17 $c" \
	"$(fc -j sampler show | jq -r '"\(.prefixes) \(.counters)"')"
want=$(formula 17 $c 33 0)
check_eq "memory is the formula ($want)" "$want" "$(mem)"
check_eq "sysfs smp_memory grew by as much" $((want - $(formula 0 0 0 0))) $(($(sysmem) - sys0))
check "turn sampling on" fc sampler set enable on rate 10
win=$(fc -j sampler show | jq .window)
reset() { fc prefixes --reset >/dev/null; }
check "read and reset window $win" reset
kept=$(kept_mem 17 $c)
check_eq "the kept window $win is counted: + $kept" "$win $((want + kept))" \
	"$(fc -j sampler show | jq -r '"\(.kept_window) \(.memory)"')"
check_eq "sysfs too" $((want + kept - $(formula 0 0 0 0))) $(($(sysmem) - sys0))
check "acknowledge window $win" fc prefixes ack "$win"
check_eq "no window kept, its memory given back" "0 $want" \
	"$(fc -j sampler show | jq -r '"\(.kept_window) \(.memory)"')"
check "sampling off" fc sampler set enable off
for d in $(seq 0 16); do
	fc prefix del "10.$d.0.0/16" || not_ok "del 10.$d.0.0/16"
done
check_eq "every prefix gone: back to 120 bytes" "$(formula 0 0 0 0)" "$(mem)"
check_eq "sysfs smp_memory back where it was" "$sys0" "$(sysmem)"

# 2. The largest configuration.
check "max-prefixes 1048576, max-counters 16777216 (the highest allowed)" \
	fc sampler set max-prefixes 1048576 max-counters 16777216
c=$((deep * 65536))
want=$(formula "$deep" "$c" $((2 * deep - 1)) 0)
need=$((want + 256 * 1024 * 1024))
if [ "$(meminfo MemAvailable)" -lt "$need" ]; then
	not_ok "the guest has $(($(meminfo MemAvailable) >> 20)) MiB available, $((need >> 20)) needed: give it more (run.sh -M) or fewer prefixes (FS_SMP_MEM_DEEP)"
	tap_done
fi
sleep 1
vm0=$(meminfo VmallocUsed) slab0=$(meminfo Slab) pcpu0=$(meminfo Percpu)
free0=$(meminfo MemFree) vc0=$(vm_counters) sys0=$(sysmem)
added=0
for i in $(seq 0 $((deep - 1))); do
	fc prefix add "10.$i.0.0/16" depth 16 || break
	added=$((added + 1))
done
check_eq "$deep prefixes of depth 16 added" "$deep" "$added"
check_eq "$c counters in use" "$deep $c" \
	"$(fc -j sampler show | jq -r '"\(.prefixes) \(.counters)"')"
if [ "$deep" = 256 ]; then
	out=$(fc prefix add 11.0.0.0/8 2>&1)
	check_eq "not one counter more" \
		"Error: flowstream: max-counters 16777216 reached: 16777216 in use, 1 more needed" "$out"
fi
got=$(mem)
diag "reported: $got bytes ($((got >> 20)) MiB) for $possible possible CPUs; 48 bytes x $possible CPUs per counter would have been $((48 * possible * c >> 20)) MiB"
check_eq "memory is the formula ($want)" "$want" "$got"
check_eq "sysfs smp_memory grew by as much" $((want - $(formula 0 0 0 0))) $(($(sysmem) - sys0))
vm1=$(meminfo VmallocUsed) slab1=$(meminfo Slab) pcpu1=$(meminfo Percpu)
free1=$(meminfo MemFree) vc1=$(vm_counters)
dvm=$((vm1 - vm0)) dslab=$((slab1 - slab0)) dpcpu=$((pcpu1 - pcpu0))
dfree=$((free0 - free1))
diag "measured: vmallocinfo counters +$((vc1 - vc0)), VmallocUsed +$dvm, Slab +$dslab, Percpu +$dpcpu, MemFree -$dfree"
# vmalloc keeps an array of page pointers per area, 768 x 8 bytes for 3
# MiB: vmalloc'ed itself (two pages, listed with the same caller) when
# over a page. That is vmalloc's bookkeeping, not in the reported figure.
check_eq "vmallocinfo: flowstream's counters take exactly $deep x 3 MiB (and 8 KiB of page array each)" \
	$((c * 48 + deep * 8192)) $((vc1 - vc0))
check "VmallocUsed grew by as much, 1 MiB of others' at most (+$dvm)" \
	test "$dvm" -ge $((c * 48 + deep * 8192)) -a "$dvm" -le $((c * 48 + deep * 8192 + (1 << 20)))
check "Slab grew by less than 4 MiB (+$dslab)" test "$dslab" -lt $((4 << 20))
check "nothing per CPU: Percpu grew by less than 64 KiB (+$dpcpu)" test "$dpcpu" -lt 65536
# Free pages cached per CPU are not in MemFree, and go first.
check "MemFree fell by the reported memory, within 2% and 32 MiB (-$dfree)" \
	test "$dfree" -ge $((want * 98 / 100 - (32 << 20))) -a "$dfree" -le $((want * 102 / 100 + (32 << 20)))
for i in $(seq 0 $((deep - 1))); do
	fc prefix del "10.$i.0.0/16" || break
done
check_eq "every prefix gone: back to 120 bytes" "$(formula 0 0 0 0)" "$(mem)"
check_eq "sysfs smp_memory back where it was" "$sys0" "$(sysmem)"
# Prefixes are freed after a grace period.
for _ in $(seq 50); do
	[ "$(vm_counters)" = "$vc0" ] && break
	sleep 0.1
done
check_eq "vmallocinfo: the counters are gone" "$vc0" "$(vm_counters)"
check "VmallocUsed came back (within 1 MiB)" \
	test $(($(meminfo VmallocUsed) - vm0)) -lt $((1 << 20))
tap_done
