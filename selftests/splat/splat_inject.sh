#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness's self-test (run with "run.sh -x ..."): load fs_splat.ko once
# for each bug it can inject. Passing here means nothing; the harness must
# find each report on the console.
here=$(cd "$(dirname "$0")" && pwd)
# KASAN last: its report turns lockdep off.
for kind in ${SPLAT_KINDS:-atomicsleep lockorder uaf}; do
	insmod "$here/fs_splat.ko" kind="$kind" && rmmod fs_splat
	echo "ok - injected $kind"
done
