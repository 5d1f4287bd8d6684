#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a test kernel under QEMU, load flowstream, run tests, report.
#
# usage: run.sh [options]
#   -k debug|stock  kernel: the debug kernel built by build-kernel.sh (9P
#                   root: the guest sees this host's files read-only) or
#                   Debian's stock cloud kernel (self-contained initramfs)
#   -m KO           module to load before the tests (repeatable)
#   -u KO           KUnit module to load and report (repeatable, debug)
#   -t TEST         selftest script to run (repeatable)
#   -e NAME=VALUE   environment for the tests (repeatable)
#   -f FILE         one more file the tests need, at its own path (stock;
#                   the 9P guest sees the host's files anyway; repeatable)
#   -b BIN          one more binary, with its libraries (stock; repeatable)
#   -K MODULE       one more module of the stock kernel, with what it
#                   depends on, loaded before the tests (stock; repeatable)
#   -M MIB          guest memory (default 1024)
#   -s              interactive shell on the console after the tests
#   -o DIR          keep console.log and results.log in DIR
#   -T SECONDS      time limit for the whole VM run (default 1200)
#   -A ARGS         append ARGS to the guest kernel's command line, e.g.
#                   possible_cpus=64 (repeatable)
#   -x RE[,RE...]   the harness's own self-test: expect kernel splats
#                   matching each extended regex, and succeed only if
#                   every one is detected
#   -I              instruction-counted guest (stock): one vCPU, QEMU's
#                   -icount shift=0,sleep=off, so guest time advances 1 ns
#                   per instruction executed and an idle guest skips
#                   ahead to its next timer; for make bench
#
# Prints one TAP line per test result ("ok N - ..." / "not ok N - ..."),
# then any kernel splat found on the console, and exits 0 only if every
# test passed, the guest finished, and the console shows no splat.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${FLOWSTREAM_CACHE:-$HOME/.cache/flowstream}

kind=debug preload=() kunit=() tests=() envs=() shell=0 outdir= limit=1200
expect_splat= files=() bins=() kmods=() mem=1024 icount=0 cmdline=()
while getopts "k:m:u:t:e:f:b:K:M:so:T:x:IA:" opt; do
	case $opt in
	k) kind=$OPTARG ;;
	m) preload+=("$(realpath "$OPTARG")") ;;
	u) kunit+=("$(realpath "$OPTARG")") ;;
	t) tests+=("$(realpath "$OPTARG")") ;;
	e) envs+=("$OPTARG") ;;
	f) files+=("$(realpath "$OPTARG")") ;;
	b) bins+=("$(realpath -s "$OPTARG")") ;;
	K) kmods+=("$OPTARG") ;;
	M) mem=$OPTARG ;;
	s) shell=1 ;;
	o) outdir=$OPTARG ;;
	T) limit=$OPTARG ;;
	x) expect_splat=$OPTARG ;;
	I) icount=1 ;;
	A) cmdline+=("$OPTARG") ;;
	*) sed -n '4,33p' "$0" >&2; exit 2 ;;
	esac
done

mkdir -p "$cache/runs"
if [ -z "$outdir" ]; then
	outdir=$(mktemp -d "$cache/runs/run.XXXXXX")
else
	mkdir -p "$outdir"
	outdir=$(realpath "$outdir")
fi
console=$outdir/console.log
results=$outdir/results.log
: >"$console"
: >"$results"

# The 9P guest mounts tmpfs on /tmp and /run. Host directories under /tmp
# that it needs are bind-mounted back (FS_KEEP); /run cannot be.
keep=()
for f in "$repo" "$cache" "$outdir" "${preload[@]}" "${kunit[@]}" "${tests[@]}" "${files[@]}"; do
	f=$(realpath -m "$f")
	[ -d "$f" ] || f=$(dirname "$f")
	case $f in
	/tmp/*) keep+=("$f") ;;
	/run/*) echo "run.sh: $f: the guest cannot see files under /run" >&2
		exit 2 ;;
	esac
done

plan() {
	printf 'FS_PRELOAD="%s"\n' "$1"
	printf 'FS_KUNIT_DEPS="%s"\n' "$2"
	printf 'FS_KUNIT="%s"\n' "${kunit[*]}"
	printf 'FS_TESTS="%s"\n' "${tests[*]}"
	printf 'FS_SHELL=%s\n' "$shell"
	# The harness self-test leaves objects behind on purpose.
	printf 'FS_KMEMLEAK=%s\n' "$([ -n "$expect_splat" ] && echo 0 || echo 1)"
	printf 'FS_ENV="%s"\n' "${envs[*]} FS_KIND=$kind FS_REPO=$repo"
	printf 'FS_KEEP="%s"\n' "${keep[*]}"
}

# No 5-level paging: 6.1 with KASAN reports a "wild-memory-access" when
# an interrupt lands while identify_boot_cpu() has the CPU feature bits
# (LA57 among them) cleared, after interrupts are already on; seen in CI.
qemu=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max,la57=off -smp 2 -m "$mem"
      -nodefaults -nographic -no-reboot)
append="console=ttyS0,115200 panic=-1 printk.devkmsg=on"

case $kind in
debug)
	kdir=$("$here/build-kernel.sh" "$here/debug.config") || exit 1
	plan "${preload[*]}" "${kunit[*]:+$kdir/lib/kunit/kunit.ko}" >"$outdir/plan"
	qemu+=(-kernel "$kdir/arch/x86/boot/bzImage"
	       -virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap)
	# tinyconfig's ACPI cannot evaluate QEMU's PCI routing (_PRT) under
	# TCG in time; the PIRQ table works.
	append+=" pci=noacpi"
	append+=" root=root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose"
	append+=" ro init=$here/guest-init.sh FS_PLAN=$outdir/plan FS_ROOT=9p"
	;;
stock)
	[ ${#kunit[@]} -eq 0 ] || { echo "run.sh: the stock kernel has no KUnit" >&2; exit 2; }
	kver=${FLOWSTREAM_STOCK_KVER:-$(cd /boot && ls vmlinuz-6.1.*-cloud-amd64 2>/dev/null |
					sort -V | tail -n1 | sed 's/^vmlinuz-//')}
	[ -n "$kver" ] || { echo "run.sh: no stock cloud kernel in /boot" >&2; exit 1; }
	initargs=()
	for f in "${bins[@]}"; do
		initargs+=(-b "$f")
	done
	for m in "${kmods[@]}"; do
		initargs+=(-m "$m")
	done
	plan "$(for m in $("$here/initramfs.sh" -k "$kver" -l veth "${kmods[@]}"); do printf '%s ' "$m"; done)${preload[*]}" "" \
		>"$outdir/plan" || exit 1
	"$here/initramfs.sh" -k "$kver" -p "$outdir/plan" -o "$outdir/initramfs.cpio.gz" \
		-f "$here/guest-init.sh" "${initargs[@]}" \
		-- "${preload[@]}" "${tests[@]}" "${files[@]}" || exit 1
	# Debian's kernel patches jump labels (netfilter's nf_hooks_needed
	# among them) while other CPUs run that code; under multi-threaded
	# TCG this was seen to leave both vCPUs spinning at the patched
	# site. One TCG thread still emulates two CPUs.
	qemu[2]=tcg,thread=single
	# Instruction counting needs one vCPU: with two, the guest hung at
	# the secondary CPU's bring-up.
	[ $icount = 0 ] || qemu[6]=1
	[ $icount = 0 ] || qemu+=(-icount shift=0,sleep=off)
	qemu+=(-kernel "/boot/vmlinuz-$kver" -initrd "$outdir/initramfs.cpio.gz")
	append+=" rdinit=/init FS_PLAN=/plan FS_ROOT=initramfs"
	;;
*)
	echo "run.sh: unknown kernel kind '$kind'" >&2; exit 2 ;;
esac
[ $icount = 0 ] || [ "$kind" = stock ] ||
	{ echo "run.sh: -I is for the stock kernel" >&2; exit 2; }
[ ${#cmdline[@]} -eq 0 ] || append+=" ${cmdline[*]}"

if [ $shell = 1 ]; then
	qemu+=(-serial mon:stdio -serial "file:$results")
	qemu+=(-append "$append")
	"${qemu[@]}" | tee "$console"
else
	qemu+=(-serial "file:$console" -serial "file:$results" -append "$append")
	timeout --foreground "$limit" "${qemu[@]}" </dev/null >"$outdir/qemu.log" 2>&1
	qrc=$?
	[ $qrc -eq 124 ] && echo "@@fatal VM did not finish within $limit s" >>"$results"
	[ $qrc -ne 0 ] && [ $qrc -ne 124 ] && echo "@@fatal qemu exited $qrc: $(tail -n3 "$outdir/qemu.log")" >>"$results"
fi

exec "$here/parse-results.sh" ${expect_splat:+-x "$expect_splat"} "$results" "$console"
