// SPDX-License-Identifier: GPL-2.0
/*
 * fs-tcpbulk: the two ends of the TCP transfer of "make bench"'s fostcp
 * part: a fixed number of bytes, one way, with a byte pattern at known
 * places, checked byte for byte at the receiver.
 *
 *	fs-tcpbulk [OPTIONS] recv PORT
 *	fs-tcpbulk [OPTIONS] send ADDR PORT BYTES
 *
 * The stream repeats a block of PERIOD bytes: filler, then PATTERN at its
 * end, so BYTES (a multiple of PERIOD) holds exactly BYTES / PERIOD
 * occurrences. Filler bytes are drawn from [a-z0-9] without the bytes of
 * PATTERN and REPLACEMENT (a fixed seed), so no other occurrence of either
 * exists; as PERIOD is not a multiple of the segment size, occurrences
 * fall across segment boundaries too. Both ends are given the same -P,
 * -p and -x.
 *
 * The sender waits 10 ms (so that its time slice starts afresh), takes the
 * clock (CLOCK_MONOTONIC) and the CPUs' busy time (/proc/schedstat: the
 * time tasks other than the idle task ran), connects, writes BYTES in
 * writes of up to 64 KiB, shuts its side down and reads until the
 * receiver closes; then takes both again and prints
 *	bytes=N ns=ELAPSED busy=BUSY
 * The receiver reads to the end, compares every byte with the stream
 * (with -R: the stream with every PATTERN replaced by REPLACEMENT),
 * closes, and prints
 *	bytes=N verify=ok|mismatch@OFFSET|short|error
 * Exit: 0 done and verified, 1 not verified, 2 error or timeout.
 *
 * Options: -P PERIOD (1000), -p PATTERN (flowstream-bench), -x REPLACEMENT
 * (FLOWSTREAM-BENCH, the same length), -R, -r READY (a file the receiver
 * creates once it listens), -t SECONDS (30: the socket timeouts).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WRITE_MAX	65536
#define READ_MAX	(256 * 1024)

struct opts {
	size_t period;
	const char *pat, *rep;
	size_t plen;
	int replaced;
	const char *ready;
	int timeout;
};

/*
 * A buffer of whole periods of the stream, at least @span + period long,
 * so that any @span bytes starting anywhere in a period lie in it.
 */
static unsigned char *periods(const struct opts *o, const char *with,
			      size_t span)
{
	const char *all = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = (span + o->period - 1) / o->period + 1, i, na = 0;
	unsigned char alpha[36], *b;
	uint64_t r = 0x9e3779b97f4a7c15ULL;

	for (i = 0; all[i]; i++)
		if (!memchr(o->pat, all[i], o->plen) &&
		    !memchr(o->rep, all[i], o->plen))
			alpha[na++] = all[i];
	b = malloc(n * o->period);
	if (!na || !b) {
		fprintf(stderr, "fs-tcpbulk: no filler or no memory\n");
		exit(2);
	}
	for (i = 0; i < o->period - o->plen; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		b[i] = alpha[r % na];
	}
	memcpy(b + o->period - o->plen, with, o->plen);
	for (i = 1; i < n; i++)
		memcpy(b + i * o->period, b, o->period);
	return b;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Nanoseconds the CPUs ran tasks other than the idle task, or -1. */
static int64_t busy_ns(void)
{
	unsigned long long v[7], sum = 0;
	char line[512];
	FILE *f = fopen("/proc/schedstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "cpu", 3) ||
		    sscanf(line, "%*s %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
			continue;
		sum += v[6];
	}
	fclose(f);
	return (int64_t)sum;
}

static void timeouts(int fd, int secs)
{
	struct timeval tv = { .tv_sec = secs };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int do_send(const struct opts *o, const char *addr, int port,
		   unsigned long long bytes)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	unsigned long long off = 0;
	int64_t t0, b0, t1, b1;
	unsigned char *src, sink[256];
	ssize_t k;
	int fd;

	if (bytes % o->period) {
		fprintf(stderr, "fs-tcpbulk: BYTES is not a multiple of PERIOD\n");
		return 2;
	}
	src = periods(o, o->pat, WRITE_MAX);
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "fs-tcpbulk: bad address %s\n", addr);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("socket");
		return 2;
	}
	timeouts(fd, o->timeout);
	usleep(10000);
	t0 = now_ns();
	b0 = busy_ns();
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("connect");
		return 2;
	}
	while (off < bytes) {
		size_t n = bytes - off < WRITE_MAX ? bytes - off : WRITE_MAX;

		k = write(fd, src + off % o->period, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			perror("write");
			return 2;
		}
		off += k;
	}
	shutdown(fd, SHUT_WR);
	/* The receiver closes once it has every byte. */
	while ((k = read(fd, sink, sizeof(sink))) > 0)
		;
	t1 = now_ns();
	b1 = busy_ns();
	if (k < 0) {
		perror("read");
		return 2;
	}
	close(fd);
	printf("bytes=%llu ns=%lld busy=%lld\n", off, (long long)(t1 - t0),
	       (long long)(b0 < 0 || b1 < 0 ? -1 : b1 - b0));
	return 0;
}

static int do_recv(const struct opts *o, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	unsigned long long got = 0, bad = ~0ULL;
	unsigned char *exp, *buf;
	int fd, c, one = 1, rc = 0;
	char verdict[64] = "ok";
	ssize_t k;

	exp = periods(o, o->replaced ? o->rep : o->pat, READ_MAX);
	buf = malloc(READ_MAX);
	if (!buf)
		return 2;
	sin.sin_port = htons(port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("socket");
		return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 1)) {
		perror("bind/listen");
		return 2;
	}
	timeouts(fd, 2 * o->timeout);
	if (o->ready) {
		int r = open(o->ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (r < 0) {
			perror(o->ready);
			return 2;
		}
		close(r);
	}
	c = accept(fd, NULL, NULL);
	if (c < 0) {
		perror("accept");
		printf("bytes=0 verify=accept\n");
		return 2;
	}
	close(fd);
	timeouts(c, o->timeout);
	while ((k = read(c, buf, READ_MAX)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			snprintf(verdict, sizeof(verdict), "error:%s",
				 strerror(errno));
			rc = 2;
			break;
		}
		if (bad == ~0ULL &&
		    memcmp(buf, exp + got % o->period, k)) {
			size_t i;

			for (i = 0; buf[i] == exp[got % o->period + i]; i++)
				;
			bad = got + i;
		}
		got += k;
	}
	close(c);
	if (!rc && bad != ~0ULL) {
		snprintf(verdict, sizeof(verdict), "mismatch@%llu", bad);
		rc = 1;
	}
	printf("bytes=%llu verify=%s\n", got, verdict);
	return rc;
}

static int usage(void)
{
	fputs("usage: fs-tcpbulk [-P PERIOD] [-p PATTERN] [-x REPLACEMENT] [-R] [-r READY]\n"
	      "                  [-t SECONDS] recv PORT | send ADDR PORT BYTES\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.period = 1000, .pat = "flowstream-bench",
		.rep = "FLOWSTREAM-BENCH", .timeout = 30,
	};
	int opt;

	while ((opt = getopt(argc, argv, "P:p:x:Rr:t:")) != -1) {
		switch (opt) {
		case 'P':
			o.period = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			o.pat = optarg;
			break;
		case 'x':
			o.rep = optarg;
			break;
		case 'R':
			o.replaced = 1;
			break;
		case 'r':
			o.ready = optarg;
			break;
		case 't':
			o.timeout = atoi(optarg);
			break;
		default:
			return usage();
		}
	}
	o.plen = strlen(o.pat);
	if (!o.plen || strlen(o.rep) != o.plen || o.period < 2 * o.plen ||
	    o.timeout <= 0) {
		fprintf(stderr, "fs-tcpbulk: bad options\n");
		return 2;
	}
	argc -= optind;
	argv += optind;
	if (argc == 2 && !strcmp(argv[0], "recv"))
		return do_recv(&o, atoi(argv[1]));
	if (argc == 4 && !strcmp(argv[0], "send"))
		return do_send(&o, argv[1], atoi(argv[2]),
			       strtoull(argv[3], NULL, 0));
	return usage();
}
