#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make -C ctl install" puts flowctl, its man page, the exporter's, the
# agent's, the balancer's and the migration receiver's systemd units and
# the example configurations
# where asked, and
# the units pass systemd-analyze verify (when systemd-analyze is there)
# with their paths pointing at what was installed.
set -uo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C ctl install PREFIX="$tmp/usr" SYSCONFDIR="$tmp/etc" \
	UNITDIR="$tmp/unit" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
ret=0
for f in usr/sbin/flowctl usr/sbin/flowctl-net usr/share/man/man8/flowctl.8 \
	 unit/flowstream-ipfix@.service etc/flowstream/ipfix.conf.example \
	 unit/flowstream-agent.service etc/flowstream/agent.conf.example \
	 unit/flowstream-balance.service etc/flowstream/balance.env.example \
	 unit/flowstream-migrate-receive.service \
	 etc/flowstream/migrate-receive.conf.example; do
	[ -s "$tmp/$f" ] || { echo "missing: $f"; ret=1; }
done
# The installed flowctl runs the agent, balance and migrate objects in the
# flowctl-net installed beside it, and links none of their libraries.
for obj in agent balance migrate; do
	"$tmp/usr/sbin/flowctl" "$obj" help 2>&1 | grep -qE "^Usage: flowctl (\[-n NETNS\] )?$obj " ||
		{ echo "installed flowctl $obj help: not flowctl-net's usage"; ret=1; }
done
if ldd "$tmp/usr/sbin/flowctl" | grep -qE 'libmicrohttpd|libcurl|libcrypto'; then
	echo "installed flowctl links the HTTP or crypto libraries"
	ret=1
fi
unit=$tmp/unit/flowstream-ipfix@.service
grep -q "^ExecStart=$tmp/usr/sbin/flowctl \$FLOWCTL_OPTIONS export ipfix \$IPFIX_OPTIONS$" "$unit" ||
	{ echo "ExecStart not substituted:"; grep ExecStart "$unit"; ret=1; }
grep -q "^EnvironmentFile=$tmp/etc/flowstream/ipfix-%i.conf$" "$unit" ||
	{ echo "EnvironmentFile not substituted"; ret=1; }
agent=$tmp/unit/flowstream-agent.service
grep -q "^ExecStart=$tmp/usr/sbin/flowctl \$FLOWCTL_OPTIONS agent \$AGENT_OPTIONS$" "$agent" ||
	{ echo "agent: ExecStart not substituted:"; grep ExecStart "$agent"; ret=1; }
grep -q "^EnvironmentFile=-$tmp/etc/flowstream/agent.conf$" "$agent" ||
	{ echo "agent: EnvironmentFile not substituted"; ret=1; }
bal=$tmp/unit/flowstream-balance.service
grep -q "^ExecStart=$tmp/usr/sbin/flowctl balance run $tmp/etc/flowstream/balance.conf \$BALANCE_OPTIONS$" "$bal" ||
	{ echo "balance: ExecStart not substituted:"; grep ExecStart "$bal"; ret=1; }
grep -q "^EnvironmentFile=-$tmp/etc/flowstream/balance.env$" "$bal" ||
	{ echo "balance: EnvironmentFile not substituted"; ret=1; }
mrc=$tmp/unit/flowstream-migrate-receive.service
grep -q "^ExecStart=$tmp/usr/sbin/flowctl \$FLOWCTL_OPTIONS migrate receive --keep \$RECEIVE_OPTIONS$" "$mrc" ||
	{ echo "migrate-receive: ExecStart not substituted:"; grep ExecStart "$mrc"; ret=1; }
grep -q "^EnvironmentFile=$tmp/etc/flowstream/migrate-receive.conf$" "$mrc" ||
	{ echo "migrate-receive: EnvironmentFile not substituted"; ret=1; }
grep -q '^RECEIVE_OPTIONS=".*--listen [^ ]*.*--key-file ' \
	"$tmp/etc/flowstream/migrate-receive.conf.example" ||
	{ echo "migrate-receive.conf.example: no --listen and --key-file"; ret=1; }
if command -v systemd-analyze >/dev/null; then
	cp "$tmp/etc/flowstream/ipfix.conf.example" "$tmp/etc/flowstream/ipfix-check.conf"
	cp "$unit" "$tmp/unit/flowstream-ipfix@check.service"
	cp "$tmp/etc/flowstream/agent.conf.example" "$tmp/etc/flowstream/agent.conf"
	cp "$tmp/etc/flowstream/balance.env.example" "$tmp/etc/flowstream/balance.env"
	cp "$tmp/etc/flowstream/migrate-receive.conf.example" \
		"$tmp/etc/flowstream/migrate-receive.conf"
	systemd-analyze verify --man=no "$tmp/unit/flowstream-ipfix@check.service" \
		"$agent" "$bal" "$mrc" 2>&1 |
		grep -v "^$" | tee "$tmp/verify"
	[ -s "$tmp/verify" ] && ret=1
fi
exit $ret
