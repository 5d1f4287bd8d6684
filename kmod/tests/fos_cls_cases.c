// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the FlowOS packet classifier (fos_cls.c): priorities,
 * every field, prefixes, match checks, and a randomized comparison with a
 * linear matcher. Included by kunit.c.
 */
#include <linux/inet.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <net/ipv6.h>

#define FOS_T_P(i)	((void *)(uintptr_t)(i))

static union nf_inet_addr fos_t_a4(const char *s)
{
	union nf_inet_addr a = {};

	WARN_ON(!in4_pton(s, -1, (u8 *)&a.ip, -1, NULL));
	return a;
}

static union nf_inet_addr fos_t_a6(const char *s)
{
	union nf_inet_addr a = {};

	WARN_ON(!in6_pton(s, -1, a.in6.s6_addr, -1, NULL));
	return a;
}

/* A TCP packet 10.0.0.1:1000 -> 10.0.0.2:2000 on ifindex 1. */
static struct fos_pkt_key fos_t_key4(void)
{
	struct fos_pkt_key k = {
		.ifindex = 1,
		.family = AF_INET,
		.proto = IPPROTO_TCP,
		.sport = htons(1000),
		.dport = htons(2000),
	};

	k.src = fos_t_a4("10.0.0.1");
	k.dst = fos_t_a4("10.0.0.2");
	return k;
}

/* A UDP packet 2001:db8::1:53 -> 2001:db8::2:5353 on ifindex 1. */
static struct fos_pkt_key fos_t_key6(void)
{
	struct fos_pkt_key k = {
		.ifindex = 1,
		.family = AF_INET6,
		.proto = IPPROTO_UDP,
		.sport = htons(53),
		.dport = htons(5353),
	};

	k.src = fos_t_a6("2001:db8::1");
	k.dst = fos_t_a6("2001:db8::2");
	return k;
}

static struct fos_cls *fos_t_build(struct kunit *test,
				   const struct fos_cls_rule *r, unsigned int n)
{
	struct fos_cls *cls = fos_cls_build(r, n, GFP_KERNEL);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(cls));
	return cls;
}

/* Bit @i of an address, 0 the most significant, flipped. */
static void fos_t_flip(union nf_inet_addr *a, unsigned int i)
{
	a->in6.s6_addr[i / 8] ^= 0x80 >> (i % 8);
}

/* Clears the bits of @a past @len. */
static void fos_t_clear(union nf_inet_addr *a, u8 family, unsigned int len)
{
	unsigned int bits = family == AF_INET6 ? 128 : 32, i;

	for (i = len; i < bits; i++)
		a->in6.s6_addr[i / 8] &= ~(0x80 >> (i % 8));
}

/* --- priorities --------------------------------------------------------- */

static void fos_cls_prio_test(struct kunit *test)
{
	struct fos_cls_rule r[] = {
		{ .m = { .fields = 0 }, .prio = 1, .order = 0, .priv = FOS_T_P(1) },
		{ .m = { .fields = FOS_M_PROTO, .proto = IPPROTO_TCP },
		  .prio = 10, .order = 5, .priv = FOS_T_P(2) },
		{ .m = { .fields = FOS_M_PROTO | FOS_M_DPORT,
			 .proto = IPPROTO_TCP, .dport = htons(80) },
		  .prio = 10, .order = 3, .priv = FOS_T_P(3) },
		{ .m = { .fields = FOS_M_FAMILY | FOS_M_DST, .family = AF_INET,
			 .dst_len = 8 },
		  .prio = 5, .order = 1, .priv = FOS_T_P(4) },
		/* Equal to rule 2 in priority and order: the first wins. */
		{ .m = { .fields = FOS_M_PROTO, .proto = IPPROTO_TCP },
		  .prio = 10, .order = 5, .priv = FOS_T_P(5) },
		{ .m = { .fields = FOS_M_PROTO, .proto = IPPROTO_UDP },
		  .prio = 0, .order = 2, .priv = FOS_T_P(6) },
		/* Rule 6's match again, higher: it wins whatever its order. */
		{ .m = { .fields = FOS_M_PROTO, .proto = IPPROTO_UDP },
		  .prio = 7, .order = 9, .priv = FOS_T_P(7) },
	};
	struct fos_cls_rule *rev = kunit_kcalloc(test, ARRAY_SIZE(r),
						 sizeof(*rev), GFP_KERNEL);
	struct fos_pkt_key k = fos_t_key4();
	struct fos_cls *cls;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, rev);
	r[3].m.dst = fos_t_a4("10.0.0.0");
	cls = fos_t_build(test, r, ARRAY_SIZE(r));
	k.dport = htons(80);
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(3));
	k.dport = htons(22);
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(2));
	k.proto = IPPROTO_UDP;
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(7));
	k.proto = IPPROTO_ICMP;
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(4));
	k.dst = fos_t_a4("11.0.0.1");
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(1));
	k.proto = IPPROTO_UDP;
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(7));
	fos_cls_free(cls);

	/* Reversed: rule 5 comes before rule 2 and wins their tie. */
	for (i = 0; i < ARRAY_SIZE(r); i++)
		rev[i] = r[ARRAY_SIZE(r) - 1 - i];
	cls = fos_t_build(test, rev, ARRAY_SIZE(r));
	k = fos_t_key4();
	k.dport = htons(80);
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(3));
	k.dport = htons(22);
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(5));
	k.proto = IPPROTO_ICMP;
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(4));
	fos_cls_free(cls);

	/* Order decides between equal priorities, whatever the array. */
	r[2].order = 6;
	cls = fos_t_build(test, r, ARRAY_SIZE(r));
	k = fos_t_key4();
	k.dport = htons(80);
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(2));
	r[2].prio = 11;
	fos_cls_free(cls);
	cls = fos_t_build(test, r, ARRAY_SIZE(r));
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(3));
	fos_cls_free(cls);
}

/* --- every field, alone ------------------------------------------------- */

/* Changes field @f of @k to another value. */
static void fos_t_mutate(struct fos_pkt_key *k, u32 f)
{
	switch (f) {
	case FOS_M_IFINDEX:
		k->ifindex += 7;
		break;
	case FOS_M_FAMILY:
		if (k->family == AF_INET) {
			k->family = AF_INET6;
			k->src = fos_t_a6("2001:db8::1");
			k->dst = fos_t_a6("2001:db8::2");
		} else {
			k->family = AF_INET;
			k->src = fos_t_a4("10.0.0.1");
			k->dst = fos_t_a4("10.0.0.2");
		}
		break;
	case FOS_M_PROTO:
		k->proto ^= 0x40;
		break;
	case FOS_M_SRC:
		fos_t_flip(&k->src, 0);
		break;
	case FOS_M_DST:
		fos_t_flip(&k->dst, 0);
		break;
	case FOS_M_SPORT:
		k->sport = htons(ntohs(k->sport) + 1);
		break;
	case FOS_M_DPORT:
		k->dport = htons(ntohs(k->dport) + 1);
		break;
	case FOS_M_DSCP:
		k->dscp = (k->dscp + 9) & 63;
		break;
	}
}

struct fos_t_field_case {
	struct fos_match m;
	const char *addr;	/* for SRC or DST */
	bool v6;		/* the packet: fos_t_key6() or fos_t_key4() */
};

static const struct fos_t_field_case fos_t_field_cases[] = {
	{ { .fields = FOS_M_IFINDEX, .ifindex = 1 } },
	{ { .fields = FOS_M_FAMILY, .family = AF_INET } },
	{ { .fields = FOS_M_FAMILY, .family = AF_INET6 }, .v6 = true },
	{ { .fields = FOS_M_PROTO, .proto = IPPROTO_TCP } },
	{ { .fields = FOS_M_FAMILY | FOS_M_SRC, .family = AF_INET,
	    .src_len = 24 }, "10.0.0.0" },
	{ { .fields = FOS_M_FAMILY | FOS_M_DST, .family = AF_INET,
	    .dst_len = 32 }, "10.0.0.2" },
	{ { .fields = FOS_M_FAMILY | FOS_M_SRC, .family = AF_INET6,
	    .src_len = 64 }, "2001:db8::", true },
	{ { .fields = FOS_M_FAMILY | FOS_M_DST, .family = AF_INET6,
	    .dst_len = 128 }, "2001:db8::2", true },
	{ { .fields = FOS_M_PROTO | FOS_M_SPORT, .proto = IPPROTO_TCP,
	    .sport = htons(1000) } },
	{ { .fields = FOS_M_PROTO | FOS_M_DPORT, .proto = IPPROTO_UDP,
	    .dport = htons(5353) }, .v6 = true },
	{ { .fields = FOS_M_DSCP, .dscp = 0 } },
	{ { .fields = FOS_M_DSCP, .dscp = 0 }, .v6 = true },
};

/*
 * Each field alone (with what it needs): the packet matches; changing
 * that field misses, changing any other still matches.
 */
static void fos_cls_fields_test(struct kunit *test)
{
	struct fos_cls_rule r[2] = {
		{ .prio = 1, .priv = FOS_T_P(1) },
		{ .prio = 0, .priv = FOS_T_P(2) },	/* everything else */
	};
	const struct fos_t_field_case *c;
	struct fos_pkt_key k, base;
	struct fos_cls *cls;
	unsigned int i, f;

	for (i = 0; i < ARRAY_SIZE(fos_t_field_cases); i++) {
		c = &fos_t_field_cases[i];
		r[0].m = c->m;
		if (c->m.fields & FOS_M_SRC)
			r[0].m.src = c->v6 ? fos_t_a6(c->addr) : fos_t_a4(c->addr);
		if (c->m.fields & FOS_M_DST)
			r[0].m.dst = c->v6 ? fos_t_a6(c->addr) : fos_t_a4(c->addr);
		cls = fos_t_build(test, r, 2);
		KUNIT_EXPECT_EQ(test, fos_cls_groups(cls), 2);
		base = c->v6 ? fos_t_key6() : fos_t_key4();
		KUNIT_EXPECT_PTR_EQ_MSG(test, fos_cls_lookup(cls, &base),
					FOS_T_P(1), "case %u", i);
		for (f = 1; f & FOS_M_ALL; f <<= 1) {
			bool in = c->m.fields & f;

			/* Addresses change meaning with the family. */
			if (f == FOS_M_FAMILY &&
			    (c->m.fields & (FOS_M_SRC | FOS_M_DST)))
				in = true;
			k = base;
			fos_t_mutate(&k, f);
			KUNIT_EXPECT_PTR_EQ_MSG(test, fos_cls_lookup(cls, &k),
						FOS_T_P(in ? 2 : 1),
						"case %u field %#x", i, f);
		}
		fos_cls_free(cls);
	}
}

/* ifindex and dscp together and apart. */
static void fos_cls_ifindex_dscp_test(struct kunit *test)
{
	struct fos_cls_rule r[] = {
		{ .m = { .fields = FOS_M_IFINDEX, .ifindex = 2 },
		  .prio = 1, .priv = FOS_T_P(1) },
		{ .m = { .fields = FOS_M_IFINDEX | FOS_M_DSCP, .ifindex = 2,
			 .dscp = 46 },
		  .prio = 2, .priv = FOS_T_P(2) },
		{ .m = { .fields = FOS_M_DSCP, .dscp = 46 },
		  .prio = 0, .priv = FOS_T_P(3) },
		{ .m = { .fields = FOS_M_DSCP, .dscp = 63 },
		  .prio = 0, .priv = FOS_T_P(4) },
	};
	struct fos_pkt_key k = fos_t_key6();
	struct fos_cls *cls = fos_t_build(test, r, ARRAY_SIZE(r));

	KUNIT_EXPECT_EQ(test, fos_cls_groups(cls), 3);
	k.ifindex = 2;
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(1));
	k.dscp = 46;
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(2));
	k.ifindex = 3;
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(3));
	k.dscp = 63;
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(4));
	k.dscp = 47;
	KUNIT_EXPECT_NULL(test, fos_cls_lookup(cls, &k));
	k.ifindex = 0;
	k.dscp = 46;
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(3));
	fos_cls_free(cls);
}

/* --- families and prefixes ---------------------------------------------- */

static void fos_cls_family_test(struct kunit *test)
{
	struct fos_cls_rule r[] = {
		{ .m = { .fields = FOS_M_FAMILY | FOS_M_SRC, .family = AF_INET,
			 .src_len = 32 },
		  .prio = 3, .priv = FOS_T_P(1) },
		{ .m = { .fields = FOS_M_FAMILY, .family = AF_INET },
		  .prio = 1, .priv = FOS_T_P(2) },
		{ .m = { .fields = FOS_M_FAMILY, .family = AF_INET6 },
		  .prio = 1, .priv = FOS_T_P(3) },
		/* /0 is the family alone: same group, same key, lower. */
		{ .m = { .fields = FOS_M_FAMILY | FOS_M_DST, .family = AF_INET,
			 .dst_len = 0 },
		  .prio = 0, .priv = FOS_T_P(4) },
	};
	struct fos_pkt_key k = fos_t_key6();
	struct fos_cls *cls;

	/* A v6 source whose first word is the v4 rule's address. */
	r[0].m.src = fos_t_a4("32.1.13.184");	/* 0x20010db8 */
	cls = fos_t_build(test, r, ARRAY_SIZE(r));
	KUNIT_EXPECT_EQ(test, fos_cls_groups(cls), 3);
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(3));
	k = fos_t_key4();
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(2));
	k.src = fos_t_a4("32.1.13.184");
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(1));
	/* A family the classifier has no rule for. */
	k.family = AF_UNSPEC;
	KUNIT_EXPECT_NULL(test, fos_cls_lookup(cls, &k));
	fos_cls_free(cls);

	/* The /0 rule wins its key when it is the higher. */
	r[3].prio = 2;
	cls = fos_t_build(test, r, ARRAY_SIZE(r));
	k = fos_t_key4();
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(4));
	fos_cls_free(cls);
}

/*
 * A prefix of @len bits of @addr, as source and as destination: the
 * address matches, so does any change past the prefix; a change of its
 * last bit does not.
 */
static void fos_t_prefix(struct kunit *test, u8 family, const char *addr,
			 unsigned int len)
{
	unsigned int bits = family == AF_INET6 ? 128 : 32, side, i;
	struct fos_cls_rule r = { .prio = 1, .priv = FOS_T_P(1) };
	union nf_inet_addr a, *ka;
	struct fos_pkt_key k;
	struct fos_cls *cls;
	const char *why;

	a = family == AF_INET6 ? fos_t_a6(addr) : fos_t_a4(addr);
	for (side = 0; side < 2; side++) {
		r.m = (struct fos_match){ .fields = FOS_M_FAMILY, .family = family };
		k = family == AF_INET6 ? fos_t_key6() : fos_t_key4();
		ka = side ? &k.dst : &k.src;
		*ka = a;
		/* The rule: the address without its host bits. */
		if (side) {
			r.m.fields |= FOS_M_DST;
			r.m.dst_len = len;
			r.m.dst = a;
			fos_t_clear(&r.m.dst, family, len);
		} else {
			r.m.fields |= FOS_M_SRC;
			r.m.src_len = len;
			r.m.src = a;
			fos_t_clear(&r.m.src, family, len);
		}
		KUNIT_EXPECT_EQ_MSG(test, fos_match_check(&r.m, &why), 0,
				    "/%u: %s", len, why);
		cls = fos_t_build(test, &r, 1);
		KUNIT_EXPECT_PTR_EQ_MSG(test, fos_cls_lookup(cls, &k),
					FOS_T_P(1), "%s/%u", addr, len);
		for (i = 0; i < bits; i++) {
			fos_t_flip(ka, i);
			KUNIT_EXPECT_PTR_EQ_MSG(test, fos_cls_lookup(cls, &k),
						i < len ? NULL : FOS_T_P(1),
						"%s/%u side %u bit %u",
						addr, len, side, i);
			fos_t_flip(ka, i);
		}
		fos_cls_free(cls);
	}
}

static void fos_cls_prefix_test(struct kunit *test)
{
	static const u8 len4[] = { 0, 1, 8, 23, 24, 31, 32 };
	static const u8 len6[] = { 0, 1, 31, 32, 33, 48, 63, 64, 65, 96, 127,
				   128 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(len4); i++)
		fos_t_prefix(test, AF_INET, "203.0.113.255", len4[i]);
	for (i = 0; i < ARRAY_SIZE(len6); i++)
		fos_t_prefix(test, AF_INET6,
			     "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", len6[i]);
	for (i = 0; i < ARRAY_SIZE(len6); i++)
		fos_t_prefix(test, AF_INET6, "::", len6[i]);
}

/* Nested prefixes either side of the 64-bit boundary: the longest wins. */
static void fos_cls_nested_test(struct kunit *test)
{
	static const u8 len[] = { 0, 48, 63, 64, 65, 128 };
	struct fos_cls_rule r[ARRAY_SIZE(len)];
	struct fos_pkt_key k = fos_t_key6();
	struct fos_cls *cls;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(len); i++) {
		r[i] = (struct fos_cls_rule){
			.m = { .fields = FOS_M_FAMILY | FOS_M_DST,
			       .family = AF_INET6, .dst_len = len[i] },
			.prio = len[i], .priv = FOS_T_P(len[i] + 1),
		};
		/* 2001:db8:0:1:8000::/len */
		r[i].m.dst = fos_t_a6("2001:db8:0:1:8000::");
		fos_t_clear(&r[i].m.dst, AF_INET6, len[i]);
	}
	cls = fos_t_build(test, r, ARRAY_SIZE(r));
	KUNIT_EXPECT_EQ(test, fos_cls_groups(cls), ARRAY_SIZE(len));
	k.dst = fos_t_a6("2001:db8:0:1:8000::");
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(129));
	k.dst = fos_t_a6("2001:db8:0:1:8000::1");
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(66));
	k.dst = fos_t_a6("2001:db8:0:1:c000::");
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(66));
	k.dst = fos_t_a6("2001:db8:0:1:4000::");
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(65));
	k.dst = fos_t_a6("2001:db8:0:0::");
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(64));
	k.dst = fos_t_a6("2001:db8:0:2::");
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(49));
	k.dst = fos_t_a6("2001:db9::");
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(1));
	fos_cls_free(cls);
}

/* --- ports ------------------------------------------------------------ */

static void fos_cls_ports_test(struct kunit *test)
{
	struct fos_cls_rule r[] = {
		{ .m = { .fields = FOS_M_PROTO | FOS_M_DPORT,
			 .proto = IPPROTO_UDP, .dport = htons(53) },
		  .prio = 1, .priv = FOS_T_P(1) },
		{ .m = { .fields = FOS_M_PROTO | FOS_M_SPORT | FOS_M_DPORT,
			 .proto = IPPROTO_SCTP, .sport = htons(9),
			 .dport = htons(10) },
		  .prio = 1, .priv = FOS_T_P(2) },
		{ .m = { .fields = FOS_M_PROTO | FOS_M_SPORT,
			 .proto = IPPROTO_UDPLITE, .sport = htons(65535) },
		  .prio = 1, .priv = FOS_T_P(3) },
		{ .m = { .fields = FOS_M_PROTO | FOS_M_DPORT,
			 .proto = IPPROTO_TCP, .dport = htons(0) },
		  .prio = 1, .priv = FOS_T_P(4) },
	};
	struct fos_pkt_key k = fos_t_key4();
	struct fos_cls *cls = fos_t_build(test, r, ARRAY_SIZE(r));

	KUNIT_EXPECT_EQ(test, fos_cls_groups(cls), 3);
	k.proto = IPPROTO_UDP;
	k.dport = htons(53);
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(1));
	k.proto = IPPROTO_TCP;
	KUNIT_EXPECT_NULL(test, fos_cls_lookup(cls, &k));
	k.proto = IPPROTO_UDP;
	k.sport = htons(53);
	k.dport = htons(54);
	KUNIT_EXPECT_NULL(test, fos_cls_lookup(cls, &k));
	k.proto = IPPROTO_SCTP;
	k.sport = htons(9);
	k.dport = htons(10);
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(2));
	k.sport = htons(10);
	k.dport = htons(9);
	KUNIT_EXPECT_NULL(test, fos_cls_lookup(cls, &k));
	k.proto = IPPROTO_UDPLITE;
	k.sport = htons(65535);
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(3));
	/* A TCP packet without ports (a later fragment) has port 0. */
	k.proto = IPPROTO_TCP;
	k.sport = 0;
	k.dport = 0;
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(4));
	fos_cls_free(cls);
}

/* --- empty, NULL, memory, freeing ------------------------------------------ */

static void fos_cls_empty_test(struct kunit *test)
{
	struct fos_cls_rule r = { .prio = 1, .priv = FOS_T_P(1) };
	struct fos_pkt_key k = fos_t_key4();
	struct fos_cls *cls;

	KUNIT_EXPECT_NULL(test, fos_cls_lookup(NULL, &k));
	KUNIT_EXPECT_EQ(test, fos_cls_groups(NULL), 0);
	KUNIT_EXPECT_EQ(test, fos_cls_memory(NULL), 0);
	fos_cls_free(NULL);
	fos_cls_free_rcu(NULL);

	cls = fos_t_build(test, NULL, 0);
	KUNIT_EXPECT_NULL(test, fos_cls_lookup(cls, &k));
	KUNIT_EXPECT_EQ(test, fos_cls_groups(cls), 0);
	KUNIT_EXPECT_GT(test, fos_cls_memory(cls), 0);
	fos_cls_free(cls);

	/* A match-all rule: one group, one entry, two buckets' offsets. */
	cls = fos_t_build(test, &r, 1);
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(1));
	k = fos_t_key6();
	KUNIT_EXPECT_PTR_EQ(test, fos_cls_lookup(cls, &k), FOS_T_P(1));
	KUNIT_EXPECT_EQ(test, fos_cls_groups(cls), 1);
	KUNIT_EXPECT_EQ(test, fos_cls_memory(cls),
			struct_size(cls, groups, 1) +
			sizeof(struct fos_cls_ent) + 2 * sizeof(u32));
	fos_cls_free_rcu(cls);
	synchronize_rcu();
}

/* --- match checks ------------------------------------------------------------ */

struct fos_t_bad {
	struct fos_match m;
	const char *src;
};

static const struct fos_t_bad fos_t_bad_matches[] = {
	{ { .fields = BIT(8) } },
	{ { .fields = FOS_M_IFINDEX, .ifindex = 0 } },
	{ { .fields = FOS_M_IFINDEX, .ifindex = -1 } },
	{ { .fields = FOS_M_FAMILY, .family = AF_UNSPEC } },
	{ { .fields = FOS_M_FAMILY, .family = AF_PACKET } },
	{ { .fields = FOS_M_FAMILY | FOS_M_SRC, .family = AF_UNIX } },
	{ { .fields = FOS_M_SRC, .family = AF_INET, .src_len = 8 }, "10.0.0.0" },
	{ { .fields = FOS_M_DST, .family = AF_INET6, .dst_len = 0 } },
	{ { .fields = FOS_M_FAMILY | FOS_M_SRC, .family = AF_INET,
	    .src_len = 33 } },
	{ { .fields = FOS_M_FAMILY | FOS_M_DST, .family = AF_INET6,
	    .dst_len = 129 } },
	{ { .fields = FOS_M_FAMILY | FOS_M_SRC, .family = AF_INET,
	    .src_len = 24 }, "10.0.0.1" },
	{ { .fields = FOS_M_FAMILY | FOS_M_SRC, .family = AF_INET,
	    .src_len = 0 }, "128.0.0.0" },
	{ { .fields = FOS_M_FAMILY | FOS_M_SRC, .family = AF_INET6,
	    .src_len = 64 }, "2001:db8::1" },
	{ { .fields = FOS_M_FAMILY | FOS_M_SRC, .family = AF_INET6,
	    .src_len = 127 }, "::1" },
	{ { .fields = FOS_M_SPORT, .sport = htons(80) } },
	{ { .fields = FOS_M_DPORT, .proto = IPPROTO_TCP, .dport = htons(80) } },
	{ { .fields = FOS_M_PROTO | FOS_M_DPORT, .proto = IPPROTO_ICMP,
	    .dport = htons(80) } },
	{ { .fields = FOS_M_PROTO | FOS_M_SPORT, .proto = IPPROTO_ICMPV6 } },
	{ { .fields = FOS_M_DSCP, .dscp = 64 } },
	{ { .fields = FOS_M_DSCP, .dscp = 255 } },
};

static const struct fos_t_bad fos_t_good_matches[] = {
	{ { .fields = 0 } },
	{ { .fields = FOS_M_ALL, .ifindex = 1, .family = AF_INET6,
	    .proto = IPPROTO_UDPLITE, .src_len = 128, .dst_len = 0,
	    .dscp = 63 }, "::1" },
	{ { .fields = FOS_M_FAMILY | FOS_M_SRC | FOS_M_DST, .family = AF_INET,
	    .src_len = 32, .dst_len = 0 }, "255.255.255.255" },
	/* Values of absent fields are not looked at. */
	{ { .fields = FOS_M_PROTO, .proto = IPPROTO_ICMP, .ifindex = -5,
	    .family = 99, .src_len = 200, .dscp = 200, .sport = htons(1) } },
	{ { .fields = FOS_M_PROTO | FOS_M_SPORT | FOS_M_DPORT,
	    .proto = IPPROTO_SCTP } },
};

static void fos_t_set_src(struct fos_match *m, const char *src)
{
	if (src)
		m->src = m->family == AF_INET6 ? fos_t_a6(src) : fos_t_a4(src);
}

static void fos_cls_check_test(struct kunit *test)
{
	struct fos_cls_rule r[2] = {};
	const char *why;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fos_t_bad_matches); i++) {
		r[1].m = fos_t_bad_matches[i].m;
		fos_t_set_src(&r[1].m, fos_t_bad_matches[i].src);
		why = NULL;
		KUNIT_EXPECT_EQ_MSG(test, fos_match_check(&r[1].m, &why),
				    -EINVAL, "bad %u", i);
		KUNIT_EXPECT_NOT_NULL_MSG(test, why, "bad %u", i);
		KUNIT_EXPECT_EQ(test, fos_match_check(&r[1].m, NULL), -EINVAL);
		KUNIT_EXPECT_PTR_EQ(test, fos_cls_build(r, 2, GFP_KERNEL),
				    ERR_PTR(-EINVAL));
		if (why)
			kunit_info(test, "bad %u: %s\n", i, why);
	}
	for (i = 0; i < ARRAY_SIZE(fos_t_good_matches); i++) {
		r[1].m = fos_t_good_matches[i].m;
		fos_t_set_src(&r[1].m, fos_t_good_matches[i].src);
		why = "unset";
		KUNIT_EXPECT_EQ_MSG(test, fos_match_check(&r[1].m, &why), 0,
				    "good %u: %s", i, why);
		KUNIT_EXPECT_NULL(test, why);
		fos_cls_free(fos_t_build(test, r, 2));
	}
}

/* --- random rules against a linear matcher ---------------------------------- */

#define FOS_T_PORT_PROTOS	4
static const u8 fos_t_protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP,
				   IPPROTO_UDPLITE, IPPROTO_ICMP,
				   IPPROTO_ICMPV6 };
static const u16 fos_t_ports[] = { 53, 80, 443, 8080, 1024 };
static const u8 fos_t_dscps[] = { 0, 10, 46, 63 };

struct fos_t_shape {
	u32 fields;
	u8 family, src_len, dst_len;
};

static const struct fos_t_shape fos_t_shapes[] = {
	{ FOS_M_FAMILY | FOS_M_SRC | FOS_M_DST | FOS_M_PROTO | FOS_M_DPORT,
	  AF_INET, 24, 24 },
	{ FOS_M_FAMILY | FOS_M_DST | FOS_M_PROTO, AF_INET, 0, 32 },
	{ FOS_M_FAMILY | FOS_M_SRC | FOS_M_DST, AF_INET6, 64, 48 },
	{ FOS_M_PROTO },
	{ FOS_M_IFINDEX | FOS_M_DSCP },
	{ FOS_M_FAMILY | FOS_M_SRC, AF_INET, 16, 0 },
	{ FOS_M_FAMILY | FOS_M_DST | FOS_M_PROTO | FOS_M_SPORT | FOS_M_DPORT,
	  AF_INET6, 0, 128 },
	{ FOS_M_FAMILY | FOS_M_SRC, AF_INET6, 65, 0 },
};

static u32 fos_t_rnd(struct rnd_state *rnd, u32 n)
{
	return prandom_u32_state(rnd) % n;
}

/* An address from a small pool, so that prefixes nest and share. */
static void fos_t_rnd_addr(struct rnd_state *rnd, u8 family,
			   union nf_inet_addr *a)
{
	static const u8 b4[] = { 0, 1, 2, 128, 255 };

	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->in6.s6_addr[0] = fos_t_rnd(rnd, 2) ? 10 : 192;
		a->in6.s6_addr[1] = b4[fos_t_rnd(rnd, ARRAY_SIZE(b4))];
		a->in6.s6_addr[2] = b4[fos_t_rnd(rnd, ARRAY_SIZE(b4))];
		a->in6.s6_addr[3] = fos_t_rnd(rnd, 256);
		return;
	}
	a->in6.s6_addr32[0] = htonl(0x20010db8);
	a->in6.s6_addr[5] = fos_t_rnd(rnd, 3);
	a->in6.s6_addr[7] = b4[fos_t_rnd(rnd, ARRAY_SIZE(b4))];
	a->in6.s6_addr[8] = b4[fos_t_rnd(rnd, ARRAY_SIZE(b4))];
	a->in6.s6_addr[15] = fos_t_rnd(rnd, 4);
	if (!fos_t_rnd(rnd, 4))
		a->in6.s6_addr32[3] = (__force __be32)prandom_u32_state(rnd);
}

/* The bits of @a past @len: cleared, or set at random with @noise. */
static void fos_t_host_bits(struct rnd_state *rnd, union nf_inet_addr *a,
			    u8 family, unsigned int len, bool noise)
{
	unsigned int bits = family == AF_INET6 ? 128 : 32, i;

	fos_t_clear(a, family, len);
	for (i = len; noise && i < bits; i++)
		if (fos_t_rnd(rnd, 2))
			a->in6.s6_addr[i / 8] |= 0x80 >> (i % 8);
}

static void fos_t_rnd_match(struct rnd_state *rnd, struct fos_match *m)
{
	const struct fos_t_shape *s;
	bool ports;

	memset(m, 0, sizeof(*m));
	if (fos_t_rnd(rnd, 100) < 85) {
		s = &fos_t_shapes[fos_t_rnd(rnd, ARRAY_SIZE(fos_t_shapes))];
		m->fields = s->fields;
		m->family = s->family;
		m->src_len = s->src_len;
		m->dst_len = s->dst_len;
	} else {
		m->fields = fos_t_rnd(rnd, FOS_M_ALL + 1);
		m->family = fos_t_rnd(rnd, 2) ? AF_INET : AF_INET6;
		m->src_len = fos_t_rnd(rnd, m->family == AF_INET ? 33 : 129);
		m->dst_len = fos_t_rnd(rnd, m->family == AF_INET ? 33 : 129);
		if (m->fields & (FOS_M_SRC | FOS_M_DST))
			m->fields |= FOS_M_FAMILY;
		if (m->fields & (FOS_M_SPORT | FOS_M_DPORT))
			m->fields |= FOS_M_PROTO;
	}
	ports = m->fields & (FOS_M_SPORT | FOS_M_DPORT);
	m->ifindex = 1 + fos_t_rnd(rnd, 4);
	m->proto = fos_t_protos[fos_t_rnd(rnd, ports ? FOS_T_PORT_PROTOS :
					  ARRAY_SIZE(fos_t_protos))];
	m->dscp = fos_t_dscps[fos_t_rnd(rnd, ARRAY_SIZE(fos_t_dscps))];
	m->sport = htons(fos_t_ports[fos_t_rnd(rnd, ARRAY_SIZE(fos_t_ports))]);
	m->dport = htons(fos_t_ports[fos_t_rnd(rnd, ARRAY_SIZE(fos_t_ports))]);
	fos_t_rnd_addr(rnd, m->family, &m->src);
	fos_t_rnd_addr(rnd, m->family, &m->dst);
	fos_t_host_bits(rnd, &m->src, m->family, m->src_len, false);
	fos_t_host_bits(rnd, &m->dst, m->family, m->dst_len, false);
}

/* A random packet; with @m, one that @m matches (its fields, noise past). */
static void fos_t_rnd_key(struct rnd_state *rnd, const struct fos_match *m,
			  struct fos_pkt_key *k)
{
	bool ports;

	memset(k, 0, sizeof(*k));
	k->ifindex = 1 + fos_t_rnd(rnd, 4);
	k->family = fos_t_rnd(rnd, 2) ? AF_INET : AF_INET6;
	k->proto = fos_t_protos[fos_t_rnd(rnd, ARRAY_SIZE(fos_t_protos))];
	k->dscp = fos_t_dscps[fos_t_rnd(rnd, ARRAY_SIZE(fos_t_dscps))];
	if (m && (m->fields & FOS_M_IFINDEX))
		k->ifindex = m->ifindex;
	if (m && (m->fields & FOS_M_FAMILY))
		k->family = m->family;
	if (m && (m->fields & FOS_M_PROTO))
		k->proto = m->proto;
	if (m && (m->fields & FOS_M_DSCP))
		k->dscp = m->dscp;
	fos_t_rnd_addr(rnd, k->family, &k->src);
	fos_t_rnd_addr(rnd, k->family, &k->dst);
	if (m && (m->fields & FOS_M_SRC)) {
		k->src = m->src;
		fos_t_host_bits(rnd, &k->src, k->family, m->src_len, true);
	}
	if (m && (m->fields & FOS_M_DST)) {
		k->dst = m->dst;
		fos_t_host_bits(rnd, &k->dst, k->family, m->dst_len, true);
	}
	ports = k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP ||
		k->proto == IPPROTO_SCTP || k->proto == IPPROTO_UDPLITE;
	if (ports) {
		k->sport = htons(fos_t_ports[fos_t_rnd(rnd, ARRAY_SIZE(fos_t_ports))]);
		k->dport = htons(fos_t_ports[fos_t_rnd(rnd, ARRAY_SIZE(fos_t_ports))]);
	}
	if (m && (m->fields & FOS_M_SPORT))
		k->sport = m->sport;
	if (m && (m->fields & FOS_M_DPORT))
		k->dport = m->dport;
}

static bool fos_t_prefix_eq(u8 family, const union nf_inet_addr *a,
			    const union nf_inet_addr *b, unsigned int len)
{
	if (family == AF_INET6)
		return ipv6_prefix_equal(&a->in6, &b->in6, len);
	return !len || !((ntohl(a->ip) ^ ntohl(b->ip)) >> (32 - len));
}

/* Does @m match @k, field by field. */
static bool fos_t_matches(const struct fos_match *m,
			  const struct fos_pkt_key *k)
{
	if ((m->fields & FOS_M_IFINDEX) && m->ifindex != k->ifindex)
		return false;
	if ((m->fields & FOS_M_FAMILY) && m->family != k->family)
		return false;
	if ((m->fields & FOS_M_PROTO) && m->proto != k->proto)
		return false;
	if ((m->fields & FOS_M_SRC) &&
	    !fos_t_prefix_eq(m->family, &m->src, &k->src, m->src_len))
		return false;
	if ((m->fields & FOS_M_DST) &&
	    !fos_t_prefix_eq(m->family, &m->dst, &k->dst, m->dst_len))
		return false;
	if ((m->fields & FOS_M_SPORT) && m->sport != k->sport)
		return false;
	if ((m->fields & FOS_M_DPORT) && m->dport != k->dport)
		return false;
	if ((m->fields & FOS_M_DSCP) && m->dscp != k->dscp)
		return false;
	return true;
}

/* Rules by rank for the linear matcher: prio, then order, then place. */
static const struct fos_cls_rule *fos_t_rules_base;

static int fos_t_cmp_rank(const void *pa, const void *pb)
{
	const struct fos_cls_rule *a = &fos_t_rules_base[*(const u32 *)pa];
	const struct fos_cls_rule *b = &fos_t_rules_base[*(const u32 *)pb];

	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return *(const u32 *)pa < *(const u32 *)pb ? -1 : 1;
}

static void fos_t_random(struct kunit *test, u64 seed, unsigned int nrules,
			 unsigned int nkeys)
{
	struct fos_cls_rule *r = kunit_kcalloc(test, nrules, sizeof(*r),
					       GFP_KERNEL);
	u32 *rank = kunit_kcalloc(test, nrules, sizeof(*rank), GFP_KERNEL);
	unsigned int i, j, hits = 0, bad = 0, probes, max_probes = 0;
	struct rnd_state rnd;
	struct fos_pkt_key k;
	struct fos_cls *cls;
	void *got, *want;

	KUNIT_ASSERT_TRUE(test, r && rank);
	prandom_seed_state(&rnd, seed);
	for (i = 0; i < nrules; i++) {
		/* Some matches again, at another priority. */
		if (i && !fos_t_rnd(&rnd, 20))
			r[i].m = r[fos_t_rnd(&rnd, i)].m;
		else
			fos_t_rnd_match(&rnd, &r[i].m);
		/* Many equal priorities; orders mostly distinct. */
		r[i].prio = fos_t_rnd(&rnd, 100);
		r[i].order = fos_t_rnd(&rnd, 4 * nrules);
		r[i].priv = FOS_T_P(i + 1);
		KUNIT_ASSERT_EQ(test, fos_match_check(&r[i].m, NULL), 0);
		rank[i] = i;
	}
	fos_t_rules_base = r;
	sort(rank, nrules, sizeof(*rank), fos_t_cmp_rank, NULL);
	cls = fos_t_build(test, r, nrules);

	for (i = 0; i < nkeys; i++) {
		fos_t_rnd_key(&rnd, fos_t_rnd(&rnd, 4) ?
			      &r[fos_t_rnd(&rnd, nrules)].m : NULL, &k);
		want = NULL;
		for (j = 0; j < nrules; j++) {
			if (fos_t_matches(&r[rank[j]].m, &k)) {
				want = r[rank[j]].priv;
				break;
			}
		}
		rcu_read_lock();
		local_bh_disable();
		got = fos_cls_find(cls, &k, &probes);
		local_bh_enable();
		rcu_read_unlock();
		max_probes = max(max_probes, probes);
		hits += !!want;
		if (got != want && bad++ < 5)
			KUNIT_FAIL(test, "key %u: got rule %lu, want %lu",
				   i, (uintptr_t)got, (uintptr_t)want);
		if (!(i % 1024))
			cond_resched();
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	/* The keys were biased towards rules: most do match one. */
	KUNIT_EXPECT_GT(test, hits, nkeys / 2);
	kunit_info(test, "%u rules, %u groups, %zu bytes; %u keys, %u hit, %u mismatches, at most %u probes\n",
		   nrules, fos_cls_groups(cls), fos_cls_memory(cls), nkeys,
		   hits, bad, max_probes);
	fos_cls_free(cls);
}

static void fos_cls_random_test(struct kunit *test)
{
	fos_t_random(test, 1, 1000, 20000);
	fos_t_random(test, 2, 10, 2000);
	fos_t_random(test, 3, 200, 5000);
}

/*
 * Many rules of few shapes make few groups, and a lookup probes no more
 * groups with 1,000 rules than with 10; a match-all rule above the rest
 * stops every lookup at its own group.
 */
static void fos_cls_groups_test(struct kunit *test)
{
	enum { NR = 1000, NS = 4, NK = 2000 };
	struct fos_cls_rule *r = kunit_kcalloc(test, NR + 1, sizeof(*r),
					       GFP_KERNEL);
	unsigned int i, n, probes, most[2] = {};
	struct rnd_state rnd;
	struct fos_pkt_key k;
	struct fos_cls *cls;
	const struct fos_t_shape *s;

	KUNIT_ASSERT_NOT_NULL(test, r);
	prandom_seed_state(&rnd, 7);
	for (i = 0; i < NR; i++) {
		s = &fos_t_shapes[i % NS];
		r[i].m = (struct fos_match){ .fields = s->fields,
			.family = s->family, .src_len = s->src_len,
			.dst_len = s->dst_len };
		fos_t_rnd_addr(&rnd, s->family, &r[i].m.src);
		fos_t_rnd_addr(&rnd, s->family, &r[i].m.dst);
		fos_t_host_bits(&rnd, &r[i].m.src, s->family, s->src_len, false);
		fos_t_host_bits(&rnd, &r[i].m.dst, s->family, s->dst_len, false);
		r[i].m.proto = fos_t_protos[i % FOS_T_PORT_PROTOS];
		r[i].m.dport = htons(i);
		r[i].m.ifindex = 1 + i % 5;
		r[i].m.dscp = i % 64;
		r[i].prio = fos_t_rnd(&rnd, 1000);
		r[i].order = i;
		r[i].priv = FOS_T_P(i + 1);
	}
	for (n = 0; n < 2; n++) {
		cls = fos_t_build(test, r, n ? NR : 10);
		KUNIT_EXPECT_EQ(test, fos_cls_groups(cls), NS);
		for (i = 0; i < NK; i++) {
			fos_t_rnd_key(&rnd, i & 1 ? &r[fos_t_rnd(&rnd, 10)].m :
				      NULL, &k);
			fos_cls_find(cls, &k, &probes);
			most[n] = max(most[n], probes);
		}
		fos_cls_free(cls);
	}
	KUNIT_EXPECT_LE(test, most[1], NS);
	KUNIT_EXPECT_LE(test, most[1], most[0] + 1);

	/* A match-all rule at the top. */
	r[NR] = (struct fos_cls_rule){ .prio = 1000, .priv = FOS_T_P(NR + 1) };
	cls = fos_t_build(test, r, NR + 1);
	KUNIT_EXPECT_EQ(test, fos_cls_groups(cls), NS + 1);
	for (i = 0, n = 0; i < NK; i++) {
		fos_t_rnd_key(&rnd, &r[fos_t_rnd(&rnd, NR)].m, &k);
		if (fos_cls_find(cls, &k, &probes) != FOS_T_P(NR + 1) ||
		    probes != 1)
			n++;
	}
	/* Keys not given the match-all rule at one probe. */
	KUNIT_EXPECT_EQ(test, n, 0);
	fos_cls_free(cls);
}

static struct kunit_case fos_cls_cases[] = {
	KUNIT_CASE(fos_cls_prio_test),
	KUNIT_CASE(fos_cls_fields_test),
	KUNIT_CASE(fos_cls_ifindex_dscp_test),
	KUNIT_CASE(fos_cls_family_test),
	KUNIT_CASE(fos_cls_prefix_test),
	KUNIT_CASE(fos_cls_nested_test),
	KUNIT_CASE(fos_cls_ports_test),
	KUNIT_CASE(fos_cls_empty_test),
	KUNIT_CASE(fos_cls_check_test),
	KUNIT_CASE(fos_cls_random_test),
	KUNIT_CASE(fos_cls_groups_test),
	{}
};

static struct kunit_suite fos_cls_suite = {
	.name = "flowstream_fos_cls",
	.test_cases = fos_cls_cases,
};
