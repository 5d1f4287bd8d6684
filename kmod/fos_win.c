// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: FlowOS window bookkeeping (see fos_win.h for the model, the
 * invariants and the rules of pipeline changes).
 *
 * Pure functions over a layout and one session's positions: no locking, no
 * allocation; every loop is bounded by FOS_WIN_MAX.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "fos_win.h"

/* The PM count, bounded even in a layout that fos_win_check() refuses. */
static unsigned int fos_win_n(const struct fos_win_layout *l)
{
	return min_t(unsigned int, l->n, FOS_WIN_MAX);
}

static bool fos_win_rw(const struct fos_win_layout *l, unsigned int p)
{
	return l->rw_mask & BIT(p);
}

/**
 * fos_win_layout_init() - set up a layout and derive its stages
 * @l: the layout
 * @n: number of PMs; more than FOS_WIN_MAX is cut to FOS_WIN_MAX
 * @rw_mask: bit p set if PM p is read-write; bits from @n on are ignored
 *
 * Consecutive RO PMs share a stage; every RW PM is a stage of its own.
 */
void fos_win_layout_init(struct fos_win_layout *l, unsigned int n, u8 rw_mask)
{
	unsigned int p, s = 0;

	n = min_t(unsigned int, n, FOS_WIN_MAX);
	memset(l, 0, sizeof(*l));
	l->n = n;
	l->rw_mask = rw_mask & (BIT(n) - 1);
	for (p = 0; p < n; p++) {
		if (p > 0 && (fos_win_rw(l, p) || fos_win_rw(l, p - 1)))
			s++;
		l->stage[p] = s;
	}
	l->nstages = n ? s + 1 : 0;
}

/**
 * fos_win_layout_insert() - the layout with one more PM
 * @new: the result (may be @old)
 * @old: the layout now
 * @i: index of the new PM, 0 to @old->n; the PMs from @i on shift up
 * @rw: whether the new PM is read-write
 *
 * Return: 0, or -EINVAL if @i is out of range or @old is full.
 */
int fos_win_layout_insert(struct fos_win_layout *new,
			  const struct fos_win_layout *old, unsigned int i,
			  bool rw)
{
	unsigned int n = fos_win_n(old);

	if (n >= FOS_WIN_MAX || i > n)
		return -EINVAL;
	fos_win_layout_init(new, n + 1, (old->rw_mask & (BIT(i) - 1)) |
				 (rw ? BIT(i) : 0) |
				 (old->rw_mask >> i) << (i + 1));
	return 0;
}

/**
 * fos_win_layout_remove() - the layout with one PM less
 * @new: the result (may be @old)
 * @old: the layout now
 * @i: index of the PM that goes; the PMs after it shift down
 *
 * Return: 0, or -EINVAL if there is no PM @i.
 */
int fos_win_layout_remove(struct fos_win_layout *new,
			  const struct fos_win_layout *old, unsigned int i)
{
	unsigned int n = fos_win_n(old);

	if (i >= n)
		return -EINVAL;
	fos_win_layout_init(new, n - 1, (old->rw_mask & (BIT(i) - 1)) |
				 (old->rw_mask >> (i + 1)) << i);
	return 0;
}

/**
 * fos_win_may_drop() - whether a PM may drop units
 * @l: the layout
 * @p: the PM
 *
 * Only RW PMs may drop units; the caller records what is dropped.
 */
bool fos_win_may_drop(const struct fos_win_layout *l, unsigned int p)
{
	return p < fos_win_n(l) && fos_win_rw(l, p);
}

/**
 * fos_win_init() - positions of a new session: nothing arrived
 * @w: the positions
 */
void fos_win_init(struct fos_win *w)
{
	memset(w, 0, sizeof(*w));
}

/**
 * fos_win_push() - units arrived
 * @w: the positions
 * @n: how many
 */
void fos_win_push(struct fos_win *w, u64 n)
{
	w->tail += n;
}

/**
 * fos_win_stage_release() - the release point of a stage
 * @l: the layout
 * @w: the positions
 * @s: the stage
 *
 * Return: the smallest head of the PMs of stage @s, or the stream tail if
 * that is smaller (it never is while the invariants hold) or if the stage
 * has no PMs.
 */
u64 fos_win_stage_release(const struct fos_win_layout *l,
			  const struct fos_win *w, unsigned int s)
{
	unsigned int p, n = fos_win_n(l);
	u64 r = w->tail;

	for (p = 0; p < n; p++)
		if (l->stage[p] == s)
			r = min(r, w->head[p]);
	return r;
}

/* Where data enters stage @s: the stream tail or the previous release. */
static u64 fos_win_entry(const struct fos_win_layout *l,
			 const struct fos_win *w, unsigned int s)
{
	return s ? fos_win_stage_release(l, w, s - 1) : w->tail;
}

/**
 * fos_win_tail() - the tail of a PM's window
 * @l: the layout
 * @w: the positions
 * @p: the PM
 *
 * Return: the release point of the stage before @p's, or the stream tail
 * for the first stage. For @p >= @l->n, the merger's tail: what
 * fos_win_sendable() returns.
 */
u64 fos_win_tail(const struct fos_win_layout *l, const struct fos_win *w,
		 unsigned int p)
{
	return fos_win_entry(l, w, p < fos_win_n(l) ? l->stage[p] : l->nstages);
}

/* Every PM's tail in one pass; @t[n] is the merger's. */
static void fos_win_tails(const struct fos_win_layout *l,
			  const struct fos_win *w, u64 *t)
{
	unsigned int p, n = fos_win_n(l);
	u64 entry = w->tail, rel = w->tail;

	for (p = 0; p < n; p++) {
		if (p > 0 && l->stage[p] != l->stage[p - 1]) {
			entry = rel;
			rel = w->tail;
		}
		t[p] = entry;
		rel = min(rel, w->head[p]);
	}
	t[n] = rel;
}

/**
 * fos_win_window() - a PM's window
 * @l: the layout
 * @w: the positions
 * @p: the PM
 * @head: its head (the first unit of the window)
 * @tail: its tail (one past the last unit)
 *
 * Return: true if the window holds a unit. For @p >= @l->n, false, with
 * @head and @tail set to 0.
 */
bool fos_win_window(const struct fos_win_layout *l, const struct fos_win *w,
		    unsigned int p, u64 *head, u64 *tail)
{
	if (p >= fos_win_n(l)) {
		*head = 0;
		*tail = 0;
		return false;
	}
	*head = w->head[p];
	*tail = fos_win_tail(l, w, p);
	return *head < *tail;
}

/**
 * fos_win_next_ready() - the first PM with work
 * @l: the layout
 * @w: the positions
 * @p: where to start looking
 *
 * Return: the first PM from @p on whose window holds a unit, or @l->n if
 * there is none.
 */
unsigned int fos_win_next_ready(const struct fos_win_layout *l,
				const struct fos_win *w, unsigned int p)
{
	unsigned int n = fos_win_n(l);
	u64 t[FOS_WIN_MAX + 1];

	fos_win_tails(l, w, t);
	for (; p < n; p++)
		if (w->head[p] < t[p])
			return p;
	return n;
}

/**
 * fos_win_release() - a PM is done with the units below a point
 * @l: the layout
 * @w: the positions
 * @p: the PM
 * @new_head: its new head, from its head to its tail
 *
 * Return: 0, or -EINVAL (nothing changed) if there is no PM @p or
 * @new_head lies outside [head, tail] of @p's window.
 */
int fos_win_release(const struct fos_win_layout *l, struct fos_win *w,
		    unsigned int p, u64 new_head)
{
	if (p >= fos_win_n(l) || new_head < w->head[p] ||
	    new_head > fos_win_tail(l, w, p))
		return -EINVAL;
	w->head[p] = new_head;
	return 0;
}

/**
 * fos_win_sendable() - how far the merger may send
 * @l: the layout
 * @w: the positions
 *
 * Return: the release point of the last stage, or the stream tail if there
 * are no PMs: the merger may send the units [@w->sent, return value).
 */
u64 fos_win_sendable(const struct fos_win_layout *l, const struct fos_win *w)
{
	return fos_win_entry(l, w, l->nstages);
}

/**
 * fos_win_sent() - the merger sent the units below a point
 * @l: the layout
 * @w: the positions
 * @upto: the new send point, from @w->sent to fos_win_sendable()
 *
 * Return: 0, or -EINVAL (nothing changed) if @upto is out of that range.
 */
int fos_win_sent(const struct fos_win_layout *l, struct fos_win *w, u64 upto)
{
	if (upto < w->sent || upto > fos_win_sendable(l, w))
		return -EINVAL;
	w->sent = upto;
	return 0;
}

static bool fos_win_layout_eq(const struct fos_win_layout *a,
			      const struct fos_win_layout *b)
{
	return a->n == b->n && a->rw_mask == b->rw_mask &&
	       a->nstages == b->nstages &&
	       !memcmp(a->stage, b->stage, fos_win_n(a));
}

/**
 * fos_win_can_attach() - whether a session lets a PM be attached
 * @old: the layout now
 * @new: the layout with the PM at @i (fos_win_layout_insert())
 * @i: index of the new PM
 * @w: the session's positions, unchanged
 *
 * Return: 0; -EINVAL if @new is not @old with a PM inserted at @i; -EBUSY if
 * the PM is RW, would split a RO stage, and the PMs of that stage before
 * @i do not all have empty windows (let them release their windows and
 * try again).
 */
int fos_win_can_attach(const struct fos_win_layout *old,
		       const struct fos_win_layout *new, unsigned int i,
		       const struct fos_win *w)
{
	struct fos_win_layout ref;
	unsigned int p, s;
	u64 entry;

	if (i >= FOS_WIN_MAX ||
	    fos_win_layout_insert(&ref, old, i, fos_win_rw(new, i)) ||
	    !fos_win_layout_eq(&ref, new))
		return -EINVAL;
	if (!fos_win_rw(new, i) || i == 0 || i == old->n ||
	    old->stage[i - 1] != old->stage[i])
		return 0;
	s = old->stage[i];
	entry = fos_win_entry(old, w, s);
	for (p = i; p-- > 0 && old->stage[p] == s;)
		if (w->head[p] != entry)
			return -EBUSY;
	return 0;
}

/**
 * fos_win_attach() - attach a PM in one session
 * @old: the layout now
 * @new: the layout with the PM at @i (fos_win_layout_insert())
 * @i: index of the new PM; the heads from @i on shift up
 * @w: the session's positions
 *
 * A RO PM next to a RO stage joins it with head = the stage's release
 * point; any other PM starts with an empty window where data enters it.
 *
 * Return: 0, or what fos_win_can_attach() returns (nothing changed).
 */
int fos_win_attach(const struct fos_win_layout *old,
		   const struct fos_win_layout *new, unsigned int i,
		   struct fos_win *w)
{
	int err = fos_win_can_attach(old, new, i, w);
	unsigned int p;
	u64 head;

	if (err)
		return err;
	if (fos_win_rw(new, i))
		head = fos_win_tail(old, w, i);
	else if (i > 0 && !fos_win_rw(old, i - 1))
		head = fos_win_stage_release(old, w, old->stage[i - 1]);
	else if (i < old->n && !fos_win_rw(old, i))
		head = fos_win_stage_release(old, w, old->stage[i]);
	else
		head = fos_win_tail(old, w, i);
	for (p = old->n; p > i; p--)
		w->head[p] = w->head[p - 1];
	w->head[i] = head;
	return 0;
}

/**
 * fos_win_can_detach() - whether a session lets a PM be detached
 * @old: the layout now
 * @new: the layout without PM @i (fos_win_layout_remove())
 * @i: the PM
 * @w: the session's positions, unchanged
 *
 * Return: 0; -EINVAL if @new is not @old without PM @i; -EBUSY if PM @i's
 * window is not empty (let it release its window and try again).
 */
int fos_win_can_detach(const struct fos_win_layout *old,
		       const struct fos_win_layout *new, unsigned int i,
		       const struct fos_win *w)
{
	struct fos_win_layout ref;

	if (fos_win_layout_remove(&ref, old, i) || !fos_win_layout_eq(&ref, new))
		return -EINVAL;
	if (w->head[i] != fos_win_tail(old, w, i))
		return -EBUSY;
	return 0;
}

/**
 * fos_win_detach() - detach a PM in one session
 * @old: the layout now
 * @new: the layout without PM @i (fos_win_layout_remove())
 * @i: the PM; the heads after it shift down
 * @w: the session's positions
 *
 * Return: 0, or what fos_win_can_detach() returns (nothing changed).
 */
int fos_win_detach(const struct fos_win_layout *old,
		   const struct fos_win_layout *new, unsigned int i,
		   struct fos_win *w)
{
	int err = fos_win_can_detach(old, new, i, w);
	unsigned int p;

	if (err)
		return err;
	for (p = i; p + 1 < old->n; p++)
		w->head[p] = w->head[p + 1];
	w->head[p] = 0;
	return 0;
}

/*
 * The first invariant that does not hold, or NULL. While tails are derived
 * from heads, the order of tails and the disjoint windows follow from
 * sent <= head_p <= tail_p; they are checked all the same, as they are the
 * rules the engine relies on.
 */
static const char *fos_win_violation(const struct fos_win_layout *l,
				     const struct fos_win *w)
{
	u64 t[FOS_WIN_MAX + 1];
	struct fos_win_layout ref;
	unsigned int p, q, n = l->n;

	if (n > FOS_WIN_MAX)
		return "more PMs than FOS_WIN_MAX";
	fos_win_layout_init(&ref, n, l->rw_mask);
	if (ref.rw_mask != l->rw_mask)
		return "RW bit past the last PM";
	if (!fos_win_layout_eq(&ref, l))
		return "stages not derived from the RW PMs";
	for (p = n; p < FOS_WIN_MAX; p++)
		if (w->head[p])
			return "head set past the last PM";
	if (w->sent > w->tail)
		return "sent past the stream tail";

	fos_win_tails(l, w, t);
	for (p = 0; p < n; p++) {
		if (w->head[p] < w->sent)
			return "head below the send point";
		if (w->head[p] > t[p])
			return "head past its tail";
		if (t[p] > w->tail)
			return "tail past the stream tail";
		if (p > 0 && t[p] > t[p - 1])
			return "tail past the previous PM's tail";
	}
	for (p = 0; p < n; p++) {
		for (q = p + 1; q < n; q++) {
			if (l->stage[p] == l->stage[q] ||
			    w->head[p] >= t[p] || w->head[q] >= t[q] ||
			    w->head[p] >= t[q] || w->head[q] >= t[p])
				continue;
			if (fos_win_rw(l, p) || fos_win_rw(l, q))
				return "RW window overlaps another window";
			return "windows of two stages overlap";
		}
	}
	if (w->sent > t[n])
		return "sent past the last stage's release point";
	return NULL;
}

/**
 * fos_win_check_why() - check every invariant of a session
 * @l: the layout
 * @w: the positions
 * @why: if not NULL, set to the first violation found, or NULL
 *
 * Checks the layout too (stages derived from the RW PMs, no RW bit or head
 * past the last PM), then the invariants listed in fos_win.h.
 *
 * Return: 0, or -EINVAL if one does not hold.
 */
int fos_win_check_why(const struct fos_win_layout *l, const struct fos_win *w,
		      const char **why)
{
	const char *bad = fos_win_violation(l, w);

	if (why)
		*why = bad;
	return bad ? -EINVAL : 0;
}

/**
 * fos_win_check() - check every invariant of a session
 * @l: the layout
 * @w: the positions
 *
 * Return: 0, or -EINVAL if one does not hold (fos_win_check_why() says
 * which).
 */
int fos_win_check(const struct fos_win_layout *l, const struct fos_win *w)
{
	return fos_win_check_why(l, w, NULL);
}

/**
 * fos_win_drain() - every unit of @w is given up: the merger's position and
 * the head of every PM of @l move to the stream's tail
 * @l: the pipeline's layout
 * @w: the session's positions
 */
void fos_win_drain(const struct fos_win_layout *l, struct fos_win *w)
{
	unsigned int p;

	for (p = 0; p < l->n; p++)
		w->head[p] = w->tail;
	w->sent = w->tail;
}
