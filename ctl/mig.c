// SPDX-License-Identifier: GPL-2.0
/*
 * The migration stream: frames of netlink attributes over TCP.
 *
 * A frame is an 8-byte header, then its payload: netlink attributes
 * (struct nlattr, 4-byte aligned, little-endian lengths and types, as on
 * the hosts flowstream runs on).
 *
 *	u32 length	whole frame, header included, network order;
 *			8 .. MIGS_FRAME_MAX
 *	u16 type	enum migs_frame, network order
 *	u16 reserved	zero
 *
 * With --key-file (stream version 5) every frame after the handshake
 * carries a 32-byte HMAC-SHA256 after its attributes, inside its length.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/flowstream.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "mig.h"
#include "parse.h"

void migs_begin(struct migs_out *f, uint16_t type)
{
	memset(f->buf, 0, MNL_NLMSG_HDRLEN + MIGS_HDR_LEN);
	f->nlh = mnl_nlmsg_put_header(f->buf);
	f->type = type;
}

/* The frame: header in front of the attributes; *@len its length. */
void *migs_frame(struct migs_out *f, size_t *len)
{
	uint32_t plen = f->nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
	char *hdr = (char *)mnl_nlmsg_get_payload(f->nlh) - MIGS_HDR_LEN;
	uint32_t flen = htonl(plen + MIGS_HDR_LEN);
	uint16_t type = htons(f->type), zero = 0;

	/* The header overwrites the end of struct nlmsghdr, unused here. */
	memcpy(hdr, &flen, 4);
	memcpy(hdr + 4, &type, 2);
	memcpy(hdr + 6, &zero, 2);
	*len = plen + MIGS_HDR_LEN;
	return hdr;
}

volatile sig_atomic_t migs_cancel;

/* A failed read or write's errno as the stream reports it. */
static int io_err(int err)
{
	if (err == EAGAIN || err == EWOULDBLOCK)
		return -ETIMEDOUT;	/* SO_SNDTIMEO, SO_RCVTIMEO */
	return -err;
}

/* All of @p; a peer that went away is -EPIPE, never SIGPIPE. */
static int write_all(int fd, const char *p, size_t len)
{
	bool sock = true;
	ssize_t n;

	while (len) {
		n = sock ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
		if (n < 0 && errno == ENOTSOCK && sock) {
			sock = false;	/* a pipe, in the tests */
			continue;
		}
		if (n < 0 && errno == EINTR) {
			if (migs_cancel)
				return -ECANCELED;
			continue;
		}
		if (n <= 0)
			return n < 0 ? io_err(errno) : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static int read_all(int fd, char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR) {
			if (migs_cancel)
				return -ECANCELED;
			continue;
		}
		if (n <= 0)
			return n < 0 ? io_err(errno) : -ECONNRESET;
		p += n;
		len -= n;
	}
	return 0;
}

/* Send and receive timeouts of @fd, @secs seconds (0: none). */
int migs_timeout(int fd, unsigned int secs)
{
	struct timeval tv = { .tv_sec = secs };

	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/* One piece of what a MAC covers. */
struct mac_piece {
	const void *p;
	size_t len;
};

/* HMAC-SHA256 of the pieces under @key; 0 or -EIO. */
static int hmac(const void *key, size_t keylen, const struct mac_piece *v,
		unsigned int n, uint8_t out[MIGS_MAC_LEN])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	size_t outlen = 0;
	unsigned int i;
	int ok;

	ok = ctx && EVP_MAC_init(ctx, key, keylen, params);
	for (i = 0; ok && i < n; i++)
		ok = EVP_MAC_update(ctx, v[i].p, v[i].len);
	ok = ok && EVP_MAC_final(ctx, out, &outlen, MIGS_MAC_LEN) &&
	     outlen == MIGS_MAC_LEN;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? 0 : -EIO;
}

/*
 * The MAC of a frame: its direction ('A': A to B, 'B': B to A), its
 * number in that direction (from 0, 64-bit network order), then the
 * frame itself, header (its length counting the MAC) and attributes.
 */
static int frame_mac(const struct migs_auth *a, char dir, uint64_t seq,
		     uint16_t type, const void *payload, uint32_t plen,
		     uint8_t out[MIGS_MAC_LEN])
{
	unsigned char pre[9], hdr[MIGS_HDR_LEN];
	uint32_t flen = MIGS_HDR_LEN + plen + MIGS_MAC_LEN;
	struct mac_piece v[] = {
		{ pre, sizeof(pre) },
		{ hdr, sizeof(hdr) },
		{ payload, plen },
	};
	int i;

	pre[0] = dir;
	for (i = 0; i < 8; i++)
		pre[1 + i] = seq >> (56 - 8 * i);
	hdr[0] = flen >> 24;
	hdr[1] = flen >> 16;
	hdr[2] = flen >> 8;
	hdr[3] = flen;
	hdr[4] = type >> 8;
	hdr[5] = type;
	hdr[6] = 0;
	hdr[7] = 0;
	return hmac(a->key, sizeof(a->key), v, 3, out);
}

/* Write a frame; with @auth, its MAC after it. */
int migs_write(int fd, struct migs_out *f, struct migs_auth *auth)
{
	size_t len;
	char *p = migs_frame(f, &len);
	uint32_t flen;
	int ret;

	if (auth) {
		if (p + len + MIGS_MAC_LEN > f->buf + sizeof(f->buf))
			return -EMSGSIZE;
		ret = frame_mac(auth, auth->dir_out, auth->seq_out, f->type,
				p + MIGS_HDR_LEN, len - MIGS_HDR_LEN,
				(uint8_t *)p + len);
		if (ret)
			return ret;
		auth->seq_out++;
		len += MIGS_MAC_LEN;
		flen = htonl(len);
		memcpy(p, &flen, 4);
	}
	return write_all(fd, p, len);
}

/*
 * Check the MAC at the end of @f (its length counts it), the next frame
 * from the peer; drop it from @f. -EKEYREJECTED if it does not verify.
 */
static int frame_check(struct migs_auth *a, struct migs_in *f)
{
	uint8_t mac[MIGS_MAC_LEN];
	int ret;

	if (f->len < MIGS_MAC_LEN)
		return -EBADMSG;
	f->len -= MIGS_MAC_LEN;
	ret = frame_mac(a, a->dir_out == 'A' ? 'B' : 'A', a->seq_in, f->type,
			f->buf, f->len, mac);
	if (ret)
		return ret;
	if (CRYPTO_memcmp(mac, f->buf + f->len, MIGS_MAC_LEN))
		return -EKEYREJECTED;
	a->seq_in++;
	return 0;
}

/*
 * Read one frame; -EBADMSG if its header is not one; with @auth,
 * -EKEYREJECTED if its MAC does not verify (it is then dropped).
 */
int migs_read(int fd, struct migs_in *f, struct migs_auth *auth)
{
	unsigned char hdr[MIGS_HDR_LEN];
	uint32_t len;
	int ret;

	ret = read_all(fd, (char *)hdr, sizeof(hdr));
	if (ret)
		return ret;
	len = (uint32_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
	f->type = hdr[4] << 8 | hdr[5];
	if (len < MIGS_HDR_LEN || len > MIGS_FRAME_MAX || hdr[6] || hdr[7] ||
	    f->type < MIGS_HELLO || f->type > MIGS_AUTH)
		return -EBADMSG;
	f->len = len - MIGS_HDR_LEN;
	if (auth && f->len < MIGS_MAC_LEN)
		return -EKEYREJECTED;
	ret = read_all(fd, f->buf, f->len);
	if (ret || !auth)
		return ret;
	return frame_check(auth, f);
}

/* A stream error (-errno) in words. */
const char *migs_strerror(int err)
{
	if (err < 0)
		err = -err;
	if (err == EKEYREJECTED)
		return "a frame's MAC does not verify (altered, replayed, reordered, or of another key or connection)";
	if (err == EBADMSG)
		return "a malformed frame";
	return strerror(err);
}

static int migs_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);
	static const enum mnl_attr_data_type types[__MIGS_A_MAX] = {
		[MIGS_A_VERSION] = MNL_TYPE_U32,
		[MIGS_A_PREFIX] = MNL_TYPE_NESTED,
		[MIGS_A_IFACE] = MNL_TYPE_NESTED,
		[MIGS_A_SEQ] = MNL_TYPE_U32,
		[MIGS_A_BATCH] = MNL_TYPE_NESTED,
		[MIGS_A_ERRNO] = MNL_TYPE_U32,
		[MIGS_A_MSG] = MNL_TYPE_NUL_STRING,
		[MIGS_A_RECORDS] = MNL_TYPE_U64,
		[MIGS_A_PACKETS] = MNL_TYPE_U64,
		[MIGS_A_BYTES] = MNL_TYPE_U64,
		[MIGS_A_FOS_FLOWS] = MNL_TYPE_U32,
		[MIGS_A_FOS_FLOW] = MNL_TYPE_NESTED,
		[MIGS_A_NONCE] = MNL_TYPE_BINARY,
		[MIGS_A_IDLE_MAX] = MNL_TYPE_U32,
	};

	if (type == MIGS_A_UNSPEC || type >= __MIGS_A_MAX ||
	    mnl_attr_validate(attr, types[type]) < 0)
		return MNL_CB_ERROR;
	/* PREFIX, IFACE and FOS_FLOW repeat: the caller walks them. */
	tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * The attributes of a frame, the last of each type in @tb[__MIGS_A_MAX];
 * -EBADMSG if an attribute is unknown, malformed, or runs past the frame.
 */
int migs_parse(const struct migs_in *f, const struct nlattr **tb)
{
	const struct nlattr *attr;
	size_t used = 0;

	memset(tb, 0, sizeof(*tb) * __MIGS_A_MAX);
	mnl_attr_for_each_payload((const struct nlattr *)(const void *)f->buf,
				  f->len) {
		if (migs_attr_cb(attr, tb) != MNL_CB_OK)
			return -EBADMSG;
		used = (const char *)mnl_attr_next(attr) - f->buf;
	}
	/* Attributes end where the frame ends: no bytes left over. */
	return used == f->len ? 0 : -EBADMSG;
}

static int sums_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == FLOWSTREAM_REC_A_PACKETS || type == FLOWSTREAM_REC_A_BYTES) {
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		tb[type] = attr;
	}
	return MNL_CB_OK;
}

/* Count the records of a batch nest and add up their counters. */
int mig_batch_sums(const struct nlattr *batch, struct mig_sums *s)
{
	const struct nlattr *rec, *tb[__FLOWSTREAM_REC_A_MAX];

	memset(s, 0, sizeof(*s));
	mnl_attr_for_each_nested(rec, batch) {
		if (mnl_attr_get_type(rec) != FLOWSTREAM_BATCH_A_RECORD ||
		    mnl_attr_validate(rec, MNL_TYPE_NESTED) < 0)
			return -EBADMSG;
		memset(tb, 0, sizeof(tb));
		if (mnl_attr_parse_nested(rec, sums_cb, tb) < 0)
			return -EBADMSG;
		s->records++;
		if (tb[FLOWSTREAM_REC_A_PACKETS])
			s->packets += mnl_attr_get_u64(tb[FLOWSTREAM_REC_A_PACKETS]);
		if (tb[FLOWSTREAM_REC_A_BYTES])
			s->bytes += mnl_attr_get_u64(tb[FLOWSTREAM_REC_A_BYTES]);
	}
	return 0;
}

/* "ADDR/LEN" with no host bits set; -EINVAL otherwise. */
int mig_pfx_parse(const char *arg, uint8_t key, struct mig_pfx *p)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(arg, '/');
	uint64_t len;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	if (!slash || (size_t)(slash - arg) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, arg, slash - arg);
	addr[slash - arg] = '\0';
	if (parse_addr(addr, &p->family, p->addr) < 0)
		return -EINVAL;
	if (parse_uint(slash + 1, p->family == AF_INET ? 32 : 128, &len))
		return -EINVAL;
	p->len = len;
	p->key = key;
	for (i = p->len; i < 128; i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	return 0;
}

void mig_pfx_put(struct nlmsghdr *nlh, uint16_t type, const struct mig_pfx *p)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u8(nlh, FLOWSTREAM_MPFX_A_FAMILY, p->family);
	mnl_attr_put(nlh, FLOWSTREAM_MPFX_A_ADDR, p->family == AF_INET ? 4 : 16,
		     p->addr);
	mnl_attr_put_u8(nlh, FLOWSTREAM_MPFX_A_LEN, p->len);
	mnl_attr_put_u8(nlh, FLOWSTREAM_MPFX_A_KEY, p->key);
	mnl_attr_nest_end(nlh, nest);
}

static int pfx_cb(const struct nlattr *attr, void *data)
{
	struct mig_pfx *p = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case FLOWSTREAM_MPFX_A_FAMILY:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		p->family = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_MPFX_A_ADDR:
		if (len != 4 && len != 16)
			return MNL_CB_ERROR;
		memcpy(p->addr, mnl_attr_get_payload(attr), len);
		break;
	case FLOWSTREAM_MPFX_A_LEN:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		p->len = mnl_attr_get_u8(attr);
		break;
	case FLOWSTREAM_MPFX_A_KEY:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		p->key = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

int mig_pfx_get(const struct nlattr *nest, struct mig_pfx *p)
{
	memset(p, 0, sizeof(*p));
	if (mnl_attr_parse_nested(nest, pfx_cb, p) < 0 ||
	    (p->family != AF_INET && p->family != AF_INET6) ||
	    p->len > (p->family == AF_INET ? 32 : 128))
		return -EBADMSG;
	return 0;
}

/* "HOST:PORT" or "[HOST]:PORT" into @host and @port. */
int mig_hostport(const char *arg, char *host, size_t hlen, char *port,
		 size_t plen)
{
	const char *colon, *h = arg;
	size_t n;

	if (*arg == '[') {
		colon = strstr(arg, "]:");
		if (!colon)
			return -EINVAL;
		h = arg + 1;
		n = colon - h;
		colon++;
	} else {
		colon = strrchr(arg, ':');
		if (!colon || strchr(arg, ':') != colon)
			return -EINVAL;
		n = colon - arg;
	}
	if (!n || n >= hlen || !colon[1] || strlen(colon + 1) >= plen)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

/* "ADDR" or "ADDR/LEN" (no host bits): a peer --allow admits. */
int mig_allow_parse(const char *arg, struct mig_pfx *p)
{
	if (strchr(arg, '/'))
		return mig_pfx_parse(arg, FLOWSTREAM_SMP_KEY_SRC, p);
	memset(p, 0, sizeof(*p));
	if (parse_addr(arg, &p->family, p->addr) < 0)
		return -EINVAL;
	p->len = p->family == AF_INET ? 32 : 128;
	p->key = FLOWSTREAM_SMP_KEY_SRC;
	return 0;
}

/* Is @addr (of @family) in one of the @n prefixes? */
bool mig_pfx_match(const struct mig_pfx *pfx, unsigned int n, uint8_t family,
		   const uint8_t *addr)
{
	unsigned int i, bytes, bits;

	for (i = 0; i < n; i++) {
		if (pfx[i].family != family)
			continue;
		bytes = pfx[i].len / 8;
		bits = pfx[i].len % 8;
		if (memcmp(addr, pfx[i].addr, bytes))
			continue;
		if (!bits ||
		    !((addr[bytes] ^ pfx[i].addr[bytes]) & (0xff00 >> bits)))
			return true;
	}
	return false;
}

/*
 * Is the peer @sa in one of the @n prefixes of --allow? An IPv4 peer of an
 * IPv6 socket (::ffff:a.b.c.d) is matched as IPv4.
 */
bool mig_peer_allowed(const struct mig_pfx *allow, unsigned int n,
		      const struct sockaddr *sa)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	const struct sockaddr_in6 *s6 = (const void *)sa;
	const struct sockaddr_in *s4 = (const void *)sa;

	if (sa->sa_family == AF_INET)
		return mig_pfx_match(allow, n, AF_INET,
				     (const uint8_t *)&s4->sin_addr);
	if (sa->sa_family != AF_INET6)
		return false;
	if (!memcmp(s6->sin6_addr.s6_addr, mapped, sizeof(mapped)))
		return mig_pfx_match(allow, n, AF_INET,
				     s6->sin6_addr.s6_addr + 12);
	return mig_pfx_match(allow, n, AF_INET6, s6->sin6_addr.s6_addr);
}

/* "SECONDS" of --timeout: 0 (none) to a day. */
int mig_timeout_parse(const char *arg, unsigned int *secs)
{
	uint64_t v;

	if (parse_uint(arg, 86400, &v) != PARSE_OK)
		return -EINVAL;
	*secs = v;
	return 0;
}

/* --- authentication (--key-file, stream version 5) ----------------------- */

/* A fixed label, not the stream's version (AUTH carries that). */
static const char auth_label[] = "flowstream migration v3";

/*
 * This connection's key: HMAC-SHA256 under the shared key of the label,
 * A's nonce and B's nonce. Both frame counts start at 0.
 */
int migs_auth_derive(struct migs_auth *a, const char *key, size_t keylen,
		     const uint8_t *nonce_a, const uint8_t *nonce_b)
{
	struct mac_piece v[] = {
		{ auth_label, sizeof(auth_label) - 1 },
		{ nonce_a, MIGS_NONCE_LEN },
		{ nonce_b, MIGS_NONCE_LEN },
	};

	a->seq_in = 0;
	a->seq_out = 0;
	return hmac(key, keylen, v, 3, a->key);
}

void migs_auth_clear(struct migs_auth *a)
{
	OPENSSL_cleanse(a, sizeof(*a));
}

/* The nonce of an AUTH frame read (its MAC, if any, dropped already). */
static int auth_nonce(const struct migs_in *in, const struct nlattr **tb,
		      uint8_t *nonce)
{
	if (migs_parse(in, tb) || !tb[MIGS_A_NONCE] ||
	    mnl_attr_get_payload_len(tb[MIGS_A_NONCE]) != MIGS_NONCE_LEN)
		return -EBADMSG;
	memcpy(nonce, mnl_attr_get_payload(tb[MIGS_A_NONCE]), MIGS_NONCE_LEN);
	return 0;
}

/* Either side's start: @a cleared, its frames out of direction @dir. */
static void auth_begin(struct migs_auth *a, char dir)
{
	memset(a, 0, sizeof(*a));
	a->dir_out = dir;
}

/*
 * A's side: send A's nonce, take B's with B's proof (B's answer is the
 * first frame B to A, under the key of this connection), then A proves
 * the key with its own first frame, HELLO. On a B that cannot prove the
 * key, tell it (unauthenticated: B finds no MAC that verifies) and give up.
 */
int migs_auth_send(int fd, struct migs_auth *a, const char *key,
		   size_t keylen, struct migs_out *out, struct migs_in *in,
		   char *msg, size_t len)
{
	const struct nlattr *tb[__MIGS_A_MAX];
	uint8_t na[MIGS_NONCE_LEN], nb[MIGS_NONCE_LEN];
	int ret;

	auth_begin(a, 'A');
	if (RAND_bytes(na, sizeof(na)) != 1) {
		snprintf(msg, len, "no random bytes for a nonce");
		return EIO;
	}
	migs_begin(out, MIGS_AUTH);
	mnl_attr_put_u32(out->nlh, MIGS_A_VERSION, MIGS_VERSION_AUTH);
	mnl_attr_put(out->nlh, MIGS_A_NONCE, sizeof(na), na);
	ret = migs_write(fd, out, NULL);
	if (!ret)
		ret = migs_read(fd, in, NULL);
	if (ret) {
		snprintf(msg, len, "B did not answer the authentication: %s",
			 migs_strerror(ret));
		return -ret;
	}
	if (in->type == MIGS_ACK) {
		/* A refusal: B has no key, or is an older flowctl. */
		if (migs_parse(in, tb) || !tb[MIGS_A_ERRNO]) {
			snprintf(msg, len, "B refused the authentication");
			return EPROTO;
		}
		snprintf(msg, len, "B refused the authentication: %s",
			 tb[MIGS_A_MSG] ? mnl_attr_get_str(tb[MIGS_A_MSG]) :
			 strerror(mnl_attr_get_u32(tb[MIGS_A_ERRNO])));
		ret = mnl_attr_get_u32(tb[MIGS_A_ERRNO]);
		return ret ? ret : EPROTO;
	}
	/* The MAC comes off first, to read the nonce it is keyed with. */
	if (in->type != MIGS_AUTH || in->len < MIGS_MAC_LEN) {
		snprintf(msg, len, "B's answer is not an authentication");
		return EPROTO;
	}
	in->len -= MIGS_MAC_LEN;
	ret = auth_nonce(in, tb, nb);
	in->len += MIGS_MAC_LEN;
	if (ret) {
		snprintf(msg, len, "B's authentication is malformed");
		return EPROTO;
	}
	ret = migs_auth_derive(a, key, keylen, na, nb);
	if (!ret)
		ret = frame_check(a, in);
	if (ret) {
		migs_auth_clear(a);
		migs_begin(out, MIGS_AUTH);
		mnl_attr_put_u32(out->nlh, MIGS_A_ERRNO, EACCES);
		mnl_attr_put_strz(out->nlh, MIGS_A_MSG,
				  "the receiver's proof does not verify: the keys differ");
		migs_write(fd, out, NULL);
		snprintf(msg, len, "B could not prove the key: %s",
			 ret == -EKEYREJECTED ?
			 "its key differs from this one's" : strerror(-ret));
		return EACCES;
	}
	return 0;
}

/*
 * B's side: take A's nonce, answer with B's, under the key of this
 * connection (B's proof). A's proof is its HELLO's MAC, which the
 * caller reads next. A first frame that is not AUTH is refused: the
 * caller answers it with an unauthenticated ACK.
 */
int migs_auth_recv(int fd, struct migs_auth *a, const char *key,
		   size_t keylen, struct migs_out *out, struct migs_in *in,
		   char *msg, size_t len)
{
	const struct nlattr *tb[__MIGS_A_MAX];
	uint8_t na[MIGS_NONCE_LEN], nb[MIGS_NONCE_LEN];
	int ret;

	auth_begin(a, 'B');
	ret = migs_read(fd, in, NULL);
	if (ret) {
		snprintf(msg, len, "the stream broke off before the authentication: %s",
			 migs_strerror(ret));
		return EPROTO;
	}
	if (in->type != MIGS_AUTH) {
		snprintf(msg, len, "the sender did not authenticate: this receiver has a key, start the sender with --key-file");
		return EACCES;
	}
	if (migs_parse(in, tb) || !tb[MIGS_A_VERSION]) {
		snprintf(msg, len, "a malformed authentication");
		return EBADMSG;
	}
	if (mnl_attr_get_u32(tb[MIGS_A_VERSION]) != MIGS_VERSION_AUTH) {
		snprintf(msg, len, "authenticated stream version %u, this flowctl speaks %u",
			 mnl_attr_get_u32(tb[MIGS_A_VERSION]), MIGS_VERSION_AUTH);
		return EPROTONOSUPPORT;
	}
	if (auth_nonce(in, tb, na)) {
		snprintf(msg, len, "a malformed authentication");
		return EBADMSG;
	}
	if (RAND_bytes(nb, sizeof(nb)) != 1 ||
	    migs_auth_derive(a, key, keylen, na, nb)) {
		snprintf(msg, len, "no random bytes for a nonce");
		return EIO;
	}
	migs_begin(out, MIGS_AUTH);
	mnl_attr_put(out->nlh, MIGS_A_NONCE, sizeof(nb), nb);
	ret = migs_write(fd, out, a);
	if (ret) {
		snprintf(msg, len, "cannot answer the authentication: %s",
			 migs_strerror(ret));
		return -ret;
	}
	return 0;
}

/* --- the end of the idle phase (--idle-rate) ------------------------------ */

void mig_idle_init(struct mig_idle *st, uint64_t rate, uint64_t window_ms,
		   uint64_t max_ms)
{
	memset(st, 0, sizeof(*st));
	st->rate = rate;
	st->window_ms = window_ms;
	st->max_ms = max_ms;
	st->est_mps = UINT64_MAX;
}

/* The sample @i (0: the oldest kept). */
static unsigned int idle_at(const struct mig_idle *st, unsigned int i)
{
	return (st->head + i) % MIG_IDLE_SAMPLES;
}

/*
 * Take the sample (@t_ms, @left), times from any fixed origin, not going
 * back; whether the idle phase ends with it, and why.
 */
enum mig_idle_end mig_idle_step(struct mig_idle *st, uint64_t t_ms,
				uint64_t left)
{
	unsigned int i, base;
	uint64_t drop, span;

	if (!st->n) {
		st->t0 = t_ms;
		st->left0 = left;
	} else if (t_ms < st->t[idle_at(st, st->n - 1)]) {
		t_ms = st->t[idle_at(st, st->n - 1)];
	}
	if (st->n == MIG_IDLE_SAMPLES) {	/* the oldest goes */
		st->head = idle_at(st, 1);
		st->n--;
	}
	i = idle_at(st, st->n);
	st->t[i] = t_ms;
	st->left[i] = left;
	st->n++;
	if (!left)
		return MIG_IDLE_EMPTY;
	if (st->rate && t_ms - st->t0 >= st->window_ms) {
		/*
		 * The window's start: the newest sample at least a window
		 * old; those before it are no longer needed.
		 */
		for (base = 0; base + 1 < st->n &&
		     t_ms - st->t[idle_at(st, base + 1)] >= st->window_ms;
		     base++)
			;
		st->head = idle_at(st, base);
		st->n -= base;
		span = t_ms - st->t[st->head];
		drop = st->left[st->head] > left ? st->left[st->head] - left : 0;
		st->est_mps = span ? drop * 1000000 / span : 0;
		if (drop * 1000 < st->rate * span)
			return MIG_IDLE_RATE;
	}
	if (t_ms - st->t0 >= st->max_ms)
		return MIG_IDLE_LIMIT;
	return MIG_IDLE_ON;
}

const char *mig_idle_end_name(enum mig_idle_end e)
{
	switch (e) {
	case MIG_IDLE_EMPTY:
		return "empty";
	case MIG_IDLE_RATE:
		return "rate";
	case MIG_IDLE_LIMIT:
		return "limit";
	default:
		return "none";
	}
}
