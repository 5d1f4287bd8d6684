#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn a VM run's results channel and console log into TAP.
#
# usage: parse-results.sh [-x RE[,RE...]] RESULTS_LOG CONSOLE_LOG
#
# Every KUnit case, every selftest result line, and the VM's own checks
# (guest finished, modules unloaded, no kmemleak report, no kernel splat)
# become one TAP line each. With -x (the harness self-test) the results are
# whether the splat detector caught a report matching each RE.
# Exit 0 iff nothing failed.
set -uo pipefail

expect_splat=
while getopts "x:" opt; do
	case $opt in
	x) expect_splat=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
results=$1 console=$2

# Headers of kernel reports that mean the run is broken, whatever the
# tests said. Matched on the console, which the kernel writes directly.
splat_re='WARNING: CPU: |BUG: |kernel BUG at|KASAN:|UBSAN:|Oops:|general protection fault|'
splat_re+='possible circular locking dependency|inconsistent lock state|'
splat_re+='possible recursive locking|suspicious RCU usage|'
splat_re+='sleeping function called from invalid context|'
splat_re+='unreferenced object 0x|Kernel panic|soft lockup|blocked for more than|'
splat_re+='detected stalls on CPUs|ODEBUG:|list_add corruption|list_del corruption|'
splat_re+='WARNING: bad unlock balance|WARNING: held lock freed|'
splat_re+='lock held when returning to user space|Unable to handle kernel'

splats=$(tr -d '\r' <"$console" | grep -nE "$splat_re" | head -n 20)

print_splats() {
	local n=0 line
	while IFS= read -r line && [ $n -lt 3 ]; do
		n=$((n + 1))
		echo "# ---- kernel splat on the console (line ${line%%:*}) ----"
		tr -d '\r' <"$console" | sed -n "${line%%:*},+30p" | sed 's/^/# /'
	done <<<"$splats"
}

if [ -n "$expect_splat" ]; then
	n=0 rc=0
	IFS=, read -ra wanted <<<"$expect_splat"
	for re in "${wanted[@]}"; do
		n=$((n + 1))
		hit=$(grep -E -m1 "$re" <<<"$splats" | cut -d: -f2- | sed 's/^\[[^]]*\] //')
		if [ -n "$hit" ]; then
			echo "ok $n - vm: splat detector catches an injected '$re': $hit"
		else
			echo "not ok $n - vm: splat detector missed an injected '$re'"
			rc=1
		fi
	done
	# A miss is only meaningful if the guest got to inject: say how far
	# it got, so that a guest that hung or never booted reads as that.
	if [ $rc != 0 ]; then
		tr -d '\r' <"$results" | grep -E '^@@(boot|fatal|done)' | sed 's/^/# results: /'
		grep -q '^@@boot' "$results" || echo "# the guest never reached its init"
		echo "# ---- last lines of the console ----"
		tr -d '\r' <"$console" | tail -n 25 | sed 's/^/# /'
	fi
	echo "1..$n"
	[ -z "$splats" ] || print_splats
	exit $rc
fi

tr -d '\r' <"$results" | awk -v splats="$([ -n "$splats" ] && echo 1 || echo 0)" '
function result(status, desc) {
	n++
	if (status == "fail") { failed++; printf "not ok %d - %s\n", n, desc }
	else if (status == "skip") printf "ok %d - %s # SKIP\n", n, desc
	else printf "ok %d - %s\n", n, desc
}
function end_kunit() {
	if (kname == "") return
	if (krc != 0) result("fail", "kunit " kname ": module load failed (" krc ")")
	if (ksuites == 0 || kcases == 0) result("fail", "kunit " kname ": no KTAP output")
	else if (ksuites_done < ksuites) result("fail", "kunit " kname ": KTAP incomplete (" ksuites_done " of " ksuites " suites ended)")
	kname = ""
}
/^@@boot / { booted = 1; print "# guest: " substr($0, 8); next }
/^@@fatal / { result("fail", "vm: " substr($0, 9)); next }
/^@@kunit / {
	end_kunit(); kname = $2; krc = $3; ksuites = 0; kcases = 0; ksuites_done = 0; ksuite = ""
	next
}
/^K / {
	line = substr($0, 3)
	if (line ~ /^    # Subtest: /) { ksuite = substr(line, 16); ksuites++; next }
	if (line ~ /^(not )?ok [0-9]+ /) { ksuites_done++; next }
	if (line ~ /^    (not )?ok [0-9]+ /) {
		s = line; sub(/^    /, "", s)
		st = (s ~ /^not ok/) ? "fail" : "pass"
		sub(/^(not )?ok [0-9]+ (- )?/, "", s)
		if (s ~ /# SKIP/) st = "skip"
		sub(/ *#.*$/, "", s)
		kcases++
		result(st, "kunit " ksuite ": " s)
		next
	}
	if (line ~ /^ +# .*(ASSERTION|EXPECTATION|Expected|FAILED|:[0-9]+$)/ || line ~ /^ +# [a-z_]+: .*(fail|Expected)/)
		print "# " line
	next
}
/^@@selftest / { end_kunit(); sname = $2; sres = 0; sfail = 0; print "# selftest " sname; next }
/^S / {
	line = substr($0, 3)
	if (line ~ /^(not )?ok [0-9]+/) {
		st = (line ~ /^not ok/) ? "fail" : "pass"
		s = line; sub(/^(not )?ok [0-9]+( -)? ?/, "", s)
		if (s ~ /# [Ss][Kk][Ii][Pp]/) st = "skip"
		sres++; if (st == "fail") sfail++
		result(st, sname ": " s)
	} else if (line !~ /^1\.\.[0-9]+$/ && line !~ /^TAP version/) {
		print "#   " line
	}
	next
}
/^@@rc / {
	rc = $3
	if ($4 != "") print "# selftest " $2 ": " $4 " s"
	if (rc == 4 && sres == 0) result("skip", $2 ": skipped")
	else if (rc != 0 && rc != 4 && sfail == 0) result("fail", $2 ": exited " rc)
	else if (rc == 0 && sres == 0) result("fail", $2 ": reported no result")
	next
}
/^@@kmemleak / { end_kunit(); result($2 == 0 ? "pass" : "fail", "vm: kmemleak scan after unload (" $2 " leaks)"); next }
/^@@done/ { end_kunit(); done = 1; next }
END {
	end_kunit()
	if (!booted) result("fail", "vm: guest never reached its init")
	else result(done ? "pass" : "fail", "vm: guest ran to completion")
	result(splats ? "fail" : "pass", "vm: no kernel splat on the console")
	printf "1..%d\n", n
	exit failed ? 1 : 0
}'
rc=$?
[ -n "$splats" ] && print_splats
exit $rc
