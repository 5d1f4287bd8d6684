// SPDX-License-Identifier: GPL-2.0
/*
 * flowstream: the FlowOS packet classifier, by tuple-space search.
 *
 * A packet key is laid out as up to FOS_KW 32-bit words:
 *
 *	word 0		ingress ifindex
 *	word 1		proto | dscp << 8 | family << 16
 *	word 2		sport | dport << 16 (network order, as they are)
 *	words 3..	IPv4: source, destination (2 words)
 *			IPv6: source, destination (8 words)
 *
 * A rule's mask has all ones over the fields it has and its prefixes,
 * zeros elsewhere; its key is its match in the same layout, masked. Rules
 * with the same mask and family form a group; a group hashes only the
 * words its family has (3 without a family, 5 for IPv4, 11 for IPv6). A
 * group holds one entry per distinct key, the best of the rules with that
 * key, in a hash table of bucket offsets into an array of entries.
 *
 * Rules are ranked by priority (higher first), then order (lower first),
 * then their place in the array given to fos_cls_build(). The groups are
 * sorted by the rank of their best entry, so a lookup stops at the first
 * group whose best entry cannot beat the best match found so far.
 *
 * The classifier is one allocation, never changed once built.
 */
#include <linux/bitops.h>
#include <linux/err.h>
#include <linux/in.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "fos_cls.h"

#define FOS_KW		11	/* key words, at most */
#define FOS_W_IF	0
#define FOS_W_PD	1
#define FOS_W_PORTS	2
#define FOS_W_ADDR	3

struct fos_cls_rank {
	u32 prio;
	u32 order;
	u32 idx;
};

/* A distinct key of a group and the best rule that has it. */
struct fos_cls_ent {
	u32 key[FOS_KW];
	struct fos_cls_rank rank;
	void *priv;
};

struct fos_cls_group {
	u32 mask[FOS_KW];
	u8 family;		/* 0: any, and no address words */
	u8 nw;			/* words hashed and compared */
	u32 bmask;		/* buckets - 1 */
	struct fos_cls_rank top;	/* the best entry's */
	const u32 *start;	/* bucket b: ent[start[b]] .. ent[start[b + 1]] */
	const struct fos_cls_ent *ent;
};

struct fos_cls {
	struct rcu_head rcu;
	size_t size;
	u32 seed;
	unsigned int ngroups;
	struct fos_cls_group groups[];
	/* then the entries, then the bucket offsets */
};

/* Does @a rank before @b. */
static bool fos_cls_beats(const struct fos_cls_rank *a,
			  const struct fos_cls_rank *b)
{
	if (a->prio != b->prio)
		return a->prio > b->prio;
	if (a->order != b->order)
		return a->order < b->order;
	return a->idx < b->idx;
}

static unsigned int fos_cls_addr_words(u8 family)
{
	return family == AF_INET6 ? 4 : 1;
}

static unsigned int fos_cls_key_words(u8 family)
{
	return family ? FOS_W_ADDR + 2 * fos_cls_addr_words(family) : FOS_W_ADDR;
}

/* The mask of a prefix of @len bits over @words words, network order. */
static void fos_cls_prefix(u32 *mask, unsigned int words, unsigned int len)
{
	unsigned int i, b;

	for (i = 0; i < words; i++) {
		b = len > 32 * i ? min(len - 32 * i, 32U) : 0;
		mask[i] = b ? (__force u32)htonl(~0U << (32 - b)) : 0;
	}
}

static u32 fos_cls_port(__be16 port)
{
	return (__force u16)port;
}

/* Host bits of a prefix. */
static bool fos_cls_host_bits(const union nf_inet_addr *a, u8 family, u8 len)
{
	unsigned int i, words = fos_cls_addr_words(family);
	u32 mask[4];

	fos_cls_prefix(mask, words, len);
	for (i = 0; i < words; i++)
		if ((__force u32)a->all[i] & ~mask[i])
			return true;
	return false;
}

static const char *fos_cls_check(const struct fos_match *m)
{
	u8 max_len = m->family == AF_INET6 ? 128 : 32;
	bool ports = m->fields & (FOS_M_SPORT | FOS_M_DPORT);

	if (m->fields & ~FOS_M_ALL)
		return "unknown match field";
	if ((m->fields & FOS_M_IFINDEX) && m->ifindex <= 0)
		return "ifindex must be positive";
	if ((m->fields & (FOS_M_SRC | FOS_M_DST)) && !(m->fields & FOS_M_FAMILY))
		return "an address needs the address family";
	if ((m->fields & FOS_M_FAMILY) &&
	    m->family != AF_INET && m->family != AF_INET6)
		return "address family must be IPv4 or IPv6";
	if ((m->fields & FOS_M_SRC) && m->src_len > max_len)
		return "source prefix length out of range";
	if ((m->fields & FOS_M_DST) && m->dst_len > max_len)
		return "destination prefix length out of range";
	if ((m->fields & FOS_M_SRC) &&
	    fos_cls_host_bits(&m->src, m->family, m->src_len))
		return "source address has bits set past its prefix length";
	if ((m->fields & FOS_M_DST) &&
	    fos_cls_host_bits(&m->dst, m->family, m->dst_len))
		return "destination address has bits set past its prefix length";
	if (ports && !(m->fields & FOS_M_PROTO))
		return "ports need a protocol";
	if (ports && m->proto != IPPROTO_TCP && m->proto != IPPROTO_UDP &&
	    m->proto != IPPROTO_SCTP && m->proto != IPPROTO_UDPLITE)
		return "ports need protocol tcp, udp, sctp or udplite";
	if ((m->fields & FOS_M_DSCP) && m->dscp > 63)
		return "dscp must be 0..63";
	return NULL;
}

int fos_match_check(const struct fos_match *m, const char **why)
{
	const char *msg = fos_cls_check(m);

	if (why)
		*why = msg;
	return msg ? -EINVAL : 0;
}

/* --- building ----------------------------------------------------------- */

struct fos_cls_tmp {
	u32 mask[FOS_KW];
	u32 key[FOS_KW];
	u8 family;
	struct fos_cls_rank rank;
	void *priv;
};

/* Lay a (checked) match out as a mask and a masked key. */
static void fos_cls_rule_key(const struct fos_match *m, struct fos_cls_tmp *t)
{
	unsigned int i, aw = fos_cls_addr_words(m->family);
	u32 *mask = t->mask, *key = t->key;

	memset(mask, 0, sizeof(t->mask));
	memset(key, 0, sizeof(t->key));
	t->family = 0;
	if (m->fields & FOS_M_IFINDEX) {
		key[FOS_W_IF] = m->ifindex;
		mask[FOS_W_IF] = ~0U;
	}
	if (m->fields & FOS_M_PROTO) {
		key[FOS_W_PD] |= m->proto;
		mask[FOS_W_PD] |= 0xff;
	}
	if (m->fields & FOS_M_DSCP) {
		key[FOS_W_PD] |= m->dscp << 8;
		mask[FOS_W_PD] |= 0xff << 8;
	}
	if (m->fields & FOS_M_FAMILY) {
		t->family = m->family;
		key[FOS_W_PD] |= m->family << 16;
		mask[FOS_W_PD] |= 0xff << 16;
	}
	if (m->fields & FOS_M_SPORT) {
		key[FOS_W_PORTS] |= fos_cls_port(m->sport);
		mask[FOS_W_PORTS] |= 0xffff;
	}
	if (m->fields & FOS_M_DPORT) {
		key[FOS_W_PORTS] |= fos_cls_port(m->dport) << 16;
		mask[FOS_W_PORTS] |= 0xffff0000U;
	}
	if (m->fields & FOS_M_SRC) {
		fos_cls_prefix(mask + FOS_W_ADDR, aw, m->src_len);
		for (i = 0; i < aw; i++)
			key[FOS_W_ADDR + i] = (__force u32)m->src.all[i] &
					      mask[FOS_W_ADDR + i];
	}
	if (m->fields & FOS_M_DST) {
		fos_cls_prefix(mask + FOS_W_ADDR + aw, aw, m->dst_len);
		for (i = 0; i < aw; i++)
			key[FOS_W_ADDR + aw + i] = (__force u32)m->dst.all[i] &
						   mask[FOS_W_ADDR + aw + i];
	}
}

static int fos_cls_cmp_words(const u32 *a, const u32 *b)
{
	unsigned int i;

	for (i = 0; i < FOS_KW; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static int fos_cls_cmp_shape(const struct fos_cls_tmp *a,
			     const struct fos_cls_tmp *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return fos_cls_cmp_words(a->mask, b->mask);
}

/* Sorts rules by shape, then key, then rank: a key's best comes first. */
static int fos_cls_cmp_tmp(const void *pa, const void *pb)
{
	const struct fos_cls_tmp *a = *(const struct fos_cls_tmp **)pa;
	const struct fos_cls_tmp *b = *(const struct fos_cls_tmp **)pb;
	int c = fos_cls_cmp_shape(a, b);

	if (!c)
		c = fos_cls_cmp_words(a->key, b->key);
	if (!c)
		c = fos_cls_beats(&a->rank, &b->rank) ? -1 : 1;
	return c;
}

/* A group while building: its rules are tp[first] .. tp[first + rules). */
struct fos_cls_span {
	unsigned int first;
	unsigned int rules;
	unsigned int keys;
	unsigned int buckets;
	struct fos_cls_rank top;
};

static int fos_cls_cmp_span(const void *pa, const void *pb)
{
	const struct fos_cls_span *a = pa, *b = pb;

	return fos_cls_beats(&a->top, &b->top) ? -1 : 1;
}

static u32 fos_cls_hash(const u32 *key, unsigned int nw, u32 seed)
{
	return jhash2(key, nw, seed);
}

/* Fills group @g from its span of sorted rules, entries at @ent. */
static void fos_cls_fill(struct fos_cls_group *g, const struct fos_cls_span *s,
			 struct fos_cls_tmp **tp, struct fos_cls_ent *ent,
			 u32 *start, u32 seed)
{
	const struct fos_cls_tmp *t = tp[s->first];
	unsigned int i, b;
	u32 h;

	memcpy(g->mask, t->mask, sizeof(g->mask));
	g->family = t->family;
	g->nw = fos_cls_key_words(t->family);
	g->bmask = s->buckets - 1;
	g->top = s->top;
	g->start = start;
	g->ent = ent;

	/* Count the distinct keys (the first rule of each) by bucket... */
	memset(start, 0, (s->buckets + 1) * sizeof(*start));
	for (i = 0; i < s->rules; i++) {
		t = tp[s->first + i];
		if (i && !fos_cls_cmp_words(t->key, tp[s->first + i - 1]->key))
			continue;
		start[fos_cls_hash(t->key, g->nw, seed) & g->bmask]++;
	}
	/* ...make start[b] the end of bucket b... */
	for (b = 1; b < s->buckets; b++)
		start[b] += start[b - 1];
	start[s->buckets] = s->keys;
	/* ...and place each key at the end of its bucket, moving it down. */
	for (i = 0; i < s->rules; i++) {
		t = tp[s->first + i];
		if (i && !fos_cls_cmp_words(t->key, tp[s->first + i - 1]->key))
			continue;
		h = fos_cls_hash(t->key, g->nw, seed) & g->bmask;
		memcpy(ent[--start[h]].key, t->key, sizeof(t->key));
		ent[start[h]].rank = t->rank;
		ent[start[h]].priv = t->priv;
	}
}

/* Splits the sorted rules into spans of one shape; returns their number. */
static unsigned int fos_cls_split(struct fos_cls_tmp **tp, unsigned int n,
				  struct fos_cls_span *span)
{
	struct fos_cls_span *s = NULL;
	unsigned int i, ns = 0;

	for (i = 0; i < n; i++) {
		if (!i || fos_cls_cmp_shape(tp[i], tp[i - 1])) {
			s = &span[ns++];
			s->first = i;
			s->rules = 0;
			s->keys = 0;
			s->top = tp[i]->rank;
		}
		if (!s->rules || fos_cls_cmp_words(tp[i]->key, tp[i - 1]->key)) {
			s->keys++;
			if (fos_cls_beats(&tp[i]->rank, &s->top))
				s->top = tp[i]->rank;
		}
		s->rules++;
	}
	for (i = 0; i < ns; i++)
		span[i].buckets = roundup_pow_of_two(span[i].keys);
	return ns;
}

static struct fos_cls *fos_cls_alloc(const struct fos_cls_span *span,
				     unsigned int ns, gfp_t gfp)
{
	size_t ents = 0, offs = 0, size;
	struct fos_cls *cls;
	unsigned int i;

	for (i = 0; i < ns; i++) {
		ents += span[i].keys;
		offs += span[i].buckets + 1;
	}
	size = size_add(struct_size(cls, groups, ns),
			size_add(array_size(ents, sizeof(struct fos_cls_ent)),
				 array_size(offs, sizeof(u32))));
	cls = kvzalloc(size, gfp);
	if (!cls)
		return NULL;
	cls->size = size;
	cls->ngroups = ns;
	cls->seed = get_random_u32();
	return cls;
}

struct fos_cls *fos_cls_build(const struct fos_cls_rule *rules, unsigned int n,
			      gfp_t gfp)
{
	struct fos_cls_span *span = NULL;
	struct fos_cls_tmp *tmp = NULL, **tp = NULL;
	struct fos_cls *cls = ERR_PTR(-ENOMEM);
	struct fos_cls_ent *ent;
	unsigned int i, ns = 0;
	u32 *start;

	for (i = 0; i < n; i++)
		if (fos_match_check(&rules[i].m, NULL))
			return ERR_PTR(-EINVAL);
	if (n) {
		tmp = kvmalloc_array(n, sizeof(*tmp), gfp);
		tp = kvmalloc_array(n, sizeof(*tp), gfp);
		span = kvmalloc_array(n, sizeof(*span), gfp);
		if (!tmp || !tp || !span)
			goto out;
	}
	for (i = 0; i < n; i++) {
		fos_cls_rule_key(&rules[i].m, &tmp[i]);
		tmp[i].rank.prio = rules[i].prio;
		tmp[i].rank.order = rules[i].order;
		tmp[i].rank.idx = i;
		tmp[i].priv = rules[i].priv;
		tp[i] = &tmp[i];
	}
	sort(tp, n, sizeof(*tp), fos_cls_cmp_tmp, NULL);
	ns = fos_cls_split(tp, n, span);
	/* Probe order: by the rank of each group's best rule. */
	sort(span, ns, sizeof(*span), fos_cls_cmp_span, NULL);

	cls = fos_cls_alloc(span, ns, gfp);
	if (!cls) {
		cls = ERR_PTR(-ENOMEM);
		goto out;
	}
	ent = (struct fos_cls_ent *)&cls->groups[ns];
	for (i = 0; i < ns; i++)
		ent += span[i].keys;
	start = (u32 *)ent;
	ent = (struct fos_cls_ent *)&cls->groups[ns];
	for (i = 0; i < ns; i++) {
		fos_cls_fill(&cls->groups[i], &span[i], tp, ent, start,
			     cls->seed);
		ent += span[i].keys;
		start += span[i].buckets + 1;
	}
out:
	kvfree(span);
	kvfree(tp);
	kvfree(tmp);
	return cls;
}

/* --- lookup --------------------------------------------------------------- */

/* The lookup, counting the groups it probes in *@probes. */
static void *fos_cls_find(const struct fos_cls *cls,
			  const struct fos_pkt_key *k, unsigned int *probes)
{
	const struct fos_cls_group *g, *end;
	const struct fos_cls_ent *e, *best = NULL;
	u32 w[FOS_KW], m[FOS_KW], h;
	unsigned int i, j;

	*probes = 0;
	if (!cls)
		return NULL;
	w[FOS_W_IF] = k->ifindex;
	w[FOS_W_PD] = k->proto | k->dscp << 8 | k->family << 16;
	w[FOS_W_PORTS] = fos_cls_port(k->sport) | fos_cls_port(k->dport) << 16;
	if (k->family == AF_INET) {
		w[FOS_W_ADDR] = (__force u32)k->src.ip;
		w[FOS_W_ADDR + 1] = (__force u32)k->dst.ip;
	} else if (k->family == AF_INET6) {
		for (i = 0; i < 4; i++) {
			w[FOS_W_ADDR + i] = (__force u32)k->src.all[i];
			w[FOS_W_ADDR + 4 + i] = (__force u32)k->dst.all[i];
		}
	}

	end = cls->groups + cls->ngroups;
	for (g = cls->groups; g < end; g++) {
		if (best && !fos_cls_beats(&g->top, &best->rank))
			break;
		/* Groups with addresses read only their own family's words. */
		if (g->family && g->family != k->family)
			continue;
		(*probes)++;
		for (i = 0; i < g->nw; i++)
			m[i] = w[i] & g->mask[i];
		h = fos_cls_hash(m, g->nw, cls->seed) & g->bmask;
		for (j = g->start[h]; j < g->start[h + 1]; j++) {
			e = &g->ent[j];
			if (memcmp(e->key, m, g->nw * sizeof(u32)))
				continue;
			if (!best || fos_cls_beats(&e->rank, &best->rank))
				best = e;
			break;
		}
	}
	return best ? best->priv : NULL;
}

void *fos_cls_lookup(const struct fos_cls *cls, const struct fos_pkt_key *k)
{
	unsigned int probes;

	return fos_cls_find(cls, k, &probes);
}

/* --- the rest -------------------------------------------------------------- */

void fos_cls_free(struct fos_cls *cls)
{
	kvfree(cls);
}

void fos_cls_free_rcu(struct fos_cls *cls)
{
	if (cls)
		kvfree_rcu(cls, rcu);
}

size_t fos_cls_memory(const struct fos_cls *cls)
{
	return cls ? cls->size : 0;
}

unsigned int fos_cls_groups(const struct fos_cls *cls)
{
	return cls ? cls->ngroups : 0;
}
