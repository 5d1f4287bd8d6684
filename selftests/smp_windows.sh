#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Windows of the prefix sampler.
#
# 1. No sample is lost or counted twice across a read-and-reset: at rate 1
#    every packet is a sample, so while trafgen floods, windows read and
#    reset in a loop (with monitored prefixes added and removed, and the
#    prefix the flood goes to monitored all along) must add up to nft's
#    count of the flood, exactly. Every few windows the reader dies after
#    the first message of the dump (fs-nlraw -d, a prefix of 1024
#    sub-prefixes making the dump long): the window it took is read again
#    by its number, twice, the same counts, and sometimes acknowledged;
#    the window numbers read are every number from the first to the last,
#    once.
# 2. Random sampling: windows of a known volume in each of 16 sub-prefixes,
#    each window read and reset; every sampled count lies within 5 sigma of
#    volume / rate, and the 95% intervals hold the true volume in at least
#    90% of the (windows x 16) counts; the same for the byte intervals, and
#    for 16 more sub-prefixes that get 8 packets each (mostly none sampled,
#    where the byte interval must still hold the true bytes).
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
		ip daddr 10.31.0.0/16 counter comment "few"
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
numbers=
samples='[.prefixes[].total.sampled_packets] + [.unmatched.sampled_packets] | add'
readout() {	# add this window's samples to $sum
	local w
	w=$($FLOWCTL -n $ns -j prefixes --reset |
	    jq -r "\"\\(.window.number) \\($samples)\"")
	[ -n "$w" ] || return 1
	numbers+=" ${w% *}"
	sum=$((sum + ${w#* }))
	reads=$((reads + 1))
}
lost=0 lost_bad=0 acked=0
lostread() {	# a reader that takes a window and dies; read it again
	local kept a b
	$FLOWCTL -n $ns prefix add 10.21.0.0/16 depth 10 || return 1
	# GET_PREFIX (14) with RESET (13), read one datagram of it, exit.
	$NLRAW -n $ns -d 14 13:flag | grep -q '^first=' || return 1
	$FLOWCTL -n $ns prefix del 10.21.0.0/16 || return 1
	kept=$($FLOWCTL -n $ns -j sampler show | jq .kept_window)
	a=$($FLOWCTL -n $ns -j prefixes --window "$kept" |
	    jq -r "\"\\(.window.number) \\($samples) \\(.prefixes | length)\"")
	b=$($FLOWCTL -n $ns -j prefixes --window "$kept" |
	    jq -r "\"\\(.window.number) \\($samples) \\(.prefixes | length)\"")
	# Read twice, the same; the big prefix deleted since is still in it.
	if [ -z "$a" ] || [ "$a" != "$b" ] || [ "${a%% *}" != "$kept" ] ||
	   [ "${a##* }" -lt 2 ]; then
		diag "window $kept read again: \"$a\" then \"$b\""
		lost_bad=$((lost_bad + 1))
		return 1
	fi
	a=${a% *}
	numbers+=" $kept"
	sum=$((sum + ${a#* }))
	lost=$((lost + 1))
	if [ $((lost % 2)) = 0 ]; then
		$FLOWCTL -n $ns prefixes ack "$kept" || return 1
		acked=$((acked + 1))
		# Gone now: reading it again fails.
		! $FLOWCTL -n $ns prefixes --window "$kept" >/dev/null 2>&1 ||
			lost_bad=$((lost_bad + 1))
	fi
}
smp_trafgen "$flood" "{ eth(da=$smp_mac, type=0x0800), ipv4(saddr=10.66.0.1, daddr=dinc(169082881, 169083903), ttl=64), udp(sp=4000, dp=5000), fill(0x00, 32) }" 200us &
gen=$!
i=0
failed_reads=0
while kill -0 $gen 2>/dev/null; do
	if [ $((i % 3)) = 1 ]; then
		lostread || failed_reads=$((failed_reads + 1))
	else
		readout || failed_reads=$((failed_reads + 1))
	fi
	# Prefixes the flood does not touch come and go meanwhile.
	$FLOWCTL -n $ns prefix add "172.16.$((i % 200)).0/24" depth 2
	[ $i -ge 3 ] && $FLOWCTL -n $ns prefix del "172.16.$(((i - 3) % 200)).0/24"
	i=$((i + 1))
done
wait $gen
check_eq "trafgen sent the flood" 0 "$?"
smp_settle $ns
# A slow kernel may have had no time for one during the flood.
[ "$lost" -ge 1 ] || lostread || failed_reads=$((failed_reads + 1))
readout || failed_reads=$((failed_reads + 1))
check_eq "every read-and-reset worked" 0 "$failed_reads"
diag "$((reads + lost)) windows read and reset while $flood packets arrived"
diag "$lost readers died after the first message; their windows read again ($acked acknowledged)"
check "several windows during the flood" test $((reads + lost)) -ge 3
check "a reader died mid-dump at least once" test "$lost" -ge 1
check_eq "windows read again: the same counts each time, the number asked for" 0 "$lost_bad"
check_eq "the windows add up to nft's count, exactly" "$(nft_counter flood)" "$sum"
check_eq "smp_sampled agrees" "$(stat_value smp_sampled $ns)" "$sum"
check "smp_windows counted each reset" test "$(stat_value smp_windows $ns)" -ge $((reads + lost))
# Numbers from the first window read to the last, each once.
set -- $numbers
first=$1
shift $(($# - 1))
check_eq "every window number read once, none skipped ($first..$1)" \
	"$(seq "$first" "$1" | tr '\n' ' ')" "$(tr ' ' '\n' <<<"$numbers" | sed '/^$/d' | sort -n | tr '\n' ' ')"

# 2. Random sampling, window after window. Each window trafgen sends
# $vol packets to each of the 16 sub-prefixes of 10.30.0.0/16 (one packet
# to each in turn), so every window gives 16 independent counts of a known
# true volume.
rate=20
vol=200
few=8
subs=16
wait_ctr() {	# COMMENT PACKETS: until nft's counter reaches it
	local _
	for _ in $(seq 100); do
		[ "$(nft_counter "$1")" -ge "$2" ] && return
		sleep 0.05
	done
}
if [ "$windows" -gt 0 ]; then
	check "rate $rate, random" $FLOWCTL -n $ns sampler set rate $rate mode random
	check "monitor 10.30.0.0/16 depth 4" $FLOWCTL -n $ns prefix add 10.30.0.0/16 depth 4
	check "monitor 10.31.0.0/16 depth 4" $FLOWCTL -n $ns prefix add 10.31.0.0/16 depth 4
	conf= conf_few=
	for i in $(seq 0 $((subs - 1))); do
		conf+="{ eth(da=$smp_mac, type=0x0800), ipv4(saddr=10.66.0.1, daddr=10.30.$((i * 16 + 3)).1, ttl=64), udp(sp=4000, dp=5000), fill(0x00, 32) }"$'\n'
		conf_few+="{ eth(da=$smp_mac, type=0x0800), ipv4(saddr=10.66.0.1, daddr=10.31.$((i * 16 + 3)).1, ttl=64), udp(sp=4000, dp=5000), fill(0x00, 32) }"$'\n'
	done
	# Every packet is 60 IP bytes.
	bvol=$((vol * 60)) bfew=$((few * 60))
	bcovered=0 fcovered=0 fbcovered=0 fnone=0 fnone_bad=0
	mean=$((vol / rate))
	# 5 sigma of a binomial count: sqrt(vol * p * (1 - p)) = 3.08
	lo=$((mean - 16)) hi=$((mean + 16))
	[ $lo -lt 0 ] && lo=0
	covered=0 outside=0 total_true=0 total_est=0 counts=0
	$FLOWCTL -n $ns prefixes --reset >/dev/null
	prev=$(nft_counter win) prevf=$(nft_counter few) total_few=0
	for w in $(seq "$windows"); do
		smp_trafgen $((vol * subs)) "$conf" || break
		smp_trafgen $((few * subs)) "$conf_few" || break
		wait_ctr win $((prev + vol * subs))
		wait_ctr few $((prevf + few * subs))
		now=$(nft_counter win)
		total_true=$((total_true + now - prev))
		prev=$now
		now=$(nft_counter few)
		total_few=$((total_few + now - prevf))
		prevf=$now
		res=$($FLOWCTL -n $ns -j prefixes --reset |
		      jq -r '.prefixes[] | select(.prefix == "10.30.0.0/16" or .prefix == "10.31.0.0/16") |
			     .prefix as $p | .subprefixes[] |
			     "\($p) \(.sampled_packets) \(.packets_low) \(.packets_high) \(.bytes_low) \(.bytes_high)"')
		while read -r p k plo phi blo bhi; do
			if [ "$p" = 10.31.0.0/16 ]; then
				[ "$plo" -le $few ] && [ $few -le "$phi" ] && fcovered=$((fcovered + 1))
				[ "$blo" -le $bfew ] && [ $bfew -le "$bhi" ] && fbcovered=$((fbcovered + 1))
				if [ "$k" = 0 ]; then
					fnone=$((fnone + 1))
					[ "$bhi" -gt 0 ] || fnone_bad=$((fnone_bad + 1))
				fi
				continue
			fi
			counts=$((counts + 1))
			total_est=$((total_est + k * rate))
			[ "$k" -ge $lo ] && [ "$k" -le $hi ] || outside=$((outside + 1))
			[ "$plo" -le $vol ] && [ $vol -le "$phi" ] && covered=$((covered + 1))
			[ "$blo" -le $bvol ] && [ $bvol -le "$bhi" ] && bcovered=$((bcovered + 1))
		done <<<"$res"
	done
	n=$((windows * subs))
	diag "$windows windows, $n counts of $vol packets at 1 in $rate: $covered intervals held the true count, $bcovered the true bytes; estimated $total_est of $total_true"
	diag "$n counts of $few packets: $fcovered intervals held the true count, $fbcovered the true bytes; $fnone with none sampled"
	check_eq "every window held $vol packets in each sub-prefix (nft)" $((n * vol)) "$total_true"
	check_eq "every window held $few packets in each of 16 more (nft)" $((n * few)) "$total_few"
	check_eq "every sub-prefix was read in every window" "$n" "$counts"
	check_eq "every sampled count within 5 sigma [$lo, $hi]" 0 "$outside"
	check "the 95% intervals held the true count in at least 90% of cases ($covered of $n)" \
		test $((covered * 10)) -ge $((n * 9))
	check "the byte intervals held the true bytes in at least 90% of cases ($bcovered of $n)" \
		test $((bcovered * 10)) -ge $((n * 9))
	check "$few packets: the packet intervals held them in at least 90% of cases ($fcovered of $n)" \
		test $((fcovered * 10)) -ge $((n * 9))
	check "$few packets: the byte intervals held them in at least 90% of cases ($fbcovered of $n)" \
		test $((fbcovered * 10)) -ge $((n * 9))
	check "some sub-prefixes had no sample ($fnone)" test "$fnone" -ge 1
	check_eq "none sampled: the byte interval still reaches above 0" 0 "$fnone_bad"
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

# 3. Changes under traffic: trafgen runs again and again until the loop
# has made its rounds (a loaded debug guest makes few rounds per flood).
stop=$(mktemp -u)
(
	while [ ! -e "$stop" ]; do
		smp_trafgen "$((flood / 2))" "{ eth(da=$smp_mac, type=0x0800), ipv4(saddr=10.66.0.1, daddr=dinc(169082881, 169083903), ttl=64), udp(sp=4000, dp=5000), fill(0x00, 32) }" 200us || break
	done
) &
gen=$!
changes=0
while [ $changes -lt 4 ]; do
	$FLOWCTL -n $ns sampler set rate $((changes % 7 + 1)) \
		mode "$([ $((changes % 2)) = 0 ] && echo random || echo deterministic)" &&
	$FLOWCTL -n $ns prefix del 10.20.0.0/16 &&
	$FLOWCTL -n $ns prefix add 10.20.0.0/16 depth $((changes % 17)) &&
	$FLOWCTL -n $ns prefixes --reset >/dev/null || break
	changes=$((changes + 1))
done
touch "$stop"
wait $gen
rm -f "$stop"
check "rate, mode and prefixes changed under traffic ($changes rounds)" test "$changes" -ge 4
check "sampling off under no traffic" $FLOWCTL -n $ns sampler set enable off
tap_done
