// SPDX-License-Identifier: GPL-2.0
/*
 * The authenticated migration stream (--key-file, version 5): the MAC of
 * every frame and the handshake.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "migs_test.h"

static struct migs_out out;
static struct migs_in in;

static const char key1[] = "0123456789abcdef-one";
static const char key2[] = "0123456789abcdef-two";
static const uint8_t na[MIGS_NONCE_LEN] = { 1, 2, 3 };
static const uint8_t nb[MIGS_NONCE_LEN] = { 4, 5, 6 };
static const uint8_t nc[MIGS_NONCE_LEN] = { 7, 8, 9 };

/* Both ends of a connection: A's and B's view of its key. */
static void pair(struct migs_auth *a, struct migs_auth *b, const char *ka,
		 const char *kb, const uint8_t *nonce_b)
{
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->dir_out = 'A';
	b->dir_out = 'B';
	assert_int_equal(migs_auth_derive(a, ka, strlen(ka), na, nb), 0);
	assert_int_equal(migs_auth_derive(b, kb, strlen(kb), na, nonce_b), 0);
}

/* The frame begun in out, written with @a: its bytes in @buf. */
static size_t frame_bytes(struct migs_auth *a, unsigned char *buf,
			  size_t size)
{
	int fds[2];
	ssize_t n;

	assert_int_equal(pipe(fds), 0);
	assert_int_equal(migs_write(fds[1], &out, a), 0);
	close(fds[1]);
	n = read(fds[0], buf, size);
	close(fds[0]);
	assert_true(n > 0);
	return n;
}

/* A BATCH frame numbered @seq, written with @a: its bytes in @buf. */
static size_t frame(struct migs_auth *a, uint32_t seq, unsigned char *buf,
		    size_t size)
{
	migs_begin(&out, MIGS_BATCH);
	mnl_attr_put_u32(out.nlh, MIGS_A_SEQ, seq);
	return frame_bytes(a, buf, size);
}

/* Read the bytes as a frame with @b. */
static int take(struct migs_auth *b, const void *p, size_t len)
{
	return migs_read_bytes(&in, b, p, len);
}

/* A connection under key1 and A's first two frames on it. */
struct conn {
	struct migs_auth a, b;
	unsigned char f[2][64];
	size_t n[2];
};

static void conn_open(struct conn *c)
{
	unsigned int i;

	pair(&c->a, &c->b, key1, key1, nb);
	for (i = 0; i < 2; i++)
		c->n[i] = frame(&c->a, i + 1, c->f[i], sizeof(c->f[i]));
}

/* B reads A's frame @seq (1 or 2). */
static int take_nth(struct conn *c, unsigned int seq)
{
	return take(&c->b, c->f[seq - 1], c->n[seq - 1]);
}

static uint32_t seq_of(void)
{
	const struct nlattr *tb[__MIGS_A_MAX];

	assert_int_equal(migs_parse(&in, tb), 0);
	assert_non_null(tb[MIGS_A_SEQ]);
	return mnl_attr_get_u32(tb[MIGS_A_SEQ]);
}

static void test_mac_roundtrip(void **state)
{
	struct conn c;

	(void)state;
	conn_open(&c);
	/* Header, SEQ (8 bytes), the MAC; the length counts the MAC. */
	assert_int_equal(c.n[0], MIGS_HDR_LEN + 8 + MIGS_MAC_LEN);
	assert_int_equal(c.f[0][3], c.n[0]);
	assert_int_equal(take_nth(&c, 1), 0);
	assert_int_equal(in.len, 8);
	assert_int_equal(seq_of(), 1);
	assert_int_equal(take_nth(&c, 2), 0);
	assert_int_equal(seq_of(), 2);
	assert_int_equal(c.a.seq_out, 2);
	assert_int_equal(c.b.seq_in, 2);
	/* The same frame twice in a row has another MAC: its number. */
	assert_memory_not_equal(c.f[0] + c.n[0] - MIGS_MAC_LEN,
				c.f[1] + c.n[1] - MIGS_MAC_LEN, MIGS_MAC_LEN);
}

/* Any byte changed, header, attributes or MAC: refused. */
static void test_mac_tampered(void **state)
{
	struct migs_auth b0;
	unsigned char g[64];
	struct conn c;
	size_t i;

	(void)state;
	conn_open(&c);
	b0 = c.b;
	for (i = 4; i < c.n[0]; i++) {
		if (i == 4 || i == 6 || i == 7)	/* not a header: -EBADMSG */
			continue;
		memcpy(g, c.f[0], c.n[0]);
		g[i] ^= 0x01;
		c.b = b0;
		assert_int_equal(take(&c.b, g, c.n[0]), -EKEYREJECTED);
		assert_int_equal(c.b.seq_in, 0);
	}
	c.b = b0;
	assert_int_equal(take_nth(&c, 1), 0);
}

/* A frame again, or out of order: refused. */
static void test_mac_replay(void **state)
{
	struct conn c;

	(void)state;
	conn_open(&c);
	assert_int_equal(take_nth(&c, 2), -EKEYREJECTED);	/* reordered */
	assert_int_equal(take_nth(&c, 1), 0);
	assert_int_equal(take_nth(&c, 1), -EKEYREJECTED);	/* replayed */
	assert_int_equal(take_nth(&c, 2), 0);
}

/*
 * Another key, another connection's nonces, a frame of B's own sent
 * back to it, a frame without a MAC: refused.
 */
static void test_mac_wrong(void **state)
{
	unsigned char f[64], g[64];
	struct migs_auth a, b;
	size_t n;

	(void)state;
	pair(&a, &b, key1, key2, nb);
	n = frame(&a, 1, f, sizeof(f));
	assert_int_equal(take(&b, f, n), -EKEYREJECTED);

	pair(&a, &b, key1, key1, nc);
	n = frame(&a, 1, f, sizeof(f));
	assert_int_equal(take(&b, f, n), -EKEYREJECTED);

	pair(&a, &b, key1, key1, nb);
	n = frame(&b, 1, f, sizeof(f));		/* B to A */
	b.seq_in = 0;
	assert_int_equal(take(&b, f, n), -EKEYREJECTED);
	assert_int_equal(take(&a, f, n), 0);

	n = frame(NULL, 1, f, sizeof(f));	/* no MAC: 16 bytes */
	assert_int_equal(take(&b, f, n), -EKEYREJECTED);
	migs_begin(&out, MIGS_BATCH);		/* no MAC, longer than one */
	mnl_attr_put(out.nlh, MIGS_A_BATCH, 40, f);
	n = frame_bytes(NULL, g, sizeof(g));
	assert_int_equal(take(&b, g, n), -EKEYREJECTED);
	assert_string_equal(migs_strerror(-EKEYREJECTED),
			    "a frame's MAC does not verify (altered, replayed, reordered, or of another key or connection)");
}

/* A stream that ends inside a frame or its MAC: refused. */
static void test_mac_truncated(void **state)
{
	struct migs_auth b0;
	struct conn c;
	size_t cut;

	(void)state;
	conn_open(&c);
	b0 = c.b;
	for (cut = 1; cut < c.n[0]; cut++) {
		c.b = b0;
		assert_int_equal(take(&c.b, c.f[0], cut), -ECONNRESET);
	}
	/* A length that leaves the MAC out: the MAC read is of no frame. */
	c.f[0][3] = MIGS_HDR_LEN + 8;
	c.b = b0;
	assert_int_equal(take_nth(&c, 1), -EKEYREJECTED);
}

/* B's refusal of @err, unauthenticated, as the receiver answers it. */
static int put_refusal(int fd, int err, const char *why)
{
	migs_begin(&out, MIGS_ACK);
	mnl_attr_put_u32(out.nlh, MIGS_A_SEQ, 0);
	mnl_attr_put_u32(out.nlh, MIGS_A_ERRNO, err);
	mnl_attr_put_strz(out.nlh, MIGS_A_MSG, why);
	return migs_write(fd, &out, NULL);
}

/* A's HELLO of stream @version, written with @a (NULL: without a MAC). */
static void put_hello(int fd, uint32_t version, struct migs_auth *a)
{
	migs_begin(&out, MIGS_HELLO);
	mnl_attr_put_u32(out.nlh, MIGS_A_VERSION, version);
	assert_int_equal(migs_write(fd, &out, a), 0);
}

/*
 * The handshake over a socket pair: B (a child) with @kb, A with @ka;
 * B then reads one frame of A's and exits with what it got, 100 + the
 * errno of a refusal, or 0. A's result is returned, B's in @*b_ret.
 */
static int handshake(const char *ka, const char *kb, bool a_plain,
		     int *b_ret, char *msg, size_t len)
{
	struct migs_auth a, b;
	int sv[2], status, ret;
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		char m[256];

		close(sv[0]);
		migs_timeout(sv[1], 5);
		ret = migs_auth_recv(sv[1], &b, kb, strlen(kb), &out, &in, m,
				     sizeof(m));
		if (ret) {
			/* The refusal A reads. */
			put_refusal(sv[1], ret, m);
			_exit(100 + ret);
		}
		ret = migs_read(sv[1], &in, &b);
		if (ret == -EKEYREJECTED)
			_exit(50);
		if (ret || in.type != MIGS_HELLO)
			_exit(51);
		_exit(0);
	}
	close(sv[1]);
	migs_timeout(sv[0], 5);
	msg[0] = '\0';
	if (a_plain) {
		put_hello(sv[0], MIGS_VERSION, NULL);
		ret = migs_read(sv[0], &in, NULL);
	} else {
		ret = migs_auth_send(sv[0], &a, ka, strlen(ka), &out, &in, msg,
				     len);
		if (!ret)
			put_hello(sv[0], MIGS_VERSION_AUTH, &a);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	*b_ret = WEXITSTATUS(status);
	close(sv[0]);
	return ret;
}

static void test_handshake(void **state)
{
	char msg[256];
	int b;

	(void)state;
	/* The same key: both proven, HELLO verifies. */
	assert_int_equal(handshake(key1, key1, false, &b, msg, sizeof(msg)), 0);
	assert_int_equal(b, 0);

	/* Other keys: A finds B's proof wrong, B finds A's notice wrong. */
	assert_int_equal(handshake(key1, key2, false, &b, msg, sizeof(msg)),
			 EACCES);
	assert_string_equal(msg, "B could not prove the key: its key differs from this one's");
	assert_int_equal(b, 50);

	/* A without a key: B refuses before reading its HELLO further. */
	assert_int_equal(handshake(NULL, key1, true, &b, msg, sizeof(msg)), 0);
	assert_int_equal(b, 100 + EACCES);
	assert_int_equal(in.type, MIGS_ACK);
}

/* A with a key, B refusing (no key, an older flowctl): B's words. */
static void test_handshake_refused(void **state)
{
	struct migs_auth a;
	char msg[256];
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* B's refusal is queued before A asks. */
	assert_int_equal(put_refusal(sv[1], EPROTO,
				     "the stream does not start with a hello"),
			 0);
	assert_int_equal(migs_auth_send(sv[0], &a, key1, strlen(key1), &out,
					&in, msg, sizeof(msg)), EPROTO);
	assert_string_equal(msg, "B refused the authentication: the stream does not start with a hello");
	close(sv[1]);
	/* B gone: said so. */
	assert_int_equal(migs_auth_send(sv[0], &a, key1, strlen(key1), &out,
					&in, msg, sizeof(msg)), EPIPE);
	close(sv[0]);
	migs_auth_clear(&a);
	assert_int_equal(a.seq_out, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_roundtrip),
		cmocka_unit_test(test_mac_tampered),
		cmocka_unit_test(test_mac_replay),
		cmocka_unit_test(test_mac_wrong),
		cmocka_unit_test(test_mac_truncated),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_handshake_refused),
	};

	return cmocka_run_group_tests_name("migauth", tests, NULL, NULL);
}
