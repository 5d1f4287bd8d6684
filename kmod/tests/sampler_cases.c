// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for prefix sampling: the radix tree, sub-prefix arithmetic,
 * the estimator, the geometric gaps and the windows of the sampler.
 * Included by kunit.c.
 */
#include <linux/inet.h>

/* --- the tree --------------------------------------------------------- */

static void fs_test_pkey4(const char *s, u64 *key)
{
	__be32 a;

	WARN_ON(!in4_pton(s, -1, (u8 *)&a, -1, NULL));
	fs_smp_key_from_addr(AF_INET, &a, key);
}

static void fs_test_pkey6(const char *s, u64 *key)
{
	struct in6_addr a;

	WARN_ON(!in6_pton(s, -1, a.s6_addr, -1, NULL));
	fs_smp_key_from_addr(AF_INET6, &a, key);
}

/* Values are small tags; the tree never dereferences them. */
#define FS_TAG(n)	((void *)(unsigned long)(n))

static void *fs_test_lookup4(struct fs_rt *t, const char *addr)
{
	u64 key[2];

	fs_test_pkey4(addr, key);
	return fs_rt_lookup(t, key);
}

static int fs_test_insert4(struct fs_rt *t, const char *addr, u8 plen,
			   unsigned long tag)
{
	u64 key[2];

	fs_test_pkey4(addr, key);
	return fs_rt_insert(t, key, plen, FS_TAG(tag));
}

static void *fs_test_delete4(struct fs_rt *t, const char *addr, u8 plen)
{
	u64 key[2];

	fs_test_pkey4(addr, key);
	return fs_rt_delete(t, key, plen);
}

static void fs_rt_lpm4_test(struct kunit *test)
{
	struct fs_rt t;

	fs_rt_init(&t, 32);
	KUNIT_EXPECT_NULL(test, fs_test_lookup4(&t, "10.0.0.1"));
	KUNIT_ASSERT_EQ(test, fs_test_insert4(&t, "10.0.0.0", 8, 1), 0);
	KUNIT_ASSERT_EQ(test, fs_test_insert4(&t, "10.1.2.0", 24, 3), 0);
	KUNIT_ASSERT_EQ(test, fs_test_insert4(&t, "10.1.0.0", 16, 2), 0);
	KUNIT_ASSERT_EQ(test, fs_test_insert4(&t, "192.168.0.0", 16, 4), 0);
	KUNIT_EXPECT_EQ(test, fs_test_insert4(&t, "10.1.0.0", 16, 9), -EEXIST);

	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "10.1.2.3"), FS_TAG(3));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "10.1.3.1"), FS_TAG(2));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "10.2.0.0"), FS_TAG(1));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "10.255.255.255"), FS_TAG(1));
	KUNIT_EXPECT_NULL(test, fs_test_lookup4(&t, "11.0.0.0"));
	KUNIT_EXPECT_NULL(test, fs_test_lookup4(&t, "9.255.255.255"));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "192.168.255.255"), FS_TAG(4));
	KUNIT_EXPECT_NULL(test, fs_test_lookup4(&t, "192.169.0.0"));

	/* The /16 in the middle goes: the /24 and the /8 stay. */
	KUNIT_EXPECT_PTR_EQ(test, fs_test_delete4(&t, "10.1.0.0", 16), FS_TAG(2));
	KUNIT_EXPECT_NULL(test, fs_test_delete4(&t, "10.1.0.0", 16));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "10.1.3.1"), FS_TAG(1));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "10.1.2.200"), FS_TAG(3));
	/* Not a monitored prefix, though inside one. */
	KUNIT_EXPECT_NULL(test, fs_test_delete4(&t, "10.1.2.0", 23));
	KUNIT_EXPECT_NULL(test, fs_test_delete4(&t, "10.0.0.0", 7));

	KUNIT_EXPECT_PTR_EQ(test, fs_test_delete4(&t, "10.0.0.0", 8), FS_TAG(1));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_delete4(&t, "10.1.2.0", 24), FS_TAG(3));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_delete4(&t, "192.168.0.0", 16), FS_TAG(4));
	KUNIT_EXPECT_EQ(test, t.nodes, 0);
	KUNIT_EXPECT_NULL(test, rcu_access_pointer(t.root));
	rcu_barrier();
}

static void fs_rt_edges4_test(struct kunit *test)
{
	struct fs_rt t;

	fs_rt_init(&t, 32);
	KUNIT_ASSERT_EQ(test, fs_test_insert4(&t, "1.2.3.4", 32, 2), 0);
	KUNIT_EXPECT_NULL(test, fs_test_lookup4(&t, "1.2.3.5"));
	KUNIT_ASSERT_EQ(test, fs_test_insert4(&t, "0.0.0.0", 0, 1), 0);
	KUNIT_ASSERT_EQ(test, fs_test_insert4(&t, "255.255.255.255", 32, 3), 0);
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "1.2.3.4"), FS_TAG(2));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "1.2.3.5"), FS_TAG(1));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "0.0.0.0"), FS_TAG(1));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "255.255.255.255"), FS_TAG(3));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "255.255.255.254"), FS_TAG(1));
	KUNIT_EXPECT_EQ(test, fs_test_insert4(&t, "0.0.0.0", 0, 5), -EEXIST);
	KUNIT_EXPECT_PTR_EQ(test, fs_test_delete4(&t, "0.0.0.0", 0), FS_TAG(1));
	KUNIT_EXPECT_NULL(test, fs_test_lookup4(&t, "1.2.3.5"));
	KUNIT_EXPECT_PTR_EQ(test, fs_test_lookup4(&t, "1.2.3.4"), FS_TAG(2));
	fs_rt_destroy(&t, NULL);
	KUNIT_EXPECT_EQ(test, t.nodes, 0);
	rcu_barrier();
}

static void fs_rt_v6_test(struct kunit *test)
{
	static const struct {
		const char *addr;
		u8 plen;
	} pfx[] = {
		{ "::", 0 },
		{ "2001:db8::", 32 },
		{ "2001:db8:0:1::", 64 },
		{ "2001:db8:0:1:8000::", 65 },
		{ "2001:db8::1", 128 },
		{ "2001:db8::", 127 },
	};
	static const struct {
		const char *addr;
		int want;	/* index in pfx[] */
	} look[] = {
		{ "2001:db9::", 0 },
		{ "2001:db8:ffff::", 1 },
		{ "2001:db8:0:1:7fff:ffff:ffff:ffff", 2 },
		{ "2001:db8:0:1:8000::1", 3 },
		{ "2001:db8::1", 4 },
		{ "2001:db8::", 5 },
		{ "2001:db8::2", 1 },
	};
	struct fs_rt t;
	u64 key[2];
	int i;

	fs_rt_init(&t, 128);
	for (i = 0; i < ARRAY_SIZE(pfx); i++) {
		fs_test_pkey6(pfx[i].addr, key);
		KUNIT_ASSERT_EQ(test, fs_rt_insert(&t, key, pfx[i].plen,
						   FS_TAG(i + 1)), 0);
	}
	for (i = 0; i < ARRAY_SIZE(look); i++) {
		fs_test_pkey6(look[i].addr, key);
		KUNIT_EXPECT_PTR_EQ_MSG(test, fs_rt_lookup(&t, key),
					FS_TAG(look[i].want + 1), "%s",
					look[i].addr);
	}
	for (i = ARRAY_SIZE(pfx) - 1; i >= 0; i--) {
		fs_test_pkey6(pfx[i].addr, key);
		KUNIT_EXPECT_PTR_EQ(test, fs_rt_delete(&t, key, pfx[i].plen),
				    FS_TAG(i + 1));
	}
	KUNIT_EXPECT_EQ(test, t.nodes, 0);
	rcu_barrier();
}

static void fs_rt_overlap_test(struct kunit *test)
{
	struct fs_rt t;
	u64 key[2];

	fs_rt_init(&t, 32);
	KUNIT_ASSERT_EQ(test, fs_test_insert4(&t, "10.1.0.0", 16, 1), 0);
	KUNIT_ASSERT_EQ(test, fs_test_insert4(&t, "10.3.0.0", 16, 2), 0);
	fs_test_pkey4("10.0.0.0", key);
	KUNIT_EXPECT_NOT_NULL(test, fs_rt_overlap(&t, key, 8));	/* holds both */
	KUNIT_EXPECT_NOT_NULL(test, fs_rt_overlap(&t, key, 14));
	KUNIT_EXPECT_NULL(test, fs_rt_overlap(&t, key, 16));
	fs_test_pkey4("10.1.2.0", key);
	KUNIT_EXPECT_PTR_EQ(test, fs_rt_overlap(&t, key, 24), FS_TAG(1));
	fs_test_pkey4("10.1.0.0", key);
	KUNIT_EXPECT_PTR_EQ(test, fs_rt_overlap(&t, key, 16), FS_TAG(1));
	fs_test_pkey4("10.2.0.0", key);
	KUNIT_EXPECT_NULL(test, fs_rt_overlap(&t, key, 16));
	KUNIT_EXPECT_PTR_EQ(test, fs_rt_overlap(&t, key, 15), FS_TAG(2));
	fs_test_pkey4("0.0.0.0", key);
	KUNIT_EXPECT_NOT_NULL(test, fs_rt_overlap(&t, key, 0));
	fs_rt_destroy(&t, NULL);
	rcu_barrier();
}

/* Longest match by brute force over @n prefixes. */
static int fs_test_brute(const u64 (*keys)[2], const u8 *plen, const bool *in,
			 int n, const u64 *addr)
{
	int i, best = -1;

	for (i = 0; i < n; i++)
		if (in[i] && fs_rt_prefix_match(keys[i], addr, plen[i]) &&
		    (best < 0 || plen[i] > plen[best]))
			best = i;
	return best;
}

/* Random prefixes and addresses, the tree against brute force. */
static void fs_rt_random_test(struct kunit *test)
{
	enum { NPFX = 300, NADDR = 3000 };
	u64 (*keys)[2] = kunit_kcalloc(test, NPFX, sizeof(*keys), GFP_KERNEL);
	u8 *plen = kunit_kzalloc(test, NPFX, GFP_KERNEL);
	bool *in = kunit_kcalloc(test, NPFX, sizeof(bool), GFP_KERNEL);
	struct rnd_state rnd;
	struct fs_rt t;
	int i, round, err, want;
	void *got;
	u64 a[2];

	KUNIT_ASSERT_TRUE(test, keys && plen && in);
	prandom_seed_state(&rnd, 42);
	fs_rt_init(&t, 128);
	for (i = 0; i < NPFX; i++) {
		/* Few distinct top bits, so that prefixes nest and share. */
		keys[i][0] = (u64)(prandom_u32_state(&rnd) & 0xf) << 60 |
			     (u64)prandom_u32_state(&rnd) << 20;
		keys[i][1] = (u64)prandom_u32_state(&rnd) << 32 |
			     prandom_u32_state(&rnd);
		plen[i] = prandom_u32_state(&rnd) % 129;
		fs_rt_mask(keys[i], plen[i]);
		err = fs_rt_insert(&t, keys[i], plen[i], FS_TAG(i + 1));
		if (err == -EEXIST)
			continue;
		KUNIT_ASSERT_EQ(test, err, 0);
		in[i] = true;
	}
	for (round = 0; round < 2; round++) {
		for (i = 0; i < NADDR; i++) {
			int j = prandom_u32_state(&rnd) % NPFX;

			/* Near a prefix: its bits, then noise. */
			a[0] = keys[j][0];
			a[1] = keys[j][1];
			if (i & 1) {
				a[1] ^= prandom_u32_state(&rnd);
				a[0] ^= (u64)prandom_u32_state(&rnd) <<
					(prandom_u32_state(&rnd) % 33);
			}
			want = fs_test_brute(keys, plen, in, NPFX, a);
			got = fs_rt_lookup(&t, a);
			KUNIT_ASSERT_PTR_EQ(test, got,
					    want < 0 ? NULL : FS_TAG(want + 1));
		}
		/* Then without every other prefix. */
		for (i = 0; i < NPFX; i += 2) {
			if (!in[i])
				continue;
			KUNIT_ASSERT_PTR_EQ(test, fs_rt_delete(&t, keys[i], plen[i]),
					    FS_TAG(i + 1));
			in[i] = false;
		}
	}
	for (i = 0; i < NPFX; i++)
		if (in[i])
			KUNIT_EXPECT_PTR_EQ(test, fs_rt_delete(&t, keys[i], plen[i]),
					    FS_TAG(i + 1));
	KUNIT_EXPECT_EQ(test, t.nodes, 0);
	rcu_barrier();
}

static void fs_rt_bits_test(struct kunit *test)
{
	u64 key[2], sub[2];
	u32 i;

	/* 10.7.0.0 in 10.0.0.0/13 depth 3: bits 13..15 are 111. */
	fs_test_pkey4("10.7.0.0", key);
	KUNIT_EXPECT_EQ(test, fs_rt_bits(key, 13, 3), 7);
	KUNIT_EXPECT_EQ(test, fs_rt_bits(key, 8, 8), 7);
	KUNIT_EXPECT_EQ(test, fs_rt_bits(key, 0, 8), 10);
	KUNIT_EXPECT_EQ(test, fs_rt_bits(key, 0, 0), 0);
	fs_test_pkey4("10.0.0.0", key);
	fs_smp_sub_key(key, 13, 3, 5, sub);
	fs_test_pkey4("10.5.0.0", key);
	KUNIT_EXPECT_EQ(test, sub[0], key[0]);
	/* /32 is the end: a /28 split 4 deep. */
	fs_test_pkey4("192.0.2.0", key);
	fs_smp_sub_key(key, 28, 4, 15, sub);
	fs_test_pkey4("192.0.2.15", key);
	KUNIT_EXPECT_EQ(test, sub[0], key[0]);
	/* Across the two words of an IPv6 key. */
	fs_test_pkey6("fd00::", key);
	fs_smp_sub_key(key, 62, 4, 11, sub);
	KUNIT_EXPECT_EQ(test, sub[0], key[0] | 2);
	KUNIT_EXPECT_EQ(test, sub[1], 3ULL << 62);
	KUNIT_EXPECT_EQ(test, fs_rt_bits(sub, 62, 4), 11);
	/* Every index comes back, wherever the bits are. */
	for (i = 0; i < 1U << 16; i += 7) {
		fs_test_pkey6("2001:db8::", key);
		fs_smp_sub_key(key, 56, 16, i, sub);
		KUNIT_ASSERT_EQ(test, fs_rt_bits(sub, 56, 16), i);
		fs_smp_sub_key(key, 112, 16, i, sub);
		KUNIT_ASSERT_EQ(test, fs_rt_bits(sub, 112, 16), i);
		KUNIT_ASSERT_EQ(test, sub[1] & 0xffff, i);
		/* A /0 has no bits set. */
		key[0] = 0;
		key[1] = 0;
		fs_smp_sub_key(key, 0, 16, i, sub);
		KUNIT_ASSERT_EQ(test, fs_rt_bits(sub, 0, 16), i);
		KUNIT_ASSERT_EQ(test, sub[0], (u64)i << 48);
	}
}

/* --- the estimator ---------------------------------------------------- */

static u64 fs_test_diff(u64 a, u64 b)
{
	return a > b ? a - b : b - a;
}

#define KUNIT_EXPECT_NEAR(test, a, b, d) \
	KUNIT_EXPECT_LE(test, fs_test_diff(a, b), (u64)(d))

static void fs_est_values_test(struct kunit *test)
{
	struct fs_smp_sum s = { .packets = 100, .bytes = 100000,
				.sq = 100 * 1000000ULL };
	struct fs_smp_est e;

	/* Worked out with floating point: see sampler_est.c's formulas. */
	fs_smp_estimate(&s, 100, 1500, &e);
	KUNIT_EXPECT_EQ(test, e.packets, 10000);
	KUNIT_EXPECT_NEAR(test, e.packets_lo, 8230, 2);
	KUNIT_EXPECT_NEAR(test, e.packets_hi, 12149, 2);
	KUNIT_EXPECT_EQ(test, e.bytes, 10000000);
	KUNIT_EXPECT_NEAR(test, e.bytes_lo, 8049824, 2);
	KUNIT_EXPECT_NEAR(test, e.bytes_hi, 11950175, 2);

	/* Nothing sampled: up to 3.84 (N - 1) packets may have passed. */
	memset(&s, 0, sizeof(s));
	fs_smp_estimate(&s, 100, 1500, &e);
	KUNIT_EXPECT_EQ(test, e.packets, 0);
	KUNIT_EXPECT_EQ(test, e.packets_lo, 0);
	KUNIT_EXPECT_NEAR(test, e.packets_hi, 380, 1);
	/* ... and bytes up to max-len each (was [0, 0]: not sound). */
	KUNIT_EXPECT_EQ(test, e.bytes, 0);
	KUNIT_EXPECT_EQ(test, e.bytes_lo, 0);
	KUNIT_EXPECT_EQ(test, e.bytes_hi, e.packets_hi * 1500);
	/* make demo's case: rate 5, nothing sampled, packets [0, 14]. */
	fs_smp_estimate(&s, 5, 1500, &e);
	KUNIT_EXPECT_EQ(test, e.packets_hi, 14);
	KUNIT_EXPECT_EQ(test, e.bytes_hi, 14 * 1500);
	fs_smp_estimate(&s, 5, 9000, &e);
	KUNIT_EXPECT_EQ(test, e.bytes_hi, 14 * 9000);

	/* A few samples: their bytes plus max-len per packet not sampled. */
	s.packets = 3;
	s.bytes = 300;
	s.sq = 3 * 100 * 100;
	fs_smp_estimate(&s, 10, 1500, &e);
	KUNIT_EXPECT_EQ(test, e.bytes, 3000);
	KUNIT_EXPECT_EQ(test, e.bytes_lo, 300);
	KUNIT_EXPECT_EQ(test, e.bytes_hi, 300 + (e.packets_hi - 3) * 1500);
	/* ... at rate 1 that is the exact count. */
	fs_smp_estimate(&s, 1, 1500, &e);
	KUNIT_EXPECT_EQ(test, e.bytes_lo, 300);
	KUNIT_EXPECT_EQ(test, e.bytes_hi, 300);
	/* ... and a sample longer than max-len keeps the estimate inside. */
	s.packets = 1;
	s.bytes = 60000;
	s.sq = 60000ULL * 60000;
	fs_smp_estimate(&s, 2, 1500, &e);
	KUNIT_EXPECT_GE(test, e.bytes_hi, e.bytes);
	memset(&s, 0, sizeof(s));

	/* Rate 1: exact. */
	s.packets = 12345;
	s.bytes = 999999;
	s.sq = 1ULL << 50;
	fs_smp_estimate(&s, 1, 1500, &e);
	KUNIT_EXPECT_EQ(test, e.packets, 12345);
	KUNIT_EXPECT_EQ(test, e.packets_lo, 12345);
	KUNIT_EXPECT_EQ(test, e.packets_hi, 12345);
	KUNIT_EXPECT_EQ(test, e.bytes_lo, 999999);
	KUNIT_EXPECT_EQ(test, e.bytes_hi, 999999);

	/* Never below what was seen. */
	s.packets = 1;
	s.bytes = 1500;
	s.sq = 1500 * 1500;
	fs_smp_estimate(&s, 2, 1500, &e);
	KUNIT_EXPECT_GE(test, e.packets_lo, 1);
	KUNIT_EXPECT_GE(test, e.bytes_lo, 1500);
	KUNIT_EXPECT_LE(test, e.packets_lo, e.packets);
	KUNIT_EXPECT_GE(test, e.packets_hi, e.packets);

	/* Huge counts saturate instead of wrapping. */
	s.packets = U64_MAX / 2;
	s.bytes = U64_MAX / 2;
	s.sq = U64_MAX;
	fs_smp_estimate(&s, 1 << 24, 1500, &e);
	KUNIT_EXPECT_EQ(test, e.packets, U64_MAX);
	KUNIT_EXPECT_EQ(test, e.packets_hi, U64_MAX);
	KUNIT_EXPECT_EQ(test, e.bytes, U64_MAX);
	KUNIT_EXPECT_EQ(test, e.bytes_hi, U64_MAX);
}

/*
 * Over many windows of Bernoulli sampling the 95% intervals hold the true
 * count about 95% of the time (seeded: the same draws every run).
 */
static void fs_est_coverage_test(struct kunit *test)
{
	/* From about 0.5 to 40 packets sampled on average. */
	static const struct { u32 rate, true_pkts; } cfg[] = {
		{ 10, 300 }, { 50, 2000 }, { 100, 500 }, { 1000, 20000 },
		{ 5, 10 }, { 20, 30 }, { 100, 50 }, { 5, 14 },
	};
	struct rnd_state rnd;
	struct fs_smp_est e;
	int c, w, hits_p, hits_b, unsound;
	u32 i, thr;

	prandom_seed_state(&rnd, 7);
	for (c = 0; c < ARRAY_SIZE(cfg); c++) {
		thr = U32_MAX / cfg[c].rate;
		hits_p = 0;
		hits_b = 0;
		unsound = 0;
		for (w = 0; w < 200; w++) {
			struct fs_smp_sum s = { 0 };
			u64 true_bytes = 0;

			for (i = 0; i < cfg[c].true_pkts; i++) {
				u32 len = 64 + (i * 37) % 1437;

				true_bytes += len;
				if (prandom_u32_state(&rnd) < thr) {
					s.packets++;
					s.bytes += len;
					s.sq += (u64)len * len;
				}
			}
			fs_smp_estimate(&s, cfg[c].rate, 1500, &e);
			hits_p += e.packets_lo <= cfg[c].true_pkts &&
				  cfg[c].true_pkts <= e.packets_hi;
			hits_b += e.bytes_lo <= true_bytes &&
				  true_bytes <= e.bytes_hi;
			/*
			 * With few samples, the bytes are covered whenever the
			 * packets are: every length is within max-len.
			 */
			unsound += s.packets < FS_SMP_BYTES_MIN_SAMPLES &&
				   e.packets_lo <= cfg[c].true_pkts &&
				   cfg[c].true_pkts <= e.packets_hi &&
				   !(e.bytes_lo <= true_bytes &&
				     true_bytes <= e.bytes_hi);
		}
		kunit_info(test, "rate %u, %u packets: packets %d/200, bytes %d/200 covered\n",
			   cfg[c].rate, cfg[c].true_pkts, hits_p, hits_b);
		KUNIT_EXPECT_GE(test, hits_p, 180);
		KUNIT_EXPECT_GE(test, hits_b, 170);
		KUNIT_EXPECT_EQ(test, unsound, 0);
	}
}

static void fs_log2_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, fs_log2_q48(1), 0);
	KUNIT_EXPECT_EQ(test, fs_log2_q48(2), 1ULL << 48);
	KUNIT_EXPECT_EQ(test, fs_log2_q48(1024), 10ULL << 48);
	KUNIT_EXPECT_EQ(test, fs_log2_q48(1ULL << 63), 63ULL << 48);
	/* log2(3) * 2^48 = 446127282977750.3 */
	KUNIT_EXPECT_NEAR(test, fs_log2_q48(3), 446127282977750ULL, 64);
	/* -log2(1 - 1/100) * 2^48 = 4081266042247.6 */
	KUNIT_EXPECT_NEAR(test, fs_smp_log_q(100), 4081266042247ULL, 128);
	KUNIT_EXPECT_EQ(test, fs_smp_log_q(1), 0);
	KUNIT_EXPECT_GT(test, fs_smp_log_q(1 << 24), 0);
}

static void fs_geometric_test(struct kunit *test)
{
	u64 lq = fs_smp_log_q(100), sum = 0, ones = 0, g;
	struct rnd_state rnd;
	int i, n = 200000;

	KUNIT_EXPECT_EQ(test, fs_smp_geometric(0, 12345), 1);
	KUNIT_EXPECT_EQ(test, fs_smp_geometric(lq, U32_MAX), 1);
	/* The longest gap: U = 2^-32, 32 / log2(100/99) = 2207 */
	KUNIT_EXPECT_NEAR(test, fs_smp_geometric(lq, 0), 2207, 1);
	prandom_seed_state(&rnd, 3);
	for (i = 0; i < n; i++) {
		g = fs_smp_geometric(lq, prandom_u32_state(&rnd));
		KUNIT_ASSERT_GE(test, g, 1);
		sum += g;
		ones += g == 1;
	}
	/* Mean 100, sd of the mean 0.22: 5 sigma is 1.1 */
	KUNIT_EXPECT_NEAR(test, div_u64(sum * 100, n), 10000, 110);
	/* P(gap 1) = 1/100: 2000 expected, sd 44.5 */
	KUNIT_EXPECT_NEAR(test, ones, 2000, 225);
}

/* --- the sampler's windows -------------------------------------------- */

static struct fs_net *fs_test_smp_net(struct kunit *test)
{
	struct fs_net *fsn = fs_test_net(test);

	KUNIT_ASSERT_EQ(test, fs_smp_net_init(fsn), 0);
	return fsn;
}

static void fs_test_smp_free(struct fs_net *fsn)
{
	fs_smp_net_exit(fsn);
	fs_test_net_free(fsn);
	rcu_barrier();
}

static int fs_test_add4(struct fs_net *fsn, const char *addr, u8 plen, u8 depth)
{
	u64 key[2];
	int err;

	fs_test_pkey4(addr, key);
	mutex_lock(&fsn->lock);
	err = fs_smp_prefix_add(fsn->smp, AF_INET, key, plen, depth, NULL);
	mutex_unlock(&fsn->lock);
	return err;
}

/* Start a window without netfilter: what fs_smp_configure() publishes. */
static void fs_test_smp_start(struct kunit *test, struct fs_net *fsn,
			      u32 rate)
{
	struct fs_sampler *smp = fsn->smp;
	struct fs_smp_cfg cfg;
	struct fs_smp_run *run;

	mutex_lock(&fsn->lock);
	smp->cfg.enable = true;
	smp->cfg.rate = rate;
	fs_smp_cfg_get(smp, &cfg);
	run = fs_smp_run_new(smp, &cfg, !smp->set);
	KUNIT_ASSERT_NOT_NULL(test, run);
	fs_smp_new_window(fsn, run, ktime_get_real_ns());
	mutex_unlock(&fsn->lock);
}

/* What the hook does with a sampled packet to @addr of @len bytes. */
static void fs_test_sample4(struct fs_net *fsn, const char *addr, u32 len)
{
	struct fs_smp_run *run;
	struct fs_smp_prefix *p;
	u64 key[2];

	fs_test_pkey4(addr, key);
	rcu_read_lock();
	local_bh_disable();
	run = rcu_dereference(fsn->smp_run);
	p = fs_rt_lookup(&fsn->smp->tree4, key);
	if (p)
		fs_smp_count(p, run, fs_rt_bits(key, p->plen, p->depth), len);
	else
		fs_smp_count(fsn->smp->unmatched, run, 0, len);
	local_bh_enable();
	rcu_read_unlock();
}

static void fs_smp_window_test(struct kunit *test)
{
	struct fs_net *fsn = fs_test_smp_net(test);
	struct fs_smp_snap *snap, *snap2;
	const struct fs_smp_snap_pfx *p;
	u64 win, mem, key[2];

	KUNIT_ASSERT_EQ(test, fs_test_add4(fsn, "10.2.0.0", 16, 2), 0);
	KUNIT_ASSERT_EQ(test, fs_test_add4(fsn, "10.1.0.0", 16, 0), 0);
	KUNIT_EXPECT_EQ(test, fs_test_add4(fsn, "10.0.0.0", 8, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, fs_test_add4(fsn, "10.2.128.0", 17, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, fsn->smp->prefixes, 2);
	KUNIT_EXPECT_EQ(test, fsn->smp->counters, 5);
	fs_test_smp_start(test, fsn, 10);

	fs_test_sample4(fsn, "10.2.0.1", 100);		/* sub 0 */
	fs_test_sample4(fsn, "10.2.192.1", 200);	/* sub 3 */
	fs_test_sample4(fsn, "10.2.192.2", 300);	/* sub 3 */
	fs_test_sample4(fsn, "10.1.1.1", 50);
	fs_test_sample4(fsn, "8.8.8.8", 60);		/* unmatched */

	snap = fs_smp_snapshot(fsn, FS_SMP_READ_CURRENT, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(snap));
	KUNIT_ASSERT_EQ(test, snap->nprefixes, 2);
	/* Address order: 10.1/16 first. */
	p = &snap->pfx[0];
	KUNIT_EXPECT_EQ(test, p->plen, 16);
	KUNIT_EXPECT_EQ(test, p->total.packets, 1);
	p = &snap->pfx[1];
	KUNIT_EXPECT_EQ(test, p->depth, 2);
	KUNIT_EXPECT_EQ(test, p->sub[0].packets, 1);
	KUNIT_EXPECT_EQ(test, p->sub[1].packets, 0);
	KUNIT_EXPECT_EQ(test, p->sub[3].packets, 2);
	KUNIT_EXPECT_EQ(test, p->sub[3].bytes, 500);
	KUNIT_EXPECT_EQ(test, p->sub[3].sq, 200 * 200 + 300 * 300);
	KUNIT_EXPECT_EQ(test, p->total.packets, 3);
	KUNIT_EXPECT_EQ(test, snap->unmatched.packets, 1);
	KUNIT_EXPECT_EQ(test, snap->cfg.rate, 10);
	win = snap->window;
	KUNIT_EXPECT_EQ(test, snap->kept_window, 0);
	fs_smp_snap_put(snap);

	/* Read and reset: the counts once, then gone; new ones go on. */
	snap = fs_smp_snapshot(fsn, FS_SMP_READ_RESET, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(snap));
	KUNIT_EXPECT_EQ(test, snap->window, win);
	KUNIT_EXPECT_EQ(test, snap->kept_window, win);
	KUNIT_EXPECT_EQ(test, snap->pfx[1].total.packets, 3);
	KUNIT_EXPECT_EQ(test, snap->unmatched.bytes, 60);
	fs_smp_snap_put(snap);
	KUNIT_EXPECT_EQ(test, fsn->smp->window, win + 1);
	fs_test_sample4(fsn, "10.2.64.1", 70);		/* sub 1 */

	/* The window taken is kept: read again, the same counts. */
	snap = fs_smp_snapshot(fsn, FS_SMP_READ_WINDOW, win, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(snap));
	KUNIT_EXPECT_EQ(test, snap->window, win);
	KUNIT_EXPECT_EQ(test, snap->pfx[1].total.packets, 3);
	KUNIT_EXPECT_EQ(test, snap->pfx[1].sub[3].bytes, 500);
	KUNIT_EXPECT_EQ(test, snap->unmatched.bytes, 60);
	/* A prefix deleted since does not change it. */
	fs_test_pkey4("10.1.0.0", key);
	mutex_lock(&fsn->lock);
	KUNIT_EXPECT_EQ(test, fs_smp_prefix_del(fsn->smp, AF_INET, key, 16,
						NULL), 0);
	KUNIT_EXPECT_EQ(test, fs_smp_prefix_add(fsn->smp, AF_INET, key, 16, 0,
						NULL), 0);
	mutex_unlock(&fsn->lock);
	snap2 = fs_smp_snapshot(fsn, FS_SMP_READ_WINDOW, win, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(snap2));
	KUNIT_EXPECT_PTR_EQ(test, snap2, snap);
	KUNIT_EXPECT_EQ(test, snap2->pfx[0].total.packets, 1);
	fs_smp_snap_put(snap2);
	/* No other window but the current one. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(fs_smp_snapshot(fsn, FS_SMP_READ_WINDOW,
						      win + 2, NULL)), -ENOENT);
	snap2 = fs_smp_snapshot(fsn, FS_SMP_READ_WINDOW, win + 1, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(snap2));
	KUNIT_EXPECT_EQ(test, snap2->window, win + 1);
	KUNIT_EXPECT_EQ(test, snap2->pfx[1].total.packets, 1);
	fs_smp_snap_put(snap2);

	/* The next read-and-reset replaces it; a reader still holds it. */
	snap2 = fs_smp_snapshot(fsn, FS_SMP_READ_RESET, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(snap2));
	KUNIT_EXPECT_EQ(test, snap2->window, win + 1);
	KUNIT_EXPECT_EQ(test, snap2->pfx[0].total.packets, 0);
	KUNIT_EXPECT_EQ(test, snap2->pfx[1].total.packets, 1);
	KUNIT_EXPECT_EQ(test, snap2->pfx[1].sub[1].bytes, 70);
	KUNIT_EXPECT_EQ(test, snap2->unmatched.packets, 0);
	KUNIT_EXPECT_GE(test, snap2->end_ns, snap2->start_ns);
	KUNIT_EXPECT_EQ(test, snap->pfx[1].total.packets, 3);
	fs_smp_snap_put(snap);
	KUNIT_EXPECT_EQ(test, PTR_ERR(fs_smp_snapshot(fsn, FS_SMP_READ_WINDOW,
						      win, NULL)), -ENOENT);
	fs_smp_snap_put(snap2);

	/* An acknowledgment drops it, and its memory; once only. */
	mem = fsn->smp->memory;
	KUNIT_EXPECT_EQ(test, fs_smp_ack(fsn, win, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, fsn->smp->memory, mem);
	KUNIT_EXPECT_EQ(test, fs_smp_ack(fsn, win + 1, NULL), 0);
	KUNIT_EXPECT_LT(test, fsn->smp->memory, mem);
	KUNIT_EXPECT_EQ(test, fs_smp_ack(fsn, win + 1, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, PTR_ERR(fs_smp_snapshot(fsn, FS_SMP_READ_WINDOW,
						      win + 1, NULL)), -ENOENT);
	snap = fs_smp_snapshot(fsn, FS_SMP_READ_CURRENT, 0, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(snap));
	KUNIT_EXPECT_EQ(test, snap->pfx[1].total.packets, 0);
	KUNIT_EXPECT_EQ(test, snap->kept_window, 0);
	fs_smp_snap_put(snap);
	fs_test_smp_free(fsn);
}

static void fs_smp_limits_test(struct kunit *test)
{
	struct fs_net *fsn = fs_test_smp_net(test);
	struct fs_smp_cfg cfg;
	u64 key[2];

	fsn->smp->cfg.max_prefixes = 2;
	fsn->smp->cfg.max_counters = 20;
	KUNIT_EXPECT_EQ(test, fs_test_add4(fsn, "10.0.0.0", 8, 4), 0);
	KUNIT_EXPECT_EQ(test, fs_test_add4(fsn, "11.0.0.0", 8, 3), -ENOSPC);
	KUNIT_EXPECT_EQ(test, fs_test_add4(fsn, "11.0.0.0", 8, 2), 0);
	KUNIT_EXPECT_EQ(test, fs_test_add4(fsn, "12.0.0.0", 8, 0), -ENOSPC);
	KUNIT_EXPECT_EQ(test, fsn->smp->counters, 20);
	/*
	 * The formula of sampler.rst, whatever the number of CPUs: two
	 * prefixes and the unmatched counters, 21 counters, three tree nodes.
	 */
	KUNIT_EXPECT_EQ(test, sizeof(struct fs_smp_ctr), 24);
	KUNIT_EXPECT_EQ(test, fsn->smp->memory,
			3 * sizeof(struct fs_smp_prefix) + 21 * 48 +
			3 * kmalloc_size_roundup(sizeof(struct fs_rt_node)));
	KUNIT_EXPECT_EQ(test, fs_smp_memory(fsn->smp), fsn->smp->memory);

	/* Limits below what is in use are refused, whole. */
	mutex_lock(&fsn->lock);
	fs_smp_cfg_get(fsn->smp, &cfg);
	cfg.max_prefixes = 1;
	cfg.max_counters = 1000;
	KUNIT_EXPECT_EQ(test, fs_smp_configure(fsn, &cfg, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, fsn->smp->cfg.max_counters, 20);
	fs_test_pkey4("10.0.0.0", key);
	KUNIT_EXPECT_EQ(test, fs_smp_prefix_del(fsn->smp, AF_INET, key, 8, NULL), 0);
	KUNIT_EXPECT_EQ(test, fs_smp_prefix_del(fsn->smp, AF_INET, key, 8, NULL),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, fs_smp_configure(fsn, &cfg, NULL), 0);
	KUNIT_EXPECT_EQ(test, fsn->smp->cfg.max_prefixes, 1);
	mutex_unlock(&fsn->lock);
	KUNIT_EXPECT_EQ(test, fsn->smp->counters, 4);
	fs_test_smp_free(fsn);
}

static struct kunit_case fs_rt_cases[] = {
	KUNIT_CASE(fs_rt_lpm4_test),
	KUNIT_CASE(fs_rt_edges4_test),
	KUNIT_CASE(fs_rt_v6_test),
	KUNIT_CASE(fs_rt_overlap_test),
	KUNIT_CASE(fs_rt_random_test),
	KUNIT_CASE(fs_rt_bits_test),
	{}
};

static struct kunit_suite fs_rt_suite = {
	.name = "flowstream_radix_tree",
	.test_cases = fs_rt_cases,
};

static struct kunit_case fs_est_cases[] = {
	KUNIT_CASE(fs_est_values_test),
	KUNIT_CASE(fs_est_coverage_test),
	KUNIT_CASE(fs_log2_test),
	KUNIT_CASE(fs_geometric_test),
	{}
};

static struct kunit_suite fs_est_suite = {
	.name = "flowstream_estimator",
	.test_cases = fs_est_cases,
};

static struct kunit_case fs_smp_cases[] = {
	KUNIT_CASE(fs_smp_window_test),
	KUNIT_CASE(fs_smp_limits_test),
	{}
};

static int fs_smp_suite_init(struct kunit_suite *suite)
{
	return fs_smp_init();
}

static void fs_smp_suite_exit(struct kunit_suite *suite)
{
	rcu_barrier();
	fs_smp_exit();
}

static struct kunit_suite fs_smp_suite = {
	.name = "flowstream_sampler",
	.suite_init = fs_smp_suite_init,
	.suite_exit = fs_smp_suite_exit,
	.test_cases = fs_smp_cases,
};
