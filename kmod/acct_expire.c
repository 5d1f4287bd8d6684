// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: record expiry.
 *
 * Once a second a work item walks the table of each namespace where
 * accounting is on and, for every record:
 * - idle timeout: no packet for idle-timeout: the record ends (idle);
 * - end of connection: a TCP record that saw FIN or RST and no packet for
 *   fin-timeout ends (eof), unless the idle timeout is the shorter one;
 * - active timeout: a record whose interval began active-timeout ago is
 *   reported (active) and counts on from zero in a new interval.
 * Records that ended without counting a packet (an interval with no
 * traffic) are not reported.
 */
#include <linux/jiffies.h>
#include <net/tcp.h>

#include "acct.h"

#define FS_EXPIRE_PERIOD	HZ

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

void fs_acct_expire_scan(struct fs_acct *acct, u64 now)
{
	struct fs_record *rec;
	struct hlist_node *tmp;
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
				if (fs_rec_expire(acct, rec, now, &reason))
					fs_acct_end_locked(acct, rec, reason);
				else
					fs_rec_active(acct, rec, now);
			}
			spin_unlock(&rec->lock);
		}
		spin_unlock_bh(lock);
		if (!(i & 1023))
			cond_resched();
	}
}

void fs_acct_expire_work(struct work_struct *work)
{
	struct fs_acct *acct = container_of(to_delayed_work(work),
					    struct fs_acct, expire_work);

	fs_acct_expire_scan(acct, get_jiffies_64());
	queue_delayed_work(system_power_efficient_wq, &acct->expire_work,
			   FS_EXPIRE_PERIOD);
}
