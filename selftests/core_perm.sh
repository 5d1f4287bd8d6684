#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reading and changing flowstream state needs CAP_NET_ADMIN over the
# network namespace.
source "$(dirname "$0")/lib.sh"
fs_require_module

$FLOWCTL config set node-id 11
nobody=(setpriv --reuid 65534 --regid 65534 --clear-groups)

for cmd in "version" "status" "config show" "config set node-id 12" "stats reset"; do
	# shellcheck disable=SC2086
	out=$("${nobody[@]}" $FLOWCTL $cmd 2>&1)
	rc=$?
	check_eq "unprivileged '$cmd' exits 1" 1 "$rc"
	check_match "unprivileged '$cmd' gets EPERM" "Operation not permitted" "$out"
done
check_eq "node id unchanged after the refused set" "node-id 11" "$($FLOWCTL config show | grep ^node-id)"

out=$("${nobody[@]}" cat /proc/net/flowstream/stat 2>&1)
check_match "unprivileged read of /proc/net/flowstream/stat is refused" \
	"Operation not permitted" "$out"

# Root of a user namespace has CAP_NET_ADMIN in it, but not over a network
# namespace that the initial user namespace owns...
out=$(unshare -U -r $FLOWCTL status 2>&1)
check_match "CAP_NET_ADMIN of another user namespace is not enough" \
	"Operation not permitted" "$out"
out=$(unshare -U -r cat /proc/net/flowstream/stat 2>&1)
check_match "nor for procfs" "Operation not permitted" "$out"

# ...and it does over a network namespace that its user namespace owns.
out=$(unshare -U -r -n $FLOWCTL config show 2>&1 | grep ^node-id)
check_eq "root of a user namespace manages its own network namespace" "node-id 0" "$out"
out=$(unshare -U -r -n sh -c "$FLOWCTL config set node-id 5 && $FLOWCTL config show" 2>&1 | grep ^node-id)
check_eq "and can change it" "node-id 5" "$out"
check_eq "which leaves the initial namespace alone" "node-id 11" "$($FLOWCTL config show | grep ^node-id)"

$FLOWCTL config set node-id 0
tap_done
