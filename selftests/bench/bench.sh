#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": flowstream's flow accounting side by side with no module,
# ipt_NETFLOW (Debian's iptables-netflow-dkms source, built here for the
# same kernel) and nf_conntrack with accounting, all in one VM run on
# Debian's stock (non-debug) cloud kernel. Prints a table of packets per
# second and per-packet cost over no module at 1,000 and 100,000 flows, and
# of memory per flow record at 1,000,000 records; keeps it in
# $FLOWSTREAM_CACHE/bench/last.txt. The guest side is bench-guest.sh.
#
# Environment: BENCH_ROUNDS (default 5) rounds of every variant, the best and
# the median reported; BENCH_PKTS (default 100000) packets a measurement.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
cache=${FLOWSTREAM_CACHE:-$HOME/.cache/flowstream}
export FLOWSTREAM_CACHE=$cache
rounds=${BENCH_ROUNDS:-5}
pkts=${BENCH_PKTS:-100000}
mem=2048
kver=${FLOWSTREAM_STOCK_KVER:-$(cd /boot && ls vmlinuz-6.1.*-cloud-amd64 2>/dev/null |
				sort -V | tail -n1 | sed 's/^vmlinuz-//')}
[ -n "$kver" ] || { echo "bench: no stock 6.1 cloud kernel in /boot" >&2; exit 1; }
kdir=/usr/src/linux-headers-$kver
xtlib=/usr/lib/x86_64-linux-gnu/xtables
bdir=$cache/build/bench
out=$cache/bench
mkdir -p "$bdir" "$out"

say() { echo "bench: $*" >&2; }

selftests/install-deps.sh

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

conf=$out/bench.conf
cat >"$conf" <<EOF
FS_KO=$fsko
FLOWCTL=$repo/ctl/flowctl
NETFLOW_KO=$nfko
PKTGEN_KO=$pktgen_ko
XT_KOS="$xt_kos"
CONNTRACK_KO=$ct_ko
CT_KOS="$ct_kos"
XTABLES_LIBDIR=$xtlib:$nfpkg/root$xtlib
MAX_RECORDS=1048576
PKTS=$pkts
BENCH_ROUNDS=$rounds
EOF

files=(-f "$conf" -f "$fsko" -f "$nfko" -f "$nfpkg/root$xtlib/libipt_NETFLOW.so"
       -f "$xtlib/libxt_standard.so")
for ko in $pktgen_ko $xt_kos $ct_kos $ct_ko; do
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
say "booting $kver (2 vCPUs on one TCG thread, $mem MiB); $rounds rounds, about 10 minutes"
t0=$SECONDS
rc=0
selftests/vm/run.sh -k stock -M "$mem" -T 5400 -o "$out/run" \
	-e "BENCH_CONF=$conf" -e FS_TEST_TIMEOUT=5000 \
	-b /usr/sbin/iptables-legacy "${files[@]}" \
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
	awk -v rounds="$rounds" '
	$1 == "pps" {
		k = $2 " " $3; v[k] = v[k] " " $5
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
	END {
		printf "%-10s %6s | %8s %7s %8s | %8s %8s | %s\n", "", "", "best", "", "", "median", "", "pps in each round"
		printf "%-10s %6s | %8s %7s %8s | %8s %8s |\n", "variant", "flows", "pps", "ns/pkt", "+ns/pkt", "pps", "+ns/pkt"
		for (f = 0; f < nf; f++) {
			bb = best(v["none " forder[f]]); bm = median(v["none " forder[f]])
			for (i = 0; i < nv; i++) {
				k = order[i] " " forder[f]
				if (!(k in v)) continue
				p = best(v[k]); m = median(v[k])
				cb[k] = 1e9 / p - 1e9 / bb; cm[k] = 1e9 / m - 1e9 / bm
				ob = order[i] == "none" ? "-" : sprintf("%+.0f", cb[k])
				om = order[i] == "none" ? "-" : sprintf("%+.0f", cm[k])
				printf "%-10s %6d | %8.0f %7.0f %8s | %8.0f %8s |%s\n", order[i], forder[f], p, 1e9 / p, ob, m, om, v[k]
			}
		}
		printf "\n+ns/pkt: per-packet cost over no module. Best: the fastest of %d rounds\n", rounds
		printf "(interference from the host only slows a run down); median beside it.\n\n"
		for (f = 0; f < nf; f++) {
			k = forder[f]
			printf "target, %d flows: flowstream %+.0f <= ipt_NETFLOW %+.0f ns/pkt (best): %s; median %+.0f <= %+.0f: %s\n",
				k, cb["flowstream " k], cb["netflow " k], cb["flowstream " k] <= cb["netflow " k] ? "met" : "NOT met",
				cm["flowstream " k], cm["netflow " k], cm["flowstream " k] <= cm["netflow " k] ? "met" : "NOT met"
		}
	}' "$out/raw.txt"
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
