#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make -C ctl install" puts flowctl, its man page, the exporter's systemd
# unit and the example configuration where asked, and the unit passes
# systemd-analyze verify (when systemd-analyze is there) with its paths
# pointing at what was installed.
set -uo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C ctl install PREFIX="$tmp/usr" SYSCONFDIR="$tmp/etc" \
	UNITDIR="$tmp/unit" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
ret=0
for f in usr/sbin/flowctl usr/share/man/man8/flowctl.8 \
	 unit/flowstream-ipfix@.service etc/flowstream/ipfix.conf.example; do
	[ -s "$tmp/$f" ] || { echo "missing: $f"; ret=1; }
done
unit=$tmp/unit/flowstream-ipfix@.service
grep -q "^ExecStart=$tmp/usr/sbin/flowctl \$FLOWCTL_OPTIONS export ipfix \$IPFIX_OPTIONS$" "$unit" ||
	{ echo "ExecStart not substituted:"; grep ExecStart "$unit"; ret=1; }
grep -q "^EnvironmentFile=$tmp/etc/flowstream/ipfix-%i.conf$" "$unit" ||
	{ echo "EnvironmentFile not substituted"; ret=1; }
if command -v systemd-analyze >/dev/null; then
	cp "$tmp/etc/flowstream/ipfix.conf.example" "$tmp/etc/flowstream/ipfix-check.conf"
	cp "$unit" "$tmp/unit/flowstream-ipfix@check.service"
	systemd-analyze verify --man=no "$tmp/unit/flowstream-ipfix@check.service" 2>&1 |
		grep -v "^$" | tee "$tmp/verify"
	[ -s "$tmp/verify" ] && ret=1
fi
exit $ret
