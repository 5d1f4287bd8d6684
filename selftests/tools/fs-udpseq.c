// SPDX-License-Identifier: GPL-2.0
/*
 * fs-udpseq: a sequence-numbered UDP stream, for the migration selftests.
 *
 *   fs-udpseq send ADDR PORT COUNT GAP_US [SPORT]
 *                                           COUNT datagrams numbered 0 ..
 *                                           COUNT - 1, GAP_US apart, from
 *                                           source port SPORT if given
 *                                           (tests that count flows must not
 *                                           let two ephemeral ports collide)
 *   fs-udpseq recv PORT COUNT IDLE_S        receive until COUNT arrived or
 *                                           nothing came for IDLE_S seconds
 *
 * Each datagram is 64 bytes, its first 4 the number (network order). The
 * receiver prints one line:
 *
 *	received=N lost=N dup=N reordered=N
 *
 * lost: numbers below COUNT never seen; dup: numbers seen more than once;
 * reordered: datagrams whose number is below the highest one seen before
 * (not counting duplicates). Exit 0 if all came once and in order.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int do_send(const char *addr, const char *port, unsigned long count,
		   unsigned long gap_us, const char *sport)
{
	struct sockaddr_storage src = { 0 };
	int one = 1;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	struct timespec ts = { gap_us / 1000000, gap_us % 1000000 * 1000 };
	unsigned char buf[64] = { 0 };
	unsigned long i;
	uint32_t n;
	int fd;

	if (getaddrinfo(addr, port, &hints, &ai)) {
		fprintf(stderr, "fs-udpseq: bad address %s %s\n", addr, port);
		return 2;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd >= 0 && sport) {
		/* Any address, the given port: the family's port field sits at
		 * the same offset in sockaddr_in and sockaddr_in6.
		 */
		src.ss_family = ai->ai_family;
		((struct sockaddr_in *)&src)->sin_port = htons(atoi(sport));
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			       sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&src, ai->ai_addrlen)) {
			perror("fs-udpseq: bind source port");
			return 2;
		}
	}
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		perror("fs-udpseq: socket");
		return 2;
	}
	for (i = 0; i < count; i++) {
		n = htonl(i);
		memcpy(buf, &n, sizeof(n));
		/* A refusal (ICMP error, full queue) is a loss to count. */
		if (send(fd, buf, sizeof(buf), 0) < 0)
			fprintf(stderr, "fs-udpseq: send %lu: %m\n", i);
		if (gap_us)
			nanosleep(&ts, NULL);
	}
	return 0;
}

static int do_recv(const char *port, unsigned long count, int idle_s)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	unsigned long received = 0, dup = 0, reordered = 0, lost = 0, i;
	unsigned char buf[2048], *seen = calloc(count ? count : 1, 1);
	struct pollfd pfd;
	long highest = -1;
	uint32_t n;
	ssize_t len;
	int fd, zero = 0;

	sa.sin6_port = htons(atoi(port));
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (!seen || fd < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("fs-udpseq: bind");
		return 2;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (received < count && poll(&pfd, 1, idle_s * 1000) > 0) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 4)
			continue;
		memcpy(&n, buf, sizeof(n));
		n = ntohl(n);
		if (n >= count)
			continue;
		if (seen[n]) {
			dup++;
			continue;
		}
		seen[n] = 1;
		received++;
		if ((long)n < highest)
			reordered++;
		else
			highest = n;
	}
	for (i = 0; i < count; i++)
		lost += !seen[i];
	printf("received=%lu lost=%lu dup=%lu reordered=%lu\n", received, lost,
	       dup, reordered);
	fflush(stdout);
	return lost || dup || reordered;
}

int main(int argc, char **argv)
{
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3], strtoul(argv[4], NULL, 0),
			       strtoul(argv[5], NULL, 0),
			       argc == 7 ? argv[6] : NULL);
	if (argc == 5 && !strcmp(argv[1], "recv"))
		return do_recv(argv[2], strtoul(argv[3], NULL, 0),
			       atoi(argv[4]));
	fputs("usage: fs-udpseq send ADDR PORT COUNT GAP_US [SPORT]\n"
	      "       fs-udpseq recv PORT COUNT IDLE_S\n", stderr);
	return 2;
}
