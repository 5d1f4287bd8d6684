#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages that building and testing flowstream need
# (only those missing, so a warm machine pays nothing).
set -euo pipefail

pkgs=(
	# modules, the test kernel and static checks
	build-essential bc flex bison libelf-dev libssl-dev kmod cpio xz-utils
	linux-source-6.1 linux-source-6.12 sparse dkms
	linux-headers-cloud-amd64 linux-image-cloud-amd64
	linux-headers-6.12-cloud-amd64 linux-image-6.12-cloud-amd64
	# flowctl
	pkg-config libmnl-dev libjson-c-dev libcmocka-dev libmicrohttpd-dev
	libcurl4-openssl-dev libssl-dev
	# the VM and what the guest runs from the host's root
	qemu-system-x86 busybox-static iproute2 iperf3 iputils-ping nftables
	netsniff-ng procps
	util-linux rsync git
	# the netlink spec check
	python3-yaml python3-jsonschema
	# JSON in the selftests; curl for the agent's
	jq curl
	# make check: the IPFIX collector for the export selftests
	nfdump
	# make check: Open vSwitch for the balancer's selftest (bal_ovs.sh;
	# its userspace datapath runs in the stock VM)
	openvswitch-switch
	# make bench: iptables-legacy and its headers for ipt_NETFLOW (whose
	# source bench.sh unpacks from iptables-netflow-dkms without
	# installing it)
	iptables libxtables-dev
	# make bench: fs-nfq, the NFQUEUE program of the FlowOS rows
	libnetfilter-queue-dev
	# make bench: the mig part's baseline, conntrackd syncing conntrack
	# entries (conntrack checks them)
	conntrackd conntrack
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
