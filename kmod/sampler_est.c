// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: estimates and 95% intervals from sampled counts, and the
 * geometric gaps of random sampling. Integer arithmetic only.
 *
 * Packets: k of the true M packets were sampled, each with probability
 * p = 1/N. The estimate is N*k; the interval is the score interval of the
 * count, the M for which (k - Mp)^2 <= z^2 * Mp * q with q = 1 - p and
 * z = 1.96:
 *
 *	M = N * (k + z^2 q / 2 +- z * sqrt(q * (k + z^2 q / 4)))
 *	  = N*k + (N-1) z^2/2 +- z * sqrt(N (N-1) k + (N-1)^2 z^2/4)
 *
 * never below k (those were seen). It behaves well for small counts too:
 * with k = 0 it is [0, 3.84 (N - 1)].
 *
 * Bytes: the Horvitz-Thompson estimate N * sum(len). With at least
 * FS_SMP_BYTES_MIN_SAMPLES sampled packets, the interval is the normal one
 * of the estimate, with the variance estimate N (N - 1) * sum(len^2), never
 * below the sampled bytes. With fewer (none at all, say) the sample says
 * too little of the lengths for that: the interval is then
 *
 *	[sum(len), sum(len) + (M_hi - k) * L]
 *
 * with M_hi the high end of the packet interval and L the longest packet
 * (max-len): the packets not sampled are at most M_hi - k, none longer than
 * L, so it holds whenever the packet interval holds (at least 95%) and L
 * bounds the lengths.
 *
 * With N = 1 both intervals are the exact count.
 */
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/overflow.h>

#include "sampler.h"

#ifndef CONFIG_ARCH_SUPPORTS_INT128
#error "flowstream's prefix sampler needs 128-bit integer arithmetic"
#endif

/* Only multiplication, addition and shifts: no library calls. */
#define fs_u128 unsigned __int128

/* z = 1.96 and z^2 in units of 1/10000 */
#define FS_Z		19600
#define FS_Z2		38416
#define FS_UNIT		10000

static u64 fs_isqrt128(fs_u128 x)
{
	fs_u128 r = 0, b = (fs_u128)1 << 126;

	while (b > x)
		b >>= 2;
	while (b) {
		if (x >= r + b) {
			x -= r + b;
			r = (r >> 1) + b;
		} else {
			r >>= 1;
		}
		b >>= 2;
	}
	return r;
}

static u64 fs_sat64(fs_u128 x)
{
	return x > U64_MAX ? U64_MAX : (u64)x;
}

/* z * sqrt(x / FS_UNIT), for x already in units of 1/FS_UNIT. */
static u64 fs_z_sqrt(fs_u128 x)
{
	/* sqrt(x / 10^4) = sqrt(x) / 100; times 1.96 = sqrt(x) * 196 / 10^4 */
	return mul_u64_u32_div(fs_isqrt128(x), FS_Z / 100, FS_UNIT);
}

/**
 * fs_smp_estimate() - estimates and 95% intervals of a window's counts
 * @s: sampled packets, bytes and sum of squared lengths
 * @rate: the sampling rate N (1 in N)
 * @max_len: the longest packet, for the byte interval of few samples
 * @e: the result; values that do not fit saturate at U64_MAX
 */
void fs_smp_estimate(const struct fs_smp_sum *s, u32 rate, u32 max_len,
		     struct fs_smp_est *e)
{
	u64 n1 = rate - 1, h, c;
	fs_u128 x;

	/* Packets */
	x = (fs_u128)rate * n1 * s->packets * FS_UNIT +
	    (fs_u128)n1 * n1 * (FS_Z2 / 4);
	h = fs_z_sqrt(x);
	e->packets = fs_sat64((fs_u128)s->packets * rate);
	c = e->packets == U64_MAX ? U64_MAX :
	    fs_sat64((fs_u128)e->packets + div_u64(n1 * FS_Z2, 2 * FS_UNIT));
	e->packets_hi = fs_sat64((fs_u128)c + h);
	e->packets_lo = max(c > h ? c - h : 0, s->packets);
	if (e->packets_lo > e->packets)
		e->packets_lo = e->packets;

	/* Bytes */
	e->bytes = fs_sat64((fs_u128)s->bytes * rate);
	if (s->packets < FS_SMP_BYTES_MIN_SAMPLES) {
		e->bytes_lo = s->bytes;
		e->bytes_hi = fs_sat64((fs_u128)s->bytes +
				       (fs_u128)(e->packets_hi - s->packets) *
				       max_len);
		/* A sample longer than max-len: the bound was wrong. */
		e->bytes_hi = max(e->bytes_hi, e->bytes);
		return;
	}
	x = (fs_u128)rate * n1 * s->sq;
	/* Keep x * FS_UNIT within 128 bits; sq < 2^64, rate < 2^25. */
	h = fs_z_sqrt(x * FS_UNIT);
	e->bytes_hi = fs_sat64((fs_u128)e->bytes + h);
	e->bytes_lo = max(e->bytes > h ? e->bytes - h : 0, s->bytes);
}

/**
 * fs_log2_q48() - log2 of an integer in fixed point with 48 fraction bits
 * @x: at least 1
 *
 * Exact to the last bit but for the truncation of each squaring.
 */
u64 fs_log2_q48(u64 x)
{
	unsigned int n = fls64(x) - 1, i;
	u64 r = (u64)n << 48;
	u64 m;

	/* The mantissa x / 2^n, in [1, 2), with 62 fraction bits. */
	m = n <= 62 ? x << (62 - n) : x >> 1;
	for (i = 1; i <= 48; i++) {
		m = ((fs_u128)m * m) >> 62;
		if (m >= 1ULL << 63) {
			m >>= 1;
			r |= 1ULL << (48 - i);
		}
	}
	return r;
}

/* -log2(1 - 1/rate) in Q48, for rate >= 2; 0 (sample everything) for 1. */
u64 fs_smp_log_q(u32 rate)
{
	if (rate < 2)
		return 0;
	return fs_log2_q48(rate) - fs_log2_q48(rate - 1);
}

/**
 * fs_smp_geometric() - packets to the next sample, at least 1
 * @log_q: fs_smp_log_q() of the rate
 * @r: 32 random bits
 *
 * With U = (r + 1) / 2^32, uniform on (0, 1], the gap 1 + floor(log U /
 * log(1 - p)) is geometric: each packet is sampled with probability p
 * whatever came before.
 */
u32 fs_smp_geometric(u64 log_q, u32 r)
{
	u64 lu, g;

	if (!log_q)
		return 1;
	lu = (32ULL << 48) - fs_log2_q48((u64)r + 1);
	g = div64_u64(lu, log_q) + 1;
	return min_t(u64, g, INT_MAX);
}
