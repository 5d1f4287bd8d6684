#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The YNL spec drives the whole family: the kernel's own YNL client
# (tools/net/ynl/cli.py of Linux 6.12, which the spec stage extracts),
# given nothing but Documentation/netlink/specs/flowstream.yaml, runs every
# operation against the module and reads the config and migrate groups'
# notifications; what it reads agrees with flowctl, procfs and sysfs.
source "$(dirname "$0")/lib.sh"
fs_require_module

YNL=${FS_YNL_DIR:-}
[ -n "$YNL" ] || skip_all "no YNL client (FS_YNL_DIR: an extracted Linux 6.12 tree)"
# Given one (make check gives it), it must work.
if ! [ -f "$YNL/tools/net/ynl/cli.py" ] ||
   ! python3 -c 'import yaml, jsonschema' 2>/dev/null; then
	not_ok "the YNL client runs here ($YNL/tools/net/ynl/cli.py, python3 with yaml and jsonschema)"
	tap_done
fi
spec=$FS_REPO/Documentation/netlink/specs/flowstream.yaml
# The spec stage validates the spec against this schema; here only the
# last call does (cli.py validates at every start, slow under emulation).
schema=$YNL/Documentation/netlink/genetlink-legacy.yaml

ns_add yn
# ynl ARGS...: cli.py in the namespace, its output (JSON) in $out, its
# status in $rc. The reply is the first line, notifications the second.
ynl() {
	out=$(ip netns exec yn python3 "$YNL/tools/net/ynl/cli.py" \
		--spec "$spec" --no-schema --output-json "$@" 2>&1)
	rc=$?
}
# ynl_ok DESC ARGS...: the operation succeeds (its output shown if not).
ynl_ok() {
	local desc=$1
	shift
	ynl "$@"
	check_eq "ynl: $desc" 0 "$rc"
	[ "$rc" = 0 ] || diag "$out"
}
reply() {	# JQ: from the reply
	sed -n 1p <<<"$out" | jq -r "$1"
}
ntf() {	# JQ: from the notifications (a list of {name, msg})
	sed -n 2p <<<"$out" | jq -r "$1"
}

# --- core --------------------------------------------------------------------
ynl_ok "get-version" --do get-version
check_eq "get-version: the module's version" "$(cat /sys/module/flowstream/version)" \
	"$(reply .version)"
check_eq "get-version: features by name" '["acct-bit","flowos-bit","migrate-bit","sampler-bit"]' \
	"$(reply '.features | sort' | jq -c .)"
ynl_ok "get-status" --do get-status
check "get-status: uptime and counters" test "$(reply '.["uptime-ms"] > 0 and (.stats["nl-requests"] > 0)')" = true
ynl_ok "set-config, subscribed to config" --subscribe config --do set-config \
	--json '{"config": {"acct-enable": 1, "acct-idle-timeout": 611, "acct-overload": "evict"}}'
check_eq "set-config: the config group announces it" "config-ntf 611 evict" \
	"$(ntf '.[0] | "\(.name) \(.msg.config["acct-idle-timeout"]) \(.msg.config["acct-overload"])"')"
ynl_ok "get-config" --do get-config
check_eq "get-config: the new idle timeout and overload" "1 611 evict" \
	"$(reply '.config | "\(.["acct-enable"]) \(.["acct-idle-timeout"]) \(.["acct-overload"])"')"
check_eq "flowctl agrees" 611 "$($FLOWCTL -n yn -j config show | jq '.idle_timeout')"
ynl_ok "reset-stats" --do reset-stats
ynl_ok "get-status after reset-stats" --do get-status
check "reset-stats: nl-requests starts again" test "$(reply '.stats["nl-requests"]')" -le 2

# --- flow accounting: records made by an import ------------------------------
# A listener of the records group: it joins, sleeps, then collects what
# came (an ended record goes out from a work item, after the reply to the
# operation that ended it). Python starts slowly on the debug kernel.
tmp=$(mktemp -d)
ip netns exec yn python3 "$YNL/tools/net/ynl/cli.py" --spec "$spec" \
	--no-schema --output-json --subscribe records --sleep 30 \
	--do get-version >"$tmp/records" 2>&1 &
listener=$!
sleep 15
now=$(($(date +%s) * 1000 - 5000))
rec='{"family": 2, "src": "0a090001", "dst": "0a090002", "proto": 17, "sport": 1000, "dport": 53, "packets": 10, "bytes": 1000, "first-ms": '$now', "last-ms": '$((now + 1000))'}'
ynl_ok "mig-import of a batch of one record" --do mig-import \
	--json '{"batch": {"record": ['"$rec"']}}'
ynl_ok "get-record dump" --dump get-record
check_eq "get-record dump: the imported record" "10.9.0.1 10.9.0.2 1000 10 1000" \
	"$(reply '.[] | .record | select(.sport == 1000) | "\(.src) \(.dst) \(.sport) \(.packets) \(.bytes)"')"
ynl_ok "get-record do" --do get-record --json \
	'{"record": {"family": 2, "src": "0a090001", "dst": "0a090002", "proto": 17, "sport": 1000, "dport": 53}}'
check_eq "get-record do: its counts" "10 1000" "$(reply '.record | "\(.packets) \(.bytes)"')"
check_eq "flowctl agrees" "10 1000" \
	"$($FLOWCTL -n yn -j records | jq -r '.[] | select(.sport == 1000) | "\(.packets) \(.bytes)"')"
ynl_ok "flush-records with a filter" --do flush-records --json '{"filter": {"proto": 17}}'
check_eq "flush-records: one record ended" 1 "$(reply .flushed)"
check_eq "no UDP record left" 0 "$($FLOWCTL -n yn -j records | jq '[.[] | select(.proto == 17)] | length')"
wait $listener
check_eq "the records group announced it (record-ntf, end flushed)" "record-ntf 1000 10 flushed" \
	"$(sed -n 2p "$tmp/records" | jq -r '.[] | select(.msg.record.sport == 1000) | "\(.name) \(.msg.record.sport) \(.msg.record.packets) \(.msg.record.end)"')"
[ "$(sed -n 2p "$tmp/records" | jq length 2>/dev/null)" ] || diag "$(cat "$tmp/records")"

# --- prefix sampling ---------------------------------------------------------
ynl_ok "set-sampler" --do set-sampler --json '{"sampler": {"enable": 1, "rate": 1, "key": "dst"}}'
ynl_ok "get-sampler" --do get-sampler
check_eq "get-sampler: on, rate 1, key dst" "1 1 dst" \
	"$(reply '.sampler | "\(.enable) \(.rate) \(.key)"')"
ynl_ok "add-prefix" --do add-prefix --json '{"prefix": {"family": 2, "addr": "0a000000", "len": 8, "depth": 4}}'
ynl_ok "get-prefix dump, read and reset" --dump get-prefix --json '{"reset": true}'
w=$(reply '[.[] | .sampler.window // empty][0]')
check_eq "get-prefix: the prefix, in the window the sampler names" "10.0.0.0 8 4 $w" \
	"$(reply '[.[] | .prefix // empty][0] | "\(.addr) \(.len) \(.depth) \(.window)"' |
	   sed 's/^0a000000/10.0.0.0/')"
ynl_ok "get-prefix dump of the kept window" --dump get-prefix --json '{"window": '"${w:-0}"'}'
ynl_ok "ack-window" --do ack-window --json '{"window": '"${w:-0}"'}'
ynl "--do" ack-window --json '{"window": '"${w:-0}"'}'
check "ack-window again: refused" test "$rc" -ne 0
check_match "with an error naming ENOENT" "No such file or directory" "$out"
ynl_ok "del-prefix" --do del-prefix --json '{"prefix": {"family": 2, "addr": "0a000000", "len": 8}}'
check_eq "no prefix left (flowctl)" 0 "$($FLOWCTL -n yn -j prefixes | jq '.prefixes | length')"
ynl_ok "set-sampler off" --do set-sampler --json '{"sampler": {"enable": 0}}'

# --- FlowOS ------------------------------------------------------------------
fos_modprobe
ynl_ok "get-pm do (loads count on demand)" --do get-pm --json '{"pm": {"name": "count"}}'
check_eq "get-pm: count reads" "count ro" "$(reply '.pm | "\(.name) \(.mode)"')"
ynl_ok "get-pm dump" --dump get-pm
check "get-pm dump: lists count" test "$(reply '[.[] | .pm.name] | index("count") != null')" = true
ynl_ok "add-flow" --do add-flow --json \
	'{"flow": {"name": "yf", "prio": 5, "stream": "udp", "match": {"family": 2, "proto": 17, "dst": "0a020000", "dst-len": 16}}}'
fid=$(reply .flow.id)
check_eq "add-flow: named, with an id" "yf" "$(reply .flow.name)"
ynl_ok "get-flow do" --do get-flow --json '{"flow": {"name": "yf"}}'
check_eq "get-flow: its settings" "$fid 5 udp 17 16" \
	"$(reply '.flow | "\(.id) \(.prio) \(.stream) \(.match.proto) \(.match["dst-len"])"')"
ynl_ok "get-flow dump" --dump get-flow
check_eq "get-flow dump: one flow" "yf" "$(reply '[.[] | .flow.name] | join(" ")')"
ynl_ok "attach" --do attach --json '{"attach": {"flow": "yf", "pm": "count"}}'
aid=$(reply .attach.id)
ynl_ok "get-attach dump" --dump get-attach --json '{"flow": {"name": "yf"}}'
check_eq "get-attach: count, read-only" "$aid count ro" \
	"$(reply '.[0].attach | "\(.id) \(.pm) \(.mode)"')"
check_eq "flowctl agrees" "count" "$($FLOWCTL -n yn -j pm show yf | jq -r '.[0].pm')"
ynl_ok "get-session dump (none)" --dump get-session --json '{"flow": {"name": "yf"}}'
check_eq "get-session: no session" 0 "$(reply length)"
ynl_ok "detach" --do detach --json '{"attach": {"flow": "yf", "id": '"${aid:-0}"'}}'
ynl_ok "del-flow" --do del-flow --json '{"flow": {"name": "yf"}}'
check_eq "no flow left" 0 "$($FLOWCTL -n yn -j flow show | jq length)"
check "the PM's module unloads once detached" rmmod flowstream_pm_count

# --- state migration, with the migrate group -------------------------------
ynl_ok "mig-add, subscribed to migrate" --subscribe migrate --do mig-add --json \
	'{"migration": {"prefix": [{"family": 2, "addr": "0a090000", "len": 24, "key": "dst"}]}}'
mid=$(reply .migration.id)
check_eq "mig-add: new, and announced as added" "new added $mid" \
	"$(reply .migration.phase) $(ntf '.[0].msg.migration | "\(.event) \(.id)"')"
ynl_ok "mig-set copy, subscribed" --subscribe migrate --do mig-set --json \
	'{"migration": {"id": '"${mid:-0}"', "phase": "copy"}}'
check_eq "mig-set: announced" "mig-ntf phase copy" \
	"$(ntf '.[0] | "\(.name) \(.msg.migration.event) \(.msg.migration.phase)"')"
ynl_ok "mig-import naming it, subscribed" --subscribe migrate --do mig-import --json \
	'{"batch": {"record": ['"$rec"']}, "migration": {"id": '"${mid:-0}"'}}'
check_eq "mig-import: announced with the count" "imported 1" \
	"$(ntf '.[0].msg.migration | "\(.event) \(.imported)"')"
ynl_ok "mig-export dump" --dump mig-export --json '{"migration": {"id": '"${mid:-0}"', "batch-size": 8}}'
check_eq "mig-export: the record, once" "1 1000 10" \
	"$(reply '[.[] | .batch.record[]] | "\(length) \(.[0].sport) \(.[0].packets)"')"
ynl_ok "mig-get do" --do mig-get --json '{"migration": {"id": '"${mid:-0}"'}}'
check_eq "mig-get: progress" "copy 1 1 10 0" \
	"$(reply '.migration | "\(.phase) \(.exported) \(.imported) \(.packets) \(.records)"')"
ynl_ok "mig-get dump" --dump mig-get
check_eq "mig-get dump: the one migration" "$mid" "$(reply '[.[] | .migration.id] | join(" ")')"
ynl "--do" mig-set --json '{"migration": {"id": '"${mid:-0}"', "phase": "idle"}}'
check "mig-set back to idle: refused" test "$rc" -ne 0
check_match "with the kernel's message" "only moves forward" "$out"
ynl_ok "mig-del, subscribed" --subscribe migrate --do mig-del --json '{"migration": {"id": '"${mid:-0}"'}}'
check_eq "mig-del: announced" "deleted $mid" "$(ntf '.[0].msg.migration | "\(.event) \(.id)"')"
check_eq "no migration left" "[]" "$($FLOWCTL -n yn -j migrate show)"

# Every operation of the spec was run above, and each of its
# notifications (config-ntf, record-ntf, mig-ntf) read.
ops=$(ip netns exec yn python3 "$YNL/tools/net/ynl/cli.py" --spec "$spec" \
	--schema "$schema" --list-ops 2>/dev/null | awk '{ print $1 }' | sort | tr '\n' ' ')
check_eq "the spec's operations are the ones run here" \
	"ack-window add-flow add-prefix attach del-flow del-prefix detach flush-records get-attach get-config get-flow get-pm get-prefix get-record get-sampler get-session get-status get-version mig-add mig-del mig-export mig-get mig-import mig-set reset-stats set-config set-sampler " \
	"$ops"
rm -rf "$tmp"
tap_done
