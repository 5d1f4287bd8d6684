// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the pattern matcher of the "match" and "replace" PMs
 * (pm/pat.h): escapes, refusals, and KMP counts (overlapping) against a
 * naive count on random strings; fos_pat_scan() over random strings cut
 * into random pieces against the byte-by-byte matcher (count and state);
 * fos_pat_next() the same way, without overlaps (where each occurrence
 * ends, and the state). Included by kunit.c.
 */
#include <linux/prandom.h>

#include "../../pm/pat.h"

static void pm_pat_parse_ok(struct kunit *test)
{
	static const char t[] = "a\\x00\\xfFb\\\\c";
	static const u8 want[] = { 'a', 0, 0xff, 'b', '\\', 'c' };
	const char *why = NULL;
	struct fos_pat p;

	KUNIT_ASSERT_EQ(test, fos_pat_parse(&p, t, strlen(t), &why), 0);
	KUNIT_EXPECT_EQ(test, p.len, sizeof(want));
	KUNIT_EXPECT_EQ(test, memcmp(p.b, want, sizeof(want)), 0);
	/* Only the first @n bytes count. */
	KUNIT_ASSERT_EQ(test, fos_pat_parse(&p, "abc", 2, &why), 0);
	KUNIT_EXPECT_EQ(test, p.len, 2U);
}

static void pm_pat_parse_bad(struct kunit *test)
{
	static const char *const bad[] = {
		"", "\\", "a\\", "\\x", "\\x1", "\\xg0", "\\n", "a\\x1",
		"0123456789012345678901234567890123456789012345678901234567890123X",
	};
	const char *why;
	struct fos_pat p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int err;

		why = NULL;
		err = fos_pat_parse(&p, bad[i], strlen(bad[i]), &why);
		KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "\"%s\"", bad[i]);
		KUNIT_EXPECT_NOT_NULL_MSG(test, why, "\"%s\"", bad[i]);
	}
	KUNIT_EXPECT_EQ(test, fos_pat_parse(&p, bad[8], 64, &why), 0);
	KUNIT_EXPECT_EQ(test, p.len, 64U);
}

static unsigned int pm_pat_naive(const u8 *b, unsigned int n,
				 const struct fos_pat *p)
{
	unsigned int i, c = 0;

	for (i = 0; i + p->len <= n; i++)
		c += !memcmp(b + i, p->b, p->len);
	return c;
}

/* KMP over @b, counting overlapping occurrences. */
static unsigned int pm_pat_kmp(const u8 *b, unsigned int n,
			       const struct fos_pat *p)
{
	unsigned int i, q = 0, c = 0;

	for (i = 0; i < n; i++) {
		q = fos_pat_step(p, q, b[i]);
		if (q == p->len) {
			c++;
			q = p->fail[q - 1];
		}
	}
	return c;
}

static void pm_pat_count(struct kunit *test)
{
	static const char *const pats[] = { "aa", "aba", "abab", "aab", "a",
					    "abcab", "bbbbb" };
	struct rnd_state rnd;
	const char *why;
	struct fos_pat p;
	unsigned int i, r;
	u8 b[96];

	prandom_seed_state(&rnd, 42);
	for (i = 0; i < ARRAY_SIZE(pats); i++) {
		KUNIT_ASSERT_EQ(test, fos_pat_parse(&p, pats[i],
						    strlen(pats[i]), &why), 0);
		for (r = 0; r < 50; r++) {
			unsigned int k;

			for (k = 0; k < sizeof(b); k++)
				b[k] = 'a' + prandom_u32_state(&rnd) % 2;
			KUNIT_EXPECT_EQ_MSG(test, pm_pat_kmp(b, sizeof(b), &p),
					    pm_pat_naive(b, sizeof(b), &p),
					    "pattern %s", pats[i]);
		}
	}
}

/*
 * fos_pat_scan() over @b cut into pieces at random places, the state
 * carried from piece to piece, against the byte-by-byte matcher: the same
 * count and, after every piece, the same state.
 */
static void pm_pat_scan_one(struct kunit *test, struct rnd_state *rnd,
			    const struct fos_pat *p, const u8 *b,
			    unsigned int n)
{
	struct fos_pat_skip sk;
	unsigned int at = 0, q = 0, qs = 0, i;
	u64 c = 0, cs = 0;

	fos_pat_skip_init(p, &sk);
	while (at < n) {
		unsigned int k = 1 + prandom_u32_state(rnd) % (n - at);

		/* Short pieces often: the matcher's edges. */
		if (prandom_u32_state(rnd) % 2)
			k = min(k, 1 + prandom_u32_state(rnd) % (p->len + 1));
		qs = fos_pat_scan(p, &sk, qs, b + at, k, &cs);
		for (i = at; i < at + k; i++) {
			q = fos_pat_step(p, q, b[i]);
			if (q == p->len) {
				c++;
				q = p->fail[q - 1];
			}
		}
		at += k;
		KUNIT_ASSERT_EQ_MSG(test, qs, q, "state at %u of %u", at, n);
	}
	KUNIT_EXPECT_EQ(test, cs, c);
	KUNIT_EXPECT_EQ(test, c, (u64)pm_pat_naive(b, n, p));
}

static void pm_pat_scan(struct kunit *test)
{
	static const char *const pats[] = { "aa", "aba", "abab", "aab", "a",
					    "abcab", "bbbbb", "abcd",
					    "aaaaaaaaaaaaaaaaaaab",
					    "flowstream-bench" };
	struct rnd_state rnd;
	const char *why;
	struct fos_pat p;
	unsigned int i, r, k;
	u8 b[400];

	prandom_seed_state(&rnd, 43);
	for (i = 0; i < ARRAY_SIZE(pats); i++) {
		KUNIT_ASSERT_EQ(test, fos_pat_parse(&p, pats[i],
						    strlen(pats[i]), &why), 0);
		for (r = 0; r < 200; r++) {
			/* 2 to 5 letters, or the pattern's own bytes */
			unsigned int na = 2 + prandom_u32_state(&rnd) % 4;

			for (k = 0; k < sizeof(b); k++)
				b[k] = r % 3 ? 'a' + prandom_u32_state(&rnd) % na :
					p.b[prandom_u32_state(&rnd) % p.len];
			/* and now and then the whole pattern */
			for (k = 0; k + p.len <= sizeof(b); k += 37)
				if (!(prandom_u32_state(&rnd) % 4))
					memcpy(b + k, p.b, p.len);
			pm_pat_scan_one(test, &rnd, &p, b,
					1 + prandom_u32_state(&rnd) % sizeof(b));
		}
	}
}

/*
 * fos_pat_next() over @b cut into random pieces, going on from state 0
 * after each occurrence (none overlapping, as "replace" does), against the
 * byte-by-byte matcher doing the same: the same occurrences, where they
 * end, and the same state after every piece.
 */
static void pm_pat_next_one(struct kunit *test, struct rnd_state *rnd,
			    const struct fos_pat *p, const u8 *b,
			    unsigned int n)
{
	struct fos_pat_skip sk;
	unsigned int at = 0, q = 0, qs = 0, e = 0, es;
	u64 c = 0, cs = 0;

	fos_pat_skip_init(p, &sk);
	while (at < n) {
		unsigned int k = 1 + prandom_u32_state(rnd) % (n - at), done;

		if (prandom_u32_state(rnd) % 2)
			k = min(k, 1 + prandom_u32_state(rnd) % (p->len + 1));
		/* The reference: the occurrences' ends, one at a time. */
		for (done = 0; done < k; done += es) {
			es = fos_pat_next(p, &sk, &qs, b + at + done,
					  k - done);
			KUNIT_ASSERT_GT(test, es, 0U);
			if (qs < p->len)
				continue;
			cs++;
			qs = 0;
			for (; e < at + done + es; e++) {
				q = fos_pat_step(p, q, b[e]);
				if (q == p->len) {
					c++;
					q = 0;
					KUNIT_ASSERT_EQ_MSG(test, e + 1,
							    at + done + es,
							    "occurrence end");
				}
			}
			KUNIT_ASSERT_EQ(test, cs, c);
		}
		at += k;
		for (; e < at; e++) {
			q = fos_pat_step(p, q, b[e]);
			if (q == p->len) {
				c++;
				q = 0;
			}
		}
		KUNIT_ASSERT_EQ_MSG(test, qs, q, "state at %u of %u", at, n);
		KUNIT_ASSERT_EQ(test, cs, c);
	}
}

static void pm_pat_next(struct kunit *test)
{
	static const char *const pats[] = { "aa", "aba", "abab", "aab", "a",
					    "abcab", "bbbbb", "abcd",
					    "aaaaaaaaaaaaaaaaaaab",
					    "flowstream-bench" };
	struct rnd_state rnd;
	const char *why;
	struct fos_pat p;
	unsigned int i, r, k;
	u8 b[400];

	prandom_seed_state(&rnd, 44);
	for (i = 0; i < ARRAY_SIZE(pats); i++) {
		KUNIT_ASSERT_EQ(test, fos_pat_parse(&p, pats[i],
						    strlen(pats[i]), &why), 0);
		for (r = 0; r < 200; r++) {
			unsigned int na = 2 + prandom_u32_state(&rnd) % 4;

			for (k = 0; k < sizeof(b); k++)
				b[k] = r % 3 ? 'a' + prandom_u32_state(&rnd) % na :
					p.b[prandom_u32_state(&rnd) % p.len];
			for (k = 0; k + p.len <= sizeof(b); k += 37)
				if (!(prandom_u32_state(&rnd) % 4))
					memcpy(b + k, p.b, p.len);
			pm_pat_next_one(test, &rnd, &p, b,
					1 + prandom_u32_state(&rnd) % sizeof(b));
		}
	}
}

static struct kunit_case pm_pat_cases[] = {
	KUNIT_CASE(pm_pat_parse_ok),
	KUNIT_CASE(pm_pat_parse_bad),
	KUNIT_CASE(pm_pat_count),
	KUNIT_CASE(pm_pat_scan),
	KUNIT_CASE(pm_pat_next),
	{}
};

static struct kunit_suite pm_pat_suite = {
	.name = "flowstream_pm_pat",
	.test_cases = pm_pat_cases,
};
