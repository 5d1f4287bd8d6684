#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The YNL spec drives the whole family: the kernel's own YNL library
# (tools/net/ynl/lib of Linux 6.12, which the spec stage extracts; through
# selftests/tools/fs-ynl), given nothing but
# Documentation/netlink/specs/flowstream.yaml, runs every operation against
# the module and reads the config, records and migrate groups'
# notifications; what it reads agrees with flowctl and sysfs.
source "$(dirname "$0")/lib.sh"
fs_require_module

YNL=${FS_YNL_DIR:-}
[ -n "$YNL" ] || skip_all "no YNL client (FS_YNL_DIR: an extracted Linux 6.12 tree)"
# Given one (make check gives it), it must work.
if ! [ -f "$YNL/tools/net/ynl/lib/ynl.py" ] ||
   ! python3 -c 'import yaml' 2>/dev/null; then
	not_ok "the YNL library runs here ($YNL/tools/net/ynl/lib, python3 with yaml)"
	tap_done
fi
spec=$FS_REPO/Documentation/netlink/specs/flowstream.yaml
# Not validated again against the schema: the spec stage does.

ns_add yn
tmp=$(mktemp -d)
# One process of the YNL library for the whole test (starting it takes
# seconds under emulation), fed one request a line.
coproc YN { ip netns exec yn python3 "$FS_REPO/selftests/tools/fs-ynl" "$YNL" "$spec" \
	2>"$tmp/ynl.err"; }
# ynl REQUEST: one request (fs-ynl's JSON); its answer in $out, the errno
# in $rc (0: it succeeded).
ynl() {
	jq -c . <<<"$1" >&"${YN[1]}"
	read -r -t 300 out <&"${YN[0]}" ||
		out='{"error": 999, "msg": "fs-ynl did not answer", "ntf": []}'
	rc=$(jq -r '.error // 0' <<<"$out")
}
# ynl_ok DESC REQUEST: the operation succeeds (its answer shown if not).
ynl_ok() {
	ynl "$2"
	check_eq "ynl: $1" 0 "$rc"
	[ "$rc" = 0 ] || diag "$out $(cat "$tmp/ynl.err")"
}
reply() {	# JQ: from the reply
	jq -r ".reply | $1" <<<"$out"
}
ntf() {	# JQ: from the notifications (a list of {name, msg})
	jq -r ".ntf | $1" <<<"$out"
}

# --- core --------------------------------------------------------------------
ynl_ok "get-version" '{"op": "get-version"}'
check_eq "get-version: the module's version" "$(cat /sys/module/flowstream/version)" \
	"$(reply .version)"
check_eq "get-version: features by name" '["acct-bit","flowos-bit","migrate-bit","sampler-bit"]' \
	"$(reply '.features | sort' | jq -c .)"
ynl_ok "get-status" '{"op": "get-status"}'
check "get-status: uptime and counters" test "$(reply '.["uptime-ms"] > 0 and (.stats["nl-requests"] > 0)')" = true
ynl_ok "set-config, subscribed to config" '{"op": "set-config", "subscribe": ["config"],
	"json": {"config": {"acct-enable": 1, "acct-idle-timeout": 611, "acct-overload": "evict"}}}'
check_eq "set-config: the config group announces it" "config-ntf 611 evict" \
	"$(ntf '.[0] | "\(.name) \(.msg.config["acct-idle-timeout"]) \(.msg.config["acct-overload"])"')"
ynl_ok "get-config" '{"op": "get-config"}'
check_eq "get-config: the new idle timeout and overload" "1 611 evict" \
	"$(reply '.config | "\(.["acct-enable"]) \(.["acct-idle-timeout"]) \(.["acct-overload"])"')"
check_eq "flowctl agrees" 611 "$($FLOWCTL -n yn -j config show | jq '.idle_timeout')"
ynl_ok "reset-stats" '{"op": "reset-stats"}'
ynl_ok "get-status after reset-stats" '{"op": "get-status"}'
check "reset-stats: nl-requests starts again" test "$(reply '.stats["nl-requests"]')" -le 2

# --- flow accounting: records made by an import ------------------------------
now=$(($(date +%s) * 1000 - 5000))
rec='{"family": 2, "src": "0a090001", "dst": "0a090002", "proto": 17, "sport": 1000, "dport": 53, "packets": 10, "bytes": 1000, "first-ms": '$now', "last-ms": '$((now + 1000))'}'
ynl_ok "mig-import of a batch of one record" \
	'{"op": "mig-import", "json": {"batch": {"record": ['"$rec"']}}}'
ynl_ok "get-record dump" '{"op": "get-record", "dump": true}'
check_eq "get-record dump: the imported record" "0a090001 0a090002 1000 10 1000" \
	"$(reply '.[] | .record | select(.sport == 1000) | "\(.src) \(.dst) \(.sport) \(.packets) \(.bytes)"')"
ynl_ok "get-record do" '{"op": "get-record", "json": {"record": {"family": 2,
	"src": "0a090001", "dst": "0a090002", "proto": 17, "sport": 1000, "dport": 53}}}'
check_eq "get-record do: its counts" "10 1000" "$(reply '.record | "\(.packets) \(.bytes)"')"
check_eq "flowctl agrees" "10 1000" \
	"$($FLOWCTL -n yn -j records | jq -r '.[] | select(.sport == 1000) | "\(.packets) \(.bytes)"')"
# An ended record goes out from a work item, after the reply: wait 2 s.
ynl_ok "flush-records with a filter, subscribed to records" \
	'{"op": "flush-records", "subscribe": ["records"], "wait": 2, "json": {"filter": {"proto": 17}}}'
check_eq "flush-records: one record ended" 1 "$(reply .flushed)"
check_eq "no UDP record left" 0 "$($FLOWCTL -n yn -j records | jq '[.[] | select(.proto == 17)] | length')"
check_eq "the records group announced it (record-ntf, end flushed)" "record-ntf 1000 10 flushed" \
	"$(ntf '.[] | select(.msg.record.sport == 1000) | "\(.name) \(.msg.record.sport) \(.msg.record.packets) \(.msg.record.end)"')"

# --- prefix sampling ---------------------------------------------------------
ynl_ok "set-sampler" '{"op": "set-sampler", "json": {"sampler": {"enable": 1, "rate": 1, "key": "dst"}}}'
ynl_ok "get-sampler" '{"op": "get-sampler"}'
check_eq "get-sampler: on, rate 1, key dst" "1 1 dst" \
	"$(reply '.sampler | "\(.enable) \(.rate) \(.key)"')"
ynl_ok "add-prefix" '{"op": "add-prefix", "json": {"prefix": {"family": 2, "addr": "0a000000", "len": 8, "depth": 4}}}'
ynl_ok "get-prefix dump, read and reset" '{"op": "get-prefix", "dump": true, "json": {"reset": true}}'
w=$(reply '[.[] | .sampler.window // empty][0]')
check_eq "get-prefix: the prefix, in the window the sampler names" "0a000000 8 4 $w" \
	"$(reply '[.[] | .prefix // empty][0] | "\(.addr) \(.len) \(.depth) \(.window)"')"
ynl_ok "get-prefix dump of the kept window" \
	'{"op": "get-prefix", "dump": true, "json": {"window": '"${w:-0}"'}}'
ynl_ok "ack-window" '{"op": "ack-window", "json": {"window": '"${w:-0}"'}}'
ynl '{"op": "ack-window", "json": {"window": '"${w:-0}"'}}'
check_eq "ack-window again: refused, ENOENT" 2 "$rc"
ynl_ok "del-prefix" '{"op": "del-prefix", "json": {"prefix": {"family": 2, "addr": "0a000000", "len": 8}}}'
check_eq "no prefix left (flowctl)" 0 "$($FLOWCTL -n yn -j prefixes | jq '.prefixes | length')"
ynl_ok "set-sampler off" '{"op": "set-sampler", "json": {"sampler": {"enable": 0}}}'

# --- FlowOS ------------------------------------------------------------------
fos_modprobe
ynl_ok "get-pm do (loads count on demand)" '{"op": "get-pm", "json": {"pm": {"name": "count"}}}'
check_eq "get-pm: count reads" "count ro" "$(reply '.pm | "\(.name) \(.mode)"')"
ynl_ok "get-pm dump" '{"op": "get-pm", "dump": true}'
check "get-pm dump: lists count" test "$(reply '[.[] | .pm.name] | index("count") != null')" = true
ynl_ok "add-flow" '{"op": "add-flow", "json": {"flow": {"name": "yf", "prio": 5, "stream": "udp",
	"match": {"family": 2, "proto": 17, "dst": "0a020000", "dst-len": 16}}}}'
fid=$(reply .flow.id)
check_eq "add-flow: named, with an id" "yf" "$(reply .flow.name)"
ynl_ok "get-flow do" '{"op": "get-flow", "json": {"flow": {"name": "yf"}}}'
check_eq "get-flow: its settings" "$fid 5 udp 17 16" \
	"$(reply '.flow | "\(.id) \(.prio) \(.stream) \(.match.proto) \(.match["dst-len"])"')"
ynl_ok "get-flow dump" '{"op": "get-flow", "dump": true}'
check_eq "get-flow dump: one flow" "yf" "$(reply '[.[] | .flow.name] | join(" ")')"
ynl_ok "attach" '{"op": "attach", "json": {"attach": {"flow": "yf", "pm": "count"}}}'
aid=$(reply ".attach[0].id")
ynl_ok "get-attach dump" '{"op": "get-attach", "dump": true, "json": {"flow": {"name": "yf"}}}'
check_eq "get-attach: count, read-only" "$aid count ro" \
	"$(reply '.[0].attach[0] | "\(.id) \(.pm) \(.mode)"')"
check_eq "flowctl agrees" "count" "$($FLOWCTL -n yn -j pm show yf | jq -r '.[0].pm')"
ynl_ok "get-session dump (none)" '{"op": "get-session", "dump": true, "json": {"flow": {"name": "yf"}}}'
check_eq "get-session: no session" 0 "$(reply length)"
ynl_ok "detach" '{"op": "detach", "json": {"attach": {"flow": "yf", "id": '"${aid:-0}"'}}}'
ynl_ok "del-flow" '{"op": "del-flow", "json": {"flow": {"name": "yf"}}}'
check_eq "no flow left" 0 "$($FLOWCTL -n yn -j flow show | jq length)"
check "the PM's module unloads once detached" rmmod flowstream_pm_count

# --- state migration, with the migrate group -------------------------------
ynl_ok "mig-add, subscribed to migrate" '{"op": "mig-add", "subscribe": ["migrate"],
	"json": {"migration": {"prefix": [{"family": 2, "addr": "0a090000", "len": 24, "key": "dst"}]}}}'
mid=$(reply .migration.id)
check_eq "mig-add: new, and announced as added" "new added $mid" \
	"$(reply .migration.phase) $(ntf '.[0].msg.migration | "\(.event) \(.id)"')"
ynl_ok "mig-set copy" '{"op": "mig-set", "json": {"migration": {"id": '"${mid:-0}"', "phase": "copy"}}}'
check_eq "mig-set: announced" "mig-ntf phase copy" \
	"$(ntf '.[0] | "\(.name) \(.msg.migration.event) \(.msg.migration.phase)"')"
ynl_ok "mig-import naming it" '{"op": "mig-import",
	"json": {"batch": {"record": ['"$rec"']}, "migration": {"id": '"${mid:-0}"'}}}'
check_eq "mig-import: announced with the count" "imported 1" \
	"$(ntf '.[0].msg.migration | "\(.event) \(.imported)"')"
ynl_ok "mig-export dump" '{"op": "mig-export", "dump": true,
	"json": {"migration": {"id": '"${mid:-0}"', "batch-size": 8}}}'
check_eq "mig-export: the record, once" "1 1000 10" \
	"$(reply '[.[] | .batch.record[]] | "\(length) \(.[0].sport) \(.[0].packets)"')"
check_eq "mig-export: announced" "exported 1" "$(ntf '.[0].msg.migration | "\(.event) \(.exported)"')"
ynl_ok "mig-get do" '{"op": "mig-get", "json": {"migration": {"id": '"${mid:-0}"'}}}'
check_eq "mig-get: progress" "copy 1 1 10 0" \
	"$(reply '.migration | "\(.phase) \(.exported) \(.imported) \(.packets) \(.records)"')"
ynl_ok "mig-get dump" '{"op": "mig-get", "dump": true}'
check_eq "mig-get dump: the one migration" "$mid" "$(reply '[.[] | .migration.id] | join(" ")')"
ynl '{"op": "mig-set", "json": {"migration": {"id": '"${mid:-0}"', "phase": "idle"}}}'
check_eq "mig-set back to idle: refused, EINVAL" 22 "$rc"
check_match "with the kernel's message" "only moves forward" "$out"
ynl_ok "mig-del" '{"op": "mig-del", "json": {"migration": {"id": '"${mid:-0}"'}}}'
check_eq "mig-del: announced" "deleted $mid" "$(ntf '.[0].msg.migration | "\(.event) \(.id)"')"
check_eq "no migration left" "[]" "$($FLOWCTL -n yn -j migrate show)"
# An owned migration (fs-ynl's socket owns it): its export messages are
# numbered and their records pending until mig-ack.
ynl_ok "mig-add owned" '{"op": "mig-add",
	"json": {"migration": {"prefix": [{"family": 2, "addr": "0a090000", "len": 24, "key": "dst"}], "owned": true}}}'
oid=$(reply .migration.id)
ynl_ok "mig-import into it" '{"op": "mig-import",
	"json": {"batch": {"record": ['"$rec"']}, "migration": {"id": '"${oid:-0}"'}}}'
ynl_ok "mig-export of the owned migration" '{"op": "mig-export", "dump": true,
	"json": {"migration": {"id": '"${oid:-0}"'}}}'
check_eq "mig-export: message 1, one record" "1 1" \
	"$(reply '[.[] | .migration.seq] | join(" ")') $(reply '[.[] | .batch.record[]] | length')"
ynl_ok "mig-get: owned" '{"op": "mig-get", "json": {"migration": {"id": '"${oid:-0}"'}}}'
check_eq "mig-get: owned, the record pending" "true 1" \
	"$(reply '.migration | "\(.owned) \(.pending)"')"
ynl_ok "mig-ack 1" '{"op": "mig-ack", "json": {"migration": {"id": '"${oid:-0}"', "seq": 1}}}'
ynl_ok "mig-get after mig-ack" '{"op": "mig-get", "json": {"migration": {"id": '"${oid:-0}"'}}}'
check_eq "mig-ack: nothing pending, nothing taken back" "0 0" \
	"$(reply '.migration | "\(.pending) \(.["taken-back"])"')"
ynl_ok "mig-del of the owned migration" '{"op": "mig-del", "json": {"migration": {"id": '"${oid:-0}"'}}}'
check_eq "mig-del: announced, nothing taken back" "deleted 0" \
	"$(ntf '[.[] | .msg.migration | select(.id == '"${oid:-0}"' and .event == "deleted")][0] | "\(.event) \(.["taken-back"])"')"

# Every operation of the spec was run above, and each of its
# notifications (config-ntf, record-ntf, mig-ntf) read.
ynl '{"op": "list-ops"}'
check_eq "the spec's operations are the ones run here" \
	"ack-window add-flow add-prefix attach del-flow del-prefix detach flush-records get-attach get-config get-flow get-pm get-prefix get-record get-sampler get-session get-status get-version mig-ack mig-add mig-del mig-export mig-get mig-import mig-set reset-stats set-config set-sampler" \
	"$(reply 'join(" ")')"
exec {YN[1]}>&-
wait "$YN_PID" 2>/dev/null
rm -rf "$tmp"
tap_done
