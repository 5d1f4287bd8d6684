// SPDX-License-Identifier: GPL-2.0
/* The migration stream: frames, their attributes, prefixes, addresses. */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include "migs_test.h"

static struct migs_out out;
static struct migs_in in;

/* Raw bytes read as a frame, unauthenticated. */
static int read_bytes(const void *p, size_t len)
{
	return migs_read_bytes(&in, NULL, p, len);
}

static void test_roundtrip(void **state)
{
	const struct nlattr *tb[__MIGS_A_MAX];
	struct mig_pfx p, q;
	struct nlattr *nest;
	size_t len;
	void *frame;

	(void)state;
	assert_int_equal(mig_pfx_parse("10.2.0.0/24", FLOWSTREAM_SMP_KEY_SRC, &p), 0);
	migs_begin(&out, MIGS_HELLO);
	mnl_attr_put_u32(out.nlh, MIGS_A_VERSION, MIGS_VERSION);
	mig_pfx_put(out.nlh, MIGS_A_PREFIX, &p);
	nest = mnl_attr_nest_start(out.nlh, MIGS_A_IFACE);
	mnl_attr_put_u32(out.nlh, MIGS_IF_A_INDEX, 7);
	mnl_attr_put_strz(out.nlh, MIGS_IF_A_NAME, "eth0");
	mnl_attr_nest_end(out.nlh, nest);
	mnl_attr_put_u32(out.nlh, MIGS_A_IDLE_MAX, 15000);
	frame = migs_frame(&out, &len);
	assert_int_equal(read_bytes(frame, len), 0);
	assert_int_equal(in.type, MIGS_HELLO);
	assert_int_equal(in.len, len - MIGS_HDR_LEN);
	assert_int_equal(migs_parse(&in, tb), 0);
	assert_non_null(tb[MIGS_A_VERSION]);
	assert_int_equal(mnl_attr_get_u32(tb[MIGS_A_VERSION]), MIGS_VERSION);
	assert_non_null(tb[MIGS_A_IDLE_MAX]);
	assert_int_equal(mnl_attr_get_u32(tb[MIGS_A_IDLE_MAX]), 15000);
	assert_int_equal(mig_pfx_get(tb[MIGS_A_PREFIX], &q), 0);
	assert_int_equal(q.family, AF_INET);
	assert_int_equal(q.len, 24);
	assert_int_equal(q.key, FLOWSTREAM_SMP_KEY_SRC);
	assert_memory_equal(q.addr, p.addr, 4);
}

static void test_bad_frames(void **state)
{
	const struct nlattr *tb[__MIGS_A_MAX];
	unsigned char f[32];

	(void)state;
	/* Header: length, type, reserved. */
	memcpy(f, "\0\0\0\x08\0\x01\0\0", 8);
	assert_int_equal(read_bytes(f, 8), 0);
	assert_int_equal(in.len, 0);
	memcpy(f, "\0\0\0\x07\0\x01\0\0", 8);
	assert_int_equal(read_bytes(f, 8), -EBADMSG);
	memcpy(f, "\0\x10\0\x01\0\x01\0\0", 8);	/* 1 MiB + 1 */
	assert_int_equal(read_bytes(f, 8), -EBADMSG);
	memcpy(f, "\0\0\0\x08\0\x06\0\0", 8);	/* type 6 */
	assert_int_equal(read_bytes(f, 8), -EBADMSG);
	memcpy(f, "\0\0\0\x08\0\x01\0\x01", 8);	/* reserved set */
	assert_int_equal(read_bytes(f, 8), -EBADMSG);
	memcpy(f, "\0\0\0\x10\0\x01\0\0", 8);	/* cut short */
	assert_int_equal(read_bytes(f, 12), -ECONNRESET);

	/* Attributes: u32 VERSION 1, then 4 bytes left over. */
	memcpy(f, "\0\0\0\x14\0\x01\0\0" "\x08\0\x01\0\x01\0\0\0" "abcd", 20);
	assert_int_equal(read_bytes(f, 20), 0);
	assert_int_equal(migs_parse(&in, tb), -EBADMSG);
	/* Without them it parses. */
	memcpy(f, "\0\0\0\x10\0\x01\0\0" "\x08\0\x01\0\x01\0\0\0", 16);
	assert_int_equal(read_bytes(f, 16), 0);
	assert_int_equal(migs_parse(&in, tb), 0);
	/* An unknown attribute type, and a u32 of two bytes. */
	memcpy(f, "\0\0\0\x10\0\x01\0\0" "\x08\0\x63\0\x01\0\0\0", 16);
	assert_int_equal(read_bytes(f, 16), 0);
	assert_int_equal(migs_parse(&in, tb), -EBADMSG);
	memcpy(f, "\0\0\0\x10\0\x01\0\0" "\x06\0\x01\0\x01\0\0\0", 16);
	assert_int_equal(read_bytes(f, 16), 0);
	assert_int_equal(migs_parse(&in, tb), -EBADMSG);
	/* IDLE_MAX (14) is a u32 too: two bytes of it are refused. */
	memcpy(f, "\0\0\0\x10\0\x01\0\0" "\x06\0\x0e\0\x01\0\0\0", 16);
	assert_int_equal(read_bytes(f, 16), 0);
	assert_int_equal(migs_parse(&in, tb), -EBADMSG);
}

static void test_batch_sums(void **state)
{
	struct nlattr *batch, *rec;
	struct mig_sums s;
	int i;

	(void)state;
	migs_begin(&out, MIGS_BATCH);
	batch = mnl_attr_nest_start(out.nlh, MIGS_A_BATCH);
	for (i = 1; i <= 2; i++) {
		rec = mnl_attr_nest_start(out.nlh, FLOWSTREAM_BATCH_A_RECORD);
		mnl_attr_put_u8(out.nlh, FLOWSTREAM_REC_A_FAMILY, AF_INET);
		mnl_attr_put_u64(out.nlh, FLOWSTREAM_REC_A_PACKETS, 10 * i);
		mnl_attr_put_u64(out.nlh, FLOWSTREAM_REC_A_BYTES, 1000 * i);
		mnl_attr_nest_end(out.nlh, rec);
	}
	mnl_attr_nest_end(out.nlh, batch);
	assert_int_equal(mig_batch_sums(batch, &s), 0);
	assert_int_equal(s.records, 2);
	assert_int_equal(s.packets, 30);
	assert_int_equal(s.bytes, 3000);
	mnl_attr_put_u32(out.nlh, FLOWSTREAM_BATCH_A_RECORD + 1, 5);
	batch->nla_len += MNL_ALIGN(sizeof(struct nlattr) + 4);
	assert_int_equal(mig_batch_sums(batch, &s), -EBADMSG);
}

static void test_prefixes(void **state)
{
	struct mig_pfx p;

	(void)state;
	assert_int_equal(mig_pfx_parse("fd02::/64", FLOWSTREAM_SMP_KEY_DST, &p), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.len, 64);
	assert_int_equal(mig_pfx_parse("0.0.0.0/0", 0, &p), 0);
	assert_int_equal(mig_pfx_parse("10.2.0.1/24", 0, &p), -EINVAL);
	assert_int_equal(mig_pfx_parse("10.2.0.0/33", 0, &p), -EINVAL);
	assert_int_equal(mig_pfx_parse("10.2.0.0", 0, &p), -EINVAL);
	assert_int_equal(mig_pfx_parse("fd02::1/64", 0, &p), -EINVAL);
	assert_int_equal(mig_pfx_parse("fd02::/129", 0, &p), -EINVAL);
}

static void test_hostport(void **state)
{
	char host[64], port[16];

	(void)state;
	assert_int_equal(mig_hostport("10.4.0.2:7000", host, sizeof(host),
				      port, sizeof(port)), 0);
	assert_string_equal(host, "10.4.0.2");
	assert_string_equal(port, "7000");
	assert_int_equal(mig_hostport("[fd00::1]:7000", host, sizeof(host),
				      port, sizeof(port)), 0);
	assert_string_equal(host, "fd00::1");
	assert_string_equal(port, "7000");
	assert_int_equal(mig_hostport("fd00::1:7000", host, sizeof(host),
				      port, sizeof(port)), -EINVAL);
	assert_int_equal(mig_hostport(":7000", host, sizeof(host),
				      port, sizeof(port)), -EINVAL);
	assert_int_equal(mig_hostport("10.4.0.2:", host, sizeof(host),
				      port, sizeof(port)), -EINVAL);
}

static void test_allow(void **state)
{
	struct mig_pfx a[3];
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };

	(void)state;
	assert_int_equal(mig_allow_parse("10.4.0.2", &a[0]), 0);
	assert_int_equal(a[0].family, AF_INET);
	assert_int_equal(a[0].len, 32);
	assert_int_equal(mig_allow_parse("fd00:4::/64", &a[1]), 0);
	assert_int_equal(a[1].len, 64);
	assert_int_equal(mig_allow_parse("10.5.0.0/23", &a[2]), 0);
	assert_int_equal(mig_allow_parse("10.5.0.1/23", &a[2]), -EINVAL);
	assert_int_equal(mig_allow_parse("10.5.0.0/23", &a[2]), 0);
	assert_int_equal(mig_allow_parse("host.example", &a[2]), -EINVAL);
	assert_int_equal(mig_allow_parse("10.5.0.0/", &a[2]), -EINVAL);
	assert_int_equal(mig_allow_parse("10.5.0.0/23", &a[2]), 0);

	inet_pton(AF_INET, "10.4.0.2", &s4.sin_addr);
	assert_true(mig_peer_allowed(a, 3, (struct sockaddr *)&s4));
	inet_pton(AF_INET, "10.4.0.3", &s4.sin_addr);
	assert_false(mig_peer_allowed(a, 3, (struct sockaddr *)&s4));
	inet_pton(AF_INET, "10.5.1.255", &s4.sin_addr);
	assert_true(mig_peer_allowed(a, 3, (struct sockaddr *)&s4));
	inet_pton(AF_INET, "10.5.2.0", &s4.sin_addr);
	assert_false(mig_peer_allowed(a, 3, (struct sockaddr *)&s4));
	inet_pton(AF_INET6, "::ffff:10.4.0.2", &s6.sin6_addr);
	assert_true(mig_peer_allowed(a, 3, (struct sockaddr *)&s6));
	inet_pton(AF_INET6, "::ffff:10.4.0.9", &s6.sin6_addr);
	assert_false(mig_peer_allowed(a, 3, (struct sockaddr *)&s6));
	inet_pton(AF_INET6, "fd00:4::77", &s6.sin6_addr);
	assert_true(mig_peer_allowed(a, 3, (struct sockaddr *)&s6));
	inet_pton(AF_INET6, "fd00:5::77", &s6.sin6_addr);
	assert_false(mig_peer_allowed(a, 3, (struct sockaddr *)&s6));
	/* No prefix, no peer; /0 any of its family. */
	assert_false(mig_peer_allowed(a, 0, (struct sockaddr *)&s6));
	assert_int_equal(mig_allow_parse("::/0", &a[0]), 0);
	assert_true(mig_peer_allowed(a, 1, (struct sockaddr *)&s6));
	assert_false(mig_peer_allowed(a, 1, (struct sockaddr *)&s4));
}

static void test_pfx_match(void **state)
{
	struct mig_pfx p[2];
	uint8_t addr[16];

	(void)state;
	assert_int_equal(mig_pfx_parse("10.2.0.0/15", 0, &p[0]), 0);
	assert_int_equal(mig_pfx_parse("fd02::/16", 0, &p[1]), 0);
	inet_pton(AF_INET, "10.3.255.255", addr);
	assert_true(mig_pfx_match(p, 2, AF_INET, addr));
	inet_pton(AF_INET, "10.4.0.0", addr);
	assert_false(mig_pfx_match(p, 2, AF_INET, addr));
	inet_pton(AF_INET6, "fd02:ffff::1", addr);
	assert_true(mig_pfx_match(p, 2, AF_INET6, addr));
	assert_false(mig_pfx_match(p, 1, AF_INET6, addr));
}

static void test_timeout(void **state)
{
	unsigned int t = 99;

	(void)state;
	assert_int_equal(mig_timeout_parse("10", &t), 0);
	assert_int_equal(t, 10);
	assert_int_equal(mig_timeout_parse("0", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(mig_timeout_parse("86400", &t), 0);
	assert_int_equal(mig_timeout_parse("86401", &t), -EINVAL);
	assert_int_equal(mig_timeout_parse("-1", &t), -EINVAL);
	assert_int_equal(mig_timeout_parse("5s", &t), -EINVAL);
	assert_int_equal(mig_timeout_parse("", &t), -EINVAL);
}

/* A peer that closed: a write fails with -EPIPE, no SIGPIPE. */
static void test_write_closed(void **state)
{
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	migs_begin(&out, MIGS_END);
	mnl_attr_put_u32(out.nlh, MIGS_A_SEQ, 1);
	assert_int_equal(migs_write(sv[0], &out, NULL), -EPIPE);
	close(sv[0]);
}

/* A peer that says nothing: a read fails with -ETIMEDOUT. */
static void test_read_timeout(void **state)
{
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(migs_timeout(sv[0], 1), 0);
	assert_int_equal(migs_read(sv[0], &in, NULL), -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

/* A HELLO carrying @m, read back into the global @in. */
static void fos_hello(const struct mig_fos *m, const struct nlattr **tb)
{
	size_t len;
	void *frame;

	migs_begin(&out, MIGS_HELLO);
	mnl_attr_put_u32(out.nlh, MIGS_A_VERSION, MIGS_VERSION);
	if (m)
		mig_fos_put(out.nlh, m);
	frame = migs_frame(&out, &len);
	assert_int_equal(read_bytes(frame, len), 0);
	assert_int_equal(migs_parse(&in, tb), 0);
}

static void test_fos_flows(void **state)
{
	struct mig_fos_flow fa[2] = {
		{ "web", "proto 6 dst 10.2.0.0/24 stream 1 prio 0",
		  "guard, count" },
		{ "dns", "proto 17 stream 2 prio 5", "" },
	};
	struct mig_fos a = { fa, 2 }, b = { 0 }, got;
	const struct nlattr *tb[__MIGS_A_MAX];
	struct mig_fos_flow fb[2];
	char msg[1024];

	(void)state;
	fos_hello(&a, tb);
	assert_int_equal(mig_fos_get(&in, tb, &got, msg, sizeof(msg)), 0);
	assert_int_equal(got.n, 2);
	assert_string_equal(got.v[0].name, "web");
	assert_string_equal(got.v[0].pms, "guard, count");
	assert_string_equal(got.v[1].match, "proto 17 stream 2 prio 5");
	assert_int_equal(mig_fos_compare(&a, &got, msg, sizeof(msg)), 0);
	mig_fos_free(&got);

	/* B differs: each difference named. */
	memcpy(fb, fa, sizeof(fb));
	b.v = fb;
	b.n = 2;
	snprintf(fb[0].pms, sizeof(fb[0].pms), "count");
	assert_int_equal(mig_fos_compare(&a, &b, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "FlowOS flow \"web\": PMs on A \"guard, count\", on B \"count\"");
	memcpy(fb, fa, sizeof(fb));
	snprintf(fb[1].match, sizeof(fb[1].match), "proto 17 stream 2 prio 6");
	assert_int_equal(mig_fos_compare(&a, &b, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "\"dns\": match on A"));
	b.n = 1;
	assert_int_equal(mig_fos_compare(&a, &b, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "FlowOS flow \"dns\" of A does not exist on B");
	a.n = 0;
	assert_int_equal(mig_fos_compare(&a, &b, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "FlowOS flow \"web\" of B does not exist on A");
	b.n = 0;
	assert_int_equal(mig_fos_compare(&a, &b, msg, sizeof(msg)), 0);

	/* Hostile: no description, a flow twice, a control character. */
	fos_hello(NULL, tb);
	assert_int_equal(mig_fos_get(&in, tb, &got, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "does not describe"));
	memcpy(fb, fa, sizeof(fb));
	snprintf(fb[1].name, sizeof(fb[1].name), "web");
	b.n = 2;
	fos_hello(&b, tb);
	assert_int_equal(mig_fos_get(&in, tb, &got, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "FlowOS flow \"web\" twice");
	snprintf(fb[1].name, sizeof(fb[1].name), "a\033b");
	fos_hello(&b, tb);
	assert_int_equal(mig_fos_get(&in, tb, &got, msg, sizeof(msg)), -1);
	assert_string_equal(msg, "a malformed FlowOS flow");
}

static struct mig_idle idle;

/* Feed @left every 100 ms from @t; the first end, its time in *@at. */
static enum mig_idle_end idle_run(const uint64_t *left, unsigned int n,
				  uint64_t *at)
{
	enum mig_idle_end e = MIG_IDLE_ON;
	unsigned int i;

	for (i = 0; i < n && e == MIG_IDLE_ON; i++) {
		*at = i * 100;
		e = mig_idle_step(&idle, *at, left[i]);
	}
	return e;
}

/* States that end ever more slowly: the phase ends once below the rate. */
static void test_idle_rate_falls(void **state)
{
	uint64_t left[40], at = 0, l = 10000;
	unsigned int i;

	(void)state;
	/* Each 100 ms a fifth of what is left ends, down to 10 a second. */
	for (i = 0; i < 40; i++) {
		left[i] = l;
		l -= l / 5;
	}
	mig_idle_init(&idle, 100, 500, 10000);
	assert_int_equal(idle_run(left, 40, &at), MIG_IDLE_RATE);
	/* First below 100/s: over (t - 500, t], left[t-5] - left[t] < 50. */
	for (i = 5; left[i - 5] - left[i] >= 50; i++)
		;
	assert_int_equal(at, i * 100);
	assert_true(idle.est_mps < 100 * 1000);
	/* Never before a whole window, even with nothing ending. */
	for (i = 0; i < 40; i++)
		left[i] = 77;
	mig_idle_init(&idle, 100, 500, 10000);
	assert_int_equal(idle_run(left, 40, &at), MIG_IDLE_RATE);
	assert_int_equal(at, 500);
	assert_int_equal(idle.est_mps, 0);
	/* A count that grows is no drop. */
	for (i = 0; i < 40; i++)
		left[i] = 100 + i;
	mig_idle_init(&idle, 1, 500, 10000);
	assert_int_equal(idle_run(left, 40, &at), MIG_IDLE_RATE);
	assert_int_equal(at, 500);
}

/* A steady 1000 states a second ending, threshold 500/s: the limit. */
static void test_idle_rate_never(void **state)
{
	uint64_t left[40], at = 0;
	unsigned int i;

	(void)state;
	for (i = 0; i < 40; i++)
		left[i] = 100000 - 100 * i;
	mig_idle_init(&idle, 500, 500, 2000);
	assert_int_equal(idle_run(left, 40, &at), MIG_IDLE_LIMIT);
	assert_int_equal(at, 2000);
	assert_int_equal(idle.est_mps, 1000 * 1000);
	/* Just at the threshold is not below it. */
	mig_idle_init(&idle, 1000, 500, 2000);
	assert_int_equal(idle_run(left, 40, &at), MIG_IDLE_LIMIT);
	mig_idle_init(&idle, 1001, 500, 2000);
	assert_int_equal(idle_run(left, 40, &at), MIG_IDLE_RATE);
	assert_int_equal(at, 500);
	/* Without a threshold, only the limit ends it. */
	for (i = 0; i < 40; i++)
		left[i] = 5;
	mig_idle_init(&idle, 0, 500, 1200);
	assert_int_equal(idle_run(left, 40, &at), MIG_IDLE_LIMIT);
	assert_int_equal(at, 1200);
	/* A limit of 0: the first sample ends it. */
	mig_idle_init(&idle, 10, 500, 0);
	assert_int_equal(mig_idle_step(&idle, 0, 5), MIG_IDLE_LIMIT);
}

/* No state left: at once, first sample or later. */
static void test_idle_empty(void **state)
{
	uint64_t left[] = { 30, 20, 10, 0, 0 }, at = 0;

	(void)state;
	mig_idle_init(&idle, 1000000, 500, 10000);
	assert_int_equal(mig_idle_step(&idle, 0, 0), MIG_IDLE_EMPTY);
	mig_idle_init(&idle, 1, 500, 10000);
	assert_int_equal(idle_run(left, 5, &at), MIG_IDLE_EMPTY);
	assert_int_equal(at, 300);
	/* Before the rate could: 100/s over 300 ms, threshold 1. */
	assert_int_equal(idle.est_mps, UINT64_MAX);
	assert_string_equal(mig_idle_end_name(MIG_IDLE_EMPTY), "empty");
	assert_string_equal(mig_idle_end_name(MIG_IDLE_RATE), "rate");
	assert_string_equal(mig_idle_end_name(MIG_IDLE_LIMIT), "limit");
}

/*
 * Noisy samples: states end in bursts (record expiry walks at most once
 * a second), 200 every 1000 ms, 200/s on average. A window longer than
 * the bursts' period never sees a rate of 0 in between; a shorter one
 * would (the reason for the default window of 1500 ms).
 */
static void test_idle_noisy(void **state)
{
	uint64_t left[100], at = 0, l = 100000;
	unsigned int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		if (i && !(i % 10))
			l -= 200;
		left[i] = l;
	}
	mig_idle_init(&idle, 100, MIG_IDLE_WINDOW_MS, 9000);
	assert_int_equal(idle_run(left, 100, &at), MIG_IDLE_LIMIT);
	assert_int_equal(at, 9000);
	mig_idle_init(&idle, 100, 500, 9000);
	assert_int_equal(idle_run(left, 100, &at), MIG_IDLE_RATE);
	assert_int_equal(at, 500);
	/* Jitter of +-30 around a steady fall of 50 per 100 ms (500/s). */
	for (i = 0, l = 100000; i < 100; i++, l -= 50)
		left[i] = l + (i % 3 == 0 ? 30 : i % 3 == 1 ? -30 : 0);
	mig_idle_init(&idle, 300, MIG_IDLE_WINDOW_MS, 9000);
	assert_int_equal(idle_run(left, 100, &at), MIG_IDLE_LIMIT);
	/* Then the fall stops: ended once a window has no more of it. */
	for (i = 50; i < 100; i++)
		left[i] = left[49] + (i % 2 ? 20 : -20);
	mig_idle_init(&idle, 300, MIG_IDLE_WINDOW_MS, 9000);
	assert_int_equal(idle_run(left, 100, &at), MIG_IDLE_RATE);
	assert_true(at > 4900 && at <= 4900 + MIG_IDLE_WINDOW_MS);
	/* Samples out of order in time count as at the latest time. */
	mig_idle_init(&idle, 1, 500, 9000);
	assert_int_equal(mig_idle_step(&idle, 1000, 10), MIG_IDLE_ON);
	assert_int_equal(mig_idle_step(&idle, 900, 9), MIG_IDLE_ON);
	assert_int_equal(mig_idle_step(&idle, 1500, 9), MIG_IDLE_RATE);
}

/* --- MIG_NTF, "migrate monitor", "migrate cancel" ------------------------ */

#define FAMILY	0x1f

/* A migration as MIG_NTF (@event) or, without one, MIG_GET carries it. */
static size_t put_mig(char *buf, uint8_t cmd, uint32_t id, int event,
		      uint8_t phase)
{
	struct nlmsghdr *nlh = genl_msg(buf, FAMILY, cmd, 0, 0);
	struct mig_pfx p;
	struct nlattr *nest;
	uint8_t via[4];

	nest = mnl_attr_nest_start(nlh, FLOWSTREAM_A_MIGRATION);
	mnl_attr_put_u32(nlh, FLOWSTREAM_MIG_A_ID, id);
	assert_int_equal(mig_pfx_parse("10.2.0.0/24", FLOWSTREAM_SMP_KEY_DST, &p), 0);
	mig_pfx_put(nlh, FLOWSTREAM_MIG_A_PREFIX, &p);
	assert_int_equal(mig_pfx_parse("fd02::/64", FLOWSTREAM_SMP_KEY_SRC, &p), 0);
	mig_pfx_put(nlh, FLOWSTREAM_MIG_A_PREFIX, &p);
	inet_pton(AF_INET, "10.4.0.2", via);
	mnl_attr_put(nlh, FLOWSTREAM_MIG_A_VIA4, 4, via);
	mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_CHAINED, 3);
	mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_EXPORTED, 120);
	mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_PACKETS, 4000);
	mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_BYTES, 600000);
	mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_BATCHES, 2);
	mnl_attr_put_u8(nlh, FLOWSTREAM_MIG_A_PHASE, phase);
	mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_IMPORTED, 0);
	if (cmd == FLOWSTREAM_CMD_MIG_GET) {
		mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_SESSIONS, 1);
		mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_RECORDS, 5);
	}
	if (event >= 0)
		mnl_attr_put_u8(nlh, FLOWSTREAM_MIG_A_EVENT, event);
	mnl_attr_nest_end(nlh, nest);
	return nlh->nlmsg_len;
}

/*
 * A datagram: migration 7 added; 8 added; a MIG_GET reply of 7 (not an
 * event); 7 in another family; 7 exported, then canceled.
 */
static size_t mig_datagram(char *buf)
{
	struct nlmsghdr *nlh;
	size_t len = 0;

	len += put_mig(buf + len, FLOWSTREAM_CMD_MIG_NTF, 7,
		       FLOWSTREAM_MIG_EV_ADDED, FLOWSTREAM_MIG_PHASE_NEW);
	len += put_mig(buf + len, FLOWSTREAM_CMD_MIG_NTF, 8,
		       FLOWSTREAM_MIG_EV_ADDED, FLOWSTREAM_MIG_PHASE_NEW);
	len += put_mig(buf + len, FLOWSTREAM_CMD_MIG_GET, 7, -1,
		       FLOWSTREAM_MIG_PHASE_COPY);
	nlh = (struct nlmsghdr *)(buf + len);
	len += put_mig(buf + len, FLOWSTREAM_CMD_MIG_NTF, 7,
		       FLOWSTREAM_MIG_EV_DELETED, FLOWSTREAM_MIG_PHASE_NEW);
	nlh->nlmsg_type = FAMILY + 1;
	len += put_mig(buf + len, FLOWSTREAM_CMD_MIG_NTF, 7,
		       FLOWSTREAM_MIG_EV_EXPORTED, FLOWSTREAM_MIG_PHASE_COPY);
	len += put_mig(buf + len, FLOWSTREAM_CMD_MIG_NTF, 7,
		       FLOWSTREAM_MIG_EV_PHASE, FLOWSTREAM_MIG_PHASE_CANCELED);
	return len;
}

static void mm_start(struct mig_monitor *mm, struct capture *c,
		     unsigned int flags, uint32_t id)
{
	memset(c, 0, sizeof(*c));
	c->fp = open_memstream(&c->buf, &c->len);
	assert_non_null(c->fp);
	c->o = out_new(c->fp, flags);
	assert_non_null(c->o);
	memset(mm, 0, sizeof(*mm));
	mm->o = c->o;
	mm->family = FAMILY;
	mm->id = id;
}

static const char *mm_end(struct capture *c)
{
	out_free(c->o);
	fclose(c->fp);
	return c->buf;
}

static void test_ntf_json(void **state)
{
	struct mig_monitor mm;
	struct capture c;
	char buf[8192];
	size_t len;

	(void)state;
	mm_start(&mm, &c, OUT_JSON | OUT_PRETTY, 7);	/* lines all the same */
	len = mig_datagram(buf);
	assert_int_equal(mnl_cb_run(buf, len, 0, 0, mig_monitor_msg, &mm),
			 MNL_CB_OK);
	/* Written through at once (a reader of a pipe sees every line). */
	fflush(c.fp);
	assert_non_null(strstr(c.buf, "\"event\":\"phase\""));
	assert_string_equal(mm_end(&c),
			    "{\"event\":\"added\",\"id\":7,\"phase\":\"new\",\"prefixes\":[\"dst 10.2.0.0/24\",\"src fd02::/64\"],\"via\":[\"10.4.0.2\"],\"chained\":3,\"exported\":120,\"packets\":4000,\"bytes\":600000,\"batches\":2,\"imported\":0}\n"
			    "{\"event\":\"exported\",\"id\":7,\"phase\":\"copy\",\"prefixes\":[\"dst 10.2.0.0/24\",\"src fd02::/64\"],\"via\":[\"10.4.0.2\"],\"chained\":3,\"exported\":120,\"packets\":4000,\"bytes\":600000,\"batches\":2,\"imported\":0}\n"
			    "{\"event\":\"phase\",\"id\":7,\"phase\":\"canceled\",\"prefixes\":[\"dst 10.2.0.0/24\",\"src fd02::/64\"],\"via\":[\"10.4.0.2\"],\"chained\":3,\"exported\":120,\"packets\":4000,\"bytes\":600000,\"batches\":2,\"imported\":0}\n");
	free(c.buf);
	assert_int_equal(mm.events, 3);
	assert_false(mm.done);
}

static void test_ntf_text(void **state)
{
	struct mig_monitor mm;
	struct capture c;
	char buf[8192];
	size_t len;

	(void)state;
	mm_start(&mm, &c, 0, 0);	/* every migration's */
	len = mig_datagram(buf);
	assert_int_equal(mnl_cb_run(buf, len, 0, 0, mig_monitor_msg, &mm),
			 MNL_CB_OK);
	assert_string_equal(mm_end(&c),
			    "added migration 7 phase new prefixes dst 10.2.0.0/24 src fd02::/64 via 10.4.0.2 chained 3 exported 120 packets 4000 bytes 600000 batches 2 imported 0\n"
			    "added migration 8 phase new prefixes dst 10.2.0.0/24 src fd02::/64 via 10.4.0.2 chained 3 exported 120 packets 4000 bytes 600000 batches 2 imported 0\n"
			    "exported migration 7 phase copy prefixes dst 10.2.0.0/24 src fd02::/64 via 10.4.0.2 chained 3 exported 120 packets 4000 bytes 600000 batches 2 imported 0\n"
			    "phase migration 7 phase canceled prefixes dst 10.2.0.0/24 src fd02::/64 via 10.4.0.2 chained 3 exported 120 packets 4000 bytes 600000 batches 2 imported 0\n");
	free(c.buf);
	assert_int_equal(mm.events, 4);
}

static void test_ntf_count(void **state)
{
	struct mig_monitor mm;
	struct capture c;
	char buf[8192];
	size_t len;

	(void)state;
	mm_start(&mm, &c, 0, 7);
	mm.count = 2;
	len = mig_datagram(buf);
	/* Stops in the middle of the datagram, at the second of 7's. */
	assert_int_equal(mnl_cb_run(buf, len, 0, 0, mig_monitor_msg, &mm),
			 MNL_CB_STOP);
	assert_true(mm.done);
	assert_int_equal(mm.events, 2);
	mm_end(&c);
	assert_non_null(strstr(c.buf, "exported migration 7 phase copy "));
	assert_null(strstr(c.buf, "canceled"));
	free(c.buf);
}

static void test_ntf_malformed(void **state)
{
	struct mig_monitor mm;
	struct capture c;
	char buf[8192], err[512];
	size_t len;

	(void)state;
	mm_start(&mm, &c, 0, 0);
	/* A MIG_NTF without EVENT, and one with an unknown event and phase. */
	len = put_mig(buf, FLOWSTREAM_CMD_MIG_NTF, 7, -1,
		      FLOWSTREAM_MIG_PHASE_NEW);
	len += put_mig(buf + len, FLOWSTREAM_CMD_MIG_NTF, 9, 42, 17);
	stderr_begin();
	assert_int_equal(mnl_cb_run(buf, len, 0, 0, mig_monitor_msg, &mm),
			 MNL_CB_OK);
	stderr_end(err, sizeof(err));
	assert_string_equal(err, "Warning: malformed migration event skipped\n");
	assert_string_equal(mm_end(&c),
			    "42 migration 9 phase 17 prefixes dst 10.2.0.0/24 src fd02::/64 via 10.4.0.2 chained 3 exported 120 packets 4000 bytes 600000 batches 2 imported 0\n");
	free(c.buf);
	assert_int_equal(mm.events, 1);
}

/* put_mig(7)'s migration as migrate show prints it, text and JSON. */
#define MIG7_TEXT							\
	"migration 7\n"							\
	"  prefixes dst 10.2.0.0/24 src fd02::/64\n"			\
	"  via 10.4.0.2\n"						\
	"  chained 3\n"							\
	"  exported 120\n"						\
	"  packets 4000\n"						\
	"  bytes 600000\n"						\
	"  batches 2\n"							\
	"  sessions left 1\n"						\
	"  records left 5\n"						\
	"  phase copy\n"						\
	"  imported 0\n"
#define MIG7_JSON							\
	"[{\"id\":7,\"prefixes\":[\"dst 10.2.0.0/24\",\"src fd02::/64\"]," \
	"\"via\":[\"10.4.0.2\"],\"chained\":3,\"exported\":120,"	\
	"\"packets\":4000,\"bytes\":600000,\"batches\":2,\"sessions\":1," \
	"\"records\":5,\"phase\":\"copy\",\"imported\":0"

/* MIG_GET's reply: show adds "phase" and "imported" after the others. */
static void test_show_phase(void **state)
{
	struct mig_info *m = malloc(sizeof(*m));
	struct capture c;
	char buf[4096];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	(void)state;
	assert_non_null(m);
	put_mig(buf, FLOWSTREAM_CMD_MIG_GET, 7, -1, FLOWSTREAM_MIG_PHASE_COPY);
	assert_int_equal(mig_info_parse(nlh, m), 0);
	assert_true(m->has_phase && m->has_imported && !m->has_event);
	cap_start(&c, 0);
	mig_info_print(c.o, m);
	assert_string_equal(cap_end(&c),
			    MIG7_TEXT);
	free(c.buf);
	cap_start(&c, OUT_JSON);
	assert_int_equal(out_root_array(c.o), 0);
	mig_info_print(c.o, m);
	assert_string_equal(cap_end(&c),
			    MIG7_JSON "}]\n");
	free(c.buf);
	free(m);
	assert_string_equal(mig_phase_name(FLOWSTREAM_MIG_PHASE_CANCELED),
			    "canceled");
	assert_null(mig_phase_name(__FLOWSTREAM_MIG_PHASE_MAX));
	assert_string_equal(mig_event_name(FLOWSTREAM_MIG_EV_IMPORTED),
			    "imported");
	assert_null(mig_event_name(__FLOWSTREAM_MIG_EV_MAX));
}

/* put_mig()'s migration nest, to add to its end. */
static struct nlattr *mig_nest(struct nlmsghdr *nlh)
{
	return (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) +
				 sizeof(struct genlmsghdr));
}

/* An owned migration's fields: after the others, in show and monitor. */
static void test_show_owned(void **state)
{
	struct mig_info *m = malloc(sizeof(*m));
	struct mig_monitor mm;
	struct capture c;
	char buf[4096];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *nest;
	size_t len;

	(void)state;
	assert_non_null(m);
	put_mig(buf, FLOWSTREAM_CMD_MIG_GET, 7, -1, FLOWSTREAM_MIG_PHASE_COPY);
	/* Reopen the nest (the first attribute): owned ones at its end. */
	nest = mig_nest(nlh);
	mnl_attr_put(nlh, FLOWSTREAM_MIG_A_OWNED, 0, NULL);
	mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_PENDING, 64);
	mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_TAKEN_BACK, 30);
	mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_TAKEBACK_FAILED, 2);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(mig_info_parse(nlh, m), 0);
	assert_true(m->has_owned && m->owned);
	cap_start(&c, 0);
	mig_info_print(c.o, m);
	assert_string_equal(cap_end(&c),
			    MIG7_TEXT
			    "  owned yes\n"
			    "  pending 64\n"
			    "  taken back 30\n"
			    "  takeback failed 2\n");
	free(c.buf);
	cap_start(&c, OUT_JSON);
	assert_int_equal(out_root_array(c.o), 0);
	mig_info_print(c.o, m);
	assert_string_equal(cap_end(&c),
			    MIG7_JSON ",\"owned\":true,\"pending\":64,\"taken_back\":30,\"takeback_failed\":2}]\n");
	free(c.buf);
	free(m);

	/* A DELETED event with the final counts; no OWNED: not owned. */
	len = put_mig(buf, FLOWSTREAM_CMD_MIG_NTF, 7, FLOWSTREAM_MIG_EV_DELETED,
		      FLOWSTREAM_MIG_PHASE_CANCELED);
	nest = mig_nest(nlh);
	mnl_attr_put_u64(nlh, FLOWSTREAM_MIG_A_TAKEN_BACK, 30);
	mnl_attr_nest_end(nlh, nest);
	len = nlh->nlmsg_len;
	mm_start(&mm, &c, 0, 0);
	assert_int_equal(mnl_cb_run(buf, len, 0, 0, mig_monitor_msg, &mm),
			 MNL_CB_OK);
	assert_string_equal(mm_end(&c),
			    "deleted migration 7 phase canceled prefixes dst 10.2.0.0/24 src fd02::/64 via 10.4.0.2 chained 3 exported 120 packets 4000 bytes 600000 batches 2 imported 0 owned no pending 0 taken_back 30 takeback_failed 0\n");
	free(c.buf);
}

static void test_monitor_cancel_args(void **state)
{
	struct mig_monitor mm;
	char *a1[] = { "7", "count", "3" };
	char *a2[] = { "count", "1" };
	char *a3[] = { "count", "0" };
	char *a4[] = { "7", "8" };
	char *a5[] = { "count" };
	char *a6[] = { "seven" };
	char *a7[] = { "count", "1", "count", "2" };
	char *c1[] = { "cancel", "12" };
	char *c2[] = { "cancel" };
	char *c3[] = { "cancel", "0" };
	char *c4[] = { "cancel", "1", "2" };
	char err[2048];
	uint32_t id = 0;

	(void)state;
	assert_int_equal(mig_monitor_args(3, a1, &mm), 0);
	assert_int_equal(mm.id, 7);
	assert_int_equal(mm.count, 3);
	assert_int_equal(mig_monitor_args(2, a2, &mm), 0);
	assert_int_equal(mm.id, 0);
	assert_int_equal(mm.count, 1);
	assert_int_equal(mig_monitor_args(0, NULL, &mm), 0);
	assert_int_equal(mm.id, 0);
	assert_int_equal(mm.count, 0);
	assert_int_equal(mig_cancel_args(2, c1, &id), 0);
	assert_int_equal(id, 12);
	stderr_begin();
	assert_int_equal(mig_monitor_args(2, a3, &mm), EXIT_USAGE);
	assert_int_equal(mig_monitor_args(2, a4, &mm), EXIT_USAGE);
	assert_int_equal(mig_monitor_args(1, a5, &mm), EXIT_USAGE);
	assert_int_equal(mig_monitor_args(1, a6, &mm), EXIT_USAGE);
	assert_int_equal(mig_monitor_args(4, a7, &mm), EXIT_USAGE);
	assert_int_equal(mig_cancel_args(1, c2, &id), EXIT_USAGE);
	assert_int_equal(mig_cancel_args(2, c3, &id), EXIT_USAGE);
	assert_int_equal(mig_cancel_args(3, c4, &id), EXIT_USAGE);
	stderr_end(err, sizeof(err));
	assert_string_equal(err,
			    "Error: count \"0\" is not a number from 1\n"
			    "Try \"flowctl migrate help\".\n"
			    "Error: unexpected argument \"8\"\n"
			    "Try \"flowctl migrate help\".\n"
			    "Error: missing value for \"count\"\n"
			    "Try \"flowctl migrate help\".\n"
			    "Error: \"seven\" is not a migration id\n"
			    "Try \"flowctl migrate help\".\n"
			    "Error: duplicate \"count\"\n"
			    "Try \"flowctl migrate help\".\n"
			    "Error: cancel needs one migration ID\n"
			    "Try \"flowctl migrate help\".\n"
			    "Error: \"0\" is not a migration id\n"
			    "Try \"flowctl migrate help\".\n"
			    "Error: cancel needs one migration ID\n"
			    "Try \"flowctl migrate help\".\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_bad_frames),
		cmocka_unit_test(test_batch_sums),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_pfx_match),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_write_closed),
		cmocka_unit_test(test_read_timeout),
		cmocka_unit_test(test_fos_flows),
		cmocka_unit_test(test_idle_rate_falls),
		cmocka_unit_test(test_idle_rate_never),
		cmocka_unit_test(test_idle_empty),
		cmocka_unit_test(test_idle_noisy),
		cmocka_unit_test(test_ntf_json),
		cmocka_unit_test(test_ntf_text),
		cmocka_unit_test(test_ntf_count),
		cmocka_unit_test(test_ntf_malformed),
		cmocka_unit_test(test_show_phase),
		cmocka_unit_test(test_show_owned),
		cmocka_unit_test(test_monitor_cancel_args),
	};

	return cmocka_run_group_tests_name("mig", tests, NULL, NULL);
}
