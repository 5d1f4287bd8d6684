// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: record expiry.
 *
 * A work item walks the table of each namespace where accounting is on
 * and, for every record:
 * - idle timeout: no packet for idle-timeout: the record ends (idle);
 * - end of connection: a TCP record that saw FIN or RST and no packet for
 *   fin-timeout ends (eof), unless the idle timeout is the shorter one;
 * - active timeout: a record whose interval began active-timeout ago is
 *   reported (active) and counts on from zero in a new interval.
 * Records that ended without counting a packet (an interval with no
 * traffic) are not reported.
 *
 * The walk runs when a record can be due, not on a fixed beat: each walk
 * notes the earliest time a record it kept is due, and the next one runs
 * then, or a timeout (the shorter of idle and active) from now if that is
 * sooner, since a record created meanwhile is due no earlier; at most
 * once a second. A record that starts closing (its first FIN or RST)
 * brings the walk forward to its fin-timeout, and so does a change of the
 * timeouts. Records end within a second of being due, as with a walk
 * every second, without walking a large table every second.
 */
#include <linux/jiffies.h>
#include <net/tcp.h>

#include "acct.h"

/* The walk runs at most this often. */
#define FS_EXPIRE_MIN	HZ

/*
 * Caller holds the bucket lock and the record lock. When both timeouts
 * have passed (the scan ran late), the one that passed first decides the
 * reason; a FIN or RST seen in an earlier active interval still counts.
 */
static bool fs_rec_expire(struct fs_acct *acct, struct fs_record *rec, u64 now,
			  u8 *reason)
{
	u64 idle_at = rec->last + READ_ONCE(acct->idle_j);
	u64 eof_at = rec->last + READ_ONCE(acct->fin_j);

	if (rec->closing && time_after_eq64(now, eof_at) &&
	    !time_before64(idle_at, eof_at)) {
		*reason = FLOWSTREAM_END_EOF;
		return true;
	}
	if (time_after_eq64(now, idle_at)) {
		*reason = FLOWSTREAM_END_IDLE;
		return true;
	}
	return false;
}

/* Caller holds the record lock: report the interval, start a new one. */
static void fs_rec_active(struct fs_acct *acct, struct fs_record *rec, u64 now)
{
	struct fs_rec_snap snap;

	if (!time_after_eq64(now, rec->first + READ_ONCE(acct->active_j)))
		return;
	if (rec->packets) {
		fs_rec_snapshot(rec, &snap);
		snap.end = FLOWSTREAM_END_ACTIVE;
		fs_events_queue(acct->fsn, &snap, GFP_ATOMIC);
	}
	rec->packets = 0;
	rec->bytes = 0;
	rec->tcp_flags = 0;
	rec->first = now;
}

/* When is a record due next? Caller holds its lock. */
static u64 fs_rec_due(struct fs_acct *acct, const struct fs_record *rec)
{
	u64 due = rec->last + READ_ONCE(acct->idle_j);

	if (rec->closing)
		due = min(due, rec->last + READ_ONCE(acct->fin_j));
	return min(due, rec->first + READ_ONCE(acct->active_j));
}

/**
 * fs_acct_expire_scan() - end or report what is due
 * @acct: the table
 * @now: jiffies64
 *
 * Return: the earliest time a record left in the table is due (U64_MAX if
 * none is left).
 */
u64 fs_acct_expire_scan(struct fs_acct *acct, u64 now)
{
	struct fs_record *rec;
	struct hlist_node *tmp;
	u64 due = U64_MAX;
	u8 reason;
	u32 i;

	for (i = 0; i <= acct->mask; i++) {
		spinlock_t *lock = &acct->locks[i & acct->lock_mask];

		if (hlist_empty(&acct->buckets[i]))
			continue;
		spin_lock_bh(lock);
		hlist_for_each_entry_safe(rec, tmp, &acct->buckets[i], hnode) {
			spin_lock(&rec->lock);
			if (!rec->dead) {
				if (fs_rec_expire(acct, rec, now, &reason)) {
					fs_acct_end_locked(acct, rec, reason);
				} else {
					fs_rec_active(acct, rec, now);
					due = min(due, fs_rec_due(acct, rec));
				}
			}
			spin_unlock(&rec->lock);
		}
		spin_unlock_bh(lock);
		if (!(i & 1023))
			cond_resched();
	}
	return due;
}

/*
 * Caller holds sched_lock: have the walk run at @at (jiffies64, plain
 * numbers: 64 bits do not wrap) if it is not due to run sooner. A walk in
 * progress has next_scan at U64_MAX: it is queued again.
 */
static void fs_acct_expire_at_locked(struct fs_acct *acct, u64 at, u64 now)
{
	if (at >= acct->next_scan)
		return;
	acct->next_scan = at;
	mod_delayed_work(fs_wq, &acct->expire_work, at > now ? at - now : 0);
}

/**
 * fs_acct_expire_soon() - have the expiry walk run by a given time
 * @acct: the table
 * @at: jiffies64; a second from now at the soonest
 *
 * Any context but hard interrupts. Does nothing before
 * fs_acct_expire_start(), or once the walk is due by @at anyway (a read
 * without the lock first: the packet path calls this).
 */
void fs_acct_expire_soon(struct fs_acct *acct, u64 at)
{
	u64 now = get_jiffies_64();

	at = max(at, now + FS_EXPIRE_MIN);
	if (at >= READ_ONCE(acct->next_scan))
		return;
	spin_lock_bh(&acct->sched_lock);
	if (acct->next_scan)
		fs_acct_expire_at_locked(acct, at, now);
	spin_unlock_bh(&acct->sched_lock);
}

/* The first walk, a second from now; from then on it schedules itself. */
void fs_acct_expire_start(struct fs_acct *acct)
{
	spin_lock_bh(&acct->sched_lock);
	acct->next_scan = U64_MAX;
	fs_acct_expire_at_locked(acct, get_jiffies_64() + FS_EXPIRE_MIN,
				 get_jiffies_64());
	spin_unlock_bh(&acct->sched_lock);
}

void fs_acct_expire_work(struct work_struct *work)
{
	struct fs_acct *acct = container_of(to_delayed_work(work),
					    struct fs_acct, expire_work);
	u64 now = get_jiffies_64(), due;

	/* From here on, a record that starts closing queues another walk. */
	spin_lock_bh(&acct->sched_lock);
	acct->next_scan = U64_MAX;
	spin_unlock_bh(&acct->sched_lock);

	due = fs_acct_expire_scan(acct, now);
	/* A record created from now on is due a timeout from now at least. */
	due = min(due, now + min(READ_ONCE(acct->idle_j),
				 READ_ONCE(acct->active_j)));
	due = max(due, now + FS_EXPIRE_MIN);

	spin_lock_bh(&acct->sched_lock);
	fs_acct_expire_at_locked(acct, due, now);
	spin_unlock_bh(&acct->sched_lock);
}
