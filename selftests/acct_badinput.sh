#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad accounting requests are refused with the kernel's own explanation,
# which flowctl prints verbatim, and change nothing.
source "$(dirname "$0")/lib.sh"
fs_require_module

A_RECORD=8 A_FILTER=9 A_CONFIG=6
CFG_ACCT=2 CFG_IDLE=3 CFG_MAX=6 CFG_OVERLOAD=7 CFG_BUCKETS=8
FLT_FAMILY=1 FLT_PREFIX=2 FLT_PREFIX_LEN=3 REC_FAMILY=2 REC_SRC=3

ns_add fbi
cfg() { $FLOWCTL -n fbi config show; }
before=$(cfg)

out=$($FLOWCTL -n fbi config set idle-timeout 0 2>&1)
check_eq "idle-timeout 0: flowctl exits 1" 1 "$?"
check_eq "idle-timeout 0: the kernel's message, verbatim" "Error: integer out of range" "$out"
out=$($FLOWCTL -n fbi config set acct on max-records 8 2>&1)
check_eq "max-records 8: refused" "Error: integer out of range" "$out"
check_eq "a refused change changes nothing, not even its valid part" "$before" "$(cfg)"

nlraw() {	# DESC ERRNO EXTACK_REGEX ARGS...
	nlraw_refused fbi "$@"
}
nlraw "read-only buckets: refused with its reason" 22 "buckets is read-only" \
	set_config nest:$A_CONFIG $CFG_BUCKETS:u32:1024 end
nlraw "overload 2: out of range" 34 ".+" \
	set_config nest:$A_CONFIG $CFG_OVERLOAD:u8:2 end
nlraw "acct 2: out of range" 34 ".+" \
	set_config nest:$A_CONFIG $CFG_ACCT:u8:2 end
nlraw "max-records as u16: wrong size" 22 ".+" \
	set_config nest:$A_CONFIG $CFG_MAX:u16:100 end
nlraw "idle timeout 86401: out of range" 34 ".+" \
	set_config nest:$A_CONFIG $CFG_IDLE:u32:86401 end
check_eq "nothing changed" "$before" "$(cfg)"

out=$($FLOWCTL -n fbi records 2>&1)
check_eq "records with accounting off: the kernel says so" \
	"Error: flowstream: flow accounting is off in this namespace" "$out"
$FLOWCTL -n fbi config set acct on
out=$($FLOWCTL -n fbi record get proto udp src 10.0.0.1 dst 10.0.0.2 sport 1 dport 2 2>&1)
check_eq "record get of a record that does not exist" \
	"Error: flowstream: no such flow record" "$out"
nlraw "a record key without addresses" 22 ".*key needs.*" \
	7 nest:$A_RECORD $REC_FAMILY:u8:2 end
nlraw "an IPv4 key with a 16-byte address" 22 "address length does not match the family" \
	7 nest:$A_RECORD $REC_FAMILY:u8:2 $REC_SRC:bin:00000000000000000000000000000001 4:bin:0a000001 5:u8:17 end
nlraw "a filter on GET_RECORD (not a dump)" 22 "a filter is for dumps" \
	7 nest:$A_RECORD $REC_FAMILY:u8:2 end nest:$A_FILTER end
nlraw "flush with a /33 IPv4 prefix" 22 "prefix length too long for the family" \
	8 nest:$A_FILTER $FLT_FAMILY:u8:2 $FLT_PREFIX:bin:0a000000 $FLT_PREFIX_LEN:u8:33 end
nlraw "flush with a prefix but no length" 22 ".*prefix filter needs.*" \
	8 nest:$A_FILTER $FLT_FAMILY:u8:2 $FLT_PREFIX:bin:0a000000 end
nlraw "flush with family 7" 97 "family must be AF_INET or AF_INET6" \
	8 nest:$A_FILTER $FLT_FAMILY:u8:7 end
out=$($FLOWCTL -n fbi records prefix 10.0.0.0/33 2>&1)
check_eq "flowctl: a /33 prefix is a usage error" 2 "$?"
check_match "accounting still on after all that" "acct on" "$(cfg)"
tap_done
