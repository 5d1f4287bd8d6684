// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: the flow record table of a namespace.
 *
 * A fixed array of hash buckets, sized from max-records when accounting is
 * turned on. Lookups are lockless under RCU. Insertions and removals take
 * one of a set of bucket locks; a record's counters are under its own lock,
 * so packets of different flows never write the same cache line. The
 * number of live records is kept with an atomic that is touched only when a
 * record is created or ends, and is raised before a record is inserted, so
 * the table never holds more than max-records.
 *
 * The packet path is kept short (make bench counts its instructions): an
 * IPv4 key is hashed as three words with the interface and protocol in
 * the seed, keys are compared word by word inline, and a packet that
 * arrives with BHs already off (every forwarded or received one) does not
 * toggle them again.
 *
 * Lock order: bucket lock, then record lock, then age_lock.
 */
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/tcp.h>

#include "acct.h"
#include "config.h"
#include "stats.h"

#ifndef FS_RECORD_CACHE_NAME
#define FS_RECORD_CACHE_NAME "flowstream_record"
#endif

static struct kmem_cache *fs_record_cache __read_mostly;

int fs_acct_cache_init(void)
{
	fs_record_cache = kmem_cache_create(FS_RECORD_CACHE_NAME,
					    sizeof(struct fs_record),
					    __alignof__(struct fs_record), 0,
					    NULL);
	return fs_record_cache ? 0 : -ENOMEM;
}

void fs_acct_cache_exit(void)
{
	rcu_barrier();	/* records freed by call_rcu() */
	kmem_cache_destroy(fs_record_cache);
}

unsigned int fs_acct_record_size(void)
{
	return kmem_cache_size(fs_record_cache);
}

/*
 * Equal keys hash alike, which is all a hash table needs: IPv4 keys (the
 * last 12 bytes of both addresses zero) as the three words that vary, the
 * interface and protocol folded into the secret seed; IPv6 keys whole.
 */
static u32 fs_acct_hash(const struct fs_acct *acct,
			const struct fs_acct_key *key)
{
	BUILD_BUG_ON(sizeof(*key) % sizeof(u32));
	if (likely(key->family == AF_INET))
		return jhash_3words((__force u32)key->src.s6_addr32[0],
				    (__force u32)key->dst.s6_addr32[0],
				    (__force u32)key->sport << 16 |
				    (__force u32)key->dport,
				    acct->seed ^ key->iif ^
				    (u32)key->proto << 24);
	return jhash2((const u32 *)key, sizeof(*key) / sizeof(u32),
		      acct->seed);
}

/* 8 and 4 bytes of a key (aligned to 4): one load each where that is fine. */
static __always_inline u64 fs_key64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static __always_inline u32 fs_key32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Are two keys the same? Five 8-byte words and one 4-byte word, inline. */
static __always_inline bool fs_acct_key_eq(const struct fs_acct_key *a,
					   const struct fs_acct_key *b)
{
	const u8 *x = (const u8 *)a, *y = (const u8 *)b;
	u64 d;

	BUILD_BUG_ON(sizeof(*a) != 5 * sizeof(u64) + sizeof(u32));
	d = fs_key64(x) ^ fs_key64(y);
	d |= fs_key64(x + 8) ^ fs_key64(y + 8);
	d |= fs_key64(x + 16) ^ fs_key64(y + 16);
	d |= fs_key64(x + 24) ^ fs_key64(y + 24);
	d |= fs_key64(x + 32) ^ fs_key64(y + 32);
	d |= fs_key32(x + 40) ^ fs_key32(y + 40);
	return !d;
}

/* Every table of every namespace, for fs_acct_totals(). */
static LIST_HEAD(fs_acct_tables);
static DEFINE_MUTEX(fs_acct_tables_lock);

static spinlock_t *fs_acct_lock(struct fs_acct *acct, u32 hash)
{
	return &acct->locks[hash & acct->lock_mask];
}

void fs_acct_update(struct fs_acct *acct, const struct fs_config *cfg)
{
	WRITE_ONCE(acct->max, cfg->acct_max_records);
	WRITE_ONCE(acct->overload, cfg->acct_overload);
	WRITE_ONCE(acct->idle_j, (u64)cfg->acct_idle_timeout * HZ);
	WRITE_ONCE(acct->active_j, (u64)cfg->acct_active_timeout * HZ);
	WRITE_ONCE(acct->fin_j, (u64)cfg->acct_fin_timeout * HZ);
}

struct fs_acct *fs_acct_create(struct fs_net *fsn, const struct fs_config *cfg)
{
	u32 nbuckets, nlocks, i;
	struct fs_acct *acct;

	acct = kzalloc(sizeof(*acct), GFP_KERNEL);
	if (!acct)
		return NULL;
	/* About two records per bucket at the limit. */
	nbuckets = roundup_pow_of_two(max_t(u32, cfg->acct_max_records / 2, 64));
	nlocks = min_t(u32, nbuckets, 1024);
	acct->buckets = kvcalloc(nbuckets, sizeof(*acct->buckets), GFP_KERNEL);
	acct->locks = kvmalloc_array(nlocks, sizeof(*acct->locks), GFP_KERNEL);
	if (!acct->buckets || !acct->locks) {
		kvfree(acct->buckets);
		kvfree(acct->locks);
		kfree(acct);
		return NULL;
	}
	for (i = 0; i < nlocks; i++)
		spin_lock_init(&acct->locks[i]);
	acct->mask = nbuckets - 1;
	acct->lock_mask = nlocks - 1;
	acct->seed = get_random_u32();
	acct->fsn = fsn;
	atomic_set(&acct->count, 0);
	spin_lock_init(&acct->age_lock);
	INIT_LIST_HEAD(&acct->age_list);
	INIT_DELAYED_WORK(&acct->expire_work, fs_acct_expire_work);
	spin_lock_init(&acct->sched_lock);
	acct->next_scan = 0;
	fs_acct_update(acct, cfg);
	mutex_lock(&fs_acct_tables_lock);
	list_add(&acct->all, &fs_acct_tables);
	mutex_unlock(&fs_acct_tables_lock);
	return acct;
}

void fs_acct_totals(struct fs_acct_totals *t)
{
	struct fs_acct *acct;
	u64 records;

	memset(t, 0, sizeof(*t));
	mutex_lock(&fs_acct_tables_lock);
	list_for_each_entry(acct, &fs_acct_tables, all) {
		records = atomic_read(&acct->count);
		t->tables++;
		t->records += records;
		t->bytes += sizeof(*acct) +
			    (u64)(acct->mask + 1) * sizeof(*acct->buckets) +
			    (u64)(acct->lock_mask + 1) * sizeof(*acct->locks) +
			    records * fs_acct_record_size();
	}
	mutex_unlock(&fs_acct_tables_lock);
}

void fs_rec_snapshot(const struct fs_record *rec, struct fs_rec_snap *snap)
{
	snap->key = rec->key;
	snap->oif = rec->oif;
	snap->packets = rec->packets;
	snap->bytes = rec->bytes;
	snap->first = rec->first;
	snap->last = rec->last;
	snap->dscp = rec->dscp;
	snap->tcp_flags = rec->tcp_flags;
	snap->end = FLOWSTREAM_END_NONE;
}

static void fs_record_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(fs_record_cache, container_of(head, struct fs_record, rcu));
}

/*
 * End a record: the caller holds its bucket lock and its lock, and it is not
 * dead. Reports it (unless @reason is FLOWSTREAM_END_NETNS or it counted
 * nothing), unlinks it and frees it after a grace period.
 */
void fs_acct_end_locked(struct fs_acct *acct, struct fs_record *rec, u8 reason)
{
	struct fs_net *fsn = acct->fsn;
	struct fs_rec_snap snap;

	rec->dead = 1;
	fs_rec_snapshot(rec, &snap);
	snap.end = reason;
	hlist_del_rcu(&rec->hnode);
	spin_lock(&acct->age_lock);
	list_del(&rec->age);
	spin_unlock(&acct->age_lock);
	atomic_dec(&acct->count);

	fs_stat_inc(fsn, FLOWSTREAM_STAT_ACCT_RECORDS_ENDED);
	if (reason == FLOWSTREAM_END_EVICTED)
		fs_stat_inc(fsn, FLOWSTREAM_STAT_ACCT_RECORDS_EVICTED);
	if (reason != FLOWSTREAM_END_NETNS &&
	    reason != FLOWSTREAM_END_MIGRATED && snap.packets)
		fs_events_queue(fsn, &snap, GFP_ATOMIC);
	call_rcu(&rec->rcu, fs_record_free_rcu);
}

/* End the oldest record to make room. Called with BHs off, under RCU. */
static bool fs_acct_evict_oldest(struct fs_acct *acct)
{
	struct fs_record *rec;
	spinlock_t *lock;	/* the record's bucket lock */
	int tries;

	for (tries = 0; tries < 4; tries++) {
		spin_lock(&acct->age_lock);
		rec = list_first_entry_or_null(&acct->age_list,
					       struct fs_record, age);
		spin_unlock(&acct->age_lock);
		if (!rec)
			return false;
		/* Still valid: freed only after a grace period. */
		lock = fs_acct_lock(acct, fs_acct_hash(acct, &rec->key));
		spin_lock(lock);
		spin_lock(&rec->lock);
		if (!rec->dead) {
			fs_acct_end_locked(acct, rec, FLOWSTREAM_END_EVICTED);
			spin_unlock(&rec->lock);
			spin_unlock(lock);
			return true;
		}
		/* Someone else is ending it: look again. */
		spin_unlock(&rec->lock);
		spin_unlock(lock);
	}
	return false;
}

static __always_inline struct fs_record *
fs_acct_find(struct fs_acct *acct, u32 hash, const struct fs_acct_key *key)
{
	struct fs_record *rec;

	hlist_for_each_entry_rcu(rec, &acct->buckets[hash & acct->mask], hnode)
		if (fs_acct_key_eq(&rec->key, key))
			return rec;
	return NULL;
}

/*
 * Count a packet into a record. Returns true if the record starts closing
 * with it (its first FIN or RST): the expiry work may have to run sooner.
 */
static __always_inline bool fs_rec_add(struct fs_record *rec,
				       const struct fs_acct_pkt *pkt,
				       u32 oif, u64 now)
{
	bool closes = false;

	rec->packets++;
	rec->bytes += pkt->len;
	rec->last = now;
	if (unlikely(pkt->tcp_flags)) {
		rec->tcp_flags |= pkt->tcp_flags;
		if ((pkt->tcp_flags & (TCPHDR_FIN | TCPHDR_RST)) &&
		    !rec->closing) {
			rec->closing = 1;
			closes = true;
		}
	}
	if (oif)
		rec->oif = oif;
	return closes;
}

/*
 * Count a packet into an existing record. Returns false if the record is
 * dead; sets *closes as fs_rec_add() says.
 */
static __always_inline bool fs_acct_hit(struct fs_record *rec,
					const struct fs_acct_pkt *pkt,
					u32 oif, u64 now, bool *closes)
{
	bool alive;

	spin_lock(&rec->lock);
	alive = !rec->dead;
	if (likely(alive))
		*closes = fs_rec_add(rec, pkt, oif, now);
	spin_unlock(&rec->lock);
	return alive;
}

/*
 * A new record of @key, empty, its interval beginning at @first (jiffies64):
 * one made by a packet or by MIG_IMPORT. Inline: the packet path uses it.
 */
static __always_inline void fs_rec_init(struct fs_record *rec,
					const struct fs_acct_key *key,
					u8 dscp, u64 first)
{
	rec->key = *key;
	spin_lock_init(&rec->lock);
	rec->dscp = dscp;
	rec->tcp_flags = 0;
	rec->dead = 0;
	rec->closing = 0;
	rec->oif = 0;
	rec->packets = 0;
	rec->bytes = 0;
	rec->first = first;
}

/*
 * Make room for one more record; false if the packet is not accounted.
 * The count is raised only from below the limit, never past it and back:
 * acct_records, read at any moment, never shows more than max-records.
 */
static bool fs_acct_reserve(struct fs_acct *acct)
{
	struct fs_net *fsn = acct->fsn;
	int n = atomic_read(&acct->count);

	for (;;) {
		if (likely(n < READ_ONCE(acct->max))) {
			if (atomic_try_cmpxchg(&acct->count, &n, n + 1))
				return true;
			continue;	/* n is the count now */
		}
		if (READ_ONCE(acct->overload) != FLOWSTREAM_OVERLOAD_EVICT ||
		    !fs_acct_evict_oldest(acct)) {
			fs_stat_inc(fsn, FLOWSTREAM_STAT_ACCT_DROP_LIMIT);
			return false;
		}
		n = atomic_read(&acct->count);
	}
}

/* The namespace's counters for a packet counted into a record. */
static void fs_acct_counted(struct fs_acct *acct,
			    const struct fs_acct_pkt *pkt, bool closes,
			    u64 now)
{
	struct fs_pcpu_stats *st = this_cpu_ptr(acct->fsn->stats);

	fs_stat_add_local(st, FLOWSTREAM_STAT_ACCT_PACKETS, 1);
	fs_stat_add_local(st, FLOWSTREAM_STAT_ACCT_BYTES, pkt->len);
	if (unlikely(pkt->fragment))
		fs_stat_add_local(st, FLOWSTREAM_STAT_ACCT_FRAGMENTS, 1);
	if (unlikely(closes))
		fs_acct_expire_soon(acct, now + READ_ONCE(acct->fin_j));
}

/* fs_acct_account() with BHs off. */
static void __fs_acct_account(struct fs_acct *acct,
			      const struct fs_acct_key *key,
			      const struct fs_acct_pkt *pkt, u32 oif)
{
	struct fs_net *fsn = acct->fsn;
	u64 now = get_jiffies_64();
	struct fs_record *rec, *old;
	u32 hash = fs_acct_hash(acct, key);
	spinlock_t *lock;	/* the bucket lock */
	bool closes = false;

	rec = fs_acct_find(acct, hash, key);
	if (likely(rec) && likely(fs_acct_hit(rec, pkt, oif, now, &closes)))
		goto counted;

	if (!fs_acct_reserve(acct))
		return;
	rec = kmem_cache_alloc(fs_record_cache, GFP_ATOMIC);
	if (!rec) {
		atomic_dec(&acct->count);
		fs_stat_inc(fsn, FLOWSTREAM_STAT_ACCT_DROP_NOMEM);
		return;
	}
	fs_rec_init(rec, key, pkt->dscp, now);
	closes = fs_rec_add(rec, pkt, oif, now);

	lock = fs_acct_lock(acct, hash);
	spin_lock(lock);
	/* Another CPU may have created it meanwhile. */
	old = fs_acct_find(acct, hash, key);
	if (old && fs_acct_hit(old, pkt, oif, now, &closes)) {
		spin_unlock(lock);
		atomic_dec(&acct->count);
		kmem_cache_free(fs_record_cache, rec);
		goto counted;
	}
	hlist_add_head_rcu(&rec->hnode, &acct->buckets[hash & acct->mask]);
	spin_lock(&acct->age_lock);
	list_add_tail(&rec->age, &acct->age_list);
	spin_unlock(&acct->age_lock);
	spin_unlock(lock);
	fs_stat_inc(fsn, FLOWSTREAM_STAT_ACCT_RECORDS_CREATED);
counted:
	fs_acct_counted(acct, pkt, closes, now);
}

/**
 * fs_acct_account() - count a packet
 * @acct: the namespace's table
 * @key: the packet's key
 * @pkt: what else we know of it
 * @oif: egress interface, 0 if none
 *
 * Packet path: any context, under RCU; never sleeps, allocates at most one
 * record, and only while the table is below its limit.
 */
void fs_acct_account(struct fs_acct *acct, const struct fs_acct_key *key,
		     const struct fs_acct_pkt *pkt, u32 oif)
{
	/* Forwarded and received packets come with BHs off already. */
	if (likely(in_softirq())) {
		__fs_acct_account(acct, key, pkt, oif);
		return;
	}
	local_bh_disable();
	__fs_acct_account(acct, key, pkt, oif);
	local_bh_enable();
}

/* End every record that matches @flt (every record if @flt is NULL). */
static u32 fs_acct_end_all(struct fs_acct *acct,
			   const struct fs_acct_filter *flt, u8 reason)
{
	struct fs_record *rec;
	struct hlist_node *tmp;
	u32 i, n = 0;

	for (i = 0; i <= acct->mask; i++) {
		spinlock_t *lock = &acct->locks[i & acct->lock_mask];

		if (hlist_empty(&acct->buckets[i]))
			continue;
		spin_lock_bh(lock);
		hlist_for_each_entry_safe(rec, tmp, &acct->buckets[i], hnode) {
			spin_lock(&rec->lock);
			if (!rec->dead &&
			    (!flt || fs_acct_match(flt, &rec->key, rec->oif))) {
				fs_acct_end_locked(acct, rec, reason);
				n++;
			}
			spin_unlock(&rec->lock);
		}
		spin_unlock_bh(lock);
		if (!(i & 1023))
			cond_resched();
	}
	return n;
}

u32 fs_acct_flush(struct fs_acct *acct, const struct fs_acct_filter *flt)
{
	return fs_acct_end_all(acct, flt, FLOWSTREAM_END_FLUSHED);
}

/*
 * Take the table down: no packet may reach it any more (hooks gone) and the
 * expiry work must not run. Every record ends with @reason.
 */
void fs_acct_destroy(struct fs_acct *acct, u8 reason)
{
	mutex_lock(&fs_acct_tables_lock);
	list_del(&acct->all);
	mutex_unlock(&fs_acct_tables_lock);
	fs_acct_end_all(acct, NULL, reason);
	WARN_ON(atomic_read(&acct->count));
	kvfree(acct->buckets);
	kvfree(acct->locks);
	kfree(acct);
}

bool fs_acct_lookup(struct fs_acct *acct, const struct fs_acct_key *key,
		    struct fs_rec_snap *snap)
{
	struct fs_record *rec;
	bool found = false;

	rcu_read_lock();
	rec = fs_acct_find(acct, fs_acct_hash(acct, key), key);
	if (rec) {
		spin_lock_bh(&rec->lock);
		if (!rec->dead) {
			fs_rec_snapshot(rec, snap);
			found = true;
		}
		spin_unlock_bh(&rec->lock);
	}
	rcu_read_unlock();
	return found;
}

/**
 * fs_acct_take_bucket() - hand out and end the wanted records of a bucket
 * @acct: the table
 * @bucket: index of the bucket, up to acct->mask
 * @want: whether a record (its key) is wanted
 * @take: hands a record out; nonzero when it cannot take more
 * @arg: for @want and @take
 *
 * Each record @take accepts is ended with FLOWSTREAM_END_MIGRATED under
 * its bucket and record locks, in the same step: a packet counts either
 * in what was handed out or in a new record, never in both nor in neither.
 * Process context.
 *
 * Return: the number of records handed out, or -EMSGSIZE if @take refused
 * one (the records before it are handed out, it and those after stay).
 */
int fs_acct_take_bucket(struct fs_acct *acct, u32 bucket,
			bool (*want)(void *arg, const struct fs_acct_key *key),
			int (*take)(void *arg, const struct fs_rec_snap *snap),
			void *arg)
{
	spinlock_t *lock = &acct->locks[bucket & acct->lock_mask];
	struct fs_rec_snap snap;
	struct fs_record *rec;
	struct hlist_node *tmp;
	int n = 0, err = 0;

	spin_lock_bh(lock);
	hlist_for_each_entry_safe(rec, tmp, &acct->buckets[bucket], hnode) {
		if (!want(arg, &rec->key))
			continue;
		spin_lock(&rec->lock);
		if (!rec->dead) {
			fs_rec_snapshot(rec, &snap);
			snap.end = FLOWSTREAM_END_MIGRATED;
			err = take(arg, &snap);
			if (!err) {
				fs_acct_end_locked(acct, rec,
						   FLOWSTREAM_END_MIGRATED);
				n++;
			}
		}
		spin_unlock(&rec->lock);
		if (err)
			break;
	}
	spin_unlock_bh(lock);
	return err ? -EMSGSIZE : n;
}

/**
 * fs_acct_count() - the live records a predicate wants
 * @acct: the table
 * @want: whether a record (its key) is wanted
 * @arg: for @want
 *
 * A walk of every bucket under its lock, rescheduling between groups of
 * buckets: a figure of the moment (records come and end meanwhile), for
 * progress reports. Process context.
 *
 * Return: how many live records @want wanted.
 */
u64 fs_acct_count(struct fs_acct *acct,
		  bool (*want)(void *arg, const struct fs_acct_key *key),
		  void *arg)
{
	struct fs_record *rec;
	u64 n = 0;
	u32 b;

	for (b = 0; b <= acct->mask; b++) {
		spin_lock_bh(&acct->locks[b & acct->lock_mask]);
		hlist_for_each_entry(rec, &acct->buckets[b], hnode)
			if (!READ_ONCE(rec->dead) && want(arg, &rec->key))
				n++;
		spin_unlock_bh(&acct->locks[b & acct->lock_mask]);
		if (!(b & 1023))
			cond_resched();
	}
	return n;
}

/*
 * Room for @n more records, or false with nothing changed: as in
 * fs_acct_reserve(), the count is raised only when it stays within the
 * limit, never past it and back, so a refused import never shows (nor
 * makes the packet path see) more than max-records. No eviction.
 */
static bool fs_acct_reserve_n(struct fs_acct *acct, u32 n)
{
	int count = atomic_read(&acct->count);

	do {
		if ((s64)count + n > READ_ONCE(acct->max))
			return false;
	} while (!atomic_try_cmpxchg(&acct->count, &count, count + n));
	return true;
}

/* @a + @b, or U64_MAX if it does not fit. */
static u64 fs_acct_sat_add(u64 a, u64 b)
{
	u64 sum;

	return check_add_overflow(a, b, &sum) ? U64_MAX : sum;
}

/*
 * Add an imported record's counts to a live one; its locks held. The
 * counts saturate at U64_MAX instead of wrapping (imported counts are
 * network input).
 */
static void fs_acct_merge(struct fs_record *rec, const struct fs_rec_snap *s)
{
	rec->packets = fs_acct_sat_add(rec->packets, s->packets);
	rec->bytes = fs_acct_sat_add(rec->bytes, s->bytes);
	rec->first = min(rec->first, s->first);
	rec->last = max(rec->last, s->last);
	rec->tcp_flags |= s->tcp_flags;
	if (s->tcp_flags & (TCPHDR_FIN | TCPHDR_RST))
		rec->closing = 1;
	if (!rec->oif)
		rec->oif = s->oif;
}

/**
 * fs_acct_import() - take in a batch of records from another host
 * @acct: the table
 * @v: the records, validated, no key twice
 * @n: how many
 * @merged: set to how many were added to live records
 * @extack: why the batch is refused
 *
 * All or nothing: memory for every record and room under max-records for
 * all of them are taken first; then nothing can fail. A record whose key
 * is live is added to, else inserted as given. Process context.
 *
 * Return: 0, -ENOMEM or -ENOSPC.
 */
int fs_acct_import(struct fs_acct *acct, const struct fs_rec_snap *v, u32 n,
		   u32 *merged, struct netlink_ext_ack *extack)
{
	struct fs_record **recs, *rec, *old;
	spinlock_t *lock;	/* a record's bucket lock */
	u32 i, hash;

	*merged = 0;
	recs = kvcalloc(n, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		recs[i] = kmem_cache_alloc(fs_record_cache, GFP_KERNEL);
		if (!recs[i])
			goto nomem;
	}
	if (!fs_acct_reserve_n(acct, n)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "the batch could pass max-records: nothing imported");
		i = n;
		goto free;
	}
	for (i = 0; i < n; i++) {
		rec = recs[i];
		fs_rec_init(rec, &v[i].key, v[i].dscp, v[i].first);
		rec->last = v[i].last;
		fs_acct_merge(rec, &v[i]);

		hash = fs_acct_hash(acct, &rec->key);
		lock = fs_acct_lock(acct, hash);
		spin_lock_bh(lock);
		old = fs_acct_find(acct, hash, &rec->key);
		if (old) {
			spin_lock(&old->lock);
			if (!old->dead) {
				fs_acct_merge(old, &v[i]);
				spin_unlock(&old->lock);
				spin_unlock_bh(lock);
				atomic_dec(&acct->count);
				kmem_cache_free(fs_record_cache, rec);
				recs[i] = NULL;
				(*merged)++;
				continue;
			}
			spin_unlock(&old->lock);
		}
		hlist_add_head_rcu(&rec->hnode,
				   &acct->buckets[hash & acct->mask]);
		spin_lock(&acct->age_lock);
		list_add_tail(&rec->age, &acct->age_list);
		spin_unlock(&acct->age_lock);
		spin_unlock_bh(lock);
		fs_stat_inc(acct->fsn, FLOWSTREAM_STAT_ACCT_RECORDS_CREATED);
	}
	kvfree(recs);
	/* Closing or long idle records end at the next walk. */
	fs_acct_expire_soon(acct, get_jiffies_64());
	return 0;
nomem:
	while (i-- > 0)
		kmem_cache_free(fs_record_cache, recs[i]);
	kvfree(recs);
	return -ENOMEM;
free:
	while (i-- > 0)
		kmem_cache_free(fs_record_cache, recs[i]);
	kvfree(recs);
	return -ENOSPC;
}

/**
 * fs_acct_account_live() - count a packet only into a live record
 * @acct: the namespace's table
 * @key: the packet's key
 * @pkt: what else we know of it
 * @oif: egress interface, 0 if none
 *
 * As fs_acct_account(), but a packet whose flow has no live record creates
 * none (the daisy-chaining of a migration decides where it goes).
 * Return: whether the packet was counted.
 */
bool fs_acct_account_live(struct fs_acct *acct, const struct fs_acct_key *key,
			  const struct fs_acct_pkt *pkt, u32 oif)
{
	u64 now = get_jiffies_64();
	struct fs_record *rec;
	bool closes = false, hit = false;

	local_bh_disable();
	rec = fs_acct_find(acct, fs_acct_hash(acct, key), key);
	if (rec && fs_acct_hit(rec, pkt, oif, now, &closes)) {
		fs_acct_counted(acct, pkt, closes, now);
		hit = true;
	}
	local_bh_enable();
	return hit;
}
