#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What "make demo" shows, run inside the test VM: flowstream loaded in a
# small namespace topology carrying real traffic.
source "$(dirname "$0")/../lib.sh"

say() { printf '\n$ %s\n' "$*"; "$@"; }

ns_add client router server
veth_pair client router 10.1.0.2/24 10.1.0.1/24
ip link add v-rs netns router type veth peer name v-sr netns server
ip -n router addr add 10.2.0.1/24 dev v-rs
ip -n server addr add 10.2.0.2/24 dev v-sr
ip -n router link set v-rs up
ip -n server link set v-sr up
ip -n client route add default via 10.1.0.1
ip -n server route add default via 10.2.0.1
ip netns exec router sysctl -qw net.ipv4.ip_forward=1

echo "== flowstream in a three-namespace topology: client -> router -> server"
say $FLOWCTL version
say $FLOWCTL -n router config set node-id 1 acct on
say $FLOWCTL -n server config set node-id 2

ip netns exec server iperf3 -s -D -p 5201
sleep 1
ip netns exec client ping -q -c 5 -i 0.2 10.2.0.2 >/dev/null
say ip netns exec client iperf3 -c 10.2.0.2 -p 5201 -t 3 -f m
echo
echo "== flow records on the router (forwarded traffic)"
say $FLOWCTL -n router records
say $FLOWCTL -n router records proto tcp top 2 by bytes
say ip netns exec router cat /proc/net/flowstream/flows
say $FLOWCTL -n router status
say $FLOWCTL -n server -j -p status
say ip netns exec router cat /proc/net/flowstream/stat
say cat /sys/module/flowstream/parameters/debug
echo
echo "== prefix sampling on the router: how traffic spreads inside 10.2.0.0/16"
# Three servers in three of the four /18 sub-prefixes (10.2.192.0/18 gets
# nothing), pinged 400, 200 and 100 times; the router samples 1 in 5 of
# what arrives and places each sample by its destination. The replies go
# to the client, outside the prefix: they count as unmatched.
ip -n server addr add 10.2.64.2/32 dev v-sr
ip -n server addr add 10.2.128.2/32 dev v-sr
ip -n router route add 10.2.0.0/16 via 10.2.0.2
say $FLOWCTL -n router sampler set enable on rate 5 mode random key dst
say $FLOWCTL -n router prefix add 10.2.0.0/16 depth 2
ip netns exec client ping -q -c 400 -i 0.01 10.2.0.2 >/dev/null &
ip netns exec client ping -q -c 200 -i 0.02 10.2.64.2 >/dev/null &
ip netns exec client ping -q -c 100 -i 0.04 10.2.128.2 >/dev/null &
wait
say $FLOWCTL -n router sampler show
say $FLOWCTL -n router prefixes
say ip netns exec router cat /proc/net/flowstream/prefixes
echo
echo "\$ $FLOWCTL -n router -j prefixes --reset | jq -c '.prefixes[].subprefixes[] | ...'"
$FLOWCTL -n router -j prefixes --reset |
	jq -c '.prefixes[].subprefixes[] | {prefix, sampled_packets, packets, packets_low, packets_high}'
say $FLOWCTL -n router prefixes
echo
echo "== the module can be replaced under traffic"
ip netns exec client iperf3 -c 10.2.0.2 -p 5201 -t 4 -f m >/tmp/demo-iperf.log &
sleep 1
say rmmod flowstream
say insmod "$FS_KO"
wait
tail -n 4 /tmp/demo-iperf.log
say $FLOWCTL -n router config show
ok "demo ran"
tap_done
