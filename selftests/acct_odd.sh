#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Odd and malformed packets (trafgen) forwarded through a router namespace
# with accounting on, each kind to its own destination, 20 of each:
#   IPv4 first and non-first fragments, IPv4 with options (IHL 6), an
#   unknown L4 protocol, a TCP header cut short, a bogus IHL of 3; IPv6
#   with a hop-by-hop + destination-options chain, a non-first fragment,
#   an extension chain cut short.
# What acct_parse.c documents: fragments and odd headers are accounted to
# the right record (non-first fragments with ports 0, in acct_fragments),
# cut-short headers are counted in acct_drop_malformed and make no record,
# a bogus IHL never reaches the hooks (the stack counts it in InHdrErrors).
# Independent count: nft counters in the router's forward chain.
source "$(dirname "$0")/lib.sh"
fs_require_module
command -v trafgen >/dev/null || skip_all "trafgen (netsniff-ng) not installed"
command -v nft >/dev/null || skip_all "nft not installed"

N=20
topo_router fo || skip_all "cannot make the namespaces"
# Past the server: the router forwards there, the server drops it all.
ip -n for route add 10.77.0.0/16 via 10.2.0.2
ip -n for route add fd77::/64 via fd02::2
smac=$(ip netns exec fos cat /sys/class/net/sr/address)
ip -n for neigh replace 10.2.0.2 lladdr "$smac" dev rs nud permanent
ip -n for neigh replace fd02::2 lladdr "$smac" dev rs nud permanent
rmac=$(ip netns exec for cat /sys/class/net/rc/address)

ip netns exec for nft -f - <<'NFT' || skip_all "nft cannot load a table"
table inet fso {
	chain fs_fwd {
		type filter hook forward priority 0; policy accept;
		ip daddr 10.77.0.1 ip frag-off & 0x1fff == 0 counter comment "v4first"
		ip daddr 10.77.0.1 ip frag-off & 0x1fff != 0 counter comment "v4later"
		ip daddr 10.77.0.2 counter comment "v4short"
		ip daddr 10.77.0.3 counter comment "v4ihl"
		ip daddr 10.77.0.4 counter comment "v4opt"
		ip daddr 10.77.0.5 counter comment "v4unknown"
		ip6 daddr fd77::6 counter comment "v6ext"
		ip6 daddr fd77::7 counter comment "v6later"
		ip6 daddr fd77::8 counter comment "v6short"
	}
}
NFT
# Both counts are read once, after the traffic.
nft_count() {
	nft_packets "$1" <<<"$nftj"
}
hdrerr() {
	ip netns exec for awk '$1 == "Ip:" && $2 ~ /^[0-9]/ { print $5 }' /proc/net/snmp
}

# Headers by hand where trafgen has no builder (or its udp() cannot follow
# raw bytes): the hop-by-hop and destination-options headers are 8 bytes
# each (PadN), the fragment header is 8 bytes at offset 1480 with no more
# fragments, the UDP headers after them have no checksum.
conf=/tmp/acct_odd.conf
cat >"$conf" <<CONF
/* IPv4 first fragment: UDP header, more fragments */
{ eth(da=$rmac), ipv4(id=7, mf, ttl=64, sa=10.1.0.2, da=10.77.0.1, proto=17),
  udp(sp=5001, dp=6001), fill(0x41, 64) }
/* IPv4 non-first fragment of the same datagram */
{ eth(da=$rmac), ipv4(id=7, frag=9, ttl=64, sa=10.1.0.2, da=10.77.0.1, proto=17),
  fill(0x42, 40) }
/* IPv4 TCP cut short: 8 bytes of a 20-byte header */
{ eth(da=$rmac), ipv4(ttl=64, sa=10.1.0.2, da=10.77.0.2, proto=6),
  0x13, 0x89, 0x17, 0x71, 0, 0, 0, 1 }
/* IPv4 header length 3 words */
{ eth(da=$rmac), ipv4(ihl=3, ttl=64, sa=10.1.0.2, da=10.77.0.3, proto=17),
  udp(sp=5003, dp=6003), fill(0x43, 16) }
/* IPv4 with 4 bytes of options (NOPs): UDP at offset 24; trafgen sums
   20 header bytes only, so the checksum is given */
{ eth(da=$rmac), ipv4(ihl=6, ttl=64, sa=10.1.0.2, da=10.77.0.4, proto=17, csum=0x6368),
  0x01, 0x01, 0x01, 0x01, c16(5004), c16(6004), c16(24), c16(0), fill(0x44, 16) }
/* IPv4, protocol 253 (experimental) */
{ eth(da=$rmac), ipv4(ttl=64, sa=10.1.0.2, da=10.77.0.5, proto=253),
  fill(0x45, 32) }
/* IPv6 hop-by-hop -> destination options -> UDP */
{ eth(da=$rmac), ipv6(nh=0, hl=64, sa=fd01::2, da=fd77::6),
  60, 0, 1, 4, 0, 0, 0, 0,
  17, 0, 1, 4, 0, 0, 0, 0,
  c16(5006), c16(6006), c16(24), c16(0), fill(0x46, 16) }
/* IPv6 non-first fragment of a UDP datagram */
{ eth(da=$rmac), ipv6(nh=44, hl=64, sa=fd01::2, da=fd77::7),
  17, 0, 0x05, 0xc8, 0, 0, 0, 9,
  fill(0x47, 40) }
/* IPv6 destination options header cut short (4 of 8 bytes) */
{ eth(da=$rmac), ipv6(nh=60, hl=64, sa=fd01::2, da=fd77::8),
  17, 0, 1, 4 }
CONF

$FLOWCTL -n for config set acct on idle-timeout 600 active-timeout 3600 ||
	skip_all "cannot turn accounting on"
mal0=$(stat_value acct_drop_malformed for)
frag0=$(stat_value acct_fragments for)
hdr0=$(hdrerr)
check "trafgen sends $N packets of each of 9 kinds" \
	ip netns exec foc bash -c "cd /tmp && trafgen -q --dev cr --conf $conf -n $((9 * N)) --cpus 1 >/dev/null"
sleep 1
nftj=$(ip netns exec for nft -j list table inet fso)
recs=$($FLOWCTL -n for -j records)

# rec JQ-SELECT: packets in the matching records (0 if none).
rec() {
	jq "[.[] | select($1) | .packets] | add // 0" <<<"$recs"
}
nrec() {
	jq "[.[] | select($1)] | length" <<<"$recs"
}
for k in v4first v4later v4short v4opt v4unknown v6ext v6later v6short; do
	check_eq "nft saw every $k packet" "$N" "$(nft_count $k)"
done
check_eq "IPv4 first fragments: in the datagram's own record" "$(nft_count v4first)" \
	"$(rec '.dst == "10.77.0.1" and .proto == 17 and .sport == 5001 and .dport == 6001')"
check_eq "IPv4 non-first fragments: a record with ports 0" "$(nft_count v4later)" \
	"$(rec '.dst == "10.77.0.1" and .proto == 17 and .sport == 0 and .dport == 0')"
check_eq "IPv4 with options: the UDP ports after them" "$(nft_count v4opt)" \
	"$(rec '.dst == "10.77.0.4" and .proto == 17 and .sport == 5004 and .dport == 6004')"
check_eq "unknown protocol: a record with that protocol and ports 0" "$(nft_count v4unknown)" \
	"$(rec '.dst == "10.77.0.5" and .proto == 253 and .sport == 0 and .dport == 0')"
check_eq "IPv6 extension chain: skipped to the UDP ports" "$(nft_count v6ext)" \
	"$(rec '.dst == "fd77::6" and .proto == 17 and .sport == 5006 and .dport == 6006')"
check_eq "IPv6 non-first fragment: the fragment header's protocol, ports 0" \
	"$(nft_count v6later)" \
	"$(rec '.dst == "fd77::7" and .proto == 17 and .sport == 0 and .dport == 0')"
check_eq "acct_fragments counts the non-first fragments" \
	"$(($(nft_count v4later) + $(nft_count v6later)))" \
	"$(($(stat_value acct_fragments for) - frag0))"
check_eq "cut-short headers: counted in acct_drop_malformed" \
	"$(($(nft_count v4short) + $(nft_count v6short)))" \
	"$(($(stat_value acct_drop_malformed for) - mal0))"
check_eq "cut-short headers: no record" 0 \
	"$(nrec '.dst == "10.77.0.2" or .dst == "fd77::8"')"
check_eq "bogus IHL: never forwarded" 0 "$(nft_count v4ihl)"
check_eq "bogus IHL: no record" 0 "$(nrec '.dst == "10.77.0.3"')"
check_eq "bogus IHL: the stack counted each in InHdrErrors" "$N" "$(($(hdrerr) - hdr0))"
check_eq "nothing refused or lost for memory" "0 0" \
	"$(stat_value acct_drop_limit for) $(stat_value acct_drop_nomem for)"
# (The router's own neighbour discovery may add records meanwhile.)
check_eq "procfs lists the same records to the test's destinations as flowctl" \
	"$(nrec '(.dst | startswith("10.77.")) or (.dst | startswith("fd77::"))')" \
	"$(ip netns exec for grep -cE ' dst=(10\.77\.|fd77::)' /proc/net/flowstream/flows)"
rm -f "$conf"
tap_done
