// SPDX-License-Identifier: GPL-2.0
/*
 * fs-nfq: the NFQUEUE program of "make bench" that does the count PM's job
 * in userspace: packets and bytes (IP bytes, header included) per 5-tuple
 * session and direction, side A being the side that sent the session's
 * first packet. With -p it also scans each packet's L4 payload (the IP
 * payload for protocols without ports) for a byte pattern and counts the
 * packets that have it and the occurrences in them (each packet on its
 * own: an occurrence split across packets is not seen), as a
 * pattern-matching PM would.
 *
 *	fs-nfq [-q QUEUE] [-p PATTERN] [-c COPY] [-o FILE] [-r READY]
 *
 * It binds queue QUEUE (default 0) with libnetfilter_queue's libmnl API:
 * NFQA_CFG_F_GSO (GSO packets come whole), fail-open off (a full queue
 * drops), a queue of 65536 packets, COPY bytes of each packet (default
 * 65535; the count needs only the headers) and gives its verdicts in
 * batches (NFQNL_MSG_VERDICT_BATCH: every packet up to the last one read,
 * once the socket has nothing more to read, or every 256 packets).
 * Every verdict is NF_ACCEPT. READY is created once the queue is bound.
 * On SIGUSR1 it writes its totals to FILE (default standard output), on
 * SIGTERM or SIGINT too, then exits:
 *
 *	sessions N		sessions seen
 *	packets N		packets counted (both directions)
 *	bytes N
 *	packets_ab N		... side A to side B
 *	packets_ba N
 *	matched N		packets whose payload has PATTERN
 *	occurrences N		occurrences of PATTERN in them (overlapping
 *				ones too)
 *	truncated N		packets longer than COPY (not all of them
 *				scanned)
 *	unparsed N		packets it could not read a 5-tuple from
 *	overflow N		packets of sessions the table had no room for
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define TABLE_BITS	16
#define TABLE_SIZE	(1u << TABLE_BITS)
#define BATCH_MAX	256
#define QUEUE_MAXLEN	65536
#define RCVBUF		(16 << 20)

struct session {
	bool used;
	uint8_t family;
	uint8_t proto;
	uint8_t addr[2][16];	/* side A, side B */
	uint16_t port[2];
	uint64_t packets[2];
	uint64_t bytes[2];
	uint64_t matched;
	uint64_t occurrences;
};

struct tuple {
	uint8_t family;
	uint8_t proto;
	uint8_t addr[2][16];	/* source, destination */
	uint16_t port[2];
};

static struct session *table;
static uint64_t nsessions, unparsed, overflow, truncated;
static const char *pattern;
static size_t pattern_len;
static volatile sig_atomic_t want_dump, want_exit;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_dump = 1;
	else
		want_exit = 1;
}

static uint32_t hash_bytes(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* Endpoint @i of @t against endpoint @j: <0, 0, >0. */
static int ep_cmp(const struct tuple *t, int i, int j)
{
	int c = memcmp(t->addr[i], t->addr[j], sizeof(t->addr[i]));

	if (c)
		return c;
	return (int)t->port[i] - (int)t->port[j];
}

/* The same for both directions of a session. */
static uint32_t tuple_hash(const struct tuple *t)
{
	int lo = ep_cmp(t, 0, 1) <= 0 ? 0 : 1;
	uint32_t h = 2166136261u;

	h = hash_bytes(h, &t->family, 1);
	h = hash_bytes(h, &t->proto, 1);
	h = hash_bytes(h, t->addr[lo], 16);
	h = hash_bytes(h, &t->port[lo], 2);
	h = hash_bytes(h, t->addr[!lo], 16);
	h = hash_bytes(h, &t->port[!lo], 2);
	return h;
}

/* Is @s the session of @t: 0 (A to B), 1 (B to A) or -1. */
static int session_dir(const struct session *s, const struct tuple *t)
{
	int d;

	if (s->family != t->family || s->proto != t->proto)
		return -1;
	for (d = 0; d < 2; d++)
		if (!memcmp(s->addr[0], t->addr[d], 16) &&
		    s->port[0] == t->port[d] &&
		    !memcmp(s->addr[1], t->addr[!d], 16) &&
		    s->port[1] == t->port[!d])
			return d;
	return -1;
}

/* The session of @t, created if new, its direction in *@dir; or NULL. */
static struct session *session_get(const struct tuple *t, int *dir)
{
	uint32_t i = tuple_hash(t) & (TABLE_SIZE - 1);
	uint32_t n;

	for (n = 0; n < TABLE_SIZE; n++, i = (i + 1) & (TABLE_SIZE - 1)) {
		struct session *s = &table[i];

		if (!s->used) {
			/* Keep one slot free: probes always end. */
			if (nsessions + 1 >= TABLE_SIZE)
				return NULL;
			s->used = true;
			s->family = t->family;
			s->proto = t->proto;
			memcpy(s->addr, t->addr, sizeof(s->addr));
			memcpy(s->port, t->port, sizeof(s->port));
			nsessions++;
			*dir = 0;
			return s;
		}
		*dir = session_dir(s, t);
		if (*dir >= 0)
			return s;
	}
	return NULL;
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP;
}

/*
 * The 5-tuple of the IP packet @p (@len bytes of it copied), its IP length
 * in *@iplen and its payload's offset in *@off. False if unreadable.
 */
static bool parse(const uint8_t *p, size_t len, struct tuple *t,
		  uint32_t *iplen, size_t *off)
{
	memset(t, 0, sizeof(*t));
	if (len < 1)
		return false;
	if (p[0] >> 4 == 4) {
		size_t ihl = (p[0] & 0xf) * 4;

		if (len < 20 || ihl < 20 || len < ihl)
			return false;
		t->family = AF_INET;
		t->proto = p[9];
		memcpy(t->addr[0], p + 12, 4);
		memcpy(t->addr[1], p + 16, 4);
		*iplen = (uint32_t)p[2] << 8 | p[3];
		*off = ihl;
		/* A later fragment has no ports. */
		if (((uint32_t)p[6] << 8 | p[7]) & 0x1fff)
			return true;
	} else if (p[0] >> 4 == 6) {
		if (len < 40)
			return false;
		t->family = AF_INET6;
		t->proto = p[6];
		memcpy(t->addr[0], p + 8, 16);
		memcpy(t->addr[1], p + 24, 16);
		*iplen = 40 + ((uint32_t)p[4] << 8 | p[5]);
		*off = 40;
	} else {
		return false;
	}
	if (has_ports(t->proto)) {
		size_t hl = 4;

		if (len < *off + 4)
			return false;
		memcpy(&t->port[0], p + *off, 2);
		memcpy(&t->port[1], p + *off + 2, 2);
		if (t->proto == IPPROTO_UDP || t->proto == IPPROTO_UDPLITE)
			hl = 8;
		else if (t->proto == IPPROTO_TCP && len >= *off + 13)
			hl = (p[*off + 12] >> 4) * 4;
		else if (t->proto == IPPROTO_SCTP)
			hl = 12;
		*off += hl;
	}
	return true;
}

struct batch {
	uint32_t last_id;
	unsigned int n;
};

static int packet_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	struct nfqnl_msg_packet_hdr *ph;
	struct batch *b = data;
	struct session *s;
	const uint8_t *p;
	struct tuple t;
	uint32_t iplen;
	size_t len, off;
	int dir;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR]) {
		unparsed++;
		return MNL_CB_OK;
	}
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	b->last_id = ntohl(ph->packet_id);
	b->n++;
	if (!attr[NFQA_PAYLOAD]) {
		unparsed++;
		return MNL_CB_OK;
	}
	p = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
	len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	if (!parse(p, len, &t, &iplen, &off)) {
		unparsed++;
		return MNL_CB_OK;
	}
	s = session_get(&t, &dir);
	if (!s) {
		overflow++;
		return MNL_CB_OK;
	}
	s->packets[dir]++;
	s->bytes[dir] += iplen;
	if (attr[NFQA_CAP_LEN])
		truncated++;
	if (pattern && off < len) {
		const uint8_t *at = memmem(p + off, len - off, pattern,
					   pattern_len);

		if (at)
			s->matched++;
		while (at) {
			s->occurrences++;
			at++;
			at = memmem(at, p + len - at, pattern, pattern_len);
		}
	}
	return MNL_CB_OK;
}

static void put_cfg_flags(struct nlmsghdr *nlh, uint32_t mask, uint32_t flags)
{
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
}

/* Send @nlh and wait for its ack; 0 or -1 (errno set). */
static int request(struct mnl_socket *nl, struct nlmsghdr *nlh, char *buf,
		   size_t size)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		n = mnl_socket_recvfrom(nl, buf, size);
		if (n < 0)
			return -1;
		n = mnl_cb_run(buf, n, seq, portid, NULL, NULL);
	} while (n > 0);
	return n < 0 ? -1 : 0;
}

static int verdict(struct mnl_socket *nl, uint32_t queue, struct batch *b)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (!b->n)
		return 0;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT_BATCH, queue);
	nfq_nlmsg_verdict_put(nlh, b->last_id, NF_ACCEPT);
	b->n = 0;
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

static int dump(const char *path)
{
	uint64_t pk[2] = { 0, 0 }, by = 0, matched = 0, occ = 0;
	char tmp[4096] = "";
	uint32_t i;
	FILE *f;

	for (i = 0; i < TABLE_SIZE; i++) {
		if (!table[i].used)
			continue;
		pk[0] += table[i].packets[0];
		pk[1] += table[i].packets[1];
		by += table[i].bytes[0] + table[i].bytes[1];
		matched += table[i].matched;
		occ += table[i].occurrences;
	}
	/* Written aside and renamed: a reader sees all of it or none. */
	if (path)
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = path ? fopen(tmp, "w") : stdout;
	if (!f) {
		perror(tmp);
		return -1;
	}
	fprintf(f, "sessions %llu\npackets %llu\nbytes %llu\n"
		"packets_ab %llu\npackets_ba %llu\nmatched %llu\n"
		"occurrences %llu\ntruncated %llu\n"
		"unparsed %llu\noverflow %llu\n",
		(unsigned long long)nsessions,
		(unsigned long long)(pk[0] + pk[1]), (unsigned long long)by,
		(unsigned long long)pk[0], (unsigned long long)pk[1],
		(unsigned long long)matched, (unsigned long long)occ,
		(unsigned long long)truncated, (unsigned long long)unparsed,
		(unsigned long long)overflow);
	if (path) {
		if (fclose(f) || rename(tmp, path)) {
			perror(path);
			return -1;
		}
		return 0;
	}
	return fflush(f) ? -1 : 0;
}

static int usage(void)
{
	fputs("Usage: fs-nfq [-q QUEUE] [-p PATTERN] [-c COPY] [-o FILE] [-r READY]\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *ready = NULL;
	unsigned long queue = 0, copy = 0xffff;
	struct sigaction sa;
	struct batch b = { 0, 0 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int portid;
	int opt, one = 1, rcvbuf = RCVBUF;
	size_t size;
	char *buf, *end;
	ssize_t n;

	while ((opt = getopt(argc, argv, "q:p:c:o:r:")) != -1) {
		switch (opt) {
		case 'q':
			queue = strtoul(optarg, &end, 0);
			if (*end || queue > 65535)
				return usage();
			break;
		case 'p':
			pattern = optarg;
			pattern_len = strlen(optarg);
			if (!pattern_len)
				return usage();
			break;
		case 'c':
			copy = strtoul(optarg, &end, 0);
			if (*end || !copy || copy > 0xffff)
				return usage();
			break;
		case 'o':
			out = optarg;
			break;
		case 'r':
			ready = optarg;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();

	table = calloc(TABLE_SIZE, sizeof(*table));
	size = 0xffff + (MNL_SOCKET_BUFFER_SIZE / 2);
	buf = malloc(size);
	if (!table || !buf) {
		perror("fs-nfq");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: recv returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("fs-nfq: netlink");
		return 1;
	}
	portid = mnl_socket_get_portid(nl);
	/* A full socket drops packets (fail-open off), never the socket. */
	mnl_socket_setsockopt(nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (request(nl, nlh, buf, size) < 0) {
		perror("fs-nfq: bind queue");
		return 1;
	}
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, copy);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, QUEUE_MAXLEN);
	put_cfg_flags(nlh, NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN,
		      NFQA_CFG_F_GSO);
	if (request(nl, nlh, buf, size) < 0) {
		perror("fs-nfq: configure queue");
		return 1;
	}
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0) {
			perror(ready);
			return 1;
		}
		close(fd);
	}

	for (;;) {
		if (want_dump || want_exit) {
			if (verdict(nl, queue, &b) < 0)
				perror("fs-nfq: verdict");
			if (dump(out) < 0)
				return 1;
			want_dump = 0;
			if (want_exit)
				break;
		}
		/* Block only when every packet read has its verdict. */
		n = recv(mnl_socket_get_fd(nl), buf, size,
			 b.n ? MSG_DONTWAIT : 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (verdict(nl, queue, &b) < 0) {
					perror("fs-nfq: verdict");
					return 1;
				}
				continue;
			}
			if (errno == ENOBUFS)
				continue;
			perror("fs-nfq: recv");
			return 1;
		}
		if (mnl_cb_run(buf, n, 0, portid, packet_cb, &b) < 0) {
			perror("fs-nfq: message");
			return 1;
		}
		if (b.n >= BATCH_MAX && verdict(nl, queue, &b) < 0) {
			perror("fs-nfq: verdict");
			return 1;
		}
	}
	mnl_socket_close(nl);
	return 0;
}
