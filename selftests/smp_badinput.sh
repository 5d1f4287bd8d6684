#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad prefix-sampling requests are refused with the kernel's own
# explanation, which flowctl prints verbatim, and change nothing: neither
# the sampler's configuration nor the set of monitored prefixes.
source "$(dirname "$0")/lib.sh"
fs_require_module

CMD_SET_SAMPLER=11 CMD_ADD_PREFIX=12 CMD_GET_PREFIX=14 CMD_ACK_WINDOW=15
A_SAMPLER=11 A_PREFIX=12 A_RESET=13 A_WINDOW=14
SMP_MODE=4 SMP_PREFIXES=8 SMP_RATE=3 SMP_WINDOW=15 SMP_KEPT_WINDOW=16
PFX_FAMILY=2 PFX_ADDR=3 PFX_LEN=4

ns_add fsb
fc() { $FLOWCTL -n fsb "$@"; }
state() { fc -j sampler show | jq -c 'del(.window_start_ms, .unmatched)'; fc -j prefixes | jq -c '[.prefixes[] | [.prefix, .depth]]'; }

# The deepest split, 2^16 counters, is accepted (and, deleted, gives its
# counters back); the state compared below keeps a smaller one, whose
# dump the debug kernel reads in a fraction of the time.
check "add 2001:db9::/32 depth 16, the deepest" fc prefix add 2001:db9::/32 depth 16
check_eq "which splits it in 65536 /48s, up to 2001:db9:ffff::/48" "65536 2001:db9:ffff::/48" \
	"$(fc -j prefixes | jq -r '.prefixes[] | select(.prefix == "2001:db9::/32") | .subprefixes | "\(length) \(.[-1].prefix)"')"
check "and delete it" fc prefix del 2001:db9::/32
check "add 10.1.0.0/16 depth 4" fc prefix add 10.1.0.0/16 depth 4
check "add 2001:db8::/32 depth 12" fc prefix add 2001:db8::/32 depth 12
check "sampler: rate 50, max-prefixes 3, max-counters 4200" \
	fc sampler set rate 50 max-prefixes 3 max-counters 4200
# A window kept, which refused requests must not drop.
check "read and reset: a window kept" fc prefixes --reset
kept=$(fc -j sampler show | jq .kept_window)
cur=$((kept + 1))
check_eq "the current window is the next one" "$cur" "$(fc -j sampler show | jq .window)"
before=$(state)

refused() {	# DESC MESSAGE ARGS...: flowctl ARGS fails (1) with MESSAGE
	local desc=$1 msg=$2 out rc
	shift 2
	out=$(fc "$@" 2>&1)
	rc=$?
	check_eq "$desc: exit 1 with the kernel's message" "1 Error: $msg" "$rc $out"
}
refused "an overlapping /8" "flowstream: overlaps monitored 10.1.0.0/16" \
	prefix add 10.0.0.0/8
refused "an overlapping /24 inside" "flowstream: overlaps monitored 10.1.0.0/16" \
	prefix add 10.1.2.0/24 depth 2
refused "the same prefix again" "flowstream: 10.1.0.0/16 is already monitored" \
	prefix add 10.1.0.0/16
refused "IPv6 ::/0 holds 2001:db8::/32" "flowstream: overlaps monitored 2001:db8::/32" \
	prefix add ::/0
refused "host bits set" "the address has bits set past the prefix length 8" \
	prefix add 10.2.3.4/8
refused "depth 17" "integer out of range" prefix add 10.2.0.0/16 depth 17
refused "/28 split 5 deep" "depth 5 too deep for a /28: over 32 bits" \
	prefix add 10.2.0.0/28 depth 5
refused "/120 split 9 deep" "depth 9 too deep for a /120: over 128 bits" \
	prefix add 2001:db9::/120 depth 9
refused "deleting what is not monitored" "flowstream: 10.3.0.0/16 is not monitored" \
	prefix del 10.3.0.0/16
refused "max-counters: 16 + 4096 in use, 256 more" \
	"flowstream: max-counters 4200 reached: 4112 in use, 256 more needed" \
	prefix add 10.4.0.0/16 depth 8
check "a third prefix fits" fc prefix add 10.4.0.0/16 depth 2
refused "max-prefixes 3 reached" "flowstream: max-prefixes reached: 3 prefixes are monitored" \
	prefix add 10.5.0.0/16
check "back to two prefixes" fc prefix del 10.4.0.0/16
refused "rate 0" "integer out of range" sampler set rate 0
refused "rate 2^24 + 1" "integer out of range" sampler set rate 16777217
refused "max-prefixes below what is monitored" \
	"flowstream: max-prefixes 1 is below the 2 prefixes monitored" \
	sampler set max-prefixes 1 rate 7
refused "max-counters below what is in use" \
	"flowstream: max-counters 100 is below the 4112 counters in use" \
	sampler set max-counters 100
refused "max-len 19" "integer out of range" sampler set max-len 19
refused "max-len 2^20 + 1" "integer out of range" sampler set max-len 1048577
refused "reading a window that is not kept" \
	"flowstream: window 99 is not kept: the kept window is $kept, the current one $cur" \
	prefixes --window 99
refused "acknowledging a window that is not kept" \
	"flowstream: window $cur is not kept: the kept window is $kept, the current one $cur" \
	prefixes ack $cur
check_eq "nothing changed, not even the valid part of a refused request" \
	"$before" "$(state)"

# flowctl's own checks: usage errors exit 2 before asking the kernel.
out=$(fc sampler set mode sometimes 2>&1)
check_eq "mode sometimes: usage error" 2 "$?"
out=$(fc prefix add 10.6.0.0/33 2>&1)
check_eq "a /33: usage error" 2 "$?"
out=$(fc prefix add nonsense 2>&1)
check_eq "not a prefix: usage error" 2 "$?"

# What flowctl never sends, sent raw.
nlraw() {	# DESC ERRNO EXTACK_REGEX ARGS...
	nlraw_refused fsb "$@"
}
nlraw "read-only prefixes: refused with its reason" 22 "prefixes is read-only" \
	$CMD_SET_SAMPLER nest:$A_SAMPLER $SMP_PREFIXES:u32:5 end
nlraw "mode 2: out of range" 34 ".+" \
	$CMD_SET_SAMPLER nest:$A_SAMPLER $SMP_MODE:u8:2 end
nlraw "rate as u16: wrong size" 22 ".+" \
	$CMD_SET_SAMPLER nest:$A_SAMPLER $SMP_RATE:u16:10 end
nlraw "family 7: refused" 97 "family must be AF_INET or AF_INET6" \
	$CMD_ADD_PREFIX nest:$A_PREFIX $PFX_FAMILY:u8:7 $PFX_ADDR:u32:0 $PFX_LEN:u8:8 end
nlraw "an IPv4 prefix of 16 bytes: refused" 22 "address length does not match the family" \
	$CMD_ADD_PREFIX nest:$A_PREFIX $PFX_FAMILY:u8:2 $PFX_ADDR:bin:00000000000000000000000000000000 $PFX_LEN:u8:8 end
nlraw "a prefix without a length: refused" 22 "flowstream: a prefix needs family, address and length" \
	$CMD_ADD_PREFIX nest:$A_PREFIX $PFX_FAMILY:u8:2 $PFX_ADDR:u32:0 end
nlraw "read-only window: refused with its reason" 22 "window is read-only" \
	$CMD_SET_SAMPLER nest:$A_SAMPLER $SMP_WINDOW:u64:$cur end
nlraw "read-only kept window: refused with its reason" 22 "kept window is read-only" \
	$CMD_SET_SAMPLER nest:$A_SAMPLER $SMP_KEPT_WINDOW:u64:0 end
nlraw "acknowledging window 0: out of range" 34 ".+" $CMD_ACK_WINDOW $A_WINDOW:u64:0
nlraw "acknowledging no window: refused" 22 "flowstream: missing window attribute" \
	$CMD_ACK_WINDOW
nlraw "a window as u32: wrong size" 22 ".+" $CMD_ACK_WINDOW $A_WINDOW:u32:$kept
nlraw "read-and-reset of a given window: refused" 22 \
	"a read-and-reset reads the current window: give reset or window, not both" -d $CMD_GET_PREFIX $A_RESET:flag $A_WINDOW:u64:$kept
check_eq "still nothing changed" "$before" "$(state)"
check_eq "the kept window is still there, the same" \
	"$(fc -j prefixes --window "$kept" | jq -c 'del(.window.end_ms)')" \
	"$(fc -j prefixes --window "$kept" | jq -c 'del(.window.end_ms)')"
check "and can still be acknowledged" fc prefixes ack "$kept"
# The 19 refused by flowstream's handlers; the generic netlink core refuses
# the rest by policy before they reach flowstream.
check_eq "refusals were counted" 19 "$(stat_value nl_rejected fsb)"
tap_done
