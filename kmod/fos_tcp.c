// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: FlowOS TCP byte-stream assembly (see fos_tcp.h).
 *
 * Held units are kept in an rb-tree by stream offset and in a list by
 * arrival. Held data units never overlap one another and all start past
 * the next expected byte (d->next): a unit is held only past it, and its
 * range is fitted between the held data before it is held. A held len-0
 * unit (a FIN or RST out of order) sits at its position and is emitted
 * once d->next reaches it.
 */
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>

#include "fos_tcp.h"

/**
 * struct fos_tcp_seg - a held unit
 * @node: in &fos_tcp_dir.held, by @start
 * @age: in &fos_tcp_dir.age
 * @skb: the packet
 * @arrived: when it was taken
 * @start: stream offset of the unit's first byte (its position if len 0)
 * @off: as in &struct fos_tcp_unit
 * @len: as in &struct fos_tcp_unit
 * @trimmed: as in &struct fos_tcp_unit
 * @truesize: the skb's truesize when it was taken
 * @flags: as in &struct fos_tcp_unit
 */
struct fos_tcp_seg {
	struct rb_node node;
	struct list_head age;
	struct sk_buff *skb;
	u64 arrived;
	u64 start;
	u32 off;
	u32 len;
	u32 trimmed;
	u32 truesize;
	u8 flags;
};

void fos_tcp_dir_init(struct fos_tcp_dir *d)
{
	memset(d, 0, sizeof(*d));
	d->held = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&d->age);
}

unsigned int fos_tcp_held(const struct fos_tcp_dir *d)
{
	return d->held_pkts;
}

u32 fos_tcp_held_bytes(const struct fos_tcp_dir *d)
{
	return d->held_bytes;
}

u64 fos_tcp_next(const struct fos_tcp_dir *d)
{
	return d->next;
}

bool fos_tcp_oldest(const struct fos_tcp_dir *d, u64 *arrived_ns)
{
	if (list_empty(&d->age))
		return false;
	*arrived_ns = list_first_entry(&d->age, struct fos_tcp_seg,
				       age)->arrived;
	return true;
}

static struct fos_tcp_seg *fos_tcp_seg_of(struct rb_node *n)
{
	return n ? rb_entry(n, struct fos_tcp_seg, node) : NULL;
}

static struct fos_tcp_seg *fos_tcp_first(struct fos_tcp_dir *d)
{
	return fos_tcp_seg_of(rb_first_cached(&d->held));
}

/*
 * Stream offset of sequence number @seq: serial arithmetic against the
 * next expected sequence number, so @seq may lie up to 2^31 either side of
 * it (and before byte 0: negative). Past the FIN, sequence numbers are one
 * ahead of stream offsets.
 */
static s64 fos_tcp_rel(const struct fos_tcp_dir *d, u32 seq)
{
	u64 nseq = d->next + (d->fin_seen && d->next > d->fin_pos);
	s64 rel = (s64)nseq + (s32)(seq - (d->isn + (u32)nseq));

	if (d->fin_seen && rel > (s64)d->fin_pos)
		rel--;
	return rel;
}

/*
 * Emit a unit at stream offset @start: past d->next the bytes between are
 * a gap (only when giving up on holes); at or before it (len 0 only) the
 * unit goes at d->next. Returns whether there was a gap.
 */
static bool fos_tcp_put(struct fos_tcp_dir *d, struct sk_buff *skb, u32 off,
			u32 len, u64 start, u32 trimmed, u8 flags,
			fos_tcp_emit_t emit, void *ctx)
{
	struct fos_tcp_unit u = {
		.skb = skb,
		.off = off,
		.len = len,
		.trimmed = trimmed,
		.flags = flags,
	};

	if (start > d->next) {
		u.gap = start - d->next;
		d->next = start;
	}
	u.stream_off = d->next;
	d->next += len;
	emit(ctx, &u);
	return u.gap;
}

/* Unlink held unit @s, free its node and emit it. Returns gap or not. */
static bool fos_tcp_pop(struct fos_tcp_dir *d, struct fos_tcp_seg *s,
			fos_tcp_emit_t emit, void *ctx)
{
	struct fos_tcp_seg c = *s;

	rb_erase_cached(&s->node, &d->held);
	list_del(&s->age);
	d->held_pkts--;
	d->held_bytes -= s->truesize;
	kfree(s);
	return fos_tcp_put(d, c.skb, c.off, c.len, c.start, c.trimmed,
			   c.flags, emit, ctx);
}

/* Emit the held units that d->next has reached. */
static void fos_tcp_drain(struct fos_tcp_dir *d, fos_tcp_emit_t emit,
			  void *ctx)
{
	struct fos_tcp_seg *s;

	while ((s = fos_tcp_first(d)) && s->start <= d->next)
		fos_tcp_pop(d, s, emit, ctx);
}

static void fos_tcp_link(struct fos_tcp_dir *d, struct fos_tcp_seg *s)
{
	struct rb_node **p = &d->held.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	while (*p) {
		parent = *p;
		if (s->start < fos_tcp_seg_of(parent)->start) {
			p = &parent->rb_left;
		} else {
			p = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&s->node, parent, p);
	rb_insert_color_cached(&s->node, &d->held, leftmost);
	list_add_tail(&s->age, &d->age);
	d->held_pkts++;
	d->held_bytes += s->truesize;
}

/*
 * Fit the new bytes [*sp, e) between the held data (which wins): move *sp
 * past the held data it starts in, and end the range where the next held
 * data starts. Returns that end (*sp >= it if held data covers the whole
 * range); *trimmed gets the bytes cut at the end that no held data has.
 */
static u64 fos_tcp_fit(struct fos_tcp_dir *d, u64 *sp, u64 e, u32 *trimmed)
{
	struct rb_node *n = d->held.rb_root.rb_node, *last = NULL;
	struct fos_tcp_seg *h;
	u64 s = *sp, cut, covered = 0;

	*trimmed = 0;
	/* The last held unit starting at or before s... */
	while (n) {
		if (fos_tcp_seg_of(n)->start <= s) {
			last = n;
			n = n->rb_right;
		} else {
			n = n->rb_left;
		}
	}
	/* ...so the last held data starting there is the one s may be in. */
	for (n = last; n; n = rb_prev(n)) {
		h = fos_tcp_seg_of(n);
		if (h->len) {
			s = max(s, h->start + h->len);
			break;
		}
	}
	/* Past it, skip held data that follows on without a hole. */
	for (n = last ? rb_next(last) : rb_first_cached(&d->held); n;
	     n = rb_next(n)) {
		h = fos_tcp_seg_of(n);
		if (!h->len)
			continue;
		if (h->start > s)
			break;
		s = h->start + h->len;
	}
	*sp = s;
	if (s >= e || !n || fos_tcp_seg_of(n)->start >= e)
		return e;
	/* Held data starts inside: the range ends there. */
	cut = fos_tcp_seg_of(n)->start;
	for (; n; n = rb_next(n)) {
		h = fos_tcp_seg_of(n);
		if (h->start >= e)
			break;
		covered += min(e, h->start + h->len) - h->start;
	}
	*trimmed = e - cut - covered;
	return cut;
}

/* The first FIN placed (at @pos, not before d->next) is the stream end. */
static void fos_tcp_set_fin(struct fos_tcp_dir *d, const struct tcphdr *th,
			    u64 pos)
{
	if (th->fin && !d->fin_seen) {
		d->fin_seen = true;
		d->fin_pos = pos;
	}
}

int fos_tcp_input(struct fos_tcp_dir *d, struct sk_buff *skb,
		  unsigned int l4off, u64 now_ns,
		  const struct fos_tcp_limits *lim, fos_tcp_emit_t emit,
		  void *ctx)
{
	const struct tcphdr *th;
	struct fos_tcp_seg *seg;
	u32 poff, plen, seq, trimmed = 0;
	u64 s, e, cut;
	s64 start, end;
	u8 flags = 0;

	if (l4off > skb_headlen(skb) ||
	    skb_headlen(skb) - l4off < sizeof(struct tcphdr))
		return -EINVAL;
	th = (const struct tcphdr *)(skb->data + l4off);
	poff = l4off + th->doff * 4;
	if (th->doff < 5 || poff > skb->len)
		return -EINVAL;
	/* The payload of a RST is no stream data. */
	plen = th->rst ? 0 : skb->len - poff;
	seq = ntohl(th->seq) + th->syn;
	if (th->syn)
		flags |= FOS_TCP_F_SYN;
	if (th->fin)
		flags |= FOS_TCP_F_FIN;
	if (th->rst)
		flags |= FOS_TCP_F_RST;

	if (!d->started) {
		if (!th->syn && !th->fin && !plen)
			goto at_once;
		/* Byte 0 follows the SYN, or is the first seen. */
		d->started = true;
		d->isn = seq;
	}
	if (!plen && !th->fin && !th->rst)
		goto at_once;

	start = fos_tcp_rel(d, seq);
	end = start + plen;
	if (end <= (s64)d->next) {
		/* Nothing new: a duplicate, or a FIN or RST in order. */
		if (plen)
			flags |= FOS_TCP_F_DUP;
		if (end == (s64)d->next)
			fos_tcp_set_fin(d, th, end);
		goto at_once;
	}

	e = end;
	s = max_t(s64, start, d->next);
	cut = plen ? fos_tcp_fit(d, &s, e, &trimmed) : s;
	if (plen && s >= cut) {
		/* Held data has every new byte. */
		flags |= FOS_TCP_F_DUP;
		if (!th->fin) {
			/* Emitted now, its bytes before the held ones. */
			flags |= FOS_TCP_F_AHEAD;
			goto at_once;
		}
		/* The FIN goes after that data. */
		s = e;
		cut = e;
	}
	/* The packet carries bytes past the unit: held data's, or none's. */
	if (cut < e)
		flags |= FOS_TCP_F_AHEAD;
	if (s == d->next) {
		fos_tcp_set_fin(d, th, e);
		fos_tcp_put(d, skb, poff + (u32)(s - start), cut - s, s,
			    trimmed, flags, emit, ctx);
		fos_tcp_drain(d, emit, ctx);
		return 0;
	}

	/* Out of order: hold it. */
	if (d->held_pkts >= lim->max_pkts ||
	    (u64)d->held_bytes + skb->truesize > lim->max_bytes)
		return -ENOBUFS;
	seg = kmalloc(sizeof(*seg), GFP_ATOMIC | __GFP_NOWARN);
	if (!seg)
		return -ENOMEM;
	fos_tcp_set_fin(d, th, e);
	seg->skb = skb;
	seg->arrived = now_ns;
	seg->start = s;
	seg->len = cut - s;
	seg->off = seg->len ? poff + (u32)(s - start) : poff;
	seg->trimmed = trimmed;
	seg->truesize = skb->truesize;
	seg->flags = flags;
	fos_tcp_link(d, seg);
	return 0;

at_once:
	fos_tcp_put(d, skb, poff, 0, d->next, 0, flags, emit, ctx);
	return 0;
}

int fos_tcp_expire(struct fos_tcp_dir *d, u64 now_ns, u64 timeout_ns,
		   fos_tcp_emit_t emit, void *ctx)
{
	struct fos_tcp_seg *old, *s;
	int gaps = 0;
	bool last;

	/*
	 * A byte missing now was missing when the oldest held unit came, so
	 * every hole before that unit has waited at least as long.
	 */
	while ((old = list_first_entry_or_null(&d->age, struct fos_tcp_seg,
					       age))) {
		if (now_ns < old->arrived || now_ns - old->arrived <= timeout_ns)
			break;
		do {
			s = fos_tcp_first(d);
			last = s == old;
			gaps += fos_tcp_pop(d, s, emit, ctx);
		} while (!last);
		fos_tcp_drain(d, emit, ctx);
	}
	return gaps;
}

void fos_tcp_flush(struct fos_tcp_dir *d, fos_tcp_emit_t emit, void *ctx)
{
	struct fos_tcp_seg *s;

	while ((s = fos_tcp_first(d)))
		fos_tcp_pop(d, s, emit, ctx);
}

unsigned int fos_tcp_purge(struct fos_tcp_dir *d)
{
	struct fos_tcp_seg *s, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(s, tmp, &d->age, age) {
		kfree_skb(s->skb);
		kfree(s);
		n++;
	}
	d->held = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&d->age);
	d->held_pkts = 0;
	d->held_bytes = 0;
	return n;
}

/**
 * fos_tcp_visit_held() - call @fn on each packet held for reordering
 * @d: the direction
 * @fn: the callback; must not unlink or free the packet
 * @arg: its argument
 */
void fos_tcp_visit_held(struct fos_tcp_dir *d, fos_tcp_skb_fn fn, void *arg)
{
	struct fos_tcp_seg *s;

	list_for_each_entry(s, &d->age, age)
		fn(s->skb, arg);
}
