#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every network namespace has its own flowstream state.
source "$(dirname "$0")/lib.sh"
fs_require_module

ns_add fsa fsb
$FLOWCTL config set node-id 100
$FLOWCTL -n fsa config set node-id 1
$FLOWCTL -n fsb config set node-id 2
check_eq "namespace fsa has its own node id" "node-id 1" "$($FLOWCTL -n fsa config show | grep ^node-id)"
check_eq "namespace fsb has its own node id" "node-id 2" "$($FLOWCTL -n fsb config show | grep ^node-id)"
check_eq "the initial namespace keeps its own" "node-id 100" "$($FLOWCTL config show | grep ^node-id)"
check_eq "ip netns exec reaches the same state as -n" "node-id 1" \
	"$(ip netns exec fsa $FLOWCTL config show | grep ^node-id)"

check "each namespace has /proc/net/flowstream/stat" \
	ip netns exec fsa test -f /proc/net/flowstream/stat
check_eq "fsa counted its own configuration change" 1 "$(stat_value config_changes fsa)"
b0=$(stat_value nl_requests fsb)
for _ in $(seq 10); do $FLOWCTL -n fsa status >/dev/null; done
check_eq "requests in fsa do not count in fsb" "$b0" "$(stat_value nl_requests fsb)"
$FLOWCTL -n fsa stats reset
check_eq "a reset in fsa zeroes fsa" 0 "$(stat_value config_changes fsa)"
check_eq "and leaves fsb alone" 1 "$(stat_value config_changes fsb)"

# Namespaces come and go while the module stays; state is freed with them
# (kmemleak checks that at the end of the VM run).
for i in $(seq 5); do
	ip netns add "fstmp$i"
	$FLOWCTL -n "fstmp$i" config set node-id "$i" || break
	ip netns del "fstmp$i"
done
check_eq "5 namespaces created, configured and deleted" 5 "$i"
check_eq "fsa unaffected by other namespaces" "node-id 1" "$($FLOWCTL -n fsa config show | grep ^node-id)"

$FLOWCTL config set node-id 0
tap_done
