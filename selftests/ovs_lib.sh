#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Open vSwitch for the balancer's selftests (bal_ovs.sh, bal_run.sh), sourced
# after lib.sh: ovs_start checks the tools and the schema (skipping the test
# without them) and starts ovsdb-server and ovs-vswitchd with their files in
# a directory of the test's own; ovs_stop removes the bridge and stops both.
# The caller sets tmp (its temporary directory) and br (its bridge's name)
# first, and calls ovs_stop from its EXIT trap.

# ovs_start: the daemons, running; vsctl and ofctl (OpenFlow 1.4) defined.
ovs_start() {
	local t schema=${FS_OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}

	for t in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl ovs-appctl \
		 trafgen nft jq; do
		command -v $t >/dev/null || skip_all "$t not installed"
	done
	[ -r "$schema" ] || skip_all "no Open vSwitch schema at $schema"
	ovs_run=$tmp/ovs
	mkdir -p "$ovs_run"
	export OVS_RUNDIR=$ovs_run OVS_DBDIR=$ovs_run OVS_LOGDIR=$ovs_run
	ovsdb-tool create "$ovs_run/conf.db" "$schema" >/dev/null ||
		skip_all "ovsdb-tool cannot create a database"
	ovsdb-server "$ovs_run/conf.db" --remote="punix:$ovs_run/db.sock" \
		--pidfile="$ovs_run/ovsdb-server.pid" --detach --no-chdir \
		--log-file="$ovs_run/ovsdb-server.log" \
		--unixctl="$ovs_run/ovsdb-server.ctl" \
		2>/dev/null || skip_all "ovsdb-server does not start"
	ovs-vsctl --no-wait init || skip_all "ovs-vsctl cannot reach ovsdb-server"
	ovs-vswitchd "unix:$ovs_run/db.sock" --pidfile="$ovs_run/ovs-vswitchd.pid" \
		--detach --no-chdir --log-file="$ovs_run/ovs-vswitchd.log" \
		--unixctl="$ovs_run/ovs-vswitchd.ctl" 2>/dev/null ||
		skip_all "ovs-vswitchd does not start"
}

vsctl() { ovs-vsctl --timeout=60 "$@"; }
ofctl() { ovs-ofctl -O OpenFlow14 "$@"; }

# ovs_stop: remove the bridge, stop the daemons and wait until they are
# gone. The bridge's internal port is a persistent tap device, which holds
# the tun module until it is deleted.
ovs_stop() {
	local p pid _

	[ -n "${ovs_run:-}" ] || return 0
	ovs-vsctl --timeout=10 --if-exists del-br "$br" 2>/dev/null
	for p in ovs-vswitchd ovsdb-server; do
		[ -f "$ovs_run/$p.pid" ] || continue
		pid=$(cat "$ovs_run/$p.pid")
		kill "$pid" 2>/dev/null
		for _ in $(seq 100); do
			[ -d "/proc/$pid" ] || break
			sleep 0.1
		done
	done
	ip link del "$br" 2>/dev/null
}
