#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": flowstream's flow accounting side by side with no module,
# no-op hooks at the same points, ipt_NETFLOW (Debian's
# iptables-netflow-dkms source, built here for the same kernel) and
# nf_conntrack with accounting, and flowstream's prefix sampling side by
# side with no-op hooks, tc's act_sample and nftables' numgen, all in one
# VM run on Debian's stock (non-debug) cloud kernel; and FlowOS (a flow
# without PMs, the count PM) against an NFQUEUE program doing count's job
# in userspace (fs-nfq.c), and the FlowOS classifier's cost with 10, 100
# and 1,000 flows; and with real TCP (fs-tcpbulk.c), FlowOS's tcp stream,
# the match PM and the replace-match-count pipeline against fs-nfq
# scanning payloads and counting; and state migration: flowstream moving
# N flow records from the router namespace to another (flowctl migrate
# send/receive) against conntrackd (FTFW) moving the same flows' N
# conntrack entries between the same two, in states a second.
#
# The guest is instruction-counted (run.sh -I: one vCPU, QEMU -icount
# shift=0,sleep=off): its clock advances 1 ns per instruction executed, so
# its packet rates are instructions per packet, deterministic whatever the
# host does; caches, memory stalls and contention between CPUs are not
# seen (Documentation/testing.rst). Prints instructions per packet and the
# cost over no module at 1,000 and 100,000 flows (the sampling variants at
# 1,000), instructions per hook call, and memory per flow record at
# 1,000,000 records; keeps it in $FLOWSTREAM_CACHE/bench/last.txt, and
# fails if the rounds of any variant disagree by more than 1%
# (bench-report.sh). The guest side is bench-guest.sh.
#
# Environment: BENCH_ROUNDS (default 3) rounds of every accounting
# variant; BENCH_PKTS (default 100000) packets a measurement;
# BENCH_SMP_ROUNDS (default 3) rounds of each sampling block,
# BENCH_SMP_PKTS (default 30000) packets a sampling measurement;
# BENCH_FOS_PKTS (default 50000) packets a FlowOS measurement;
# BENCH_TCP_BYTES (default 16000000, a multiple of 1000) bytes a TCP
# transfer; BENCH_TCP_VARIANTS (default "none fos-tcp fos-match nfq-scan
# fos-pipe nfq-count") and BENCH_TCP_PIPE (rmc: replace, match, count;
# mc: match and count) for the TCP part;
# BENCH_BAL_ARGS: options of bench-balance (ctl/bench/bench_balance.c),
# which runs on the host after the VM part (the one part timed by wall
# clock, not in the VM; "make bench-balance" runs it alone);
# BENCH_PARTS (default "main smp mem fos fostcp fosmem mig"): which parts
# to run (accounting rounds, sampling blocks, memory, FlowOS, FlowOS with
# TCP, FlowOS memory and threads, state migration; the FlowOS and mig
# parts have BENCH_ROUNDS rounds); BENCH_MIG_STATES (default "1000
# 10000"; 100000 and 1000000 too): the mig part's state counts;
# BENCH_VARIANTS (default "none noop flowstream netflow
# conntrack"): the variants of the accounting rounds.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
cache=${FLOWSTREAM_CACHE:-$HOME/.cache/flowstream}
export FLOWSTREAM_CACHE=$cache
rounds=${BENCH_ROUNDS:-3}
smp_rounds=${BENCH_SMP_ROUNDS:-3}
smp_pkts=${BENCH_SMP_PKTS:-30000}
fos_pkts=${BENCH_FOS_PKTS:-50000}
tcp_bytes=${BENCH_TCP_BYTES:-16000000}
pkts=${BENCH_PKTS:-100000}
mem=2048
# First: on a fresh machine this installs the stock kernel looked for next.
selftests/install-deps.sh
kver=${FLOWSTREAM_STOCK_KVER:-$(cd /boot && ls vmlinuz-6.1.*-cloud-amd64 2>/dev/null |
				sort -V | tail -n1 | sed 's/^vmlinuz-//')}
[ -n "$kver" ] || { echo "bench: no stock 6.1 cloud kernel in /boot" >&2; exit 1; }
kdir=/usr/src/linux-headers-$kver
xtlib=/usr/lib/x86_64-linux-gnu/xtables
bdir=$cache/build/bench
out=$cache/bench
mkdir -p "$bdir" "$out"

say() { echo "bench: $*" >&2; }

# ipt_NETFLOW: the source and the iptables extension from Debian's package,
# unpacked here. Installing the package would run DKMS for every kernel
# with headers, and its build fails for 6.12, which leaves the package
# half-configured and apt unusable.
nfpkg=$out/pkg
if [ ! -f "$nfpkg/root/usr/lib/x86_64-linux-gnu/xtables/libipt_NETFLOW.so" ]; then
	say "fetching iptables-netflow-dkms"
	rm -rf "$nfpkg"
	mkdir -p "$nfpkg"
	(cd "$nfpkg" && { apt-get download -q iptables-netflow-dkms 2>/dev/null ||
			  { apt-get update -q >/dev/null && apt-get download -q iptables-netflow-dkms; }; })
	dpkg-deb -x "$nfpkg"/iptables-netflow-dkms_*.deb "$nfpkg/root"
fi
nfsrc=$(ls -d "$nfpkg"/root/usr/src/ipt-netflow-* | sort -V | tail -n1)

say "building flowctl, flowstream and ipt_NETFLOW for $kver"
make -s -C ctl >/dev/null
make -s -C ctl nlraw >/dev/null	# the initramfs carries fs-nlraw
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='modules.order' \
	--exclude='Module.symvers' --exclude='.*.d' \
	Kbuild Makefile kmod pm include uapi "$bdir/flowstream/"
make -s -C "$kdir" M="$bdir/flowstream" modules >"$out/build-flowstream.log" 2>&1 ||
	{ tail -n 20 "$out/build-flowstream.log" >&2; exit 1; }
fsko=$bdir/flowstream/kmod/flowstream.ko
# benchmod NAME: build the one-file module selftests/bench/fs-NAME.c for
# the bench's kernel in $bdir/NAME.
benchmod() {
	mkdir -p "$bdir/$1"
	cp "$here/fs-$1.c" "$bdir/$1/"
	echo "obj-m := fs-$1.o" >"$bdir/$1/Kbuild"
	make -s -C "$kdir" M="$bdir/$1" modules >"$out/build-$1.log" 2>&1 ||
		{ tail -n 20 "$out/build-$1.log" >&2; exit 1; }
}
# fs-hookbench times single hook calls (see its source); fs-nophook
# registers hooks that do nothing where flowstream's sit.
benchmod hookbench
hbko=$bdir/hookbench/fs-hookbench.ko
benchmod nophook
nhko=$bdir/nophook/fs-nophook.ko

# bench-prefixes adds the sampler's 10,000 prefixes over one socket; a
# flowctl process each would take minutes under emulation.
read -ra mnl_cflags <<<"$(pkg-config --cflags libmnl)"
read -ra mnl_libs <<<"$(pkg-config --libs libmnl)"
cc -I uapi -I ctl "${mnl_cflags[@]}" -Wall -Wextra -Werror -O2 \
	-o "$bdir/bench-prefixes" "$here/bench-prefixes.c" ctl/nl.c ctl/parse.c \
	"${mnl_libs[@]}"
# bench-flows adds the classifier rows' 1,000 FlowOS flows the same way;
# fs-nfq is the NFQUEUE program of the nfq rows (libnetfilter_queue).
cc -I uapi -I ctl "${mnl_cflags[@]}" -Wall -Wextra -Werror -O2 \
	-o "$bdir/bench-flows" "$here/bench-flows.c" ctl/nl.c ctl/parse.c \
	"${mnl_libs[@]}"
read -ra nfq_cflags <<<"$(pkg-config --cflags libmnl libnetfilter_queue)"
read -ra nfq_libs <<<"$(pkg-config --libs libmnl libnetfilter_queue)"
cc "${nfq_cflags[@]}" -Wall -Wextra -Werror -O2 -o "$bdir/fs-nfq" "$here/fs-nfq.c" \
	"${nfq_libs[@]}"
# fs-tcpbulk: both ends of the fostcp part's TCP transfer.
cc -Wall -Wextra -Werror -O2 -o "$bdir/fs-tcpbulk" "$here/fs-tcpbulk.c"

# The same configure options as the package's dkms.conf.
nfb=$bdir/ipt-netflow
if [ ! -f "$nfb/ipt_NETFLOW.ko" ] || [ "$(cat "$nfb/.from" 2>/dev/null)" != "$nfsrc $kver" ]; then
	rm -rf "$nfb"
	cp -r "$nfsrc" "$nfb"
	(cd "$nfb" && ./configure --kver="$kver" --kdir="$kdir" \
		--ipt-bin=/usr/sbin/iptables-legacy --enable-natevents \
		--enable-snmp-rules --enable-macaddress --enable-vlan \
		--enable-direction --enable-sampler --enable-physdev --enable-promisc \
		--promisc-mpls --disable-snmp-agent --disable-dkms &&
	 make ipt_NETFLOW.ko) >"$out/build-ipt-netflow.log" 2>&1 ||
		{ tail -n 20 "$out/build-ipt-netflow.log" >&2; exit 1; }
	echo "$nfsrc $kver" >"$nfb/.from"
fi
nfko=$nfb/ipt_NETFLOW.ko

mods() { selftests/vm/initramfs.sh -k "$kver" -l "$@"; }
pktgen_ko=$(mods pktgen | tail -n1)
xt_kos=$(mods iptable_filter | tr '\n' ' ')
ct_all=$(mods nf_conntrack)
ct_ko=$(tail -n1 <<<"$ct_all")
ct_kos=$(sed '$d' <<<"$ct_all" | tr '\n' ' ')
# ctnetlink, for conntrackd in the mig part
ctnl_kos=$(mods nf_conntrack_netlink | tr '\n' ' ')
# tc sample (psample comes with act_sample) and nftables' numgen, loaded
# and unloaded by the guest around their variants.
tc_kos=$(mods act_sample cls_matchall sch_ingress | tr '\n' ' ')
nft_kos=$(mods nft_numgen | tr '\n' ' ')
# NFQUEUE from nftables: "queue" and the netlink queue behind it.
nfq_kos=$(mods nft_queue nfnetlink_queue | tr '\n' ' ')
pm_count_ko=$bdir/flowstream/pm/flowstream-pm-count.ko
pm_match_ko=$bdir/flowstream/pm/flowstream-pm-match.ko
pm_replace_ko=$bdir/flowstream/pm/flowstream-pm-replace.ko

conf=$out/bench.conf
cat >"$conf" <<EOF
FS_KO=$fsko
FLOWCTL=$repo/ctl/flowctl
NETFLOW_KO=$nfko
PKTGEN_KO=$pktgen_ko
XT_KOS="$xt_kos"
CONNTRACK_KO=$ct_ko
CT_KOS="$ct_kos"
CTNL_KOS="$ctnl_kos"
BENCH_MIG_STATES="${BENCH_MIG_STATES:-1000 10000}"
TC_KOS="$tc_kos"
NFT_KOS="$nft_kos"
BENCH_PREFIXES=$bdir/bench-prefixes
BENCH_FLOWS=$bdir/bench-flows
NFQ=$bdir/fs-nfq
NFQ_KOS="$nfq_kos"
NFQ_PATTERN=flowstream-bench
PM_COUNT_KO=$pm_count_ko
PM_MATCH_KO=$pm_match_ko
PM_REPLACE_KO=$pm_replace_ko
TCPBULK=$bdir/fs-tcpbulk
TCP_BYTES=$tcp_bytes
TCP_PERIOD=1000
TCP_REPLACE=FLOWSTREAM-BENCH
BENCH_TCP_PIPE=${BENCH_TCP_PIPE:-rmc}
BENCH_TCP_VARIANTS="${BENCH_TCP_VARIANTS:-none fos-tcp fos-match nfq-scan fos-pipe nfq-count}"
HOOKBENCH_KO=$hbko
NOPHOOK_KO=$nhko
XTABLES_LIBDIR=$xtlib:$nfpkg/root$xtlib
MAX_RECORDS=1048576
PKTS=$pkts
BENCH_ROUNDS=$rounds
BENCH_SMP_ROUNDS=$smp_rounds
BENCH_SMP_PKTS=$smp_pkts
BENCH_FOS_PKTS=$fos_pkts
BENCH_PARTS="${BENCH_PARTS:-main smp mem fos fostcp fosmem mig}"
BENCH_DIAG=${BENCH_DIAG:-0}
BENCH_VARIANTS="${BENCH_VARIANTS:-none noop flowstream netflow conntrack}"
EOF

files=(-f "$conf" -f "$fsko" -f "$hbko" -f "$nhko" -f "$nfko" -f "$nfpkg/root$xtlib/libipt_NETFLOW.so"
       -f "$xtlib/libxt_standard.so" -f /etc/protocols -f "$pm_count_ko" -f "$pm_match_ko" -f "$pm_replace_ko")
for ko in $pktgen_ko $xt_kos $ct_kos $ct_ko $ctnl_kos $tc_kos $nft_kos $nfq_kos; do
	files+=(-f "$ko")
done

say "booting $kver (instruction-counted: one vCPU, QEMU -icount, $mem MiB); $rounds rounds, $smp_rounds of sampling"
t0=$SECONDS
rc=0
selftests/vm/run.sh -k stock -I -M "$mem" -T 5400 -o "$out/run" \
	-e "BENCH_CONF=$conf" -e FS_TEST_TIMEOUT=5000 \
	-b /usr/sbin/iptables-legacy -b "$(command -v tc)" -b "$(command -v nft)" \
	-b "$bdir/bench-prefixes" -b "$bdir/bench-flows" -b "$bdir/fs-nfq" \
	-b "$bdir/fs-tcpbulk" -b "$(command -v conntrackd)" -b "$(command -v conntrack)" \
	"${files[@]}" \
	-t "$here/bench-guest.sh" >"$out/run.tap" || rc=$?
secs=$((SECONDS - t0))

tr -d '\r' <"$out/run/results.log" | sed -n 's/^S bench //p' >"$out/raw.txt"

agree=0
{
	echo "flowstream benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git describe --always --dirty)"
	echo "kernel $kver (Debian stock, non-debug) in QEMU TCG, instruction-counted"
	echo "(-icount shift=0,sleep=off: one vCPU, guest time = instructions executed), $mem MiB"
	echo "pktgen 64-byte UDP -> router namespace (forwarding) -> sink, $pkts packets a measurement"
	echo
	selftests/bench/bench-report.sh "$out/raw.txt" || agree=$?
	echo
	echo "off-P: flowstream loaded, sampler and accounting off (no hooks), P prefixes;"
	echo "smp-rR-P: its sampler, random mode, keyed by source, 1 in R (16M: 2^24,"
	echo "practically nothing) over P /24 prefixes of depth 4, the traffic in the"
	echo "first; acct-1k: accounting on, sampler off; noop-smp: fs-nophook.ko's no-op"
	echo "hooks where the sampler's sit (PRE_ROUTING, -500); tc-off: act_sample loaded,"
	echo "no qdisc; tc-sample: ingress matchall, act_sample rate 100 to a psample"
	echo "group nobody reads; nft-off: nf_tables loaded, no table; nft-numgen:"
	echo "prerouting priority -500, 'numgen random mod 100 0 counter'. noop (main"
	echo "rounds): no-op hooks where accounting's sit (LOCAL_IN, POST_ROUTING, last)."
	echo "VM run: $secs s of host time."
} >"$out/last.txt"

# The balancer's algorithm alone (ctl/bench/bench-balance), on the host
# after the VM: wall time, not instructions. Its table and target lines
# go to last.txt, each run's raw line to bench/balance-raw.txt.
say "bench-balance: the prefix load balancer's algorithm on the host"
read -ra balargs <<<"${BENCH_BAL_ARGS:-}"
balrc=0
{
	echo
	echo
	make -s -C ctl bench-balance >/dev/null &&
		ctl/bench/bench-balance -r "$out/balance-raw.txt" "${balargs[@]}"
} >>"$out/last.txt" 2>&1 || balrc=$?

cat "$out/last.txt"
if [ $rc -ne 0 ]; then
	echo
	echo "bench: the VM run reported problems ($out/run.tap):"
	grep -E '^not ok|^# ' "$out/run.tap" | grep -v '# diag:' | head -n 40 || true
	exit 1
fi
if [ $agree -ne 0 ]; then
	echo "bench: the rounds of some variant disagree by more than 1%: see above" >&2
	exit 1
fi
if [ $balrc -ne 0 ]; then
	echo "bench: bench-balance failed: see above" >&2
	exit 1
fi
