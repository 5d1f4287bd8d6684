#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tables of "make bench" from the guest's raw lines (bench-guest.sh):
#   bench-report.sh RAW [SPREAD_PCT]
# The guest is instruction-counted (QEMU -icount shift=0, one vCPU): its
# clock advances 1 ns per instruction executed, so a guest rate of P
# packets per second is 1e9 / P instructions per packet, whatever the
# host does. Every variant is measured in several rounds; if the rounds
# of any variant disagree by more than SPREAD_PCT (default 1) percent of
# their median (twice that for the TCP part's instructions a MB: a TCP
# connection's ACKs follow its timing, and a flow's rows moved by up to
# 1.02% with them), the report says which and this script exits 1.
set -euo pipefail

raw=$1
spread=${2:-1}

awk -v spread="$spread" '
function sort(s, a,   n, i, j, t) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n
}
function median(s,   a, n) { n = sort(s, a); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function lowest(s,   a, n) { n = sort(s, a); return a[1] }
function mean(s,   a, n, i, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) t += a[i]; return n ? t / n : 0 }
function highest(s,   a, n) { n = sort(s, a); return a[n] }
function meet(c) { return c ? "met" : "NOT met" }
# the TCP targets: row A forwards at least X times row B'"'"'s packets a second
function tcp_target(a, b, x,   rp, rb) {
	if (!((a in tm_pp) && (b in tm_pp))) return
	rp = tm_pp[b] / tm_pp[a]; rb = tm_mb[b] / tm_mb[a]
	printf "target, %s %.0f vs %s %.0f instr/pkt: %.2fx the packet rate >= %dx: %s\n",
		a, tm_pp[a], b, tm_pp[b], rp, x, meet(rp >= x)
	printf "  bytes: %.1f vs %.1f thousand instr/MB, %.2fx the byte rate\n", tm_mb[a] / 1000, tm_mb[b] / 1000, rb
	if (("none" in tm_mb) && to_mb[a] > 0)
		printf "  work over none a MB: %s %+.1f, %s %+.1f thousand: %.2fx\n", b, to_mb[b] / 1000, a,
			to_mb[a] / 1000, to_mb[b] / to_mb[a]
	if ("none" in tm_mb)
		printf "  (the most this rig can show: a %s costing nothing runs at none'"'"'s rate, %.2fx %s'"'"'s bytes a second)\n",
			a, tm_mb[b] / tm_mb["none"], b
}
# spread of a list of values, in percent of its median; notes disagreement
# beyond LIMIT percent (default: spread)
function spr(what, s, limit,   m, p) {
	if (limit == "") limit = spread
	m = median(s)
	p = m ? 100 * (highest(s) - lowest(s)) / m : 0
	if (p > limit + 0) bad = bad sprintf("  %s: rounds%s, spread %.2f%% > %s%%\n", what, s, p, limit)
	return p
}
# instructions per packet from packets per guest second
function ipp(pps) { return 1e9 / pps }
$1 == "pps" {
	k = $2 " " $3; ip[k] = ip[k] " " ipp($5); r[k, $4] = ipp($5)
	if (!($4 in rseen)) { rseen[$4] = 1; rorder[nr++] = $4 }
	if (!($2 in seen)) { seen[$2] = 1; order[nv++] = $2 }
	if (!($3 in fseen)) { fseen[$3] = 1; forder[nf++] = $3 }
}
$1 == "smp" {
	sv[$2] = sv[$2] " " ipp($5); spk[$2, $4] = ipp($5); sbase[$2] = $3
	if (!($2 in sseen)) { sseen[$2] = 1; sorder[ns++] = $2 }
}
$1 == "fos" {
	fv[$2] = fv[$2] " " ipp($5); fpk[$2, $4] = ipp($5); fbase[$2] = $3
	if (!($2 in fseen2)) { fseen2[$2] = 1; forder2[nfo++] = $2 }
}
$1 == "hook" {
	k = $2 " " $3 " " $4; hv[k] = hv[k] " " $5 / 1000
	if (!(k in hseen)) { hseen[k] = 1; horder[nh++] = k }
}
$1 == "tcp" {
	# tcp VARIANT ROUND NS BUSY PACKETS IPBYTES DATAPACKETS BYTES
	v = $2; mb = $9 / 1e6
	tpp[v] = tpp[v] " " $4 / $6; tmb[v] = tmb[v] " " $4 / mb; tpm[v] = tpm[v] " " $6 / mb
	tidle[v] = tidle[v] " " ($5 >= 0 ? 100 * ($4 - $5) / $4 : 0)
	tr_pp[v, $3] = $4 / $6; tr_mb[v, $3] = $4 / mb
	if (!(v in tseen)) { tseen[v] = 1; torder[nt++] = v }
	tbytes = $9
}
$1 == "mem" { mem[nm++] = $0 }
$1 == "fosmem" { fosmem = $0 }
$1 == "mig" {
	# mig N ROUND FS_NS FS_WIRE CT_NS CT_WIRE
	n = $2; mfs[n] = mfs[n] " " $4 / n; mct[n] = mct[n] " " $6 / n
	mfw[n] = mfw[n] " " $5 / n; mcw[n] = mcw[n] " " $7 / n
	mrat[n] = mrat[n] " " $6 / $4
	if (!(n in mseen)) { mseen[n] = 1; morder[nmig++] = n }
}
END {
	# --- forwarding: each variant against none, round by round
	printf "%-11s %7s | %9s %6s | %9s %18s | %7s\n", "", "", "instr/pkt", "", "over none", "", "of ipt_"
	printf "%-11s %7s | %9s %6s | %9s %18s | %7s\n", "variant", "flows", "median", "spread", "median", "[min, max]", "NETFLOW"
	for (f = 0; f < nf; f++) {
		fl = forder[f]
		for (i = 0; i < nv; i++) {
			k = order[i] " " fl
			if (!(k in ip)) continue
			s = spr(k " flows", ip[k])
			d = ""
			for (j = 0; j < nr; j++)
				if (((k, rorder[j]) in r) && (("none " fl, rorder[j]) in r))
					d = d " " (r[k, rorder[j]] - r["none " fl, rorder[j]])
			over[k] = median(d)
			if (order[i] == "none") {
				printf "%-11s %7d | %9.0f %5.2f%% | %9s %18s | %7s\n", order[i], fl, median(ip[k]), s, "-", "", "-"
				continue
			}
			printf "%-11s %7d | %9.0f %5.2f%% | %+9.0f %18s |", order[i], fl, median(ip[k]), s, over[k],
				sprintf("[%+.0f, %+.0f]", lowest(d), highest(d))
			nk = "netflow " fl
			if ((nk in over) && over[nk] > 0) printf " %6.2fx\n", over[k] / over[nk]
			else printf " %7s\n", "-"
		}
	}
	printf "\ninstr/pkt: guest instructions per forwarded packet (pktgen, the router,\n"
	printf "the sink and whatever else the guest ran meanwhile), median of %d rounds;\n", nr
	printf "spread: (max - min) / median over the rounds; over none: the variant minus\n"
	printf "none in the same round, median and range over rounds.\n\n"
	for (f = 0; f < nf; f++) {
		fl = forder[f]
		if (!(("flowstream " fl) in over)) continue
		a = over["flowstream " fl]
		if (fl == 1000)
			printf "target, accounting at %d flows: %+.0f <= +450 instr/pkt over none: %s\n", fl, a, meet(a <= 450)
		if (("netflow " fl) in over)
			printf "target, %d flows: flowstream %+.0f <= 0.6 x ipt_NETFLOW %+.0f = %+.0f: %s\n", fl, a,
				over["netflow " fl], 0.6 * over["netflow " fl], meet(a <= 0.6 * over["netflow " fl])
		if (("noop " fl) in over)
			printf "floor, %d flows: no-op hooks at the same points %+.0f (above it, flowstream'"'"'s own work: %+.0f)\n",
				fl, over["noop " fl], a - over["noop " fl]
	}

	# --- sampling blocks: each variant against its baseline, round by round
	if (ns) {
		printf "\n\nsampling at 1,000 flows: each variant against its block'"'"'s baseline in the same round\n"
		printf "%-13s %-8s | %9s %6s | %9s %18s\n", "", "", "instr/pkt", "", "over baseline", ""
		printf "%-13s %-8s | %9s %6s | %9s %18s\n", "variant", "baseline", "median", "spread", "median", "[min, max]"
		for (i = 0; i < ns; i++) {
			k = sorder[i]; d = ""
			s = spr(k, sv[k])
			if (sbase[k] == "-") {
				printf "%-13s %-8s | %9.0f %5.2f%% | %9s\n", k, "-", median(sv[k]), s, "-"
				continue
			}
			for (j = 1; (k, j) in spk; j++)
				if ((sbase[k], j) in spk) d = d " " (spk[k, j] - spk[sbase[k], j])
			c[k] = median(d)
			printf "%-13s %-8s | %9.0f %5.2f%% | %+9.0f %18s\n", k, sbase[k], median(sv[k]), s, c[k],
				sprintf("[%+.0f, %+.0f]", lowest(d), highest(d))
		}
		printf "\n"
		if (("smp-r16M-1k" in c) && ("noop-smp" in c))
			printf "target, unsampled packet: sampler %+.0f <= 1.2 x no-op hook %+.0f = %+.0f instr/pkt: %s\n",
				c["smp-r16M-1k"], c["noop-smp"], 1.2 * c["noop-smp"], meet(c["smp-r16M-1k"] <= 1.2 * c["noop-smp"])
		if (("smp-r1-10" in c) && ("smp-r1-10k" in c))
			printf "target, every packet sampled: 10,000 prefixes %+.0f <= 1.5 x 10 prefixes %+.0f = %+.0f: %s\n",
				c["smp-r1-10k"], c["smp-r1-10"], 1.5 * c["smp-r1-10"], meet(c["smp-r1-10k"] <= 1.5 * c["smp-r1-10"])
		if (("smp-r100-1k" in c) && ("tc-sample" in c))
			printf "target, 1 in 100 over 1,000 prefixes: flowstream %+.0f <= tc act_sample %+.0f: %s\n",
				c["smp-r100-1k"], c["tc-sample"], meet(c["smp-r100-1k"] <= c["tc-sample"])
		if (("smp-r16M-1k" in c) && ("acct-1k" in c))
			printf "unsampled packet against accounting (acct-1k %+.0f): %.3f of it\n",
				c["acct-1k"], c["acct-1k"] ? c["smp-r16M-1k"] / c["acct-1k"] : 0
	}

	# --- FlowOS: each variant against none in the same round
	if (nfo) {
		printf "\n\nFlowOS at 1,000 flows: each variant against none (the modules loaded, nothing\n"
		printf "of theirs in the packet path) in the same round\n"
		printf "%-10s | %9s %6s | %9s %18s | %9s\n", "", "instr/pkt", "", "over none", "", "of plain"
		printf "%-10s | %9s %6s | %9s %18s | %9s\n", "variant", "median", "spread", "median", "[min, max]", "forwarding"
		for (i = 0; i < nfo; i++) {
			k = forder2[i]; d = ""
			s = spr("fos " k, fv[k])
			fm[k] = median(fv[k])
			if (fbase[k] == "-") {
				printf "%-10s | %9.0f %5.2f%% | %9s %18s | %9s\n", k, fm[k], s, "-", "", "-"
				continue
			}
			for (j = 1; (k, j) in fpk; j++)
				if ((fbase[k], j) in fpk) d = d " " (fpk[k, j] - fpk[fbase[k], j])
			fc[k] = median(d)
			printf "%-10s | %9.0f %5.2f%% | %+9.0f %18s | %9.3f\n", k, fm[k], s, fc[k],
				sprintf("[%+.0f, %+.0f]", lowest(d), highest(d)), fm[fbase[k]] / fm[k]
		}
		printf "\nof plain forwarding: none'"'"'s instr/pkt / the variant'"'"'s, i.e. its packet rate\n"
		printf "as a share of none'"'"'s. fos-flow: one flow matching everything, no PM (a\n"
		printf "session that holds nothing passes its packets at once: classifier and\n"
		printf "session lookup, no thread); fos-merge: that flow building a tcp stream,\n"
		printf "so the UDP packets are taken and sent on by the merger thread, no PM;\n"
		printf "fos-count: the count PM attached (packets taken, counted by the stage\n"
		printf "thread, sent on by the merger thread);\n"
		printf "nfq-count: fs-nfq counting the same per session and direction in a\n"
		printf "process, behind nft '"'"'queue num 0'"'"' in the router'"'"'s forward hook (copy 128\n"
		printf "bytes, GSO, fail-open off, batch verdicts); nfq-scan: fs-nfq also\n"
		printf "searching each payload for a pattern (memmem; absent, so every byte is\n"
		printf "read); cls-N: N FlowOS flows of four match shapes (four mask groups\n"
		printf "from 4 flows on) the traffic does not match, each shape with a field\n"
		printf "the traffic'"'"'s flows differ in (its keys spread over the buckets), no\n"
		printf "catch-all, so it passes untouched after the classifier'"'"'s lookup.\n"
		printf "FlowOS'"'"'s work in kernel threads and fs-nfq'"'"'s in a process are both in\n"
		printf "the figures: the guest has one vCPU and its clock counts every\n"
		printf "instruction it executes, whichever task runs it. Each measurement sets\n"
		printf "its variant up afresh and checks every packet delivered and counted.\n\n"
		if (("fos-flow" in fm) && ("none" in fm))
			printf "target, flow without PM: %.0f / %.0f = %.3f of plain forwarding >= 0.90: %s\n",
				fm["none"], fm["fos-flow"], fm["none"] / fm["fos-flow"], meet(fm["none"] / fm["fos-flow"] >= 0.9)
		if (("fos-count" in fm) && ("nfq-count" in fm)) {
			printf "target, fos-count %.0f vs nfq-count %.0f instr/pkt: %.2fx the packet rate >= 5x: %s\n",
				fm["fos-count"], fm["nfq-count"], fm["nfq-count"] / fm["fos-count"],
				meet(fm["nfq-count"] / fm["fos-count"] >= 5)
			if ("none" in fm)
				printf "  (the most this rig can show: a count costing nothing runs at none'"'"'s %.0f,\n  %.2fx nfq-count'"'"'s rate; pktgen, the router and the sink share the vCPU)\n",
					fm["none"], fm["nfq-count"] / fm["none"]
		}
		if (("fos-count" in fc) && ("nfq-count" in fc) && fc["fos-count"] > 0)
			printf "target, work per packet over none: NFQUEUE count %+.0f = %.2fx count PM %+.0f >= 5x: %s\n",
				fc["nfq-count"], fc["nfq-count"] / fc["fos-count"], fc["fos-count"],
				meet(fc["nfq-count"] >= 5 * fc["fos-count"])
		if (("nfq-scan" in fm) && ("fos-count" in fm))
			printf "nfq-scan: %.0f instr/pkt, %.2fx fos-count'"'"'s packet rate\n",
				fm["nfq-scan"], fm["nfq-scan"] / fm["fos-count"]
		if (("cls-10" in fc) && ("cls-1k" in fc)) {
			if ("cls-1" in fc) printf "classifier, 1 flow (one mask group) over none: %+.0f instr/pkt\n", fc["cls-1"]
			printf "classifier over 10 flows:"
			if ("cls-100" in fc) printf " 100 flows %+.0f,", fm["cls-100"] - fm["cls-10"]
			printf " 1,000 flows %+.0f instr/pkt\n", fm["cls-1k"] - fm["cls-10"]
			printf "target, classifier: 1,000 flows %+.0f <= 2 x 10 flows %+.0f = %+.0f over none (%.2fx): %s\n",
				fc["cls-1k"], fc["cls-10"], 2 * fc["cls-10"],
				(fc["cls-10"] > 0 ? fc["cls-1k"] / fc["cls-10"] : 0), meet(fc["cls-1k"] <= 2 * fc["cls-10"])
		}
	}

	# --- FlowOS with TCP: each variant against none in the same round
	if (nt) {
		printf "\n\nFlowOS with TCP: %d bytes (%.0f MB) through the router, one connection;\n", tbytes, tbytes / 1e6
		printf "each variant against none in the same round, %d rounds; the mean instr/MB\n(thousand):", split(tmb[torder[0]], tmp, " ")
		for (i = 0; i < nt; i++) printf " %s %.1f%s", torder[i], mean(tmb[torder[i]]) / 1000, i < nt - 1 ? "," : "\n"
		printf "%-9s %6s | %8s %6s %8s | %9s %6s %9s | %7s %7s | %5s\n", "", "pkts", "instr/", "", "over", "instr/MB", "", "over", "pps of", "MB/s of", "idle"
		printf "%-9s %6s | %8s %6s %8s | %9s %6s %9s | %7s %7s | %5s\n", "variant", "/MB", "pkt", "spread", "none", "(x1000)", "spread", "none", "none", "none", "%"
		for (i = 0; i < nt; i++) {
			k = torder[i]; dp = ""; dm = ""
			s1 = spr("tcp " k " instr/MB", tmb[k], 2 * spread)
			s2 = median(tpp[k]) ? 100 * (highest(tpp[k]) - lowest(tpp[k])) / median(tpp[k]) : 0
			tm_pp[k] = median(tpp[k]); tm_mb[k] = median(tmb[k])
			for (j = 1; (k, j) in tr_pp; j++)
				if (("none", j) in tr_pp) {
					dp = dp " " (tr_pp[k, j] - tr_pp["none", j])
					dm = dm " " (tr_mb[k, j] - tr_mb["none", j])
				}
			to_pp[k] = median(dp); to_mb[k] = median(dm)
			if (k == "none")
				printf "%-9s %6.1f | %8.0f %5.2f%% %8s | %9.1f %5.2f%% %9s | %7s %7s | %5.2f\n", k, median(tpm[k]),
					tm_pp[k], s2, "-", tm_mb[k] / 1000, s1, "-", "-", "-", median(tidle[k])
			else
				printf "%-9s %6.1f | %8.0f %5.2f%% %+8.0f | %9.1f %5.2f%% %+9.1f | %7.3f %7.3f | %5.2f\n", k, median(tpm[k]),
					tm_pp[k], s2, to_pp[k], tm_mb[k] / 1000, s1, to_mb[k] / 1000,
					("none" in tm_pp) ? tm_pp["none"] / tm_pp[k] : 0,
					("none" in tm_mb) ? tm_mb["none"] / tm_mb[k] : 0, median(tidle[k])
		}
		printf "\nfs-tcpbulk sends the bytes from g0 in writes of 64 KiB to a receiver in the\n"
		printf "sink namespace that checks every byte; the stream repeats 1,000 bytes ending\n"
		printf "in the pattern flowstream-bench (one occurrence a kB). Sender and receiver\n"
		printf "share the one vCPU with the router, the threads and the NFQUEUE program:\n"
		printf "every instruction the guest runs is counted. instr/pkt: the sender'"'"'s guest\n"
		printf "time from before connect to the receiver'"'"'s close over the packets the\n"
		printf "router forwarded both ways (data and ACKs: TSO/GSO packets of up to 64 KiB\n"
		printf "stay whole, so pkts/MB is what the connection made of the bytes, and may\n"
		printf "differ between variants); instr/MB: over the MB sent (1e6 bytes); over\n"
		printf "none: minus none in the same round (median); pps/MB/s of none: none'"'"'s\n"
		printf "instr/pkt (instr/MB) over the row'"'"'s, its packet (byte) rate as a share\n"
		printf "of none'"'"'s; idle: guest time no task ran (/proc/schedstat), in the figures.\n"
		printf "fos-tcp: a flow building the tcp stream, no PM; fos-match: the match PM\n"
		printf "counting flowstream-bench; fos-pipe: replace (flowstream-bench ->\n"
		printf "FLOWSTREAM-BENCH), then match (of the replacement) and count side by\n"
		printf "side; nfq-scan: fs-nfq copying whole packets and counting the pattern'"'"'s\n"
		printf "occurrences in each (memmem); nfq-count: fs-nfq counting packets and bytes\n"
		printf "per session and direction (128 bytes copied). Checked in every round:\n"
		printf "the receiver got the stream byte for byte (replaced for fos-pipe); the\n"
		printf "router sent on all it took; the flow took and sent every forwarded packet;\n"
		printf "match found every occurrence, replace replaced every one, count and\n"
		printf "fs-nfq counted every forwarded packet and IP byte.\n\n"
		tcp_target("fos-match", "nfq-scan", 3)
		tcp_target("fos-pipe", "nfq-count", 2)
	}

	# --- single hook calls
	if (nh) {
		printf "\n\none hook call (fs-hookbench.ko: 200,000 calls through the hook'"'"'s entry, BHs\n"
		printf "off), router namespace, 1,000 prefixes; baseline: a function that only\n"
		printf "returns NF_ACCEPT\n"
		printf "%-16s %-12s %11s | %10s %6s %10s\n", "state", "hook", "priority", "instr/call", "spread", "+baseline"
		for (i = 0; i < nh; i++) {
			split(horder[i], hf, " "); m[horder[i]] = median(hv[horder[i]])
			if (hf[2] == "baseline") b[hf[1]] = m[horder[i]]
		}
		for (i = 0; i < nh; i++) {
			split(horder[i], hf, " ")
			s = spr("hook " horder[i], hv[horder[i]])
			printf "%-16s %-12s %11s | %10.1f %5.2f%% %+10.1f\n", hf[1], hf[2], hf[3], m[horder[i]], s, m[horder[i]] - b[hf[1]]
		}
	}

	# --- memory
	if (nm) {
		printf "\n\nmemory per flow record at 1,000,000 records (bytes)\n"
		printf "%-11s %8s %8s %11s %10s %12s %15s\n", "variant", "records", "objsize", "slab/rec", "hash/rec", "slab+hash", "MemFree drop/rec"
		for (i = 0; i < nm; i++) {
			split(mem[i], x, " ")
			n = x[3] > 0 ? x[3] : 1
			printf "%-11s %8d %8d %11.1f %10.1f %12.1f %15.1f\n", x[2], x[3], x[7], x[4] / n, x[5] / n, (x[4] + x[5]) / n, x[6] / n
			if (x[2] == "flowstream") fsm = (x[4] + x[5]) / n
		}
		printf "\ntarget: flowstream %.1f bytes per record (slab+hash) <= 124.7: %s\n", fsm, meet(fsm <= 124.7)
		printf "slab/rec: growth of all slab caches while the table filled; hash/rec: the\n"
		printf "hash table (same bucket count for all); MemFree drop: from before the module\n"
		printf "was loaded to the full table, everything included (page cache and other\n"
		printf "allocations move it by a few bytes a record: a cross-check, not the figure).\n"
	}
	if (fosmem != "") {
		split(fosmem, x, " ")
		printf "\n\nFlowOS: one flow with count, %d UDP sessions live, %d packets held\n", x[2], x[6]
		printf "memory per session (slab growth / sessions, upper bound): %.1f bytes\n", (x[2] > 0 ? x[3] / x[2] : 0)
		printf "threads: %d flowstream/ kernel threads on %d CPUs, whatever the flows and sessions\n", x[4], x[5]
	}
	# --- state migration against conntrackd
	if (nmig) {
		printf "\n\nstate migration: N states from A to B (flowstream records, conntrackd entries)\n"
		printf "%8s | %10s %9s %6s %7s | %10s %9s %6s %7s | %6s\n", "", "flowstream", "", "", "", "conntrackd", "", "", "", ""
		printf "%8s | %10s %9s %6s %7s | %10s %9s %6s %7s | %6s\n", "states", "states/s", "instr/st", "spread", "B/st",
			"states/s", "instr/st", "spread", "B/st", "ratio"
		worst = 0
		for (i = 0; i < nmig; i++) {
			n = morder[i]
			sf = spr("mig flowstream " n, mfs[n]); sc = spr("mig conntrackd " n, mct[n])
			mgf = median(mfs[n]); mgc = median(mct[n]); mgr = median(mrat[n])
			printf "%8d | %10.0f %9.0f %5.2f%% %7.1f | %10.0f %9.0f %5.2f%% %7.1f | %5.2fx\n", n, 1e9 / mgf, mgf, sf,
				median(mfw[n]), 1e9 / mgc, mgc, sc, median(mcw[n]), mgr
			if (i == 0 || mgr < worst) worst = mgr
			mgn[i] = n; mgft[i] = mgf * n; mgct[i] = mgc * n
		}
		# what one state more costs, apart from the fixed part (processes
		# started, daemons started, tables walked): the growth
		# of the whole from one N to the next
		if (nmig > 1) {
			printf "\n%17s | %23s | %23s | %6s\n", "", "flowstream", "conntrackd", ""
			printf "%17s | %10s %12s | %10s %12s | %6s\n", "from N to N", "instr/st", "fixed Minstr", "instr/st",
				"fixed Minstr", "ratio"
			for (i = 1; i < nmig; i++) {
				dn = mgn[i] - mgn[i - 1]
				if (dn <= 0) continue
				df = (mgft[i] - mgft[i - 1]) / dn; dc = (mgct[i] - mgct[i - 1]) / dn
				printf "%7d to %7d | %10.0f %12.1f | %10.0f %12.1f | %5.2fx\n", mgn[i - 1], mgn[i], df,
					(mgft[i] - df * mgn[i]) / 1e6, dc, (mgct[i] - dc * mgn[i]) / 1e6, (df > 0 ? dc / df : 0)
			}
		}
		printf "\nstates/s: states a guest second (one vCPU, 1 ns an instruction) from the\n"
		printf "start to B holding all N in its kernel table; instr/st: instructions a\n"
		printf "state; B/st: bytes A sent on the A-B link a state; ratio: conntrackd'"'"'s\n"
		printf "instructions over flowstream'"'"'s in the same round, median of %d rounds;\n", split(mfs[morder[0]], x, " ")
		printf "from N to N: the medians'"'"' growth a state between two N (the cost of one\n"
		printf "state more) and the fixed part it leaves (processes and daemons started,\n"
		printf "tables walked).\n"
		printf "target, migration: flowstream >= 4x conntrackd'"'"'s states/s at every N (lowest %.2fx): %s\n",
			worst, meet(worst >= 4)
	}
	if (bad != "") {
		printf "\nREPEATS DISAGREE (more than %s%% between rounds):\n%s", spread, bad
		exit 1
	}
	printf "\nevery variant'"'"'s rounds agree within %s%%%s\n", spread, nt ? sprintf(" (TCP rows: %s%%)", 2 * spread) : ""
}' "$raw"
