#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for flowstream selftests: TAP output, namespaces, tools.
# Source it from a test; the test ends with "tap_done".
#
# Results are TAP lines ("ok N - ...", "not ok N - ..."); a test with
# nothing to run calls skip_all, which exits 4 (kselftest's skip code).

FS_REPO=${FS_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
FLOWCTL=${FLOWCTL:-$FS_REPO/ctl/flowctl}
NLRAW=${NLRAW:-$FS_REPO/selftests/tools/fs-nlraw}
FS_KO=${FS_KO:-$FS_REPO/kmod/flowstream.ko}

tap_n=0
tap_failed=0
fs_netns=()

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $*"
}

diag() {
	echo "# $*"
}

# check DESC CMD...: one result, passing if CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected: '$2'"
		diag "got:      '$3'"
	fi
}

# check_match DESC REGEX ACTUAL
check_match() {
	if [[ $3 =~ $2 ]]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected to match: '$2'"
		diag "got: '$3'"
	fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 4
}

tap_done() {
	echo "1..$tap_n"
	[ $tap_failed -eq 0 ]
	exit $?
}

# ns_add NAME...: new network namespaces, removed when the test exits.
ns_add() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || return 1
		fs_netns+=("$ns")
		ip -n "$ns" link set lo up
	done
}

# veth_pair NS1 NS2 ADDR1/LEN ADDR2/LEN: a veth link between two namespaces.
veth_pair() {
	local a=$1 b=$2
	ip link add "v-$a" netns "$a" type veth peer name "v-$b" netns "$b" || return 1
	ip -n "$a" addr add "$3" dev "v-$a"
	ip -n "$b" addr add "$4" dev "v-$b"
	ip -n "$a" link set "v-$a" up
	ip -n "$b" link set "v-$b" up
}

fs_cleanup() {
	local ns
	for ns in "${fs_netns[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}
trap fs_cleanup EXIT

# The module must be loaded when a test starts.
fs_require_module() {
	grep -q '^flowstream ' /proc/modules || skip_all "flowstream.ko is not loaded"
}

# stat_value NAME [NETNS]: a counter from /proc/net/flowstream/stat.
stat_value() {
	local f=/proc/net/flowstream/stat
	if [ -n "${2:-}" ]; then
		ip netns exec "$2" awk -v n="$1" '$1 == n { print $2 }' $f
	else
		awk -v n="$1" '$1 == n { print $2 }' $f
	fi
}

# topo_router PREFIX: namespaces PREFIXc (client), PREFIXr (router) and
# PREFIXs (server); client 10.1.0.2/fd01::2 -- 10.1.0.1/fd01::1 router
# 10.2.0.1/fd02::1 -- 10.2.0.2/fd02::2 server, the router forwarding.
# Interfaces: in PREFIXr, "rc" faces the client and "rs" the server.
topo_router() {
	local c=${1}c r=${1}r s=${1}s
	ns_add "$c" "$r" "$s" || return 1
	ip link add cr netns "$c" type veth peer name rc netns "$r"
	ip link add rs netns "$r" type veth peer name sr netns "$s"
	ip -n "$c" addr add 10.1.0.2/24 dev cr
	ip -n "$c" addr add fd01::2/64 dev cr nodad
	ip -n "$r" addr add 10.1.0.1/24 dev rc
	ip -n "$r" addr add fd01::1/64 dev rc nodad
	ip -n "$r" addr add 10.2.0.1/24 dev rs
	ip -n "$r" addr add fd02::1/64 dev rs nodad
	ip -n "$s" addr add 10.2.0.2/24 dev sr
	ip -n "$s" addr add fd02::2/64 dev sr nodad
	for dev in "$c cr" "$r rc" "$r rs" "$s sr"; do
		set -- $dev
		ip -n "$1" link set "$2" up
	done
	ip -n "$c" route add default via 10.1.0.1
	ip -n "$c" -6 route add default via fd01::1
	ip -n "$s" route add default via 10.2.0.1
	ip -n "$s" -6 route add default via fd02::1
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$r" sysctl -qw net.ipv6.conf.all.forwarding=1
}

# jflows NETNS JQ_FILTER [FLOWCTL FILTER...]: jq over flowctl -j flows.
jflows() {
	local ns=$1 q=$2
	shift 2
	$FLOWCTL -n "$ns" -j flows "$@" | jq -r "$q"
}

# nft_packets COMMENT: packets of the rule with that comment, from
# "nft -j list ..." on standard input.
nft_packets() {
	jq --arg c "$1" '.nftables[] | select(.rule.comment == $c) | .rule.expr[] |
			 select(.counter) | .counter.packets'
}

# check_acct_totals NETNS RECORDS: the global figures in sysfs hold at least
# this namespace's RECORDS live records and its table (other tests'
# namespaces may still be going away).
check_acct_totals() {
	local par=/sys/module/flowstream/parameters buckets min
	buckets=$($FLOWCTL -n "$1" -j config show | jq .buckets)
	check "sysfs: acct_records counts the live records ($(cat $par/acct_records))" \
		test "$(cat $par/acct_records)" -ge "$2"
	check "sysfs: acct_tables counts this namespace ($(cat $par/acct_tables))" \
		test "$(cat $par/acct_tables)" -ge 1
	min=$(($2 * $(cat $par/acct_record_size) + buckets * 8))
	check "sysfs: acct_memory holds records and buckets ($(cat $par/acct_memory) >= $min)" \
		test "$(cat $par/acct_memory)" -ge "$min"
}
