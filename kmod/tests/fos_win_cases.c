// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the FlowOS window bookkeeping: layouts, windows,
 * releases, sending, attach and detach, every invariant and refusal, and a
 * randomized run checked against a reference model of each unit's path.
 * Included by kunit.c.
 */
#include <linux/prandom.h>

#include "../fos_win.h"

/* --- hand-written cases ----------------------------------------------- */

static void fos_test_win(struct kunit *test, const struct fos_win_layout *l,
			 const struct fos_win *w, unsigned int p, u64 h, u64 t)
{
	u64 wh, wt;
	bool busy = fos_win_window(l, w, p, &wh, &wt);

	KUNIT_EXPECT_EQ_MSG(test, wh, h, "head of PM %u", p);
	KUNIT_EXPECT_EQ_MSG(test, wt, t, "tail of PM %u", p);
	KUNIT_EXPECT_EQ_MSG(test, fos_win_tail(l, w, p), t, "tail of PM %u", p);
	KUNIT_EXPECT_EQ_MSG(test, busy, h < t, "PM %u", p);
	KUNIT_EXPECT_EQ(test, fos_win_check(l, w), 0);
}

/* Start @w with @n units arrived and the given heads. */
static void fos_test_pos(struct fos_win *w, u64 n, unsigned int nheads,
			 const u64 *heads)
{
	fos_win_init(w);
	fos_win_push(w, n);
	memcpy(w->head, heads, nheads * sizeof(*heads));
}

static void fos_win_layout_test(struct kunit *test)
{
	struct fos_win_layout l, nl;
	static const u8 st5[] = { 0, 0, 1, 2, 2 };
	unsigned int p;

	fos_win_layout_init(&l, 5, 0x04);	/* RO RO RW RO RO */
	KUNIT_EXPECT_EQ(test, l.n, 5);
	KUNIT_EXPECT_EQ(test, l.nstages, 3);
	KUNIT_EXPECT_EQ(test, memcmp(l.stage, st5, sizeof(st5)), 0);
	for (p = 0; p < 6; p++)
		KUNIT_EXPECT_EQ_MSG(test, fos_win_may_drop(&l, p), p == 2,
				    "PM %u", p);

	fos_win_layout_init(&l, 3, 0x07);
	KUNIT_EXPECT_EQ(test, l.nstages, 3);
	KUNIT_EXPECT_EQ(test, l.stage[2], 2);
	fos_win_layout_init(&l, 4, 0);
	KUNIT_EXPECT_EQ(test, l.nstages, 1);
	KUNIT_EXPECT_EQ(test, l.stage[3], 0);
	fos_win_layout_init(&l, 0, 0xff);
	KUNIT_EXPECT_EQ(test, l.n, 0);
	KUNIT_EXPECT_EQ(test, l.rw_mask, 0);
	KUNIT_EXPECT_EQ(test, l.nstages, 0);
	KUNIT_EXPECT_FALSE(test, fos_win_may_drop(&l, 0));
	fos_win_layout_init(&l, 10, 0xff);
	KUNIT_EXPECT_EQ(test, l.n, FOS_WIN_MAX);
	KUNIT_EXPECT_EQ(test, l.nstages, FOS_WIN_MAX);
	fos_win_layout_init(&l, 2, 0xfe);	/* RO RW */
	KUNIT_EXPECT_EQ(test, l.rw_mask, 0x02);
	KUNIT_EXPECT_EQ(test, l.nstages, 2);

	fos_win_layout_init(&l, 5, 0x04);
	KUNIT_ASSERT_EQ(test, fos_win_layout_insert(&nl, &l, 0, true), 0);
	KUNIT_EXPECT_EQ(test, nl.n, 6);
	KUNIT_EXPECT_EQ(test, nl.rw_mask, 0x09);
	KUNIT_EXPECT_EQ(test, nl.nstages, 4);
	KUNIT_ASSERT_EQ(test, fos_win_layout_insert(&nl, &l, 5, false), 0);
	KUNIT_EXPECT_EQ(test, nl.rw_mask, 0x04);
	KUNIT_EXPECT_EQ(test, nl.stage[5], 2);
	KUNIT_ASSERT_EQ(test, fos_win_layout_insert(&nl, &l, 2, false), 0);
	KUNIT_EXPECT_EQ(test, nl.rw_mask, 0x08);
	KUNIT_EXPECT_EQ(test, nl.stage[2], 0);
	KUNIT_EXPECT_EQ(test, fos_win_layout_insert(&nl, &l, 6, false), -EINVAL);
	KUNIT_ASSERT_EQ(test, fos_win_layout_remove(&nl, &l, 2), 0);
	KUNIT_EXPECT_EQ(test, nl.n, 4);
	KUNIT_EXPECT_EQ(test, nl.rw_mask, 0);
	KUNIT_EXPECT_EQ(test, nl.nstages, 1);
	KUNIT_ASSERT_EQ(test, fos_win_layout_remove(&nl, &l, 0), 0);
	KUNIT_EXPECT_EQ(test, nl.rw_mask, 0x02);
	KUNIT_EXPECT_EQ(test, fos_win_layout_remove(&nl, &l, 5), -EINVAL);
	/* In place. */
	KUNIT_ASSERT_EQ(test, fos_win_layout_insert(&l, &l, 1, true), 0);
	KUNIT_EXPECT_EQ(test, l.rw_mask, 0x0a);
	KUNIT_ASSERT_EQ(test, fos_win_layout_remove(&l, &l, 1), 0);
	KUNIT_EXPECT_EQ(test, l.rw_mask, 0x04);

	fos_win_layout_init(&l, FOS_WIN_MAX, 0);
	KUNIT_EXPECT_EQ(test, fos_win_layout_insert(&nl, &l, 0, false), -EINVAL);
}

/* RO RO RW RO: units flow through three stages to the merger. */
static void fos_win_flow_test(struct kunit *test)
{
	struct fos_win_layout l;
	struct fos_win w;

	fos_win_layout_init(&l, 4, 0x04);
	fos_win_init(&w);
	KUNIT_EXPECT_EQ(test, fos_win_check(&l, &w), 0);
	KUNIT_EXPECT_EQ(test, fos_win_next_ready(&l, &w, 0), 4);
	fos_win_push(&w, 10);
	fos_test_win(test, &l, &w, 0, 0, 10);
	fos_test_win(test, &l, &w, 1, 0, 10);
	fos_test_win(test, &l, &w, 2, 0, 0);
	fos_test_win(test, &l, &w, 3, 0, 0);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 0);
	KUNIT_EXPECT_EQ(test, fos_win_next_ready(&l, &w, 0), 0);
	KUNIT_EXPECT_EQ(test, fos_win_next_ready(&l, &w, 1), 1);
	KUNIT_EXPECT_EQ(test, fos_win_next_ready(&l, &w, 2), 4);

	/* The stage releases what both its RO PMs released. */
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 0, 6), 0);
	fos_test_win(test, &l, &w, 2, 0, 0);
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 1, 4), 0);
	fos_test_win(test, &l, &w, 0, 6, 10);
	fos_test_win(test, &l, &w, 1, 4, 10);
	fos_test_win(test, &l, &w, 2, 0, 4);
	KUNIT_EXPECT_EQ(test, fos_win_stage_release(&l, &w, 0), 4);
	KUNIT_EXPECT_EQ(test, fos_win_next_ready(&l, &w, 2), 2);

	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 2, 3), 0);
	fos_test_win(test, &l, &w, 3, 0, 3);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 0);
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 3, 2), 0);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 2);
	KUNIT_EXPECT_EQ(test, fos_win_tail(&l, &w, 4), 2);
	KUNIT_EXPECT_EQ(test, fos_win_sent(&l, &w, 2), 0);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 2);
	KUNIT_EXPECT_EQ(test, fos_win_check(&l, &w), 0);

	/* No PMs: the merger sends what arrived. */
	fos_win_layout_init(&l, 0, 0);
	fos_win_init(&w);
	fos_win_push(&w, 3);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 3);
	KUNIT_EXPECT_EQ(test, fos_win_sent(&l, &w, 3), 0);
	KUNIT_EXPECT_EQ(test, fos_win_check(&l, &w), 0);
}

static void fos_win_refuse_test(struct kunit *test)
{
	struct fos_win_layout l;
	struct fos_win w, old;
	u64 h, t;

	fos_win_layout_init(&l, 2, 0x02);	/* RO RW */
	fos_win_init(&w);
	fos_win_push(&w, 5);
	old = w;
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 0, 6), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 2, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 8, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&w, &old, sizeof(w)), 0);
	KUNIT_EXPECT_FALSE(test, fos_win_window(&l, &w, 2, &h, &t));

	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 0, 3), 0);
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 0, 3), 0);
	old = w;
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 0, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 1, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_win_sent(&l, &w, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&w, &old, sizeof(w)), 0);

	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 1, 2), 0);
	old = w;
	KUNIT_EXPECT_EQ(test, fos_win_sent(&l, &w, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&w, &old, sizeof(w)), 0);
	KUNIT_EXPECT_EQ(test, fos_win_sent(&l, &w, 2), 0);
	old = w;
	KUNIT_EXPECT_EQ(test, fos_win_sent(&l, &w, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&w, &old, sizeof(w)), 0);
	KUNIT_EXPECT_EQ(test, fos_win_check(&l, &w), 0);
}

static void fos_test_bad(struct kunit *test, const struct fos_win_layout *l,
			 const struct fos_win *w, const char *what)
{
	const char *why;

	KUNIT_EXPECT_EQ_MSG(test, fos_win_check_why(l, w, &why), -EINVAL,
			    "expected: %s", what);
	KUNIT_EXPECT_EQ(test, fos_win_check(l, w), -EINVAL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, why, "expected: %s", what);
	KUNIT_EXPECT_STREQ(test, why, what);
}

/* Each invariant, broken on purpose, is caught. */
static void fos_win_check_test(struct kunit *test)
{
	static const u64 heads[] = { 7, 5, 3 };	/* RO RW RO */
	struct fos_win_layout l, bl;
	struct fos_win w, bw;
	const char *why = "x";

	fos_win_layout_init(&l, 3, 0x02);
	fos_test_pos(&w, 10, 3, heads);
	w.sent = 2;
	KUNIT_EXPECT_EQ(test, fos_win_check_why(&l, &w, &why), 0);
	KUNIT_EXPECT_NULL(test, why);

	bw = w;
	bw.head[0] = 11;
	fos_test_bad(test, &l, &bw, "head past its tail");
	bw = w;
	bw.head[1] = 8;
	fos_test_bad(test, &l, &bw, "head past its tail");
	bw = w;
	bw.head[2] = 6;
	fos_test_bad(test, &l, &bw, "head past its tail");
	bw = w;
	bw.sent = 4;
	fos_test_bad(test, &l, &bw, "head below the send point");
	bw = w;
	bw.head[3] = 1;
	fos_test_bad(test, &l, &bw, "head set past the last PM");

	bl = l;
	bl.rw_mask |= 0x08;
	fos_test_bad(test, &bl, &w, "RW bit past the last PM");
	bl = l;
	bl.stage[2] = 1;
	fos_test_bad(test, &bl, &w, "stages not derived from the RW PMs");
	bl = l;
	bl.nstages = 2;
	fos_test_bad(test, &bl, &w, "stages not derived from the RW PMs");
	bl = l;
	bl.n = FOS_WIN_MAX + 1;
	fos_test_bad(test, &bl, &w, "more PMs than FOS_WIN_MAX");

	fos_win_layout_init(&bl, 0, 0);
	fos_win_init(&bw);
	fos_win_push(&bw, 3);
	bw.sent = 4;
	fos_test_bad(test, &bl, &bw, "sent past the stream tail");
}

/* RO PMs of a stage overlap; a RW PM's window never overlaps another. */
static void fos_win_overlap_test(struct kunit *test)
{
	static const u64 heads[] = { 6, 2, 1, 0 };	/* RO RO RW RO */
	struct fos_win_layout l;
	struct fos_win w;
	u64 h[4], t[4];
	unsigned int p, q;

	fos_win_layout_init(&l, 4, 0x04);
	fos_test_pos(&w, 10, 4, heads);
	KUNIT_EXPECT_EQ(test, fos_win_check(&l, &w), 0);
	for (p = 0; p < 4; p++)
		KUNIT_EXPECT_TRUE(test, fos_win_window(&l, &w, p, &h[p], &t[p]));
	/* PMs 0 and 1 share [6, 10). */
	KUNIT_EXPECT_LT(test, max(h[0], h[1]), min(t[0], t[1]));
	for (p = 0; p < 4; p++)
		for (q = 0; q < 4; q++)
			if (p != q && (p == 2 || q == 2))
				KUNIT_EXPECT_FALSE_MSG(test, h[p] < t[q] &&
						       h[q] < t[p],
						       "PMs %u and %u", p, q);
}

static void fos_test_attach(struct kunit *test, struct fos_win_layout *l,
			    struct fos_win *w, unsigned int i, bool rw,
			    u64 head)
{
	struct fos_win_layout nl;

	KUNIT_ASSERT_EQ(test, fos_win_layout_insert(&nl, l, i, rw), 0);
	KUNIT_EXPECT_EQ(test, fos_win_can_attach(l, &nl, i, w), 0);
	KUNIT_ASSERT_EQ(test, fos_win_attach(l, &nl, i, w), 0);
	*l = nl;
	KUNIT_EXPECT_EQ_MSG(test, w->head[i], head, "new PM %u", i);
	KUNIT_EXPECT_EQ(test, fos_win_check(l, w), 0);
}

static void fos_win_attach_test(struct kunit *test)
{
	static const u64 h_roro_rw[] = { 7, 4, 2 };
	static const u64 h_rw_ro[] = { 6, 3 };
	static const u64 h_rw_rw[] = { 6, 2 };
	struct fos_win_layout l;
	struct fos_win w;

	/* Into an empty pipeline: an empty window at the stream tail. */
	fos_win_layout_init(&l, 0, 0);
	fos_win_init(&w);
	fos_win_push(&w, 5);
	KUNIT_EXPECT_EQ(test, fos_win_sent(&l, &w, 2), 0);
	fos_test_attach(test, &l, &w, 0, false, 5);
	fos_test_win(test, &l, &w, 0, 5, 5);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 5);
	fos_win_push(&w, 3);
	fos_test_win(test, &l, &w, 0, 5, 8);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 5);

	/* A RO PM joins a RO stage at its release point, anywhere in it. */
	fos_win_layout_init(&l, 3, 0x04);	/* RO RO RW */
	fos_test_pos(&w, 10, 3, h_roro_rw);
	fos_test_attach(test, &l, &w, 1, false, 4);	/* RO RO RO RW */
	fos_test_win(test, &l, &w, 1, 4, 10);
	fos_test_win(test, &l, &w, 3, 2, 4);
	fos_test_attach(test, &l, &w, 3, false, 4);	/* RO RO RO RO RW */
	fos_test_win(test, &l, &w, 3, 4, 10);
	fos_test_win(test, &l, &w, 4, 2, 4);
	fos_test_attach(test, &l, &w, 0, false, 4);	/* RO x5, RW */
	KUNIT_EXPECT_EQ(test, l.nstages, 2);

	fos_win_layout_init(&l, 2, 0x01);	/* RW RO */
	fos_test_pos(&w, 10, 2, h_rw_ro);
	fos_test_attach(test, &l, &w, 1, false, 3);	/* RW RO RO */
	fos_test_win(test, &l, &w, 1, 3, 6);
	fos_test_attach(test, &l, &w, 3, false, 3);	/* RW RO RO RO */
	fos_test_win(test, &l, &w, 3, 3, 6);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 3);

	/* A RO PM between two RW PMs is a stage: empty window. */
	fos_win_layout_init(&l, 2, 0x03);	/* RW RW */
	fos_test_pos(&w, 10, 2, h_rw_rw);
	fos_test_attach(test, &l, &w, 1, false, 6);	/* RW RO RW */
	KUNIT_EXPECT_EQ(test, l.nstages, 3);
	fos_test_win(test, &l, &w, 1, 6, 6);
	fos_test_win(test, &l, &w, 2, 2, 6);
	fos_test_attach(test, &l, &w, 0, false, 10);	/* RO RW RO RW */
	fos_test_win(test, &l, &w, 0, 10, 10);
	fos_test_win(test, &l, &w, 1, 6, 10);

	/* A RW PM at a stage boundary: empty window, next tail unchanged. */
	fos_win_layout_init(&l, 3, 0x04);	/* RO RO RW */
	fos_test_pos(&w, 10, 3, h_roro_rw);
	fos_test_attach(test, &l, &w, 2, true, 4);	/* RO RO RW RW */
	fos_test_win(test, &l, &w, 2, 4, 4);
	fos_test_win(test, &l, &w, 3, 2, 4);
	fos_test_attach(test, &l, &w, 0, true, 10);	/* RW RO RO RW RW */
	fos_test_win(test, &l, &w, 0, 10, 10);
	fos_test_win(test, &l, &w, 1, 7, 10);
	fos_test_win(test, &l, &w, 2, 4, 10);
	/* At the end: the merger's point does not move. */
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 2);
	fos_test_attach(test, &l, &w, 5, true, 2);
	fos_test_win(test, &l, &w, 5, 2, 2);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 2);
	fos_test_attach(test, &l, &w, 6, false, 2);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 2);
}

/* A RW PM inside a RO stage splits it once the PMs before it are done. */
static void fos_win_attach_split_test(struct kunit *test)
{
	static const u64 heads[] = { 5, 8 };	/* RO RO */
	struct fos_win_layout l, nl;
	struct fos_win w, old;

	fos_win_layout_init(&l, 2, 0);
	fos_test_pos(&w, 10, 2, heads);
	KUNIT_ASSERT_EQ(test, fos_win_layout_insert(&nl, &l, 1, true), 0);
	old = w;
	KUNIT_EXPECT_EQ(test, fos_win_can_attach(&l, &nl, 1, &w), -EBUSY);
	KUNIT_EXPECT_EQ(test, fos_win_attach(&l, &nl, 1, &w), -EBUSY);
	KUNIT_EXPECT_EQ(test, memcmp(&w, &old, sizeof(w)), 0);

	/* The PM after the split point may lag: its window is kept. */
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 0, 10), 0);
	fos_test_attach(test, &l, &w, 1, true, 10);	/* RO RW RO */
	fos_test_win(test, &l, &w, 0, 10, 10);
	fos_test_win(test, &l, &w, 1, 10, 10);
	fos_test_win(test, &l, &w, 2, 8, 10);
	fos_win_push(&w, 2);
	fos_test_win(test, &l, &w, 0, 10, 12);
	fos_test_win(test, &l, &w, 2, 8, 10);
}

static void fos_win_attach_refuse_test(struct kunit *test)
{
	struct fos_win_layout l, nl;
	struct fos_win w, old;

	fos_win_layout_init(&l, 2, 0x01);
	fos_win_init(&w);
	fos_win_push(&w, 4);
	old = w;
	KUNIT_ASSERT_EQ(test, fos_win_layout_insert(&nl, &l, 1, false), 0);
	KUNIT_EXPECT_EQ(test, fos_win_attach(&l, &nl, 0, &w), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_win_attach(&l, &nl, 3, &w), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_win_attach(&l, &nl, 100, &w), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_win_attach(&l, &l, 1, &w), -EINVAL);
	nl.rw_mask |= 0x02;
	KUNIT_EXPECT_EQ(test, fos_win_attach(&l, &nl, 1, &w), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&w, &old, sizeof(w)), 0);

	fos_win_layout_init(&l, FOS_WIN_MAX, 0);
	fos_win_layout_init(&nl, FOS_WIN_MAX, 0);
	KUNIT_EXPECT_EQ(test, fos_win_attach(&l, &nl, 0, &w), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&w, &old, sizeof(w)), 0);
}

static void fos_test_detach(struct kunit *test, struct fos_win_layout *l,
			    struct fos_win *w, unsigned int i, int err)
{
	struct fos_win_layout nl;
	struct fos_win old = *w;

	KUNIT_ASSERT_EQ(test, fos_win_layout_remove(&nl, l, i), 0);
	KUNIT_EXPECT_EQ(test, fos_win_can_detach(l, &nl, i, w), err);
	KUNIT_ASSERT_EQ(test, fos_win_detach(l, &nl, i, w), err);
	if (err) {
		KUNIT_EXPECT_EQ(test, memcmp(w, &old, sizeof(*w)), 0);
		return;
	}
	*l = nl;
	KUNIT_EXPECT_EQ(test, w->head[l->n], 0);
	KUNIT_EXPECT_EQ(test, fos_win_check(l, w), 0);
}

static void fos_win_detach_test(struct kunit *test)
{
	static const u64 h_ro_rw_ro[] = { 6, 4, 0 };
	static const u64 h_roro[] = { 10, 3 };
	struct fos_win_layout l, nl;
	struct fos_win w, old;

	/* A RW PM goes after its window: the RO stages around it merge. */
	fos_win_layout_init(&l, 3, 0x02);
	fos_test_pos(&w, 10, 3, h_ro_rw_ro);
	fos_test_win(test, &l, &w, 2, 0, 4);
	fos_test_detach(test, &l, &w, 1, -EBUSY);
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 1, 6), 0);
	fos_test_detach(test, &l, &w, 1, 0);
	KUNIT_EXPECT_EQ(test, l.nstages, 1);
	fos_test_win(test, &l, &w, 0, 6, 10);
	fos_test_win(test, &l, &w, 1, 0, 10);

	/* A RO PM leaves its stage; the others keep their windows. */
	fos_win_layout_init(&l, 2, 0);
	fos_test_pos(&w, 10, 2, h_roro);
	fos_test_detach(test, &l, &w, 1, -EBUSY);
	fos_test_detach(test, &l, &w, 0, 0);
	fos_test_win(test, &l, &w, 0, 3, 10);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 3);

	/* The last PM goes: the merger sends what arrived. */
	KUNIT_EXPECT_EQ(test, fos_win_release(&l, &w, 0, 10), 0);
	fos_test_detach(test, &l, &w, 0, 0);
	KUNIT_EXPECT_EQ(test, l.n, 0);
	KUNIT_EXPECT_EQ(test, fos_win_sendable(&l, &w), 10);

	/* Refusals. */
	fos_win_layout_init(&l, 2, 0x01);
	fos_win_init(&w);
	old = w;
	KUNIT_ASSERT_EQ(test, fos_win_layout_remove(&nl, &l, 0), 0);
	KUNIT_EXPECT_EQ(test, fos_win_detach(&l, &nl, 1, &w), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_win_detach(&l, &nl, 2, &w), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_win_detach(&l, &l, 0, &w), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&w, &old, sizeof(w)), 0);
	KUNIT_EXPECT_EQ(test, fos_win_detach(&l, &nl, 0, &w), 0);
}

/* --- the randomized run against a reference model --------------------- */

/*
 * The model follows each unit by itself, from the API calls it makes and
 * the windows the API reports, with PMs named by model slots (a slot is
 * reused after its PM is detached). Per live unit it keeps:
 *
 *   oblig  the PMs attached when the unit arrived: each must see it,
 *          unless it is detached first;
 *   held   the PMs whose window has held the unit, not yet released;
 *   seen   the PMs that released it.
 *
 * After every operation the windows the API reports are compared with the
 * model's: a head moves only by its PM's release and a window never loses
 * a unit it has not released. A unit entering a window is checked: it is
 * in the stream and unsent, every PM of an earlier stage that must see it
 * has, no PM of a later stage has held it, and it is never shared with a
 * RW PM. A release covers only units its window held; a send only units no
 * PM holds and every obliged PM has seen.
 */

#define FOS_RT_OPS	1000000
#define FOS_RT_SESS	4
#define FOS_RT_LIVE	64	/* most units arrived and not sent */
#define FOS_RT_RING	128	/* a power of two, more than FOS_RT_LIVE */

struct fos_rt_unit {
	u8 oblig, held, seen;
};

struct fos_rt_sess {
	struct fos_win w;
	u64 tail, sent;
	u64 head[FOS_WIN_MAX], exp[FOS_WIN_MAX];	/* by slot */
	struct fos_rt_unit u[FOS_RT_RING];
};

struct fos_rt {
	struct kunit *test;
	struct rnd_state rnd;
	struct fos_win_layout l;
	u8 slot[FOS_WIN_MAX];		/* PM index -> slot */
	u8 used, rw;			/* slots attached, RW slots */
	u8 earlier[FOS_WIN_MAX];	/* per slot: slots in earlier stages */
	u8 later[FOS_WIN_MAX];		/* per slot: slots in later stages */
	u32 op;
	unsigned long ops, pushed, sent, releases, refused, attached,
		      joined, split, attach_busy, detached, detach_busy,
		      violations;
	struct fos_rt_sess s[FOS_RT_SESS];
};

static __printf(2, 3) void fos_rt_fail(struct fos_rt *rt, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (rt->violations++ >= 10)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	kunit_err(rt->test, "op %u: %pV\n", rt->op, &vaf);
	va_end(args);
}

static u32 fos_rt_rand(struct fos_rt *rt, u32 n)
{
	return prandom_u32_state(&rt->rnd) % n;
}

static u64 fos_rt_rand64(struct fos_rt *rt, u64 lo, u64 hi)	/* [lo, hi] */
{
	return lo + (u64)prandom_u32_state(&rt->rnd) % (hi - lo + 1);
}

static struct fos_rt_unit *fos_rt_unit(struct fos_rt_sess *s, u64 u)
{
	return &s->u[u & (FOS_RT_RING - 1)];
}

/* The model's own stages, from the kinds of the attached PMs. */
static void fos_rt_stages(struct fos_rt *rt)
{
	unsigned int p, q, n = rt->l.n, st[FOS_WIN_MAX];

	for (p = 0; p < n; p++) {
		bool rw = rt->rw & BIT(rt->slot[p]);

		st[p] = p == 0 ? 0 :
			st[p - 1] + (rw || (rt->rw & BIT(rt->slot[p - 1])));
	}
	memset(rt->earlier, 0, sizeof(rt->earlier));
	memset(rt->later, 0, sizeof(rt->later));
	for (p = 0; p < n; p++)
		for (q = 0; q < n; q++) {
			if (st[q] < st[p])
				rt->earlier[rt->slot[p]] |= BIT(rt->slot[q]);
			if (st[q] > st[p])
				rt->later[rt->slot[p]] |= BIT(rt->slot[q]);
		}
}

static void fos_rt_expose(struct fos_rt *rt, struct fos_rt_sess *s, u8 x,
			  u64 u)
{
	struct fos_rt_unit *un = fos_rt_unit(s, u);
	u8 bit = BIT(x);

	if (u < s->sent || u >= s->tail) {
		fos_rt_fail(rt, "unit %llu in a window: not in [%llu, %llu)",
			    u, s->sent, s->tail);
		return;
	}
	if ((un->held | un->seen) & bit)
		fos_rt_fail(rt, "unit %llu in slot %u's window twice", u, x);
	if (rt->earlier[x] & un->oblig & ~un->seen)
		fos_rt_fail(rt, "unit %llu reached slot %u before slots %#x saw it",
			    u, x, rt->earlier[x] & un->oblig & ~un->seen);
	if (rt->later[x] & (un->held | un->seen))
		fos_rt_fail(rt, "unit %llu reached slot %u after slots %#x",
			    u, x, rt->later[x] & (un->held | un->seen));
	if (((rt->rw & bit) && un->held) || (un->held & rt->rw))
		fos_rt_fail(rt, "unit %llu shared by RW: slot %u and slots %#x",
			    u, x, un->held);
	un->held |= bit;
}

/* Check one session after an operation and expose what entered windows. */
static void fos_rt_sync(struct fos_rt *rt, struct fos_rt_sess *s)
{
	const char *why;
	unsigned int p;
	u64 h, t, u;

	if (fos_win_check_why(&rt->l, &s->w, &why))
		fos_rt_fail(rt, "fos_win_check: %s", why);
	if (s->w.tail != s->tail || s->w.sent != s->sent)
		fos_rt_fail(rt, "tail %llu sent %llu, model %llu %llu",
			    s->w.tail, s->w.sent, s->tail, s->sent);
	for (p = 0; p < rt->l.n; p++) {
		u8 x = rt->slot[p];

		fos_win_window(&rt->l, &s->w, p, &h, &t);
		if (h != s->head[x])
			fos_rt_fail(rt, "PM %u head %llu, model %llu", p, h,
				    s->head[x]);
		if (t < s->exp[x] || t > s->tail) {
			fos_rt_fail(rt, "PM %u tail %llu, model [%llu, %llu]",
				    p, t, s->exp[x], s->tail);
			continue;
		}
		for (u = s->exp[x]; u < t; u++)
			fos_rt_expose(rt, s, x, u);
		s->exp[x] = t;
	}
}

static void fos_rt_sync_all(struct fos_rt *rt)
{
	unsigned int i;

	for (i = 0; i < FOS_RT_SESS; i++)
		fos_rt_sync(rt, &rt->s[i]);
}

static void fos_rt_push(struct fos_rt *rt, struct fos_rt_sess *s, u64 k)
{
	for (; k; k--) {
		struct fos_rt_unit *un = fos_rt_unit(s, s->tail++);

		un->oblig = rt->used;
		un->held = 0;
		un->seen = 0;
		fos_win_push(&s->w, 1);
		rt->pushed++;
	}
}

/* PM @p releases up to @nh, which the API's window allows. */
static void fos_rt_release(struct fos_rt *rt, struct fos_rt_sess *s,
			   unsigned int p, u64 nh)
{
	u8 x = rt->slot[p], bit = BIT(x);
	u64 u;

	if (fos_win_release(&rt->l, &s->w, p, nh)) {
		fos_rt_fail(rt, "release of PM %u to %llu refused", p, nh);
		return;
	}
	rt->releases++;
	if (nh > s->exp[x])
		fos_rt_fail(rt, "PM %u released units its window never held",
			    p);
	for (u = s->head[x]; u < nh && u < s->exp[x]; u++) {
		struct fos_rt_unit *un = fos_rt_unit(s, u);

		un->held &= ~bit;
		un->seen |= bit;
	}
	s->head[x] = nh;
}

static void fos_rt_send(struct fos_rt *rt, struct fos_rt_sess *s, u64 upto)
{
	u64 u;

	if (fos_win_sent(&rt->l, &s->w, upto)) {
		fos_rt_fail(rt, "send to %llu refused", upto);
		return;
	}
	if (upto > s->tail) {
		fos_rt_fail(rt, "sent to %llu, past the %llu units arrived",
			    upto, s->tail);
		return;
	}
	for (u = s->sent; u < upto; u++) {
		struct fos_rt_unit *un = fos_rt_unit(s, u);

		if (un->held)
			fos_rt_fail(rt, "sent unit %llu held by slots %#x", u,
				    un->held);
		if (un->oblig & ~un->seen)
			fos_rt_fail(rt, "sent unit %llu not seen by slots %#x",
				    u, un->oblig & ~un->seen);
		rt->sent++;
	}
	s->sent = upto;
}

/* A refused call must change nothing. */
static void fos_rt_refused(struct fos_rt *rt, struct fos_rt_sess *s, int err,
			   int want, const struct fos_win *old, const char *what)
{
	if (err != want)
		fos_rt_fail(rt, "%s: %d, expected %d", what, err, want);
	else if (memcmp(&s->w, old, sizeof(*old)))
		fos_rt_fail(rt, "%s: refused but changed positions", what);
	rt->refused++;
}

static void fos_rt_op_release(struct fos_rt *rt, struct fos_rt_sess *s)
{
	unsigned int p = fos_rt_rand(rt, rt->l.n);
	u64 h, t;

	fos_win_window(&rt->l, &s->w, p, &h, &t);
	if (h > t)
		fos_rt_fail(rt, "PM %u window [%llu, %llu)", p, h, t);
	else if (fos_rt_rand(rt, 2))
		fos_rt_release(rt, s, p, t);
	else
		fos_rt_release(rt, s, p, fos_rt_rand64(rt, h, t));
}

static void fos_rt_op_bad_release(struct fos_rt *rt, struct fos_rt_sess *s)
{
	struct fos_win old = s->w;
	unsigned int p = fos_rt_rand(rt, FOS_WIN_MAX + 1);
	u64 h, t, nh;

	if (p >= rt->l.n) {
		nh = fos_rt_rand(rt, 4);
	} else {
		fos_win_window(&rt->l, &s->w, p, &h, &t);
		if (h && fos_rt_rand(rt, 2))
			nh = fos_rt_rand64(rt, 0, h - 1);
		else
			nh = t + 1 + fos_rt_rand(rt, 4);
	}
	fos_rt_refused(rt, s, fos_win_release(&rt->l, &s->w, p, nh), -EINVAL,
		       &old, "bad release");
}

static void fos_rt_op_send(struct fos_rt *rt, struct fos_rt_sess *s)
{
	u64 top = fos_win_sendable(&rt->l, &s->w);

	if (top < s->sent) {
		fos_rt_fail(rt, "sendable %llu below sent %llu", top, s->sent);
		return;
	}
	fos_rt_send(rt, s, fos_rt_rand(rt, 2) ? top :
			   fos_rt_rand64(rt, s->sent, top));
}

static void fos_rt_op_bad_send(struct fos_rt *rt, struct fos_rt_sess *s)
{
	struct fos_win old = s->w;
	u64 upto;

	if (s->sent && fos_rt_rand(rt, 2))
		upto = fos_rt_rand64(rt, 0, s->sent - 1);
	else
		upto = fos_win_sendable(&rt->l, &s->w) + 1 + fos_rt_rand(rt, 4);
	fos_rt_refused(rt, s, fos_win_sent(&rt->l, &s->w, upto), -EINVAL,
		       &old, "bad send");
}

/* The first session that refuses the attach (1-based), or 0. */
static unsigned int fos_rt_attach_busy(struct fos_rt *rt,
				       const struct fos_win_layout *nl,
				       unsigned int i, bool split)
{
	unsigned int k, busy = 0;

	for (k = 0; k < FOS_RT_SESS; k++) {
		int err = fos_win_can_attach(&rt->l, nl, i, &rt->s[k].w);

		if (err && (err != -EBUSY || !split))
			fos_rt_fail(rt, "can_attach at %u: %d%s", i, err,
				    split ? "" : ", not a split");
		else if (err && !busy)
			busy = k + 1;
	}
	return busy;
}

/* The RO PMs just before @i release their windows, in every session. */
static void fos_rt_drain_before(struct fos_rt *rt, unsigned int i)
{
	unsigned int k, p, first = i;
	u64 h, t;

	while (first > 0 && !(rt->rw & BIT(rt->slot[first - 1])))
		first--;
	for (k = 0; k < FOS_RT_SESS; k++) {
		for (p = first; p < i; p++) {
			fos_win_window(&rt->l, &rt->s[k].w, p, &h, &t);
			fos_rt_release(rt, &rt->s[k], p, t);
		}
		fos_rt_sync(rt, &rt->s[k]);
	}
}

static void fos_rt_op_attach(struct fos_rt *rt)
{
	unsigned int n = rt->l.n, i = fos_rt_rand(rt, n + 1), k, busy;
	bool rw = !fos_rt_rand(rt, 3);
	struct fos_win_layout nl;
	struct fos_rt_sess *s;
	bool split, join;
	u8 x;

	if (fos_win_layout_insert(&nl, &rt->l, i, rw)) {
		fos_rt_fail(rt, "layout_insert(%u) with %u PMs", i, n);
		return;
	}
	split = rw && i > 0 && i < n &&
		!(rt->rw & (BIT(rt->slot[i - 1]) | BIT(rt->slot[i])));
	join = !rw && ((i > 0 && !(rt->rw & BIT(rt->slot[i - 1]))) ||
		       (i < n && !(rt->rw & BIT(rt->slot[i]))));
	busy = fos_rt_attach_busy(rt, &nl, i, split);
	if (busy) {
		struct fos_win old;

		s = &rt->s[busy - 1];
		old = s->w;
		fos_rt_refused(rt, s, fos_win_attach(&rt->l, &nl, i, &s->w),
			       -EBUSY, &old, "busy attach");
		rt->attach_busy++;
		/* Half the time, do as the engine would: drain, retry. */
		if (fos_rt_rand(rt, 2))
			return;
		fos_rt_drain_before(rt, i);
		if (fos_rt_attach_busy(rt, &nl, i, split)) {
			fos_rt_fail(rt, "attach at %u busy after a drain", i);
			return;
		}
	}

	x = ffz(rt->used);
	for (k = 0; k < FOS_RT_SESS; k++) {
		s = &rt->s[k];
		if (fos_win_attach(&rt->l, &nl, i, &s->w))
			fos_rt_fail(rt, "attach refused after can_attach");
		s->head[x] = s->w.head[i];
		s->exp[x] = s->w.head[i];
		if (s->head[x] < s->sent || s->head[x] > s->tail)
			fos_rt_fail(rt, "attached with head %llu out of [%llu, %llu]",
				    s->head[x], s->sent, s->tail);
	}
	memmove(&rt->slot[i + 1], &rt->slot[i], n - i);
	rt->slot[i] = x;
	rt->used |= BIT(x);
	if (rw)
		rt->rw |= BIT(x);
	rt->l = nl;
	rt->attached++;
	rt->joined += join;
	rt->split += split;
	fos_rt_stages(rt);
	fos_rt_sync_all(rt);
}

static void fos_rt_op_detach(struct fos_rt *rt)
{
	unsigned int n = rt->l.n, i = fos_rt_rand(rt, n), k, busy = 0;
	struct fos_win_layout nl;
	struct fos_rt_sess *s;
	u8 x = rt->slot[i], bit = BIT(x);
	u64 u, h, t;

	/* Mostly, let the PM finish its window first in every session. */
	if (fos_rt_rand(rt, 4)) {
		for (k = 0; k < FOS_RT_SESS; k++) {
			s = &rt->s[k];
			fos_win_window(&rt->l, &s->w, i, &h, &t);
			fos_rt_release(rt, s, i, t);
			fos_rt_sync(rt, s);
		}
	}
	if (fos_win_layout_remove(&nl, &rt->l, i)) {
		fos_rt_fail(rt, "layout_remove(%u) with %u PMs", i, n);
		return;
	}
	for (k = 0; k < FOS_RT_SESS; k++) {
		int err = fos_win_can_detach(&rt->l, &nl, i, &rt->s[k].w);
		bool empty = rt->s[k].head[x] == rt->s[k].exp[x];

		if (err != (empty ? 0 : -EBUSY))
			fos_rt_fail(rt, "can_detach: %d, window %s", err,
				    empty ? "empty" : "not empty");
		if (err)
			busy = k + 1;
	}
	if (busy) {
		struct fos_win old;

		s = &rt->s[busy - 1];
		old = s->w;
		fos_rt_refused(rt, s, fos_win_detach(&rt->l, &nl, i, &s->w),
			       -EBUSY, &old, "busy detach");
		rt->detach_busy++;
		return;
	}

	for (k = 0; k < FOS_RT_SESS; k++) {
		s = &rt->s[k];
		if (fos_win_detach(&rt->l, &nl, i, &s->w))
			fos_rt_fail(rt, "detach refused after can_detach");
		for (u = s->sent; u < s->tail; u++) {
			struct fos_rt_unit *un = fos_rt_unit(s, u);

			if (un->held & bit)
				fos_rt_fail(rt, "detached slot %u holds unit %llu",
					    x, u);
			un->oblig &= ~bit;
			un->seen &= ~bit;
			un->held &= ~bit;
		}
	}
	memmove(&rt->slot[i], &rt->slot[i + 1], n - i - 1);
	rt->used &= ~bit;
	rt->rw &= ~bit;
	rt->l = nl;
	rt->detached++;
	fos_rt_stages(rt);
	fos_rt_sync_all(rt);
}

/* fos_win_next_ready() agrees with the windows. */
static void fos_rt_op_ready(struct fos_rt *rt, struct fos_rt_sess *s)
{
	unsigned int p, from = fos_rt_rand(rt, rt->l.n + 1), want = rt->l.n;
	u64 h, t;

	for (p = from; p < rt->l.n; p++)
		if (fos_win_window(&rt->l, &s->w, p, &h, &t)) {
			want = p;
			break;
		}
	if (fos_win_next_ready(&rt->l, &s->w, from) != want)
		fos_rt_fail(rt, "next_ready(%u) is not %u", from, want);
}

static void fos_rt_op(struct fos_rt *rt)
{
	struct fos_rt_sess *s = &rt->s[fos_rt_rand(rt, FOS_RT_SESS)];
	u32 r = fos_rt_rand(rt, 100);
	u64 k = 1 + fos_rt_rand(rt, 4);
	unsigned int n = rt->l.n;

	if (r < 25 && s->tail - s->sent + k <= FOS_RT_LIVE)
		fos_rt_push(rt, s, k);
	else if (r < 60 && n)
		fos_rt_op_release(rt, s);
	else if (r >= 60 && r < 65)
		fos_rt_op_bad_release(rt, s);
	else if (r < 85)	/* also when there is no room or no PM */
		fos_rt_op_send(rt, s);
	else if (r < 88)
		fos_rt_op_bad_send(rt, s);
	else if (r < 93 && n < FOS_WIN_MAX)
		fos_rt_op_attach(rt);
	else if (r >= 93 && r < 98 && n)
		fos_rt_op_detach(rt);
	else
		fos_rt_op_ready(rt, s);
	fos_rt_sync(rt, s);
	rt->ops++;
}

/* Every PM releases all it can, stage after stage, then the merger sends. */
static void fos_rt_drain(struct fos_rt *rt)
{
	unsigned int k, p;
	u64 h, t;

	for (k = 0; k < FOS_RT_SESS; k++) {
		struct fos_rt_sess *s = &rt->s[k];

		for (p = 0; p < rt->l.n; p++) {
			fos_win_window(&rt->l, &s->w, p, &h, &t);
			fos_rt_release(rt, s, p, t);
			fos_rt_sync(rt, s);
		}
		fos_rt_send(rt, s, fos_win_sendable(&rt->l, &s->w));
		fos_rt_sync(rt, s);
		if (s->sent != s->tail)
			fos_rt_fail(rt, "drained session %u: sent %llu of %llu",
				    k, s->sent, s->tail);
	}
}

static void fos_win_random_test(struct kunit *test)
{
	struct fos_rt *rt = kunit_kzalloc(test, sizeof(*rt), GFP_KERNEL);
	unsigned int k;

	KUNIT_ASSERT_NOT_NULL(test, rt);
	rt->test = test;
	prandom_seed_state(&rt->rnd, 0x464f5357494eULL);
	fos_win_layout_init(&rt->l, 0, 0);
	for (k = 0; k < FOS_RT_SESS; k++)
		fos_win_init(&rt->s[k].w);

	/* Stop at the first violation: what follows would be noise. */
	for (rt->op = 0; rt->op < FOS_RT_OPS && !rt->violations; rt->op++) {
		fos_rt_op(rt);
		if (!(rt->op & 0xffff))
			cond_resched();
	}
	if (!rt->violations)
		fos_rt_drain(rt);

	kunit_info(test, "%lu ops, %lu units pushed and %lu sent, %lu releases, %lu refusals\n",
		   rt->ops, rt->pushed, rt->sent, rt->releases, rt->refused);
	kunit_info(test, "%lu attaches (%lu joined a RO stage, %lu split one, %lu busy), %lu detaches (%lu busy), %u PMs at the end\n",
		   rt->attached, rt->joined, rt->split, rt->attach_busy,
		   rt->detached, rt->detach_busy, rt->l.n);
	kunit_info(test, "%lu violations\n", rt->violations);
	KUNIT_EXPECT_EQ(test, rt->ops, FOS_RT_OPS);
	KUNIT_EXPECT_EQ(test, rt->pushed, rt->sent);
	KUNIT_EXPECT_GT(test, rt->attached, 1000);
	KUNIT_EXPECT_GT(test, rt->joined, 1000);
	KUNIT_EXPECT_GT(test, rt->split, 100);
	KUNIT_EXPECT_GT(test, rt->attach_busy, 0);
	KUNIT_EXPECT_GT(test, rt->detached, 1000);
	KUNIT_EXPECT_GT(test, rt->detach_busy, 0);
	KUNIT_EXPECT_EQ(test, rt->violations, 0);
}

static struct kunit_case fos_win_cases[] = {
	KUNIT_CASE(fos_win_layout_test),
	KUNIT_CASE(fos_win_flow_test),
	KUNIT_CASE(fos_win_refuse_test),
	KUNIT_CASE(fos_win_check_test),
	KUNIT_CASE(fos_win_overlap_test),
	KUNIT_CASE(fos_win_attach_test),
	KUNIT_CASE(fos_win_attach_split_test),
	KUNIT_CASE(fos_win_attach_refuse_test),
	KUNIT_CASE(fos_win_detach_test),
	KUNIT_CASE(fos_win_random_test),
	{}
};

static struct kunit_suite fos_win_suite = {
	.name = "flowstream_fos_win",
	.test_cases = fos_win_cases,
};
