#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unloading and loading flowstream $FS_LOADUNLOAD_CYCLES times (20 unless
# set) while traffic flows between two namespaces, flow accounting counts
# it and flowctl queries the module is clean.
source "$(dirname "$0")/lib.sh"
fs_require_module
CYCLES=${FS_LOADUNLOAD_CYCLES:-20}

ns_add fsl1 fsl2 fsl3
veth_pair fsl1 fsl2 10.99.0.1/24 10.99.0.2/24
ip -n fsl1 addr add fd99::1/64 dev v-fsl1 nodad
ip -n fsl2 addr add fd99::2/64 dev v-fsl2 nodad

ip netns exec fsl2 iperf3 -s -D -p 5201
sleep 1
# Back-to-back short TCP transfers, each reporting its own byte count.
rm -f /tmp/fsl.stop /tmp/fsl.fail /tmp/fsl.*.json
(
	n=0
	while [ ! -e /tmp/fsl.stop ]; do
		ip netns exec fsl1 iperf3 -c 10.99.0.2 -p 5201 -t 2 -J \
			>/tmp/fsl.$n.json 2>&1 || echo "run $n failed" >>/tmp/fsl.fail
		n=$((n + 1))
	done
) &
iperf=$!
ip netns exec fsl1 ping -q -i 0.2 fd99::2 >/tmp/ping6.log 2>&1 &
ping=$!
# Netlink requests racing with unload: failures are expected while the
# module is away, crashes are not.
(while :; do $FLOWCTL status; $FLOWCTL -n fsl3 config show; sleep 0.1; done) >/dev/null 2>&1 &
poker=$!
sleep 2

loaded=0
for i in $(seq "$CYCLES"); do
	rmmod flowstream || break
	insmod "$FS_KO" acct_enable=1 || break
	loaded=$i
	$FLOWCTL -n fsl3 config set node-id "$i" || break
done
check_eq "$CYCLES unload/load cycles under traffic" "$CYCLES" "$loaded"
check_eq "state starts afresh on load" "node-id $CYCLES" "$($FLOWCTL -n fsl3 config show | grep ^node-id)"
check_match "acct_enable=1 turned accounting on in existing namespaces" "acct on" \
	"$($FLOWCTL -n fsl2 config show)"
recs=$($FLOWCTL -n fsl2 -j records | jq length)
check "and it accounts the traffic ($recs records)" test "$recs" -gt 0

kill $poker
wait $poker 2>/dev/null
touch /tmp/fsl.stop
wait $iperf
runs=$(ls /tmp/fsl.*.json | wc -l)
check "every iperf3 run during the cycles succeeded ($runs runs)" test ! -e /tmp/fsl.fail
# The last "bytes" of a JSON report is the receiver's total.
bytes=0
for f in /tmp/fsl.*.json; do
	b=$(grep -o '"bytes":[[:space:]]*[0-9]*' "$f" | tail -n1 | grep -o '[0-9]*$')
	bytes=$((bytes + ${b:-0}))
done
check "traffic flowed during the cycles ($bytes bytes in $runs runs)" test "$runs" -ge 2 -a "$bytes" -gt 0
kill -INT $ping
wait $ping
check_match "IPv6 ping ran alongside" "[1-9][0-9]* (packets )?received" "$(cat /tmp/ping6.log)"

# Leave the module loaded as the test found it: accounting off by default.
rmmod flowstream
insmod "$FS_KO"
check "module left loaded for the next test" grep -q '^flowstream ' /proc/modules
tap_done
