#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad FlowOS requests are refused with the kernel's own explanation, which
# flowctl prints verbatim, and change nothing: the flows, their settings
# and their attachments stay as they were. Requests flowctl would not
# build are sent raw with fs-nlraw.
source "$(dirname "$0")/lib.sh"
fs_require_module
fos_modprobe

CMD_ADD_FLOW=16 CMD_DETACH=22 CMD_ATTACH=21
A_FLOW=15 A_ATTACH=18
FLOW_ID=2 FLOW_NAME=3 FLOW_MATCH=5 FLOW_MAX_HELD=9 FLOW_STATS=15
FLOW_PIPELINE=14
M_FAMILY=2 M_PROTO=3 M_SRC=4 M_SRC_LEN=5 M_SPORT=8
ATT_FLOW=2 ATT_ID=3 ATT_PM=4 ATT_ORDER=5

ns_add fbi
fc() { $FLOWCTL -n fbi "$@"; }
state() {
	fc -j flow show | jq -c '[.[] | del(.stats)]'
	fc -j pm show | jq -c '[.[] | del(.stats)]'
}

check "a flow to refuse changes to" fc flow add web proto tcp dst 10.9.0.0/16 dport 80
check "count attached" fc pm attach web count
check "a flow with the tcp stream" fc flow add tls stream tcp proto tcp dport 443
check "a flow with the udp stream" fc flow add dns stream udp proto udp dport 53
check "count, for every stream, attached to the tcp flow" fc pm attach tls count
check "... and to the udp flow" fc pm attach dns count
before=$(state)
rej0=$(stat_value nl_rejected fbi)

refused() {	# DESC MESSAGE ARGS...: flowctl ARGS fails (1) with MESSAGE
	local desc=$1 msg=$2 out rc
	shift 2
	out=$(fc "$@" 2>&1)
	rc=$?
	check_eq "$desc: exit 1 with the kernel's message" "1 Error: $msg" "$rc $out"
}
refused "an unknown PM" \
	'flowstream: no PM named "nosuch" (no module flowstream-pm-nosuch)' \
	pm attach web nosuch
refused "count with arguments" "flowstream: count: takes no arguments" \
	pm attach web count args "x"
refused "a name taken" "flowstream: flow web exists" flow add web
refused "a PM of another stream" \
	"flowstream: PM match processes stream tcp, flow web builds ip" \
	pm attach web match args x
refused "... also on a udp flow" \
	"flowstream: PM match processes stream tcp, flow dns builds udp" \
	pm attach dns match args x
refused "attach to no flow" "flowstream: no flow named nope" pm attach nope count
refused "detach what is not attached" "flowstream: flow web has no attachment 9" \
	pm detach web 9
refused "max-held 0" "integer out of range" flow add x max-held 0
refused "idle-timeout a day and a second" "integer out of range" \
	flow add x idle-timeout 86401
for i in $(seq 7); do fc pm attach web count order $((20 + i)) >/dev/null; done
refused "a ninth PM" "flowstream: a flow takes at most 8 PMs" pm attach web count
for i in $(seq 2 8); do fc pm detach web $i; done
check_eq "nothing changed" "$before" "$(state)"

# Raw requests flowctl would not send.
nlraw_refused fbi "a flow name with a space" 22 \
	"a flow name is made of letters, digits and _.:-" \
	$CMD_ADD_FLOW nest:$A_FLOW $FLOW_NAME:str:"a b" end
nlraw_refused fbi "an id in add" 22 "the id is assigned by the kernel" \
	$CMD_ADD_FLOW nest:$A_FLOW $FLOW_NAME:str:x $FLOW_ID:u32:5 end
nlraw_refused fbi "stats in add" 22 "stats is read-only" \
	$CMD_ADD_FLOW nest:$A_FLOW $FLOW_NAME:str:x $FLOW_STATS:u64:1 end
nlraw_refused fbi "host bits past the prefix length" 22 \
	"flowstream: source address has bits set past its prefix length" \
	$CMD_ADD_FLOW nest:$A_FLOW $FLOW_NAME:str:x nest:$FLOW_MATCH \
	$M_FAMILY:u8:2 $M_SRC:bin:0a010203 $M_SRC_LEN:u8:8 end end
nlraw_refused fbi "an address without a family" 22 "an address needs the family" \
	$CMD_ADD_FLOW nest:$A_FLOW $FLOW_NAME:str:x nest:$FLOW_MATCH \
	$M_SRC:bin:0a000000 end end
nlraw_refused fbi "a port without a protocol" 22 "flowstream: ports need a protocol" \
	$CMD_ADD_FLOW nest:$A_FLOW $FLOW_NAME:str:x nest:$FLOW_MATCH \
	$M_SPORT:u16:80 end end
nlraw_refused fbi "a pipeline with an unknown PM: the flow is not made" 2 \
	'flowstream: no PM named .+nosuch.+ \(no module flowstream-pm-nosuch\)' \
	$CMD_ADD_FLOW nest:$A_FLOW $FLOW_NAME:str:x nest:$FLOW_PIPELINE \
	nest:$A_ATTACH $ATT_PM:str:count end nest:$A_ATTACH $ATT_PM:str:nosuch end end end
nlraw_refused fbi "detach without an id" 22 \
	"flowstream: detach needs the flow name and the attachment id" \
	$CMD_DETACH nest:$A_ATTACH $ATT_FLOW:str:web end
nlraw_refused fbi "attach with an id" 22 "the id is assigned by the kernel" \
	$CMD_ATTACH nest:$A_ATTACH $ATT_FLOW:str:web $ATT_PM:str:count $ATT_ID:u32:3 end
nlraw_refused fbi "order 65536" 34 "[^\"]*" \
	$CMD_ATTACH nest:$A_ATTACH $ATT_FLOW:str:web $ATT_PM:str:count $ATT_ORDER:u32:65536 end
check_eq "still nothing changed" "$before" "$(state)"
check "refusals by flowstream's handlers are counted in nl_rejected" \
	test "$(stat_value nl_rejected fbi)" -ge $((rej0 + 15))
check "the count PM's module is attached once only" \
	test "$(fc -j pm list | jq '.[] | select(.name == "count") | .attached')" -ge 1
fc flow del web
fc flow del tls
fc flow del dns
check "count's module unloads once its flows are gone" rmmod flowstream_pm_count
check "match's module, loaded for the refused attach, unloads" \
	rmmod flowstream_pm_match
tap_done
