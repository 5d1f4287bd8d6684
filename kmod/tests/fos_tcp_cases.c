// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for FlowOS TCP stream assembly (fos_tcp.c). Included by
 * kunit.c.
 *
 * The test plays the caller: it builds IPv4/TCP packets, linear or with
 * the payload in page fragments, numbers them in skb->cb, gives them to
 * fos_tcp_input() and rebuilds the stream from the units the way a
 * processing module reads it: through the skb. Every check that the
 * stream is right compares those bytes with the bytes sent.
 */
#include <linux/ip.h>
#include <linux/mm.h>
#include <linux/tcp.h>
#include <net/tcp.h>

#define FT_L4OFF	20
#define FT_LOG		64

/* What became of a packet the test made. */
enum { FT_MINE, FT_GIVEN, FT_EMITTED };

struct ft_ctx {
	struct kunit *test;
	struct fos_tcp_dir d;
	struct fos_tcp_limits lim;
	u64 now;
	u32 isn;
	u8 doff;
	u8 nfrags;
	bool check;
	const u8 *src;
	/* packets made */
	struct sk_buff **skbs;
	u8 *state;
	u32 nskbs, maxskbs;
	/* the stream rebuilt from the units */
	u8 *buf, *have;
	u32 cap;
	u64 pos;
	u64 gaps, gap_units, trimmed, units, errors;
	/* the first FT_LOG units and their packets */
	struct fos_tcp_unit u[FT_LOG];
	u32 uid[FT_LOG];
	u64 rnd;
};

/* Checks repeated over many packets: only the first few failures shown. */
static void ft_check(struct ft_ctx *c, bool ok, const char *fn, int line,
		     const char *what)
{
	if (!ok && c->errors++ < 8)
		KUNIT_FAIL(c->test, "%s:%d: %s", fn, line, what);
}

#define FT_CHECK(c, cond) ft_check(c, cond, __func__, __LINE__, #cond)

static u32 ft_rnd(struct ft_ctx *c, u32 n)
{
	u64 x = c->rnd;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rnd = x;
	return n ? (u32)((x * 0x2545F4914F6CDD1DULL) >> 32) % n : 0;
}

static void ft_emit(void *ctx, const struct fos_tcp_unit *u)
{
	struct ft_ctx *c = ctx;
	u32 id = *(u32 *)u->skb->cb;

	FT_CHECK(c, id < c->nskbs && c->skbs[id] == u->skb);
	if (id >= c->nskbs)
		return;
	/* Only taken packets, each once. */
	FT_CHECK(c, c->state[id] == FT_GIVEN);
	c->state[id] = FT_EMITTED;
	FT_CHECK(c, u->stream_off == c->pos + u->gap);
	FT_CHECK(c, (u64)u->off + u->len <= u->skb->len);
	FT_CHECK(c, !(u->flags & ~(FOS_TCP_F_SYN | FOS_TCP_F_FIN |
				    FOS_TCP_F_RST | FOS_TCP_F_DUP |
				    FOS_TCP_F_AHEAD)));
	/* A len-0 unit carries bytes ahead only as a copy of held ones. */
	FT_CHECK(c, u->len || !(u->flags & FOS_TCP_F_AHEAD) ||
		 (u->flags & FOS_TCP_F_DUP));
	if (u->len && u->stream_off + u->len <= c->cap &&
	    u->off + u->len <= u->skb->len) {
		FT_CHECK(c, !skb_copy_bits(u->skb, u->off,
					   c->buf + u->stream_off, u->len));
		memset(c->have + u->stream_off, 1, u->len);
	}
	c->pos = u->stream_off + u->len;
	c->gaps += u->gap;
	c->gap_units += !!u->gap;
	c->trimmed += u->trimmed;
	if (c->units < FT_LOG) {
		c->u[c->units] = *u;
		c->uid[c->units] = id;
	}
	c->units++;
}

/* Held data sorted, disjoint, past d->next; the counters right. */
static void ft_check_dir(struct ft_ctx *c)
{
	struct fos_tcp_dir *d = &c->d;
	struct fos_tcp_seg *s;
	struct rb_node *n;
	u64 end = d->next, prev = 0;
	u32 pkts = 0, bytes = 0, aged = 0;

	for (n = rb_first_cached(&d->held); n; n = rb_next(n)) {
		s = fos_tcp_seg_of(n);
		FT_CHECK(c, s->start >= prev);
		prev = s->start;
		if (s->len) {
			FT_CHECK(c, s->start >= end && s->start > d->next);
			end = s->start + s->len;
		} else {
			FT_CHECK(c, s->start > d->next);
		}
		FT_CHECK(c, c->state[*(u32 *)s->skb->cb] == FT_GIVEN);
		pkts++;
		bytes += s->truesize;
	}
	list_for_each_entry(s, &d->age, age)
		aged++;
	FT_CHECK(c, pkts == d->held_pkts && aged == pkts);
	FT_CHECK(c, bytes == d->held_bytes);
}

static struct sk_buff *ft_skb(struct ft_ctx *c, u32 seq, u8 flags,
			      const u8 *data, u32 len)
{
	unsigned int thlen = c->doff * 4, pieces, i;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	u32 done = 0;

	KUNIT_ASSERT_LT(c->test, c->nskbs, c->maxskbs);
	skb = alloc_skb(sizeof(*iph) + thlen + (c->nfrags ? 0 : len),
			GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(c->test, skb);
	*(u32 *)skb->cb = c->nskbs;
	c->skbs[c->nskbs] = skb;
	c->state[c->nskbs++] = FT_MINE;

	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->tot_len = htons(min_t(u32, sizeof(*iph) + thlen + len, 0xffff));
	th = skb_put_zero(skb, thlen);
	th->source = htons(40000);
	th->dest = htons(80);
	th->seq = htonl(seq);
	th->doff = c->doff;
	tcp_flag_byte(th) = flags;
	if (!c->nfrags) {
		skb_put_data(skb, data, len);
		return skb;
	}
	/* The payload in pages, at odd offsets in them. */
	pieces = max_t(u32, c->nfrags, DIV_ROUND_UP(len, PAGE_SIZE - 64));
	KUNIT_ASSERT_LE(c->test, pieces, MAX_SKB_FRAGS);
	for (i = 0; done < len; i++) {
		u32 pgoff = (i * 13 + len) % 64;
		u32 sz = DIV_ROUND_UP(len - done, pieces - i);
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(c->test, page);
		memcpy(page_address(page) + pgoff, data + done, sz);
		skb_fill_page_desc(skb, i, page, pgoff, sz);
		skb->len += sz;
		skb->data_len += sz;
		skb->truesize += PAGE_SIZE;
		done += sz;
	}
	return skb;
}

static int ft_in(struct ft_ctx *c, struct sk_buff *skb)
{
	u32 id = *(u32 *)skb->cb;
	int ret;

	c->state[id] = FT_GIVEN;
	ret = fos_tcp_input(&c->d, skb, FT_L4OFF, c->now, &c->lim, ft_emit, c);
	if (ret) {
		/* Not taken: not emitted either; the test drops it. */
		FT_CHECK(c, c->state[id] == FT_GIVEN);
		c->state[id] = FT_MINE;
	}
	if (c->check)
		ft_check_dir(c);
	return ret;
}

/* Packet with explicit sequence number, flags and payload. */
static int ft_raw(struct ft_ctx *c, u32 seq, u8 flags, const void *data,
		  u32 len)
{
	return ft_in(c, ft_skb(c, seq, flags, data, len));
}

/* Stream bytes [off, off + len) of c->src. */
static int ft_data(struct ft_ctx *c, u32 off, u32 len, u8 flags)
{
	return ft_raw(c, c->isn + 1 + off, flags | TCPHDR_ACK, c->src + off,
		      len);
}

static int ft_syn(struct ft_ctx *c)
{
	return ft_raw(c, c->isn, TCPHDR_SYN, NULL, 0);
}

/* Forget every packet: held ones are freed by purging, the others here. */
static void ft_reset(struct ft_ctx *c)
{
	u32 i, given = 0, purged;

	for (i = 0; i < c->nskbs; i++)
		given += c->state[i] == FT_GIVEN;
	purged = fos_tcp_purge(&c->d);
	KUNIT_EXPECT_EQ(c->test, purged, given);
	for (i = 0; i < c->nskbs; i++)
		if (c->state[i] != FT_GIVEN)
			kfree_skb(c->skbs[i]);
	c->nskbs = 0;
	memset(c->buf, 0, c->cap);
	memset(c->have, 0, c->cap);
	c->pos = 0;
	c->gaps = 0;
	c->gap_units = 0;
	c->trimmed = 0;
	c->units = 0;
	c->now = 0;
	fos_tcp_dir_init(&c->d);
}

static struct ft_ctx *ft_init(struct kunit *test, u32 cap, u32 maxskbs)
{
	struct ft_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->test = test;
	c->cap = cap;
	c->maxskbs = maxskbs;
	c->buf = kunit_kzalloc(test, cap, GFP_KERNEL);
	c->have = kunit_kzalloc(test, cap, GFP_KERNEL);
	c->skbs = kunit_kcalloc(test, maxskbs, sizeof(*c->skbs), GFP_KERNEL);
	c->state = kunit_kzalloc(test, maxskbs, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, c->buf && c->have && c->skbs && c->state);
	c->lim.max_pkts = 1 << 20;
	c->lim.max_bytes = U32_MAX;
	c->doff = 5;
	c->check = true;
	c->isn = 1000;
	c->rnd = 0x9e3779b97f4a7c15ULL;
	fos_tcp_dir_init(&c->d);
	test->priv = c;
	return c;
}

static void ft_exit(struct kunit *test)
{
	struct ft_ctx *c = test->priv;

	if (c)
		ft_reset(c);
}

/* A stream of @len bytes, each from its offset (a few prime patterns). */
static u8 *ft_pattern(struct kunit *test, u32 len)
{
	u8 *p = kunit_kmalloc(test, len, GFP_KERNEL);
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < len; i++)
		p[i] = (u8)(i * 7 + i / 251);
	return p;
}

/* Stream [0, len) rebuilt without a gap and equal to c->src. */
static bool ft_exact(struct ft_ctx *c, u32 len)
{
	return c->pos == len && !c->gaps && !memcmp(c->buf, c->src, len) &&
	       !memchr_inv(c->have, 1, len);
}

/* --- in order, out of order --------------------------------------------- */

static void ft_in_order_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 4096, 64);

	c->src = ft_pattern(test, 4096);
	KUNIT_ASSERT_EQ(test, ft_syn(c), 0);
	KUNIT_EXPECT_EQ(test, c->units, 1);
	KUNIT_EXPECT_EQ(test, c->u[0].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[0].flags, FOS_TCP_F_SYN);
	KUNIT_ASSERT_EQ(test, ft_data(c, 0, 1000, 0), 0);
	KUNIT_ASSERT_EQ(test, ft_data(c, 1000, 1000, TCPHDR_PSH), 0);
	/* A pure ACK in between: a len-0 unit at once. */
	KUNIT_ASSERT_EQ(test, ft_data(c, 2000, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, ft_data(c, 2000, 2096, TCPHDR_FIN), 0);
	KUNIT_EXPECT_EQ(test, c->units, 5);
	KUNIT_EXPECT_EQ(test, c->u[1].stream_off, 0);
	KUNIT_EXPECT_EQ(test, c->u[1].len, 1000);
	KUNIT_EXPECT_EQ(test, c->u[1].off, 40);
	KUNIT_EXPECT_EQ(test, c->u[2].stream_off, 1000);
	KUNIT_EXPECT_EQ(test, c->u[3].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[3].stream_off, 2000);
	KUNIT_EXPECT_EQ(test, c->u[4].flags, FOS_TCP_F_FIN);
	KUNIT_EXPECT_EQ(test, c->u[4].len, 2096);
	KUNIT_EXPECT_TRUE(test, ft_exact(c, 4096));
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_next(&c->d), 4096);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/* Next permutation of @a (n elements) in lexical order; false at the end. */
static bool ft_next_perm(u8 *a, int n)
{
	int i = n - 2, j = n - 1;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return false;
	while (a[j] <= a[i])
		j--;
	swap(a[i], a[j]);
	for (i++, j = n - 1; i < j; i++, j--)
		swap(a[i], a[j]);
	return true;
}

static void ft_ooo_permutations_test(struct kunit *test)
{
	static const u32 seg[6][2] = {
		{ 0, 100 }, { 100, 1 }, { 101, 399 }, { 500, 500 },
		{ 1000, 24 }, { 1024, 1000 },
	};
	struct ft_ctx *c = ft_init(test, 2024, 16);
	u8 a[6] = { 0, 1, 2, 3, 4, 5 };
	unsigned int runs = 0;
	int i;

	c->src = ft_pattern(test, 2024);
	do {
		u32 contiguous = 0;
		bool got[6] = { };

		KUNIT_ASSERT_EQ(test, ft_syn(c), 0);
		for (i = 0; i < 6; i++) {
			KUNIT_ASSERT_EQ(test, ft_data(c, seg[a[i]][0],
						      seg[a[i]][1],
						      a[i] == 5 ? TCPHDR_FIN :
						      0), 0);
			got[a[i]] = true;
			/* Emitted exactly up to the first missing segment. */
			while (contiguous < 6 && got[contiguous])
				contiguous++;
			KUNIT_EXPECT_EQ(test, c->pos,
					contiguous ? seg[contiguous - 1][0] +
					seg[contiguous - 1][1] : 0);
			KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d),
					i + 1 - contiguous);
		}
		KUNIT_EXPECT_EQ(test, c->units, 7);
		KUNIT_EXPECT_TRUE(test, ft_exact(c, 2024));
		KUNIT_EXPECT_EQ(test, c->trimmed, 0);
		KUNIT_EXPECT_EQ(test, fos_tcp_held_bytes(&c->d), 0);
		ft_reset(c);
		runs++;
	} while (ft_next_perm(a, 6) && !c->errors);
	KUNIT_EXPECT_EQ(test, runs, 720);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/* Held units come out in order behind the segment that fills the hole. */
static void ft_ooo_release_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 1000, 16);

	c->src = ft_pattern(test, 1000);
	ft_syn(c);
	ft_data(c, 300, 100, 0);
	ft_data(c, 100, 100, 0);
	ft_data(c, 500, 100, 0);
	KUNIT_EXPECT_EQ(test, c->units, 1);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 3);
	ft_data(c, 0, 100, 0);
	/* [0,100) [100,200), then the hole at 200. */
	KUNIT_EXPECT_EQ(test, c->units, 3);
	KUNIT_EXPECT_EQ(test, c->uid[1], 4);
	KUNIT_EXPECT_EQ(test, c->uid[2], 2);
	KUNIT_EXPECT_EQ(test, fos_tcp_next(&c->d), 200);
	ft_data(c, 200, 100, 0);
	KUNIT_EXPECT_EQ(test, c->units, 5);
	KUNIT_EXPECT_EQ(test, c->uid[4], 1);
	ft_data(c, 400, 100, 0);
	ft_data(c, 600, 400, 0);
	KUNIT_EXPECT_TRUE(test, ft_exact(c, 1000));
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/* --- overlap ------------------------------------------------------------ */

static void ft_retransmit_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 1000, 16);

	c->src = ft_pattern(test, 1000);
	ft_syn(c);
	ft_data(c, 0, 200, 0);
	ft_data(c, 200, 200, 0);
	/* The same segment again: a len-0 unit at once. */
	KUNIT_ASSERT_EQ(test, ft_data(c, 200, 200, 0), 0);
	KUNIT_EXPECT_EQ(test, c->units, 4);
	KUNIT_EXPECT_EQ(test, c->u[3].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[3].stream_off, 400);
	KUNIT_EXPECT_EQ(test, c->u[3].flags, FOS_TCP_F_DUP);
	/* Resent with more: only the new bytes are the unit's. */
	KUNIT_ASSERT_EQ(test, ft_data(c, 100, 500, 0), 0);
	KUNIT_EXPECT_EQ(test, c->u[4].stream_off, 400);
	KUNIT_EXPECT_EQ(test, c->u[4].len, 200);
	KUNIT_EXPECT_EQ(test, c->u[4].off, 40 + 300);
	KUNIT_EXPECT_EQ(test, c->u[4].flags, 0);
	/* Bytes from before the SYN: old too. */
	KUNIT_ASSERT_EQ(test, ft_raw(c, c->isn - 50, TCPHDR_ACK, c->src, 50),
			0);
	KUNIT_EXPECT_EQ(test, c->u[5].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[5].flags, FOS_TCP_F_DUP);
	/* A retransmitted SYN. */
	KUNIT_ASSERT_EQ(test, ft_syn(c), 0);
	KUNIT_EXPECT_EQ(test, c->u[6].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[6].stream_off, 600);
	ft_data(c, 600, 400, 0);
	KUNIT_EXPECT_TRUE(test, ft_exact(c, 1000));
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/* Overlap with other bytes: what was there first is the stream. */
static void ft_overlap_emitted_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 64, 16);

	ft_syn(c);
	ft_raw(c, c->isn + 1, TCPHDR_ACK, "AAAA", 4);
	ft_raw(c, c->isn + 3, TCPHDR_ACK, "BBBBBB", 6);
	KUNIT_EXPECT_EQ(test, c->pos, 8);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf, "AAAABBBB", 8), 0);
	KUNIT_EXPECT_EQ(test, c->u[2].off, 42);
	KUNIT_EXPECT_EQ(test, c->u[2].len, 4);
	/* Wholly old: nothing of it shows. */
	ft_raw(c, c->isn + 2, TCPHDR_ACK, "XXXXXX", 6);
	KUNIT_EXPECT_EQ(test, c->u[3].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[3].flags, FOS_TCP_F_DUP);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf, "AAAABBBB", 8), 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

static void ft_overlap_held_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 64, 16);
	u32 b = 1000 + 1;

	/* Held CCCC at 4; a newcomer over it keeps only the bytes before. */
	ft_syn(c);
	ft_raw(c, b + 4, TCPHDR_ACK, "CCCC", 4);
	ft_raw(c, b + 0, TCPHDR_ACK, "DDDDDD", 6);
	KUNIT_EXPECT_EQ(test, c->units, 3);
	KUNIT_EXPECT_EQ(test, c->u[1].len, 4);
	KUNIT_EXPECT_EQ(test, c->u[1].trimmed, 0);
	/* Its packet carries the held bytes too: ahead of the stream. */
	KUNIT_EXPECT_EQ(test, c->u[1].flags, FOS_TCP_F_AHEAD);
	KUNIT_EXPECT_EQ(test, c->u[2].len, 4);
	KUNIT_EXPECT_EQ(test, c->u[2].flags, 0);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf, "DDDDCCCC", 8), 0);

	/* Starting inside held data: trimmed at the front. */
	ft_raw(c, b + 12, TCPHDR_ACK, "EEEE", 4);
	ft_raw(c, b + 14, TCPHDR_ACK, "FFFFFF", 6);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 2);
	/* Wholly inside held data: len 0 at once, its bytes ahead. */
	ft_raw(c, b + 13, TCPHDR_ACK, "GGGGGG", 6);
	KUNIT_EXPECT_EQ(test, c->units, 4);
	KUNIT_EXPECT_EQ(test, c->u[3].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[3].flags, FOS_TCP_F_DUP | FOS_TCP_F_AHEAD);
	KUNIT_EXPECT_EQ(test, c->u[3].stream_off, 8);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 2);
	ft_raw(c, b + 8, TCPHDR_ACK, "HHHH", 4);
	KUNIT_EXPECT_EQ(test, c->units, 7);
	KUNIT_EXPECT_EQ(test, c->u[6].off, 42);
	KUNIT_EXPECT_EQ(test, c->pos, 20);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf, "DDDDCCCCHHHHEEEEFFFF", 20), 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/*
 * A newcomer around a held unit: its unit ends where the held one starts,
 * its bytes past the held one are trimmed (counted), and come only from
 * another copy.
 */
static void ft_overlap_split_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 64, 16);
	u32 b = 1000 + 1;

	ft_syn(c);
	ft_raw(c, b + 4, TCPHDR_ACK, "CCCC", 4);
	ft_raw(c, b + 2, TCPHDR_ACK, "SSSSSSSSSS", 10);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 2);
	ft_raw(c, b + 0, TCPHDR_ACK, "AA", 2);
	KUNIT_EXPECT_EQ(test, c->units, 4);
	KUNIT_EXPECT_EQ(test, c->uid[2], 2);
	KUNIT_EXPECT_EQ(test, c->u[2].len, 2);
	KUNIT_EXPECT_EQ(test, c->u[2].trimmed, 4);
	KUNIT_EXPECT_EQ(test, c->u[2].flags, FOS_TCP_F_AHEAD);
	KUNIT_EXPECT_EQ(test, c->pos, 8);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf, "AASSCCCC", 8), 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	/* Another copy of the trimmed bytes fills them in. */
	ft_raw(c, b + 8, TCPHDR_ACK, "TTTT", 4);
	KUNIT_EXPECT_EQ(test, c->pos, 12);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf, "AASSCCCCTTTT", 12), 0);

	/* Around two held units: only the bytes no held unit has count. */
	ft_raw(c, b + 14, TCPHDR_ACK, "UU", 2);
	ft_raw(c, b + 18, TCPHDR_ACK, "VV", 2);
	ft_raw(c, b + 12, TCPHDR_ACK, "WWWWWWWWWW", 10);
	KUNIT_EXPECT_EQ(test, c->units, 7);
	KUNIT_EXPECT_EQ(test, c->u[5].len, 2);
	KUNIT_EXPECT_EQ(test, c->u[5].trimmed, 4);
	KUNIT_EXPECT_EQ(test, c->u[5].flags, FOS_TCP_F_AHEAD);
	KUNIT_EXPECT_EQ(test, c->pos, 16);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 1);
	fos_tcp_flush(&c->d, ft_emit, c);
	KUNIT_EXPECT_EQ(test, c->u[7].gap, 2);
	KUNIT_EXPECT_EQ(test, c->pos, 20);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf, "AASSCCCCTTTTWWUU", 16), 0);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf + 18, "VV", 2), 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/* --- holes -------------------------------------------------------------- */

static void ft_hole_timeout_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 1000, 32);
	u64 t;

	c->src = ft_pattern(test, 1000);
	ft_syn(c);
	ft_data(c, 0, 100, 0);
	c->now = 1000;
	ft_data(c, 200, 100, 0);
	c->now = 2000;
	ft_data(c, 300, 100, 0);
	KUNIT_EXPECT_TRUE(test, fos_tcp_oldest(&c->d, &t));
	KUNIT_EXPECT_EQ(test, t, 1000);
	KUNIT_EXPECT_EQ(test, fos_tcp_expire(&c->d, 1500, 1000, ft_emit, c),
			0);
	/* Waited exactly the timeout: not yet. */
	KUNIT_EXPECT_EQ(test, fos_tcp_expire(&c->d, 2000, 1000, ft_emit, c),
			0);
	KUNIT_EXPECT_EQ(test, c->units, 2);
	KUNIT_EXPECT_EQ(test, fos_tcp_expire(&c->d, 2001, 1000, ft_emit, c),
			1);
	KUNIT_EXPECT_EQ(test, c->units, 4);
	KUNIT_EXPECT_EQ(test, c->u[2].gap, 100);
	KUNIT_EXPECT_EQ(test, c->u[2].stream_off, 200);
	KUNIT_EXPECT_EQ(test, c->u[3].gap, 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	KUNIT_EXPECT_FALSE(test, fos_tcp_oldest(&c->d, &t));
	/* The missing segment comes late: old by now. */
	ft_data(c, 100, 100, 0);
	KUNIT_EXPECT_EQ(test, c->u[4].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[4].flags, FOS_TCP_F_DUP);
	ft_data(c, 400, 100, 0);
	KUNIT_EXPECT_EQ(test, c->u[5].stream_off, 400);

	/* The oldest is not the first in the stream: both holes go. */
	c->now = 3000;
	ft_data(c, 700, 100, 0);
	c->now = 3500;
	ft_data(c, 550, 50, 0);
	c->now = 3600;
	ft_data(c, 900, 100, 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_expire(&c->d, 4001, 1000, ft_emit, c),
			2);
	KUNIT_EXPECT_EQ(test, c->u[6].stream_off, 550);
	KUNIT_EXPECT_EQ(test, c->u[6].gap, 50);
	KUNIT_EXPECT_EQ(test, c->u[7].stream_off, 700);
	KUNIT_EXPECT_EQ(test, c->u[7].gap, 100);
	/* The one after the next hole has not waited long enough. */
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 1);
	KUNIT_EXPECT_EQ(test, fos_tcp_expire(&c->d, 4601, 1000, ft_emit, c),
			1);
	KUNIT_EXPECT_EQ(test, c->u[8].gap, 100);
	KUNIT_EXPECT_EQ(test, c->pos, 1000);
	KUNIT_EXPECT_EQ(test, c->gaps, 350);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf + 700, c->src + 700, 100), 0);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf + 900, c->src + 900, 100), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(c->have + 800, 0, 100));
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

static void ft_flush_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 1000, 32);

	c->src = ft_pattern(test, 1000);
	ft_syn(c);
	ft_data(c, 500, 100, 0);
	ft_data(c, 100, 100, 0);
	ft_data(c, 200, 100, 0);
	ft_data(c, 800, 200, TCPHDR_FIN);
	fos_tcp_flush(&c->d, ft_emit, c);
	KUNIT_EXPECT_EQ(test, c->units, 5);
	KUNIT_EXPECT_EQ(test, c->u[1].gap, 100);
	KUNIT_EXPECT_EQ(test, c->u[2].gap, 0);
	KUNIT_EXPECT_EQ(test, c->u[3].gap, 200);
	KUNIT_EXPECT_EQ(test, c->u[4].gap, 200);
	KUNIT_EXPECT_EQ(test, c->u[4].flags, FOS_TCP_F_FIN);
	KUNIT_EXPECT_EQ(test, c->pos, 1000);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_held_bytes(&c->d), 0);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf + 100, c->src + 100, 200), 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);

	/* Still usable: a RST after the FIN is in order. */
	ft_raw(c, c->isn + 1 + 1001, TCPHDR_RST, NULL, 0);
	KUNIT_EXPECT_EQ(test, c->units, 6);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
}

static void ft_purge_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 1000, 32);

	c->src = ft_pattern(test, 1000);
	ft_syn(c);
	ft_data(c, 500, 100, 0);
	ft_data(c, 100, 100, 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_purge(&c->d), 2);
	/* Those two are gone; ft_reset() must not free them again. */
	c->state[1] = FT_EMITTED;
	c->state[2] = FT_EMITTED;
	c->skbs[1] = NULL;
	c->skbs[2] = NULL;
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_held_bytes(&c->d), 0);
	ft_data(c, 0, 100, 0);
	KUNIT_EXPECT_EQ(test, c->pos, 100);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/* --- sequence numbers ---------------------------------------------------- */

static void ft_wrap_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 3000, 32);
	struct fos_tcp_unit u;

	c->src = ft_pattern(test, 3000);
	c->isn = 0xfffffa00;
	ft_syn(c);
	ft_data(c, 2000, 1000, 0);
	ft_data(c, 1000, 1000, 0);	/* crosses 2^32 */
	ft_data(c, 500, 500, 0);
	ft_data(c, 0, 500, 0);
	KUNIT_EXPECT_TRUE(test, ft_exact(c, 3000));
	ft_data(c, 1200, 100, 0);
	KUNIT_EXPECT_EQ(test, c->u[5].len, 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);

	/* Mid-stream pickup right at the wrap: no SYN, seq 0xffffffff. */
	ft_reset(c);
	c->isn = 0xfffffffe;
	ft_data(c, 200, 100, 0);
	ft_data(c, 0, 100, 0);	/* before byte 0 now */
	ft_data(c, 300, 100, 0);
	KUNIT_EXPECT_EQ(test, c->u[0].stream_off, 0);
	KUNIT_EXPECT_EQ(test, c->u[1].flags, FOS_TCP_F_DUP);
	KUNIT_EXPECT_EQ(test, c->u[2].stream_off, 100);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf, c->src + 200, 200), 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);

	/* Stream offsets past 4 GiB: u64, placed against the next byte. */
	ft_reset(c);
	c->isn = 77;
	ft_syn(c);
	ft_data(c, 0, 100, 0);
	c->d.next = (5ULL << 32) + 100;
	c->pos = c->d.next;
	ft_data(c, 200, 100, 0);
	ft_data(c, 100, 100, 0);
	KUNIT_EXPECT_EQ(test, c->units, 4);
	u = c->u[2];
	KUNIT_EXPECT_EQ(test, u.stream_off, (5ULL << 32) + 100);
	KUNIT_EXPECT_EQ(test, u.off, 40);
	KUNIT_EXPECT_EQ(test, c->u[3].stream_off, (5ULL << 32) + 200);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

static void ft_midstream_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 1000, 32);

	c->src = ft_pattern(test, 1000);
	/* A pure ACK or a RST before any data: len 0, nothing started. */
	ft_data(c, 400, 0, 0);
	ft_raw(c, c->isn + 1 + 300, TCPHDR_RST, NULL, 0);
	KUNIT_EXPECT_FALSE(test, c->d.started);
	KUNIT_EXPECT_EQ(test, c->u[1].flags, FOS_TCP_F_RST);
	ft_data(c, 500, 100, 0);
	ft_data(c, 700, 100, 0);
	ft_data(c, 450, 100, 0);	/* half before the start */
	ft_data(c, 600, 100, 0);
	KUNIT_EXPECT_EQ(test, c->pos, 300);
	KUNIT_EXPECT_EQ(test, c->u[2].stream_off, 0);
	KUNIT_EXPECT_EQ(test, c->u[3].flags, FOS_TCP_F_DUP);
	KUNIT_EXPECT_EQ(test, memcmp(c->buf, c->src + 500, 300), 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

static void ft_syn_data_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 1000, 32);

	c->src = ft_pattern(test, 1000);
	/* Fast Open: data on the SYN is byte 0 on. */
	ft_raw(c, c->isn, TCPHDR_SYN, c->src, 100);
	ft_data(c, 100, 100, 0);
	KUNIT_EXPECT_EQ(test, c->u[0].flags, FOS_TCP_F_SYN);
	KUNIT_EXPECT_EQ(test, c->u[0].len, 100);
	KUNIT_EXPECT_TRUE(test, ft_exact(c, 200));
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

static void ft_probe_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 1000, 32);

	c->src = ft_pattern(test, 1000);
	ft_syn(c);
	ft_data(c, 0, 100, 0);
	/* Keepalive or Linux window probe: 0 or 1 byte at next - 1. */
	ft_raw(c, c->isn + 100, TCPHDR_ACK, "?", 1);
	ft_raw(c, c->isn + 100, TCPHDR_ACK, NULL, 0);
	KUNIT_EXPECT_EQ(test, c->units, 4);
	KUNIT_EXPECT_EQ(test, c->u[2].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[2].flags, FOS_TCP_F_DUP);
	KUNIT_EXPECT_EQ(test, c->u[3].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[3].flags, 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	/* A probe with the next byte, then that byte sent again with more. */
	ft_data(c, 100, 1, 0);
	ft_data(c, 100, 300, 0);
	KUNIT_EXPECT_EQ(test, c->u[4].len, 1);
	KUNIT_EXPECT_EQ(test, c->u[5].len, 299);
	KUNIT_EXPECT_EQ(test, c->u[5].off, 41);
	KUNIT_EXPECT_TRUE(test, ft_exact(c, 400));
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/* --- FIN, RST ------------------------------------------------------------ */

static void ft_fin_rst_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 1000, 32);

	c->src = ft_pattern(test, 1000);
	ft_syn(c);
	/* Data, then a bare FIN out of order, then the hole filled. */
	ft_data(c, 100, 100, 0);
	ft_data(c, 200, 0, TCPHDR_FIN);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 2);
	ft_data(c, 0, 100, 0);
	KUNIT_EXPECT_EQ(test, c->units, 4);
	KUNIT_EXPECT_EQ(test, c->u[3].len, 0);
	KUNIT_EXPECT_EQ(test, c->u[3].flags, FOS_TCP_F_FIN);
	KUNIT_EXPECT_EQ(test, c->u[3].stream_off, 200);
	KUNIT_EXPECT_TRUE(test, c->d.fin_seen);
	KUNIT_EXPECT_EQ(test, c->d.fin_pos, 200);
	/* The FIN again, an ACK after it, a RST after it: all at once. */
	ft_data(c, 200, 0, TCPHDR_FIN);
	ft_raw(c, c->isn + 1 + 201, TCPHDR_ACK, NULL, 0);
	ft_raw(c, c->isn + 1 + 201, TCPHDR_RST, "diag", 4);
	KUNIT_EXPECT_EQ(test, c->units, 7);
	KUNIT_EXPECT_EQ(test, c->u[6].flags, FOS_TCP_F_RST);
	KUNIT_EXPECT_EQ(test, c->u[6].len, 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	KUNIT_EXPECT_EQ(test, c->pos, 200);
	KUNIT_EXPECT_EQ(test, c->errors, 0);

	/* FIN with data out of order; a RST beyond a hole waits its turn. */
	ft_reset(c);
	ft_syn(c);
	ft_data(c, 100, 100, TCPHDR_FIN);
	ft_raw(c, c->isn + 1 + 201, TCPHDR_RST, NULL, 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 2);
	ft_data(c, 0, 150, 0);
	KUNIT_EXPECT_EQ(test, c->units, 4);
	KUNIT_EXPECT_EQ(test, c->u[2].flags, FOS_TCP_F_FIN);
	KUNIT_EXPECT_EQ(test, c->u[2].len, 100);
	KUNIT_EXPECT_EQ(test, c->u[1].len, 100);
	KUNIT_EXPECT_EQ(test, c->u[3].flags, FOS_TCP_F_RST);
	KUNIT_EXPECT_EQ(test, c->u[3].stream_off, 200);
	KUNIT_EXPECT_TRUE(test, ft_exact(c, 200));

	/* A FIN whose data held data has: the FIN waits behind that data. */
	ft_reset(c);
	ft_syn(c);
	ft_data(c, 100, 100, 0);
	ft_data(c, 100, 100, TCPHDR_FIN);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 2);
	ft_data(c, 0, 100, 0);
	KUNIT_EXPECT_EQ(test, c->units, 4);
	KUNIT_EXPECT_EQ(test, c->u[3].flags, FOS_TCP_F_FIN | FOS_TCP_F_DUP);
	KUNIT_EXPECT_EQ(test, c->u[3].stream_off, 200);
	KUNIT_EXPECT_TRUE(test, ft_exact(c, 200));
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/* --- limits, bad input --------------------------------------------------- */

static void ft_limit_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 1000, 32);
	u32 ts;

	c->src = ft_pattern(test, 1000);
	c->lim.max_pkts = 2;
	ft_syn(c);
	KUNIT_EXPECT_EQ(test, ft_data(c, 100, 100, 0), 0);
	KUNIT_EXPECT_EQ(test, ft_data(c, 300, 100, 0), 0);
	KUNIT_EXPECT_EQ(test, ft_data(c, 500, 100, TCPHDR_FIN), -ENOBUFS);
	/* Not taken: nothing emitted, nothing held, no FIN noted. */
	KUNIT_EXPECT_EQ(test, c->units, 1);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 2);
	KUNIT_EXPECT_EQ(test, c->state[3], FT_MINE);
	KUNIT_EXPECT_FALSE(test, c->d.fin_seen);
	/* In order needs no room. */
	KUNIT_EXPECT_EQ(test, ft_data(c, 0, 100, 0), 0);
	KUNIT_EXPECT_EQ(test, c->pos, 200);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 1);
	ts = fos_tcp_held_bytes(&c->d);
	KUNIT_EXPECT_EQ(test, ts, c->skbs[2]->truesize);
	/* The truesize bound. */
	c->lim.max_bytes = ts + ts / 2;
	KUNIT_EXPECT_EQ(test, ft_data(c, 500, 100, 0), -ENOBUFS);
	c->lim.max_bytes = 2 * ts + 1024;
	KUNIT_EXPECT_EQ(test, ft_data(c, 500, 100, 0), 0);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 2);
	/* Nothing may be held at 0. */
	c->lim.max_pkts = 0;
	KUNIT_EXPECT_EQ(test, ft_data(c, 700, 100, 0), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, ft_data(c, 200, 100, 0), 0);
	KUNIT_EXPECT_EQ(test, ft_data(c, 400, 100, 0), 0);
	KUNIT_EXPECT_EQ(test, c->pos, 600);
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

static void ft_bad_header_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 64, 8);
	struct sk_buff *skb;

	ft_syn(c);
	skb = ft_skb(c, c->isn + 1, TCPHDR_ACK, "abcd", 4);
	((struct tcphdr *)(skb->data + FT_L4OFF))->doff = 4;
	KUNIT_EXPECT_EQ(test, ft_in(c, skb), -EINVAL);
	/* The data offset past the packet. */
	skb = ft_skb(c, c->isn + 1, TCPHDR_ACK, "abcd", 4);
	((struct tcphdr *)(skb->data + FT_L4OFF))->doff = 7;
	KUNIT_EXPECT_EQ(test, ft_in(c, skb), -EINVAL);
	/* The TCP header not in the linear area. */
	skb = ft_skb(c, c->isn + 1, TCPHDR_ACK, "abcd", 4);
	KUNIT_EXPECT_EQ(test, fos_tcp_input(&c->d, skb, skb_headlen(skb) - 8,
					    0, &c->lim, ft_emit, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, fos_tcp_input(&c->d, skb, 4096, 0, &c->lim,
					    ft_emit, c), -EINVAL);
	KUNIT_EXPECT_EQ(test, c->units, 1);
	KUNIT_EXPECT_EQ(test, c->d.next, 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/* Options in the TCP header and the payload in pages. */
static void ft_paged_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 20000, 32);

	c->src = ft_pattern(test, 20000);
	c->doff = 8;
	ft_syn(c);
	c->nfrags = 3;
	ft_data(c, 9000, 9000, 0);	/* GRO-sized, over several pages */
	c->nfrags = 1;
	ft_data(c, 0, 1400, 0);
	c->nfrags = 5;
	ft_data(c, 1000, 3000, 0);	/* overlaps the emitted bytes */
	c->nfrags = 0;
	ft_data(c, 4000, 1000, 0);
	c->nfrags = 2;
	ft_data(c, 3000, 6500, 0);	/* old, new, and held bytes */
	KUNIT_EXPECT_EQ(test, c->u[2].off, 52 + 400);
	KUNIT_EXPECT_EQ(test, c->u[4].off, 52 + 2000);
	KUNIT_EXPECT_EQ(test, c->u[4].len, 4000);
	KUNIT_EXPECT_EQ(test, c->u[4].trimmed, 0);
	c->nfrags = 4;
	ft_data(c, 18000, 2000, TCPHDR_FIN);
	KUNIT_EXPECT_TRUE(test, ft_exact(c, 20000));
	KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/* --- randomized ---------------------------------------------------------- */

struct ft_pkt {
	u32 off, len;
	u8 flags;
};

/*
 * A random stream cut at random, with SYN and FIN, copies of runs of whole
 * segments (retransmitted or coalesced) and pure ACKs, all in random order
 * after the SYN, linear or paged. No copy can hide bytes, so the stream
 * must come out whole and in order, every packet once.
 */
static void ft_random_aligned_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 40000, 1024);
	struct ft_pkt *p = kunit_kcalloc(test, 1024, sizeof(*p), GFP_KERNEL);
	u32 *cuts = kunit_kcalloc(test, 512, sizeof(*cuts), GFP_KERNEL);
	u8 *src = kunit_kmalloc(test, 40000, GFP_KERNEL);
	unsigned int iter;

	KUNIT_ASSERT_TRUE(test, p && cuts && src);
	c->src = src;
	c->check = false;
	for (iter = 0; iter < 60 && !c->errors; iter++) {
		u32 len = 1 + ft_rnd(c, 40000), nseg = 0, npkt = 0, i, j;
		u32 maxseg = iter % 3 ? 1500 : 9000;

		for (i = 0; i < len; i++)
			src[i] = ft_rnd(c, 256);
		c->isn = iter & 1 ? ft_rnd(c, U32_MAX) : -1 - ft_rnd(c, 3000);
		c->check = iter < 10;
		cuts[0] = 0;
		for (i = 0; i < len && nseg < 500; nseg++) {
			i += 1 + ft_rnd(c, maxseg);
			cuts[nseg + 1] = min(i, len);
		}
		cuts[nseg] = len;
		for (i = 0; i < nseg; i++)
			p[npkt++] = (struct ft_pkt){ cuts[i],
				cuts[i + 1] - cuts[i],
				i == nseg - 1 ? TCPHDR_FIN : 0 };
		for (j = ft_rnd(c, nseg + 1); j; j--) {
			u32 a = ft_rnd(c, nseg), b = a + 1 + ft_rnd(c, 4);

			b = min(b, nseg);
			p[npkt++] = (struct ft_pkt){ cuts[a], cuts[b] - cuts[a],
				b == nseg ? TCPHDR_FIN : 0 };
		}
		for (j = ft_rnd(c, 20); j; j--)
			p[npkt++] = (struct ft_pkt){ ft_rnd(c, len), 0, 0 };
		/* Shuffle (Fisher-Yates). */
		for (i = npkt - 1; i > 0; i--) {
			j = ft_rnd(c, i + 1);
			swap(p[i], p[j]);
		}
		KUNIT_ASSERT_EQ(test, ft_syn(c), 0);
		for (i = 0; i < npkt; i++) {
			c->nfrags = ft_rnd(c, 3) ? 0 : 1 + ft_rnd(c, 4);
			c->doff = ft_rnd(c, 2) ? 5 : 8;
			KUNIT_ASSERT_EQ(test, ft_data(c, p[i].off, p[i].len,
						      p[i].flags), 0);
		}
		KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
		KUNIT_EXPECT_TRUE(test, ft_exact(c, len));
		KUNIT_EXPECT_EQ(test, c->units, npkt + 1);
		KUNIT_EXPECT_TRUE(test, c->d.fin_seen);
		KUNIT_EXPECT_EQ(test, c->d.fin_pos, len);
		for (i = 0; i < c->nskbs; i++)
			FT_CHECK(c, c->state[i] == FT_EMITTED);
		ft_reset(c);
	}
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

/*
 * Copies of arbitrary byte ranges (same bytes), random order, a small held
 * limit (what does not fit is dropped) and hole timeouts. The stream may
 * have gaps now, but every byte it shows is the one sent, at its offset;
 * bytes go missing only through drops, timeouts or trimming; every packet
 * taken is emitted once and no other.
 */
static void ft_random_overlap_test(struct kunit *test)
{
	struct ft_ctx *c = ft_init(test, 20000, 1024);
	struct ft_pkt *p = kunit_kcalloc(test, 1024, sizeof(*p), GFP_KERNEL);
	u8 *src = kunit_kmalloc(test, 20000, GFP_KERNEL);
	unsigned int iter, lossless = 0;

	KUNIT_ASSERT_TRUE(test, p && src);
	c->src = src;
	for (iter = 0; iter < 80 && !c->errors; iter++) {
		u32 len = 1 + ft_rnd(c, 20000), npkt = 0, i, j, missing = 0;
		u32 dropped = 0, expired = 0;

		for (i = 0; i < len; i++)
			src[i] = ft_rnd(c, 256);
		c->isn = ft_rnd(c, U32_MAX);
		c->lim.max_pkts = iter % 4 ? 1 << 20 : 2 + ft_rnd(c, 30);
		c->check = iter < 20;
		for (i = 0; i < len && npkt < 400; ) {
			u32 n = min(1 + ft_rnd(c, 1500), len - i);

			p[npkt++] = (struct ft_pkt){ i, n,
				i + n == len ? TCPHDR_FIN : 0 };
			i += n;
		}
		len = i;
		for (j = ft_rnd(c, npkt + 1); j; j--) {
			u32 a = ft_rnd(c, len), n = 1 + ft_rnd(c, 3000);

			n = min(n, len - a);
			p[npkt++] = (struct ft_pkt){ a, n,
				a + n == len ? TCPHDR_FIN : 0 };
		}
		for (i = npkt - 1; i > 0; i--) {
			/* Mostly near their place, some far. */
			j = ft_rnd(c, 4) ? i - min(i, ft_rnd(c, 8)) :
			    ft_rnd(c, i + 1);
			swap(p[i], p[j]);
		}
		ft_syn(c);
		for (i = 0; i < npkt; i++) {
			c->nfrags = ft_rnd(c, 4) ? 0 : 1 + ft_rnd(c, 3);
			c->now += ft_rnd(c, 100);
			if (ft_data(c, p[i].off, p[i].len, p[i].flags))
				dropped++;
			if (iter % 2 && !ft_rnd(c, 16))
				expired += fos_tcp_expire(&c->d, c->now, 300,
							  ft_emit, c);
		}
		fos_tcp_flush(&c->d, ft_emit, c);
		KUNIT_EXPECT_EQ(test, fos_tcp_held(&c->d), 0);
		KUNIT_EXPECT_EQ(test, fos_tcp_held_bytes(&c->d), 0);
		FT_CHECK(c, c->pos <= len);
		for (i = 0; i < c->pos; i++) {
			if (c->have[i])
				FT_CHECK(c, c->buf[i] == src[i]);
			else
				missing++;
		}
		FT_CHECK(c, missing == c->gaps);
		if (!dropped && !expired)
			FT_CHECK(c, c->gaps <= c->trimmed);
		if (!dropped && !expired && !c->trimmed) {
			FT_CHECK(c, ft_exact(c, len));
			lossless++;
		}
		for (i = 0; i < c->nskbs; i++)
			FT_CHECK(c, c->state[i] != FT_GIVEN);
		ft_reset(c);
	}
	kunit_info(test, "%u streams, %u of them whole (no drop, timeout or trim)\n",
		   iter, lossless);
	KUNIT_EXPECT_GT(test, lossless, 0);
	KUNIT_EXPECT_EQ(test, c->errors, 0);
}

static struct kunit_case fos_tcp_cases[] = {
	KUNIT_CASE(ft_in_order_test),
	KUNIT_CASE(ft_ooo_permutations_test),
	KUNIT_CASE(ft_ooo_release_test),
	KUNIT_CASE(ft_retransmit_test),
	KUNIT_CASE(ft_overlap_emitted_test),
	KUNIT_CASE(ft_overlap_held_test),
	KUNIT_CASE(ft_overlap_split_test),
	KUNIT_CASE(ft_hole_timeout_test),
	KUNIT_CASE(ft_flush_test),
	KUNIT_CASE(ft_purge_test),
	KUNIT_CASE(ft_wrap_test),
	KUNIT_CASE(ft_midstream_test),
	KUNIT_CASE(ft_syn_data_test),
	KUNIT_CASE(ft_probe_test),
	KUNIT_CASE(ft_fin_rst_test),
	KUNIT_CASE(ft_limit_test),
	KUNIT_CASE(ft_bad_header_test),
	KUNIT_CASE(ft_paged_test),
	KUNIT_CASE(ft_random_aligned_test),
	KUNIT_CASE(ft_random_overlap_test),
	{}
};

static struct kunit_suite fos_tcp_suite = {
	.name = "flowstream_fos_tcp",
	.exit = ft_exit,
	.test_cases = fos_tcp_cases,
};
