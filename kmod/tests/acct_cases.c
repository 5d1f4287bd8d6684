// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for flow accounting: key parsing, filters, the record table
 * (limit policies) and expiry. Included by kunit.c.
 */
#include <linux/icmp.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>

/* --- key parsing ------------------------------------------------------ */

static struct sk_buff *fs_test_skb(struct kunit *test)
{
	struct sk_buff *skb = alloc_skb(512, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	return skb;
}

static struct iphdr *fs_test_ip4(struct sk_buff *skb, u8 proto, u8 ihl,
				 __be16 frag_off, u8 tos)
{
	struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

	iph->version = 4;
	iph->ihl = ihl;
	iph->tos = tos;
	iph->protocol = proto;
	iph->frag_off = frag_off;
	iph->saddr = htonl(0x0a000001);
	iph->daddr = htonl(0x0a000002);
	return iph;
}

static void fs_test_tcp(struct sk_buff *skb, u16 sport, u16 dport, u8 flags)
{
	struct tcphdr *th = skb_put_zero(skb, sizeof(*th));

	th->source = htons(sport);
	th->dest = htons(dport);
	th->doff = 5;
	tcp_flag_byte(th) = flags;
}

static void fs_parse_tcp4_test(struct kunit *test)
{
	struct sk_buff *skb = fs_test_skb(test);
	struct fs_acct_key key;
	struct fs_acct_pkt pkt;

	fs_test_ip4(skb, IPPROTO_TCP, 5, 0, 46 << 2);
	fs_test_tcp(skb, 40000, 80, TCPHDR_SYN | TCPHDR_ACK);
	KUNIT_ASSERT_EQ(test, fs_acct_parse(skb, NFPROTO_IPV4, &key, &pkt), 0);
	KUNIT_EXPECT_EQ(test, key.family, AF_INET);
	KUNIT_EXPECT_EQ(test, key.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, key.src.s6_addr32[0], htonl(0x0a000001));
	KUNIT_EXPECT_EQ(test, key.dst.s6_addr32[0], htonl(0x0a000002));
	KUNIT_EXPECT_EQ(test, key.src.s6_addr32[1], 0);
	KUNIT_EXPECT_EQ(test, ntohs(key.sport), 40000);
	KUNIT_EXPECT_EQ(test, ntohs(key.dport), 80);
	KUNIT_EXPECT_EQ(test, pkt.tcp_flags, TCPHDR_SYN | TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, pkt.dscp, 46);
	KUNIT_EXPECT_EQ(test, pkt.len, 40);
	KUNIT_EXPECT_FALSE(test, pkt.fragment);
	kfree_skb(skb);
}

static void fs_parse_fragment4_test(struct kunit *test)
{
	struct sk_buff *skb = fs_test_skb(test);
	struct fs_acct_key key;
	struct fs_acct_pkt pkt;

	/* A non-first fragment: what follows the header is not L4. */
	fs_test_ip4(skb, IPPROTO_UDP, 5, htons(185), 0);
	skb_put_data(skb, "\x12\x34\x56\x78\x00\x08\x00\x00", 8);
	KUNIT_ASSERT_EQ(test, fs_acct_parse(skb, NFPROTO_IPV4, &key, &pkt), 0);
	KUNIT_EXPECT_TRUE(test, pkt.fragment);
	KUNIT_EXPECT_EQ(test, key.proto, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, key.sport, 0);
	KUNIT_EXPECT_EQ(test, key.dport, 0);
	kfree_skb(skb);
}

static void fs_parse_malformed4_test(struct kunit *test)
{
	struct sk_buff *skb = fs_test_skb(test);
	struct fs_acct_key key;
	struct fs_acct_pkt pkt;

	/* Bogus IHL. */
	fs_test_ip4(skb, IPPROTO_TCP, 4, 0, 0);
	fs_test_tcp(skb, 1, 2, 0);
	KUNIT_EXPECT_EQ(test, fs_acct_parse(skb, NFPROTO_IPV4, &key, &pkt), -EINVAL);
	kfree_skb(skb);

	/* TCP header cut short: the packet ends 10 bytes into it. */
	skb = fs_test_skb(test);
	fs_test_ip4(skb, IPPROTO_TCP, 5, 0, 0);
	skb_put_zero(skb, 10);
	KUNIT_EXPECT_EQ(test, fs_acct_parse(skb, NFPROTO_IPV4, &key, &pkt), -EINVAL);
	kfree_skb(skb);

	/* IHL pointing past the end of the packet. */
	skb = fs_test_skb(test);
	fs_test_ip4(skb, IPPROTO_UDP, 15, 0, 0);
	skb_put_zero(skb, 8);
	KUNIT_EXPECT_EQ(test, fs_acct_parse(skb, NFPROTO_IPV4, &key, &pkt), -EINVAL);
	kfree_skb(skb);

	/* Not even an IPv4 header. */
	skb = fs_test_skb(test);
	skb_put_zero(skb, 12);
	KUNIT_EXPECT_EQ(test, fs_acct_parse(skb, NFPROTO_IPV4, &key, &pkt), -EINVAL);
	kfree_skb(skb);
}

static void fs_parse_icmp4_test(struct kunit *test)
{
	struct sk_buff *skb = fs_test_skb(test);
	struct fs_acct_key key;
	struct fs_acct_pkt pkt;

	fs_test_ip4(skb, IPPROTO_ICMP, 5, 0, 0);
	skb_put_data(skb, "\x08\x00\x00\x00\x00\x01\x00\x01", 8);
	KUNIT_ASSERT_EQ(test, fs_acct_parse(skb, NFPROTO_IPV4, &key, &pkt), 0);
	KUNIT_EXPECT_EQ(test, ntohs(key.sport), 8 << 8);
	KUNIT_EXPECT_EQ(test, key.dport, 0);
	kfree_skb(skb);
}

static struct ipv6hdr *fs_test_ip6(struct sk_buff *skb, u8 nexthdr)
{
	struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

	ip6h->version = 6;
	ip6h->nexthdr = nexthdr;
	ip6h->saddr.s6_addr[0] = 0xfd;
	ip6h->saddr.s6_addr[15] = 1;
	ip6h->daddr.s6_addr[0] = 0xfd;
	ip6h->daddr.s6_addr[15] = 2;
	return ip6h;
}

static void fs_parse_ext6_test(struct kunit *test)
{
	struct sk_buff *skb = fs_test_skb(test);
	struct fs_acct_key key;
	struct fs_acct_pkt pkt;
	u8 *opt;

	/* Hop-by-hop, then destination options, then UDP. */
	fs_test_ip6(skb, NEXTHDR_HOP);
	opt = skb_put_zero(skb, 8);
	opt[0] = NEXTHDR_DEST;
	opt = skb_put_zero(skb, 16);
	opt[0] = IPPROTO_UDP;
	opt[1] = 1;		/* 16 bytes */
	skb_put_data(skb, "\x04\xd2\x00\x35\x00\x08\x00\x00", 8);
	KUNIT_ASSERT_EQ(test, fs_acct_parse(skb, NFPROTO_IPV6, &key, &pkt), 0);
	KUNIT_EXPECT_EQ(test, key.family, AF_INET6);
	KUNIT_EXPECT_EQ(test, key.proto, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, ntohs(key.sport), 1234);
	KUNIT_EXPECT_EQ(test, ntohs(key.dport), 53);
	KUNIT_EXPECT_EQ(test, key.src.s6_addr[15], 1);
	KUNIT_EXPECT_EQ(test, pkt.len, 40 + 8 + 16 + 8);
	kfree_skb(skb);

	/* An extension header that claims to run past the packet. */
	skb = fs_test_skb(test);
	fs_test_ip6(skb, NEXTHDR_HOP);
	opt = skb_put_zero(skb, 8);
	opt[0] = IPPROTO_UDP;
	opt[1] = 5;
	KUNIT_EXPECT_EQ(test, fs_acct_parse(skb, NFPROTO_IPV6, &key, &pkt), -EINVAL);
	kfree_skb(skb);

	/* A non-first fragment. */
	skb = fs_test_skb(test);
	fs_test_ip6(skb, NEXTHDR_FRAGMENT);
	opt = skb_put_zero(skb, 8);
	opt[0] = IPPROTO_UDP;
	*(__be16 *)&opt[2] = htons(64 << 3);
	skb_put_zero(skb, 16);
	KUNIT_ASSERT_EQ(test, fs_acct_parse(skb, NFPROTO_IPV6, &key, &pkt), 0);
	KUNIT_EXPECT_TRUE(test, pkt.fragment);
	KUNIT_EXPECT_EQ(test, key.proto, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, key.sport, 0);
	kfree_skb(skb);
}

static struct kunit_case fs_parse_cases[] = {
	KUNIT_CASE(fs_parse_tcp4_test),
	KUNIT_CASE(fs_parse_fragment4_test),
	KUNIT_CASE(fs_parse_malformed4_test),
	KUNIT_CASE(fs_parse_icmp4_test),
	KUNIT_CASE(fs_parse_ext6_test),
	{}
};

static struct kunit_suite fs_parse_suite = {
	.name = "flowstream_acct_parse",
	.test_cases = fs_parse_cases,
};

/* --- filters ---------------------------------------------------------- */

static struct fs_acct_key fs_test_key4(u32 src, u32 dst, u8 proto, u16 sport,
				       u16 dport)
{
	struct fs_acct_key k = {};

	k.family = AF_INET;
	k.src.s6_addr32[0] = htonl(src);
	k.dst.s6_addr32[0] = htonl(dst);
	k.proto = proto;
	k.sport = htons(sport);
	k.dport = htons(dport);
	k.iif = 3;
	return k;
}

static void fs_filter_test(struct kunit *test)
{
	struct fs_acct_key k = fs_test_key4(0x0a000105, 0xc0a80001, IPPROTO_TCP,
					    40000, 443);
	struct fs_acct_filter f = { .proto = -1, .port = -1 };

	KUNIT_EXPECT_TRUE(test, fs_acct_match(&f, &k, 0));
	f.family = AF_INET6;
	KUNIT_EXPECT_FALSE(test, fs_acct_match(&f, &k, 0));
	f.family = AF_INET;
	f.has_prefix = true;
	f.prefix.s6_addr32[0] = htonl(0x0a000100);
	f.prefix_len = 24;
	KUNIT_EXPECT_TRUE(test, fs_acct_match(&f, &k, 0));	/* source */
	f.prefix_len = 31;
	KUNIT_EXPECT_FALSE(test, fs_acct_match(&f, &k, 0));
	f.prefix.s6_addr32[0] = htonl(0xc0a80000);
	f.prefix_len = 23;
	KUNIT_EXPECT_TRUE(test, fs_acct_match(&f, &k, 0));	/* destination */
	f.prefix_len = 0;
	KUNIT_EXPECT_TRUE(test, fs_acct_match(&f, &k, 0));
	f.has_prefix = false;
	f.port = 443;
	KUNIT_EXPECT_TRUE(test, fs_acct_match(&f, &k, 0));
	f.port = 40000;
	KUNIT_EXPECT_TRUE(test, fs_acct_match(&f, &k, 0));
	f.port = 80;
	KUNIT_EXPECT_FALSE(test, fs_acct_match(&f, &k, 0));
	f.port = -1;
	f.proto = IPPROTO_UDP;
	KUNIT_EXPECT_FALSE(test, fs_acct_match(&f, &k, 0));
	f.proto = -1;
	f.ifindex = 7;
	KUNIT_EXPECT_FALSE(test, fs_acct_match(&f, &k, 0));
	KUNIT_EXPECT_TRUE(test, fs_acct_match(&f, &k, 7));	/* egress */
	f.ifindex = 3;
	KUNIT_EXPECT_TRUE(test, fs_acct_match(&f, &k, 0));	/* ingress */

	/* ICMP has no ports: a port filter never matches it. */
	k = fs_test_key4(1, 2, IPPROTO_ICMP, 0x0800, 0);
	f.ifindex = 0;
	f.port = 2048;
	KUNIT_EXPECT_FALSE(test, fs_acct_match(&f, &k, 0));
}

static struct kunit_case fs_filter_cases[] = {
	KUNIT_CASE(fs_filter_test),
	{}
};

static struct kunit_suite fs_filter_suite = {
	.name = "flowstream_acct_filter",
	.test_cases = fs_filter_cases,
};

/* --- the record table ------------------------------------------------- */

struct fs_test_table {
	struct fs_net fsn;
	struct fs_config cfg;
	struct fs_acct *acct;
};

static struct fs_test_table *fs_test_table(struct kunit *test, u32 max, u8 ovl)
{
	struct fs_test_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	mutex_init(&t->fsn.lock);
	KUNIT_ASSERT_EQ(test, fs_stats_net_init(&t->fsn), 0);
	t->cfg.acct_max_records = max;
	t->cfg.acct_overload = ovl;
	t->cfg.acct_idle_timeout = 15;
	t->cfg.acct_active_timeout = 60;
	t->cfg.acct_fin_timeout = 2;
	t->acct = fs_acct_create(&t->fsn, &t->cfg);
	KUNIT_ASSERT_NOT_NULL(test, t->acct);
	fs_test_nevents = 0;
	return t;
}

static void fs_test_table_free(struct fs_test_table *t)
{
	fs_acct_destroy(t->acct, FLOWSTREAM_END_FLUSHED);
	fs_stats_net_exit(&t->fsn);
	mutex_destroy(&t->fsn.lock);
}

static u64 fs_test_stat(struct fs_test_table *t, enum flowstream_stat id)
{
	u64 v[__FLOWSTREAM_STAT_MAX];

	mutex_lock(&t->fsn.lock);
	fs_stats_read(&t->fsn, v);
	mutex_unlock(&t->fsn.lock);
	return v[id];
}

static void fs_test_packet(struct fs_test_table *t, const struct fs_acct_key *k,
			   u32 len, u8 flags)
{
	struct fs_acct_pkt pkt = { .len = len, .tcp_flags = flags };

	rcu_read_lock();
	fs_acct_account(t->acct, k, &pkt, 9);
	rcu_read_unlock();
}

static struct fs_acct_key fs_test_flow(int i)
{
	return fs_test_key4(0x0a000001, 0x0a010000 + i, IPPROTO_UDP, 1000 + i, 53);
}

static int fs_table_init(struct kunit *test)
{
	return fs_acct_cache_init();
}

static void fs_table_exit(struct kunit *test)
{
	fs_acct_cache_exit();
}

static void fs_table_count_test(struct kunit *test)
{
	struct fs_test_table *t = fs_test_table(test, 16, FLOWSTREAM_OVERLOAD_REFUSE);
	struct fs_acct_key k = fs_test_key4(1, 2, IPPROTO_TCP, 3, 4);
	struct fs_acct_totals tot;
	struct fs_rec_snap s;
	int i;

	for (i = 0; i < 5; i++)
		fs_test_packet(t, &k, 100, i == 4 ? TCPHDR_FIN : TCPHDR_ACK);
	KUNIT_ASSERT_TRUE(test, fs_acct_lookup(t->acct, &k, &s));
	KUNIT_EXPECT_EQ(test, s.packets, 5);
	KUNIT_EXPECT_EQ(test, s.bytes, 500);
	KUNIT_EXPECT_EQ(test, s.tcp_flags, TCPHDR_ACK | TCPHDR_FIN);
	KUNIT_EXPECT_EQ(test, s.oif, 9);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->acct->count), 1);
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_PACKETS), 5);
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_RECORDS_CREATED), 1);
	/* The global figures see this table (the suite's only one). */
	fs_acct_totals(&tot);
	KUNIT_EXPECT_EQ(test, tot.tables, 1);
	KUNIT_EXPECT_EQ(test, tot.records, 1);
	KUNIT_EXPECT_GE(test, tot.bytes, fs_acct_record_size() +
			(u64)(t->acct->mask + 1) * sizeof(struct hlist_head));
	fs_test_table_free(t);
	fs_acct_totals(&tot);
	KUNIT_EXPECT_EQ(test, tot.tables, 0);
	KUNIT_EXPECT_EQ(test, tot.bytes, 0);
	/* Flushed at the end, and reported. */
	KUNIT_EXPECT_EQ(test, fs_test_nevents, 1);
	KUNIT_EXPECT_EQ(test, fs_test_events[0].end, FLOWSTREAM_END_FLUSHED);
	KUNIT_EXPECT_EQ(test, fs_test_events[0].packets, 5);
}

static void fs_table_refuse_test(struct kunit *test)
{
	struct fs_test_table *t = fs_test_table(test, 16, FLOWSTREAM_OVERLOAD_REFUSE);
	struct fs_acct_key k;
	struct fs_rec_snap s;
	int i;

	for (i = 0; i < 20; i++) {
		k = fs_test_flow(i);
		fs_test_packet(t, &k, 60, 0);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&t->acct->count), 16);
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_DROP_LIMIT), 4);
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_PACKETS), 16);
	for (i = 0; i < 20; i++) {
		k = fs_test_flow(i);
		KUNIT_EXPECT_EQ_MSG(test, fs_acct_lookup(t->acct, &k, &s), i < 16,
				    "flow %d", i);
	}
	/* Packets of existing records are still counted at the limit. */
	k = fs_test_flow(0);
	fs_test_packet(t, &k, 60, 0);
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_PACKETS), 17);
	KUNIT_EXPECT_EQ(test, fs_test_nevents, 0);
	fs_test_table_free(t);
}

static void fs_table_evict_test(struct kunit *test)
{
	struct fs_test_table *t = fs_test_table(test, 16, FLOWSTREAM_OVERLOAD_EVICT);
	struct fs_acct_key k;
	struct fs_rec_snap s;
	int i;

	for (i = 0; i < 20; i++) {
		k = fs_test_flow(i);
		fs_test_packet(t, &k, 60, 0);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&t->acct->count), 16);
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_RECORDS_EVICTED), 4);
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_DROP_LIMIT), 0);
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_PACKETS), 20);
	/* The oldest went first, each reported as evicted. */
	KUNIT_ASSERT_EQ(test, fs_test_nevents, 4);
	for (i = 0; i < 4; i++) {
		k = fs_test_flow(i);
		KUNIT_EXPECT_EQ(test, fs_test_events[i].end, FLOWSTREAM_END_EVICTED);
		KUNIT_EXPECT_EQ(test, memcmp(&fs_test_events[i].key, &k, sizeof(k)), 0);
	}
	for (i = 0; i < 20; i++) {
		k = fs_test_flow(i);
		KUNIT_EXPECT_EQ_MSG(test, fs_acct_lookup(t->acct, &k, &s), i >= 4,
				    "flow %d", i);
	}
	fs_test_table_free(t);
}

static void fs_table_expire_test(struct kunit *test)
{
	struct fs_test_table *t = fs_test_table(test, 64, FLOWSTREAM_OVERLOAD_REFUSE);
	struct fs_acct_key a = fs_test_flow(1), b = fs_test_flow(2);
	struct fs_acct_key c = fs_test_key4(5, 6, IPPROTO_TCP, 7, 8);
	struct fs_record *rec;
	struct fs_rec_snap s;
	u64 t0;

	fs_test_packet(t, &a, 100, 0);
	fs_test_packet(t, &b, 100, 0);
	fs_test_packet(t, &c, 100, TCPHDR_ACK | TCPHDR_FIN);
	KUNIT_ASSERT_TRUE(test, fs_acct_lookup(t->acct, &c, &s));
	t0 = s.last;

	/* Before any timeout: nothing happens. */
	fs_acct_expire_scan(t->acct, t0 + HZ);
	KUNIT_EXPECT_EQ(test, fs_test_nevents, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->acct->count), 3);

	/* fin-timeout: the finished TCP record ends, the others stay. */
	fs_acct_expire_scan(t->acct, t0 + 2 * HZ + HZ / 2);
	KUNIT_ASSERT_EQ(test, fs_test_nevents, 1);
	KUNIT_EXPECT_EQ(test, fs_test_events[0].end, FLOWSTREAM_END_EOF);
	KUNIT_EXPECT_FALSE(test, fs_acct_lookup(t->acct, &c, &s));

	/* a saw a packet 10 s later (set by hand); b did not and goes idle. */
	rcu_read_lock();
	rec = fs_acct_find(t->acct, fs_acct_hash(t->acct, &a), &a);
	KUNIT_ASSERT_NOT_NULL(test, rec);
	rec->last = t0 + 10 * HZ;
	rcu_read_unlock();
	fs_acct_expire_scan(t->acct, t0 + 15 * HZ);
	KUNIT_ASSERT_EQ(test, fs_test_nevents, 2);
	KUNIT_EXPECT_EQ(test, fs_test_events[1].end, FLOWSTREAM_END_IDLE);
	KUNIT_EXPECT_EQ(test, memcmp(&fs_test_events[1].key, &b, sizeof(b)), 0);
	KUNIT_EXPECT_TRUE(test, fs_acct_lookup(t->acct, &a, &s));
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_RECORDS_ENDED), 2);

	/* And a goes idle 15 s after its last packet. */
	fs_acct_expire_scan(t->acct, t0 + 25 * HZ - 1);
	KUNIT_EXPECT_EQ(test, fs_test_nevents, 2);
	fs_acct_expire_scan(t->acct, t0 + 25 * HZ);
	KUNIT_ASSERT_EQ(test, fs_test_nevents, 3);
	KUNIT_EXPECT_EQ(test, fs_test_events[2].end, FLOWSTREAM_END_IDLE);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->acct->count), 0);
	fs_test_table_free(t);
}

/* Active timeout on its own, with idle far away. */
static void fs_table_active_test(struct kunit *test)
{
	struct fs_test_table *t;
	struct fs_acct_key a = fs_test_flow(1);
	struct fs_rec_snap s;

	t = fs_test_table(test, 64, FLOWSTREAM_OVERLOAD_REFUSE);
	t->cfg.acct_idle_timeout = 3600;
	fs_acct_update(t->acct, &t->cfg);
	fs_test_packet(t, &a, 100, 0);
	fs_test_packet(t, &a, 100, 0);
	KUNIT_ASSERT_TRUE(test, fs_acct_lookup(t->acct, &a, &s));

	fs_acct_expire_scan(t->acct, s.first + 60 * HZ);
	KUNIT_ASSERT_EQ(test, fs_test_nevents, 1);
	KUNIT_EXPECT_EQ(test, fs_test_events[0].end, FLOWSTREAM_END_ACTIVE);
	KUNIT_EXPECT_EQ(test, fs_test_events[0].packets, 2);
	KUNIT_EXPECT_EQ(test, fs_test_events[0].bytes, 200);
	/* Still live, counting from zero in a new interval. */
	KUNIT_ASSERT_TRUE(test, fs_acct_lookup(t->acct, &a, &s));
	KUNIT_EXPECT_EQ(test, s.packets, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->acct->count), 1);
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_RECORDS_ENDED), 0);

	/* An interval without traffic ends unreported when idle. */
	fs_acct_expire_scan(t->acct, s.last + 3600 * HZ);
	KUNIT_EXPECT_EQ(test, fs_test_nevents, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->acct->count), 0);
	KUNIT_EXPECT_EQ(test, fs_test_stat(t, FLOWSTREAM_STAT_ACCT_RECORDS_ENDED), 1);
	fs_test_table_free(t);
}

/* A scan that runs late, past both timeouts, still ends a closed record eof. */
static void fs_table_late_eof_test(struct kunit *test)
{
	struct fs_test_table *t;
	struct fs_acct_key c = fs_test_key4(5, 6, IPPROTO_TCP, 7, 8);
	struct fs_acct_key d = fs_test_key4(5, 6, IPPROTO_TCP, 7, 9);
	struct fs_rec_snap s;

	t = fs_test_table(test, 64, FLOWSTREAM_OVERLOAD_REFUSE);
	t->cfg.acct_active_timeout = 1;
	fs_acct_update(t->acct, &t->cfg);
	fs_test_packet(t, &c, 100, TCPHDR_ACK | TCPHDR_FIN);
	KUNIT_ASSERT_TRUE(test, fs_acct_lookup(t->acct, &c, &s));
	fs_acct_expire_scan(t->acct, s.last + 20 * HZ);
	KUNIT_ASSERT_EQ(test, fs_test_nevents, 1);
	KUNIT_EXPECT_EQ(test, fs_test_events[0].end, FLOWSTREAM_END_EOF);

	/*
	 * A FIN counted in an interval that was reported active: the next
	 * interval's packets end eof too, although its flags lack the FIN.
	 */
	fs_test_packet(t, &d, 100, TCPHDR_ACK | TCPHDR_FIN);
	KUNIT_ASSERT_TRUE(test, fs_acct_lookup(t->acct, &d, &s));
	fs_acct_expire_scan(t->acct, s.first + HZ);
	KUNIT_ASSERT_EQ(test, fs_test_nevents, 2);
	KUNIT_EXPECT_EQ(test, fs_test_events[1].end, FLOWSTREAM_END_ACTIVE);
	fs_test_packet(t, &d, 60, TCPHDR_ACK);
	KUNIT_ASSERT_TRUE(test, fs_acct_lookup(t->acct, &d, &s));
	KUNIT_EXPECT_EQ(test, s.tcp_flags, TCPHDR_ACK);
	fs_acct_expire_scan(t->acct, s.last + 2 * HZ);
	KUNIT_ASSERT_EQ(test, fs_test_nevents, 3);
	KUNIT_EXPECT_EQ(test, fs_test_events[2].end, FLOWSTREAM_END_EOF);
	KUNIT_EXPECT_EQ(test, fs_test_events[2].packets, 1);

	/* With the idle timeout the shorter one, idle decides. */
	t->cfg.acct_idle_timeout = 1;
	fs_acct_update(t->acct, &t->cfg);
	fs_test_packet(t, &c, 100, TCPHDR_RST);
	KUNIT_ASSERT_TRUE(test, fs_acct_lookup(t->acct, &c, &s));
	fs_acct_expire_scan(t->acct, s.last + 20 * HZ);
	KUNIT_ASSERT_EQ(test, fs_test_nevents, 4);
	KUNIT_EXPECT_EQ(test, fs_test_events[3].end, FLOWSTREAM_END_IDLE);
	fs_test_table_free(t);
}

/* What a walk says is due next: the walk is scheduled by it. */
static void fs_table_due_test(struct kunit *test)
{
	struct fs_test_table *t;
	struct fs_acct_key a = fs_test_flow(1);
	struct fs_acct_key c = fs_test_key4(5, 6, IPPROTO_TCP, 7, 8);
	struct fs_rec_snap sa, sc;

	t = fs_test_table(test, 64, FLOWSTREAM_OVERLOAD_REFUSE);
	/* Nothing in the table: nothing is due. */
	KUNIT_EXPECT_EQ(test, fs_acct_expire_scan(t->acct, get_jiffies_64()),
			U64_MAX);
	fs_test_packet(t, &a, 100, 0);
	KUNIT_ASSERT_TRUE(test, fs_acct_lookup(t->acct, &a, &sa));
	/* Idle (15 s) before active (1800 s). */
	KUNIT_EXPECT_EQ(test, fs_acct_expire_scan(t->acct, sa.last),
			sa.last + 15 * HZ);
	/* A closing record is due at its fin-timeout (2 s), sooner. */
	fs_test_packet(t, &c, 100, TCPHDR_ACK | TCPHDR_FIN);
	KUNIT_ASSERT_TRUE(test, fs_acct_lookup(t->acct, &c, &sc));
	KUNIT_EXPECT_EQ(test, fs_acct_expire_scan(t->acct, sc.last),
			sc.last + 2 * HZ);
	/* Once it ended, the other one is next again. */
	KUNIT_EXPECT_EQ(test, fs_acct_expire_scan(t->acct, sc.last + 2 * HZ),
			sa.last + 15 * HZ);
	KUNIT_EXPECT_EQ(test, fs_test_nevents, 1);
	/* An active timeout shorter than idle decides. */
	t->cfg.acct_active_timeout = 1;
	fs_acct_update(t->acct, &t->cfg);
	KUNIT_EXPECT_EQ(test, fs_acct_expire_scan(t->acct, sa.first),
			sa.first + HZ);
	fs_test_table_free(t);
}

static struct kunit_case fs_table_cases[] = {
	KUNIT_CASE(fs_table_count_test),
	KUNIT_CASE(fs_table_refuse_test),
	KUNIT_CASE(fs_table_evict_test),
	KUNIT_CASE(fs_table_expire_test),
	KUNIT_CASE(fs_table_active_test),
	KUNIT_CASE(fs_table_late_eof_test),
	KUNIT_CASE(fs_table_due_test),
	{}
};

static struct kunit_suite fs_table_suite = {
	.name = "flowstream_acct_table",
	.init = fs_table_init,
	.exit = fs_table_exit,
	.test_cases = fs_table_cases,
};
