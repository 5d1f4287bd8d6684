/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowstream: FlowOS window bookkeeping.
 *
 * A session's stream is a sequence of data units numbered 0, 1, 2, ...;
 * the stream tail is the number of units that have arrived. A flow has a
 * pipeline of up to FOS_WIN_MAX processing modules (PMs), each read-only
 * (RO) or read-write (RW). Consecutive RO PMs form one stage and see the
 * same units concurrently; every RW PM is a stage of its own.
 *
 * Per session and per PM there is a head: units below it have been released
 * by that PM. A stage's release point is the smallest head of its PMs. PM
 * p's window is [head_p, tail_p), where tail_p is the release point of the
 * previous stage (the stream tail for the first stage). The merger sends
 * the units below the last stage's release point (below the stream tail if
 * there are no PMs), once each and in order.
 *
 * Invariants, checked by fos_win_check():
 *
 * - 0 <= sent <= head_p <= tail_p <= stream tail for every PM p: a window
 *   lies inside the stream, a head never passes its tail, and nothing a PM
 *   still holds has been sent;
 * - tail_p <= tail_(p-1): tails do not increase along the pipeline;
 * - the windows of PMs in different stages are disjoint, so a RW PM's
 *   window overlaps no other PM's window; the RO PMs of a stage may
 *   overlap;
 * - sent <= the last stage's release point.
 *
 * Pipeline changes (fos_win_attach(), fos_win_detach()) keep them and never
 * take a unit out of a PM's window: only the PM's own release does that.
 *
 * Attach a PM at index i (the PMs from i on shift up by one):
 *
 * - a RO PM next to an existing RO stage joins that stage and starts with
 *   head = the stage's release point: it sees every unit its stage still
 *   holds and every later one, and the stage's release point is unchanged;
 * - otherwise the PM forms a stage of its own and starts with an empty
 *   window, head = tail = the point where data enters it (the release point
 *   of the previous stage, or the stream tail): it sees the units released
 *   into it after it joined. The next stage's tail is unchanged.
 * - A RW PM put inside a RO stage splits it in two. That is allowed only if
 *   the PMs of that stage before index i have empty windows (else -EBUSY);
 *   otherwise the PMs after i would lose units from their windows, or see
 *   units the PMs before i have not seen yet.
 *
 * A unit that arrives after a PM was attached and is sent before it is
 * detached is therefore seen (released) by that PM, after every PM before
 * it in an earlier stage and before every PM in a later stage.
 *
 * Detach PM i (the PMs after i shift down by one): allowed only when its
 * window is empty (head == tail; else -EBUSY): the engine lets the PM finish
 * and release its window first. No other window shrinks; when a RW PM
 * between two RO stages goes, they merge and the later one's windows grow.
 *
 * These are pure functions: no locking and no allocation. The engine keeps
 * one &struct fos_win_layout per flow and one &struct fos_win per session,
 * and applies a pipeline change to every session under its lock: first
 * fos_win_can_attach() (fos_win_can_detach()) on every session, then
 * fos_win_attach() (fos_win_detach()) on every session, which then cannot
 * fail.
 */
#ifndef _FLOWSTREAM_FOS_WIN_H
#define _FLOWSTREAM_FOS_WIN_H

#include <linux/types.h>

#define FOS_WIN_MAX 8

/**
 * struct fos_win_layout - the pipeline of a flow
 * @n: number of PMs, at most FOS_WIN_MAX
 * @rw_mask: bit p set if PM p is read-write
 * @nstages: number of stages
 * @stage: stage of each PM, 0 for the first stage; derived by
 *	fos_win_layout_init(), 0 past @n
 */
struct fos_win_layout {
	u8 n;
	u8 rw_mask;
	u8 nstages;
	u8 stage[FOS_WIN_MAX];
};

/**
 * struct fos_win - the positions of one session
 * @tail: units arrived (the stream tail)
 * @sent: units sent by the merger
 * @head: per PM, units released by that PM; 0 past the layout's n
 */
struct fos_win {
	u64 tail;
	u64 sent;
	u64 head[FOS_WIN_MAX];
};

/* Layouts. */
void fos_win_layout_init(struct fos_win_layout *l, unsigned int n, u8 rw_mask);
int fos_win_layout_insert(struct fos_win_layout *new,
			  const struct fos_win_layout *old, unsigned int i,
			  bool rw);
int fos_win_layout_remove(struct fos_win_layout *new,
			  const struct fos_win_layout *old, unsigned int i);
bool fos_win_may_drop(const struct fos_win_layout *l, unsigned int p);

/* Positions. */
void fos_win_init(struct fos_win *w);
void fos_win_push(struct fos_win *w, u64 n);
u64 fos_win_stage_release(const struct fos_win_layout *l,
			  const struct fos_win *w, unsigned int s);
u64 fos_win_tail(const struct fos_win_layout *l, const struct fos_win *w,
		 unsigned int p);
bool fos_win_window(const struct fos_win_layout *l, const struct fos_win *w,
		    unsigned int p, u64 *head, u64 *tail);
unsigned int fos_win_next_ready(const struct fos_win_layout *l,
				const struct fos_win *w, unsigned int p);
int fos_win_release(const struct fos_win_layout *l, struct fos_win *w,
		    unsigned int p, u64 new_head);
u64 fos_win_sendable(const struct fos_win_layout *l, const struct fos_win *w);
int fos_win_sent(const struct fos_win_layout *l, struct fos_win *w, u64 upto);

/* Pipeline changes. */
int fos_win_can_attach(const struct fos_win_layout *old,
		       const struct fos_win_layout *new, unsigned int i,
		       const struct fos_win *w);
int fos_win_attach(const struct fos_win_layout *old,
		   const struct fos_win_layout *new, unsigned int i,
		   struct fos_win *w);
int fos_win_can_detach(const struct fos_win_layout *old,
		       const struct fos_win_layout *new, unsigned int i,
		       const struct fos_win *w);
int fos_win_detach(const struct fos_win_layout *old,
		   const struct fos_win_layout *new, unsigned int i,
		   struct fos_win *w);

/* Invariants. */
int fos_win_check_why(const struct fos_win_layout *l, const struct fos_win *w,
		      const char **why);
int fos_win_check(const struct fos_win_layout *l, const struct fos_win *w);
void fos_win_drain(const struct fos_win_layout *l, struct fos_win *w);

#endif /* _FLOWSTREAM_FOS_WIN_H */
