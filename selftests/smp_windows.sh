#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Windows of the prefix sampler.
#
# 1. No sample is lost or counted twice across a read-and-reset: at rate 1
#    every packet is a sample, so while trafgen floods, windows read and
#    reset in a loop (with monitored prefixes added and removed, and the
#    prefix the flood goes to monitored all along) must add up to nft's
#    count of the flood, exactly.
# 2. Random sampling: windows of a known volume in each of 16 sub-prefixes,
#    each window read and reset; every sampled count lies within 5 sigma of
#    volume / rate, and the 95% intervals hold the true volume in at least
#    90% of the (windows x 16) counts.
# 3. Changing the rate, the mode and the prefix set under traffic is safe
#    (the VM run fails on any kernel splat).
#
# FS_SMP_WINDOWS (default 25) and FS_SMP_FLOOD (default 20000) scale it
# down for the debug kernel, which forwards a few hundred packets a second
# under emulation.
source "$(dirname "$0")/lib.sh"
fs_require_module
command -v trafgen >/dev/null || skip_all "trafgen (netsniff-ng) not installed"
command -v nft >/dev/null || skip_all "nft not installed"

windows=${FS_SMP_WINDOWS:-25}
flood=${FS_SMP_FLOOD:-20000}
smp_topo fsw || skip_all "cannot build the topology"
ns=fsw
ip netns exec $ns nft -f - <<'NFT' || skip_all "nft cannot load a table"
table inet fsw {
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		ip daddr 10.20.0.0/16 counter comment "flood"
		ip daddr 10.30.0.0/16 counter comment "win"
		counter comment "all"
	}
}
NFT
nft_counter() {	# COMMENT: packets of the rule with that comment
	ip netns exec $ns nft -j list table inet fsw | nft_packets "$1"
}

# 1. Every sample in exactly one window.
check "rate 1, deterministic" $FLOWCTL -n $ns sampler set enable on rate 1 mode deterministic
check "monitor 10.20.0.0/16 depth 4" $FLOWCTL -n $ns prefix add 10.20.0.0/16 depth 4
sum=0
reads=0
readout() {	# add this window's samples to $sum
	local w
	w=$($FLOWCTL -n $ns -j prefixes --reset |
	    jq '[.prefixes[].total.sampled_packets] + [.unmatched.sampled_packets] | add')
	[ -n "$w" ] || return 1
	sum=$((sum + w))
	reads=$((reads + 1))
}
smp_trafgen "$flood" "{ eth(da=$smp_mac, type=0x0800), ipv4(saddr=10.66.0.1, daddr=dinc(169082881, 169083903), ttl=64), udp(sp=4000, dp=5000), fill(0x00, 32) }" 200us &
gen=$!
i=0
failed_reads=0
while kill -0 $gen 2>/dev/null; do
	readout || failed_reads=$((failed_reads + 1))
	# Prefixes the flood does not touch come and go meanwhile.
	$FLOWCTL -n $ns prefix add "172.16.$((i % 200)).0/24" depth 2
	[ $i -ge 3 ] && $FLOWCTL -n $ns prefix del "172.16.$(((i - 3) % 200)).0/24"
	i=$((i + 1))
done
wait $gen
check_eq "trafgen sent the flood" 0 "$?"
smp_settle $ns
readout || failed_reads=$((failed_reads + 1))
check_eq "every read-and-reset worked" 0 "$failed_reads"
diag "$reads windows read and reset while $flood packets arrived"
check "several windows during the flood" test "$reads" -ge 3
check_eq "the windows add up to nft's count, exactly" "$(nft_counter flood)" "$sum"
check_eq "smp_sampled agrees" "$(stat_value smp_sampled $ns)" "$sum"
check "smp_windows counted each reset" test "$(stat_value smp_windows $ns)" -ge "$reads"

# 2. Random sampling, window after window. Each window trafgen sends
# $vol packets to each of the 16 sub-prefixes of 10.30.0.0/16 (one packet
# to each in turn), so every window gives 16 independent counts of a known
# true volume.
rate=20
vol=200
subs=16
wait_win() {	# PACKETS: until nft's "win" counter reaches it
	local _
	for _ in $(seq 100); do
		[ "$(nft_counter win)" -ge "$1" ] && return
		sleep 0.05
	done
}
if [ "$windows" -gt 0 ]; then
	check "rate $rate, random" $FLOWCTL -n $ns sampler set rate $rate mode random
	check "monitor 10.30.0.0/16 depth 4" $FLOWCTL -n $ns prefix add 10.30.0.0/16 depth 4
	conf=
	for i in $(seq 0 $((subs - 1))); do
		conf+="{ eth(da=$smp_mac, type=0x0800), ipv4(saddr=10.66.0.1, daddr=10.30.$((i * 16 + 3)).1, ttl=64), udp(sp=4000, dp=5000), fill(0x00, 32) }"$'\n'
	done
	mean=$((vol / rate))
	# 5 sigma of a binomial count: sqrt(vol * p * (1 - p)) = 3.08
	lo=$((mean - 16)) hi=$((mean + 16))
	[ $lo -lt 0 ] && lo=0
	covered=0 outside=0 total_true=0 total_est=0 counts=0
	$FLOWCTL -n $ns prefixes --reset >/dev/null
	prev=$(nft_counter win)
	for w in $(seq "$windows"); do
		smp_trafgen $((vol * subs)) "$conf" || break
		wait_win $((prev + vol * subs))
		now=$(nft_counter win)
		total_true=$((total_true + now - prev))
		prev=$now
		res=$($FLOWCTL -n $ns -j prefixes --reset |
		      jq -r '.prefixes[] | select(.prefix == "10.30.0.0/16") |
			     .subprefixes[] | "\(.sampled_packets) \(.packets_low) \(.packets_high)"')
		while read -r k plo phi; do
			counts=$((counts + 1))
			total_est=$((total_est + k * rate))
			[ "$k" -ge $lo ] && [ "$k" -le $hi ] || outside=$((outside + 1))
			[ "$plo" -le $vol ] && [ $vol -le "$phi" ] && covered=$((covered + 1))
		done <<<"$res"
	done
	n=$((windows * subs))
	diag "$windows windows, $n counts of $vol packets at 1 in $rate: $covered intervals held the true count; estimated $total_est of $total_true"
	check_eq "every window held $vol packets in each sub-prefix (nft)" $((n * vol)) "$total_true"
	check_eq "every sub-prefix was read in every window" "$n" "$counts"
	check_eq "every sampled count within 5 sigma [$lo, $hi]" 0 "$outside"
	check "the 95% intervals held the true count in at least 90% of cases ($covered of $n)" \
		test $((covered * 10)) -ge $((n * 9))
	# Over all windows: 5 sigma of the total estimate, whose variance is
	# rate^2 * n * vol * p * (1 - p) = n * vol * (rate - 1). Integer
	# square root by Newton's method: busybox awk has no sqrt.
	var=$((n * vol * (rate - 1))) x=$((n * vol * (rate - 1))) y=0
	while :; do
		y=$(((x + var / x) / 2))
		[ $y -ge $x ] && break
		x=$y
	done
	sd=$((5 * (x + 1)))
	check "the estimates add up to the true volume within 5 sigma ($total_est vs $total_true, +-$sd)" \
		test $((total_est - total_true)) -le "$sd" -a $((total_true - total_est)) -le "$sd"
else
	diag "random windows skipped (FS_SMP_WINDOWS=0)"
fi

# 3. Changes under traffic.
smp_trafgen "$((flood / 2))" "{ eth(da=$smp_mac, type=0x0800), ipv4(saddr=10.66.0.1, daddr=dinc(169082881, 169083903), ttl=64), udp(sp=4000, dp=5000), fill(0x00, 32) }" 200us &
gen=$!
changes=0
while kill -0 $gen 2>/dev/null; do
	$FLOWCTL -n $ns sampler set rate $((changes % 7 + 1)) \
		mode "$([ $((changes % 2)) = 0 ] && echo random || echo deterministic)" &&
	$FLOWCTL -n $ns prefix del 10.20.0.0/16 &&
	$FLOWCTL -n $ns prefix add 10.20.0.0/16 depth $((changes % 17)) &&
	$FLOWCTL -n $ns prefixes --reset >/dev/null || break
	changes=$((changes + 1))
done
wait $gen
check "rate, mode and prefixes changed under traffic ($changes rounds)" test "$changes" -ge 2
check "sampling off under no traffic" $FLOWCTL -n $ns sampler set enable off
tap_done
