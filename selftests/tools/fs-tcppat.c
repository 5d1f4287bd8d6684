// SPDX-License-Identifier: GPL-2.0
/*
 * fs-tcppat: both ends of a TCP connection that carry known patterns at
 * known places, for the FlowOS pattern PMs' selftest.
 *
 *   fs-tcppat recv PORT [OPTIONS]        accept one connection on PORT
 *   fs-tcppat send ADDR PORT [OPTIONS]   connect to ADDR (IPv4 or IPv6)
 *
 * Each end sends a stream generated from a seed (the connecting end uses
 * SEED, the accepting end SEED + 1): COUNT times a random filler of 1 to
 * 200 bytes then PATTERN, then a last filler. Filler bytes are drawn from
 * [a-z0-9] without the bytes of PATTERN and REPLACEMENT, so the only
 * occurrences are those placed. Both ends are given the same options.
 * Each end receives the other's stream to its end and checks it byte for
 * byte against the generated one; with --replace, against the generated
 * one with every PATTERN replaced by REPLACEMENT.
 *
 * Writes are of 1 to CHUNK bytes with TCP_NODELAY, so patterns are split
 * across segments; --mss sets TCP_MAXSEG.
 *
 * Output, one line: sent_bytes= sent_patterns= recv_bytes= recv_pattern=
 * recv_replacement= verify=ok|mismatch@OFFSET|short|timeout|connect|accept.
 * Exit: 0 verified, 1 not, 2 error or timeout (nothing moved for TIMEOUT
 * seconds; a receiver waits 2 x TIMEOUT + 10 seconds for its sender).
 *
 * Options: --count N (100), --pattern P (FLOWSTREAM!), --replace R,
 * --seed S (1), --chunk N (40), --mss N, --timeout S (10), --pause MS
 * (sleep after writing half the stream), --resume FILE (after writing
 * half the stream, wait until FILE exists, then for --pause MS; until
 * then a quiet peer is no timeout), --start 1 (the stream starts with
 * PATTERN: no first filler). P and R take \xNN and \\.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAT_MAX 64

struct opts {
	unsigned long count;
	unsigned char pat[PAT_MAX], rep[PAT_MAX];
	size_t plen, rlen;
	unsigned long long seed;
	unsigned int chunk;
	int mss;
	int timeout;
	int pause_ms;
	const char *resume;
	int start;
};

/* --resume: the test creates FILE when the pause may end. */
static int resumed(const struct opts *o)
{
	return !o->resume || !access(o->resume, F_OK);
}

static void pause_half(const struct opts *o)
{
	while (!resumed(o))
		usleep(20000);
	if (o->pause_ms)
		usleep(o->pause_ms * 1000);
}

struct stream {
	unsigned char *b;
	size_t len;
	size_t *at;	/* where each pattern starts */
	unsigned long n;
};

static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static int parse_pat(const char *s, unsigned char *out, size_t *len)
{
	size_t n = 0;
	while (*s) {
		if (n == PAT_MAX)
			return -1;
		if (s[0] == '\\' && s[1] == '\\') {
			out[n++] = '\\';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x' && isxdigit(s[2]) &&
			   isxdigit(s[3])) {
			char h[3] = { s[2], s[3], 0 };

			out[n++] = strtoul(h, NULL, 16);
			s += 4;
		} else if (s[0] == '\\') {
			return -1;
		} else {
			out[n++] = *s++;
		}
	}
	*len = n;
	return n ? 0 : -1;
}

/* The stream sent by the end with @seed; @with is PATTERN or its replacement. */
static void gen(const struct opts *o, uint64_t seed, const unsigned char *with,
		struct stream *st)
{
	unsigned char alpha[36];
	size_t na = 0, cap, i;
	uint64_t r = seed * 0x9e3779b97f4a7c15ULL + 1;
	const char *all = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned long k;

	for (i = 0; all[i]; i++)
		if (!memchr(o->pat, all[i], o->plen) &&
		    !(o->rlen && memchr(o->rep, all[i], o->rlen)))
			alpha[na++] = all[i];
	if (!na) {
		fprintf(stderr, "fs-tcppat: no filler bytes left\n");
		exit(2);
	}
	cap = (o->count + 1) * (200 + o->plen);
	st->b = malloc(cap);
	st->at = calloc(o->count + 1, sizeof(*st->at));
	if (!st->b || !st->at)
		exit(2);
	st->len = 0;
	st->n = o->count;
	for (k = 0; k <= o->count; k++) {
		size_t f = 1 + rng_next(&r) % 200;

		if (!k && o->start && o->count)
			f = 0;

		for (i = 0; i < f; i++)
			st->b[st->len++] = alpha[rng_next(&r) % na];
		if (k == o->count)
			break;
		st->at[k] = st->len;
		memcpy(st->b + st->len, with, o->plen);
		st->len += o->plen;
	}
}

static unsigned long occurrences(const unsigned char *b, size_t len,
				 const unsigned char *p, size_t plen)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i + plen <= len; i++)
		if (!memcmp(b + i, p, plen))
			n++;
	return n;
}

struct writer {
	int fd;
	const struct opts *o;
	const struct stream *st;
	uint64_t seed;
	int err;
};

static void *write_all(void *arg)
{
	struct writer *w = arg;
	size_t off = 0, half = w->st->len / 2;
	uint64_t r = w->seed + 77;
	int paused = 0;

	while (off < w->st->len) {
		size_t n = 1 + rng_next(&r) % w->o->chunk;
		ssize_t k;

		if (n > w->st->len - off)
			n = w->st->len - off;
		if ((w->o->pause_ms || w->o->resume) && !paused &&
		    off + n > half) {
			n = half - off;
			paused = 1;
			if (!n) {
				pause_half(w->o);
				paused = 2;
				continue;
			}
		}
		k = write(w->fd, w->st->b + off, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			w->err = errno;
			return NULL;
		}
		off += k;
		if (paused == 1 && off == half) {
			pause_half(w->o);
			paused = 2;
		}
	}
	shutdown(w->fd, SHUT_WR);
	return NULL;
}

static int run(int fd, const struct opts *o, uint64_t my_seed,
	       uint64_t peer_seed)
{
	struct stream mine, exp;
	struct writer w = { .fd = fd, .o = o, .seed = my_seed };
	struct timeval tv = { .tv_sec = o->timeout };
	unsigned char *got;
	size_t glen = 0, cap;
	char verdict[64] = "ok";
	pthread_t t;
	int one = 1, rc = 0;

	gen(o, my_seed, o->pat, &mine);
	gen(o, peer_seed, o->rlen ? o->rep : o->pat, &exp);
	cap = exp.len + 65536;
	got = malloc(cap);
	if (!got)
		return 2;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	w.st = &mine;
	if (pthread_create(&t, NULL, write_all, &w))
		return 2;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		k = poll(&p, 1, o->timeout * 1000);
		if (k == 0 && !resumed(o))
			continue;
		if (k == 0) {
			strcpy(verdict, "timeout");
			rc = 2;
			break;
		}
		if (k < 0)
			continue;
		if (glen == cap) {
			strcpy(verdict, "long");
			rc = 1;
			break;
		}
		k = read(fd, got + glen, cap - glen);
		if (k < 0) {
			snprintf(verdict, sizeof(verdict), "error:%s",
				 strerror(errno));
			rc = 2;
			break;
		}
		if (!k)
			break;
		glen += k;
	}
	if (rc) {
		shutdown(fd, SHUT_RDWR);
	} else if (glen != exp.len || memcmp(got, exp.b, glen)) {
		size_t i;

		for (i = 0; i < glen && i < exp.len && got[i] == exp.b[i]; i++)
			;
		if (i == glen && glen < exp.len)
			strcpy(verdict, "short");
		else
			snprintf(verdict, sizeof(verdict), "mismatch@%zu", i);
		rc = 1;
	}
	pthread_join(t, NULL);
	if (w.err && !rc) {
		snprintf(verdict, sizeof(verdict), "write:%s", strerror(w.err));
		rc = 2;
	}
	printf("sent_bytes=%zu sent_patterns=%lu recv_bytes=%zu recv_pattern=%lu recv_replacement=%lu verify=%s\n",
	       mine.len, mine.n, glen, occurrences(got, glen, o->pat, o->plen),
	       o->rlen ? occurrences(got, glen, o->rep, o->rlen) : 0UL,
	       verdict);
	fflush(stdout);
	return rc;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: fs-tcppat recv PORT [OPTIONS]\n"
		"       fs-tcppat send ADDR PORT [OPTIONS]\n"
		"options: --count N --pattern P --replace R --seed S --chunk N\n"
		"         --mss N --timeout S --pause MS --resume FILE --start 0|1\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 100, .seed = 1, .chunk = 40, .timeout = 10 };
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	const char *addr = NULL, *port;
	int send_mode, i, fd, one = 1, err;

	/* After a timeout the socket is shut down under the writer thread:
	 * its next write fails with EPIPE, which is no reason to die.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 3)
		usage();
	send_mode = !strcmp(argv[1], "send");
	if (!send_mode && strcmp(argv[1], "recv"))
		usage();
	i = 2;
	if (send_mode) {
		if (argc < 4)
			usage();
		addr = argv[i++];
	}
	port = argv[i++];
	parse_pat("FLOWSTREAM!", o.pat, &o.plen);
	for (; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--count"))
			o.count = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--pattern")) {
			if (parse_pat(v, o.pat, &o.plen))
				usage();
		} else if (!strcmp(a, "--replace")) {
			if (parse_pat(v, o.rep, &o.rlen))
				usage();
		} else if (!strcmp(a, "--seed"))
			o.seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--chunk"))
			o.chunk = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--mss"))
			o.mss = atoi(v);
		else if (!strcmp(a, "--timeout"))
			o.timeout = atoi(v);
		else if (!strcmp(a, "--pause"))
			o.pause_ms = atoi(v);
		else if (!strcmp(a, "--resume"))
			o.resume = v;
		else if (!strcmp(a, "--start"))
			o.start = atoi(v);
		else
			usage();
	}
	if (!o.chunk || o.timeout <= 0 || (o.rlen && o.rlen != o.plen)) {
		fprintf(stderr, "fs-tcppat: bad options\n");
		return 2;
	}

	if (!send_mode)
		hints.ai_flags = AI_PASSIVE;
	hints.ai_family = send_mode ? AF_UNSPEC : AF_INET6;
	err = getaddrinfo(addr, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "fs-tcppat: %s\n", gai_strerror(err));
		return 2;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("socket");
		return 2;
	}
	if (o.mss && setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &o.mss,
				sizeof(o.mss)))
		perror("TCP_MAXSEG");
	if (send_mode) {
		struct timeval tv = { .tv_sec = o.timeout };

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			perror("connect");
			printf("verify=connect\n");
			return 2;
		}
		return run(fd, &o, o.seed, o.seed + 1);
	} else {
		struct timeval tv = { 0 };
		int zero = 0, c;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 4)) {
			perror("bind/listen");
			return 2;
		}
		/* A sender that never connects does not keep us forever. */
		tv.tv_sec = 2 * o.timeout + 10;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		c = accept(fd, NULL, NULL);
		if (c < 0) {
			perror("accept");
			printf("verify=accept\n");
			return 2;
		}
		close(fd);
		return run(c, &o, o.seed + 1, o.seed);
	}
}
