#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": flowstream's flow accounting side by side with no module,
# ipt_NETFLOW (Debian's iptables-netflow-dkms source, built here for the
# same kernel) and nf_conntrack with accounting, and flowstream's prefix
# sampling side by side with tc's act_sample and nftables' numgen, all in
# one VM run on Debian's stock (non-debug) cloud kernel. Prints a table of
# packets per second and per-packet cost over no module at 1,000 and
# 100,000 flows (the sampling variants at 1,000), and of memory per flow
# record at 1,000,000 records; keeps it in $FLOWSTREAM_CACHE/bench/last.txt.
# The guest side is bench-guest.sh.
#
# Environment: BENCH_ROUNDS (default 3) rounds of every accounting variant,
# the best and the median reported; BENCH_PKTS (default 100000) packets a
# measurement; BENCH_SMP_ROUNDS (default 6) rounds of each sampling block,
# BENCH_SMP_PKTS (default 30000) packets a sampling measurement.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
cache=${FLOWSTREAM_CACHE:-$HOME/.cache/flowstream}
export FLOWSTREAM_CACHE=$cache
# Three rounds, not five, since the sampling blocks came (84 short
# measurements, about nine minutes of their own under emulation, most of
# it the tools each measurement runs): the run should stay within 20
# minutes.
rounds=${BENCH_ROUNDS:-3}
smp_rounds=${BENCH_SMP_ROUNDS:-6}
smp_pkts=${BENCH_SMP_PKTS:-30000}
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
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='modules.order' \
	--exclude='Module.symvers' --exclude='.*.d' \
	Kbuild Makefile kmod uapi "$bdir/flowstream/"
make -s -C "$kdir" M="$bdir/flowstream" modules >"$out/build-flowstream.log" 2>&1 ||
	{ tail -n 20 "$out/build-flowstream.log" >&2; exit 1; }
fsko=$bdir/flowstream/kmod/flowstream.ko
# fs-hookbench times single hook calls (see its source).
mkdir -p "$bdir/hookbench"
cp "$here/fs-hookbench.c" "$bdir/hookbench/"
echo 'obj-m := fs-hookbench.o' >"$bdir/hookbench/Kbuild"
make -s -C "$kdir" M="$bdir/hookbench" modules >"$out/build-hookbench.log" 2>&1 ||
	{ tail -n 20 "$out/build-hookbench.log" >&2; exit 1; }
hbko=$bdir/hookbench/fs-hookbench.ko

# bench-prefixes adds the sampler's 10,000 prefixes over one socket; a
# flowctl process each would take minutes under emulation.
read -ra mnl_cflags <<<"$(pkg-config --cflags libmnl)"
read -ra mnl_libs <<<"$(pkg-config --libs libmnl)"
cc -I uapi -I ctl "${mnl_cflags[@]}" -Wall -Wextra -Werror -O2 \
	-o "$bdir/bench-prefixes" "$here/bench-prefixes.c" ctl/nl.c ctl/parse.c \
	"${mnl_libs[@]}"

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
# tc sample (psample comes with act_sample) and nftables' numgen, loaded
# and unloaded by the guest around their variants.
tc_kos=$(mods act_sample cls_matchall sch_ingress | tr '\n' ' ')
nft_kos=$(mods nft_numgen | tr '\n' ' ')

conf=$out/bench.conf
cat >"$conf" <<EOF
FS_KO=$fsko
FLOWCTL=$repo/ctl/flowctl
NETFLOW_KO=$nfko
PKTGEN_KO=$pktgen_ko
XT_KOS="$xt_kos"
CONNTRACK_KO=$ct_ko
CT_KOS="$ct_kos"
TC_KOS="$tc_kos"
NFT_KOS="$nft_kos"
BENCH_PREFIXES=$bdir/bench-prefixes
HOOKBENCH_KO=$hbko
XTABLES_LIBDIR=$xtlib:$nfpkg/root$xtlib
MAX_RECORDS=1048576
PKTS=$pkts
BENCH_ROUNDS=$rounds
BENCH_SMP_ROUNDS=$smp_rounds
BENCH_SMP_PKTS=$smp_pkts
EOF

files=(-f "$conf" -f "$fsko" -f "$hbko" -f "$nfko" -f "$nfpkg/root$xtlib/libipt_NETFLOW.so"
       -f "$xtlib/libxt_standard.so")
for ko in $pktgen_ko $xt_kos $ct_kos $ct_ko $tc_kos $nft_kos; do
	files+=(-f "$ko")
done

# Other QEMU processes (another VM) on the host during the run, sampled
# every 5 s: they compete for the two host cores and slow a run down.
sample_host() {
	while sleep 5; do
		echo "$(pgrep -af '^qemu-system' | grep -vc -- "$out/run/") $(cut -d' ' -f1 /proc/loadavg)"
	done
}
sample_host >"$out/host.txt" &
sampler=$!
trap 'kill "$sampler" 2>/dev/null || true' EXIT
say "booting $kver (2 vCPUs on one TCG thread, $mem MiB); $rounds rounds, $smp_rounds of sampling, about 19 minutes"
t0=$SECONDS
rc=0
selftests/vm/run.sh -k stock -M "$mem" -T 5400 -o "$out/run" \
	-e "BENCH_CONF=$conf" -e FS_TEST_TIMEOUT=5000 \
	-b /usr/sbin/iptables-legacy -b "$(command -v tc)" -b "$(command -v nft)" \
	-b "$bdir/bench-prefixes" "${files[@]}" \
	-t "$here/bench-guest.sh" >"$out/run.tap" || rc=$?
secs=$((SECONDS - t0))
host=$(awk '{ n++; if ($1 > 0) busy++; if ($1 > q) q = $1; l += $2 }
	END { printf "another VM running in %d of %d samples (at most %d), mean load %.2f",
	      busy, n, q, n ? l / n : 0 }' "$out/host.txt")

tr -d '\r' <"$out/run/results.log" | sed -n 's/^S bench //p' >"$out/raw.txt"

# The table, from the guest's raw lines.
{
	echo "flowstream benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(git describe --always --dirty)"
	echo "kernel $kver (Debian stock, non-debug) in QEMU TCG (one thread, 2 vCPUs, $mem MiB)"
	echo "pktgen 64-byte UDP -> router namespace (forwarding) -> sink, $pkts packets a measurement"
	echo "host (2 cores) during the run: $host"
	echo
	# Best and median of each variant's rounds against those of none;
	# "paired": in each round the variant against that round's none,
	# the median and the range over rounds (a slow stretch of the host
	# moves both alike, so this is the steadier figure).
	awk -v rounds="$rounds" '
	$1 == "pps" {
		k = $2 " " $3; v[k] = v[k] " " $5; r[k, $4] = $5
		if (!($4 in rseen)) { rseen[$4] = 1; rorder[nr++] = $4 }
		if (!($2 in seen)) { seen[$2] = 1; order[nv++] = $2 }
		if (!($3 in fseen)) { fseen[$3] = 1; forder[nf++] = $3 }
	}
	function sort(s, a,   n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n
	}
	function best(s,   a, n) { n = sort(s, a); return a[n] }
	function median(s,   a, n) { n = sort(s, a); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	function lowest(s,   a, n) { n = sort(s, a); return a[1] }
	function meet(c) { return c ? "met" : "NOT met" }
	END {
		printf "%-12s %6s | %8s %7s %8s | %8s %8s | %-21s | %s\n", "", "", "best", "", "", "median", "", "paired +ns/pkt", "pps in each round"
		printf "%-12s %6s | %8s %7s %8s | %8s %8s | %6s %14s |\n", "variant", "flows", "pps", "ns/pkt", "+ns/pkt", "pps", "+ns/pkt", "median", "[min, max]"
		for (f = 0; f < nf; f++) {
			bb = best(v["none " forder[f]]); bm = median(v["none " forder[f]])
			for (i = 0; i < nv; i++) {
				k = order[i] " " forder[f]
				if (!(k in v)) continue
				p = best(v[k]); m = median(v[k])
				cb[k] = 1e9 / p - 1e9 / bb; cm[k] = 1e9 / m - 1e9 / bm
				d = ""
				for (j = 0; j < nr; j++) {
					rn = rorder[j]
					if (((k, rn) in r) && (("none " forder[f], rn) in r))
						d = d " " (1e9 / r[k, rn] - 1e9 / r["none " forder[f], rn])
				}
				cp[k] = median(d)
				ob = order[i] == "none" ? "-" : sprintf("%+.0f", cb[k])
				om = order[i] == "none" ? "-" : sprintf("%+.0f", cm[k])
				op = order[i] == "none" ? "-" : sprintf("%+.0f", cp[k])
				rg = order[i] == "none" ? "" : sprintf("[%+.0f, %+.0f]", lowest(d), best(d))
				printf "%-12s %6d | %8.0f %7.0f %8s | %8.0f %8s | %6s %14s |%s\n", order[i], forder[f], p, 1e9 / p, ob, m, om, op, rg, v[k]
			}
		}
		printf "\n+ns/pkt: per-packet cost over no module. Best: the fastest of %d rounds\n", rounds
		printf "(interference from the host only slows a run down); median beside it;\n"
		printf "paired: each round against the same round of none, median and range.\n\n"
		for (f = 0; f < nf; f++) {
			k = forder[f]
			if (!(("netflow " k) in v)) continue
			printf "target, %d flows: flowstream %+.0f <= ipt_NETFLOW %+.0f ns/pkt (best): %s; median %+.0f <= %+.0f: %s\n",
				k, cb["flowstream " k], cb["netflow " k], meet(cb["flowstream " k] <= cb["netflow " k]),
				cm["flowstream " k], cm["netflow " k], meet(cm["flowstream " k] <= cm["netflow " k])
		}
	}' "$out/raw.txt"
	echo
	echo
	# Sampling: every measurement against its block's baseline in the
	# same round of the block; the median and range of those differences.
	echo "sampling at 1,000 flows, $smp_pkts packets a measurement, $smp_rounds rounds a block;"
	echo "each variant against the baseline measured in the same round of its block"
	awk -v acct="$(awk '$1 == "pps" && $3 == 1000 && ($2 == "none" || $2 == "flowstream") { print $2, $4, $5 }' "$out/raw.txt" | tr '\n' ' ')" '
	function sort(s, a,   n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n
	}
	function median(s,   a, n) { n = sort(s, a); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	function lowest(s,   a, n) { n = sort(s, a); return a[1] }
	function highest(s,   a, n) { n = sort(s, a); return a[n] }
	function meet(c) { return c ? "met" : "NOT met" }
	$1 == "smp" {
		v[$2] = v[$2] " " $5; pps[$2, $4] = $5; base[$2] = $3
		if (!($2 in seen)) { seen[$2] = 1; order[nv++] = $2 }
	}
	END {
		printf "%-13s %-8s | %8s %8s %7s | %-24s | %s\n", "", "", "best", "median", "", "+ns/pkt over baseline", "pps in each round"
		printf "%-13s %-8s | %8s %8s %7s | %6s %17s |\n", "variant", "baseline", "pps", "pps", "ns/pkt", "median", "[min, max]"
		for (i = 0; i < nv; i++) {
			k = order[i]; d = ""
			if (base[k] != "-")
				for (j = 1; (k, j) in pps; j++)
					if ((base[k], j) in pps)
						d = d " " (1e9 / pps[k, j] - 1e9 / pps[base[k], j])
			c[k] = median(d)
			m = median(v[k])
			if (base[k] == "-")
				printf "%-13s %-8s | %8.0f %8.0f %7.0f | %6s %17s |%s\n", k, "-", highest(v[k]), m, 1e9 / m, "-", "", v[k]
			else
				printf "%-13s %-8s | %8.0f %8.0f %7.0f | %+6.0f %17s |%s\n", k, base[k], highest(v[k]), m, 1e9 / m, c[k],
					sprintf("[%+.0f, %+.0f]", lowest(d), highest(d)), v[k]
		}
		# Accounting from the main rounds too: flowstream against none, paired by round.
		n = split(acct, a, " "); d = ""
		for (j = 1; j + 2 <= n; j += 3) p[a[j], a[j + 1]] = a[j + 2]
		for (j = 1; ("none", j) in p; j++)
			if (("flowstream", j) in p) d = d " " (1e9 / p["flowstream", j] - 1e9 / p["none", j])
		ma = median(d)
		printf "\n(main rounds, 1,000 flows: flowstream accounting %+.0f ns/pkt over none, median of rounds paired)\n\n", ma
		if (("smp-r100-1k" in c) && ("tc-sample" in c))
			printf "target, sampling 1 in 100: flowstream over 1,000 prefixes %+.0f <= tc sample %+.0f ns/pkt: %s\n",
				c["smp-r100-1k"], c["tc-sample"], meet(c["smp-r100-1k"] <= c["tc-sample"])
		if (("smp-r16M-1k" in c) && ("acct-1k" in c))
			printf "target, unsampled packet: flowstream sampler %+.0f < accounting/10 %+.0f ns/pkt (acct-1k %+.0f): %s; main rounds: < %+.0f: %s\n",
				c["smp-r16M-1k"], c["acct-1k"] / 10, c["acct-1k"], meet(c["smp-r16M-1k"] < c["acct-1k"] / 10),
				ma / 10, meet(c["smp-r16M-1k"] < ma / 10)
		if (("smp-r1-10" in c) && ("smp-r1-10k" in c))
			printf "lookup, every packet sampled: 10 prefixes %+.0f, 10,000 prefixes %+.0f ns/pkt; 1 in 100: %+.0f, %+.0f\n",
				c["smp-r1-10"], c["smp-r1-10k"], c["smp-r100-10"], c["smp-r100-10k"]
	}' "$out/raw.txt"
	echo
	echo "one hook call, timed in the kernel (fs-hookbench.ko: 200,000 calls of the"
	echo "hook function through its entry, BHs off; median of 5), router namespace,"
	echo "1,000 prefixes; baseline: a function that only returns NF_ACCEPT"
	awk '
	function sort(s, a,   n, i, j, t) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n
	}
	function median(s,   a, n) { n = sort(s, a); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	function meet(c) { return c ? "met" : "NOT met" }
	$1 == "hook" {
		k = $2 " " $3 " " $4; v[k] = v[k] " " $5 / 1000
		if (!(k in seen)) { seen[k] = 1; order[n++] = k }
	}
	END {
		if (!n) exit
		printf "%-16s %-12s %11s | %8s %10s\n", "state", "hook", "priority", "ns/call", "+baseline"
		for (i = 0; i < n; i++) {
			split(order[i], f, " "); m[order[i]] = median(v[order[i]])
			if (f[2] == "baseline") b[f[1]] = m[order[i]]
		}
		for (i = 0; i < n; i++) {
			split(order[i], f, " ")
			printf "%-16s %-12s %11s | %8.1f %+10.1f\n", f[1], f[2], f[3], m[order[i]], m[order[i]] - b[f[1]]
		}
		u = m["smp-r16M+acct prerouting -500"]; a = m["smp-r16M+acct postrouting 2147483646"]
		if (u != "" && a != "")
			printf "\ntarget, unsampled packet, per hook call: sampler %.1f < accounting/10 %.1f ns: %s (over the baseline: %.1f < %.1f: %s)\n",
				u, a / 10, meet(u < a / 10), u - b["smp-r16M+acct"], (a - b["smp-r16M+acct"]) / 10,
				meet(u - b["smp-r16M+acct"] < (a - b["smp-r16M+acct"]) / 10)
		s = m["smp-r100 prerouting -500"]; g = m["nft-numgen prerouting -500"]
		if (s != "" && g != "")
			printf "1 in 100, per hook call: flowstream over 1,000 prefixes %.1f ns, nft numgen+counter %.1f ns\n", s, g
	}' "$out/raw.txt"
	echo
	echo "off-P: flowstream loaded, sampler and accounting off (no hooks), P prefixes;"
	echo "smp-rR-P: its sampler, random mode, keyed by source, 1 in R (16M: 2^24,"
	echo "practically nothing) over P /24 prefixes of depth 4, the traffic in the"
	echo "first; acct-1k: accounting on, sampler off; tc-off: act_sample loaded, no"
	echo "qdisc; tc-sample: ingress matchall, act_sample rate 100 to a psample group"
	echo "nobody reads; nft-off: nf_tables loaded, no table; nft-numgen: prerouting"
	echo "priority -500, 'numgen random mod 100 0 counter'. The order of a block's"
	echo "measurements is reversed every other round."
	echo
	echo "memory per flow record at 1,000,000 records (bytes)"
	awk '
	$1 == "mem" {
		if (!hdr++) printf "%-11s %8s %8s %11s %10s %12s %15s\n", "variant", "records", "objsize", "slab/rec", "hash/rec", "slab+hash", "MemFree drop/rec"
		n = $3 > 0 ? $3 : 1
		printf "%-11s %8d %8d %11.1f %10.1f %12.1f %15.1f\n", $2, $3, $7, $4 / n, $5 / n, ($4 + $5) / n, $6 / n
		if ($2 == "flowstream") { fs = ($4 + $5) / n; if ($6 / n > fs) fs = $6 / n }
	}
	END { if (hdr) printf "\ntarget: flowstream %.1f bytes per record (the larger figure) <= 128: %s\n", fs, fs <= 128 ? "met" : "NOT met" }' "$out/raw.txt"
	echo
	echo "slab/rec: growth of all slab caches while the table filled; hash/rec: the"
	echo "hash table (same bucket count for all); MemFree drop: from before the module"
	echo "was loaded to the full table, everything included. VM run: $secs s."
} >"$out/last.txt"

cat "$out/last.txt"
if [ $rc -ne 0 ]; then
	echo
	echo "bench: the VM run reported problems ($out/run.tap):"
	grep -E '^not ok|^# ' "$out/run.tap" | head -n 40
	exit 1
fi
