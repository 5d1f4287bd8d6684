#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink family, its operations and multicast group exist; the
# version op, procfs and sysfs agree.
source "$(dirname "$0")/lib.sh"
fs_require_module

ctrl=$(genl ctrl get name flowstream 2>&1)
check_match "genl family flowstream is registered" "Name: flowstream" "$ctrl"
check_match "family version is 1" "Version: 0x1 " "$ctrl"
for id in 1 2 3 4 5; do
	check_match "operation $id is registered" "ID-0x$id " "$ctrl"
done
check_match "multicast group \"config\" exists" "name: config" "$ctrl"

modver=$(cat /sys/module/flowstream/version)
ver=$($FLOWCTL version)
check_match "flowctl version reports the loaded module's version" "module $modver \(api 1\)" "$ver"
json=$($FLOWCTL -j version)
check_match "flowctl -j version is JSON with the module version" "\"module\": ?\"$modver\"" "$json"
check_match "the module supports flow accounting and prefix sampling" "features: acct sampler" "$ver"

check "sysfs parameter debug exists" test -f /sys/module/flowstream/parameters/debug
check_eq "debug defaults to 0" 0 "$(cat /sys/module/flowstream/parameters/debug)"

check "/proc/net/flowstream/stat exists" test -f /proc/net/flowstream/stat
names=$(awk '{ print $1 }' /proc/net/flowstream/stat | tr '\n' ' ')
check_eq "stat lists the documented counters" \
	"nl_requests nl_rejected config_changes notify_failed acct_packets acct_bytes acct_fragments records_created records_ended records_evicted acct_drop_limit acct_drop_nomem acct_drop_malformed events_sent events_dropped smp_sampled smp_unmatched smp_drop_malformed smp_windows mig_exported mig_imported mig_merged mig_batches_refused mig_chained mig_chain_noroute mig_taken_back mig_takeback_failed " \
	"$names"

# Every netlink request is counted, in procfs and over netlink alike.
before=$(stat_value nl_requests)
for _ in 1 2 3 4 5; do $FLOWCTL config show >/dev/null; done
after=$(stat_value nl_requests)
check_eq "five requests raise nl_requests by five" $((before + 5)) "$after"
status=$($FLOWCTL -j status)
check_match "flowctl status carries the counters" "\"nl_requests\": ?$((after + 1))[, }]" "$status"

# Reset is atomic per counter and only moves the base.
$FLOWCTL stats reset
check_eq "stats reset zeroes nl_requests (the reset itself is counted before)" \
	0 "$(stat_value nl_requests)"
$FLOWCTL config show >/dev/null
check_eq "counting resumes after a reset" 1 "$(stat_value nl_requests)"

tap_done
