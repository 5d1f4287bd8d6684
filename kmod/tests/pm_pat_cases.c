// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the pattern matcher of the "match" and "replace" PMs
 * (pm/pat.h): escapes, refusals, and KMP counts (overlapping) against a
 * naive count on random strings. Included by kunit.c.
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

static struct kunit_case pm_pat_cases[] = {
	KUNIT_CASE(pm_pat_parse_ok),
	KUNIT_CASE(pm_pat_parse_bad),
	KUNIT_CASE(pm_pat_count),
	{}
};

static struct kunit_suite pm_pat_suite = {
	.name = "flowstream_pm_pat",
	.test_cases = pm_pat_cases,
};
