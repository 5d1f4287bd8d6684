#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed requests get an extended-ACK message and change nothing.
# fs-nlraw sends what flowctl never would.
source "$(dirname "$0")/lib.sh"
fs_require_module

A_VERSION=2 A_CONFIG=6 A_MAX=7 CFG_NODE_ID=1
# FLOWSTREAM_CFG_A_MAX (the stock guest carries no uapi header to read)
CFG_MAX=10

$FLOWCTL config set node-id 77
base_changes=$(stat_value config_changes)

# nlraw DESC ERRNO EXTACK_REGEX ARGS...: the request fails with ERRNO and an
# extended ACK matching EXTACK_REGEX.
nlraw() {
	local desc=$1 err=$2 re=$3 out
	shift 3
	out=$($NLRAW "$@")
	check_match "$desc: errno $err" "^errno=-?$err " "$out"
	check_match "$desc: extack says why" "extack=\"$re\"" "$out"
}

nlraw "node id of the wrong size" 22 ".+" \
	set_config nest:$A_CONFIG $CFG_NODE_ID:u8:5 end
nlraw "node id as a string" 22 ".+" \
	set_config nest:$A_CONFIG $CFG_NODE_ID:str:5 end
nlraw "unknown configuration attribute" 22 ".+" \
	set_config nest:$A_CONFIG 1:u32:5 $((CFG_MAX + 1)):u32:1 end
nlraw "unknown top-level attribute" 22 ".+" \
	set_config nest:$A_CONFIG $CFG_NODE_ID:u32:5 end $((A_MAX + 1)):u32:1
nlraw "reply-only attribute in a request" 22 ".+" \
	set_config nest:$A_CONFIG $CFG_NODE_ID:u32:5 end $A_VERSION:str:x
nlraw "configuration that is not a nest" 22 ".+" \
	set_config $A_CONFIG:u32:5
nlraw "missing configuration" 22 ".*configuration.*" \
	set_config
nlraw "attributes on an operation that takes none" 22 ".+" \
	get_status $A_CONFIG:u32:1
nlraw "unknown command" 95 ".*" 99

check_eq "node id unchanged by every refused request" "node-id 77" "$($FLOWCTL config show | grep ^node-id)"
check_eq "no configuration change counted" "$base_changes" "$(stat_value config_changes)"

# A good raw request works, so the refusals above are not the tool's fault.
out=$($NLRAW set_config nest:$A_CONFIG $CFG_NODE_ID:u32:78 end)
check_match "well-formed raw request succeeds" "^errno=0 " "$out"
check_eq "and takes effect" "node-id 78" "$($FLOWCTL config show | grep ^node-id)"

# flowctl refuses bad arguments itself, without talking to the kernel.
out=$($FLOWCTL config set node-id 4294967296 2>&1)
check_eq "flowctl: node id out of range is a usage error" 2 "$?"
check_match "flowctl names the bad argument" "node-id" "$out"
out=$($FLOWCTL config set node-id 12abc 2>&1)
check_eq "flowctl: trailing junk is a usage error" 2 "$?"
check_eq "node id unchanged by refused flowctl calls" "node-id 78" "$($FLOWCTL config show | grep ^node-id)"

# The debug parameter logs handler refusals to the kernel log.
echo 1 >/sys/module/flowstream/parameters/debug
rej=$(stat_value nl_rejected)
$NLRAW set_config >/dev/null
check_eq "handler refusal counted in nl_rejected" $((rej + 1)) "$(stat_value nl_rejected)"
check_match "debug=1 logs the refusal" "flowstream: netns [0-9]+: command 4 refused: -22" \
	"$(dmesg | tail -n 5)"
echo 0 >/sys/module/flowstream/parameters/debug

$FLOWCTL config set node-id 0
tap_done
