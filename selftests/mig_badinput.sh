#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# State migration: MIG_IMPORT takes state from the network. A batch with
# one bad attribute anywhere is refused whole with the kernel's reason and
# changes nothing; bad migrations and exports are refused too; a hostile
# stream to "flowctl migrate receive" imports nothing; with --key-file a
# sender without the key, or a receiver without it, is refused before
# anything moves.
#
# Parts (case_on in lib.sh) the debug kernel's run leaves out, as they
# exercise only flowctl: usage (its options), stream (a hostile stream to
# the receiver), auth (--key-file); the stock kernels run them.
source "$(dirname "$0")/lib.sh"
fs_require_module

MIG_ADD=24 MIG_DEL=25 MIG_GET=26 MIG_EXPORT=27 MIG_IMPORT=28 MIG_SET=29
MIG_ACK=31
A_MIGRATION=19 A_BATCH=20 B_RECORD=1
R_FAMILY=2 R_SRC=3 R_DST=4 R_PROTO=5 R_SPORT=6 R_DPORT=7 R_ICMP_TYPE=8
R_IIF=10 R_PACKETS=12 R_BYTES=13 R_FIRST=14 R_LAST=15 R_DSCP=16 R_END=18
R_SEQ=19
M_ID=2 M_PREFIX=3 M_BATCH=4 M_VIA4=9 M_VIA6=10 M_CHAINED=11 M_PHASE=14
M_EVENT=16 M_OWNED=17 M_SEQ=18 M_PENDING=19 P_FAMILY=1 P_ADDR=2 P_LEN=3 P_KEY=4

ns_add mbi
$FLOWCTL -n mbi config set acct on idle-timeout 600 || skip_all "cannot turn accounting on"
now=$(($(date +%s) * 1000 - 5000))	# busybox date has no %N

# rec SPORT [ATTR...]: a UDP record 10.9.0.1:SPORT -> 10.9.0.2:53 with 10
# packets and 1000 bytes; ATTRs are added at its end.
rec() {
	local sport=$1
	shift
	echo nest:$B_RECORD $R_FAMILY:u8:2 $R_SRC:bin:0a090001 $R_DST:bin:0a090002 \
		$R_PROTO:u8:17 $R_SPORT:u16:$sport $R_DPORT:u16:53 \
		$R_PACKETS:u64:10 $R_BYTES:u64:1000 $R_FIRST:u64:$now \
		$R_LAST:u64:$((now + 1000)) "$@" end
}
# Records of 10.9.0.1 (the receiver's TCP connection has its own).
nrecords() {
	$FLOWCTL -n mbi -j records | jq '[.[] | select(.src == "10.9.0.1")] | length'
}
refused() {
	ip netns exec mbi awk '$1 == "mig_batches_refused" { print $2 }' \
		/proc/net/flowstream/stat
}
nlraw() {	# DESC ERRNO EXTACK_REGEX ARGS...
	nlraw_refused mbi "$@"
}

out=$($NLRAW -n mbi $MIG_IMPORT nest:$A_BATCH $(rec 1000) end)
check_eq "a well-formed batch of one record is taken" 'errno=0 extack=""' "$out"
got=$($FLOWCTL -n mbi -j record get proto udp src 10.9.0.1 dst 10.9.0.2 sport 1000 dport 53)
check_eq "the record carries the given counts" "10 1000" \
	"$(echo "$got" | jq -r '"\(.packets) \(.bytes)"')"
first=$(echo "$got" | jq .first_ms)
check "its first packet time is the given one ($first, sent $now)" \
	test $((first - now)) -le 20 -a $((now - first)) -le 20
out=$($NLRAW -n mbi $MIG_IMPORT nest:$A_BATCH $(rec 1000) end)
got=$($FLOWCTL -n mbi -j record get proto udp src 10.9.0.1 dst 10.9.0.2 sport 1000 dport 53)
check_eq "a second import of the key adds to the live record" "20 2000" \
	"$(echo "$got" | jq -r '"\(.packets) \(.bytes)"')"
# A record the active timeout has reset: no packets, first after last.
out=$($NLRAW -n mbi $MIG_IMPORT nest:$A_BATCH nest:$B_RECORD $R_FAMILY:u8:2 \
	$R_SRC:bin:0a090001 $R_DST:bin:0a090002 $R_PROTO:u8:17 $R_SPORT:u16:1001 \
	$R_DPORT:u16:53 $R_PACKETS:u64:0 $R_BYTES:u64:0 \
	$R_FIRST:u64:$((now + 1000)) $R_LAST:u64:$now end end)
check_eq "a record reset by the active timeout (0 packets, first after last) is taken" \
	'errno=0 extack=""' "$out"
# Counters added onto a live record saturate instead of wrapping.
big() {
	echo nest:$B_RECORD $R_FAMILY:u8:2 $R_SRC:bin:0a090001 $R_DST:bin:0a090002 \
		$R_PROTO:u8:17 $R_SPORT:u16:1002 $R_DPORT:u16:53 \
		$R_PACKETS:u64:576460752303423488 $R_BYTES:u64:18446744073709551615 \
		$R_FIRST:u64:$now $R_LAST:u64:$now end
}
$NLRAW -n mbi $MIG_IMPORT nest:$A_BATCH $(big) end >/dev/null
out=$($NLRAW -n mbi $MIG_IMPORT nest:$A_BATCH $(big) end)
got=$($FLOWCTL -n mbi -j record get proto udp src 10.9.0.1 dst 10.9.0.2 sport 1002 dport 53 |
	grep -o '"bytes": *[0-9]*' | tr -d ' ')
check_eq "merged byte counts saturate at 2^64-1 ($out)" '"bytes":18446744073709551615' "$got"
before=$(nrecords)
ref0=$(refused)

nlraw "an IPv4 record with a 16-byte address" 22 "address length does not match the family" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2001) nest:$B_RECORD $R_FAMILY:u8:2 \
	$R_SRC:bin:00000000000000000000000000000001 $R_DST:bin:0a090002 \
	$R_PROTO:u8:17 $R_PACKETS:u64:1 $R_BYTES:u64:100 $R_FIRST:u64:$now \
	$R_LAST:u64:$now end end
nlraw "a record without counters" 22 "flowstream: an imported record needs.*" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2002) nest:$B_RECORD $R_FAMILY:u8:2 \
	$R_SRC:bin:0a090001 $R_DST:bin:0a090002 $R_PROTO:u8:17 end end
nlraw "family 7" 97 "family must be AF_INET or AF_INET6" \
	$MIG_IMPORT nest:$A_BATCH nest:$B_RECORD $R_FAMILY:u8:7 $R_SRC:bin:0a090001 \
	$R_DST:bin:0a090002 $R_PROTO:u8:17 $R_PACKETS:u64:1 $R_BYTES:u64:100 \
	$R_FIRST:u64:$now $R_LAST:u64:$now end end
nlraw "an ICMP record with ports" 22 "an ICMP record has no ports" \
	$MIG_IMPORT nest:$A_BATCH nest:$B_RECORD $R_FAMILY:u8:2 $R_SRC:bin:0a090001 \
	$R_DST:bin:0a090002 $R_PROTO:u8:1 $R_SPORT:u16:5 $R_PACKETS:u64:1 \
	$R_BYTES:u64:100 $R_FIRST:u64:$now $R_LAST:u64:$now end end
nlraw "ICMP type in a UDP record" 22 "ICMP type and code in a record of another protocol" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2003 $R_ICMP_TYPE:u8:8) end
nlraw "ports in a GRE record" 22 "ports in a record of a protocol without ports" \
	$MIG_IMPORT nest:$A_BATCH nest:$B_RECORD $R_FAMILY:u8:2 $R_SRC:bin:0a090001 \
	$R_DST:bin:0a090002 $R_PROTO:u8:47 $R_SPORT:u16:5 $R_PACKETS:u64:1 \
	$R_BYTES:u64:100 $R_FIRST:u64:$now $R_LAST:u64:$now end end
nlraw "fewer bytes than IP headers" 22 "bytes do not fit the packets' count" \
	$MIG_IMPORT nest:$A_BATCH nest:$B_RECORD $R_FAMILY:u8:2 $R_SRC:bin:0a090001 \
	$R_DST:bin:0a090002 $R_PROTO:u8:17 $R_PACKETS:u64:10 $R_BYTES:u64:199 \
	$R_FIRST:u64:$now $R_LAST:u64:$now end end
nlraw "first packet after the last" 22 "first packet after the last one" \
	$MIG_IMPORT nest:$A_BATCH nest:$B_RECORD $R_FAMILY:u8:2 $R_SRC:bin:0a090001 \
	$R_DST:bin:0a090002 $R_PROTO:u8:17 $R_PACKETS:u64:1 $R_BYTES:u64:100 \
	$R_FIRST:u64:$((now + 1)) $R_LAST:u64:$now end end
nlraw "TCP flags in a record without packets" 22 "TCP flags in a record without packets" \
	$MIG_IMPORT nest:$A_BATCH nest:$B_RECORD $R_FAMILY:u8:2 $R_SRC:bin:0a090001 \
	$R_DST:bin:0a090002 $R_PROTO:u8:6 $R_PACKETS:u64:0 $R_BYTES:u64:0 \
	$R_FIRST:u64:$now $R_LAST:u64:$now 17:u8:2 end end
nlraw "an interface that does not exist here" 19 "no interface with this index here" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2004 $R_IIF:u32:99999) end
nlraw "one flow twice in a batch" 22 "a flow is twice in the batch" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2005) $(rec 2005) end
nlraw "an ended record" 22 "only a live or migrated record can be imported" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2006 $R_END:u8:1) end
nlraw "a notification's sequence number" 22 ".+" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2007 $R_SEQ:u64:1) end
nlraw "DSCP 64" 34 ".+" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2008 $R_DSCP:u8:64) end
nlraw "a packet count as u32" 22 ".+" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2009 | sed "s/$R_PACKETS:u64:10/$R_PACKETS:u32:10/") end
nlraw "something else than a record in a batch" 22 ".+" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2010) 2:u32:1 end
nlraw "an empty batch" 22 "an empty batch" $MIG_IMPORT nest:$A_BATCH end
nlraw "no batch" 22 "flowstream: missing batch attribute" $MIG_IMPORT
nlraw "an import naming a migration that does not exist" 2 "no such migration" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2011) end nest:$A_MIGRATION $M_ID:u32:999 end
mid=$($NLRAW -n mbi $MIG_ADD nest:$A_MIGRATION nest:$M_PREFIX $P_FAMILY:u8:2 \
	$P_ADDR:bin:0a090000 $P_LEN:u8:24 $P_KEY:u8:1 end end >/dev/null;
      $FLOWCTL -n mbi -j migrate show | jq '.[-1].id')
nlraw "an import naming a migration refuses a record outside its prefixes" 22 \
	"record 2 is outside the prefixes of migration $mid" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2015) nest:$B_RECORD $R_FAMILY:u8:2 \
	$R_SRC:bin:0a080001 $R_DST:bin:0a090002 $R_PROTO:u8:17 $R_PACKETS:u64:1 \
	$R_BYTES:u64:100 $R_FIRST:u64:$now $R_LAST:u64:$now end end \
	nest:$A_MIGRATION $M_ID:u32:$mid end
echo 2 >/sys/module/flowstream/parameters/mig_max_batch
nlraw "more records than mig_max_batch" 7 "more records than mig_max_batch" \
	$MIG_IMPORT nest:$A_BATCH $(rec 2012) $(rec 2013) $(rec 2014) end
echo 256 >/sys/module/flowstream/parameters/mig_max_batch
$FLOWCTL -n mbi config set max-records 16
many=()
for i in $(seq 3001 3016); do many+=($(rec $i)); done
nlraw "a batch that could pass max-records" 28 "flowstream: the batch could pass max-records.*" \
	$MIG_IMPORT nest:$A_BATCH "${many[@]}" end
check_eq "no refused batch changed anything" "$before" "$(nrecords)"
# Four of them (SEQ, DSCP, u32, a non-record) fail the policy, before
# the operation runs.
check_eq "each refusal counted in mig_batches_refused" $((ref0 + 18)) "$(refused)"
out=$($NLRAW -n mbi $MIG_IMPORT nest:$A_BATCH $(rec 2016) end nest:$A_MIGRATION $M_ID:u32:$mid end)
check_eq "an import naming a migration takes the records in its prefixes" 'errno=0 extack=""' "$out"
check_eq "and counts them in the migration's imported (procfs)" 1 \
	"$(ip netns exec mbi awk -v id="$mid" '$1 == id { print $11 }' /proc/net/flowstream/migrations)"
$FLOWCTL -n mbi migrate del "$mid"
check_eq "flowctl migrate del deletes it" "[]" "$($FLOWCTL -n mbi -j migrate show)"
before=$(nrecords)

# mig_max is a limit on the migrations that exist, not on those ever made.
pfx() {
	echo nest:$A_MIGRATION nest:$M_PREFIX $P_FAMILY:u8:2 $P_ADDR:bin:0a090000 \
		$P_LEN:u8:24 end end
}
echo 2 >/sys/module/flowstream/parameters/mig_max
$NLRAW -n mbi $MIG_ADD $(pfx) >/dev/null
$NLRAW -n mbi $MIG_ADD $(pfx) >/dev/null
nlraw "a third migration over mig_max 2" 28 "flowstream: this namespace has mig_max migrations already.*" \
	$MIG_ADD $(pfx)
ids=$($FLOWCTL -n mbi -j migrate show | jq -r '.[].id')
for i in $ids; do $FLOWCTL -n mbi migrate del "$i"; done
out=$($NLRAW -n mbi $MIG_ADD $(pfx))
check_eq "after deleting them, migrations can be added again" 'errno=0 extack=""' "$out"
for i in $($FLOWCTL -n mbi -j migrate show | jq -r '.[].id'); do
	$FLOWCTL -n mbi migrate del "$i"
done
echo 16 >/sys/module/flowstream/parameters/mig_max
check "mig_max_prefixes cannot be set over 1024" \
	bash -c '! echo 1025 2>/dev/null >/sys/module/flowstream/parameters/mig_max_prefixes'
echo 1024 >/sys/module/flowstream/parameters/mig_max_prefixes
many6=()
for i in $(seq 0 1023); do
	many6+=(nest:$M_PREFIX $P_FAMILY:u8:10 $P_ADDR:bin:$(printf '20010db8%04x00000000000000000000' "$i") \
		$P_LEN:u8:48 end)
done
out=$($NLRAW -n mbi $MIG_ADD nest:$A_MIGRATION "${many6[@]}" end)
check_eq "a migration of 1024 IPv6 prefixes is added" 'errno=0 extack=""' "$out"
check_eq "and shown whole by a dump" 1024 "$($FLOWCTL -n mbi -j migrate show | jq '.[0].prefixes | length')"
mid=$($FLOWCTL -n mbi -j migrate show | jq '.[0].id')
check_eq "and by a get" 1024 "$($FLOWCTL -n mbi -j migrate show "$mid" | jq '.[0].prefixes | length')"
$FLOWCTL -n mbi migrate del "$mid"
echo 64 >/sys/module/flowstream/parameters/mig_max_prefixes

# Migrations and exports.
nlraw "a prefix with host bits" 22 "the prefix has host bits set" \
	$MIG_ADD nest:$A_MIGRATION nest:$M_PREFIX $P_FAMILY:u8:2 $P_ADDR:bin:0a090001 $P_LEN:u8:24 end end
nlraw "an IPv4 prefix of 33 bits" 22 "prefix length too long for the family" \
	$MIG_ADD nest:$A_MIGRATION nest:$M_PREFIX $P_FAMILY:u8:2 $P_ADDR:bin:0a090000 $P_LEN:u8:33 end end
nlraw "key 2" 34 ".+" \
	$MIG_ADD nest:$A_MIGRATION nest:$M_PREFIX $P_FAMILY:u8:2 $P_ADDR:bin:0a090000 $P_LEN:u8:24 $P_KEY:u8:2 end end
nlraw "a migration without prefixes" 22 "a migration needs at least one prefix" \
	$MIG_ADD nest:$A_MIGRATION end
nlraw "an id given to MIG_ADD" 22 "a new migration takes prefixes, next hops and the owned flag only" \
	$MIG_ADD nest:$A_MIGRATION $M_ID:u32:5 nest:$M_PREFIX $P_FAMILY:u8:2 $P_ADDR:bin:0a090000 $P_LEN:u8:24 end end
pfx4="nest:$M_PREFIX $P_FAMILY:u8:2 $P_ADDR:bin:0a090000 $P_LEN:u8:24 end"
pfx6="nest:$M_PREFIX $P_FAMILY:u8:10 $P_ADDR:bin:fd090000000000000000000000000000 $P_LEN:u8:64 end"
nlraw "a 16-byte IPv4 next hop" 34 "binary attribute size out of range" \
	$MIG_ADD nest:$A_MIGRATION $pfx4 $M_VIA4:bin:fd090000000000000000000000000001 end
nlraw "a multicast next hop" 22 "the next hop must be a unicast address" \
	$MIG_ADD nest:$A_MIGRATION $pfx4 $M_VIA4:bin:e0000001 end
nlraw "a loopback IPv6 next hop" 22 "the next hop must be a unicast address" \
	$MIG_ADD nest:$A_MIGRATION $pfx6 $M_VIA6:bin:00000000000000000000000000000001 end
nlraw "two IPv4 next hops" 22 "one next hop per family" \
	$MIG_ADD nest:$A_MIGRATION $pfx4 $M_VIA4:bin:0a040002 $M_VIA4:bin:0a040003 end
nlraw "an IPv6 prefix without an IPv6 next hop" 22 "a daisy-chaining migration needs one next hop for each family of its prefixes, and no other" \
	$MIG_ADD nest:$A_MIGRATION $pfx4 $pfx6 $M_VIA4:bin:0a040002 end
nlraw "an IPv6 next hop without an IPv6 prefix" 22 "a daisy-chaining migration needs one next hop for each family of its prefixes, and no other" \
	$MIG_ADD nest:$A_MIGRATION $pfx4 $M_VIA4:bin:0a040002 $M_VIA6:bin:fd040000000000000000000000000002 end
nlraw "the chained counter in a request" 22 ".+" \
	$MIG_ADD nest:$A_MIGRATION $pfx4 $M_VIA4:bin:0a040002 $M_CHAINED:u64:1 end
nlraw "a next hop given to MIG_DEL" 22 "a migration.s next hops are given when it is added" \
	$MIG_DEL nest:$A_MIGRATION $M_ID:u32:1 $M_VIA4:bin:0a040002 end
nlraw "deleting a migration that does not exist" 2 "flowstream: no such migration" \
	$MIG_DEL nest:$A_MIGRATION $M_ID:u32:77 end
nlraw "id 0" 34 ".+" $MIG_GET nest:$A_MIGRATION $M_ID:u32:0 end
nlraw "the owned flag given to MIG_GET" 22 "a migration is owned when it is added" \
	$MIG_GET nest:$A_MIGRATION $M_ID:u32:1 $M_OWNED:flag end
nlraw "a sequence number given to MIG_DEL" 22 "a sequence number is for MIG_ACK" \
	$MIG_DEL nest:$A_MIGRATION $M_ID:u32:1 $M_SEQ:u32:1 end
nlraw "MIG_ACK without a sequence number" 22 "MIG_ACK takes a migration id and a sequence number" \
	$MIG_ACK nest:$A_MIGRATION $M_ID:u32:1 end
nlraw "MIG_ACK with sequence number 0" 34 ".+" \
	$MIG_ACK nest:$A_MIGRATION $M_ID:u32:1 $M_SEQ:u32:0 end
nlraw "MIG_ACK with a phase" 22 "MIG_ACK takes a migration id and a sequence number only" \
	$MIG_ACK nest:$A_MIGRATION $M_ID:u32:1 $M_SEQ:u32:1 $M_PHASE:u8:1 end
nlraw "MIG_ACK of a migration that does not exist" 2 "flowstream: no such migration" \
	$MIG_ACK nest:$A_MIGRATION $M_ID:u32:77 $M_SEQ:u32:1 end
# An owned migration belongs to the socket that added it: fs-nlraw's
# closes when it exits, and the migration goes with it.
taken0=$(stat_value mig_taken_back mbi)
out=$($NLRAW -n mbi $MIG_ADD nest:$A_MIGRATION $pfx4 $M_OWNED:flag end)
check_eq "an owned migration is added" 'errno=0 extack=""' "$out"
check_eq "and goes when the socket that added it closes, nothing to take back" \
	"[] $taken0" "$($FLOWCTL -n mbi -j migrate show) $(stat_value mig_taken_back mbi)"
$NLRAW -n mbi $MIG_ADD nest:$A_MIGRATION $pfx4 end >/dev/null
mid=$($FLOWCTL -n mbi -j migrate show | jq '.[-1].id')
nlraw "MIG_ACK of a migration that is not owned" 22 "flowstream: the migration is not owned: its records are not kept" \
	$MIG_ACK nest:$A_MIGRATION $M_ID:u32:$mid $M_SEQ:u32:1 end
$FLOWCTL -n mbi migrate del "$mid"
out=$($NLRAW -n mbi -d $MIG_EXPORT nest:$A_MIGRATION $M_ID:u32:77 end)
check_match "exporting a migration that does not exist" '^errno=2 extack="flowstream: no such migration"' "$out"
check_eq "no migration was made" "[]" "$($FLOWCTL -n mbi -j migrate show)"

# A migration's phase (MIG_SET) only moves forward.
phase() {	# ID: its phase in procfs
	ip netns exec mbi awk -v id="$1" '$1 == id { print $10 }' /proc/net/flowstream/migrations
}
$NLRAW -n mbi $MIG_ADD nest:$A_MIGRATION $pfx4 end >/dev/null
mid=$($FLOWCTL -n mbi -j migrate show | jq '.[-1].id')
check_eq "a new migration's phase is new" new "$(phase "$mid")"
check_eq "procfs names the columns" "phase imported" \
	"$(ip netns exec mbi awk 'NR == 1 { print $10, $11 }' /proc/net/flowstream/migrations)"
nlraw "phase 5" 34 ".+" $MIG_SET nest:$A_MIGRATION $M_ID:u32:$mid $M_PHASE:u8:5 end
nlraw "a phase as u32" 22 ".+" $MIG_SET nest:$A_MIGRATION $M_ID:u32:$mid $M_PHASE:u32:1 end
nlraw "MIG_SET without a phase" 22 "MIG_SET takes a migration id and a phase" \
	$MIG_SET nest:$A_MIGRATION $M_ID:u32:$mid end
nlraw "MIG_SET without an id" 22 "MIG_SET takes a migration id and a phase" \
	$MIG_SET nest:$A_MIGRATION $M_PHASE:u8:1 end
nlraw "MIG_SET with a prefix" 22 "MIG_SET changes the phase only" \
	$MIG_SET nest:$A_MIGRATION $M_ID:u32:$mid $M_PHASE:u8:1 $pfx4 end
nlraw "MIG_SET of a migration that does not exist" 2 "flowstream: no such migration" \
	$MIG_SET nest:$A_MIGRATION $M_ID:u32:77 $M_PHASE:u8:1 end
nlraw "an event in a request" 22 ".+" \
	$MIG_SET nest:$A_MIGRATION $M_ID:u32:$mid $M_PHASE:u8:1 $M_EVENT:u8:1 end
nlraw "a phase given to MIG_DEL" 22 "a phase is set with MIG_SET" \
	$MIG_DEL nest:$A_MIGRATION $M_ID:u32:$mid $M_PHASE:u8:4 end
nlraw "a phase given to MIG_ADD" 22 "a new migration takes prefixes, next hops and the owned flag only" \
	$MIG_ADD nest:$A_MIGRATION $pfx4 $M_PHASE:u8:1 end
check_eq "refusals changed nothing" new "$(phase "$mid")"
out=$($NLRAW -n mbi $MIG_SET nest:$A_MIGRATION $M_ID:u32:$mid $M_PHASE:u8:2 end)
check_eq "new to copy" 'errno=0 extack="" copy' "$out $(phase "$mid")"
out=$($NLRAW -n mbi $MIG_SET nest:$A_MIGRATION $M_ID:u32:$mid $M_PHASE:u8:2 end)
check_eq "copy again changes nothing" 'errno=0 extack="" copy' "$out $(phase "$mid")"
nlraw "copy back to idle" 22 "flowstream: a migration's phase only moves forward \\(it is copy\\)" \
	$MIG_SET nest:$A_MIGRATION $M_ID:u32:$mid $M_PHASE:u8:1 end
out=$($NLRAW -n mbi $MIG_SET nest:$A_MIGRATION $M_ID:u32:$mid $M_PHASE:u8:3 end)
check_eq "copy to done" 'errno=0 extack="" done' "$out $(phase "$mid")"
nlraw "done to canceled" 22 "flowstream: the migration has ended \\(done\\)" \
	$MIG_SET nest:$A_MIGRATION $M_ID:u32:$mid $M_PHASE:u8:4 end
check_eq "still done" done "$(phase "$mid")"
$FLOWCTL -n mbi migrate del "$mid"
check_eq "no migration left" "[]" "$($FLOWCTL -n mbi -j migrate show)"
if case_on usage; then
	out=$($FLOWCTL -n mbi migrate send 10.9.0.1/24 --to 127.0.0.1:7 2>&1)
	check_eq "flowctl: a prefix with host bits is a usage error" 2 "$?"
	out=$($FLOWCTL -n mbi migrate send 10.9.0.0/24 fd09::/64 --to 127.0.0.1:7 --via 10.4.0.2 2>&1)
	check_eq "flowctl: a family without its next hop is a usage error" 2 "$?"
	out=$($FLOWCTL -n mbi migrate send 10.9.0.0/24 --to 127.0.0.1:7 --idle-max 100 2>&1)
	check_eq "flowctl: --idle-max without --via is a usage error" 2 "$?"
	out=$($FLOWCTL -n mbi migrate send 10.9.0.0/24 --to 127.0.0.1:7 --idle-rate 5 2>&1)
	check_eq "flowctl: --idle-rate without --via is a usage error" \
		"2 Error: --idle-rate ends the daisy-chaining phase: it needs --via" "$? ${out%%$'\n'*}"
	for r in 0 -1 abc 1000000001 5/s; do
		out=$($FLOWCTL -n mbi migrate send 10.9.0.0/24 --to 127.0.0.1:7 \
			--via 10.4.0.2 --idle-rate "$r" 2>&1)
		check_eq "flowctl: --idle-rate \"$r\" is a usage error" \
			"2 Error: --idle-rate \"$r\" is not a number of states per second from 1 to 1000000000" \
			"$? ${out%%$'\n'*}"
	done
	out=$($FLOWCTL -n mbi migrate send 10.9.0.0/24 --to 127.0.0.1:7 --via 10.4.0.2 \
		--idle-window 1000 2>&1)
	check_eq "flowctl: --idle-window without --idle-rate is a usage error" \
		"2 Error: --idle-window is the window of --idle-rate: it needs --idle-rate" "$? ${out%%$'\n'*}"
	for w in 199 51201 1s; do
		out=$($FLOWCTL -n mbi migrate send 10.9.0.0/24 --to 127.0.0.1:7 \
			--via 10.4.0.2 --idle-rate 5 --idle-window "$w" 2>&1)
		check_eq "flowctl: --idle-window \"$w\" is a usage error" \
			"2 Error: --idle-window \"$w\" is not a number of milliseconds from 200 to 51200" \
			"$? ${out%%$'\n'*}"
	done
	check_eq "no migration was made by them" "[]" "$($FLOWCTL -n mbi -j migrate show)"
	out=$($FLOWCTL -n mbi migrate del 0 2>&1)
	check_eq "flowctl: migrate del 0 is a usage error" 2 "$?"
fi

# A hostile stream to the receiver: refused, nothing imported.
if case_on stream; then
	ip netns exec mbi $FLOWCTL migrate receive --listen 127.0.0.1:7070 \
		>/tmp/mbi.recv 2>&1 &
	pid=$!
	port_wait mbi tcp 7070 || diag "the receiver did not start"
	ip netns exec mbi bash -c 'printf "\0\0\0\x10\0\1\0\0garbage!" >/dev/tcp/127.0.0.1/7070'
	wait $pid
	check_eq "the receiver gives up on a stream that is not one" 1 "$?"
	check_match "and says why" "does not start with a hello" "$(cat /tmp/mbi.recv)"
	check_eq "nothing was imported" "$before" "$(nrecords)"
	rm -f /tmp/mbi.recv
fi

# Shared-key authentication (--key-file): every refusal comes before
# anything is imported, on both sides, and says why.
if case_on auth; then
	echo "0123456789abcdef-first-key" >/tmp/mbi.key1
	echo "0123456789abcdef-other-key" >/tmp/mbi.key2
	before=$(nrecords)
	exported=$(stat_value mig_exported mbi) imported=$(stat_value mig_imported mbi)
	# auth_refused DESC RECV_OPTS SEND_OPTS: a send from mbi to a receiver in
	# mbi that both must refuse; their standard error in $rerr and $serr.
	auth_refused() {
		local desc=$1 ropts=$2 sopts=$3 rpid
		ip netns exec mbi $FLOWCTL migrate receive --listen 127.0.0.1:7071 \
			$ropts >/tmp/mbi.recv 2>&1 &
		rpid=$!
		port_wait mbi tcp 7071 || diag "the receiver did not start"
		serr=$(ip netns exec mbi $FLOWCTL migrate send 10.9.0.0/24 \
			--to 127.0.0.1:7071 --timeout 5 $sopts 2>&1)
		check_eq "$desc: the sender fails" 1 "$?"
		wait $rpid
		check_eq "$desc: the receiver fails" 1 "$?"
		rerr=$(cat /tmp/mbi.recv)
	}
	auth_refused "a sender without a key" "--key-file /tmp/mbi.key1" ""
	check_match "the receiver says the sender did not authenticate" \
		"Error: the sender did not authenticate: this receiver has a key, start the sender with --key-file" "$rerr"
	check_match "the sender says why B refused" \
		"Error: B refused the migration: the sender did not authenticate" "$serr"
	auth_refused "a sender with another key" "--key-file /tmp/mbi.key1" \
		"--key-file /tmp/mbi.key2"
	check_match "the receiver says the sender's key differs" \
		"Error: the sender's first frame does not verify: its key differs" "$rerr"
	check_match "the sender says the receiver could not prove the key" \
		"Error: B could not prove the key: its key differs from this one's" "$serr"
	auth_refused "a receiver without a key" "" "--key-file /tmp/mbi.key1"
	check_match "the receiver says it has no key" \
		"Error: the sender authenticates \(--key-file\), this receiver has no key" "$rerr"
	check_match "the sender says B refused the authentication" \
		"Error: B refused the authentication: the sender authenticates" "$serr"
	# A forged sender: AUTH (version 5) with a nonce, then a HELLO without a MAC.
	ip netns exec mbi $FLOWCTL migrate receive --listen 127.0.0.1:7071 \
		--key-file /tmp/mbi.key1 >/tmp/mbi.recv 2>&1 &
	pid=$!
	port_wait mbi tcp 7071 || diag "the receiver did not start"
	ip netns exec mbi bash -c '{ printf "\0\0\0\x34\0\x05\0\0\x08\0\x01\0\x05\0\0\0\x24\0\x0d\0nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
		printf "\0\0\0\x10\0\1\0\0garbage!"; sleep 1; } >/dev/tcp/127.0.0.1/7071'
	wait $pid
	check_eq "a forged sender (a nonce, then no MAC): the receiver fails" 1 "$?"
	check_match "and says the sender's frame does not verify" \
		"Error: the sender's first frame does not verify" "$(cat /tmp/mbi.recv)"
	echo short >/tmp/mbi.short
	rerr=$(ip netns exec mbi $FLOWCTL migrate receive --listen 127.0.0.1:7071 \
		--key-file /tmp/mbi.short 2>&1)
	check_eq "a receiver with a short key does not start" 1 "$?"
	check_match "and names the key file's problem" \
		"Error: key file /tmp/mbi.short: the key must be 16 to 1024 printable characters" "$rerr"
	check_eq "after the refusals nothing was imported" "$before" "$(nrecords)"
	check_eq "nothing was exported or imported (mig_exported, mig_imported)" \
		"$exported $imported" \
		"$(stat_value mig_exported mbi) $(stat_value mig_imported mbi)"
	check_eq "no migration is left" "[]" "$($FLOWCTL -n mbi -j migrate show)"
	rm -f /tmp/mbi.recv /tmp/mbi.key1 /tmp/mbi.key2 /tmp/mbi.short
fi

$FLOWCTL -n mbi config set acct off
nlraw "importing where accounting is off" 2 "flowstream: flow accounting is off in this namespace" \
	$MIG_IMPORT nest:$A_BATCH $(rec 4000) end
tap_done
